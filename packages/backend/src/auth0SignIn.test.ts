import {
  jwtPayload,
  refreshCookie,
  refreshSession,
  registerAuth0SignInStack,
  signInThroughPopup,
  signOut,
} from '@internal/test-harness';

jest.setTimeout(180_000);

/** app-config.yaml with a config of these tests on top. */
const withTestConfig = (file: string) => [
  'app-config.yaml',
  `packages/backend/src/__testUtils__/${file}`,
];

/**
 * This repo's backend, with its Auth0 module, against the dev server: every fixture user's
 * outcome as the sign-in popup receives it, and the refresh behaviour.
 */
describe('Auth0 sign-in with this repo’s module', () => {
  const stack = registerAuth0SignInStack({ catalogUser: 'jordan' });

  afterEach(async () => {
    await stack.auth0.admin.reset();
  });

  it.each([
    ['chris', 'user:default/chris', 'group:default/platform-team'],
    ['alex-mixed-case', 'user:default/alex', 'group:default/platform-team'],
    ['chris-plus-ops', 'user:default/chris', 'group:default/platform-team'],
    ['jordan', 'user:default/jordan', 'group:default/payments-team'],
  ])(
    'signs %s in as %s, owning through %s, without calling /userinfo',
    async (user, userEntityRef, group) => {
      const { message } = await signInThroughPopup(
        stack.newBrowser(),
        stack.backend,
        {
          user,
        },
      );
      expect(message.error).toBeUndefined();
      const identity = message.response!.backstageIdentity!;
      expect(identity.identity.userEntityRef).toBe(userEntityRef);
      expect(identity.identity.ownershipEntityRefs).toEqual(
        expect.arrayContaining([userEntityRef, group]),
      );
      expect(jwtPayload(identity.token).sub).toBe(userEntityRef);

      const counters = await stack.auth0.admin.counters();
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
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
      {
        user,
      },
    );
    expect(message.response).toBeUndefined();
    expect(message.error?.name).toBe(name);
    expect(message.error?.message).toContain(text);
  });

  it('passes on Auth0’s own text when the person cancels at Auth0', async () => {
    await stack.auth0.admin.failAuthorize({
      error: 'access_denied',
      errorDescription: 'The user cancelled the sign-in',
    });
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
    );
    expect(message.error).toEqual({
      name: 'Auth0RefusedError',
      message: expect.stringContaining(
        'Auth0 refused the sign-in: The user cancelled the sign-in (access_denied)',
      ),
    });
  });

  it('says Auth0 is failing when its token endpoint answers 5xx', async () => {
    await stack.auth0.admin.failToken(503);
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
      {
        user: 'chris',
      },
    );
    expect(message.error?.name).toBe('Auth0UnavailableError');
    expect(message.error?.message).toMatch(
      /Auth0 is unreachable or failing \(https:\/\/localhost:\d+\/oauth\/token answered 503/,
    );
    expect(message.response).toBeUndefined();
  });

  it('refreshes 20 times with 20 token calls and no /userinfo call', async () => {
    const browser = stack.newBrowser();
    await signInThroughPopup(browser, stack.backend, { user: 'sam' });
    await stack.auth0.admin.resetCounters();

    const statuses = [];
    for (let i = 0; i < 20; i++) {
      const refresh = await refreshSession(browser, stack.backend);
      statuses.push(refresh.status);
      expect(refresh.body.backstageIdentity.identity.userEntityRef).toBe(
        'user:default/sam',
      );
    }
    expect(statuses).toEqual(Array(20).fill(200));
    const { requests } = (await stack.auth0.admin.counters()).users[
      'auth0|sam'
    ];
    expect(requests.token).toBe(20);
    expect(requests.userinfo ?? 0).toBe(0);
  });

  it('survives 10 concurrent refreshes with rotation on: one token call, session intact', async () => {
    await stack.auth0.admin.setRefreshTokenRotation(true);
    const browser = stack.newBrowser();
    await signInThroughPopup(browser, stack.backend, { user: 'alex' });
    await stack.auth0.admin.resetCounters();

    const refreshes = await Promise.all(
      Array.from({ length: 10 }, () => refreshSession(browser, stack.backend)),
    );
    expect(refreshes.map(refresh => refresh.status)).toEqual(
      Array(10).fill(200),
    );
    expect(
      (await stack.auth0.admin.counters()).users['auth0|alex'].requests.token,
    ).toBe(1);

    const after = await refreshSession(browser, stack.backend);
    expect(after.status).toBe(200);
    expect(after.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/alex',
    );
  });

  describe('ownership from the roles claim of the ID token (signIn.groupClaims)', () => {
    const ownership = (identity: {
      identity: { ownershipEntityRefs: string[] };
    }) => [...identity.identity.ownershipEntityRefs].sort();

    it('adds the Groups that the claim names and the catalog has, and drops a role removed in Auth0 at the next refresh', async () => {
      // sam is in payments-team in the catalog and has no Auth0 role.
      await stack.auth0.admin.updateUser('sam', {
        roles: ['Platform Team'],
        rolesClaim: ['Platform Team', 'ghost-group'],
      });
      const browser = stack.newBrowser();
      const { message } = await signInThroughPopup(browser, stack.backend, {
        user: 'sam',
      });
      expect(message.error).toBeUndefined();
      expect(ownership(message.response!.backstageIdentity!)).toEqual([
        'group:default/payments-team',
        'group:default/platform-team',
        'user:default/sam',
      ]);

      // The Action now sees no role, as after removing it in the Auth0 Dashboard.
      await stack.auth0.admin.updateUser('sam', {
        roles: [],
        rolesClaim: null,
      });
      const refresh = await refreshSession(browser, stack.backend);
      expect(refresh.status).toBe(200);
      expect(ownership(refresh.body.backstageIdentity)).toEqual([
        'group:default/payments-team',
        'user:default/sam',
      ]);
      expect(jwtPayload(refresh.body.backstageIdentity.token).ent).toEqual(
        expect.not.arrayContaining(['group:default/platform-team']),
      );
    });

    it('ignores a claim that is not a list of strings, with a warning, and still signs in', async () => {
      await stack.auth0.admin.updateUser('sam', {
        rolesClaim: { 'Platform Team': true },
      });
      const { message } = await signInThroughPopup(
        stack.newBrowser(),
        stack.backend,
        { user: 'sam' },
      );
      expect(message.error).toBeUndefined();
      expect(ownership(message.response!.backstageIdentity!)).toEqual([
        'group:default/payments-team',
        'user:default/sam',
      ]);
      expect(stack.backend.output()).toContain(
        'Auth0: the ID token claim https://backstage.example.com/roles is neither a string nor an array of strings (it is an object); it is ignored',
      );
    });
  });

  it('answers 503 with Retry-After while Auth0 fails, and refreshes with one call once it recovers', async () => {
    const browser = stack.newBrowser();
    await signInThroughPopup(browser, stack.backend, { user: 'sam' });
    await stack.auth0.admin.failToken(503);
    const during = await refreshSession(browser, stack.backend);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(during.body.error).toEqual({
      name: 'Auth0UnavailableError',
      message: expect.stringContaining('Auth0 is unreachable or failing'),
    });

    await stack.auth0.admin.clearFailures();
    await stack.auth0.admin.resetCounters();
    const after = await refreshSession(browser, stack.backend);
    expect(after.status).toBe(200);
    expect(after.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/sam',
    );
    expect((await stack.auth0.admin.counters()).endpoints.token.requests).toBe(
      1,
    );
  });

  it('answers 503 for a 429 from Auth0, passing on the Retry-After Auth0 sent', async () => {
    const browser = stack.newBrowser();
    await signInThroughPopup(browser, stack.backend, { user: 'sam' });
    await stack.auth0.admin.rateLimitToken({ retryAfterSeconds: 7 });
    const limited = await refreshSession(browser, stack.backend);
    expect(limited.status).toBe(503);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.error.name).toBe('Auth0UnavailableError');
    expect(limited.body.error.message).toContain('429 too_many_requests');

    // Without Retry-After, Auth0's X-RateLimit-Reset (the next second) says when.
    await stack.auth0.admin.rateLimitToken();
    const reset = await refreshSession(browser, stack.backend);
    expect(reset.status).toBe(503);
    expect(reset.headers.get('retry-after')).toBe('1');

    await stack.auth0.admin.clearFailures();
    expect((await refreshSession(browser, stack.backend)).status).toBe(200);
  });

  it('answers 503 when Auth0 cannot be reached at all', async () => {
    const browser = stack.newBrowser();
    await signInThroughPopup(browser, stack.backend, { user: 'sam' });
    await stack.auth0.admin.refuseConnections();
    try {
      const during = await refreshSession(browser, stack.backend);
      expect(during.status).toBe(503);
      expect(during.body.error.name).toBe('Auth0UnavailableError');
    } finally {
      await stack.auth0.admin.acceptConnections();
    }
    expect((await refreshSession(browser, stack.backend)).status).toBe(200);
  });

  it('keeps answering 401 for a session Auth0 no longer knows', async () => {
    const response = await refreshSession(stack.newBrowser(), stack.backend, {
      cookie: 'a'.repeat(43),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it.each([
    ['an empty', ''],
    ['an absurdly long', 'a'.repeat(10_000)],
    ['a garbled', '<script>alert(1)</script>;%00'],
  ])(
    'refuses %s session cookie with 401 without asking Auth0',
    async (_kind, cookie) => {
      await stack.auth0.admin.resetCounters();
      const response = await refreshSession(stack.newBrowser(), stack.backend, {
        cookie: encodeURIComponent(cookie),
      });
      expect(response.status).toBe(401);
      expect(
        (await stack.auth0.admin.counters()).endpoints.token.requests,
      ).toBe(0);
    },
  );

  it('revokes the refresh token at Auth0 on sign-out, so a copied cookie no longer refreshes', async () => {
    const browser = stack.newBrowser();
    await signInThroughPopup(browser, stack.backend, { user: 'chris' });
    const copied = (await refreshCookie(browser, stack.backend))!;
    expect(copied).toBeTruthy();
    await stack.auth0.admin.resetCounters();

    expect((await signOut(browser, stack.backend)).status).toBe(200);
    expect(await refreshCookie(browser, stack.backend)).toBeUndefined();
    expect((await stack.auth0.admin.counters()).endpoints.revoke).toMatchObject(
      {
        requests: 1,
        byStatus: { 200: 1 },
      },
    );
    const replay = await refreshSession(stack.newBrowser(), stack.backend, {
      cookie: copied,
    });
    expect(replay.status).toBe(401);
  });

  it('signs out even when Auth0 cannot revoke, and says so in the log', async () => {
    const browser = stack.newBrowser();
    await signInThroughPopup(browser, stack.backend, { user: 'chris' });
    await stack.auth0.admin.refuseConnections();
    try {
      expect((await signOut(browser, stack.backend)).status).toBe(200);
    } finally {
      await stack.auth0.admin.acceptConnections();
    }
    expect(await refreshCookie(browser, stack.backend)).toBeUndefined();
    expect(stack.backend.output()).toContain(
      'sign-out could not revoke the refresh token at Auth0',
    );
    expect(stack.backend.output()).toMatch(/auth0-revoke/);
  });

  it('audits sign-ins and refusals without a token or secret in any log line', async () => {
    const browser = stack.newBrowser();
    await signInThroughPopup(browser, stack.backend, { user: 'chris' });
    await signInThroughPopup(stack.newBrowser(), stack.backend, {
      user: 'newhire',
    });
    const cookie = (await refreshCookie(browser, stack.backend))!;

    const auditLines = stack.backend
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
    expect(cookie.length).toBeGreaterThan(10);
    expect(stack.backend.output()).not.toContain(cookie);
    expect(stack.backend.output()).not.toContain(stack.auth0.clientSecret);
    // Backstage's own request log records the callback URL; the audit records never do.
    for (const line of auditLines) {
      expect(line).not.toMatch(/code=|state=/);
    }
  });
});

describe('a resolver added through the extension point', () => {
  const stack = registerAuth0SignInStack({
    configFiles: withTestConfig('app-config.user-id-resolver.yaml'),
    catalogUser: 'nia',
  });

  it('signs newhire in by Auth0 user id as the annotated user nia', async () => {
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
      { user: 'newhire' },
    );
    expect(message.error).toBeUndefined();
    expect(message.response!.backstageIdentity!.identity.userEntityRef).toBe(
      'user:default/nia',
    );
  });
});

describe('users whose name matches but who are other people', () => {
  const stack = registerAuth0SignInStack({
    configFiles: withTestConfig('app-config.other-emails.yaml'),
    catalogUser: 'kevin',
  });

  it('refuses bob@example.com as catalog user bob, whose email is robert@example.com', async () => {
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
      { user: 'bob' },
    );
    expect(message.response).toBeUndefined();
    expect(message.error?.name).toBe('CatalogUserEmailMismatchError');
    expect(message.error?.message).toContain('bob@example.com');
    expect(message.error?.message).toContain('robert@example.com');
    expect(message.error?.message).not.toContain('user:default/');
  });

  it('refuses a KELVIN SIGN email that Unicode case folding would make kevin@example.com', async () => {
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
      { user: 'kelvin-sign' },
    );
    expect(message.response).toBeUndefined();
    expect(message.error?.name).toBe('CatalogUserNotFoundError');
    expect(message.error?.message).toContain('\u212Aevin@example.com');
  });
});

describe('sign-in limited to one Auth0 organization', () => {
  const stack = registerAuth0SignInStack({
    configFiles: withTestConfig('app-config.organization.yaml'),
    catalogUser: 'bob',
  });

  it('signs in a member who signed in through that organization', async () => {
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
      { user: 'chris' },
    );
    expect(message.error).toBeUndefined();
    expect(message.response!.backstageIdentity!.identity.userEntityRef).toBe(
      'user:default/chris',
    );
  });

  it('signs bob in as bob despite another catalog email, as allowEmailMismatch says', async () => {
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
      { user: 'bob' },
    );
    expect(message.error).toBeUndefined();
    expect(message.response!.backstageIdentity!.identity.userEntityRef).toBe(
      'user:default/bob',
    );
  });

  it.each([
    [
      'another organization',
      'sam',
      (url: URL) => url.searchParams.set('organization', 'org_othercorp'),
      'the Auth0 organization other-corp',
    ],
    [
      'no organization',
      'alex',
      (url: URL) => url.searchParams.delete('organization'),
      'no Auth0 organization',
    ],
  ])(
    'refuses an ID token from %s, though the browser changed the request',
    async (_case, user, editAuthorizeUrl, shown) => {
      const { message } = await signInThroughPopup(
        stack.newBrowser(),
        stack.backend,
        { user },
        { editAuthorizeUrl },
      );
      expect(message.response).toBeUndefined();
      expect(message.error?.name).toBe('OrganizationMismatchError');
      expect(message.error?.message).toContain(shown);
      expect(message.error?.message).toContain('org_examplecorp');
    },
  );
});
