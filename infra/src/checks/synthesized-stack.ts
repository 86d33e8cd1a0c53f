import type { Finding } from '@airspark/findings';

export type Block = Record<string, unknown>;

/** The parts of a synthesized `cdk.tf.json` the checks read. */
export interface TerraformJson {
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
}

/** One synthesized stack as the checks see it. */
export interface SynthesizedStack {
  env: string;
  /** Repository-relative path of cdk.tf.json; findings point into it. */
  file: string;
  /** The file's text, for line numbers. */
  text: string;
  json: TerraformJson;
}

export interface TerraformElement {
  kind: 'resource' | 'data';
  type: string;
  name: string;
  /** Terraform address: `aws_s3_bucket.storage_data_1A2B3C4D`, `data.aws_iam_policy_document.x`. */
  address: string;
  /** cdktf construct path, e.g. `airspark-dev/storage/data/bucket`, when cdktf recorded one. */
  constructPath?: string;
  body: Block;
}

export const isBlock = (v: unknown): v is Block => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Terraform JSON writes a block as an object (MaxItems=1) or a list of objects; this reads both. */
export function blocks(value: unknown): Block[] {
  if (Array.isArray(value)) return value.filter(isBlock);
  return isBlock(value) ? [value] : [];
}

export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function constructPathOf(body: Block): string | undefined {
  const meta = body['//'];
  if (!isBlock(meta) || !isBlock(meta.metadata)) return undefined;
  const path = meta.metadata.path;
  return typeof path === 'string' ? path : undefined;
}

/** Every resource (or data source) of a type, or of all types. */
export function elements(
  stack: SynthesizedStack,
  kind: 'resource' | 'data',
  type?: string,
): TerraformElement[] {
  const section = stack.json[kind] ?? {};
  const types = type === undefined ? Object.keys(section) : [type];
  const found: TerraformElement[] = [];
  for (const t of types) {
    for (const [name, body] of Object.entries(section[t] ?? {})) {
      if (!isBlock(body)) continue;
      const constructPath = constructPathOf(body);
      found.push({
        kind,
        type: t,
        name,
        address: kind === 'data' ? `data.${t}.${name}` : `${t}.${name}`,
        ...(constructPath ? { constructPath } : {}),
        body,
      });
    }
  }
  return found;
}

export const resources = (stack: SynthesizedStack, type?: string) => elements(stack, 'resource', type);

/** `${aws_s3_bucket.x.id}` → `{ type: 'aws_s3_bucket', name: 'x', attribute: 'id' }`. */
export function referenceOf(value: unknown): { type: string; name: string; attribute: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value);
  if (!match) return undefined;
  const [, type, name, attribute] = match as unknown as [string, string, string, string];
  return { type, name, attribute };
}

/** Whether a value is a Terraform expression (only known at plan time) rather than a literal. */
export const isExpression = (value: unknown): boolean => typeof value === 'string' && value.includes('${');

/**
 * Line of `["resource", type, name]` in the synthesized JSON. cdktf writes it with two-space
 * indentation, one key per line, so each level of the path is found at its own indentation; this
 * avoids re-parsing the file with positions just to place a few findings.
 */
export function lineOf(text: string, path: readonly string[]): number {
  const lines = text.split('\n');
  let from = 0;
  let found = 0;
  for (let depth = 0; depth < path.length; depth++) {
    const needle = `${' '.repeat(2 * (depth + 1))}${JSON.stringify(path[depth])}:`;
    const index = lines.findIndex((line, i) => i >= from && line.startsWith(needle));
    if (index === -1) return found;
    found = index + 1;
    from = index + 1;
  }
  return found;
}

/** A finding about one element of a synthesized stack. */
export function elementFinding(
  stack: SynthesizedStack,
  element: TerraformElement,
  rule: string,
  message: string,
  severity: Finding['severity'] = 'error',
): Finding {
  const path = [element.kind, element.type, element.name];
  const line = lineOf(stack.text, path);
  // The construct path leads to the code that made the element; the stack name in front is noise.
  const construct = element.constructPath?.split('/').slice(1).join('/');
  return {
    severity,
    rule,
    message: construct ? `${message} (construct ${construct})` : message,
    file: stack.file,
    line,
    // The element's key sits at the indentation of its depth.
    column: line > 0 ? 2 * path.length + 1 : 0,
    env: stack.env,
    resource: element.address,
  };
}
