/**
 * Credentials in configuration: what looks like one, and how to keep it out of every diff and
 * finding. Two kinds of evidence, as secret scanners do (secretlint's recommended preset, gitleaks):
 *
 * - a value in a well-known credential format, whatever its key (AWS access key ids, GitHub, Slack,
 *   npm and Google API tokens, JWTs, private key blocks, passwords inside URLs);
 * - a literal value under a key that names a credential (`password`, `secret.key`, `apiToken`, ...)
 *   that looks random: at least 8 characters, two character classes, and not a reference (a
 *   template, a secret or file name, a path, a class name).
 *
 * References are not credentials: `fernetKeySecretName: airflow-fernet-key`, `existingSecret: db`,
 * `secretKey: connection` (a key inside a Secret) pass.
 */

export const REDACTED = '(redacted)';

const FORMATS: readonly { what: string; pattern: RegExp }[] = [
  { what: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g },
  { what: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g },
  { what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { what: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { what: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  {
    what: 'a JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
  },
  {
    what: 'a private key',
    pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)/g,
  },
  // user:password@ in a URL, unless the password is a placeholder ($VAR, ${VAR}, {{ x }}, <x>).
  { what: 'a password in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:(?![$<{*])[^\s@/]{3,}@/gi },
];

/** Key names that hold credentials (the last segment, camelCase/snake/dots/dashes alike). */
const SENSITIVE_KEY =
  /(?:^|[._-]|(?<=[a-z]))(?:password|passwd|pwd|secret|token|api[._-]?key|access[._-]?key|secret[._-]?key|private[._-]?key|client[._-]?secret|credentials?)$/i;

/** Keys that name a credential but hold a reference to one. */
const REFERENCE_KEY =
  /(?:name|ref|file|path|provider|class|arn|id|mode|type|enabled|existing[A-Za-z]*|selector)$/i;
const REFERENCE_PREFIX = /^(?:existing|use|create|mount|http)/i;

function characterClasses(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
}

/** Whether a literal under a credential key looks like the credential itself, not a reference. */
function looksLikeLiteralSecret(value: string): boolean {
  const v = value.trim();
  if (v.length < 8 || /\s/.test(v)) return false;
  if (/\{\{|\$\{|\$\(|^\$[A-Z_]+$|^<.*>$/.test(v)) return false; // templates, placeholders
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v) && /[-.]/.test(v))
    return false; // a Kubernetes/secret name (`airflow-fernet-key`)
  if (/^[a-z0-9][-a-z0-9_.]*(\/[a-z0-9][-a-z0-9_.]*)+$/.test(v)) return false; // a Secrets Manager / Vault secret path (`airspark-dev/airflow/jwt-secret`)
  if (/^(\/|\.\/|file:|s3a?:|arn:|https?:\/\/[^@]*$)/.test(v)) return false; // paths, ARNs, plain URLs
  if (/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$/.test(v)) return false; // a Java/Python class name
  if (/^(true|false|yes|no|on|off|null|required|optional|none|disabled|enabled)$/i.test(v)) return false;
  return characterClasses(v) >= 2;
}

function normalizedKey(key: string): string {
  return key.replace(/\[.*\]$/, '');
}

/** The credential format a text contains, if any. */
export function credentialFormatIn(text: string): string | undefined {
  for (const { what, pattern } of FORMATS) {
    pattern.lastIndex = 0;
    if (pattern.test(text)) return what;
  }
  return undefined;
}

/** Whether a key names a credential (and not a reference to one). */
export function isCredentialKey(key: string): boolean {
  const k = normalizedKey(key);
  return SENSITIVE_KEY.test(k) && !REFERENCE_KEY.test(k) && !REFERENCE_PREFIX.test(k);
}

/**
 * Why `value` under `key` looks like a credential (`an AWS access key id`, `a literal password`),
 * or undefined. `key` is the mapping key or property name; undefined for list items.
 */
export function credentialReason(key: string | undefined, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const format = credentialFormatIn(value);
  if (format) return format;
  if (key !== undefined && isCredentialKey(key) && looksLikeLiteralSecret(value))
    return `a literal credential under "${key}"`;
  // A properties/conf text (spark-defaults.conf): one `key value` per line.
  if (value.includes('\n')) for (const line of propertyLines(value)) if (line.reason) return line.reason;
  return undefined;
}

const PROPERTY_LINE = /^(\s*)([^\s#!=:][^\s=:]*)(\s*[=:]\s*|\s+)(.*)$/;

/** Lines of a properties/conf text that hold a credential, with the property key. */
export function propertyLines(text: string): { index: number; key: string; reason?: string }[] {
  return text.split('\n').map((line, index) => {
    const m = PROPERTY_LINE.exec(line);
    if (!m) return { index, key: '' };
    const key = m[2] ?? '';
    const value = m[4] ?? '';
    const reason =
      credentialFormatIn(value) ??
      (isCredentialKey(key) && looksLikeLiteralSecret(value)
        ? `a literal credential under "${key}"`
        : undefined);
    return { index, key, ...(reason ? { reason } : {}) };
  });
}

/** The text with every credential replaced by `(redacted)`: formats anywhere, values of credential properties. */
export function redactText(text: string): string {
  let out = text;
  for (const { pattern } of FORMATS) out = out.replace(pattern, REDACTED);
  if (!out.includes('\n') && !PROPERTY_LINE.test(out)) return out;
  return out
    .split('\n')
    .map((line) => {
      const m = PROPERTY_LINE.exec(line);
      if (!m) return line;
      const [, indent = '', key = '', separator = '', value = ''] = m;
      return isCredentialKey(key) && looksLikeLiteralSecret(value)
        ? `${indent}${key}${separator}${REDACTED}`
        : line;
    })
    .join('\n');
}

/** A deep copy with every credential-looking string replaced (whole values, or inside texts). */
export function redactCredentials<T>(value: T, key?: string): T {
  if (typeof value === 'string') {
    if (key !== undefined && isCredentialKey(key) && looksLikeLiteralSecret(value)) return REDACTED as T;
    return redactText(value) as T;
  }
  if (Array.isArray(value)) return value.map((v) => redactCredentials(v)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactCredentials(v, k)]),
    ) as T;
  return value;
}
