export {
  credentialFormatIn,
  credentialReason,
  isCredentialKey,
  propertyLines,
  REDACTED,
  redactCredentials,
  redactText,
} from './credentials.js';
export {
  exitCodeFor,
  type Finding,
  type Report,
  type Severity,
  type Summary,
  sortFindings,
  summarize,
} from './finding.js';
export { formatJson } from './json-reporter.js';
export { formatJunit } from './junit-reporter.js';
export { formatSarif, type SarifOptions, type SarifRuleInfo } from './sarif-reporter.js';
export { formatText, type TextOptions } from './text-reporter.js';
