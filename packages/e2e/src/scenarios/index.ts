import type { Scenario } from '../scenario.js';
import { citibikeScenarios } from './citibike.js';
import { livyScenarios } from './livy.js';
import { platformScenarios } from './platform.js';
import { sparkScenarios } from './spark.js';

/** Every scenario, in the order they run. */
export const allScenarios: readonly Scenario[] = [
  ...platformScenarios,
  ...sparkScenarios,
  ...citibikeScenarios,
  ...livyScenarios,
];

/** The named scenarios and, transitively, those they need (in run order); all when none are named. */
export function selectScenarios(
  names: readonly string[],
  from: readonly Scenario[] = allScenarios,
): Scenario[] {
  if (names.length === 0) return [...from];
  const byName = new Map(from.map((s) => [s.name, s]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0)
    throw new Error(`no scenario ${unknown.join(', ')}; scenarios: ${from.map((s) => s.name).join(', ')}`);
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name) || !byName.has(name)) return;
    wanted.add(name);
    for (const need of byName.get(name)?.needs ?? []) add(need);
  };
  names.forEach(add);
  return from.filter((s) => wanted.has(s.name));
}
