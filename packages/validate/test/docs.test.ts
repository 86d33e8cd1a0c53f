import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../src/rules.js';

const docs = readFileSync(path.resolve(import.meta.dirname, '../../../docs/validation.md'), 'utf8');

describe('docs/validation.md', () => {
  const documented = new Set(
    docs
      .split('\n')
      .filter((line) => line.startsWith('### '))
      .flatMap((line) => [...line.matchAll(/`([a-z]+\/[a-z0-9-]+)`/g)].map((m) => m[1])),
  );

  it('has a section for every rule', () => {
    expect(allRules.map((r) => r.id).filter((id) => !documented.has(id))).toEqual([]);
  });

  it('documents no rule that does not exist', () => {
    const ids = new Set(allRules.map((r) => r.id));
    expect([...documented].filter((id) => !ids.has(id as string))).toEqual([]);
  });
});
