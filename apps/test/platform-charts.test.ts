import { PLATFORM_NODE_SELECTOR, platformNames } from '@airspark/config';
import { describe, expect, it } from 'vitest';
import { helm } from './support/helm.js';
import {
  ENVIRONMENTS,
  environment,
  find,
  INFRA_STAND_IN,
  type K8sObject,
  one,
  ROOT,
  renderChart,
  renderComponent,
} from './support/repo.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

describe.each([
  'apps/spark-teams/chart',
  'apps/storage/chart',
  'apps/karpenter-nodepools/chart',
  'apps/airflow-secrets/chart',
  'apps/airflow-metadata-db/chart',
  'apps/airflow-ingress/chart',
  'apps/spark-history-server/chart',
])('%s', (chart) => {
  it('passes helm lint with its ci values', async () => {
    const lint = await helm(
      ['lint', chart, '--values', `${chart}/ci/test-values.yaml`, '--kube-version', '1.35.0'],
      ROOT,
    );
    expect(lint.stderr).not.toMatch(/\[ERROR\]/);
    expect(lint.ok).toBe(true);
  });
});

describe('spark-teams: one namespace per team of the environment', () => {
  it.each(ENVIRONMENTS)(
    '%s: namespace, driver ServiceAccount and RBAC, quota, policies per team',
    async (env) => {
      const { spark } = await environment(env);
      const rendered = await renderComponent('spark-teams', env);
      expect(rendered.ok, rendered.stderr).toBe(true);
      expect(find(rendered.objects, 'Namespace').map((n) => n.metadata.name)).toEqual(
        spark.teams.map((t) => t.namespace),
      );
      for (const team of spark.teams) {
        const ns = one(rendered.objects, 'Namespace', team.namespace);
        expect(ns.metadata.labels).toMatchObject({
          'airspark.dev/spark-team': team.name,
          'pod-security.kubernetes.io/enforce': 'baseline',
        });
        expect(ns.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
        one(rendered.objects, 'ServiceAccount', 'spark', team.namespace);
        const driver = one(rendered.objects, 'Role', 'spark-driver', team.namespace) as unknown as {
          rules: Rule[];
        };
        expect(driver.rules[0]?.resources).toEqual([
          'pods',
          'services',
          'configmaps',
          'persistentvolumeclaims',
        ]);
        const submitter = one(
          rendered.objects,
          'Role',
          'spark-submitter-airflow',
          team.namespace,
        ) as unknown as {
          rules: Rule[];
        };
        const apps = submitter.rules.find((r) => r.resources.includes('sparkapplications'));
        expect(apps?.apiGroups).toEqual(['sparkoperator.k8s.io']);
        expect(apps?.verbs).toEqual(
          expect.arrayContaining(['create', 'get', 'list', 'watch', 'delete', 'patch']),
        );
        expect(submitter.rules.find((r) => r.resources.includes('pods/log'))?.verbs).toContain('get');
        const binding = one(
          rendered.objects,
          'RoleBinding',
          'spark-submitter-airflow',
          team.namespace,
        ) as unknown as {
          subjects: unknown[];
        };
        expect(binding.subjects).toEqual([
          { kind: 'ServiceAccount', name: 'airflow-worker', namespace: 'airflow' },
        ]);
        one(rendered.objects, 'ResourceQuota', 'spark-team', team.namespace);
        one(rendered.objects, 'LimitRange', 'spark-team', team.namespace);
        const deny = one(
          rendered.objects,
          'NetworkPolicy',
          'default-deny-ingress',
          team.namespace,
        ) as unknown as {
          spec: Record<string, unknown>;
        };
        expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
        const same = one(
          rendered.objects,
          'NetworkPolicy',
          'allow-same-namespace',
          team.namespace,
        ) as unknown as {
          spec: { ingress: unknown[] };
        };
        expect(same.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
      }
      // Nothing cluster-wide but the namespaces themselves.
      expect(rendered.objects.filter((o) => !o.metadata.namespace).map((o) => o.kind)).toEqual(
        spark.teams.map(() => 'Namespace'),
      );
    },
  );

  it('adds a team by one more entry, with per-team quota overrides', async () => {
    const rendered = await renderChart({
      chart: 'apps/spark-teams/chart',
      release: 'spark-teams',
      namespace: 'spark-operator',
      valueFiles: ['apps/spark-teams/chart/ci/test-values.yaml'],
    });
    expect(rendered.ok, rendered.stderr).toBe(true);
    expect(find(rendered.objects, 'Namespace').map((n) => n.metadata.name)).toEqual([
      'spark-team-a',
      'spark-team-b',
    ]);
    const quota = (ns: string) =>
      (
        one(rendered.objects, 'ResourceQuota', 'spark-team', ns) as unknown as {
          spec: { hard: Record<string, string> };
        }
      ).spec.hard;
    expect(quota('spark-team-a')['requests.cpu']).toBe('64');
    expect(quota('spark-team-b')['requests.cpu']).toBe('8');
    expect(quota('spark-team-b')['services.loadbalancers']).toBe('0');
  });

  it('refuses an empty team list and a namespace listed twice', async () => {
    const empty = await renderChart({
      chart: 'apps/spark-teams/chart',
      release: 's',
      namespace: 'spark-operator',
    });
    expect(empty.ok).toBe(false);
    expect(empty.stderr).toContain('teams is empty');
    const twice = await renderChart({
      chart: 'apps/spark-teams/chart',
      release: 's',
      namespace: 'spark-operator',
      values: {
        teams: [
          { name: 'a', namespace: 'spark-x' },
          { name: 'b', namespace: 'spark-x' },
        ],
      },
    });
    expect(twice.ok).toBe(false);
    expect(twice.stderr).toContain('team namespace "spark-x" is listed twice');
  });

  it('refuses privileged pod security for team namespaces', async () => {
    const result = await renderChart({
      chart: 'apps/spark-teams/chart',
      release: 's',
      namespace: 'spark-operator',
      valueFiles: ['apps/spark-teams/chart/ci/test-values.yaml'],
      values: { podSecurity: { enforce: 'privileged' } },
    });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/\/podSecurity\/enforce/);
  });
});

describe('storage: EFS StorageClass and a shared claim per team', () => {
  it.each(ENVIRONMENTS)('%s: efs-sc on the hand-off file system, RWX claim per team', async (env) => {
    const { spark } = await environment(env);
    const rendered = await renderComponent('storage', env);
    expect(rendered.ok, rendered.stderr).toBe(true);
    const sc = one(rendered.objects, 'StorageClass', 'efs-sc') as unknown as {
      provisioner: string;
      parameters: Record<string, string>;
      reclaimPolicy: string;
      mountOptions: string[];
    };
    expect(sc.provisioner).toBe('efs.csi.aws.com');
    expect(sc.parameters).toMatchObject({
      provisioningMode: 'efs-ap',
      fileSystemId: INFRA_STAND_IN.efsFileSystemId,
      uid: '185',
      gid: '185',
    });
    expect(sc.reclaimPolicy).toBe('Retain');
    expect(sc.mountOptions).toContain('tls');
    for (const team of spark.teams) {
      const claim = one(
        rendered.objects,
        'PersistentVolumeClaim',
        'spark-shared',
        team.namespace,
      ) as unknown as {
        spec: { accessModes: string[]; storageClassName: string };
      };
      expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs-sc' });
    }
  });

  it('refuses to render without the file system id of the infrastructure hand-off', async () => {
    const result = await renderChart({
      chart: 'apps/storage/chart',
      release: 'storage',
      namespace: 'kube-system',
      values: { teams: [{ name: 'a', namespace: 'spark-a' }] },
    });
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('fileSystemId is required (infra.efsFileSystemId');
  });
});

type NodePool = K8sObject & {
  spec: {
    weight: number;
    limits: { cpu: string; memory: string };
    disruption: { consolidationPolicy: string; budgets: { nodes: string; reasons?: string[] }[] };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        nodeClassRef: { name: string };
        requirements: { key: string; operator: string; values: string[] }[];
      };
    };
  };
};

function requirement(pool: NodePool, key: string): string[] | undefined {
  return pool.spec.template.spec.requirements.find((r) => r.key === key)?.values;
}

describe('karpenter-nodepools: EC2NodeClasses and the three NodePools', () => {
  it.each(ENVIRONMENTS)('%s: pools labelled NodeGroupType, limits from the environment', async (env) => {
    const environmentData = await environment(env);
    const names = platformNames(environmentData);
    const rendered = await renderComponent('karpenter-nodepools', env);
    expect(rendered.ok, rendered.stderr).toBe(true);
    const pools = find(rendered.objects, 'NodePool') as NodePool[];
    expect(pools.map((p) => p.metadata.name).sort()).toEqual(['general', 'spark-driver', 'spark-executor']);
    const limits = environmentData.karpenter.limits;
    const expected = {
      'spark-driver': limits.sparkDriver,
      'spark-executor': limits.sparkExecutor,
      general: limits.general,
    };
    for (const pool of pools) {
      const name = pool.metadata.name as keyof typeof expected;
      expect(pool.apiVersion).toBe('karpenter.sh/v1');
      expect(pool.spec.template.metadata.labels.NodeGroupType).toBe(name);
      expect(pool.spec.limits).toEqual({ cpu: String(expected[name].cpu), memory: expected[name].memory });
      expect(requirement(pool, 'karpenter.k8s.aws/instance-generation')).toEqual(['5']);
    }
    // Only the general pool may run the platform, beside the system node group (ADR 0031).
    const platform = pools.filter((p) =>
      Object.entries(PLATFORM_NODE_SELECTOR).every(([k, v]) => p.spec.template.metadata.labels[k] === v),
    );
    expect(platform.map((p) => p.metadata.name)).toEqual(['general']);
    const classes = find(rendered.objects, 'EC2NodeClass') as (K8sObject & {
      spec: Record<string, unknown>;
    })[];
    expect(classes.length).toBeGreaterThan(0);
    for (const nodeClass of classes) {
      expect(nodeClass.apiVersion).toBe('karpenter.k8s.aws/v1');
      expect(nodeClass.spec.role).toBe(names.karpenterNodeRole);
      expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: environmentData.karpenter.amiAlias }]);
      const discovery = [{ tags: { 'karpenter.sh/discovery': names.karpenterDiscoveryTag } }];
      expect(nodeClass.spec.subnetSelectorTerms).toEqual(discovery);
      expect(nodeClass.spec.securityGroupSelectorTerms).toEqual(discovery);
      expect(nodeClass.spec.metadataOptions).toEqual({
        httpEndpoint: 'enabled',
        httpProtocolIPv6: 'disabled',
        httpPutResponseHopLimit: 1,
        httpTokens: 'required',
      });
      const [root] = nodeClass.spec.blockDeviceMappings as { ebs: Record<string, unknown> }[];
      expect(root?.ebs).toMatchObject({ volumeType: 'gp3', encrypted: true });
    }
  });

  it('keeps drivers on on-demand nodes that are never consolidated while busy', async () => {
    for (const env of ENVIRONMENTS) {
      const rendered = await renderComponent('karpenter-nodepools', env);
      const driver = one(rendered.objects, 'NodePool', 'spark-driver') as NodePool;
      expect(requirement(driver, 'karpenter.sh/capacity-type')).toEqual(['on-demand']);
      expect(driver.spec.disruption.consolidationPolicy).toBe('WhenEmpty');
      expect(driver.spec.disruption.budgets).toContainEqual({
        nodes: '0',
        reasons: ['Drifted', 'Underutilized'],
      });
      const executor = one(rendered.objects, 'NodePool', 'spark-executor') as NodePool;
      expect(requirement(executor, 'karpenter.sh/capacity-type')).toEqual(['spot', 'on-demand']);
      expect(requirement(executor, 'karpenter.k8s.aws/instance-category')?.length).toBeGreaterThanOrEqual(3);
      expect(executor.spec.disruption.budgets.length).toBeGreaterThan(0);
      // Pods that select no pool prefer the general one.
      const general = one(rendered.objects, 'NodePool', 'general') as NodePool;
      expect(general.spec.weight).toBeGreaterThan(driver.spec.weight);
    }
  });

  it('maps each pool to its own limits', async () => {
    const rendered = await renderChart({
      chart: 'apps/karpenter-nodepools/chart',
      release: 'k',
      namespace: 'kube-system',
      valueFiles: ['apps/karpenter-nodepools/chart/ci/test-values.yaml'],
      values: {
        limits: {
          sparkDriver: { cpu: 11, memory: '11Gi' },
          sparkExecutor: { cpu: 22, memory: '22Gi' },
          general: { cpu: 33, memory: '33Gi' },
        },
      },
    });
    expect(rendered.ok, rendered.stderr).toBe(true);
    const cpu = (name: string) => (one(rendered.objects, 'NodePool', name) as NodePool).spec.limits.cpu;
    expect([cpu('spark-driver'), cpu('spark-executor'), cpu('general')]).toEqual(['11', '22', '33']);
  });

  it('refuses spot drivers, an unpinned AMI and missing limits', async () => {
    const base = {
      chart: 'apps/karpenter-nodepools/chart',
      release: 'k',
      namespace: 'kube-system',
      valueFiles: ['apps/karpenter-nodepools/chart/ci/test-values.yaml'],
    };
    const spot = await renderChart({
      ...base,
      values: { pools: { 'spark-driver': { capacityTypes: ['spot'] } } },
    });
    expect(spot.ok).toBe(false);
    expect(spot.stderr).toMatch(/\/pools\/spark-driver\/capacityTypes/);
    const latest = await renderChart({ ...base, values: { amiAlias: 'al2023@latest' } });
    expect(latest.ok).toBe(false);
    expect(latest.stderr).toMatch(/\/amiAlias/);
    const noLimits = await renderChart({
      ...base,
      valueFiles: [],
      values: { nodeRole: 'r', discoveryTag: 'd', amiAlias: 'al2023@v20260714' },
    });
    expect(noLimits.ok).toBe(false);
    expect(noLimits.stderr).toContain('needs cpu and memory (karpenter.limits.');
  });
});

describe.each(ENVIRONMENTS)('%s: every Spark pod selector is satisfiable by a NodePool', (env) => {
  it("Livy's driver and executor nodeSelectors match the pools' labels and requirements", async () => {
    const [livy, pools] = await Promise.all([
      renderComponent('livy', env),
      renderComponent('karpenter-nodepools', env),
    ]);
    const conf = (
      one(livy.objects, 'ConfigMap', 'livy-conf', 'livy') as unknown as { data: Record<string, string> }
    ).data['spark-defaults.conf'];
    for (const role of ['driver', 'executor'] as const) {
      const selector = Object.fromEntries(
        [
          ...(conf ?? '').matchAll(
            new RegExp(`^spark\\.kubernetes\\.${role}\\.node\\.selector\\.(\\S+) (\\S+)$`, 'gm'),
          ),
        ].map((m) => [m[1], m[2]]),
      );
      expect(Object.keys(selector).length).toBeGreaterThan(0);
      const fits = (find(pools.objects, 'NodePool') as NodePool[]).filter((pool) =>
        Object.entries(selector).every(
          ([key, value]) =>
            pool.spec.template.metadata.labels[key] === value ||
            (requirement(pool, key) ?? []).includes(value as string),
        ),
      );
      expect(fits.map((p) => p.metadata.name)).toEqual([
        role === 'driver' ? 'spark-driver' : 'spark-executor',
      ]);
    }
  });
});
