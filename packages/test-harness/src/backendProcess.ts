import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

export type BackendProcess = {
  /** Where this process listens (not the public URL when `publicBaseUrl` is given). */
  baseUrl: string;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
  /** Ends the process with SIGKILL, as a crash or an OOM kill would; resolves once it exited. */
  kill(): Promise<void>;
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
 * Starts `packages/backend` as its own Node process, the way `yarn dev` runs it
 * (TypeScript through Backstage's module transform), and resolves once
 * `/.backstage/health/v1/readiness` answers 200.
 */
export async function startBackendProcess(
  options: BackendProcessOptions,
): Promise<BackendProcess> {
  const port = options.port ?? (await findFreePort());
  const baseUrl = `http://localhost:${port}`;
  const configArgs = options.configFiles.flatMap(file => [
    '--config',
    resolvePath(repoRoot, file),
  ]);
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      options.entry ?? 'src/index.ts',
      ...configArgs,
    ],
    {
      cwd: backendPackageDir,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        ...options.env,
        APP_CONFIG_backend_listen_port: String(port),
        APP_CONFIG_backend_baseUrl: options.publicBaseUrl ?? baseUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );

  const backend: BackendProcess = {
    baseUrl,
    port,
    output: () => output,
    stop: () => stopProcess(child, exited),
    kill: () => killProcess(child, exited),
  };

  try {
    await waitForReadiness(
      baseUrl,
      exited,
      options.readinessTimeoutMs ?? 90_000,
    );
  } catch (error) {
    await backend.stop();
    throw new Error(
      `${(error as Error).message}\n--- backend output ---\n${output}`,
    );
  }
  return backend;
}

async function waitForReadiness(
  baseUrl: string,
  exited: Promise<number | null>,
  timeoutMs: number,
) {
  let hasExited = false;
  let exitCode: number | null = null;
  exited.then(code => {
    hasExited = true;
    exitCode = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited) {
      throw new Error(
        `the backend exited with code ${exitCode} before it was ready`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await Promise.race([exited, new Promise(r => setTimeout(r, 250))]);
  }
  throw new Error(`the backend was not ready within ${timeoutMs} ms`);
}

async function stopProcess(
  child: ChildProcess,
  exited: Promise<number | null>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const forceKill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forceKill);
}

async function killProcess(
  child: ChildProcess,
  exited: Promise<number | null>,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await exited;
}
