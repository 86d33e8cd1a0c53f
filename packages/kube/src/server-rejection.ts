/** What the API server said about one rejected object, reduced to what a finding needs. */
export interface RejectionCause {
  /** Field path in the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly field?: string;
  /** Machine-readable reason, e.g. `FieldValueInvalid`, `FieldValueRequired`, `UnknownField`. */
  readonly reason?: string;
  readonly message: string;
}

export interface Rejection {
  readonly statusCode?: number;
  /** The Status reason, e.g. `Invalid`, `BadRequest`, `NotFound`, `Forbidden`. */
  readonly reason?: string;
  readonly message: string;
  readonly causes: readonly RejectionCause[];
}

interface StatusCause {
  field?: unknown;
  reason?: unknown;
  message?: unknown;
}

interface StatusBody {
  kind?: unknown;
  message?: unknown;
  reason?: unknown;
  details?: { causes?: StatusCause[] };
}

function asStatus(body: unknown): StatusBody | undefined {
  if (typeof body === 'string') {
    try {
      return asStatus(JSON.parse(body));
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' ? (body as StatusBody) : undefined;
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * Field paths named in a Status message whose Status has no structured causes. Decoding errors
 * come that way: strict field validation ("unknown field \"spec.foo\""), server-side apply
 * (".spec.foo: field not declared in schema"), and type mismatches ("Go struct field
 * DeploymentSpec.spec.replicas of type int32").
 */
export function causesFromMessage(message: string): RejectionCause[] {
  const causes: RejectionCause[] = [];
  const patterns: Array<{ pattern: RegExp; reason: string }> = [
    { pattern: /unknown field "([^"]+)"/g, reason: 'UnknownField' },
    { pattern: /duplicate field "([^"]+)"/g, reason: 'DuplicateField' },
    { pattern: /(?:^|[\s:])\.([A-Za-z_$][^\s:]*): field not declared in schema/g, reason: 'UnknownField' },
    { pattern: /Go struct field \w+\.(\S+) of type \S+/g, reason: 'FieldValueTypeInvalid' },
    { pattern: /(?:^|[\s:])\.([A-Za-z_$][^\s:]*): expected [^,;]+/g, reason: 'FieldValueTypeInvalid' },
  ];
  for (const { pattern, reason } of patterns) {
    for (const match of message.matchAll(pattern)) {
      const field = match[1];
      if (field) causes.push({ field, reason, message: match[0].trim() });
    }
  }
  return causes;
}

/** A rejection from an HTTP status code and a response body (a Status object or text). */
export function rejectionFromResponse(statusCode: number, body: unknown): Rejection {
  const status = asStatus(body);
  const message =
    optionalString(status?.message) ??
    (typeof body === 'string' && body.trim() ? body.trim() : `HTTP ${statusCode}`);
  const structured = (status?.details?.causes ?? []).map((cause) => ({
    ...(optionalString(cause.field) ? { field: optionalString(cause.field) } : {}),
    ...(optionalString(cause.reason) ? { reason: optionalString(cause.reason) } : {}),
    message: optionalString(cause.message) ?? message,
  }));
  return {
    statusCode,
    ...(optionalString(status?.reason) ? { reason: optionalString(status?.reason) } : {}),
    message,
    causes: structured.length > 0 ? structured : causesFromMessage(message),
  };
}
