#!/usr/bin/env node
// Regenerates packages/validate/schemas/ from pinned upstream releases, reproducibly:
//   1. `go mod download -json MODULE@VERSION` fetches each pinned module zip from the Go module proxy
//      (Go verifies it against the checksum database);
//   2. the zip's sha256 is compared with schemas/lock.json (first run: recorded);
//   3. the OpenAPI v3 spec (Kubernetes), prerelease-lifecycle files (k8s.io/api) and CRD YAML files
//      are read out of the zip and converted to strict JSON Schema by the package's own converter;
//   4. every output is written atomically and its sha256 recorded in schemas/lock.json.
// Pins live in schemas/sources.json. Change a version there and run `pnpm schemas:update`.
// `--check` regenerates in memory and fails when a committed file differs (nothing is written).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { parseAllDocuments } from 'yaml';
import {
  builtinSchemasFrom,
  crdSchemasFrom,
  groupNameOf,
  parseLifecycleFile,
} from '../dist/schema/generator.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemasDir = path.join(packageDir, 'schemas');
const check = process.argv.includes('--check');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const log = (message) => process.stderr.write(`schemas: ${message}\n`);

function fail(message) {
  process.stderr.write(`schemas: ${message}\n`);
  process.exit(1);
}

function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    if (fallback !== undefined && error.code === 'ENOENT') return fallback;
    throw error;
  }
}

const sources = readJson(path.join(schemasDir, 'sources.json'));
const oldLock = readJson(path.join(schemasDir, 'lock.json'), { modules: {}, files: {} });
const lock = { generator: 'packages/validate/scripts/update-schemas.mjs', modules: {}, files: {} };
const outputs = new Map();

/** Downloads (or finds in the module cache) a module zip; returns its entries under the module root. */
function moduleFiles(module, version, wanted) {
  const id = `${module}@${version}`;
  log(`fetching ${id} from the Go module proxy`);
  const scratch = mkdtempSync(path.join(tmpdir(), 'airspark-schemas-'));
  let info;
  try {
    const out = execFileSync('go', ['mod', 'download', '-json', id], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    info = JSON.parse(out);
  } catch (error) {
    const detail = error.stdout ? JSON.parse(error.stdout).Error : error.message;
    fail(`could not download ${id}: ${detail}. Is Go installed and the module proxy reachable?`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (info.Error) fail(`could not download ${id}: ${info.Error}`);
  const zip = readFileSync(info.Zip);
  const zipSha256 = sha256(zip);
  const pinned = oldLock.modules[id];
  if (pinned && pinned.zipSha256 !== zipSha256) {
    fail(
      `${id}: the zip's sha256 ${zipSha256} differs from lock.json (${pinned.zipSha256}). Refusing to continue.`,
    );
  }
  lock.modules[id] = { zipSha256, goSum: info.Sum };
  const prefix = `${module}@${version}/`;
  const entries = unzipSync(zip, {
    filter: (f) => f.name.startsWith(prefix) && wanted(f.name.slice(prefix.length)),
  });
  const files = new Map();
  for (const [name, bytes] of Object.entries(entries)) files.set(name.slice(prefix.length), bytes);
  return files;
}

function emit(relative, value) {
  outputs.set(relative, `${JSON.stringify(value, null, 1)}\n`);
}

// Kubernetes built-in kinds, one folder per minor version.
for (const k of sources.kubernetes) {
  const files = moduleFiles(k.module, k.version, (f) => /^api\/openapi-spec\/v3\/.+\.json$/.test(f));
  const documents = [...files.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, bytes]) => JSON.parse(new TextDecoder().decode(bytes)));
  if (documents.length === 0) fail(`${k.module}@${k.version} holds no api/openapi-spec/v3 files`);
  const built = builtinSchemasFrom(k.version, documents);
  emit(`kubernetes/${k.minor}/resources.json`, {
    kubernetesVersion: built.kubernetesVersion,
    resources: built.resources,
  });
  if (k.definitions !== false) {
    emit(`kubernetes/${k.minor}/definitions.json`, {
      kubernetesVersion: built.kubernetesVersion,
      definitions: built.definitions,
    });
  }
  log(
    `kubernetes ${k.version}: ${built.resources.length} kinds, ${Object.keys(built.definitions).length} definitions`,
  );
}

// Deprecation and removal dates of pre-release APIs.
{
  const { module, version } = sources.apiLifecycle;
  const files = moduleFiles(module, version, (f) =>
    /zz_generated\.prerelease-lifecycle\.go$|\/register\.go$/.test(f),
  );
  const lifecycle = [];
  for (const [name, bytes] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.endsWith('zz_generated.prerelease-lifecycle.go')) continue;
    const dir = path.posix.dirname(name);
    const register = files.get(`${dir}/register.go`);
    const group = register ? groupNameOf(new TextDecoder().decode(register)) : undefined;
    if (group === undefined) continue;
    const apiVersion = path.posix.basename(dir);
    lifecycle.push(...parseLifecycleFile(new TextDecoder().decode(bytes), group, apiVersion));
  }
  emit('kubernetes/api-lifecycle.json', { source: `${module}@${version}`, apis: lifecycle });
  log(`api lifecycle: ${lifecycle.length} kinds`);
}

// Custom resource definitions of the components we install.
for (const c of sources.crds) {
  const files = moduleFiles(c.module, c.version, (f) => c.files.includes(f));
  for (const file of c.files) {
    const bytes = files.get(file);
    if (!bytes) fail(`${c.module}@${c.version} has no ${file}`);
    for (const doc of parseAllDocuments(new TextDecoder().decode(bytes))) {
      const object = doc.toJS();
      if (object === null || object === undefined) continue;
      const result = crdSchemasFrom(object, `${c.module}@${c.version}/${file}`);
      if (!result.ok) fail(`${c.module}@${c.version}/${file}: ${result.problem}`);
      const { crd } = result;
      emit(`crds/${c.name}/${crd.group}_${crd.plural}.json`, crd);
      // The CRD itself, as released: the API-server dry-run test installs it (CEL rules and all).
      emit(`crd-manifests/${c.name}/${crd.group}_${crd.plural}.json`, object);
    }
  }
  log(`${c.name} ${c.version}: ${c.files.length} CRD files`);
}

for (const [relative, text] of [...outputs.entries()].sort(([a], [b]) => a.localeCompare(b))) {
  lock.files[relative] = sha256(text);
}
const lockText = `${JSON.stringify(lock, null, 2)}\n`;

if (check) {
  const stale = [];
  for (const [relative, text] of outputs) {
    let committed;
    try {
      committed = readFileSync(path.join(schemasDir, relative), 'utf8');
    } catch {
      committed = undefined;
    }
    if (committed !== text) stale.push(relative);
  }
  if (stale.length > 0) fail(`out of date: ${stale.join(', ')}. Run \`pnpm schemas:update\` and commit.`);
  log('committed schemas match their pinned sources');
  process.exit(0);
}

// Write everything to a scratch folder first, then move each file into place: an interrupted run
// leaves the old schemas, never a half-written file.
const staging = mkdtempSync(path.join(schemasDir, '.staging-'));
try {
  for (const [relative, text] of [...outputs, ['lock.json', lockText]]) {
    const staged = path.join(staging, relative.replaceAll('/', '__'));
    writeFileSync(staged, text);
  }
  for (const [relative] of [...outputs, ['lock.json']]) {
    const target = path.join(schemasDir, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(path.join(staging, relative.replaceAll('/', '__')), target);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
// Generated files that no pinned source produces any more (a CRD dropped from sources.json) go too.
for (const folder of ['kubernetes', 'crds', 'crd-manifests']) {
  let entries = [];
  try {
    entries = readdirSync(path.join(schemasDir, folder), { recursive: true, withFileTypes: true });
  } catch {
    entries = [];
  }
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const relative = path
      .relative(schemasDir, path.join(entry.parentPath, entry.name))
      .split(path.sep)
      .join('/');
    if (!outputs.has(relative)) {
      rmSync(path.join(schemasDir, relative));
      log(`removed ${relative} (no longer generated)`);
    }
  }
}
log(`wrote ${outputs.size} files and lock.json`);
