// A `fetch` that trusts the dev server's CA, for tests that give it to the code under test
// (a `fetch` option). Setting a global dispatcher would not do under Jest: Node's fetch lives
// outside Jest's sandbox and reads the dispatcher from its own global object. Importable from
// Jest as `@internal/auth0-dev-server/caTrustingFetch`, so it must not use import.meta or
// top-level await, and imports nothing that does.
import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
  type Auth0DevServerProcessOptions,
} from './process.ts';

export type CaTrustingFetch = typeof fetch & {
  /** Closes its connections. */
  close(): Promise<void>;
};

/** A `fetch` that trusts the CA in `caFile` (only the CA, and only this `fetch`). */
export function caTrustingFetch(caFile: string): CaTrustingFetch {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
  const trustingFetch = (input: RequestInfo | URL, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
  return Object.assign(trustingFetch as unknown as typeof fetch, {
    close: () => dispatcher.close(),
  });
}

export type Auth0DevServerProcessWithFetch = Auth0DevServerProcess & {
  /** A fetch that trusts the dev server's CA; `stop` closes it too. */
  fetch: typeof fetch;
};

/** The dev server in a child process, with its CA trusted by `fetch` only. */
export async function startAuth0DevServerProcessWithFetch(
  options: Auth0DevServerProcessOptions = {},
): Promise<Auth0DevServerProcessWithFetch> {
  const auth0 = await startAuth0DevServerProcess(options);
  const trustingFetch = caTrustingFetch(auth0.caFile);
  return {
    ...auth0,
    fetch: trustingFetch,
    async stop() {
      await trustingFetch.close();
      await auth0.stop();
    },
  };
}
