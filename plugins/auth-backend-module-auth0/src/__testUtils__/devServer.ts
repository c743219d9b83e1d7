import {
  startAuth0DevServerProcessWithFetch,
  type Auth0DevServerProcessWithFetch,
} from '@internal/auth0-dev-server/caTrustingFetch';
import {
  createBrowser,
  type Browser,
} from '@internal/auth0-dev-server/browser';

/** The callback URL of tests without a backend: the browser stops before it. */
export const CALLBACK_URL =
  'http://localhost:7007/api/auth/auth0/handler/frame';

/** The dev server in a child process; its `fetch` trusts its CA, for the module's `fetch` option. */
export type DevServer = Auth0DevServerProcessWithFetch;

/** The dev server in a child process, with the CA trusted by `fetch` only. */
export async function startDevServer(): Promise<DevServer> {
  return startAuth0DevServerProcessWithFetch({
    // Test backends listen on random ports.
    redirectUris: ['http://localhost:*/api/auth/auth0/handler/frame'],
  });
}

/**
 * A person in a browser at the dev server: opens `url` (an /authorize URL, or a backend's
 * /start), signs in as one of its fixture users
 * (packages/auth0-dev-server/fixtures/users.yaml) when it asks, and stops where Auth0
 * sends the browser back to `callbackUrl`, which it returns.
 */
export async function signInAtDevServer(options: {
  browser: Browser;
  url: string;
  user: string;
  callbackUrl?: string;
}): Promise<URL> {
  const { browser, user, callbackUrl = CALLBACK_URL } = options;
  const untilCallback = {
    until: (url: string) => url.startsWith(callbackUrl),
  };
  let page = (
    await browser.follow(await browser.get(options.url), untilCallback)
  ).response;
  const login = /action="(\/interaction\/[^"]+\/login)"/.exec(page.body);
  if (login) {
    const submitted = await browser.post(new URL(login[1], page.url).href, {
      user,
      password: 'password',
    });
    page = (await browser.follow(submitted, untilCallback)).response;
  }
  if (!page.location?.startsWith(callbackUrl)) {
    throw new Error(
      `the dev server did not send the browser back to ${callbackUrl}: ${
        page.status
      } ${page.body.slice(0, 500)}`,
    );
  }
  return new URL(page.location);
}

/** The query Auth0 sends to the callback (`code` and `state`, or `error`) after a sign-in. */
export async function callbackFromDevServer(
  auth0: DevServer,
  url: string,
  user: string,
): Promise<Record<string, string>> {
  const browser = createBrowser({ caFile: auth0.caFile });
  try {
    const callback = await signInAtDevServer({
      browser,
      url,
      user,
    });
    return Object.fromEntries(callback.searchParams);
  } finally {
    await browser.close();
  }
}

/** An /authorize URL as the authenticator builds it, for tests of Auth0Tokens alone. */
export function authorizeUrl(
  auth0: DevServer,
  params: { nonce: string; organization?: string },
): string {
  const url = new URL(`${auth0.issuer}authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth0.clientId,
    redirect_uri: CALLBACK_URL,
    scope: 'openid profile email offline_access',
    state: 'state',
    ...params,
  }).toString();
  return url.href;
}
