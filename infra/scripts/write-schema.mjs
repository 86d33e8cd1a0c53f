// Writes schema/infra-outputs.schema.json from the schema object in src (via the build), so that
// editors and other tools can validate clusters/<env>/infra-outputs.json. A test checks it is fresh.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { infraOutputsSchema } from '../dist/handoff/infra-outputs-schema.js';

const target = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../schema/infra-outputs.schema.json',
);
await mkdir(path.dirname(target), { recursive: true });
const temporary = `${target}.${process.pid}.tmp`;
await writeFile(temporary, `${JSON.stringify(infraOutputsSchema, null, 2)}\n`);
await rename(temporary, target);
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
