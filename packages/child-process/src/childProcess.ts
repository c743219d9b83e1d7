// Jest compiles this file to CommonJS for the tests that import it, and `yarn dev` runs it as
// an ES module: it must not use import.meta or top-level await.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a process ended. */
export type ProcessExit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether `stop()` had to follow its SIGTERM with a SIGKILL. */
  forced: boolean;
};

/**
 * When a started process counts as ready: once `url` answers with a 2xx status, or at the
 * first line of its output for which `line` returns something (which `ready` then holds).
 */
export type Readiness<Ready> =
  | { url: string }
  | { line: (line: string) => Ready | undefined };

export type ProcessOptions<Ready> = {
  /** What messages call the process, e.g. `the backend`. */
  name: string;
  /** The program, e.g. `process.execPath`. */
  command: string;
  args?: string[];
  cwd?: string;
  /** Added to this process's environment, or the whole environment with `inheritEnv: false`. */
  env?: Record<string, string | undefined>;
  /** `true` unless given. With `false` the command sees `env` and nothing else. */
  inheritEnv?: boolean;
  /**
   * Gives the process a stdin that stays open until this process ends, for commands that
   * exit when their stdin closes and so do not outlive a parent that died without stopping
   * them. Without it, stdin is closed from the start.
   */
  keepStdinOpen?: boolean;
  /** Started as soon as it runs, unless given. */
  ready?: Readiness<Ready>;
  /** 90 s unless given. */
  readinessTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL; 10 s unless given. */
  stopTimeoutMs?: number;
  /** Each line the process prints, on stdout or stderr, as it comes. */
  onLine?: (line: string) => void;
};

export type StartedProcess<Ready = undefined> = {
  pid: number | undefined;
  /** What the `line` readiness check returned for the line that made the process ready. */
  ready: Ready;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the output once it satisfies `condition`; rejects after `timeoutMs` (10 s). */
  waitForOutput(
    condition: (output: string) => boolean,
    timeoutMs?: number,
  ): Promise<string>;
  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves with how the process ended. */
  stop(): Promise<ProcessExit>;
  /** SIGKILL at once, as a crash or an OOM kill would; resolves with how the process ended. */
  kill(): Promise<ProcessExit>;
  /** How the process ended, once it has. */
  exit(): ProcessExit | undefined;
  /** Resolves once the process ended and its output has been read. */
  exited: Promise<ProcessExit>;
};

// After `exit`, how long to wait for the output pipes to close: a grandchild that inherited
// them may keep them open long after.
const CLOSE_GRACE_MS = 2_000;

/**
 * Starts a command and resolves once it is ready. Rejects, with the command's output, when
 * it cannot start, exits first or is not ready in time; the process is stopped by then.
 */
export async function startProcess<Ready = undefined>(
  options: ProcessOptions<Ready>,
): Promise<StartedProcess<Ready>> {
  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env:
      options.inheritEnv === false
        ? { ...options.env }
        : { ...process.env, ...options.env },
    stdio: [options.keepStdinOpen ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });

  let output = '';
  const collect = (chunk: string) => {
    output += chunk;
  };
  const lineListeners = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    options.onLine?.(line);
    lineListeners.forEach(listener => listener(line));
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', collect);
    createInterface({ input: stream }).on('line', onLine);
  }

  let exit: ProcessExit | undefined;
  let forced = false;
  const exited = new Promise<ProcessExit>(resolve => {
    const done = () => resolve(exit!);
    child.once('exit', (code, signal) => {
      exit ??= { code, signal, forced };
      setTimeout(done, CLOSE_GRACE_MS).unref();
    });
    child.once('close', done);
    // A command that cannot be spawned at all (ENOENT) emits `error` and may emit no `exit`.
    child.once('error', error => {
      output += `${error.message}\n`;
      if (child.pid === undefined) {
        exit ??= { code: null, signal: null, forced };
        done();
      }
    });
  });
  const running = () =>
    !exit && child.exitCode === null && child.signalCode === null;

  const stop = async (): Promise<ProcessExit> => {
    if (!running()) return exited;
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
  };
  const kill = async (): Promise<ProcessExit> => {
    if (running()) child.kill('SIGKILL');
    return exited;
  };

  const waitForOutput = async (
    condition: (output: string) => boolean,
    timeoutMs = 10_000,
  ) => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      if (condition(output)) return output;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    if (condition(output)) return output;
    throw new Error(
      `the output of ${options.name} did not show what was waited for within ${timeoutMs} ms:\n${output}`,
    );
  };

  let ready: Ready;
  try {
    ready = await untilReady(options, {
      exited,
      pid: child.pid,
      onLine: listener => lineListeners.add(listener),
    });
  } catch (error) {
    await stop();
    throw new Error(
      `${(error as Error).message}\n--- output of ${
        options.name
      } ---\n${output}`,
    );
  } finally {
    lineListeners.clear();
  }
  return {
    pid: child.pid,
    ready,
    output: () => output,
    waitForOutput,
    stop,
    kill,
    exit: () => exit,
    exited,
  };
}

async function untilReady<Ready>(
  options: ProcessOptions<Ready>,
  child: {
    exited: Promise<ProcessExit>;
    pid: number | undefined;
    onLine: (listener: (line: string) => void) => void;
  },
): Promise<Ready> {
  const { ready: readiness, name } = options;
  if (!readiness) return undefined as Ready;
  const timeoutMs = options.readinessTimeoutMs ?? 90_000;

  let timer: NodeJS.Timeout | undefined;
  const failures = Promise.race([
    child.exited.then(({ code, signal }) => {
      throw new Error(
        `${name} exited (${signal ?? `code ${code}`}) before it was ready`,
      );
    }),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `${name} (pid ${child.pid}) was not ready${
                'url' in readiness ? ` on ${readiness.url}` : ''
              } within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
    }),
  ]);
  let settled = false;
  try {
    return await Promise.race([
      failures,
      'url' in readiness
        ? pollUntilOk(readiness.url, () => settled).then(
            () => undefined as Ready,
          )
        : new Promise<Ready>(resolve =>
            child.onLine(line => {
              const value = readiness.line(line);
              if (value !== undefined) resolve(value);
            }),
          ),
    ]);
  } finally {
    settled = true;
    clearTimeout(timer);
  }
}

async function pollUntilOk(url: string, givenUp: () => boolean) {
  while (!givenUp()) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}
