import {
  type LoadedEnvironment,
  PLATFORM_NODE_SELECTOR,
  platformNames,
  roleArn,
  SYSTEM_NODE_LABELS,
} from '@airspark/config';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { EfsFileSystem } from '@cdktf/provider-aws/lib/efs-file-system/index.js';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry/index.js';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association/index.js';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon/index.js';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster/index.js';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group/index.js';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association/index.js';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../src/handoff/stack-outputs.js';
import { expectedRoleArns } from '../src/handoff/terraform-outputs.js';
import { awsContext } from '../src/stack/aws-context.js';
import { INTERRUPTION_EVENTS } from '../src/stack/karpenter.js';
import { accessLogBucketName } from '../src/stack/storage-buckets.js';
import { type Json, realEnvironment, ref, resourcesOf, synthStack } from './helpers.js';

const stackContext = (env: LoadedEnvironment) => awsContext(env.name, env.environment);

/** The part of a resource's JSON after cdktf's logical-id hash, so tests can find constructs by path. */
const named = (entries: Array<[string, Json]>, fragment: string) => {
  const found = entries.filter(([name]) => name.includes(fragment));
  if (found.length !== 1)
    throw new Error(`expected one resource named like ${fragment}, found ${found.length}`);
  return found[0] as [string, Json];
};

describe.each(['dev', 'staging', 'prod'])('stack airspark-%s', (envName) => {
  let env: LoadedEnvironment;
  let synthesized: string;
  let json: ReturnType<typeof synthStack>['json'];

  beforeAll(async () => {
    env = await realEnvironment(envName);
    ({ synthesized, json } = synthStack(env));
  });

  it('keeps its state in the environment’s S3 bucket with S3-native locking, on Terraform >= 1.11 (write-only arguments)', () => {
    expect(json.terraform.backend.s3).toEqual({
      bucket: env.environment.terraformState.bucket,
      key: `airspark/${envName}/terraform.tfstate`,
      region: env.environment.aws.region,
      encrypt: true,
      use_lockfile: true,
    });
    expect(json.terraform.required_version).toBe('>= 1.11.0');
  });

  it('refuses to apply in any account but the environment’s', () => {
    expect(synthesized).toHaveProviderWithProperties(AwsProvider, {
      region: env.environment.aws.region,
      allowed_account_ids: [env.environment.aws.accountId],
    });
  });

  it('spreads public and private subnets over every zone, tagged for load balancers and Karpenter', () => {
    const zones = env.environment.network.availabilityZones;
    const subnets = resourcesOf(json, 'aws_subnet').map(([, s]) => s);
    const privateSubnets = subnets.filter((s) => s.tags['kubernetes.io/role/internal-elb'] === '1');
    const publicSubnets = subnets.filter((s) => s.tags['kubernetes.io/role/elb'] === '1');
    expect(privateSubnets.map((s) => s.availability_zone)).toEqual(zones);
    expect(publicSubnets.map((s) => s.availability_zone)).toEqual(zones);
    for (const s of privateSubnets)
      expect(s.tags['karpenter.sh/discovery']).toBe(env.environment.cluster.name);
    expect(privateSubnets.map((s) => s.cidr_block)).toEqual(
      zones.map((_, i) => `\${cidrsubnet("${env.environment.network.vpcCidr}", 3, ${i})}`),
    );
    expect(publicSubnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  it('has one NAT gateway, or one per zone when the environment says perZone, and routes each private subnet through one', () => {
    const expected =
      env.environment.network.natGateways === 'perZone'
        ? env.environment.network.availabilityZones.length
        : 1;
    const nats = resourcesOf(json, 'aws_nat_gateway');
    expect(nats).toHaveLength(expected);
    expect(resourcesOf(json, 'aws_eip')).toHaveLength(expected);
    const natRefs = nats.map(([name]) => ref('aws_nat_gateway', name));
    const privateRoutes = resourcesOf(json, 'aws_route_table').filter(([name]) =>
      name.includes('private-routes'),
    );
    expect(privateRoutes).toHaveLength(env.environment.network.availabilityZones.length);
    const used = privateRoutes.map(([, table]) => table.route[0].nat_gateway_id);
    expect(new Set(used)).toEqual(new Set(natRefs));
  });

  it('runs EKS with the pinned version, API-mode access, encrypted secrets and audit logs', () => {
    expect(synthesized).toHaveResourceWithProperties(EksCluster, {
      name: env.environment.cluster.name,
      version: '1.35',
      access_config: { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false },
      bootstrap_self_managed_addons: false,
      enabled_cluster_log_types: ['api', 'audit', 'authenticator'],
      encryption_config: expect.objectContaining({ resources: ['secrets'] }),
    });
  });

  it('limits the API endpoint as the environment says: private in prod, known CIDRs elsewhere', () => {
    const [, cluster] = resourcesOf(json, 'aws_eks_cluster')[0] as [string, Json];
    const endpoint = env.environment.cluster.endpoint;
    expect(cluster.vpc_config.endpoint_private_access).toBe(true);
    expect(cluster.vpc_config.endpoint_public_access).toBe(endpoint.publicAccess);
    if (endpoint.publicAccess) {
      expect(cluster.vpc_config.public_access_cidrs).toEqual(endpoint.publicAccessCidrs);
    } else {
      expect(cluster.vpc_config.public_access_cidrs).toBeUndefined();
    }
    if (envName === 'prod') expect(cluster.vpc_config.endpoint_public_access).toBe(false);
  });

  it('grants cluster-admin only to the environment’s admin roles, through access entries', () => {
    const entries = resourcesOf(json, 'aws_eks_access_entry').map(([, e]) => e);
    expect(entries.filter((e) => e.type === 'STANDARD').map((e) => e.principal_arn)).toEqual(
      env.environment.cluster.adminRoleArns,
    );
    for (const principal of env.environment.cluster.adminRoleArns) {
      expect(synthesized).toHaveResourceWithProperties(EksAccessPolicyAssociation, {
        principal_arn: principal,
        policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        access_scope: { type: 'cluster' },
      });
    }
  });

  it('runs the system node group on encrypted volumes with IMDSv2 only, after the networking add-ons', () => {
    const sizes = env.environment.cluster.systemNodeGroup;
    expect(synthesized).toHaveResourceWithProperties(EksNodeGroup, {
      node_group_name: 'system',
      ami_type: 'AL2023_x86_64_STANDARD',
      instance_types: sizes?.instanceTypes,
      scaling_config: {
        min_size: sizes?.minSize,
        max_size: sizes?.maxSize,
        desired_size: sizes?.desiredSize,
      },
    });
    expect(synthesized).toHaveResourceWithProperties(LaunchTemplate, {
      metadata_options: { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      block_device_mappings: [
        expect.objectContaining({ ebs: expect.objectContaining({ encrypted: 'true' }) }),
      ],
    });
    const [, nodeGroup] = resourcesOf(json, 'aws_eks_node_group')[0] as [string, Json];
    // The labels the validator places pods with (xref/pod-placement) are the ones the nodes get.
    expect(nodeGroup.labels).toEqual(SYSTEM_NODE_LABELS);
    const addons = resourcesOf(json, 'aws_eks_addon');
    for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
      const [id] = addons.find(([, a]) => a.addon_name === name) as [string, Json];
      expect(nodeGroup.depends_on).toContain(`aws_eks_addon.${id}`);
    }
  });

  it('labels the system node group with what the platform pods select, from the one shared source', () => {
    const [, nodeGroup] = resourcesOf(json, 'aws_eks_node_group')[0] as [string, Json];
    expect(nodeGroup.labels).toEqual(SYSTEM_NODE_LABELS);
    // Argo CD and the rest of the platform select this; without it nothing schedules before Karpenter.
    expect(nodeGroup.labels).toMatchObject(PLATFORM_NODE_SELECTOR);
  });

  it('installs the six add-ons; the CSI drivers get their roles through Pod Identity, the CNI enforces NetworkPolicies', () => {
    const addons = Object.fromEntries(resourcesOf(json, 'aws_eks_addon').map(([, a]) => [a.addon_name, a]));
    expect(Object.keys(addons).sort()).toEqual([
      'aws-ebs-csi-driver',
      'aws-efs-csi-driver',
      'coredns',
      'eks-pod-identity-agent',
      'kube-proxy',
      'vpc-cni',
    ]);
    expect(JSON.parse(addons['vpc-cni'].configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
    const roles = Object.fromEntries(resourcesOf(json, 'aws_iam_role').map(([name, r]) => [name, r]));
    for (const [addon, sa, key] of [
      ['aws-ebs-csi-driver', 'ebs-csi-controller-sa', 'ebsCsi'],
      ['aws-efs-csi-driver', 'efs-csi-controller-sa', 'efsCsi'],
    ] as const) {
      expect(synthesized).toHaveResourceWithProperties(EksAddon, {
        addon_name: addon,
        pod_identity_association: [
          { role_arn: expect.stringMatching(/^\$\{aws_iam_role\..+\.arn\}$/), service_account: sa },
        ],
      });
      const roleName = /aws_iam_role\.(.+)\.arn/.exec(
        addons[addon].pod_identity_association[0].role_arn,
      )?.[1] as string;
      expect(roles[roleName].name).toBe(platformNames(env.environment).podIdentityRoles[key]);
    }
  });

  it('associates every workload service account with its role, and each role trusts only its bindings', () => {
    const names = platformNames(env.environment);
    const bindings = [
      [names.podIdentityRoles.airflow, names.podIdentityBindings.airflow],
      [names.podIdentityRoles.livy, names.podIdentityBindings.livy],
      [names.podIdentityRoles.karpenterController, names.podIdentityBindings.karpenterController],
      [names.podIdentityRoles.externalSecrets, names.podIdentityBindings.externalSecrets],
      [names.podIdentityRoles.awsLoadBalancerController, names.podIdentityBindings.awsLoadBalancerController],
      [names.podIdentityRoles.sparkHistoryServer, names.podIdentityBindings.sparkHistoryServer],
      ...env.environment.spark.teams.map(
        (t) =>
          [names.podIdentityRoles.sparkTeams[t.name], names.podIdentityBindings.sparkTeams[t.name]] as const,
      ),
    ] as const;
    const roles = resourcesOf(json, 'aws_iam_role');
    const associations = resourcesOf(json, 'aws_eks_pod_identity_association').map(([, a]) => a);
    expect(associations).toHaveLength(bindings.reduce((n, [, b]) => n + (b?.serviceAccounts.length ?? 0), 0));
    for (const [roleName, binding] of bindings) {
      const [logicalId, role] = roles.find(([, r]) => r.name === roleName) as [string, Json];
      for (const serviceAccount of binding?.serviceAccounts ?? []) {
        expect(synthesized).toHaveResourceWithProperties(EksPodIdentityAssociation, {
          namespace: binding?.namespace,
          service_account: serviceAccount,
          role_arn: ref('aws_iam_role', logicalId, 'arn'),
        });
      }
      const trust = JSON.parse(role.assume_role_policy).Statement[0];
      expect(trust).toMatchObject({
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:SourceAccount': env.environment.aws.accountId,
            'aws:RequestTag/eks-cluster-name': env.environment.cluster.name,
            'aws:RequestTag/kubernetes-namespace': binding?.namespace,
            'aws:RequestTag/kubernetes-service-account': binding?.serviceAccounts,
          },
        },
      });
    }
  });

  it('names every Pod Identity role as platformNames does, so manifests and stack agree', () => {
    const roleNames = new Set(resourcesOf(json, 'aws_iam_role').map(([, r]) => r.name));
    for (const arn of Object.values(expectedRoleArns(env.environment))) {
      expect(roleNames).toContain(arn.split('/').pop());
      expect(arn).toBe(roleArn(env.environment, arn.split('/').pop() as string));
    }
  });

  it('gives Airflow its log folder and the data bucket, and a Spark team its own event-log folder, through S3 and KMS only', () => {
    const names = platformNames(env.environment);
    const policies = resourcesOf(json, 'aws_iam_role_policy').map(([, p]) => p);
    const roles = resourcesOf(json, 'aws_iam_role');
    const permissionsOf = (roleName: string) => {
      const [logicalId] = roles.find(([, r]) => r.name === roleName) as [string, Json];
      const found = policies.find((p) => p.role === ref('aws_iam_role', logicalId, 'name'));
      return JSON.parse(found.policy).Statement as Array<Record<string, Json>>;
    };
    const airflow = permissionsOf(names.podIdentityRoles.airflow);
    expect(airflow).toContainEqual(
      expect.objectContaining({
        Sid: 'ReadWriteAirflowLogs',
        Resource: `arn:aws:s3:::${env.environment.storage.buckets.logs}/airflow-logs/*`,
      }),
    );
    expect(airflow).toContainEqual(
      expect.objectContaining({
        Sid: 'ListAirflowLogs',
        Condition: { StringLike: { 's3:prefix': ['airflow-logs/*', 'airflow-logs/'] } },
      }),
    );
    const team = env.environment.spark.teams[0]?.name as string;
    const spark = permissionsOf(names.podIdentityRoles.sparkTeams[team] as string);
    expect(spark).toContainEqual(
      expect.objectContaining({
        Sid: 'ReadWriteSparkEventLogs',
        Resource: `arn:aws:s3:::${env.environment.storage.buckets.sparkEventLogs}/${team}/*`,
      }),
    );
    for (const statements of [airflow, spark]) {
      expect(statements.flatMap((s) => [s.Action].flat()).every((a: string) => /^(s3|kms):/.test(a))).toBe(
        true,
      );
      expect(statements.find((s) => s.Sid === 'UseBucketKeyThroughS3')?.Condition).toEqual({
        StringEquals: { 'kms:ViaService': `s3.${env.environment.aws.region}.amazonaws.com` },
      });
    }
  });

  it('creates the three buckets and the access-log bucket private, versioned, KMS-encrypted, TLS-only, with lifecycle rules on logs', () => {
    const buckets = env.environment.storage.buckets;
    for (const name of [
      buckets.data,
      buckets.logs,
      buckets.sparkEventLogs,
      accessLogBucketName(stackContext(env)),
    ]) {
      expect(synthesized).toHaveResourceWithProperties(S3Bucket, { bucket: name });
    }
    const bucketIds = resourcesOf(json, 'aws_s3_bucket').map(([id]) => ref('aws_s3_bucket', id));
    expect(bucketIds).toHaveLength(4);
    for (const id of bucketIds) {
      expect(synthesized).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
        bucket: id,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(synthesized).toHaveResourceWithProperties(S3BucketVersioningA, {
        bucket: id,
        versioning_configuration: { status: 'Enabled' },
      });
      const [, encryption] = resourcesOf(json, 'aws_s3_bucket_server_side_encryption_configuration').find(
        ([, e]) => e.bucket === id,
      ) as [string, Json];
      expect(encryption.rule[0].apply_server_side_encryption_by_default).toEqual({
        sse_algorithm: 'aws:kms',
        kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
      });
      const [, bucketPolicy] = resourcesOf(json, 'aws_s3_bucket_policy').find(([, p]) => p.bucket === id) as [
        string,
        Json,
      ];
      expect(JSON.parse(bucketPolicy.policy).Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
    const [logsId] = named(resourcesOf(json, 'aws_s3_bucket'), 'storage_logs');
    const [, lifecycle] = resourcesOf(json, 'aws_s3_bucket_lifecycle_configuration').find(
      ([, l]) => l.bucket === ref('aws_s3_bucket', logsId),
    ) as [string, Json];
    expect(lifecycle.rule).toContainEqual(
      expect.objectContaining({ id: 'expire-objects', expiration: [{ days: 90 }] }),
    );
  });

  it('puts an encrypted EFS with a mount target in every private subnet, NFS from the cluster only, and an access point', () => {
    expect(synthesized).toHaveResourceWithProperties(EfsFileSystem, {
      encrypted: true,
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/),
    });
    const privateSubnetRefs = resourcesOf(json, 'aws_subnet')
      .filter(([name]) => name.includes('private'))
      .map(([name]) => ref('aws_subnet', name));
    const mountTargets = resourcesOf(json, 'aws_efs_mount_target').map(([, m]) => m);
    expect(mountTargets.map((m) => m.subnet_id).sort()).toEqual([...privateSubnetRefs].sort());
    const [clusterId] = resourcesOf(json, 'aws_eks_cluster')[0] as [string, Json];
    expect(synthesized).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      ip_protocol: 'tcp',
      from_port: 2049,
      to_port: 2049,
      referenced_security_group_id: `\${aws_eks_cluster.${clusterId}.vpc_config[0].cluster_security_group_id}`,
    });
    const [, accessPoint] = resourcesOf(json, 'aws_efs_access_point')[0] as [string, Json];
    expect(accessPoint.posix_user).toEqual({ uid: 185, gid: 185 });
    const [, fsPolicy] = resourcesOf(json, 'aws_efs_file_system_policy')[0] as [string, Json];
    expect(JSON.parse(fsPolicy.policy).Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('feeds Karpenter’s interruption queue (encrypted, 300 s, TLS-only) from four EventBridge rules', () => {
    const names = platformNames(env.environment);
    expect(synthesized).toHaveResourceWithProperties(SqsQueue, {
      name: names.karpenterInterruptionQueue,
      message_retention_seconds: 300,
      sqs_managed_sse_enabled: true,
    });
    const [queueId] = resourcesOf(json, 'aws_sqs_queue')[0] as [string, Json];
    for (const event of INTERRUPTION_EVENTS) {
      expect(synthesized).toHaveResourceWithProperties(CloudwatchEventRule, {
        event_pattern: JSON.stringify({ source: [event.source], 'detail-type': [event.detailType] }),
      });
    }
    expect(resourcesOf(json, 'aws_cloudwatch_event_rule')).toHaveLength(4);
    const targets = resourcesOf(json, 'aws_cloudwatch_event_target').map(([, t]) => t);
    expect(targets).toHaveLength(4);
    expect(targets.every((t) => t.arn === ref('aws_sqs_queue', queueId, 'arn'))).toBe(true);
    const [, queuePolicy] = resourcesOf(json, 'aws_sqs_queue_policy')[0] as [string, Json];
    expect(JSON.parse(queuePolicy.policy).Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('lets Karpenter’s nodes join (EC2_LINUX entry) and scopes its controller to this cluster’s tags', () => {
    const names = platformNames(env.environment);
    const [nodeRoleId] = resourcesOf(json, 'aws_iam_role').find(
      ([, r]) => r.name === names.karpenterNodeRole,
    ) as [string, Json];
    expect(synthesized).toHaveResourceWithProperties(EksAccessEntry, {
      principal_arn: ref('aws_iam_role', nodeRoleId, 'arn'),
      type: 'EC2_LINUX',
    });
    const [, controller] = named(resourcesOf(json, 'aws_iam_role_policy'), 'karpenter_controller');
    const statements = JSON.parse(controller.policy).Statement as Array<Record<string, Json>>;
    const sid = (s: string) => statements.find((x) => x.Sid === s) as Record<string, Json>;
    const cluster = env.environment.cluster.name;
    expect(sid('AllowScopedEC2InstanceActionsWithTags').Condition.StringEquals).toEqual({
      [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: 'owned',
      'aws:RequestTag/eks:eks-cluster-name': cluster,
    });
    expect(sid('AllowScopedDeletion').Condition.StringEquals).toEqual({
      [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: 'owned',
    });
    expect(sid('AllowPassingInstanceRole').Resource).toBe(ref('aws_iam_role', nodeRoleId, 'arn'));
    expect(sid('AllowAPIServerEndpointDiscovery').Resource).toBe(
      `arn:aws:eks:${env.environment.aws.region}:${env.environment.aws.accountId}:cluster/${cluster}`,
    );
    // Inline role policies share a 10,240-character budget per role (whitespace excluded).
    expect(controller.policy.replace(/\s/g, '').length).toBeLessThan(10_240);
  });

  it('gives every statement of every policy a Sid, unique within its policy (IAM and the allow-list rely on it)', () => {
    const documents = [
      ...resourcesOf(json, 'aws_iam_role_policy').map(([, p]) => p.policy),
      ...resourcesOf(json, 'aws_iam_role').map(([, r]) => r.assume_role_policy),
      ...resourcesOf(json, 'aws_s3_bucket_policy').map(([, p]) => p.policy),
      ...resourcesOf(json, 'aws_sqs_queue_policy').map(([, p]) => p.policy),
      ...resourcesOf(json, 'aws_efs_file_system_policy').map(([, p]) => p.policy),
    ].map((text: string) => JSON.parse(text).Statement as Array<{ Sid?: string }>);
    expect(documents.length).toBeGreaterThan(15);
    for (const statements of documents) {
      const sids = statements.map((st) => st.Sid);
      expect(sids.every((sid) => typeof sid === 'string' && /^[A-Za-z0-9]+$/.test(sid))).toBe(true);
      expect(new Set(sids).size).toBe(sids.length);
    }
  });

  it('declares every output the hand-off reads (the database ones only where infra/ provisions it)', () => {
    const databaseOutputs: string[] = [
      STACK_OUTPUTS.airflowDatabaseAddress,
      STACK_OUTPUTS.airflowDatabaseSecretArn,
    ];
    const provisioned = env.environment.components.airflow.database.type === 'rds';
    expect(Object.keys(json.output).sort()).toEqual(
      Object.values(STACK_OUTPUTS)
        .filter((o) => provisioned || !databaseOutputs.includes(o))
        .sort(),
    );
    expect(Object.keys(json.output[STACK_OUTPUTS.podIdentityRoleArns].value).sort()).toEqual(
      Object.keys(expectedRoleArns(env.environment)).sort(),
    );
  });
});
