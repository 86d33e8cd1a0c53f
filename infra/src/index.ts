// The public surface of @airspark/infra, for the rest of the toolchain. It deliberately imports
// nothing from cdktf or the AWS provider, so that readers of the hand-off (the renderer, `pnpm
// validate`) stay fast; the stacks themselves are reached through `pnpm infra:synth`.
export { ALLOWLIST_FILE, type Allowlist, parseAllowlist, readAllowlist } from './checks/allowlist.js';
export { checkStacks, type SecurityRule, securityRules } from './checks/run-checks.js';
export type { SynthesizedStack, TerraformJson } from './checks/synthesized-stack.js';
export { type InfraOutputs, infraOutputsSchema } from './handoff/infra-outputs-schema.js';
export {
  INFRA_OUTPUTS_FILE,
  type InfraOutputsResult,
  infraOutputsFile,
  parseInfraOutputs,
  readInfraOutputs,
} from './handoff/read-infra-outputs.js';
export { STACK_OUTPUTS, stackName } from './handoff/stack-outputs.js';
