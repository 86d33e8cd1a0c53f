import { describe, expect, it } from 'vitest';
import { parseManifests } from '../src/manifests.js';

describe('parseManifests', () => {
  it('reads a stream of documents with their start lines and lazy value positions', () => {
    const text =
      '# rendered by helm\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  when: 2024-01-01\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n';
    const { manifests, findings } = parseManifests(text, 'out/a.yaml');
    expect(findings).toEqual([]);
    expect(manifests.map((m) => m.source.line)).toEqual([3, 11]);
    // Kubernetes reads YAML dates as strings, not timestamps.
    expect(manifests[0]?.object.data).toEqual({ when: '2024-01-01' });
    expect(manifests[0]?.locate(['metadata', 'name'])).toEqual({ file: 'out/a.yaml', line: 6, column: 9 });
    expect(manifests[1]?.locate(['metadata', 'name'])).toEqual({ file: 'out/a.yaml', line: 14, column: 9 });
  });

  it('reports a duplicate key with its line and keeps the other documents', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  name: c\n';
    const { manifests, findings } = parseManifests(text, 'out/b.yaml');
    expect(findings).toMatchObject([{ rule: 'schema/duplicate-key', file: 'out/b.yaml', line: 10 }]);
    expect(manifests.map((m) => (m.object.metadata as { name: string }).name)).toEqual(['a']);
  });

  it('reports broken YAML as schema/yaml-syntax', () => {
    const { findings } = parseManifests('apiVersion: v1\nkind: [ConfigMap\n', 'out/c.yaml');
    expect(findings[0]?.rule).toBe('schema/yaml-syntax');
  });
});
