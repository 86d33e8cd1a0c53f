import { parseArgs } from 'node:util';

/**
 * The options every setup script takes (`--force`, `--help`). Returns the parsed options, or the
 * exit code the script should end with (0 after --help, 2 for a usage mistake, with USAGE printed).
 * @param {string} name  the script's name for messages
 * @param {string} usage
 * @returns {{ force?: boolean } | number}
 */
export function parseSetupArgs(name, usage) {
  let options;
  try {
    ({ values: options } = parseArgs({
      options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${name}: ${/** @type {Error} */ (error).message}\n${usage}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return options;
}
