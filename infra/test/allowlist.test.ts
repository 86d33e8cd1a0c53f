import { describe, expect, it } from 'vitest';
import { parseAllowlist } from '../src/checks/allowlist.js';

const file = 'infra/security-allowlist.yaml';

describe('the security allow-list', () => {
  it('reads entries with their lines', () => {
    const text = `wildcardResources:\n  - sid: Pricing\n    actions: [pricing:GetProducts]\n    reason: The Price List API has no resource-level permissions.\n`;
    expect(parseAllowlist(file, text)).toEqual({
      allowlist: {
        file,
        managedPolicies: [],
        wildcardResources: [
          {
            sid: 'Pricing',
            actions: ['pricing:GetProducts'],
            reason: 'The Price List API has no resource-level permissions.',
            line: 2,
            column: 5,
          },
        ],
      },
      findings: [],
    });
  });

  it('refuses wildcard actions, short reasons and unknown keys, naming the line', () => {
    const text = `wildcardResources:\n  - sid: Any\n    actions: ["s3:*"]\n    reason: trust me\nmanagedPolicy: []\n`;
    const { allowlist, findings } = parseAllowlist(file, text);
    expect(allowlist).toBeUndefined();
    const byLine = [...findings].sort((a, b) => a.line - b.line);
    expect(byLine.map((f) => [f.line, f.rule])).toEqual([
      [3, 'infra/allowlist'],
      [4, 'infra/allowlist'],
      [5, 'infra/allowlist'],
    ]);
    expect(byLine[2]?.message).toContain('Did you mean "managedPolicies"?');
  });
});
