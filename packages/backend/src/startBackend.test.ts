import { Writable } from 'node:stream';
import { startBackendOrExit } from './startBackend';

/** A stream whose writes complete only once the test releases it, as a full pipe would. */
class HeldStream extends Writable {
  text = '';
  #held = true;
  #pending: Array<() => void> = [];

  _write(chunk: Buffer, _encoding: string, callback: () => void) {
    this.text += chunk.toString();
    if (this.#held) this.#pending.push(callback);
    else callback();
  }

  release() {
    this.#held = false;
    const pending = this.#pending;
    this.#pending = [];
    pending.forEach(callback => callback());
  }

  get pendingWrites() {
    return this.#pending.length;
  }
}

const refusal = new Error(
  'Backend startup failed due to the following errors:\n  Plugin \'auth\' startup failed; caused by Error: The Auth0 provider cannot start:\n  - auth.session.secret is 10 characters long\n  - auth.providers.auth0.production.domain is "https://tenant.example.com"',
);

function fakeBackend(start: () => Promise<unknown>) {
  return { add: jest.fn(), start: jest.fn(start) };
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean) {
  while (!condition()) await new Promise(resolve => setImmediate(resolve));
}

describe('startBackendOrExit', () => {
  const exitCodeBefore = process.exitCode;
  afterEach(() => {
    process.exitCode = exitCodeBefore;
  });

  it('does not exit when the backend starts', async () => {
    const exit = jest.fn();
    const backend = fakeBackend(async () => ({ result: {} }));
    await startBackendOrExit(backend, { exit });
    expect(backend.start).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();
  });

  it('writes the whole refusal and exits with 1 only once the output is flushed', async () => {
    const stdout = new HeldStream();
    const stderr = new HeldStream();
    const exit = jest.fn();
    const done = startBackendOrExit(
      fakeBackend(() => Promise.reject(refusal)),
      { exit, stdout, stderr, flushTimeoutMs: 60_000 },
    );

    // Without a root logger (the fake backend starts no services) it writes to stderr.
    await until(() => stderr.pendingWrites > 0 && stdout.pendingWrites > 0);
    expect(stderr.text).toContain(
      'Backstage could not start and exits with code 1: Backend startup failed',
    );
    expect(stderr.text).toContain('auth.session.secret is 10 characters long');
    expect(stderr.text).toContain(
      'auth.providers.auth0.production.domain is "https://tenant.example.com"',
    );
    expect(process.exitCode).toBe(1);

    stdout.release();
    await new Promise(resolve => setImmediate(resolve));
    expect(exit).not.toHaveBeenCalled();

    stderr.release();
    await done;
    expect(exit).toHaveBeenCalledWith(1);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('exits after flushTimeoutMs when the output never drains', async () => {
    const stdout = new HeldStream();
    const exit = jest.fn();
    await startBackendOrExit(
      fakeBackend(() => Promise.reject('not an Error')),
      { exit, stdout, stderr: stdout, flushTimeoutMs: 1 },
    );
    expect(stdout.text).toContain(
      'Backstage could not start and exits with code 1: not an Error',
    );
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('adds the root service that hands over the root logger', async () => {
    const backend = fakeBackend(async () => ({ result: {} }));
    await startBackendOrExit(backend, { exit: jest.fn() });
    expect(backend.add).toHaveBeenCalledTimes(1);
    const [factory] = backend.add.mock.calls[0];
    expect(factory.service.id).toBe('backend.startupFailureLogger');
    expect(factory.service.scope).toBe('root');
  });
});
