import { randomBytes } from 'node:crypto';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
} from '@internal/auth0-dev-server/process';
import {
  startBackendProcess,
  type BackendProcess,
  type BackendProcessOptions,
} from './backendProcess';

/** Backends in tests listen on random ports; the stand-in accepts any loopback port. */
export const ANY_LOCAL_CALLBACK =
  'http://localhost:*/api/auth/auth0/handler/frame';

/** The variables that point a backend at the stand-in and make it trust its CA. */
export function auth0Environment(
  auth0: Pick<
    Auth0DevServerProcess,
    'domain' | 'clientId' | 'clientSecret' | 'caFile'
  >,
): Record<string, string> {
  return {
    AUTH_AUTH0_DOMAIN: auth0.domain,
    AUTH_AUTH0_CLIENT_ID: auth0.clientId,
    AUTH_AUTH0_CLIENT_SECRET: auth0.clientSecret,
    AUTH_SESSION_SECRET: randomBytes(32).toString('base64url'),
    NODE_EXTRA_CA_CERTS: auth0.caFile,
  };
}

export type BackendWithAuth0 = {
  auth0: Auth0DevServerProcess;
  backend: BackendProcess;
  stop(): Promise<void>;
};

/** Starts the local Auth0 stand-in, then a backend process signing in through it. */
export async function startBackendWithAuth0(
  options: Partial<BackendProcessOptions> = {},
): Promise<BackendWithAuth0> {
  const auth0 = await startAuth0DevServerProcess({
    redirectUris: [ANY_LOCAL_CALLBACK],
  });
  let backend: BackendProcess;
  try {
    backend = await startBackendProcess({
      ...options,
      configFiles: options.configFiles ?? ['app-config.yaml'],
      env: { ...auth0Environment(auth0), ...options.env },
    });
  } catch (error) {
    await auth0.stop();
    throw error;
  }
  return {
    auth0,
    backend,
    async stop() {
      await backend.stop();
      await auth0.stop();
    },
  };
}
