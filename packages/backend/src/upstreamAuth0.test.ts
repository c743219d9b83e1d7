import {
  frameMessage as frameResponse,
  jwtPayload,
  refreshSession,
  registerAuth0SignInStack,
  signInThroughPopup,
} from '@internal/test-harness';

jest.setTimeout(180_000);

describe("upstream's Auth0 module (plugin-auth-backend-module-auth0-provider) against the dev server", () => {
  const stack = registerAuth0SignInStack({
    entry: 'src/__testUtils__/upstreamAuth0Backend.ts',
    catalogUser: 'chris',
  });

  it('signs chris in: /start, the login page, consent, /handler/frame with a Backstage token', async () => {
    const { auth0, backend } = stack;
    const browser = stack.newBrowser();
    const callbackUrl = `${backend.baseUrl}/api/auth/auth0/handler/frame`;

    // The scopes as the app's sign-in popup asks for them: upstream's module adds none
    // (without them it sends `scope=` with a nonce, which the dev server refuses).
    const startUrl = new URL(`${backend.baseUrl}/api/auth/auth0/start`);
    startUrl.searchParams.set('env', 'development');
    startUrl.searchParams.set('scope', 'openid profile email offline_access');
    const start = await browser.get(startUrl.href);
    expect(start.status).toBe(302);
    const authorize = new URL(start.location!);
    expect(authorize.origin + authorize.pathname).toBe(
      `${auth0.issuer}authorize`,
    );
    expect(authorize.searchParams.get('client_id')).toBe(auth0.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(callbackUrl);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('scope')).toBe(
      'openid profile email offline_access',
    );
    expect(await browser.cookies(callbackUrl)).toMatch(/auth0-nonce=/);

    const loginPage = (await browser.follow(start)).response;
    expect(loginPage.status).toBe(200);
    const loginAction = /action="(\/interaction\/[^"]+\/login)"/.exec(
      loginPage.body,
    );
    expect(loginAction).not.toBeNull();
    const afterLogin = await browser.post(
      new URL(loginAction![1], loginPage.url).href,
      { email: 'chris@example.com', password: 'password' },
    );

    // Upstream's module asks for prompt=consent unless configured otherwise.
    const consentPage = (
      await browser.follow(afterLogin, {
        until: url => url.startsWith(callbackUrl),
      })
    ).response;
    const consentAction = /action="(\/interaction\/[^"]+\/consent)"/.exec(
      consentPage.body,
    );
    expect(consentAction).not.toBeNull();
    const afterConsent = await browser.post(
      new URL(consentAction![1], consentPage.url).href,
      { decision: 'accept' },
    );

    const { response: frame, visited } = await browser.follow(afterConsent);
    expect(visited[visited.length - 1]).toMatch(
      new RegExp(`^${callbackUrl}\\?code=`),
    );
    expect(frame.status).toBe(200);
    const message = frameResponse(frame.body);
    expect(message.error).toBeUndefined();
    expect(message.type).toBe('authorization_response');
    expect(message.response!.profile.email).toBe('chris@example.com');
    const { token, identity } = message.response!.backstageIdentity!;
    expect(identity.userEntityRef).toBe('user:default/chris');
    expect(jwtPayload(token).sub).toBe('user:default/chris');

    const counters = await auth0.admin.counters();
    expect(counters.users['auth0|chris'].requests.token).toBe(1);
    expect(counters.users['auth0|chris'].requests.userinfo).toBe(1);
  });

  it('loses the session to 10 concurrent refreshes with rotation on (the difference this repo fixes)', async () => {
    const { auth0, backend } = stack;
    await auth0.admin.setRefreshTokenRotation(true);
    const tabs = stack.newBrowser();
    const { message } = await signInThroughPopup(tabs, backend, {
      user: 'alex',
    });
    expect(message.response?.backstageIdentity).toBeDefined();

    const refreshes = await Promise.all(
      Array.from({ length: 10 }, () => refreshSession(tabs, backend)),
    );
    const succeeded = refreshes.filter(refresh => refresh.status === 200);
    const after = await refreshSession(tabs, backend);
    // Reuse detection revoked the family: the person is signed out everywhere.
    expect(succeeded.length).toBeLessThan(10);
    expect(after.status).toBe(401);
  });
});
