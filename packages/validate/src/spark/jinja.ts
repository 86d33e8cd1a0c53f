/**
 * DAG templates (dags/spark_apps/*.yaml) are YAML with a few Jinja expressions that Airflow fills in
 * at run time. To read them as YAML with exact positions, each `{{ … }}` becomes a plain-scalar
 * placeholder of the same length and each `{% … %}` becomes spaces; checks skip placeholder values.
 */
const PLACEHOLDER_HEAD = 'jinja';

export function maskJinja(text: string): string {
  return text
    .replace(/\{\{[\s\S]*?\}\}/g, (m) =>
      m.length >= PLACEHOLDER_HEAD.length
        ? PLACEHOLDER_HEAD + '_'.repeat(m.length - PLACEHOLDER_HEAD.length)
        : '_'.repeat(m.length),
    )
    .replace(/\{%[\s\S]*?%\}/g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\{#[\s\S]*?#\}/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** Whether a value (or part of it) was a Jinja expression. */
export function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && value.includes(PLACEHOLDER_HEAD);
}
