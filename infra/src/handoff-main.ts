import { processContext } from '@airspark/cli-kit';
import { handoffCommand } from './cli/handoff-command.js';
import { exitQuietlyOnClosedPipe } from './cli/quiet-epipe.js';
import { runCommand } from './cli/run-command.js';

exitQuietlyOnClosedPipe();
process.exitCode = await runCommand(
  'infra:handoff',
  (args, ctx) => handoffCommand(args, ctx),
  process.argv.slice(2),
  processContext(),
);
