// Build step: generates the standalone validator of the release log's schema into dist/precompiled,
// so that no run compiles it (ADR 0044).
import { configSchema, schemaRequest, writePrecompiledDir } from '@airspark/config';
import { PROMOTE_PRECOMPILED_DIR, releaseLogSchema } from '../dist/release-log.js';

writePrecompiledDir(PROMOTE_PRECOMPILED_DIR, [schemaRequest(configSchema(releaseLogSchema))]);
process.stderr.write('@airspark/promote: 1 precompiled validator in dist/precompiled\n');
