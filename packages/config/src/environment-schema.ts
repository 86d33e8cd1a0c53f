/**
 * The JSON Schema (2020-12) of `clusters/<env>/environment.yaml`.
 *
 * This object is the single source of truth: the TypeScript type `Environment` is derived from it
 * with json-schema-to-ts (see environment.ts), ajv validates against it, and
 * `schema/environment.schema.json` (for editors) is written from it and checked fresh by a test.
 *
 * `x-airspark-promotable: true` marks the pins that `pnpm promote` copies from one environment to
 * the next; everything else (account, region, sizes, limits, names) belongs to one environment.
 * `x-airspark-order` says how the promotion check orders a pin's values: `semver` by semantic
 * version, `recorded` (the default) by the order recorded in clusters/releases.yaml
 * (docs/adr/0023-promotion-order-release-log.md).
 */

const semver = '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$';
const dnsLabel = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
const ipv4Cidr =
  '^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/(3[0-2]|[12]?\\d)$';
const quantity = '^[0-9]+(\\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|M|G|T|P)?$';
const awsRegion = '^[a-z]{2}(-gov)?-[a-z]+-[0-9]$';

const chartVersion = {
  type: 'string',
  pattern: semver,
  description: 'Exact chart version (semantic version, no ranges).',
  'x-airspark-promotable': true,
  'x-airspark-order': 'semver',
} as const;

const imageTag = {
  type: 'string',
  pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
  not: { const: 'latest' },
  description: 'Exact image tag; `latest` is not a pin.',
  'x-airspark-promotable': true,
} as const;

const image = {
  type: 'object',
  additionalProperties: false,
  required: ['repository', 'tag'],
  properties: {
    repository: {
      type: 'string',
      pattern: '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*$',
      description:
        'Image repository without tag, e.g. 111122223333.dkr.ecr.eu-west-1.amazonaws.com/airspark/livy.',
    },
    tag: imageTag,
  },
} as const;

/** A per-image override: the image a named component image (component.yaml `images`) runs instead. */
const imageOverride = {
  type: 'object',
  additionalProperties: false,
  required: ['repository', 'reason'],
  properties: {
    repository: {
      ...image.properties.repository,
      description:
        'Image repository to run instead of the chart default, e.g. registry.internal/argoproj/argocd.',
    },
    tag: {
      ...imageTag,
      'x-airspark-promotable': false,
      description: 'Exact tag; omitted keeps the chart default.',
    },
    pullPolicy: {
      enum: ['Always', 'IfNotPresent', 'Never'],
      description: 'Never / IfNotPresent for images loaded into the nodes (the local cluster).',
    },
    reason: {
      type: 'string',
      minLength: 10,
      description:
        'Why this environment runs another image than the chart default (a mirror, a newer build).',
    },
  },
} as const;

const nodePoolLimits = {
  type: 'object',
  additionalProperties: false,
  required: ['cpu', 'memory'],
  properties: {
    cpu: { type: 'integer', minimum: 1, maximum: 100000, description: 'Total vCPUs the pool may run.' },
    memory: { type: 'string', pattern: quantity, description: 'Total memory the pool may run, e.g. 800Gi.' },
  },
} as const;

const bucketName = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
  not: { pattern: '\\.\\.' },
  description: 'S3 bucket name (3-63 lowercase letters, digits, dots, hyphens).',
} as const;

const component = <const P extends Record<string, unknown>, const R extends readonly string[]>(
  description: string,
  properties: P,
  required: R,
) =>
  ({
    type: 'object',
    description,
    additionalProperties: false,
    required: ['enabled', ...required],
    properties: { enabled: { type: 'boolean' }, ...properties },
  }) as const;

export const environmentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://airspark.dev/schemas/environment.schema.json',
  title: 'airspark environment',
  description: 'The single source of truth for one environment: clusters/<env>/environment.yaml.',
  type: 'object',
  additionalProperties: false,
  required: [
    'apiVersion',
    'kind',
    'name',
    'aws',
    'cluster',
    'network',
    'gitops',
    'components',
    'spark',
    'dags',
    'storage',
    'karpenter',
    'terraformState',
  ],
  properties: {
    apiVersion: { const: 'airspark.dev/v1alpha1' },
    kind: { const: 'Environment' },
    name: { type: 'string', pattern: dnsLabel, description: 'Must equal the folder name under clusters/.' },
    promotedFrom: {
      type: 'string',
      pattern: dnsLabel,
      description: 'The environment whose pins this one receives by `pnpm promote`. Absent for the first.',
    },
    promotionExceptions: {
      type: 'array',
      description:
        'Promotable pins allowed to differ from promotedFrom in a way the promotion check refuses (ahead of it, or never released through it), each with the reason. An exception holds for the exact value it names only.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pin', 'value', 'reason'],
        properties: {
          pin: {
            type: 'string',
            pattern: '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*$',
            description: 'Dotted path of a promotable pin, e.g. components.livy.image.tag.',
          },
          value: { type: 'string', minLength: 1, description: 'The value of the pin this exception allows.' },
          reason: {
            type: 'string',
            minLength: 10,
            description: 'Why: the incident, hotfix or ticket that justifies it.',
          },
        },
      },
    },
    aws: {
      type: 'object',
      additionalProperties: false,
      required: ['accountId', 'region'],
      properties: {
        accountId: { type: 'string', pattern: '^[0-9]{12}$', description: 'Twelve-digit AWS account id.' },
        region: { type: 'string', pattern: awsRegion },
      },
    },
    cluster: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'kubernetesVersion', 'endpoint', 'adminRoleArns'],
      properties: {
        name: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9-]{0,99}$' },
        provider: {
          enum: ['eks', 'local'],
          default: 'eks',
          description:
            '`eks`: infra/ builds the cluster on AWS. `local`: the single-node cluster `pnpm cluster up` runs on this machine; infra/ synthesizes nothing for it and the AWS fields are unused.',
        },
        kubernetesVersion: {
          type: 'string',
          pattern: '^1\\.[0-9]{2}$',
          description: 'Kubernetes minor version, e.g. "1.35" (quoted: 1.30 would be the number 1.3).',
        },
        endpoint: {
          type: 'object',
          additionalProperties: false,
          required: ['publicAccess'],
          properties: {
            publicAccess: { type: 'boolean' },
            publicAccessCidrs: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { type: 'string', pattern: ipv4Cidr },
            },
          },
        },
        adminRoleArns: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          description:
            'IAM roles granted cluster-admin through EKS access entries (API authentication mode). The cluster creator gets no implicit access, so at least one operator role is needed to bootstrap Argo CD.',
          items: {
            type: 'string',
            pattern: '^arn:aws(-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$',
          },
        },
        systemNodeGroup: {
          type: 'object',
          additionalProperties: false,
          required: ['instanceTypes', 'minSize', 'maxSize', 'desiredSize'],
          properties: {
            instanceTypes: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { type: 'string', pattern: '^[a-z0-9-]+\\.[a-z0-9]+$' },
            },
            minSize: { type: 'integer', minimum: 1, maximum: 100 },
            maxSize: { type: 'integer', minimum: 1, maximum: 100 },
            desiredSize: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
      },
    },
    network: {
      type: 'object',
      additionalProperties: false,
      required: ['vpcCidr', 'availabilityZones', 'natGateways'],
      properties: {
        vpcCidr: { type: 'string', pattern: ipv4Cidr },
        availabilityZones: {
          type: 'array',
          minItems: 2,
          maxItems: 6,
          uniqueItems: true,
          items: { type: 'string', pattern: '^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$' },
        },
        natGateways: { enum: ['single', 'perZone'], description: 'One NAT gateway, or one per zone (prod).' },
      },
    },
    gitops: {
      type: 'object',
      additionalProperties: false,
      required: ['repoURL', 'targetRevision', 'argocd', 'sync'],
      properties: {
        repoURL: { type: 'string', pattern: '^(https://|ssh://|git@)\\S+$' },
        targetRevision: {
          type: 'string',
          minLength: 1,
          description: 'Branch, tag or commit Argo CD tracks.',
        },
        argocd: {
          type: 'object',
          additionalProperties: false,
          required: ['chartVersion'],
          properties: { chartVersion },
        },
        sync: {
          type: 'object',
          additionalProperties: false,
          required: ['automated'],
          properties: {
            automated: { type: 'boolean', description: 'Argo CD syncs merged changes by itself.' },
            prune: { type: 'boolean', default: false },
            selfHeal: { type: 'boolean', default: false },
          },
        },
      },
    },
    components: {
      type: 'object',
      additionalProperties: false,
      required: ['airflow', 'sparkOperator', 'livy', 'karpenter'],
      properties: {
        airflow: component(
          'Apache Airflow from the official apache-airflow chart.',
          {
            chartVersion,
            imageTag: {
              ...imageTag,
              pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
              description:
                'The Airflow version (chart `airflowVersion`): the apache/airflow release the platform image is built on.',
            },
            image: {
              ...image,
              description:
                'The platform Airflow image (apps/airflow/image: apache/airflow:<imageTag> plus the pinned providers). Its tag starts with imageTag.',
            },
            database: {
              type: 'object',
              additionalProperties: false,
              required: ['type', 'secretName'],
              properties: {
                type: {
                  enum: ['in-cluster', 'external', 'rds'],
                  description:
                    "in-cluster: the chart's Postgres (dev only); rds: an RDS PostgreSQL instance provisioned by infra/ (settings in `rds`); external: a database the platform does not manage, its Secret created outside the platform.",
                },
                secretName: {
                  type: 'string',
                  pattern: dnsLabel,
                  description:
                    'Secret with key `connection` (the SQLAlchemy URL), made by External Secrets for in-cluster and rds (apps/airflow-secrets, apps/airflow-metadata-db): the chart never generates a database password.',
                },
                rds: {
                  type: 'object',
                  additionalProperties: false,
                  description:
                    'The RDS PostgreSQL instance infra/ provisions when type is rds (docs/adr/0040-airflow-metadata-database-rds.md).',
                  required: [
                    'instanceClass',
                    'engineVersion',
                    'allocatedStorageGiB',
                    'maxAllocatedStorageGiB',
                    'multiAz',
                    'backupRetentionDays',
                    'deletionProtection',
                  ],
                  properties: {
                    instanceClass: { type: 'string', pattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$' },
                    engineVersion: {
                      type: 'string',
                      pattern: '^1[4-9](\\.[0-9]+)?$',
                      description:
                        'PostgreSQL major (e.g. "17": RDS picks the newest minor and applies minor upgrades) or major.minor.',
                    },
                    allocatedStorageGiB: { type: 'integer', minimum: 20, maximum: 65536 },
                    maxAllocatedStorageGiB: {
                      type: 'integer',
                      minimum: 20,
                      maximum: 65536,
                      description: 'Storage autoscaling ceiling; at least allocatedStorageGiB.',
                    },
                    multiAz: {
                      type: 'boolean',
                      description: 'A synchronous standby in another zone (prod).',
                    },
                    backupRetentionDays: { type: 'integer', minimum: 1, maximum: 35 },
                    deletionProtection: { type: 'boolean' },
                  },
                },
              },
            },
            ingress: {
              type: 'object',
              additionalProperties: false,
              required: ['enabled', 'host', 'certificateArn'],
              description:
                'The Airflow UI behind an internal ALB with TLS (AWS Load Balancer Controller); never internet-facing.',
              properties: {
                enabled: { type: 'boolean' },
                host: {
                  type: 'string',
                  pattern: '^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
                  description: 'DNS name of the UI (a private zone record pointing at the ALB).',
                },
                certificateArn: {
                  type: 'string',
                  pattern:
                    '^arn:aws(-us-gov)?:acm:[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9]{12}:certificate/[0-9a-f-]{36}$',
                  description: "ACM certificate for host, in the environment's account and region.",
                },
              },
            },
          },
          ['chartVersion', 'imageTag', 'image', 'database'] as const,
        ),
        sparkOperator: component('Kubeflow Spark Operator.', { chartVersion }, ['chartVersion'] as const),
        livy: component('Apache Livy from our own chart in apps/livy.', { chartVersion, image }, [
          'chartVersion',
          'image',
        ] as const),
        karpenter: component('Karpenter node autoscaler.', { chartVersion }, ['chartVersion'] as const),
        externalSecrets: component(
          'External Secrets Operator: Kubernetes Secrets from AWS Secrets Manager (apps/external-secrets).',
          { chartVersion },
          ['chartVersion'] as const,
        ),
        awsLoadBalancerController: component(
          'AWS Load Balancer Controller: internal ALBs for Ingresses (apps/aws-load-balancer-controller).',
          { chartVersion },
          ['chartVersion'] as const,
        ),
        sparkHistoryServer: component(
          'Spark History Server over the event-log bucket, our own chart in apps/spark-history-server (image: spark.jobImage).',
          { chartVersion },
          ['chartVersion'] as const,
        ),
      },
    },
    spark: {
      type: 'object',
      additionalProperties: false,
      required: ['jobImage', 'teams'],
      properties: {
        jobImage: { ...image, description: 'The image the PySpark jobs of dags/ ship in.' },
        teams: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'namespace'],
            properties: {
              name: { type: 'string', pattern: dnsLabel },
              namespace: { type: 'string', pattern: dnsLabel },
            },
          },
        },
      },
    },
    dags: {
      type: 'object',
      additionalProperties: false,
      required: ['revision'],
      properties: {
        revision: {
          type: 'string',
          pattern: '^([0-9a-f]{40}|v?[0-9]+\\.[0-9]+\\.[0-9]+)$',
          description: 'The DAG bundle revision: a full commit SHA or a release tag.',
          'x-airspark-promotable': true,
        },
        refreshIntervalSeconds: { type: 'integer', minimum: 30, maximum: 86400, default: 300 },
      },
    },
    storage: {
      type: 'object',
      additionalProperties: false,
      required: ['buckets'],
      properties: {
        buckets: {
          type: 'object',
          additionalProperties: false,
          required: ['data', 'logs', 'sparkEventLogs'],
          properties: { data: bucketName, logs: bucketName, sparkEventLogs: bucketName },
        },
      },
    },
    imagePublishing: {
      type: 'object',
      additionalProperties: false,
      required: ['githubRepository', 'githubEnvironment'],
      description:
        'The account whose ECR repositories .github/workflows/images.yml pushes to: infra/ creates the GitHub OIDC provider and a push-only role that only workflow jobs of this repository running in this GitHub environment can assume (docs/adr/0042-internal-alb-ecr-and-github-oidc.md).',
      properties: {
        githubRepository: {
          type: 'string',
          pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
          description: 'owner/name of the repository whose workflow pushes the images.',
        },
        githubEnvironment: {
          type: 'string',
          pattern: '^[A-Za-z0-9_.-]{1,255}$',
          description:
            'The GitHub environment of the pushing job (its OIDC subject is repo:<owner/name>:environment:<this>); protect it with required reviewers.',
        },
        replicateTo: {
          type: 'array',
          uniqueItems: true,
          description:
            'Registries (account, region) that ECR replicates the platform images into: the other environments. Each must name this account in its imageReplicationSource.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['accountId', 'region'],
            properties: {
              accountId: { type: 'string', pattern: '^[0-9]{12}$' },
              region: { type: 'string', pattern: awsRegion },
            },
          },
        },
      },
    },
    imageReplicationSource: {
      type: 'object',
      additionalProperties: false,
      required: ['accountId'],
      description:
        'The account whose ECR replicates the platform images into this one (the environment with imagePublishing): its registry policy admits that account for the platform repositories only.',
      properties: { accountId: { type: 'string', pattern: '^[0-9]{12}$' } },
    },
    terraformState: {
      type: 'object',
      additionalProperties: false,
      required: ['bucket'],
      description:
        'Where the cdktf stack of this environment keeps its Terraform state (S3 backend, S3-native locking). The bucket is created once by hand before the first deploy; see infra/README.md.',
      properties: {
        bucket: bucketName,
        region: {
          type: 'string',
          pattern: awsRegion,
          description: 'Region of the state bucket; defaults to aws.region.',
        },
      },
    },
    mirrors: {
      type: 'object',
      additionalProperties: false,
      description:
        'Where this cluster fetches what it would otherwise fetch from the internet: air-gapped and private-registry installs, and the local cluster (docs/environments.md#mirrors). Each part is optional.',
      properties: {
        charts: {
          type: 'object',
          additionalProperties: false,
          required: ['repoURL'],
          properties: {
            repoURL: {
              type: 'string',
              pattern: '^https?://[^\\s]+[^/\\s]$',
              description:
                'A Helm chart repository (index.yaml) that serves every upstream chart the components pin, by name and version; Argo CD fetches them from here. charts.lock.yaml pins the files inside, so it must serve the upstream charts unchanged.',
            },
          },
        },
        git: {
          type: 'object',
          additionalProperties: false,
          required: ['repoURL'],
          properties: {
            repoURL: {
              type: 'string',
              pattern: '^(https?://|ssh://|git@)\\S+$',
              description:
                'Where Argo CD reads this repository instead of gitops.repoURL (a mirror, or the Git server of the local cluster; plain http only inside the cluster).',
            },
          },
        },
        images: {
          type: 'object',
          description:
            'Per-image overrides by the image names the components declare (component.yaml `images`), e.g. `argocd`.',
          propertyNames: { pattern: dnsLabel },
          additionalProperties: imageOverride,
        },
      },
    },
    karpenter: {
      type: 'object',
      additionalProperties: false,
      required: ['amiAlias', 'limits'],
      properties: {
        amiAlias: {
          type: 'string',
          pattern: '^al2023@v[0-9]{8}$',
          description:
            'Pinned EKS-optimized AL2023 release for the EC2NodeClass (al2023@vYYYYMMDD, never @latest): new node images arrive by promotion.',
          'x-airspark-promotable': true,
        },
        limits: {
          type: 'object',
          additionalProperties: false,
          required: ['sparkDriver', 'sparkExecutor', 'general'],
          properties: { sparkDriver: nodePoolLimits, sparkExecutor: nodePoolLimits, general: nodePoolLimits },
        },
      },
    },
  },
} as const;
