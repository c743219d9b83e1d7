import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type RootLoggerService,
} from '@backstage/backend-plugin-api';
import type { createBackend } from '@backstage/backend-defaults';

/** What this needs of `createBackend()`'s backend. */
type Backend = {
  add: ReturnType<typeof createBackend>['add'];
  start(): Promise<unknown>;
};

export type StartBackendOptions = {
  /** Ends the process; `process.exit` unless given (tests pass their own). */
  exit?: (code: number) => void;
  /** Where logs go, flushed before exiting; the process's own unless given. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** How long flushing may take before the process exits anyway. */
  flushTimeoutMs?: number;
};

/**
 * A root service that no plugin uses: root services start before any plugin, so its factory
 * hands over the root logger even when a plugin's startup fails later.
 */
const startupLoggerRef = createServiceRef<RootLoggerService>({
  id: 'backend.startupFailureLogger',
  scope: 'root',
});

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise(resolve => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Starts the backend; when startup fails, logs why and ends the process with code 1.
 *
 * Backstage's `backend.start()` rejects with a `BackendStartupError` once every plugin has
 * finished initializing and one of them failed (the Auth0 module refusing its config, say).
 * Nothing else ends the process: with the rejection unhandled, Backstage's own
 * `unhandledRejection` listener logs "Unhandled rejection …" and the HTTP server, the
 * scheduler and the plugins that did start keep it running, with liveness answering 200.
 * Exiting instead lets Kubernetes (or whoever started it) see the failure and restart it.
 */
export function startBackendOrExit(
  backend: Backend,
  options: StartBackendOptions = {},
): Promise<void> {
  const {
    exit = code => process.exit(code),
    stdout = process.stdout,
    stderr = process.stderr,
    flushTimeoutMs = 5_000,
  } = options;

  let rootLogger: RootLoggerService | undefined;
  backend.add(
    createServiceFactory({
      service: startupLoggerRef,
      deps: { rootLogger: coreServices.rootLogger },
      factory({ rootLogger: logger }) {
        rootLogger = logger;
        return logger;
      },
    }),
  );

  return backend.start().then(
    () => undefined,
    async (error: unknown) => {
      process.exitCode = 1;
      const reason =
        error instanceof Error ? error.message : String(error ?? 'unknown');
      const message = `Backstage could not start and exits with code 1: ${reason}`;
      if (rootLogger) {
        // Through Backstage's logger: the format of every other line, and config secrets
        // redacted.
        rootLogger.error(message, { type: 'startupFailure' });
      } else {
        // A root service failed before the logger was handed over.
        const stack = error instanceof Error ? error.stack : undefined;
        stderr.write(`${message}\n${stack ? `${stack}\n` : ''}`);
      }
      let deadline: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([flushed(stdout), flushed(stderr)]),
        new Promise(resolve => {
          deadline = setTimeout(resolve, flushTimeoutMs);
        }),
      ]);
      clearTimeout(deadline);
      exit(1);
    },
  );
}
