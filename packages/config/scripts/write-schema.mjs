// Writes schema/environment.schema.json from the TypeScript schema (the source of truth), for
// editors (yaml-language-server) and other tools. A test fails when the file is stale.
import { rename, writeFile } from 'node:fs/promises';
import { environmentSchema } from '../dist/index.js';

const target = new URL('../schema/environment.schema.json', import.meta.url);
const temp = new URL('../schema/.environment.schema.json.tmp', import.meta.url);
await writeFile(temp, `${JSON.stringify(environmentSchema, null, 2)}\n`);
await rename(temp, target);
console.log('wrote schema/environment.schema.json');
