// Starts the dev server as a child process. Jest imports this file as
// `auth0-dev-server/process` after compiling it to CommonJS, so it must not use
// import.meta or top-level await, and imports nothing that does.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startProcess } from '@internal/child-process';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import { commandLineArgs, type CommandLineOptions } from './options.ts';
import { parseReadyLine, type ReadyInfo } from './readyLine.ts';

export type Auth0DevServerProcessOptions = CommandLineOptions & {
  /** Extra environment for the child; NODE_ENV is passed through unless given here. */
  env?: Record<string, string>;
  /** Each line the dev server prints other than the ready line. */
  onOutput?: (line: string) => void;
  /** 30 s unless given. */
  readinessTimeoutMs?: number;
  /** main.ts of this package; found next to this file unless given. */
  mainFile?: string;
};

export type Auth0DevServerProcess = ReadyInfo & {
  admin: AdminClient;
  /** Everything the dev server printed so far. */
  output(): string;
  stop(): Promise<void>;
};

/**
 * Runs `src/main.ts` with the current Node (which strips the types) and resolves once it
 * prints its ready line. Its port is a free one (0) unless given; `yarn dev` uses 7443.
 */
export async function startAuth0DevServerProcess(
  options: Auth0DevServerProcessOptions = {},
): Promise<Auth0DevServerProcess> {
  const devServer = await startProcess({
    name: 'auth0-dev-server',
    command: process.execPath,
    args: [
      options.mainFile ?? mainFile(),
      ...commandLineArgs({ ...options, port: options.port ?? 0 }),
    ],
    env: {
      ...options.env,
      // Ends the dev server when this process dies without stopping it.
      AUTH0_DEV_SERVER_EXIT_WITH_STDIN: 'true',
    },
    keepStdinOpen: true,
    ready: { line: parseReadyLine },
    readinessTimeoutMs: options.readinessTimeoutMs ?? 30_000,
    onLine: line => {
      if (!parseReadyLine(line)) options.onOutput?.(line);
    },
  });
  return {
    ...devServer.ready,
    admin: createAdminClient(devServer.ready.adminUrl),
    output: devServer.output,
    async stop() {
      await devServer.stop();
    },
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
