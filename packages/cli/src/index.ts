export { type CliContext, processContext, wantsColor } from './cli-context.js';
export { main } from './main.js';
