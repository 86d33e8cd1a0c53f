// The platform's Dockerfiles for users and the recipe of the local image that must have the same
// layout, with the build context each Dockerfile is built from (its own header says which).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type DockerfileLayout, dockerfileLayout } from '../../src/images/dockerfile-layout.js';
import { REPO_ROOT } from '../../src/node-cluster/binaries.js';
import { runCommand } from '../../src/node-cluster/run-command.js';

export interface DockerfileTwin {
  /** The recipe's image name. */
  readonly image: string;
  /** Relative to the repository. */
  readonly dockerfile: string;
  /** The build context, relative to the repository. */
  readonly context: string;
}

export const DOCKERFILE_TWINS: readonly DockerfileTwin[] = [
  // "Build from dags/: docker build -f image/Dockerfile ."
  { image: 'spark-jobs', dockerfile: 'dags/image/Dockerfile', context: 'dags' },
  // "docker build ... apps/livy/image"
  { image: 'livy', dockerfile: 'apps/livy/image/Dockerfile', context: 'apps/livy/image' },
];

/** The Dockerfile's declared layout, its COPY globs matched against the context's files in git. */
export async function dockerfileOf(twin: DockerfileTwin): Promise<DockerfileLayout> {
  const context = path.join(REPO_ROOT, twin.context);
  const files = (
    await runCommand('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: context })
  )
    .split('\n')
    .filter(Boolean);
  const file = path.join(REPO_ROOT, twin.dockerfile);
  return dockerfileLayout(await readFile(file, 'utf8'), path.relative(REPO_ROOT, file), files);
}
