import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
} from '@internal/auth0-dev-server/process';

export type DevServer = Auth0DevServerProcess & {
  /**
   * A fetch that trusts the dev server's CA, for the provider's `fetch` option (the SDK's
   * requests and the export download). A global dispatcher would not do: Node's fetch lives
   * outside Jest's sandbox and reads the dispatcher from its own global object.
   */
  fetch: typeof fetch;
};

/** The dev server in a child process, with its CA trusted by `fetch` only. */
export async function startDevServer(): Promise<DevServer> {
  const auth0 = await startAuth0DevServerProcess();
  const dispatcher = new Agent({ connect: { ca: readFileSync(auth0.caFile) } });
  const trustingFetch = (input: RequestInfo | URL, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
  return {
    ...auth0,
    fetch: trustingFetch as unknown as typeof fetch,
    async stop() {
      await dispatcher.close();
      await auth0.stop();
    },
  };
}
