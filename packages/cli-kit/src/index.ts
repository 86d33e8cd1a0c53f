export { type CliContext, processContext, wantsColor } from './cli-context.js';
