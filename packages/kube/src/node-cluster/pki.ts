// The cluster's certificates: one private CA, a serving certificate for the API server and one
// for kubelet, and a client certificate per component. Made with the openssl command line
// (Node's crypto module can verify certificates but not issue them).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NODE_NAME } from './layout.js';
import { runCommand } from './run-command.js';

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  /** `<dir>/<name>.crt` and `<dir>/<name>.key` for each certificate made by makePki. */
  cert(name: CertName): { readonly cert: string; readonly key: string };
}

export type CertName =
  | 'etcd'
  | 'apiserver-etcd-client'
  | 'apiserver'
  | 'apiserver-kubelet-client'
  | 'kubelet'
  | 'kubelet-client'
  | 'controller-manager'
  | 'scheduler'
  | 'kube-proxy'
  | 'admin';

interface CertSpec {
  readonly name: CertName;
  readonly subject: string;
  readonly usage: 'serverAuth' | 'clientAuth' | 'serverAuth,clientAuth';
  readonly altNames?: readonly string[];
}

/** Who each client certificate authenticates as (the CN is the user, O the group). */
export function certSpecs(nodeIp: string, apiServiceIp: string): readonly CertSpec[] {
  return [
    {
      name: 'apiserver',
      subject: '/CN=kube-apiserver',
      usage: 'serverAuth',
      altNames: [
        `IP:${nodeIp}`,
        'IP:127.0.0.1',
        `IP:${apiServiceIp}`,
        'DNS:localhost',
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'DNS:kubernetes.default.svc.cluster.local',
      ],
    },
    // etcd serves on loopback only, and only to holders of a certificate from the cluster CA.
    // (Its own peer port, too: the certificate serves and authenticates etcd to itself.)
    {
      name: 'etcd',
      subject: '/CN=etcd',
      usage: 'serverAuth,clientAuth',
      altNames: ['IP:127.0.0.1', 'DNS:localhost'],
    },
    { name: 'apiserver-etcd-client', subject: '/CN=kube-apiserver-etcd-client', usage: 'clientAuth' },
    {
      name: 'kubelet',
      subject: `/CN=${NODE_NAME}`,
      usage: 'serverAuth',
      altNames: [`IP:${nodeIp}`, `DNS:${NODE_NAME}`],
    },
    // The API server reaches kubelet (logs, exec) as an admin of the node API.
    {
      name: 'apiserver-kubelet-client',
      subject: '/O=system:masters/CN=kube-apiserver-kubelet-client',
      usage: 'clientAuth',
    },
    // The Node authorizer and NodeRestriction admission recognise kubelet by this name and group.
    { name: 'kubelet-client', subject: `/O=system:nodes/CN=system:node:${NODE_NAME}`, usage: 'clientAuth' },
    { name: 'controller-manager', subject: '/CN=system:kube-controller-manager', usage: 'clientAuth' },
    { name: 'scheduler', subject: '/CN=system:kube-scheduler', usage: 'clientAuth' },
    // Bound by default to the system:node-proxier ClusterRole.
    { name: 'kube-proxy', subject: '/CN=system:kube-proxy', usage: 'clientAuth' },
    { name: 'admin', subject: '/O=system:masters/CN=airspark-admin', usage: 'clientAuth' },
  ];
}

/** The openssl extension file for one certificate. */
export function extensionsFor(spec: CertSpec): string {
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${spec.usage}`,
    ...(spec.altNames ? [`subjectAltName=${spec.altNames.join(',')}`] : []),
    '',
  ].join('\n');
}

function pkiAt(dir: string): Pki {
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serviceAccountKey: path.join(dir, 'service-account.key'),
    serviceAccountPub: path.join(dir, 'service-account.pub'),
    cert: (name) => ({ cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) }),
  };
}

async function newKey(file: string): Promise<void> {
  await runCommand('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    file,
  ]);
  await chmod(file, 0o600);
}

/** Makes a fresh CA and every certificate in `dir` (private keys 0600). */
export async function makePki(dir: string, nodeIp: string, apiServiceIp: string): Promise<Pki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pki = pkiAt(dir);
  await newKey(pki.caKey);
  await runCommand('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    pki.caKey,
    '-subj',
    '/CN=airspark-cluster-ca',
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    '-out',
    pki.caCert,
  ]);
  await Promise.all(
    certSpecs(nodeIp, apiServiceIp).map(async (spec) => {
      const { cert, key } = pki.cert(spec.name);
      const csr = path.join(dir, `${spec.name}.csr`);
      const ext = path.join(dir, `${spec.name}.ext`);
      await newKey(key);
      await runCommand('openssl', ['req', '-new', '-key', key, '-subj', spec.subject, '-out', csr]);
      await writeFile(ext, extensionsFor(spec));
      await runCommand('openssl', [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        pki.caCert,
        '-CAkey',
        pki.caKey,
        // A random serial per certificate: the certificates are signed in parallel.
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
        '-days',
        '365',
        '-extfile',
        ext,
        '-out',
        cert,
      ]);
    }),
  );
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(pki.serviceAccountKey, privateKey.export({ type: 'pkcs1', format: 'pem' }), {
    mode: 0o600,
  });
  await writeFile(pki.serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }));
  return pki;
}

/** The PEM texts a kubeconfig embeds for one client certificate. */
export async function clientPems(pki: Pki, name: CertName) {
  const { cert, key } = pki.cert(name);
  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(pki.caCert, 'utf8'),
    readFile(cert, 'utf8'),
    readFile(key, 'utf8'),
  ]);
  return { caPem, certPem, keyPem };
}

export { pkiAt };
