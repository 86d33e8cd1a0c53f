import { describe, expect, it } from 'vitest';
import { environment, external } from './fixtures/platform.js';
import { validate } from './helpers.js';

describe('a well-formed environment', () => {
  it('passes every check', () => {
    const findings = validate(environment(), { externalResources: external });
    expect(findings).toEqual([]);
  });
});
