import { ChildProcess, spawn } from 'node:child_process';
import type { BackendProcess } from './backendProcess';

/** How a process ended. */
export type ProcessExit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether `stop()` had to follow its SIGTERM with a SIGKILL. */
  forced: boolean;
};

/** A started command: a {@link BackendProcess} whose `stop()` says how it ended. */
export type CommandProcess = Omit<BackendProcess, 'stop'> & {
  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves with how the process ended. */
  stop(): Promise<ProcessExit>;
  /** How the process ended, once it has. */
  exit(): ProcessExit | undefined;
};

export type CommandProcessOptions = {
  /** The program, e.g. `process.execPath`. */
  command: string;
  args?: string[];
  cwd: string;
  /**
   * The port the command listens on, which the command's own arguments or environment
   * must make it use; readiness is polled there.
   */
  port: number;
  /** Added to this process's environment, or the whole environment with `inheritEnv: false`. */
  env?: Record<string, string | undefined>;
  /** `true` unless given. With `false` the command sees `env` and nothing else. */
  inheritEnv?: boolean;
  readinessTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL; 10 s unless given. */
  stopTimeoutMs?: number;
};

/**
 * Starts any command that serves Backstage's health endpoints, e.g. a backend unpacked from
 * the production bundle, and resolves once `/.backstage/health/v1/readiness` on
 * `http://localhost:<port>` answers 200. Rejects with the command's output if it exits first
 * or is not ready in time.
 */
export async function startCommandProcess(
  options: CommandProcessOptions,
): Promise<CommandProcess> {
  const baseUrl = `http://localhost:${options.port}`;
  const env =
    options.inheritEnv === false
      ? { ...options.env }
      : { ...process.env, ...options.env };
  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  let exit: ProcessExit | undefined;
  let forced = false;
  const exited = new Promise<ProcessExit>(resolve => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      exit ??= { code, signal, forced };
      resolve(exit);
    };
    child.once('exit', done);
    // A command that cannot be spawned at all (ENOENT) emits `error` and no `exit`.
    child.once('error', error => {
      output += `${error.message}\n`;
      done(null, null);
    });
  });

  const stop = async (): Promise<ProcessExit> => {
    if (!exit && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const forceKill = setTimeout(() => {
        forced = true;
        child.kill('SIGKILL');
      }, options.stopTimeoutMs ?? 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(forceKill);
      }
    }
    return exited;
  };
  const kill = async () => {
    if (!exit && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
    await exited;
  };

  const started: CommandProcess = {
    baseUrl,
    port: options.port,
    output: () => output,
    stop,
    kill,
    exit: () => exit,
  };
  try {
    await waitUntilReady(
      baseUrl,
      child,
      exited,
      options.readinessTimeoutMs ?? 90_000,
    );
  } catch (error) {
    await stop();
    throw new Error(
      `${(error as Error).message}\n--- output of ${
        options.command
      } ---\n${output}`,
    );
  }
  return started;
}

async function waitUntilReady(
  baseUrl: string,
  child: ChildProcess,
  exited: Promise<ProcessExit>,
  timeoutMs: number,
) {
  let exit: ProcessExit | undefined;
  exited.then(result => (exit = result));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(
        `the process exited (${
          exit.signal ?? `code ${exit.code}`
        }) before it was ready`,
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
  throw new Error(
    `the process (pid ${child.pid}) was not ready on ${baseUrl} within ${timeoutMs} ms`,
  );
}
