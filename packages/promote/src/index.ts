export { GitError } from './git.js';
export { chainHead, checkPromotionInvariants, ruleSummaries, rules } from './invariants.js';
export { type OrderContext, type Standing, standingOf } from './pin-order.js';
export {
  environmentPins,
  type PinOrder,
  type PromotablePin,
  pinValue,
  promotablePins,
  valueAt,
} from './promotable-pins.js';
export {
  type HydratedFile,
  type Hydrator,
  type PromoteOptions,
  PromotionCommitFailed,
  PromotionRefused,
  type PromotionResult,
  promote,
} from './promote.js';
export {
  adjacencyProblem,
  applyPinChanges,
  chainOf,
  MissingPinError,
  type PinChange,
  planPromotion,
} from './promotion-plan.js';
export {
  appendReleases,
  emptyReleaseLog,
  loadReleaseLog,
  parseReleaseLog,
  RELEASE_LOG_FILE,
  type Release,
  type ReleaseLog,
  recordedIndex,
} from './release-log.js';
export { validatePromotion } from './validate-promotion.js';
