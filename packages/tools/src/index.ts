export { cacheDir } from './cache-dir.js';
export { ensureTools, TOOLS_LAYER, type Tools, ToolsError } from './ensure-tools.js';
export { type RunOptions, type RunResult, run } from './run.js';
