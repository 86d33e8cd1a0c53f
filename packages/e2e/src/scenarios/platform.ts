// The platform comes up through its own GitOps path, and Argo CD keeps it as git says:
// bootstrap → every Application Synced and Healthy → a pushed commit reaches the cluster
// (auto-sync) → a manual edit is reverted (self-heal) → an object removed from git is deleted (prune).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { allSyncedAndHealthy, applicationStatuses } from '../applications.js';
import type { E2eContext, Scenario } from '../scenario.js';
import { waitUntil } from '../wait.js';

const ARGOCD_NAMESPACE = 'argocd';
/** A Spark team the auto-sync scenario adds through git and the prune scenario removes again. */
const E2E_TEAM = { name: 'e2e', namespace: 'spark-team-e2e' };
/** The team of the local environment whose quota the self-heal scenario edits by hand. */
const EDITED_TEAM_NAMESPACE = 'spark-team-a';
const QUOTA_NAME = 'spark-team';

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

/** Edits the clone's environment.yaml (comments kept), then hydrates as a user would. */
async function editEnvironment(ctx: E2eContext, edit: (teams: Array<Record<string, unknown>>) => void) {
  const file = path.join(ctx.repo.clone, 'clusters', ctx.environment, 'environment.yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  const teams = (doc.getIn(['spark', 'teams']) as { toJSON(): Array<Record<string, unknown>> }).toJSON();
  edit(teams);
  doc.setIn(['spark', 'teams'], doc.createNode(teams));
  await writeFile(file, doc.toString());
  const hydrated = await ctx.airspark(
    ['render', '--env', ctx.environment, '--hydrate-only', '--root', ctx.repo.clone],
    ctx.root,
  );
  if (hydrated.code !== 0) throw new Error(`pnpm render --hydrate-only failed:\n${hydrated.output}`);
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
    namespaces: [E2E_TEAM.namespace],
    async run(ctx) {
      await editEnvironment(ctx, (teams) => {
        teams.push({ ...E2E_TEAM });
      });
      const revision = await ctx.repo.commitAndPush(`e2e: add Spark team ${E2E_TEAM.name}`);
      const pushed = Date.now();
      await waitUntil(
        async () => {
          const r = await ctx.kubectl.probe(['get', 'resourcequota', QUOTA_NAME, '-n', E2E_TEAM.namespace]);
          return r.code === 0 ? undefined : `no ResourceQuota ${QUOTA_NAME} in ${E2E_TEAM.namespace} yet`;
        },
        { what: 'the pushed team', timeoutMs: ctx.timeoutMs(300), log: ctx.log },
      );
      const secondsToCluster = Math.round((Date.now() - pushed) / 1000);
      await waitForApplications(ctx, revision, 'Applications at the pushed commit', 300);
      return { revision, created: `Namespace ${E2E_TEAM.namespace} with its quota`, secondsToCluster };
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
    needs: ['auto-sync'],
    namespaces: [E2E_TEAM.namespace],
    async run(ctx) {
      await editEnvironment(ctx, (teams) => {
        const at = teams.findIndex((t) => t.name === E2E_TEAM.name);
        if (at >= 0) teams.splice(at, 1);
      });
      const revision = await ctx.repo.commitAndPush(`e2e: remove Spark team ${E2E_TEAM.name}`);
      const pushed = Date.now();
      await waitUntil(
        async () => {
          const r = await ctx.kubectl.probe(['get', 'namespace', E2E_TEAM.namespace, '-o', 'name']);
          return r.code !== 0 && /NotFound/.test(r.stderr)
            ? undefined
            : `Namespace ${E2E_TEAM.namespace} still there`;
        },
        { what: 'the removed team pruned', timeoutMs: ctx.timeoutMs(300), log: ctx.log },
      );
      return {
        revision,
        deleted: `Namespace ${E2E_TEAM.namespace}`,
        secondsToPrune: Math.round((Date.now() - pushed) / 1000),
      };
    },
  },
];
