import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Client } from 'pg';
import { LOCAL_POSTGRES } from '@internal/test-harness';

export const repoRoot = resolvePath(
  resolvePackagePath('@internal/replica-tests'),
  '../..',
);

export type MachineFacts = {
  cpus: number;
  memoryGiB: number;
  node: string;
  backstageRelease: string;
  postgres: string;
  redis: string;
  thisModule: string;
  upstreamModule: string;
  authBackend: string;
  loadAverageAtStart: string;
  /** The commit, and whether this repo's module differed from it when the run started. */
  source: string;
};

/** The version of a package as the backend resolves it. */
export function packageVersion(name: string): string {
  const fromBackend = createRequire(
    resolvePath(resolvePackagePath('backend'), 'package.json'),
  );
  const file = fromBackend.resolve(`${name}/package.json`);
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

/** What the benchmark ran on: the machine, the runtimes and the modules compared. */
export async function machineFacts(): Promise<MachineFacts> {
  const backstage = JSON.parse(
    readFileSync(resolvePath(repoRoot, 'backstage.json'), 'utf8'),
  );
  return {
    cpus: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    backstageRelease: backstage.version,
    postgres: await postgresVersion(),
    redis: await redisVersion(),
    thisModule: `@backstage-auth0/plugin-auth-backend-module-auth0 ${packageVersion(
      '@backstage-auth0/plugin-auth-backend-module-auth0',
    )} (this repo)`,
    upstreamModule: `@backstage/plugin-auth-backend-module-auth0-provider ${packageVersion(
      '@backstage/plugin-auth-backend-module-auth0-provider',
    )}`,
    authBackend: `@backstage/plugin-auth-backend ${packageVersion(
      '@backstage/plugin-auth-backend',
    )}`,
    loadAverageAtStart: formatLoad(),
    source: sourceState(['plugins/auth-backend-module-auth0']),
  };
}

/** The commit, and which of `paths` differ from it in the working tree. */
export function sourceState(paths: string[]): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const changed = paths.filter(path =>
      git('status', '--porcelain', '--', path),
    );
    return changed.length
      ? `commit ${commit}, with uncommitted changes to ${changed.join(', ')}`
      : `commit ${commit}`;
  } catch {
    return 'not a git checkout';
  }
}

export function formatLoad(): string {
  return loadavg()
    .map(value => value.toFixed(2))
    .join(' / ');
}

export async function postgresVersion(): Promise<string> {
  const client = new Client({
    ...LOCAL_POSTGRES,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>(
      'SHOW server_version',
    );
    return `PostgreSQL ${rows[0].server_version}`;
  } finally {
    await client.end();
  }
}

/** Asks Redis for its version with one INFO command over its own protocol. */
function redisVersion(): Promise<string> {
  return new Promise(resolve => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379 });
    let reply = '';
    const finish = (version: string) => {
      socket.destroy();
      resolve(version);
    };
    socket.setTimeout(2_000, () => finish('Redis (version unknown)'));
    socket.on('error', () => finish('Redis (version unknown)'));
    socket.on('data', chunk => {
      reply += chunk.toString('utf8');
      const match = /redis_version:([^\r\n]+)/.exec(reply);
      if (match) finish(`Redis ${match[1]}`);
    });
    socket.write('INFO server\r\n');
  });
}
