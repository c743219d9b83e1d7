// Starts the stand-in as a child process. Jest imports this file as
// `auth0-dev-server/process` after compiling it to CommonJS, so it must not use
// import.meta or top-level await, and imports nothing that does.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import { parseReadyLine, type ReadyInfo } from './readyLine.ts';

export type Auth0DevServerProcessOptions = {
  /** 0 (the default here) picks a free port; `yarn dev` uses 7443. */
  port?: number;
  adminPort?: number;
  stateDir?: string;
  usersFile?: string;
  clientId?: string;
  clientSecret?: string;
  /** Allowed callback URLs; a loopback URL's port may be `*`. */
  redirectUris?: string[];
  logoutUrls?: string[];
  refreshTokenRotation?: boolean;
  userinfoRateLimit?: boolean;
  /** Extra environment for the child; NODE_ENV is passed through unless given here. */
  env?: Record<string, string>;
  /** Each line the stand-in prints other than the ready line. */
  onOutput?: (line: string) => void;
  readinessTimeoutMs?: number;
  /** main.ts of this package; found next to this file unless given. */
  mainFile?: string;
};

export type Auth0DevServerProcess = ReadyInfo & {
  admin: AdminClient;
  /** Everything the stand-in printed so far. */
  output(): string;
  stop(): Promise<void>;
};

/**
 * Runs `src/main.ts` with the current Node (which strips the types) and resolves once it
 * prints its ready line.
 */
export async function startAuth0DevServerProcess(
  options: Auth0DevServerProcessOptions = {},
): Promise<Auth0DevServerProcess> {
  const args = [
    options.mainFile ?? mainFile(),
    '--port',
    String(options.port ?? 0),
  ];
  const flag = (
    name: string,
    value: string | number | boolean | string[] | undefined,
  ) => {
    if (value === undefined) return;
    args.push(
      `--${name}`,
      Array.isArray(value) ? value.join(',') : String(value),
    );
  };
  flag('admin-port', options.adminPort);
  flag('state-dir', options.stateDir);
  flag('users-file', options.usersFile);
  flag('client-id', options.clientId);
  flag('client-secret', options.clientSecret);
  flag('redirect-uris', options.redirectUris);
  flag('logout-urls', options.logoutUrls);
  flag('refresh-token-rotation', options.refreshTokenRotation);
  flag('userinfo-rate-limit', options.userinfoRateLimit);

  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      ...options.env,
      // Ends the stand-in when this process dies without stopping it.
      AUTH0_DEV_SERVER_EXIT_WITH_STDIN: 'true',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  let output = '';
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );
  const ready = new Promise<ReadyInfo>((resolve, reject) => {
    const onLine = (line: string) => {
      output += `${line}\n`;
      const info = parseReadyLine(line);
      if (info) {
        resolve(info);
      } else {
        options.onOutput?.(line);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('error', reject);
    exited.then(code =>
      reject(
        new Error(
          `auth0-dev-server exited with code ${code} before it was ready:\n${output}`,
        ),
      ),
    );
  });

  const timeoutMs = options.readinessTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `auth0-dev-server was not ready within ${timeoutMs} ms:\n${output}`,
          ),
        ),
      timeoutMs,
    );
  });

  const stop = () => stopProcess(child, exited);
  let info: ReadyInfo;
  try {
    info = await Promise.race([ready, timeout]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    ...info,
    admin: createAdminClient(info.adminUrl),
    output: () => output,
    stop,
  };
}

/**
 * main.ts, found as `@internal/auth0-dev-server/main` from the working directory: this file cannot
 * name its own folder the same way as an ES module and compiled to CommonJS by Jest.
 */
function mainFile(): string {
  try {
    return createRequire(join(process.cwd(), 'package.json')).resolve(
      '@internal/auth0-dev-server/main',
    );
  } catch (error) {
    throw new Error(
      `auth0-dev-server: cannot find @internal/auth0-dev-server/main from ${process.cwd()}; run from inside the repository or pass mainFile (${
        (error as Error).message
      })`,
    );
  }
}

async function stopProcess(
  child: ChildProcess,
  exited: Promise<number | null>,
) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const forceKill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forceKill);
}
