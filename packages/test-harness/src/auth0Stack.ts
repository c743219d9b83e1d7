import { randomBytes } from 'node:crypto';
import {
  createBrowser,
  type Browser,
} from '@internal/auth0-dev-server/browser';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
} from '@internal/auth0-dev-server/process';
import { waitForCatalogUser } from './auth0SignIn';
import {
  startBackendProcess,
  type BackendProcess,
  type BackendProcessOptions,
} from './backendProcess';

/** Backends in tests listen on random ports; the dev server accepts any loopback port. */
export const ANY_LOCAL_CALLBACK =
  'http://localhost:*/api/auth/auth0/handler/frame';

/**
 * The variables that point a backend at the dev server and make it trust its CA: sign-in, and
 * the Management API for the catalog layers (app-config.auth0-catalog*.yaml) when a test uses one.
 */
export function auth0Environment(
  auth0: Pick<
    Auth0DevServerProcess,
    | 'domain'
    | 'clientId'
    | 'clientSecret'
    | 'managementClientId'
    | 'managementClientSecret'
    | 'caFile'
  >,
): Record<string, string> {
  return {
    AUTH_AUTH0_DOMAIN: auth0.domain,
    AUTH_AUTH0_CLIENT_ID: auth0.clientId,
    AUTH_AUTH0_CLIENT_SECRET: auth0.clientSecret,
    AUTH0_MANAGEMENT_CLIENT_ID: auth0.managementClientId,
    AUTH0_MANAGEMENT_CLIENT_SECRET: auth0.managementClientSecret,
    AUTH_SESSION_SECRET: randomBytes(32).toString('base64url'),
    NODE_EXTRA_CA_CERTS: auth0.caFile,
  };
}

export type Auth0SignInStackOptions = Partial<BackendProcessOptions> & {
  /** A catalog user the tests sign in as: they start once the catalog has it. */
  catalogUser: string;
};

/** The dev server and a backend signing in through it, for the tests of one describe block. */
export type Auth0SignInStack = {
  readonly auth0: Auth0DevServerProcess;
  readonly backend: BackendProcess;
  /** A new browser that trusts the dev server's CA; closed after the block's tests. */
  newBrowser(): Browser;
};

/**
 * Registers Jest hooks in the describe block it is called in: before the block's tests, start
 * the dev server and a backend process signing in through it (with `app-config.yaml` unless
 * `configFiles` says otherwise), and wait until the catalog has `catalogUser`; after them,
 * close the browsers and stop both.
 */
export function registerAuth0SignInStack(
  options: Auth0SignInStackOptions,
): Auth0SignInStack {
  const { catalogUser, ...backendOptions } = options;
  let auth0: Auth0DevServerProcess | undefined;
  let backend: BackendProcess | undefined;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    auth0 = await startAuth0DevServerProcess({
      redirectUris: [ANY_LOCAL_CALLBACK],
    });
    backend = await startBackendProcess({
      ...backendOptions,
      configFiles: backendOptions.configFiles ?? ['app-config.yaml'],
      env: { ...auth0Environment(auth0), ...backendOptions.env },
    });
    await waitForCatalogUser(backend, catalogUser);
  });

  afterAll(async () => {
    await Promise.all(browsers.splice(0).map(browser => browser.close()));
    await backend?.stop();
    await auth0?.stop();
  });

  function started<T>(value: T | undefined, what: string): T {
    if (value === undefined) {
      throw new Error(
        `${what} runs only during the tests of the describe block that registers it`,
      );
    }
    return value;
  }
  return {
    get auth0() {
      return started(auth0, 'the dev server');
    },
    get backend() {
      return started(backend, 'the backend');
    },
    newBrowser() {
      const browser = createBrowser({
        caFile: started(auth0, 'the dev server').caFile,
      });
      browsers.push(browser);
      return browser;
    },
  };
}
