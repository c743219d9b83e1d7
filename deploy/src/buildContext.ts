import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, normalize } from 'node:path';
import type { DockerfileFacts } from './dockerfile.ts';

// CommonJS (`module.exports = factory`) whose types declare an ES default export; require
// gives the factory both at run time and to the type checker.
const ignore: typeof import('@balena/dockerignore').default = createRequire(
  import.meta.url,
)('@balena/dockerignore');

/** What `yarn build:backend` writes and the Dockerfile copies. */
export const backendBundle = {
  bundle: 'packages/backend/dist/bundle.tar.gz',
  skeleton: 'packages/backend/dist/skeleton.tar.gz',
};

/**
 * Runs `yarn build:backend` unless its output is already there. Other checks build the same
 * bundle, so builds in one checkout take turns through a lock file (flock, where it exists).
 */
export function ensureBackendBundle(root: string): { built: boolean } {
  if (
    Object.values(backendBundle).every(path => existsSync(join(root, path)))
  ) {
    return { built: false };
  }
  mkdirSync(join(root, '.cache'), { recursive: true });
  const build = ['yarn', 'build:backend'];
  const options = {
    cwd: root,
    encoding: 'utf8' as const,
    maxBuffer: 256 * 1024 * 1024,
  };
  let result = spawnSync(
    'flock',
    [join(root, '.cache', 'backend-build.lock'), ...build],
    options,
  );
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    result = spawnSync(build[0], build.slice(1), options);
  }
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
      .trim()
      .split('\n')
      .slice(-40);
    throw new Error(
      `yarn build:backend failed (${
        result.error?.message ?? `exit ${result.status}`
      }); ` +
        `the Dockerfile check needs its output. Last lines:\n${output.join(
          '\n',
        )}`,
    );
  }
  return { built: true };
}

const WILDCARD = /[*?[]/;

/** Problems with the context paths a Dockerfile copies: not there, or outside the context. */
export function missingContextPaths(
  facts: DockerfileFacts,
  root: string,
): string[] {
  return facts.copies.flatMap(copy =>
    copy.sources.flatMap(source => {
      const where = `COPY on line ${copy.line}: ${source}`;
      if (isAbsolute(source) || normalize(source).startsWith('..')) {
        return [`${where} is outside the build context`];
      }
      if (WILDCARD.test(source)) {
        return [
          `${where} is a wildcard; name each file so that this check can find it`,
        ];
      }
      return existsSync(join(root, source))
        ? []
        : [`${where} does not exist after \`yarn build:backend\``];
    }),
  );
}

/** The context paths a Dockerfile copies that .dockerignore keeps out of the build. */
export function ignoredContextPaths(
  facts: DockerfileFacts,
  dockerignore: string,
): string[] {
  const rules = ignore().add(dockerignore.split('\n'));
  return facts.copies.flatMap(copy =>
    copy.sources
      .filter(source => rules.ignores(normalize(source)))
      .map(
        source => `COPY on line ${copy.line}: .dockerignore excludes ${source}`,
      ),
  );
}

/** Whether .dockerignore keeps a path out of the build context. */
export function isIgnored(dockerignore: string, path: string): boolean {
  return ignore().add(dockerignore.split('\n')).ignores(path);
}

/** The paths in a .tar.gz, without a leading `./`. */
export function tarEntries(archive: string): string[] {
  const result = spawnSync('tar', ['-tzf', archive], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `tar -tzf ${archive} failed: ${result.error?.message ?? result.stderr}`,
    );
  }
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map(entry => entry.replace(/^\.\//, ''));
}

/** The text of one file in a .tar.gz. */
export function tarFile(archive: string, path: string): string {
  for (const name of [path, `./${path}`]) {
    const result = spawnSync('tar', ['-xzOf', archive, name], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (!result.error && result.status === 0) return result.stdout;
  }
  throw new Error(`${archive} has no ${path}`);
}
