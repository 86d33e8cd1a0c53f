export { type CliContext, invocationDirectory, processContext, wantsColor } from './cli-context.js';
