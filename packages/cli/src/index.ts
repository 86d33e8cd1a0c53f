export { type CliContext, processContext, wantsColor } from '@airspark/cli-kit';
export { main } from './main.js';
