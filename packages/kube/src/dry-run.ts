import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import {
  identityOf,
  isCustomResourceDefinition,
  isNamespace,
  type KubeObject,
  type ObjectIdentity,
} from './kubernetes-object.js';
import { type FieldValidation, ObjectClient } from './object-client.js';
import { pollUntil } from './poll.js';
import { type Rejection, type RejectionCause, rejectionFromResponse } from './server-rejection.js';

export interface DryRunOptions {
  /** Field manager for the real applies. Default `airspark`. */
  readonly fieldManager?: string;
  /** Default `Strict`: unknown and duplicate fields are rejections. */
  readonly fieldValidation?: FieldValidation;
  /** Namespace for namespaced objects that name none (Argo CD uses the destination). Default `default`. */
  readonly defaultNamespace?: string;
  /** Namespaces to create besides those in `objects`, e.g. Argo CD `CreateNamespace=true` destinations. */
  readonly createNamespaces?: readonly string[];
  /** How long a CRD may take to become Established and served. Default 30 s. */
  readonly crdEstablishedTimeoutMs?: number;
  /** Requests in flight at once. Default 8. */
  readonly concurrency?: number;
}

export interface DryRunResult {
  /** Position of the object in the input, to map the result back to its source. */
  readonly index: number;
  readonly object: ObjectIdentity;
  /** Namespaces and CRDs are `applied` for real (later objects need them); the rest `dry-run`. */
  readonly action: 'applied' | 'dry-run';
  readonly ok: boolean;
  readonly statusCode?: number;
  readonly reason?: string;
  readonly message?: string;
  readonly causes: readonly RejectionCause[];
}

/**
 * Checks objects against a real API server the way a sync would meet them. Namespaces and then
 * CRDs are applied for real first (server-side apply), and each CRD is awaited until it is
 * Established and served: a namespace created in the same dry-run batch does not exist for the
 * objects inside it (kubernetes#83562), nor does a CRD's kind (kubectl#711). Every other object is
 * then created with dryRun=All, so nothing else is persisted. Rejections are results, never
 * exceptions; only an unreachable server throws.
 */
export async function dryRunObjects(
  kubeConfig: KubeConfig,
  objects: readonly KubeObject[],
  options: DryRunOptions = {},
): Promise<DryRunResult[]> {
  const fieldManager = options.fieldManager ?? 'airspark';
  const client = new ObjectClient(kubeConfig, options.defaultNamespace ?? 'default');
  const write = { fieldManager, fieldValidation: options.fieldValidation ?? 'Strict' } as const;
  const forReal = { ...write, dryRun: false };
  const dryRunOnly = { ...write, dryRun: true };
  // The client fills in defaults (namespace, apiVersion) in place: never touch the caller's objects.
  const copies = objects.map((object) => structuredClone(object));
  const results = new Array<DryRunResult>(copies.length);

  for (const name of options.createNamespaces ?? []) {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    try {
      await client.applyExact(namespace, forReal);
    } catch (error) {
      // Asked for by the caller, not part of the objects under test: a failure here is the caller's.
      throw new Error(
        `could not create namespace "${name}" (createNamespaces): ${toRejection(error, namespace).message}`,
      );
    }
  }

  const indexes = copies.map((_, index) => index);
  const namespaces = indexes.filter((i) => isNamespace(at(copies, i)));
  const crds = indexes.filter((i) => isCustomResourceDefinition(at(copies, i)));
  const rest = indexes.filter(
    (i) => !isNamespace(at(copies, i)) && !isCustomResourceDefinition(at(copies, i)),
  );

  const apply = (index: number) =>
    submit(index, 'applied', () => client.applyExact(at(copies, index), forReal));
  const dryRun = (index: number) =>
    submit(index, 'dry-run', async () => {
      try {
        return await client.createExact(at(copies, index), dryRunOnly);
      } catch (error) {
        // The object exists for real (a reused kind cluster): check it as an update instead.
        if (!(error instanceof ApiException && error.code === 409)) throw error;
        return client.applyExact(at(copies, index), dryRunOnly);
      }
    });

  async function submit(
    index: number,
    action: DryRunResult['action'],
    request: () => Promise<unknown>,
  ): Promise<void> {
    const object = at(copies, index);
    try {
      await request();
      results[index] = { index, object: identityOf(object), action, ok: true, causes: [] };
    } catch (error) {
      results[index] = {
        index,
        object: identityOf(object),
        action,
        ok: false,
        ...toRejection(error, object),
      };
    }
  }

  const concurrency = Math.max(1, options.concurrency ?? 8);
  await inParallel(namespaces, concurrency, apply);
  await inParallel(crds, concurrency, apply);
  await inParallel(
    crds.filter((i) => results[i]?.ok),
    concurrency,
    async (index) => {
      const failure = await awaitCrdServed(
        client,
        at(copies, index),
        options.crdEstablishedTimeoutMs ?? 30_000,
      );
      if (failure) results[index] = { ...(results[index] as DryRunResult), ok: false, ...failure };
    },
  );
  await inParallel(rest, concurrency, dryRun);
  return results;
}

function at(objects: readonly KubeObject[], index: number): KubeObject {
  const object = objects[index];
  if (!object) throw new Error(`no object at index ${index}`);
  return object;
}

/** Maps what the client threw to a rejection; rethrows what is not the server's answer. */
function toRejection(error: unknown, object: KubeObject): Rejection {
  if (error instanceof ApiException) {
    const code = Number(error.code);
    if (code === 404 && error.message.startsWith('Failed to fetch resource metadata')) {
      return unknownKind(object, `the server does not serve ${object.apiVersion}`);
    }
    return rejectionFromResponse(code, error.body);
  }
  if (error instanceof Error && error.message.startsWith('Unrecognized API version and kind')) {
    return unknownKind(object, `${object.apiVersion} has no kind ${object.kind}`);
  }
  throw error;
}

function unknownKind(object: KubeObject, what: string): Rejection {
  return {
    statusCode: 404,
    reason: 'NotFound',
    message: `no matches for kind "${object.kind}" in version "${object.apiVersion}": ${what} (is the CRD that defines it part of the objects?)`,
    causes: [],
  };
}

interface CrdStatus {
  spec?: { group?: string; names?: { kind?: string }; versions?: Array<{ name?: string; served?: boolean }> };
  status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> };
}

/**
 * Waits until the CRD is Established and discovery lists its kind in every served version.
 * Returns a rejection when it will not be (names not accepted) or time runs out.
 */
async function awaitCrdServed(
  client: ObjectClient,
  crd: KubeObject,
  timeoutMs: number,
): Promise<Rejection | undefined> {
  const header = { apiVersion: crd.apiVersion, kind: crd.kind, metadata: { name: crd.metadata?.name ?? '' } };
  let last: CrdStatus = {};
  const outcome = await pollUntil(
    async () => {
      last = (await client.read(header)) as CrdStatus;
      const conditions = last.status?.conditions ?? [];
      const namesAccepted = conditions.find((c) => c.type === 'NamesAccepted');
      if (namesAccepted?.status === 'False') return namesAccepted;
      if (!conditions.some((c) => c.type === 'Established' && c.status === 'True')) return undefined;
      const group = last.spec?.group ?? '';
      const kind = last.spec?.names?.kind ?? '';
      for (const version of last.spec?.versions ?? []) {
        if (version.served && !(await client.servesKind(`${group}/${version.name}`, kind))) return undefined;
      }
      return { type: 'Established', status: 'True' };
    },
    { timeoutMs, intervalMs: 100 },
  );
  if (!('value' in outcome)) {
    return {
      reason: 'Timeout',
      message: `CustomResourceDefinition ${header.metadata.name} was not Established and served within ${timeoutMs / 1000}s`,
      causes: [],
    };
  }
  if (outcome.value.status === 'False') {
    return {
      reason: outcome.value.reason ?? 'NamesNotAccepted',
      message:
        `CustomResourceDefinition ${header.metadata.name} names not accepted: ${outcome.value.message ?? ''}`.trim(),
      causes: [],
    };
  }
  return undefined;
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
