import { processContext } from '@airspark/cli-kit';
import { exitQuietlyOnClosedPipe } from './cli/quiet-epipe.js';
import { runCommand } from './cli/run-command.js';
import { synthCommand } from './cli/synth-command.js';

// Synthesizing builds thousands of objects but needs no Terraform Cloud or telemetry.
process.env.CHECKPOINT_DISABLE ??= '1';
exitQuietlyOnClosedPipe();
process.exitCode = await runCommand('infra:synth', synthCommand, process.argv.slice(2), processContext());
