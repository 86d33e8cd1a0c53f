/**
 * Argo CD matches directory include/exclude patterns with gobwas/glob compiled WITHOUT path
 * separators: `*` and `**` match any characters including `/`, `?` one character, `[...]` a class,
 * `{a,b}` alternatives. No JavaScript glob library has those semantics (they all stop `*` at `/`),
 * hence this small translation to a regular expression.
 */
export function argoGlob(pattern: string): RegExp {
  let re = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeChar(pattern[++i] as string);
    } else if (c === '*') {
      while (pattern[i + 1] === '*') i++;
      re += '.*';
    } else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else re += escapeChar(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeChar(c: string): string {
  return c.replace(/[.+^$()|[\]\\{}*?]/g, '\\$&');
}
