import { stringify } from 'yaml';
import type { FieldChange } from './object-diff.js';

/** A value on one line: strings quoted, objects as compact JSON; cut at `max` characters. */
export function showValue(value: unknown, max = Number.POSITIVE_INFINITY): string {
  const text = value === undefined ? '(none)' : JSON.stringify(value);
  return cut(text, max);
}

export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * The lines that describe one field change, in unified-diff style (`-` before, `+` after), so a
 * markdown `diff` fence colours them; a changed multi-line string shows its own line diff.
 */
export function fieldLines(field: FieldChange, maxValue = Number.POSITIVE_INFINITY): string[] {
  const note = field.redacted ? ' (value redacted)' : '';
  if (field.lines) return [`~ ${field.path}${note}:`, ...field.lines.map((l) => `  ${l}`)];
  switch (field.change) {
    case 'added':
      return [`+ ${field.path}: ${showValue(field.after, maxValue)}${note}`];
    case 'removed':
      return [`- ${field.path}: ${showValue(field.before, maxValue)}${note}`];
    case 'changed':
      return [
        `- ${field.path}: ${showValue(field.before, maxValue)}${note}`,
        `+ ${field.path}: ${showValue(field.after, maxValue)}${note}`,
      ];
  }
}

/** An object as YAML, for added objects. */
export function objectYaml(object: unknown): string {
  return stringify(object, { lineWidth: 0, aliasDuplicateObjects: false });
}
