import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLocalJWKSet,
  decodeJwt,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import {
  authorizeUrl,
  callbackParams,
  callbackUrl,
  consentAction,
  exchangeCode,
  loginAction,
  openAuthorize,
  password,
  refresh,
  signIn,
  startTestStandIn,
  tokensFor,
  untilCallbackOrPage,
  userinfo,
  type TestStandIn,
} from './testSupport.ts';

describe('the authorization-code flow over HTTPS', () => {
  let standIn: TestStandIn;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  before(async () => {
    standIn = await startTestStandIn();
    const keys = await standIn
      .browser()
      .get(new URL('.well-known/jwks.json', standIn.server.issuer).href);
    jwks = createLocalJWKSet(JSON.parse(keys.body) as JSONWebKeySet);
  });
  after(() => standIn.stop());

  it('publishes Auth0 URLs and an issuer with the trailing slash', async () => {
    const { server } = standIn;
    assert.match(server.issuer, /^https:\/\/localhost:\d+\/$/);
    assert.equal(server.domain, new URL(server.issuer).host);
    const response = await standIn
      .browser()
      .get(new URL('.well-known/openid-configuration', server.issuer).href);
    assert.equal(response.status, 200);
    const discovery = JSON.parse(response.body);
    const origin = `https://${server.domain}`;
    assert.equal(discovery.issuer, `${origin}/`);
    assert.equal(discovery.authorization_endpoint, `${origin}/authorize`);
    assert.equal(discovery.token_endpoint, `${origin}/oauth/token`);
    assert.equal(discovery.userinfo_endpoint, `${origin}/userinfo`);
    assert.equal(discovery.jwks_uri, `${origin}/.well-known/jwks.json`);
    assert.deepEqual(discovery.id_token_signing_alg_values_supported, [
      'RS256',
    ]);

    const home = await standIn.browser().get(server.issuer);
    assert.equal(home.status, 200);
    assert.match(home.body, /auth0-dev-server is running/);
  });

  it('signs chris in: login page, code, tokens, verified ID token, /userinfo both ways', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const page = await openAuthorize(browser, server);
    assert.equal(page.status, 200);
    assert.match(page.body, /Sign in/);
    assert.match(page.body, /chris@example\.com/);

    const wrong = await browser.post(loginAction(page), {
      email: 'chris@example.com',
      password: 'wrong',
    });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /Wrong password for chris@example\.com/);

    const submitted = await browser.post(loginAction(wrong), {
      user: 'chris',
      password,
    });
    const params = callbackParams(
      await untilCallbackOrPage(browser, submitted),
    );
    assert.equal(params.get('state'), 'state-123');
    const code = params.get('code');
    assert.ok(code, 'an authorization code');

    const { status, body } = await exchangeCode(browser, server, code);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    assert.ok(body.access_token && body.refresh_token && body.id_token);
    assert.deepEqual(
      new Set(body.scope!.split(' ')),
      new Set(['openid', 'profile', 'email', 'offline_access']),
    );

    const { payload, protectedHeader } = await jwtVerify(body.id_token, jwks, {
      issuer: server.issuer,
      audience: server.clientId,
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.iss, `https://${server.domain}/`);
    assert.equal(payload.aud, server.clientId);
    assert.equal(payload.nonce, 'nonce-456');
    const now = Math.floor(Date.now() / 1000);
    assert.ok(
      payload.exp! > now && payload.exp! <= now + 10 * 3600 + 5,
      `exp ${payload.exp}`,
    );
    const expectedClaims = {
      sub: 'auth0|chris',
      email: 'chris@example.com',
      email_verified: true,
      name: 'Chris House',
      nickname: 'chris',
      picture: `https://${server.domain}/avatars/chris.svg`,
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    assert.deepEqual(
      pick(payload, Object.keys(expectedClaims)),
      expectedClaims,
    );

    const avatar = await browser.get(expectedClaims.picture);
    assert.equal(avatar.status, 200);
    assert.match(avatar.headers.get('content-type')!, /^image\/svg\+xml/);
    assert.match(avatar.body, />CH</);

    for (const form of ['query', 'header'] as const) {
      const response = await userinfo(browser, server, body.access_token, form);
      assert.equal(response.status, 200, `${form}: ${response.body}`);
      assert.deepEqual(JSON.parse(response.body), expectedClaims);
    }
  });

  it('rejects a forged ID token signature', async () => {
    const { id_token: idToken } = await tokensFor(
      standIn.browser(),
      standIn.server,
    );
    const [header, payload] = idToken!.split('.');
    const forged = `${header}.${payload}.${Buffer.from(
      'not the signature',
    ).toString('base64url')}`;
    await assert.rejects(
      jwtVerify(forged, jwks),
      /signature verification failed/,
    );
  });

  it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const first = await tokensFor(browser, server);

    const rotated = await refresh(browser, server, first.refresh_token!);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.ok(rotated.body.refresh_token);
    assert.notEqual(rotated.body.refresh_token, first.refresh_token);
    assert.ok(rotated.body.id_token, 'an ID token on the refresh grant');
    const { payload } = await jwtVerify(rotated.body.id_token!, jwks, {
      issuer: server.issuer,
      audience: server.clientId,
    });
    assert.equal(payload.sub, 'auth0|chris');
    assert.equal(payload.email, 'chris@example.com');

    // Auth0's answer to a reused (or revoked, or unknown) refresh token.
    const invalidRefreshToken = {
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    };
    const reused = await refresh(browser, server, first.refresh_token!);
    assert.equal(reused.status, 403);
    assert.deepEqual(reused.body, invalidRefreshToken);

    const newest = await refresh(browser, server, rotated.body.refresh_token!);
    assert.equal(
      newest.status,
      403,
      'the newest refresh token of the family is revoked too',
    );
    assert.deepEqual(newest.body, invalidRefreshToken);
    const revokedAccess = await userinfo(
      browser,
      server,
      rotated.body.access_token!,
    );
    assert.equal(revokedAccess.status, 401);
  });

  it('keeps the same refresh token when rotation is switched off', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    await server.updateKnobs({ refreshTokenRotation: false });
    try {
      const first = await tokensFor(browser, server);
      const once = await refresh(browser, server, first.refresh_token!);
      const twice = await refresh(browser, server, first.refresh_token!);
      assert.equal(once.status, 200);
      assert.equal(twice.status, 200, 'reusing is fine without rotation');
      assert.equal(once.body.refresh_token, first.refresh_token);
    } finally {
      await server.reset();
    }
  });

  it('gives refresh tokens for offline_access without prompt=consent, and none without it', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const withOffline = await tokensFor(browser, server);
    assert.ok(withOffline.refresh_token);

    const params = await signIn(standIn.browser(), server, undefined, {
      scope: 'openid profile email',
    });
    const { body } = await exchangeCode(browser, server, params.get('code')!);
    assert.ok(body.access_token);
    assert.equal(body.refresh_token, undefined);
  });

  it('does not ask again within the session, like Auth0 single sign-on', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    await signIn(browser, server);
    const again = await untilCallbackOrPage(
      browser,
      await browser.get(authorizeUrl(server, { state: 'second' })),
    );
    const params = callbackParams(again);
    assert.equal(params.get('state'), 'second');
    assert.ok(params.get('code'));
  });

  it('shows the consent page only when prompt=consent is asked, and honours the answer', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const page = await openAuthorize(browser, server, { prompt: 'consent' });
    const consent = await untilCallbackOrPage(
      browser,
      await browser.post(loginAction(page), {
        email: 'alex@example.com',
        password,
      }),
    );
    assert.equal(consent.status, 200);
    assert.match(consent.body, /Authorize application/);
    assert.match(consent.body, /Alex Moreno/);
    assert.match(consent.body, /offline_access/);
    const accepted = callbackParams(
      await untilCallbackOrPage(
        browser,
        await browser.post(consentAction(consent), { decision: 'accept' }),
      ),
    );
    const { body } = await exchangeCode(browser, server, accepted.get('code')!);
    assert.equal(decodeJwt(body.id_token!).sub, 'auth0|alex');
    assert.ok(body.refresh_token);

    const again = await openAuthorize(browser, server, { prompt: 'consent' });
    const declined = callbackParams(
      await untilCallbackOrPage(
        browser,
        await browser.post(consentAction(again), { decision: 'deny' }),
      ),
    );
    assert.equal(declined.get('error'), 'access_denied');
    assert.equal(declined.get('code'), null);
  });

  it('signs in each fixture user the issue asks for, by email or by pick', async () => {
    const { server } = standIn;
    const cases: Array<{ credentials: Record<string, string>; sub: string }> = [
      {
        credentials: { email: 'Alex@Example.com', password },
        sub: 'auth0|alex-mixed-case',
      },
      {
        credentials: { email: 'chris+ops@example.com', password },
        sub: 'auth0|chris-plus-ops',
      },
      {
        credentials: { email: 'chris@evil.example', password },
        sub: 'auth0|chris-evil',
      },
      {
        credentials: { email: 'newhire@example.com', password },
        sub: 'auth0|newhire',
      },
      {
        credentials: { user: 'jordan-unverified', password },
        sub: 'auth0|jordan-unverified',
      },
    ];
    for (const { credentials, sub } of cases) {
      const browser = standIn.browser();
      const tokens = await tokensFor(browser, server, credentials);
      const claims = decodeJwt(tokens.id_token!);
      assert.equal(claims.sub, sub);
      if (sub === 'auth0|jordan-unverified') {
        assert.equal(claims.email, 'jordan.lee@example.com');
        assert.equal(claims.email_verified, false);
      }
    }
  });

  it('refuses a redirect URI the client does not allow, without redirecting', async () => {
    const browser = standIn.browser();
    const response = await browser.get(
      authorizeUrl(standIn.server, {
        redirect_uri: 'https://evil.example/api/auth/auth0/handler/frame',
      }),
    );
    assert.equal(response.status, 400);
    assert.equal(response.location, undefined);
    assert.match(response.body, /redirect_uri/);
    assert.match(response.body, /AUTH0_DEV_SERVER_REDIRECT_URIS/);
  });

  it('ends the session on /v2/logout and redirects to returnTo', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, server);

    const logoutUrl = new URL('v2/logout', server.issuer);
    logoutUrl.searchParams.set('client_id', server.clientId);
    logoutUrl.searchParams.set('returnTo', 'http://localhost:3000');
    logoutUrl.searchParams.set('federated', '');
    const logout = await browser.get(logoutUrl.href);
    assert.equal(logout.status, 302);
    assert.equal(logout.location, 'http://localhost:3000/');

    const next = await openAuthorize(browser, server);
    assert.equal(next.status, 200);
    assert.ok(loginAction(next), 'the next /authorize asks to log in again');
    assert.equal(
      (await refresh(browser, server, tokens.refresh_token!)).status,
      200,
      'tokens outlive the session, as with Auth0',
    );
  });

  it('refuses a returnTo that is not an allowed logout URL, and an unknown client', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    await signIn(browser, server);
    const bad = new URL('v2/logout', server.issuer);
    bad.searchParams.set('client_id', server.clientId);
    bad.searchParams.set('returnTo', 'https://evil.example/');
    const refused = await browser.get(bad.href);
    assert.equal(refused.status, 400);
    assert.match(refused.body, /Allowed Logout URLs/);

    bad.searchParams.set('client_id', 'someone-else');
    bad.searchParams.set('returnTo', 'http://localhost:3000');
    assert.equal((await browser.get(bad.href)).status, 400);

    const stillSignedIn = await untilCallbackOrPage(
      browser,
      await browser.get(authorizeUrl(server)),
    );
    assert.ok(
      callbackParams(stillSignedIn).get('code'),
      'a refused logout leaves the session alone',
    );
  });

  it('refuses the wrong client secret', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const params = await signIn(browser, server);
    const response = await browser.post(
      new URL('oauth/token', server.issuer).href,
      {
        grant_type: 'authorization_code',
        code: params.get('code')!,
        redirect_uri: callbackUrl,
        client_id: server.clientId,
        client_secret: 'wrong',
      },
    );
    assert.equal(response.status, 401);
    assert.equal(JSON.parse(response.body).error, 'invalid_client');
  });
});

describe('Auth0 Organizations at /authorize', () => {
  let standIn: TestStandIn;
  let jwks: ReturnType<typeof createLocalJWKSet>;
  const exampleCorp = { org_id: 'org_examplecorp', org_name: 'example-corp' };
  const otherCorp = { org_id: 'org_othercorp', org_name: 'other-corp' };
  const sam = { email: 'sam@example.com', password };
  const alex = { email: 'alex@example.com', password };

  before(async () => {
    standIn = await startTestStandIn();
    const keys = await standIn
      .browser()
      .get(new URL('.well-known/jwks.json', standIn.server.issuer).href);
    jwks = createLocalJWKSet(JSON.parse(keys.body) as JSONWebKeySet);
  });
  after(() => standIn.stop());

  const idTokenClaims = async (idToken: string | undefined) => {
    assert.ok(idToken, 'an ID token');
    const { payload } = await jwtVerify(idToken, jwks, {
      issuer: standIn.server.issuer,
      audience: standIn.server.clientId,
    });
    return payload;
  };
  const organizationOf = (claims: Record<string, unknown>) =>
    pick(claims, ['org_id', 'org_name']);

  it('gives a member org_id and org_name, by organization id and by name', async () => {
    const { server } = standIn;
    const byId = await tokensFor(standIn.browser(), server, undefined, {
      organization: 'org_examplecorp',
    });
    assert.deepEqual(
      organizationOf(await idTokenClaims(byId.id_token)),
      exampleCorp,
    );

    const byName = await tokensFor(standIn.browser(), server, sam, {
      organization: 'Other-Corp',
    });
    const claims = await idTokenClaims(byName.id_token);
    assert.equal(claims.sub, 'auth0|sam');
    assert.deepEqual(organizationOf(claims), otherCorp);

    const profile = await userinfo(
      standIn.browser(),
      server,
      byName.access_token!,
    );
    assert.equal(profile.status, 200);
    assert.equal(
      JSON.parse(profile.body).org_id,
      undefined,
      '/userinfo has no organization claims',
    );
  });

  it('sends a non-member back with access_denied naming the user and the organization', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const page = await openAuthorize(standIn.browser(), server, {
      organization: 'org_examplecorp',
    });
    assert.match(
      page.body,
      /in the organization <strong>Example Corp<\/strong> \(<code>org_examplecorp<\/code>\)/,
    );
    const params = await signIn(browser, server, sam, {
      organization: 'org_examplecorp',
      state: 'sam-tampered',
    });
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(
      params.get('error_description'),
      'user auth0|sam is not part of the org_examplecorp organization',
    );
    assert.equal(params.get('state'), 'sam-tampered');
    assert.equal(params.get('code'), null);

    // Alex belongs to no organization; the name is refused like the id.
    const refused = await signIn(standIn.browser(), server, alex, {
      organization: 'other-corp',
    });
    assert.equal(refused.get('error'), 'access_denied');
    assert.equal(
      refused.get('error_description'),
      'user auth0|alex is not part of the org_othercorp organization',
    );
  });

  it('refuses a non-member who already has a session, without showing the login page', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    await signIn(browser, server, sam);
    const again = await untilCallbackOrPage(
      browser,
      await browser.get(
        authorizeUrl(server, { organization: 'example-corp', state: 'sso' }),
      ),
    );
    const params = callbackParams(again);
    assert.equal(params.get('error'), 'access_denied');
    assert.match(params.get('error_description')!, /auth0\|sam/);
    assert.equal(params.get('state'), 'sso');
  });

  it('refuses an organization that does not exist before anyone signs in', async () => {
    const browser = standIn.browser();
    const response = await browser.get(
      authorizeUrl(standIn.server, { organization: 'org_nosuchcorp' }),
    );
    const params = callbackParams(response);
    assert.equal(params.get('error'), 'invalid_request');
    assert.match(params.get('error_description')!, /org_nosuchcorp/);
  });

  it('gives no organization claims without the parameter, even after a sign-in with one', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const plain = await tokensFor(browser, server);
    const claims = await idTokenClaims(plain.id_token);
    assert.equal(claims.sub, 'auth0|chris');
    assert.deepEqual(organizationOf(claims), {
      org_id: undefined,
      org_name: undefined,
    });

    // The same browser session (single sign-on, no login page) signs in to the
    // organization, then again without it.
    const again = async (params: Record<string, string>) => {
      const callback = callbackParams(
        await untilCallbackOrPage(
          browser,
          await browser.get(authorizeUrl(server, params)),
        ),
      );
      const exchanged = await exchangeCode(
        browser,
        server,
        callback.get('code')!,
      );
      assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
      return exchanged.body;
    };
    const withOrganization = await again({ organization: 'org_examplecorp' });
    assert.deepEqual(
      organizationOf(await idTokenClaims(withOrganization.id_token)),
      exampleCorp,
    );
    const body = await again({ state: 'no-org-again' });
    assert.equal(
      (await idTokenClaims(body.id_token)).org_id,
      undefined,
      'a sign-in without the parameter does not inherit the organization',
    );
    const refreshed = await refresh(browser, server, body.refresh_token!);
    assert.equal(refreshed.status, 200);
    assert.equal(
      (await idTokenClaims(refreshed.body.id_token)).org_id,
      undefined,
    );
  });

  it('keeps the organization claims in the ID tokens of refreshes, rotated or not', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const first = await tokensFor(browser, server, undefined, {
      organization: 'example-corp',
    });
    const once = await refresh(browser, server, first.refresh_token!);
    assert.equal(once.status, 200, JSON.stringify(once.body));
    assert.notEqual(once.body.refresh_token, first.refresh_token);
    const twice = await refresh(browser, server, once.body.refresh_token!);
    assert.equal(twice.status, 200, JSON.stringify(twice.body));
    for (const tokens of [once.body, twice.body]) {
      const claims = await idTokenClaims(tokens.id_token);
      assert.equal(claims.sub, 'auth0|chris');
      assert.deepEqual(organizationOf(claims), exampleCorp);
    }

    await server.updateKnobs({ refreshTokenRotation: false });
    try {
      const unrotated = await refresh(
        browser,
        server,
        twice.body.refresh_token!,
      );
      assert.equal(unrotated.status, 200);
      assert.deepEqual(
        organizationOf(await idTokenClaims(unrotated.body.id_token)),
        exampleCorp,
      );
    } finally {
      await server.reset();
    }
  });
});

function pick(object: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(keys.map(key => [key, object[key]]));
}
