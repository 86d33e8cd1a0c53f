// A deterministic, realistic corpus of rendered objects for throughput measurements: the kinds and
// proportions of a data platform (workloads, services, config, RBAC, Karpenter, Spark, Argo CD),
// with about 2% of objects carrying a mistake (an unknown field or a wrong type).

/** Small deterministic PRNG (mulberry32), so that every run validates the same corpus. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const container = (name, i) => ({
  name,
  image: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/airspark/${name}:1.${i % 40}.${i % 7}`,
  args: ['--port', '8080', '--log-level', 'info'],
  ports: [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
  ],
  env: [
    { name: 'LOG_FORMAT', value: 'json' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${name}-db`, key: 'password' } } },
  ],
  resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
  livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 15 },
  securityContext: {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  },
  volumeMounts: [
    { name: 'config', mountPath: '/etc/app' },
    { name: 'tmp', mountPath: '/tmp' },
  ],
});

const podSpec = (name, i) => ({
  serviceAccountName: name,
  securityContext: { runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [container(name, i), { ...container(`${name}-sidecar`, i), ports: [] }],
  volumes: [
    { name: 'config', configMap: { name: `${name}-config` } },
    { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
  ],
  nodeSelector: { 'kubernetes.io/arch': 'amd64' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
});

const meta = (name, ns, i) => ({
  name,
  namespace: ns,
  labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'airspark', tier: `t${i % 3}` },
  annotations: { 'argocd.argoproj.io/sync-wave': String(i % 4) },
});

const makers = [
  [
    30,
    (n, ns, i) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(n, ns, i),
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': n } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        template: { metadata: { labels: { 'app.kubernetes.io/name': n } }, spec: podSpec(n, i) },
      },
    }),
  ],
  [
    15,
    (n, ns, i) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(n, ns, i),
      spec: {
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': n },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    }),
  ],
  [
    14,
    (n, ns, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${n}-config`, ns, i),
      data: { 'app.yaml': `server:\n  port: 8080\n  workers: ${i % 16}\n`, LOG_LEVEL: 'info' },
    }),
  ],
  [
    8,
    (n, ns, i) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        ...meta(n, ns, i),
        annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::111111111111:role/${n}` },
      },
    }),
  ],
  [
    4,
    (n, ns, i) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(n, ns, i),
      rules: [
        { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: ['sparkoperator.k8s.io'],
          resources: ['sparkapplications'],
          verbs: ['create', 'delete', 'get', 'list', 'watch', 'patch'],
        },
      ],
    }),
  ],
  [
    4,
    (n, ns, i) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(n, ns, i),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n },
      subjects: [{ kind: 'ServiceAccount', name: n, namespace: ns }],
    }),
  ],
  [
    4,
    (n, ns, i) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(n, ns, i),
      spec: {
        serviceName: n,
        replicas: 3,
        selector: { matchLabels: { 'app.kubernetes.io/name': n } },
        template: { metadata: { labels: { 'app.kubernetes.io/name': n } }, spec: podSpec(n, i) },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '20Gi' } },
              storageClassName: 'gp3',
            },
          },
        ],
      },
    }),
  ],
  [
    4,
    (n, ns, i) => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(n, ns, i),
      spec: {
        schedule: '*/15 * * * *',
        concurrencyPolicy: 'Forbid',
        jobTemplate: {
          spec: { backoffLimit: 2, template: { spec: { ...podSpec(n, i), restartPolicy: 'OnFailure' } } },
        },
      },
    }),
  ],
  [
    3,
    (n, ns, i) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(n, ns, i),
      spec: {
        ingressClassName: 'alb',
        rules: [
          {
            host: `${n}.example.com`,
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: n, port: { name: 'http' } } } },
              ],
            },
          },
        ],
      },
    }),
  ],
  [
    3,
    (n, ns, i) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(n, ns, i),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': n } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'airflow' } } }],
            ports: [{ port: 8080, protocol: 'TCP' }],
          },
        ],
      },
    }),
  ],
  [
    3,
    (n, ns, i) => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(n, ns, i),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    }),
  ],
  [
    2,
    (n, ns, i) => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(n, ns, i),
      spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': n } } },
    }),
  ],
  [
    2,
    (n, _ns, i) => ({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: n, labels: { tier: `t${i % 3}` } },
      spec: {
        template: {
          metadata: { labels: { NodeGroupType: n } },
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'spark' },
            requirements: [
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
              { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
              { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
            ],
            expireAfter: '720h',
          },
        },
        limits: { cpu: 1000, memory: '1000Gi' },
        disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '600s' },
      },
    }),
  ],
  [
    1,
    (n, _ns) => ({
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: n },
      spec: {
        role: 'airspark-node',
        amiSelectorTerms: [{ alias: 'al2023@v20251103' }],
        subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'airspark' } }],
        securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'airspark' } }],
        blockDeviceMappings: [
          { deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi', volumeType: 'gp3', encrypted: true } },
        ],
      },
    }),
  ],
  [
    2,
    (n, ns, i) => ({
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'SparkApplication',
      metadata: meta(n, ns, i),
      spec: {
        type: 'Python',
        mode: 'cluster',
        image: 'apache/spark:4.0.4',
        mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py',
        sparkVersion: '4.0.4',
        restartPolicy: { type: 'Never' },
        sparkConf: { 'spark.eventLog.enabled': 'true' },
        driver: {
          cores: 1,
          memory: '2g',
          serviceAccount: 'spark',
          nodeSelector: { NodeGroupType: 'spark-driver', 'karpenter.sh/capacity-type': 'on-demand' },
          labels: { version: '4.0.4' },
        },
        executor: { instances: 3, cores: 2, memory: '4g', nodeSelector: { NodeGroupType: 'spark-executor' } },
        dynamicAllocation: { enabled: true, minExecutors: 1, maxExecutors: 10 },
      },
    }),
  ],
  [
    1,
    (n, _ns, i) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: n,
        namespace: 'argocd',
        annotations: { 'argocd.argoproj.io/sync-wave': String(i % 5) },
      },
      spec: {
        project: 'platform',
        sources: [
          { repoURL: 'https://github.com/airspark/airspark.git', targetRevision: 'main', ref: 'values' },
          {
            repoURL: 'https://airflow.apache.org',
            chart: 'airflow',
            targetRevision: '1.22.0',
            helm: { releaseName: n, valueFiles: ['$values/clusters/dev/values/airflow.yaml'] },
          },
        ],
        destination: { server: 'https://kubernetes.default.svc', namespace: n },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        },
      },
    }),
  ],
];

const totalWeight = makers.reduce((sum, [w]) => sum + w, 0);

/** Mistakes people make: a misspelt field, a number where a string belongs, an invalid quantity. */
function inject(object, rnd) {
  const choice = Math.floor(rnd() * 3);
  if (choice === 0) object.metadata.lables = { oops: 'true' };
  else if (choice === 1) object.metadata.labels = { count: 3 };
  else object.spec = { ...(object.spec ?? {}), unexpected: true };
  if (object.kind === 'ConfigMap' || object.kind === 'ServiceAccount')
    object.metadata.lables = { oops: 'true' };
  return object;
}

export function generateCorpus(count, seed = 42) {
  const rnd = random(seed);
  const objects = [];
  let invalid = 0;
  for (let i = 0; i < count; i++) {
    let pick = rnd() * totalWeight;
    let maker = makers[0][1];
    for (const [weight, make] of makers) {
      if (pick < weight) {
        maker = make;
        break;
      }
      pick -= weight;
    }
    const object = maker(`app-${i}`, `team-${i % 25}`, i);
    if (rnd() < 0.02) {
      inject(object, rnd);
      invalid++;
    }
    objects.push(object);
  }
  return { objects, invalid };
}
