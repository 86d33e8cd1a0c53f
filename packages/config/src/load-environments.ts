import path from 'node:path';
import type { Finding } from '@airspark/findings';
import type { LoadOptions } from './component-loader.js';
import { type Environment, environmentValidator } from './environment.js';
import { environmentFile, listEnvironmentNames, UsageError } from './repository.js';
import { checkAgainstSchema } from './schema-check.js';
import { readSourceText } from './source-file.js';
import { parseYaml, positionOf, type YamlSource } from './yaml-document.js';

export interface LoadedEnvironment {
  name: string;
  /** Repository-relative path of environment.yaml. */
  file: string;
  environment: Environment;
  source: YamlSource;
}

export interface LoadResult {
  /** The environments that loaded and passed their schema. */
  environments: LoadedEnvironment[];
  /** Every environment that was asked for, loaded or not. */
  requested: string[];
  findings: Finding[];
}

/** Loads and schema-checks one environment; never throws for problems in the file itself. */
export async function loadEnvironment(
  root: string,
  name: string,
  options: LoadOptions = {},
): Promise<{ environment?: LoadedEnvironment; findings: Finding[] }> {
  const file = environmentFile(name);
  const text = await readSourceText(path.join(root, file), file, { root });
  if (!text.ok) {
    const finding =
      text.finding.rule === 'config/file-missing'
        ? {
            ...text.finding,
            message: `environment "${name}" has a folder but no ${file}; create it or remove the folder.`,
          }
        : text.finding;
    return { findings: [{ ...finding, env: name }] };
  }
  const parsed = parseYaml(file, text.text, options.parsedYamlMemo);
  if (!parsed.ok) return { findings: parsed.findings.map((f) => ({ ...f, env: name })) };
  const findings = checkAgainstSchema(parsed.source, environmentValidator(), 'config/schema');
  if (findings.length > 0) return { findings: findings.map((f) => ({ ...f, env: name })) };
  const environment = parsed.source.value as Environment;
  if (environment.name !== name) {
    const at = positionOf(parsed.source, ['name']);
    findings.push({
      severity: 'error',
      rule: 'config/name-mismatch',
      message: `name is "${environment.name}" but the folder is clusters/${name}; they must be equal.`,
      file,
      ...at,
      env: name,
    });
  }
  return { environment: { name, file, environment, source: parsed.source }, findings };
}

/** Checks that relate environments to each other: the promotion chain. */
export function checkPromotionChain(
  loaded: readonly LoadedEnvironment[],
  allNames: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  const byName = new Map(loaded.map((l) => [l.name, l]));
  for (const env of loaded) {
    const from = env.environment.promotedFrom;
    if (from === undefined) continue;
    // The position is looked up only for a finding: positions need the file's syntax tree, which a
    // clean run with the parsed-YAML memo never builds (ADR 0064).
    const base = () => ({
      severity: 'error' as const,
      rule: 'config/promotion-chain',
      file: env.file,
      ...positionOf(env.source, ['promotedFrom']),
      env: env.name,
    });
    if (from === env.name) {
      findings.push({
        ...base(),
        message: `promotedFrom names the environment itself; name the environment it is promoted from.`,
      });
    } else if (!allNames.includes(from)) {
      findings.push({
        ...base(),
        message: `promotedFrom names "${from}", which has no folder under clusters/ (known: ${allNames.join(', ')}).`,
      });
    } else {
      // Follow the chain; coming back to this environment means a cycle.
      const seen = new Set([env.name]);
      let next: string | undefined = from;
      while (next !== undefined && !seen.has(next)) {
        seen.add(next);
        next = byName.get(next)?.environment.promotedFrom;
      }
      if (next === env.name) {
        findings.push({
          ...base(),
          message: `promotion chain loops back to "${env.name}" (${[...seen].join(' → ')} → ${env.name}); one environment must be first.`,
        });
      }
    }
  }
  return findings;
}

/**
 * Orders environments along the promotion chain (dev before staging before prod), so that output
 * reads in the order changes travel; environments outside any chain keep alphabetical order.
 */
export function orderByPromotion(loaded: readonly LoadedEnvironment[], names: readonly string[]): string[] {
  const from = new Map(loaded.map((l) => [l.name, l.environment.promotedFrom]));
  const depth = (name: string): number => {
    let d = 0;
    const seen = new Set<string>();
    for (let n = from.get(name); n !== undefined && !seen.has(n); n = from.get(n)) {
      seen.add(n);
      d++;
    }
    return d;
  };
  return [...names].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}

/**
 * Loads the named environments (all under clusters/ when none are named). Naming an environment
 * that has no folder is a usage error; every problem inside the files is a finding.
 */
export async function loadEnvironments(
  root: string,
  names: readonly string[] = [],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const allNames = await listEnvironmentNames(root);
  const unknown = names.filter((n) => !allNames.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `no environment ${unknown.map((n) => `"${n}"`).join(', ')}: clusters/${unknown[0]} does not exist. Known environments: ${allNames.join(', ') || 'none'}.`,
    );
  }
  const requested = names.length > 0 ? [...new Set(names)] : allNames;
  if (requested.length === 0)
    throw new UsageError(`clusters/ holds no environment folders; add clusters/<env>/environment.yaml.`);
  // Promotion checks need every environment of the chain, so load all and report on the requested.
  const results = await Promise.all(allNames.map((n) => loadEnvironment(root, n, options)));
  const loadedAll = results.flatMap((r) => (r.environment ? [r.environment] : []));
  const findings = results
    .flatMap((r) => r.findings)
    .concat(checkPromotionChain(loadedAll, allNames))
    .filter((f) => f.env === undefined || requested.includes(f.env));
  const ordered = orderByPromotion(loadedAll, requested);
  return {
    environments: ordered.flatMap((n) => loadedAll.filter((l) => l.name === n)),
    requested: ordered,
    findings,
  };
}
