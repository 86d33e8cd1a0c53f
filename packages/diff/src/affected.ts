/**
 * Which environments a set of changed files affects. An environment's inputs are path prefixes
 * (a folder ends with `/`): its own clusters/<env>/ folder and the folders and files of every
 * component it uses. The same mapping serves `pnpm diff` (what to render) and the pre-commit hook
 * (what to validate).
 */
export interface EnvironmentInputs {
  env: string;
  /** Repository-relative files, or folders ending in `/`. */
  inputs: readonly string[];
}

function touches(file: string, input: string): boolean {
  return input.endsWith('/') ? file.startsWith(input) : file === input;
}

/** Pure: the environments (in the order given) any of whose inputs a changed file touches. */
export function affectedEnvironments(
  changedFiles: readonly string[],
  environments: readonly EnvironmentInputs[],
): string[] {
  return environments
    .filter(({ inputs }) => changedFiles.some((file) => inputs.some((input) => touches(file, input))))
    .map(({ env }) => env);
}

/** Every environment folder named by a changed path, existing or not (added or deleted ones too). */
export function environmentsNamedIn(changedFiles: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of changedFiles) {
    const match = /^clusters\/([^/]+)\//.exec(file);
    if (match?.[1] && !match[1].startsWith('.')) names.add(match[1]);
  }
  return [...names].sort();
}
