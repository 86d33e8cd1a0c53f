// The platform comes up through its own GitOps path, and Argo CD keeps it as git says:
// bootstrap → every Application Synced and Healthy → a pushed commit reaches the cluster
// (auto-sync) → a manual edit is reverted (self-heal) → an object removed from git is deleted (prune).
// Every scenario leaves the platform as the served commit had it.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { allSyncedAndHealthy, applicationStatuses } from '../applications.js';
import type { E2eContext, Scenario } from '../scenario.js';
import { waitUntil } from '../wait.js';

const ARGOCD_NAMESPACE = 'argocd';
/** The team of the local environment whose quota the auto-sync and self-heal scenarios change. */
const EDITED_TEAM_NAMESPACE = 'spark-team-a';
const QUOTA_NAME = 'spark-team';
/** A submitter the prune scenario adds and removes again (its Role and RoleBinding in each team). */
const E2E_SUBMITTER = { name: 'e2e-prune', namespace: 'airspark-mirrors', serviceAccount: 'e2e' };

/** The Applications the environment's hydrated files declare, plus the root app-of-apps. */
export async function expectedApplications(clone: string, environment: string): Promise<string[]> {
  const folder = path.join(clone, 'clusters', environment);
  const files = [
    path.join(folder, 'root.yaml'),
    ...(await readdir(path.join(folder, 'apps')))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(folder, 'apps', f)),
  ];
  const names: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const o = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      if (o?.kind === 'Application' && o.metadata?.name) names.push(o.metadata.name);
    }
  }
  return names.sort();
}

async function waitForApplications(ctx: E2eContext, revision: string, what: string, seconds: number) {
  const expected = await expectedApplications(ctx.repo.clone, ctx.environment);
  await waitUntil(
    async () => {
      const list = await ctx.kubectl.json<Parameters<typeof applicationStatuses>[0]>([
        'get',
        'applications.argoproj.io',
        '-n',
        ARGOCD_NAMESPACE,
      ]);
      const { done, waitingFor } = allSyncedAndHealthy(applicationStatuses(list), expected, revision);
      return done ? undefined : waitingFor.join(', ');
    },
    { what, timeoutMs: ctx.timeoutMs(seconds), intervalMs: 5000, log: ctx.log },
  );
  return expected;
}

/** Re-hydrates the clone's Applications, as a user does before committing. */
async function hydrate(ctx: E2eContext) {
  const hydrated = await ctx.airspark(
    ['render', '--env', ctx.environment, '--hydrate-only', '--root', ctx.repo.clone],
    ctx.root,
  );
  if (hydrated.code !== 0) throw new Error(`pnpm render --hydrate-only failed:\n${hydrated.output}`);
}

/** Edits the clone's values file of a component for the environment (comments kept). */
async function editValues(
  ctx: E2eContext,
  component: string,
  edit: (values: ReturnType<typeof parseDocument>) => void,
) {
  const file = path.join(ctx.repo.clone, 'clusters', ctx.environment, 'values', `${component}.yaml`);
  const doc = parseDocument(await readFile(file, 'utf8'));
  edit(doc);
  await writeFile(file, doc.toString());
}

async function roleExists(ctx: E2eContext, name: string): Promise<boolean> {
  const r = await ctx.kubectl.probe(['get', 'role', name, '-n', EDITED_TEAM_NAMESPACE]);
  if (r.code === 0) return true;
  if (/NotFound/.test(r.stderr)) return false;
  throw new Error(r.stderr.trim());
}

async function quotaPods(ctx: E2eContext): Promise<string | undefined> {
  const quota = await ctx.kubectl.json<{ spec?: { hard?: Record<string, string> } }>([
    'get',
    'resourcequota',
    QUOTA_NAME,
    '-n',
    EDITED_TEAM_NAMESPACE,
  ]);
  return quota.spec?.hard?.pods;
}

export const platformScenarios: readonly Scenario[] = [
  {
    name: 'bootstrap',
    needs: ['cluster-and-mirrors'],
    namespaces: [ARGOCD_NAMESPACE],
    async run(ctx) {
      const r = await ctx.airspark([
        'bootstrap',
        '--env',
        ctx.environment,
        '--kubeconfig',
        ctx.kubeconfig,
        '--timeout',
        String(Math.round(ctx.timeoutMs(600) / 1000)),
      ]);
      if (r.code !== 0) throw new Error(`pnpm bootstrap --env ${ctx.environment} failed:\n${r.output}`);
      return { revision: await ctx.repo.head() };
    },
  },
  {
    name: 'synced-healthy',
    needs: ['bootstrap'],
    namespaces: [ARGOCD_NAMESPACE, 'spark-operator', 'livy', EDITED_TEAM_NAMESPACE],
    async run(ctx) {
      const revision = await ctx.repo.head();
      const applications = await waitForApplications(
        ctx,
        revision,
        'every Application Synced and Healthy',
        1200,
      );
      return { revision, applications };
    },
  },
  {
    name: 'auto-sync',
    needs: ['synced-healthy'],
    namespaces: [EDITED_TEAM_NAMESPACE],
    async run(ctx) {
      // What a platform engineer does: edit the environment's values, render, commit, push. Here
      // team-a's pod quota; then the edit is undone the same way, leaving the platform as git had it.
      const file = path.join(ctx.repo.clone, 'clusters', ctx.environment, 'values', 'spark-teams.yaml');
      const original = await readFile(file, 'utf8');
      const before = await quotaPods(ctx);
      const wanted = before === '90' ? '80' : '90';
      await editValues(ctx, 'spark-teams', (doc) => doc.setIn(['quota', 'pods'], wanted));
      await hydrate(ctx);
      const revision = await ctx.repo.commitAndPush(`e2e: team quotas allow ${wanted} pods`);
      const pushed = Date.now();
      await waitUntil(
        async () => {
          const now = await quotaPods(ctx);
          return now === wanted ? undefined : `pods limit is ${now}, the pushed commit says ${wanted}`;
        },
        { what: 'the pushed change live', timeoutMs: ctx.timeoutMs(300), log: ctx.log },
      );
      const secondsToCluster = Math.round((Date.now() - pushed) / 1000);
      await writeFile(file, original);
      const reverted = await ctx.repo.commitAndPush('e2e: team quotas as they were');
      await waitUntil(
        async () => {
          const now = await quotaPods(ctx);
          return now === before ? undefined : `pods limit is ${now}, the reverting commit says ${before}`;
        },
        { what: 'the reverting commit live', timeoutMs: ctx.timeoutMs(300), log: ctx.log },
      );
      await waitForApplications(ctx, reverted, 'Applications at the reverting commit', 300);
      return {
        revision,
        object: `ResourceQuota ${EDITED_TEAM_NAMESPACE}/${QUOTA_NAME}`,
        changed: `pods ${before} -> ${wanted}`,
        secondsToCluster,
        reverted,
      };
    },
  },
  {
    name: 'self-heal',
    needs: ['synced-healthy'],
    namespaces: [EDITED_TEAM_NAMESPACE],
    async run(ctx) {
      const desired = await quotaPods(ctx);
      if (desired === undefined) throw new Error(`ResourceQuota ${QUOTA_NAME} has no pods limit to edit`);
      const edited = desired === '1' ? '2' : '1';
      await ctx.kubectl([
        'patch',
        'resourcequota',
        QUOTA_NAME,
        '-n',
        EDITED_TEAM_NAMESPACE,
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { hard: { pods: edited } } }),
      ]);
      const edit = Date.now();
      await waitUntil(
        async () => {
          const now = await quotaPods(ctx);
          return now === desired ? undefined : `pods limit is ${now}, git says ${desired}`;
        },
        { what: 'the manual edit reverted', timeoutMs: ctx.timeoutMs(300), intervalMs: 2000, log: ctx.log },
      );
      return {
        object: `ResourceQuota ${EDITED_TEAM_NAMESPACE}/${QUOTA_NAME}`,
        editedTo: edited,
        restoredTo: desired,
        secondsToRevert: Math.round((Date.now() - edit) / 1000),
      };
    },
  },
  {
    name: 'prune',
    needs: ['synced-healthy'],
    namespaces: [EDITED_TEAM_NAMESPACE],
    async run(ctx) {
      // An object inside a namespace the project keeps: a submitter's Role in team-a. (Removing a whole
      // team also drops its namespace from the project's destinations, and Argo CD leaves objects in
      // namespaces it may no longer manage: the team runbook deletes the namespace.)
      const role = `spark-submitter-${E2E_SUBMITTER.name}`;
      const original = await readFile(
        path.join(ctx.repo.clone, 'clusters', ctx.environment, 'values', 'spark-teams.yaml'),
        'utf8',
      );
      await editValues(ctx, 'spark-teams', (doc) => {
        const submitters = (doc.get('submitters') as { toJSON(): unknown[] } | undefined)?.toJSON() ?? [];
        doc.set('submitters', doc.createNode([...submitters, E2E_SUBMITTER]));
      });
      const added = await ctx.repo.commitAndPush(`e2e: a submitter ${E2E_SUBMITTER.name} for every team`);
      await waitUntil(async () => ((await roleExists(ctx, role)) ? undefined : `no Role ${role} yet`), {
        what: 'the added submitter',
        timeoutMs: ctx.timeoutMs(300),
        log: ctx.log,
      });
      await writeFile(
        path.join(ctx.repo.clone, 'clusters', ctx.environment, 'values', 'spark-teams.yaml'),
        original,
      );
      const revision = await ctx.repo.commitAndPush(`e2e: remove the submitter ${E2E_SUBMITTER.name}`);
      const pushed = Date.now();
      await waitUntil(async () => ((await roleExists(ctx, role)) ? `Role ${role} still there` : undefined), {
        what: 'the removed submitter pruned',
        timeoutMs: ctx.timeoutMs(300),
        log: ctx.log,
      });
      return {
        added,
        revision,
        deleted: `Role and RoleBinding ${EDITED_TEAM_NAMESPACE}/${role}`,
        secondsToPrune: Math.round((Date.now() - pushed) / 1000),
      };
    },
  },
];
