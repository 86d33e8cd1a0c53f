export { cacheDir } from './tools/cache-dir.js';
export { ensureTools, TOOLS_LAYER, type Tools, ToolsError } from './tools/ensure-tools.js';
export { type RunOptions, type RunResult, run } from './tools/run.js';
