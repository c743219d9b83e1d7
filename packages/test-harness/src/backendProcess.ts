import { createServer } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { startProcess, type StartedProcess } from '@internal/child-process';

/** A Backstage backend running as its own process. */
export type BackendProcess = StartedProcess & {
  /** Where this process listens (not the public URL when `publicBaseUrl` is given). */
  baseUrl: string;
  port: number;
};

export type BackendCommandOptions = {
  /** The program, e.g. `process.execPath`. */
  command: string;
  args?: string[];
  cwd: string;
  /**
   * The port the backend listens on, which the command's own arguments or environment
   * must make it use; readiness is polled there.
   */
  port: number;
  /** Added to this process's environment, or the whole environment with `inheritEnv: false`. */
  env?: Record<string, string | undefined>;
  /** `true` unless given. With `false` the command sees `env` and nothing else. */
  inheritEnv?: boolean;
  /** 90 s unless given. */
  readinessTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL; 10 s unless given. */
  stopTimeoutMs?: number;
};

export type BackendProcessOptions = {
  /** Config files, relative to the repository root, in the order Backstage layers them. */
  configFiles: string[];
  /** The entry file, relative to packages/backend; `src/index.ts` unless given. */
  entry?: string;
  env?: Record<string, string>;
  readinessTimeoutMs?: number;
  /** The port to listen on; a free one unless given (a restarted replica keeps its port). */
  port?: number;
  /**
   * `backend.baseUrl` as clients see it, e.g. a proxy in front of several processes: callback
   * URLs and cookies name it. The process's own URL unless given.
   */
  publicBaseUrl?: string;
};

const backendPackageDir = resolvePackagePath('backend');
const repoRoot = resolvePath(backendPackageDir, '../..');

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe server'));
      });
    });
  });
}

/**
 * Starts any command that runs a Backstage backend, e.g. one unpacked from the production
 * bundle, and resolves once `/.backstage/health/v1/readiness` on `http://localhost:<port>`
 * answers 200. Rejects with the command's output if it exits first or is not ready in time.
 */
export async function startBackendCommand(
  options: BackendCommandOptions,
): Promise<BackendProcess> {
  const { port, ...processOptions } = options;
  const baseUrl = `http://localhost:${port}`;
  const started = await startProcess({
    ...processOptions,
    name: 'the backend',
    ready: { url: `${baseUrl}/.backstage/health/v1/readiness` },
  });
  return { ...started, baseUrl, port };
}

/**
 * Starts `packages/backend` as its own Node process, the way `yarn dev` runs it
 * (TypeScript through Backstage's module transform), and resolves once it is ready.
 */
export async function startBackendProcess(
  options: BackendProcessOptions,
): Promise<BackendProcess> {
  const port = options.port ?? (await findFreePort());
  return startBackendCommand({
    command: process.execPath,
    args: [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      options.entry ?? 'src/index.ts',
      ...options.configFiles.flatMap(file => [
        '--config',
        resolvePath(repoRoot, file),
      ]),
    ],
    cwd: backendPackageDir,
    port,
    env: {
      NODE_ENV: 'development',
      ...options.env,
      APP_CONFIG_backend_listen_port: String(port),
      APP_CONFIG_backend_baseUrl:
        options.publicBaseUrl ?? `http://localhost:${port}`,
    },
    readinessTimeoutMs: options.readinessTimeoutMs,
  });
}
