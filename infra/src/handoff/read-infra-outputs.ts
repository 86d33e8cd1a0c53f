import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  CLUSTERS_DIR,
  checkAgainstSchema,
  createAjv,
  parseYaml,
  positionOf,
  readSourceText,
} from '@airspark/config';
import type { Finding } from '@airspark/findings';
import type { ValidateFunction } from 'ajv';
import { type InfraOutputs, infraOutputsSchema } from './infra-outputs-schema.js';
import { parseJsonText } from './json-text.js';

export const INFRA_OUTPUTS_FILE = 'infra-outputs.json';

/** Repository-relative path of an environment's hand-off file. */
export function infraOutputsFile(env: string): string {
  return `${CLUSTERS_DIR}/${env}/${INFRA_OUTPUTS_FILE}`;
}

/**
 * What reading the hand-off gave: `outputs` when the file is present and valid; neither outputs nor
 * findings when the environment has simply not been deployed yet (the renderer then skips what
 * needs the values, with a warning of its own); findings when the file exists but is unusable.
 */
export interface InfraOutputsResult {
  outputs?: InfraOutputs;
  findings: Finding[];
}

let validator: ValidateFunction<InfraOutputs> | undefined;

function validate(): ValidateFunction<InfraOutputs> {
  validator ??= createAjv().compile<InfraOutputs>(infraOutputsSchema);
  return validator;
}

/** Pure: checks the text of a hand-off file for environment `env`. `file` is what findings show. */
export function parseInfraOutputs(file: string, text: string, env: string): InfraOutputsResult {
  const json = parseJsonText(file, text, 'infra/handoff-syntax');
  if (!json.ok) return { findings: [{ ...json.finding, env }] };
  // The YAML parser reads JSON too and keeps positions, so schema errors name their line.
  const parsed = parseYaml(file, text);
  if (!parsed.ok) return { findings: parsed.findings.map((f) => ({ ...f, env })) };
  const schemaFindings = checkAgainstSchema(parsed.source, validate(), 'infra/handoff-schema');
  if (schemaFindings.length > 0) return { findings: schemaFindings.map((f) => ({ ...f, env })) };
  const outputs = json.value as InfraOutputs;
  if (outputs.environment !== env) {
    return {
      findings: [
        {
          severity: 'error',
          rule: 'infra/handoff-mismatch',
          message: `this file belongs to environment "${outputs.environment}", not "${env}"; regenerate it with \`pnpm infra:handoff --env ${env}\`.`,
          file,
          ...positionOf(parsed.source, ['environment']),
          env,
        },
      ],
    };
  }
  return { outputs, findings: [] };
}

/** Reads `clusters/<env>/infra-outputs.json`; an absent file is not an error (see InfraOutputsResult). */
export async function readInfraOutputs(root: string, env: string): Promise<InfraOutputsResult> {
  const file = infraOutputsFile(env);
  const absolute = path.join(root, file);
  const exists = await stat(absolute).then(
    () => true,
    () => false,
  );
  if (!exists) return { findings: [] };
  const text = await readSourceText(absolute, file);
  if (!text.ok) return { findings: [{ ...text.finding, env }] };
  return parseInfraOutputs(file, text.text, env);
}
