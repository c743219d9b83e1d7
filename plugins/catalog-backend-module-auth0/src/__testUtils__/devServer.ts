import {
  startAuth0DevServerProcessWithFetch,
  type Auth0DevServerProcessWithFetch,
} from '@internal/auth0-dev-server/caTrustingFetch';

/**
 * The dev server in a child process; its `fetch` trusts the dev server's CA, for the
 * provider's `fetch` option (the SDK's requests and the export download).
 */
export type DevServer = Auth0DevServerProcessWithFetch;

/** The dev server in a child process, with its CA trusted by `fetch` only. */
export async function startDevServer(): Promise<DevServer> {
  return startAuth0DevServerProcessWithFetch();
}
