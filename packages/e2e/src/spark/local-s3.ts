// S3 for the Spark pods of the team namespace and for the tasks on the host: versitygw on the node's
// address (s3-server.ts), reached from the pods through a Service without selector in spark-team-a,
// with the run's made-up keys in a Secret there (never in git). Used by the Livy scenarios (the local
// Livy's Spark pods mount the Secret, clusters/local/values/livy.yaml) and by citibike-month.
import type { E2eContext } from '../scenario.js';
import { type S3Server, startVersitygw } from './s3-server.js';
import { SPARK_NAMESPACE } from './spark-pods.js';

/**
 * The Service (without selector, pointing at versitygw on the host) and the Secret in the team
 * namespace that clusters/local/values/livy.yaml points the Spark pods' s3a at.
 */
export const LOCAL_S3_SERVICE = 'local-s3';
export const LOCAL_S3_SECRET = 'local-s3';

/** Service, EndpointSlice (host address and port) and Secret (keys) through which pods reach S3 (pure). */
export function localS3Objects(address: string, port: number, accessKey: string, secretKey: string) {
  const labels = { 'app.kubernetes.io/part-of': 'airspark-e2e' };
  const metadata = (name: string, extra: Record<string, string> = {}) => ({
    name,
    namespace: SPARK_NAMESPACE,
    labels: { ...labels, ...extra },
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(LOCAL_S3_SERVICE),
      spec: { ports: [{ name: 'http', port: 80, targetPort: port, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: metadata(`${LOCAL_S3_SERVICE}-host`, { 'kubernetes.io/service-name': LOCAL_S3_SERVICE }),
      addressType: 'IPv4',
      ports: [{ name: 'http', port, protocol: 'TCP' }],
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(LOCAL_S3_SECRET),
      type: 'Opaque',
      // The AWS SDK's credentials file (AWS_CREDENTIAL_PROFILES_FILE in clusters/local/values/livy.yaml).
      stringData: {
        credentials: `[default]\naws_access_key_id = ${accessKey}\naws_secret_access_key = ${secretKey}\n`,
      },
    },
  ];
}
/** Where the Secret's credentials file appears in the Spark pods (as for the local Livy's). */
export const LOCAL_S3_MOUNT = '/etc/local-s3';

/**
 * Spark properties that point a SparkApplication's s3a (Spark 4.0, Hadoop 3.4, AWS SDK v2) at the
 * Service above instead of AWS: path-style plain HTTP, and the Secret mounted as an AWS credentials
 * file read by the SDK's ProfileCredentialsProvider, so the keys never appear in the application,
 * only the Secret's name (ADR 0060). The e2e passes them in the Variable spark_conf; a
 * spark.hadoop.* key there replaces the template's hadoopConf one (airspark/spark_operator.py), here
 * the Pod Identity provider. The same mechanism as clusters/local/values/livy.yaml (SDK v1 there).
 */
export function localS3SparkConf(namespace = SPARK_NAMESPACE): Record<string, string> {
  const file = `${LOCAL_S3_MOUNT}/credentials`;
  return {
    'spark.hadoop.fs.s3a.endpoint': `http://${LOCAL_S3_SERVICE}.${namespace}.svc.cluster.local`,
    'spark.hadoop.fs.s3a.endpoint.region': 'us-east-1',
    'spark.hadoop.fs.s3a.path.style.access': 'true',
    'spark.hadoop.fs.s3a.connection.ssl.enabled': 'false',
    'spark.hadoop.fs.s3a.aws.credentials.provider':
      'software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider',
    [`spark.kubernetes.driver.secrets.${LOCAL_S3_SECRET}`]: LOCAL_S3_MOUNT,
    [`spark.kubernetes.executor.secrets.${LOCAL_S3_SECRET}`]: LOCAL_S3_MOUNT,
    'spark.kubernetes.driverEnv.AWS_SHARED_CREDENTIALS_FILE': file,
    'spark.executorEnv.AWS_SHARED_CREDENTIALS_FILE': file,
  };
}

const s3Servers = new WeakMap<E2eContext, Promise<S3Server>>();

/** Once per run: versitygw on the node's address with the environment's data bucket, its keys in a Secret. */
export function localS3(ctx: E2eContext, bucket: string): Promise<S3Server> {
  let p = s3Servers.get(ctx);
  if (!p) {
    p = (async () => {
      const address = (
        await ctx.kubectl([
          'get',
          'nodes',
          '-o',
          'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}',
        ])
      ).trim();
      const s3 = await startVersitygw(ctx.root, address);
      await s3.makeBucket(bucket);
      const objects = localS3Objects(address, s3.port, s3.accessKey, s3.secretKey);
      await ctx.kubectl(
        ['apply', '--server-side', '--force-conflicts', '--field-manager=airspark-e2e', '-f', '-'],
        {
          input: objects.map((o) => JSON.stringify(o)).join('\n'),
        },
      );
      ctx.log(
        `  S3: versitygw at ${s3.endpoint} (Service ${SPARK_NAMESPACE}/${LOCAL_S3_SERVICE}), bucket ${bucket}`,
      );
      return s3;
    })();
    s3Servers.set(ctx, p);
  }
  return p;
}
