import { describe, expect, it } from 'vitest';
import {
  fastSplit,
  locateIn,
  type SplitResult,
  splitManifests,
  splitToolOutput,
} from '../src/render/manifests.js';

/** What a reader gives, without the lazily built syntax trees. */
const plain = (r: SplitResult) => ({
  errors: r.errors,
  objects: r.objects.map(({ tree: _tree, ...o }) => o),
});

const helmLike = `---
# Source: chart/templates/a.yaml
# second comment line
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  labels: {app: "x", "quoted": 'single'}
data:
  script: |
    #!/bin/sh
    echo "--- not a marker"
  folded: >-
    one
    two
---
# Source: chart/templates/list.yaml
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Secret, metadata: {name: s1}}
  - apiVersion: v1
    kind: Secret
    metadata: {name: s2}
---
--- {apiVersion: v1, kind: Namespace, metadata: {name: inline}}
---
# Source: chart/templates/empty.yaml
`;

// Plain scalars where YAML 1.1 (as the `yaml` library reads it for kubectl) and js-yaml's own schemas disagree.
const scalars = `apiVersion: v1
kind: ConfigMap
metadata: {name: scalars}
data:
  underscored: 1_000
  binary: 0b101
  octal: 0o17
  octal11: 017
  hex: 0x1F
  signedHex: -0x1F
  exp: 1e3
  signedDot: +.5e3
  dot: .5
  trailingDot: 3.
  negZero: -0
  inf: .inf
  negInf: -.Inf
  nan: .NaN
  yes11: yes
  on11: on
  bools: [true, True, TRUE, false, False, FALSE, tRUE]
  nulls: [~, null, Null, NULL, nULL, ]
  date: 2026-12-03
  big: 123456789012345678901234567890
  sexagesimal: 1:20
  offKey: {on: on as a key, n: n as a key}
  mode: 0755
  quoted: ["0755", 'yes', "1_000"]
  lonelyDot: .
`;

describe('splitToolOutput (helm and kustomize output, ADR 0047)', () => {
  it('reads helm-like output fast, exactly as splitManifests does: values, lines, comments, lists, positions', () => {
    const fast = fastSplit(helmLike);
    expect(fast).toBeDefined();
    const slow = splitManifests(helmLike);
    expect(plain(fast as SplitResult)).toEqual(plain(slow));
    expect(slow.objects.map((o) => [o.line, o.comment, o.listItem])).toEqual([
      [4, ' Source: chart/templates/a.yaml\n second comment line', undefined],
      [18, ' Source: chart/templates/list.yaml', 0],
      [18, ' Source: chart/templates/list.yaml', 1],
      [26, '', undefined],
    ]);
    for (const [i, o] of slow.objects.entries()) {
      const other = (fast as SplitResult).objects[i];
      if (!other) throw new Error(`object ${i} missing from the fast reading`);
      for (const path of [['metadata', 'name'], ['data', 'folded'], ['kind']])
        expect(locateIn(other, 'f.yaml', path)).toEqual(locateIn(o, 'f.yaml', path));
    }
    expect(locateIn((fast as SplitResult).objects[2] as never, 'f.yaml', ['metadata', 'name'])).toEqual({
      file: 'f.yaml',
      line: 24,
      column: 22,
    });
  });

  it('resolves plain scalars as the yaml library reads YAML 1.1 (yes, on, 0755, 1_000), not as js-yaml would', () => {
    const fast = fastSplit(scalars) as SplitResult;
    expect(fast).toBeDefined();
    expect(plain(fast)).toEqual(plain(splitManifests(scalars)));
    const data = fast.objects[0]?.object.data as Record<string, unknown>;
    expect(data.underscored).toBe(1000);
    expect(data.binary).toBe(5);
    expect(data.octal).toBe('0o17');
    expect(data.octal11).toBe(15);
    expect(data.signedHex).toBe(-31);
    expect(data.signedDot).toBe(500);
    expect(Object.is(data.negZero, -0)).toBe(true);
    expect(data.nan).toBeNaN();
    expect(data.yes11).toBe(true);
    expect(data.on11).toBe(true);
    expect(data.offKey).toEqual({ true: 'on as a key', false: 'n as a key' });
    expect(data.sexagesimal).toBe('1:20');
    expect(data.date).toBe('2026-12-03');
  });

  it.each([
    ['an alias of a mapping', 'a: &x {b: 1}\nc: *x\n'],
    ['a merge key', 'base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n'],
    ['an inline merge key', 'm:\n  <<: {x: 1}\n  y: 2\n'],
    ['a null key', 'm:\n  ~: 1\n'],
    ['an explicit key', '? a\n: 1\n'],
    ['a flow sequence as key', '[a, b]: 1\n'],
    ['a tag js-yaml does not know', 'a: !custom x\n'],
    ['a binary tag', 'a: !!binary aGk=\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a syntax error', 'a: [1, 2\nb: 3\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a comment on a marker line', '---\na: 1\n--- # c\nb: 2\n'],
    ['comments before a first document without a marker', '# c\na: 1\n'],
  ])('leaves %s to the yaml library, with the same result', (_what, text) => {
    expect(fastSplit(text)).toBeUndefined();
    expect(plain(splitToolOutput(text))).toEqual(plain(splitManifests(text)));
  });

  it('pairs documents, lines and document texts through end markers, comments and line ends as yaml does', () => {
    for (const text of [
      'a: 1\n...\n---\nb: 2\n',
      'a: 1\n...\nb: 2\n',
      'a: 1\n---\n...\n---\nb: 2\n',
      // each document's own text: trailing comments and blank lines, no final newline, CRLF
      '# lead\na: 1\n# tail\n\n---\n\n# Source: x\nb: 2\n  # indented tail\n---\nc: 3',
      '---\r\na: 1\r\n---\r\nb: [1, 2]\r\n',
      '--- {a: 1}\n--- # comment on the marker\nb: 2\n',
    ])
      expect(plain(splitToolOutput(text))).toEqual(plain(splitManifests(text)));
  });

  it('reports what is wrong with helm output through the yaml library: syntax errors with lines, non-mappings', () => {
    expect(splitToolOutput('a: 1\na: 2\n').errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Map keys must be unique'), line: 2 }),
    ]);
    const notMapping = splitToolOutput('---\n- a\n- b\n---\nkind: X\n');
    expect(notMapping.errors).toEqual([
      { message: 'a document is not a mapping (an object)', line: 2, column: 1 },
    ]);
    expect(notMapping.objects.map((o) => o.object)).toEqual([{ kind: 'X' }]);
  });
});
