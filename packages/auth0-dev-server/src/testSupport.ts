// Helpers for this package's own tests: a dev server on free ports with a fresh state
// folder, and the steps of the authorization-code flow as a client performs them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBrowser,
  type Browser,
  type BrowserResponse,
} from './browser.ts';
import type { Auth0DevServerOptions } from './options.ts';
import { startAuth0DevServer, type Auth0DevServer } from './server.ts';

/** The client's callback; the dev server never calls it, tests read the code off the redirect. */
export const callbackUrl = 'http://localhost:3999/api/auth/auth0/handler/frame';
export const signedOutUrl = 'http://localhost:3000/';
export const password = 'password';

export type TestStandIn = {
  server: Auth0DevServer;
  /** A new browser (own cookies) that trusts this dev server's CA. */
  browser(): Browser;
  stop(): Promise<void>;
};

export async function startTestStandIn(
  overrides: Auth0DevServerOptions = {},
): Promise<TestStandIn> {
  const stateDir = await mkdtemp(join(tmpdir(), 'auth0-dev-server-test-'));
  const server = await startAuth0DevServer({
    port: 0,
    adminPort: 0,
    stateDir,
    redirectUris: ['http://localhost:*/api/auth/auth0/handler/frame'],
    logoutUrls: ['http://localhost:3000'],
    log: () => {},
    ...overrides,
  });
  const browsers: Browser[] = [];
  return {
    server,
    browser() {
      const browser = createBrowser({ caFile: server.caFile });
      browsers.push(browser);
      return browser;
    },
    async stop() {
      await Promise.all(browsers.map(browser => browser.close()));
      await server.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export function authorizeUrl(
  server: Auth0DevServer,
  params: Record<string, string> = {},
): string {
  const url = new URL('authorize', server.issuer);
  const all = {
    response_type: 'code',
    client_id: server.clientId,
    redirect_uri: callbackUrl,
    scope: 'openid profile email offline_access',
    state: 'state-123',
    nonce: 'nonce-456',
    ...params,
  };
  for (const [key, value] of Object.entries(all))
    url.searchParams.set(key, value);
  return url.href;
}

/** Follows the dev server's redirects until it sends the browser to the client's callback. */
export async function untilCallbackOrPage(
  browser: Browser,
  response: BrowserResponse,
): Promise<BrowserResponse> {
  const isCallback = (url: string) => url.startsWith(callbackUrl);
  const { response: last } = await browser.follow(response, {
    until: isCallback,
  });
  return last;
}

/** The interaction page URL (login or consent) the browser is on after /authorize. */
export async function openAuthorize(
  browser: Browser,
  server: Auth0DevServer,
  params: Record<string, string> = {},
): Promise<BrowserResponse> {
  return untilCallbackOrPage(
    browser,
    await browser.get(authorizeUrl(server, params)),
  );
}

export function callbackParams(response: BrowserResponse): URLSearchParams {
  if (!response.location?.startsWith(callbackUrl)) {
    throw new Error(
      `expected a redirect to the callback, got ${response.status} ${
        response.location ?? ''
      }\n${response.body.slice(0, 500)}`,
    );
  }
  return new URL(response.location).searchParams;
}

export function loginAction(page: BrowserResponse): string {
  const match = /action="(\/interaction\/[^"]+\/login)"/.exec(page.body);
  if (!match) {
    throw new Error(
      `not a login page (${page.status} ${page.url}):\n${page.body.slice(
        0,
        500,
      )}`,
    );
  }
  return new URL(match[1], page.url).href;
}

export function consentAction(page: BrowserResponse): string {
  const match = /action="(\/interaction\/[^"]+\/consent)"/.exec(page.body);
  if (!match) {
    throw new Error(
      `not a consent page (${page.status} ${page.url}):\n${page.body.slice(
        0,
        500,
      )}`,
    );
  }
  return new URL(match[1], page.url).href;
}

/** authorize → login page → credentials → back at the callback; returns the callback's parameters. */
export async function signIn(
  browser: Browser,
  server: Auth0DevServer,
  credentials: Record<string, string> = {
    email: 'chris@example.com',
    password,
  },
  params: Record<string, string> = {},
): Promise<URLSearchParams> {
  const page = await openAuthorize(browser, server, params);
  const submitted = await browser.post(loginAction(page), credentials);
  return callbackParams(await untilCallbackOrPage(browser, submitted));
}

export type TokenResponse = {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
};

/** POST /oauth/token with the client credentials in the body, as passport-auth0 sends them. */
export async function tokenRequest(
  browser: Browser,
  server: Auth0DevServer,
  form: Record<string, string>,
): Promise<{ status: number; body: TokenResponse }> {
  const response = await browser.post(
    new URL('oauth/token', server.issuer).href,
    {
      client_id: server.clientId,
      client_secret: server.clientSecret,
      ...form,
    },
  );
  return { status: response.status, body: JSON.parse(response.body) };
}

export async function exchangeCode(
  browser: Browser,
  server: Auth0DevServer,
  code: string,
): Promise<{ status: number; body: TokenResponse }> {
  return tokenRequest(browser, server, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: callbackUrl,
  });
}

export async function refresh(
  browser: Browser,
  server: Auth0DevServer,
  refreshToken: string,
): Promise<{ status: number; body: TokenResponse }> {
  return tokenRequest(browser, server, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
}

/** Signs chris (or whom `credentials` name) in and exchanges the code: a fresh set of tokens. */
export async function tokensFor(
  browser: Browser,
  server: Auth0DevServer,
  credentials?: Record<string, string>,
  authorizeParams: Record<string, string> = {},
): Promise<TokenResponse> {
  const params = await signIn(browser, server, credentials, authorizeParams);
  const { status, body } = await exchangeCode(
    browser,
    server,
    params.get('code')!,
  );
  if (status !== 200)
    throw new Error(
      `token exchange answered ${status}: ${JSON.stringify(body)}`,
    );
  return body;
}

/** POST /oauth/revoke with the client's credentials, as a form or as JSON. */
export async function revokeRequest(
  browser: Browser,
  server: Auth0DevServer,
  params: Record<string, string>,
  as: 'form' | 'json' = 'form',
): Promise<BrowserResponse> {
  const body = {
    client_id: server.clientId,
    client_secret: server.clientSecret,
    ...params,
  };
  return browser.request(new URL('oauth/revoke', server.issuer).href, {
    method: 'POST',
    ...(as === 'form' ? { form: body } : { json: body }),
  });
}

export async function userinfo(
  browser: Browser,
  server: Auth0DevServer,
  accessToken: string,
  form: 'query' | 'header' = 'query',
): Promise<BrowserResponse> {
  const url = new URL('userinfo', server.issuer);
  if (form === 'query') {
    url.searchParams.set('access_token', accessToken);
    return browser.get(url.href);
  }
  return browser.request(url.href, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
}

/**
 * `POST /oauth/token` with `grant_type=client_credentials` for the Management API, as the
 * auth0 SDK sends it (a form, the secret in the body); `form` overrides any field.
 */
export async function managementTokenRequest(
  browser: Browser,
  server: Auth0DevServer,
  form: Record<string, string> = {},
): Promise<{ status: number; body: TokenResponse }> {
  const response = await browser.post(
    new URL('oauth/token', server.issuer).href,
    {
      grant_type: 'client_credentials',
      client_id: server.managementClientId,
      client_secret: server.managementClientSecret,
      audience: server.managementAudience,
      ...form,
    },
  );
  return { status: response.status, body: JSON.parse(response.body) };
}

/** A Management API token for the machine-to-machine application. */
export async function managementToken(
  browser: Browser,
  server: Auth0DevServer,
): Promise<string> {
  const { status, body } = await managementTokenRequest(browser, server);
  if (status !== 200 || !body.access_token) {
    throw new Error(
      `token request answered ${status}: ${JSON.stringify(body)}`,
    );
  }
  return body.access_token;
}

export type ApiResponse = {
  status: number;
  headers: Headers;
  // The parsed JSON body: tests look into it freely.
  body: any;
};

/** A Management API call: `path` is under /api/v2/ (`users?per_page=5`). */
export async function managementApiRequest(
  browser: Browser,
  server: Auth0DevServer,
  token: string | undefined,
  path: string,
  init: { method?: string; json?: unknown } = {},
): Promise<ApiResponse> {
  const response = await browser.request(
    new URL(`api/v2/${path}`, server.issuer).href,
    {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      json: init.json,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    },
  );
  return {
    status: response.status,
    headers: response.headers,
    body: response.body === '' ? undefined : JSON.parse(response.body),
  };
}
