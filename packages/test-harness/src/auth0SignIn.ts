import type { Browser, BrowserResponse } from 'auth0-dev-server/browser';
import type { BackendProcess } from './backendProcess';

/** The message the /handler/frame page posts to the app window. */
export type FrameMessage = {
  type: string;
  response?: {
    profile: { email?: string; displayName?: string; picture?: string };
    providerInfo: { idToken?: string; accessToken: string; scope: string };
    backstageIdentity?: {
      token: string;
      identity: { userEntityRef: string; ownershipEntityRefs: string[] };
    };
  };
  error?: { name: string; message: string };
};

export const REQUESTED_SCOPE = 'openid profile email offline_access';

/** Where the flows send requests: a backend process, or a proxy in front of several. */
export type BackendAddress = Pick<BackendProcess, 'baseUrl'>;

/**
 * The provider environment the flows ask for (`env=` on /start and /refresh): the block of
 * `auth.providers.auth0` that `auth.environment` names. `development` unless given.
 */
export type FlowOptions = { env?: string };

export function frameMessage(html: string): FrameMessage {
  const match = /var authResponse = decodeURIComponent\('([^']*)'\)/.exec(html);
  if (!match) {
    throw new Error(`not an auth frame page:\n${html.slice(0, 1000)}`);
  }
  return JSON.parse(decodeURIComponent(match[1]));
}

export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(
    Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
  );
}

/**
 * The catalog reads examples/ shortly after readiness; sign-in resolves against it. Reads
 * the catalog as a guest unless given a token (production has no guest provider: use a
 * static external access token there).
 */
export async function waitForCatalogUser(
  backend: BackendAddress,
  name: string,
  options: { token?: string } = {},
) {
  const token = options.token ?? (await guestToken(backend));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const response = await fetch(
      `${backend.baseUrl}/api/catalog/entities/by-name/user/default/${name}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    if (response.ok) return;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(`the catalog had no user ${name} within 60 s`);
}

async function guestToken(backend: BackendAddress): Promise<string> {
  const guest = await fetch(`${backend.baseUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return (await guest.json()).backstageIdentity.token;
}

export function startUrl(
  backend: BackendAddress,
  scope = REQUESTED_SCOPE,
  env = 'development',
) {
  const url = new URL(`${backend.baseUrl}/api/auth/auth0/start`);
  url.searchParams.set('env', env);
  url.searchParams.set('scope', scope);
  return url.href;
}

function formAction(page: BrowserResponse, kind: 'login' | 'consent') {
  const match = new RegExp(`action="(/interaction/[^"]+/${kind})"`).exec(
    page.body,
  );
  return match ? new URL(match[1], page.url).href : undefined;
}

/**
 * Walks the popup flow as a browser would: /start, the stand-in's login page (when its
 * session does not already know the person), consent when asked, and back to
 * /handler/frame. Returns the message that page posts to the app.
 */
export async function signInThroughPopup(
  browser: Browser,
  backend: BackendAddress,
  /** A fixture user id of the stand-in (packages/auth0-dev-server/fixtures/users.yaml). */
  person?: { user: string; password?: string },
  options: FlowOptions = {},
): Promise<{
  message: FrameMessage;
  loginPageShown: boolean;
  /** How long the backend took to answer the callback (code exchange and sign-in). */
  callbackMs: number;
}> {
  const callbackUrl = `${backend.baseUrl}/api/auth/auth0/handler/frame`;
  const untilCallback = { until: (url: string) => url.startsWith(callbackUrl) };
  let page = (
    await browser.follow(
      await browser.get(startUrl(backend, REQUESTED_SCOPE, options.env)),
      untilCallback,
    )
  ).response;
  let loginPageShown = false;

  for (let step = 0; step < 3; step++) {
    const login = formAction(page, 'login');
    const consent = formAction(page, 'consent');
    let submitted: BrowserResponse | undefined;
    if (login) {
      if (!person) {
        throw new Error(
          'the stand-in asked for a login, but no person was given',
        );
      }
      loginPageShown = true;
      submitted = await browser.post(login, {
        user: person.user,
        password: person.password ?? 'password',
      });
    } else if (consent) {
      submitted = await browser.post(consent, { decision: 'accept' });
    }
    if (!submitted) break;
    page = (await browser.follow(submitted, untilCallback)).response;
  }

  let callbackMs = Number.NaN;
  if (page.status >= 300 && page.location?.startsWith(callbackUrl)) {
    const callbackStarted = performance.now();
    page = await browser.get(page.location);
    callbackMs = performance.now() - callbackStarted;
  }
  return { message: frameMessage(page.body), loginPageShown, callbackMs };
}

/** One refresh as the app makes it, with the session cookie. */
export async function refreshSession(
  browser: Browser,
  backend: BackendAddress,
  options: FlowOptions = {},
) {
  const url = new URL(`${backend.baseUrl}/api/auth/auth0/refresh`);
  url.searchParams.set('env', options.env ?? 'development');
  url.searchParams.set('scope', REQUESTED_SCOPE);
  const response = await browser.request(url.href, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return {
    status: response.status,
    body: response.body ? JSON.parse(response.body) : undefined,
  };
}
