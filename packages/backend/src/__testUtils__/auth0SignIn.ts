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

/** The catalog reads examples/ shortly after readiness; sign-in resolves against it. */
export async function waitForCatalogUser(
  backend: BackendProcess,
  name: string,
) {
  const guest = await fetch(`${backend.baseUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const { token } = (await guest.json()).backstageIdentity;
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

export function startUrl(backend: BackendProcess, scope = REQUESTED_SCOPE) {
  const url = new URL(`${backend.baseUrl}/api/auth/auth0/start`);
  url.searchParams.set('env', 'development');
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
  backend: BackendProcess,
  /** A fixture user id of the stand-in (packages/auth0-dev-server/fixtures/users.yaml). */
  person?: { user: string; password?: string },
): Promise<{ message: FrameMessage; loginPageShown: boolean }> {
  const callbackUrl = `${backend.baseUrl}/api/auth/auth0/handler/frame`;
  const untilCallback = { until: (url: string) => url.startsWith(callbackUrl) };
  let page = (
    await browser.follow(await browser.get(startUrl(backend)), untilCallback)
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

  if (page.status >= 300 && page.location?.startsWith(callbackUrl)) {
    page = await browser.get(page.location);
  }
  return { message: frameMessage(page.body), loginPageShown };
}

/** One refresh as the app makes it, with the session cookie. */
export async function refreshSession(
  browser: Browser,
  backend: BackendProcess,
) {
  const url = new URL(`${backend.baseUrl}/api/auth/auth0/refresh`);
  url.searchParams.set('env', 'development');
  url.searchParams.set('scope', REQUESTED_SCOPE);
  const response = await browser.request(url.href, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return {
    status: response.status,
    body: response.body ? JSON.parse(response.body) : undefined,
  };
}
