// Preloaded by bench-synth.mjs (node --require): reports the process's own CPU time on exit, which
// a loaded shared machine distorts far less than wall time.
const { writeSync } = require('node:fs');

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  writeSync(2, `\ncpu-usage-ms ${Math.round((user + system) / 1000)}\n`);
});
