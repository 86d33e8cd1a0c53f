export { affectedEnvironments, type EnvironmentInputs, environmentsNamedIn } from './affected.js';
export { COMMENT_MARKER, DEFAULT_LIMIT, formatMarkdown, type MarkdownOptions } from './format-markdown.js';
export { countObjects, formatText } from './format-text.js';
export {
  changedFilesSince,
  partlyStagedFiles,
  resolveCommit,
  type Snapshot,
  snapshotAt,
  stagedFiles,
} from './git-ref.js';
export {
  describeIdentity,
  diffFields,
  diffRenders,
  type FieldChange,
  formatPath,
  identityOf,
  type ObjectDiff,
  type ObjectIdentity,
  objectKey,
  REDACTED,
  type RenderedObject,
  redactSecret,
} from './object-diff.js';
export {
  allComponentInputs,
  type DiffOptions,
  type DiffReport,
  type EnvironmentDiff,
  type EnvironmentRenderer,
  type InputsOf,
  type PinDiff,
  runDiff,
} from './run-diff.js';
