import type { Finding } from '@airspark/findings';

/** 1-based line and column of a character offset. */
export function positionOfOffset(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Strict JSON parsing with a finding instead of an exception; V8 names the failing offset in its
 * message ("... at position 42"), which becomes a line and column.
 */
export function parseJsonText(
  file: string,
  text: string,
  rule: string,
): { ok: true; value: unknown } | { ok: false; finding: Finding } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = /position (\d+)/.exec(message)?.[1];
    const at = offset === undefined ? { line: 1, column: 1 } : positionOfOffset(text, Number(offset));
    const what = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    return {
      ok: false,
      finding: {
        severity: 'error',
        rule,
        message: `not valid JSON: ${what}.`,
        file,
        ...at,
      },
    };
  }
}
