// Build step: generates the standalone validators of this package's pinned schemas (environment,
// component) into dist/precompiled, so that no run ever compiles them (ADR 0044).
import {
  CONFIG_PRECOMPILED_DIR,
  configPinnedSchemas,
  configSchema,
  schemaRequest,
  writePrecompiledDir,
} from '../dist/index.js';

const files = writePrecompiledDir(
  CONFIG_PRECOMPILED_DIR,
  configPinnedSchemas.map((schema) => schemaRequest(configSchema(schema))),
);
process.stderr.write(`@airspark/config: ${files.length} precompiled validators in dist/precompiled\n`);
