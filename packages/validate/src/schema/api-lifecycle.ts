/**
 * Kubernetes declares when each pre-release API was introduced, is deprecated and is removed in
 * generated Go (`zz_generated.prerelease-lifecycle.go` in the k8s.io/api module), and names its
 * replacement. The schema generator reads those files into this form; the deprecation check reads
 * the result.
 */

export interface ApiLifecycle {
  group: string;
  version: string;
  kind: string;
  /** `1.19`-style minor versions. */
  introduced?: string;
  deprecated?: string;
  removed?: string;
  replacement?: { group: string; version: string; kind: string };
}

const functionPattern =
  /func \(in \*(\w+)\) APILifecycle(Introduced|Deprecated|Removed|Replacement)\(\)[^{]*\{\s*return ([^\n]+)/g;

/** `const GroupName = "networking.k8s.io"` in the package's register.go. */
export function groupNameOf(registerGo: string): string | undefined {
  const match = /const GroupName = "([^"]*)"/.exec(registerGo);
  return match?.[1];
}

/** Parses one package's prerelease-lifecycle file; list kinds (`FooList`) are left out. */
export function parseLifecycleFile(source: string, group: string, version: string): ApiLifecycle[] {
  const byKind = new Map<string, ApiLifecycle>();
  for (const match of source.matchAll(functionPattern)) {
    const [, kind, what, value] = match as unknown as [string, string, string, string];
    if (kind.endsWith('List')) continue;
    const entry = byKind.get(kind) ?? { group, version, kind };
    byKind.set(kind, entry);
    if (what === 'Replacement') {
      const r = /Group: "([^"]*)", Version: "([^"]*)", Kind: "([^"]*)"/.exec(value);
      if (r) entry.replacement = { group: r[1] as string, version: r[2] as string, kind: r[3] as string };
    } else {
      const v = /^(\d+), (\d+)/.exec(value.trim());
      if (v) entry[what.toLowerCase() as 'introduced' | 'deprecated' | 'removed'] = `${v[1]}.${v[2]}`;
    }
  }
  return [...byKind.values()];
}

/** Compares `1.35`-style versions numerically. */
export function compareMinor(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** The minor version after `1.35` is `1.36`. */
export function nextMinor(version: string): string {
  const [major = 1, minor = 0] = version.split('.').map(Number);
  return `${major}.${minor + 1}`;
}
