import { createBrowser, type Browser } from 'auth0-dev-server/browser';
import type { Auth0DevServerProcess } from 'auth0-dev-server/process';
import {
  BackendProcess,
  BackendWithAuth0,
  startBackendWithAuth0,
  jwtPayload,
  refreshSession,
  signInThroughPopup,
  waitForCatalogUser,
} from 'test-harness';

jest.setTimeout(180_000);

/**
 * This repo's backend, with its Auth0 module, against the local Auth0 stand-in: every
 * fixture user's outcome as the sign-in popup receives it, and the refresh behaviour.
 */
describe('Auth0 sign-in with this repo’s module', () => {
  let auth0: Auth0DevServerProcess;
  let backend: BackendProcess;
  const browsers: Browser[] = [];
  const newBrowser = () => {
    const browser = createBrowser({ caFile: auth0.caFile });
    browsers.push(browser);
    return browser;
  };

  let stack: BackendWithAuth0;

  beforeAll(async () => {
    stack = await startBackendWithAuth0();
    ({ auth0, backend } = stack);
    await waitForCatalogUser(backend, 'jordan');
  });

  afterEach(async () => {
    await auth0.admin.reset();
  });

  afterAll(async () => {
    await Promise.all(browsers.map(browser => browser.close()));
    await stack?.stop();
  });

  it.each([
    ['chris', 'user:default/chris', 'group:default/platform-team'],
    ['alex-mixed-case', 'user:default/alex', 'group:default/platform-team'],
    ['chris-plus-ops', 'user:default/chris', 'group:default/platform-team'],
    ['jordan', 'user:default/jordan', 'group:default/payments-team'],
  ])(
    'signs %s in as %s, owning through %s, without calling /userinfo',
    async (user, userEntityRef, group) => {
      const { message } = await signInThroughPopup(newBrowser(), backend, {
        user,
      });
      expect(message.error).toBeUndefined();
      const identity = message.response!.backstageIdentity!;
      expect(identity.identity.userEntityRef).toBe(userEntityRef);
      expect(identity.identity.ownershipEntityRefs).toEqual(
        expect.arrayContaining([userEntityRef, group]),
      );
      expect(jwtPayload(identity.token).sub).toBe(userEntityRef);

      const counters = await auth0.admin.counters();
      expect(counters.users[`auth0|${user}`].requests).toMatchObject({
        token: 1,
      });
      expect(counters.users[`auth0|${user}`].requests.userinfo ?? 0).toBe(0);
    },
  );

  it.each([
    [
      'jordan-unverified',
      'EmailNotVerifiedError',
      'The email jordan.lee@example.com is not verified in Auth0',
    ],
    [
      'newhire',
      'CatalogUserNotFoundError',
      'No Backstage user has the email newhire@example.com',
    ],
    [
      'chris-evil',
      'EmailDomainNotAllowedError',
      'Sign-in with chris@evil.example is not allowed: only @example.com addresses can sign in',
    ],
  ])('refuses %s with %s and no Backstage token', async (user, name, text) => {
    const { message } = await signInThroughPopup(newBrowser(), backend, {
      user,
    });
    expect(message.response).toBeUndefined();
    expect(message.error?.name).toBe(name);
    expect(message.error?.message).toContain(text);
  });

  it('passes on Auth0’s own text when the person cancels at Auth0', async () => {
    await auth0.admin.failAuthorize({
      error: 'access_denied',
      errorDescription: 'The user cancelled the sign-in',
    });
    const { message } = await signInThroughPopup(newBrowser(), backend);
    expect(message.error).toEqual({
      name: 'Auth0RefusedError',
      message: expect.stringContaining(
        'Auth0 refused the sign-in: The user cancelled the sign-in (access_denied)',
      ),
    });
  });

  it('says Auth0 is failing when its token endpoint answers 5xx', async () => {
    await auth0.admin.failToken(503);
    const { message } = await signInThroughPopup(newBrowser(), backend, {
      user: 'chris',
    });
    expect(message.error?.name).toBe('Auth0UnavailableError');
    expect(message.error?.message).toMatch(
      /Auth0 is unreachable or failing \(https:\/\/localhost:\d+\/oauth\/token answered 503/,
    );
    expect(message.response).toBeUndefined();
  });

  it('refreshes 20 times with 20 token calls and no /userinfo call', async () => {
    const browser = newBrowser();
    await signInThroughPopup(browser, backend, { user: 'sam' });
    await auth0.admin.resetCounters();

    const statuses = [];
    for (let i = 0; i < 20; i++) {
      const refresh = await refreshSession(browser, backend);
      statuses.push(refresh.status);
      expect(refresh.body.backstageIdentity.identity.userEntityRef).toBe(
        'user:default/sam',
      );
    }
    expect(statuses).toEqual(Array(20).fill(200));
    const { requests } = (await auth0.admin.counters()).users['auth0|sam'];
    expect(requests.token).toBe(20);
    expect(requests.userinfo ?? 0).toBe(0);
  });

  it('survives 10 concurrent refreshes with rotation on: one token call, session intact', async () => {
    await auth0.admin.setRefreshTokenRotation(true);
    const browser = newBrowser();
    await signInThroughPopup(browser, backend, { user: 'alex' });
    await auth0.admin.resetCounters();

    const refreshes = await Promise.all(
      Array.from({ length: 10 }, () => refreshSession(browser, backend)),
    );
    expect(refreshes.map(refresh => refresh.status)).toEqual(
      Array(10).fill(200),
    );
    expect(
      (await auth0.admin.counters()).users['auth0|alex'].requests.token,
    ).toBe(1);

    const after = await refreshSession(browser, backend);
    expect(after.status).toBe(200);
    expect(after.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/alex',
    );
  });

  it('audits sign-ins and refusals without a token or secret in any log line', async () => {
    const browser = newBrowser();
    await signInThroughPopup(browser, backend, { user: 'chris' });
    await signInThroughPopup(newBrowser(), backend, { user: 'newhire' });
    const refreshCookie = (
      await browser.cookies(`${backend.baseUrl}/api/auth/auth0/refresh`)
    )
      .split('; ')
      .find(cookie => cookie.startsWith('auth0-refresh-token='))!
      .split('=')[1];

    const auditLines = backend
      .output()
      .split('\n')
      .filter(line => line.includes('auth0-sign-in'));
    expect(auditLines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /user:default\/chris.*emailMatchingUserEntityProfileEmail|emailMatchingUserEntityProfileEmail.*user:default\/chris/,
        ),
        expect.stringContaining('CatalogUserNotFoundError'),
      ]),
    );
    expect(refreshCookie.length).toBeGreaterThan(10);
    expect(backend.output()).not.toContain(refreshCookie);
    expect(backend.output()).not.toContain(auth0.clientSecret);
    // Backstage's own request log records the callback URL; the audit records never do.
    for (const line of auditLines) {
      expect(line).not.toMatch(/code=|state=/);
    }
  });
});

describe('a resolver added through the extension point', () => {
  let auth0: Auth0DevServerProcess;
  let backend: BackendProcess;
  let browser: Browser;

  let stack: BackendWithAuth0;

  beforeAll(async () => {
    stack = await startBackendWithAuth0({
      configFiles: [
        'app-config.yaml',
        'packages/backend/src/__testUtils__/app-config.user-id-resolver.yaml',
      ],
    });
    ({ auth0, backend } = stack);
    browser = createBrowser({ caFile: auth0.caFile });
    await waitForCatalogUser(backend, 'nia');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs newhire in by Auth0 user id as the annotated user nia', async () => {
    const { message } = await signInThroughPopup(browser, backend, {
      user: 'newhire',
    });
    expect(message.error).toBeUndefined();
    expect(message.response!.backstageIdentity!.identity.userEntityRef).toBe(
      'user:default/nia',
    );
  });
});
