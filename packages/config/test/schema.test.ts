import { readFile } from 'node:fs/promises';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Environment, environmentSchema } from '../src/index.js';

describe('environment schema', () => {
  it('schema/environment.schema.json is the same as the TypeScript schema (run `pnpm --filter @airspark/config schema:write`)', async () => {
    const onDisk = JSON.parse(
      await readFile(new URL('../schema/environment.schema.json', import.meta.url), 'utf8'),
    );
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(environmentSchema)));
  });

  it('derives the Environment type from the schema', () => {
    expectTypeOf<Environment['cluster']['kubernetesVersion']>().toEqualTypeOf<string>();
    expectTypeOf<Environment['network']['natGateways']>().toEqualTypeOf<'single' | 'perZone'>();
    expectTypeOf<Environment['promotedFrom']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Environment['components']['livy']['enabled']>().toEqualTypeOf<boolean>();
  });
});
