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
export { formatText, type TextOptions } from './text-reporter.js';
