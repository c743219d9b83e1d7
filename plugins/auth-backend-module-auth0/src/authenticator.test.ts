import { randomUUID } from 'node:crypto';
import { Request } from 'express';
import { ConfigReader } from '@backstage/config';
import { encodeOAuthState } from '@backstage/plugin-auth-node';
import { createAuth0Authenticator } from './authenticator';
import { Auth0ConfigError } from './config';
import {
  Auth0RefusedError,
  Auth0UnavailableError,
  InvalidIdTokenError,
  InvalidSessionCookieError,
  OrganizationMismatchError,
} from './errors';
import { Auth0RefreshCoordinator } from './refreshCoordinator';
import {
  CALLBACK_URL,
  callbackFromDevServer,
  DevServer,
  startDevServer,
} from './__testUtils__/devServer';

jest.setTimeout(60_000);

/** The parts of an express request the authenticator reads. */
function request(
  options: {
    url?: string;
    query?: Record<string, string>;
    origin?: string;
  } = {},
): Request {
  return {
    url: options.url ?? '/api/auth/auth0/start?env=development',
    query: options.query ?? {},
    get: (header: string) =>
      header.toLowerCase() === 'origin' ? options.origin : undefined,
  } as unknown as Request;
}

describe('createAuth0Authenticator', () => {
  let auth0: DevServer;
  const refreshes: Array<{ refreshToken: string; resultWindowMs?: number }> =
    [];
  const refreshCoordinator: Auth0RefreshCoordinator = {
    refreshOnce(refreshToken, exchange, options) {
      refreshes.push({ refreshToken, ...options });
      return exchange();
    },
  };
  const revokeFailures: Error[] = [];

  beforeAll(async () => {
    auth0 = await startDevServer();
  });

  afterEach(async () => {
    refreshes.length = 0;
    revokeFailures.length = 0;
    await auth0.admin.acceptConnections();
    await auth0.admin.reset();
  });

  afterAll(async () => {
    await auth0?.stop();
  });

  function initialized(settings: Record<string, unknown> = {}) {
    const authenticator = createAuth0Authenticator({
      refreshCoordinator,
      fetch: auth0.fetch,
      onRevokeFailed: error => {
        revokeFailures.push(error);
      },
    });
    const ctx = authenticator.initialize({
      callbackUrl: CALLBACK_URL,
      config: new ConfigReader({
        domain: auth0.domain,
        clientId: auth0.clientId,
        clientSecret: auth0.clientSecret,
        ...settings,
      }),
    });
    return { authenticator, ctx };
  }

  /**
   * The popup flow as the auth backend runs it: /start builds the /authorize URL, the person
   * signs in at the dev server, and the callback's query goes to authenticate.
   */
  async function signIn(
    user: string,
    options: {
      settings?: Record<string, unknown>;
      editAuthorizeUrl?: (url: URL) => void;
      callbackNonce?: string;
    } = {},
  ) {
    const { authenticator, ctx } = initialized(options.settings);
    const nonce = randomUUID();
    const { url } = await authenticator.start(
      {
        scope: 'openid profile email offline_access',
        state: encodeOAuthState({ nonce, env: 'development' }),
        req: request(),
      },
      ctx,
    );
    const authorize = new URL(url);
    options.editAuthorizeUrl?.(authorize);
    const query = await callbackFromDevServer(auth0, authorize.href, user);
    if (options.callbackNonce) {
      query.state = encodeOAuthState({
        nonce: options.callbackNonce,
        env: 'development',
      });
    }
    return authenticator.authenticate({ req: request({ query }) }, ctx);
  }

  it('sends the browser to the tenant with the nonce of the state and the configured parameters', async () => {
    const { authenticator, ctx } = initialized({
      audience: 'https://api.example.com',
      connection: 'google-oauth2',
      organization: 'org_examplecorp',
      prompt: 'login',
    });
    const state = encodeOAuthState({ nonce: 'the-nonce', env: 'development' });
    const { url } = await authenticator.start(
      {
        scope: 'openid profile email offline_access',
        state,
        req: request({
          url: '/api/auth/auth0/start?env=development&login_hint=chris%40example.com',
        }),
      },
      ctx,
    );
    const authorize = new URL(url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(
      `${auth0.issuer}authorize`,
    );
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      response_type: 'code',
      client_id: auth0.clientId,
      redirect_uri: CALLBACK_URL,
      scope: 'openid profile email offline_access',
      state,
      nonce: 'the-nonce',
      audience: 'https://api.example.com',
      connection: 'google-oauth2',
      organization: 'org_examplecorp',
      prompt: 'login',
      login_hint: 'chris@example.com',
    });
  });

  it('signs in with the code, the profile coming from the verified ID token and not /userinfo', async () => {
    const { authenticator } = initialized();
    const result = await signIn('chris');
    expect(result.fullProfile).toMatchObject({
      sub: 'auth0|chris',
      email: 'chris@example.com',
      email_verified: true,
    });
    expect(result.session).toMatchObject({
      accessToken: expect.any(String),
      idToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
    });
    await expect(
      authenticator.defaultProfileTransform(result, {} as any),
    ).resolves.toEqual({
      profile: {
        email: 'chris@example.com',
        displayName: 'Chris House',
        picture: expect.any(String),
      },
    });
    const counters = await auth0.admin.counters();
    expect(counters.users['auth0|chris'].requests.userinfo ?? 0).toBe(0);
  });

  it('refuses an ID token whose nonce is not the one of this sign-in attempt', async () => {
    await expect(
      signIn('chris', { callbackNonce: 'another-attempt' }),
    ).rejects.toThrow(
      new InvalidIdTokenError('its nonce does not match this sign-in attempt'),
    );
  });

  it('passes on Auth0’s refusal at the callback, in Auth0’s words', async () => {
    await auth0.admin.failAuthorize({
      error: 'access_denied',
      errorDescription: 'The user cancelled the sign-in',
    });
    await expect(signIn('chris')).rejects.toThrow(
      new Auth0RefusedError('access_denied', 'The user cancelled the sign-in'),
    );
  });

  it('says Auth0 is unavailable when the code exchange meets a 5xx', async () => {
    const { authenticator, ctx } = initialized();
    await auth0.admin.failToken(503);
    await expect(
      authenticator.authenticate(
        {
          req: request({
            query: {
              code: 'a-code',
              state: encodeOAuthState({ nonce: 'n', env: 'development' }),
            },
          }),
        },
        ctx,
      ),
    ).rejects.toThrow(Auth0UnavailableError);
  });

  it('refreshes through the refresh coordinator, taking the rotated refresh token', async () => {
    const { session } = await signIn('chris');
    const { authenticator, ctx } = initialized({
      refreshResultWindow: { seconds: 20 },
    });
    const refreshed = await authenticator.refresh(
      {
        refreshToken: session.refreshToken!,
        scope: session.scope,
        req: request(),
      },
      ctx,
    );
    expect(refreshes).toEqual([
      { refreshToken: session.refreshToken, resultWindowMs: 20_000 },
    ]);
    expect(refreshed.fullProfile.sub).toBe('auth0|chris');
    expect(refreshed.session.refreshToken).toEqual(expect.any(String));
    expect(refreshed.session.refreshToken).not.toBe(session.refreshToken);
  });

  it('keeps the refresh token when Auth0 does not rotate it', async () => {
    await auth0.admin.setRefreshTokenRotation(false);
    const { session } = await signIn('chris');
    const { authenticator, ctx } = initialized();
    const refreshed = await authenticator.refresh(
      { refreshToken: session.refreshToken!, scope: '', req: request() },
      ctx,
    );
    expect(refreshed.session.refreshToken).toBe(session.refreshToken);
  });

  it('refuses a cookie that cannot be a refresh token without asking Auth0', async () => {
    const { authenticator, ctx } = initialized();
    await auth0.admin.resetCounters();
    await expect(
      authenticator.refresh(
        { refreshToken: '<not a token>', scope: '', req: request() },
        ctx,
      ),
    ).rejects.toThrow(InvalidSessionCookieError);
    expect(refreshes).toEqual([]);
    expect((await auth0.admin.counters()).endpoints.token.requests).toBe(0);
  });

  it('revokes the refresh token at sign-out, so that it no longer refreshes', async () => {
    const { session } = await signIn('chris');
    const { authenticator, ctx } = initialized({ federatedLogout: true });
    const result = await authenticator.logout!(
      {
        refreshToken: session.refreshToken,
        req: request({ origin: 'http://localhost:3000' }),
      },
      ctx,
    );
    const logoutUrl = new URL((result as { logoutUrl: string }).logoutUrl);
    expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(
      `${auth0.issuer}v2/logout`,
    );
    expect(Object.fromEntries(logoutUrl.searchParams)).toEqual({
      client_id: auth0.clientId,
      federated: '',
      returnTo: 'http://localhost:3000',
    });
    expect(revokeFailures).toEqual([]);
    await expect(
      authenticator.refresh(
        { refreshToken: session.refreshToken!, scope: '', req: request() },
        ctx,
      ),
    ).rejects.toMatchObject({
      name: 'Auth0RefusedError',
      oauthError: 'invalid_grant',
    });
  });

  it('signs out even when Auth0 cannot be reached to revoke, and says so', async () => {
    const { session } = await signIn('chris');
    const { authenticator, ctx } = initialized();
    await auth0.admin.refuseConnections();
    const result = await authenticator.logout!(
      { refreshToken: session.refreshToken, req: request() },
      ctx,
    );
    expect(result).toEqual({
      logoutUrl: expect.stringContaining('/v2/logout'),
    });
    expect(revokeFailures).toEqual([expect.any(Auth0UnavailableError)]);
  });

  describe('with an organization', () => {
    it.each(['org_examplecorp', 'Example-Corp'])(
      'signs in a member who signed in through %s',
      async organization => {
        const result = await signIn('chris', { settings: { organization } });
        expect(result.fullProfile).toMatchObject({
          org_id: 'org_examplecorp',
          org_name: 'example-corp',
        });
      },
    );

    it('refuses a sign-in whose organization was dropped from the /authorize URL', async () => {
      await expect(
        signIn('chris', {
          settings: { organization: 'org_examplecorp' },
          editAuthorizeUrl: url => url.searchParams.delete('organization'),
        }),
      ).rejects.toThrow(
        new OrganizationMismatchError('org_examplecorp', undefined),
      );
    });

    it('checks the organization again at every refresh', async () => {
      const { session } = await signIn('chris', {
        settings: { organization: 'org_examplecorp' },
      });
      const { authenticator, ctx } = initialized({
        organization: 'org_othercorp',
      });
      await expect(
        authenticator.refresh(
          { refreshToken: session.refreshToken!, scope: '', req: request() },
          ctx,
        ),
      ).rejects.toThrow(OrganizationMismatchError);
    });
  });

  it('lists every problem of its settings when initialized', () => {
    const authenticator = createAuth0Authenticator({ refreshCoordinator });
    expect(() =>
      authenticator.initialize({
        callbackUrl: CALLBACK_URL,
        config: new ConfigReader({ domain: 'https://tenant.example.com/' }),
      }),
    ).toThrow(
      new Auth0ConfigError([
        'auth.providers.auth0.<environment>.domain is "https://tenant.example.com/": give the host name only, without "https://", e.g. tenant.example.com',
        'auth.providers.auth0.<environment>.clientId is missing: set AUTH_AUTH0_CLIENT_ID (Auth0 dashboard > Applications > your Backstage application)',
        'auth.providers.auth0.<environment>.clientSecret is missing: set AUTH_AUTH0_CLIENT_SECRET (Auth0 dashboard > Applications > your Backstage application)',
      ]),
    );
  });
});
