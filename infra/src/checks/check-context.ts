import type { Allowlist, ManagedPolicyEntry, WildcardResourceEntry } from './allowlist.js';

/** What every rule gets: the allow-list, and a record of which entries it used (to report stale ones). */
export interface CheckContext {
  allowlist: Allowlist;
  used: Set<WildcardResourceEntry | ManagedPolicyEntry>;
}
