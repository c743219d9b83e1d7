import type {
  Browser,
  BrowserResponse,
} from '@internal/auth0-dev-server/browser';
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

export type SignInOptions = FlowOptions & {
  /**
   * Changes the /authorize URL before the browser goes there, as a person could in the
   * address bar (e.g. dropping or changing the `organization` parameter).
   */
  editAuthorizeUrl?: (url: URL) => void;
};

export const REFRESH_COOKIE = 'auth0-refresh-token';

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
 * Walks the popup flow as a browser would: /start, the dev server's login page (when its
 * session does not already know the person), consent when asked, and back to
 * /handler/frame. Returns the message that page posts to the app.
 */
export async function signInThroughPopup(
  browser: Browser,
  backend: BackendAddress,
  /** A fixture user id of the dev server (packages/auth0-dev-server/fixtures/users.yaml). */
  person?: { user: string; password?: string },
  options: SignInOptions = {},
): Promise<{
  message: FrameMessage;
  loginPageShown: boolean;
  /** How long the backend took to answer the callback (code exchange and sign-in). */
  callbackMs: number;
}> {
  const callbackUrl = `${backend.baseUrl}/api/auth/auth0/handler/frame`;
  const untilCallback = { until: (url: string) => url.startsWith(callbackUrl) };
  let started = await browser.get(
    startUrl(backend, REQUESTED_SCOPE, options.env),
  );
  if (options.editAuthorizeUrl && started.location) {
    const authorizeUrl = new URL(started.location);
    options.editAuthorizeUrl(authorizeUrl);
    started = await browser.get(authorizeUrl.href);
  }
  let page = (await browser.follow(started, untilCallback)).response;
  let loginPageShown = false;

  for (let step = 0; step < 3; step++) {
    const login = formAction(page, 'login');
    const consent = formAction(page, 'consent');
    let submitted: BrowserResponse | undefined;
    if (login) {
      if (!person) {
        throw new Error(
          'the dev server asked for a login, but no person was given',
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

/**
 * One refresh as the app makes it, with the session cookie: the browser's, or the given
 * value (a cookie someone copied) instead.
 */
export async function refreshSession(
  browser: Browser,
  backend: BackendAddress,
  options: FlowOptions & { cookie?: string } = {},
) {
  const url = new URL(`${backend.baseUrl}/api/auth/auth0/refresh`);
  url.searchParams.set('env', options.env ?? 'development');
  url.searchParams.set('scope', REQUESTED_SCOPE);
  const headers: Record<string, string> = {
    'x-requested-with': 'XMLHttpRequest',
  };
  if (options.cookie !== undefined) {
    headers.cookie = `${REFRESH_COOKIE}=${options.cookie}`;
  }
  const response = await browser.request(url.href, { headers });
  return {
    status: response.status,
    headers: response.headers,
    body: response.body ? JSON.parse(response.body) : undefined,
  };
}

/** The session cookie's value as the browser holds it. */
export async function refreshCookie(
  browser: Browser,
  backend: BackendAddress,
): Promise<string | undefined> {
  return (await browser.cookies(`${backend.baseUrl}/api/auth/auth0/refresh`))
    .split('; ')
    .find(cookie => cookie.startsWith(`${REFRESH_COOKIE}=`))
    ?.slice(REFRESH_COOKIE.length + 1);
}

/** Sign-out as the app does it: POST /logout with the session cookie. */
export async function signOut(
  browser: Browser,
  backend: BackendAddress,
  options: FlowOptions = {},
) {
  const url = new URL(`${backend.baseUrl}/api/auth/auth0/logout`);
  url.searchParams.set('env', options.env ?? 'development');
  const response = await browser.request(url.href, {
    method: 'POST',
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return {
    status: response.status,
    body: response.body ? JSON.parse(response.body) : undefined,
  };
}
