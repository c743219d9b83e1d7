import {
  createOAuthAuthenticator,
  decodeOAuthState,
  OAuthAuthenticator,
  OAuthAuthenticatorResult,
  OAuthSession,
} from '@backstage/plugin-auth-node';
import { AUTH0_REQUIRED_SCOPES } from '@backstage-auth0/plugin-auth0-common';
import {
  Auth0ConfigError,
  Auth0ProviderSettings,
  readAuth0ProviderSettings,
} from './config';
import {
  Auth0IdTokenClaims,
  Auth0TokenResponse,
  Auth0Tokens,
  isPlausibleRefreshToken,
} from './auth0Tokens';
import { Auth0RefusedError, InvalidSessionCookieError } from './errors';
import { Auth0RefreshCoordinator } from './refreshCoordinator';
import { traceRefreshPhase } from './tracing';

/**
 * What {@link createAuth0Authenticator} needs beyond config.
 *
 * @public
 */
export type Auth0AuthenticatorOptions = {
  /**
   * Makes concurrent refreshes of one session share one call to Auth0, in this process and
   * across replicas; made by {@link createAuth0RefreshCoordinator}. With refresh-token
   * rotation, Auth0 revokes the whole session when a refresh token is presented twice.
   */
  refreshCoordinator: Auth0RefreshCoordinator;
  /**
   * Told when sign-out could not revoke the refresh token at Auth0; the cookie is cleared
   * and the person signed out all the same.
   */
  onRevokeFailed?: (error: Error) => Promise<void> | void;
  /** Reaches the tenant (token endpoint, revocation, signing keys); global `fetch` by default. */
  fetch?: typeof fetch;
  /**
   * Where the environment block is in config, as startup problems name it; by default
   * `auth.providers.auth0.<environment>`.
   */
  configPath?: string;
};

/**
 * One environment's authenticator context: its settings, read once by `initialize`.
 *
 * @public
 */
export type Auth0AuthenticatorContext = {
  settings: Auth0ProviderSettings;
  /** Where Auth0 sends the browser back to: `callbackUrl` of config, or the provider's. */
  callbackUrl: string;
};

/**
 * The Auth0 authenticator, for `createOAuthProviderFactory` or `createOAuthRouteHandlers`
 * of `@backstage/plugin-auth-node`. `initialize` reads one environment block (the keys of
 * config.d.ts) and throws {@link Auth0ConfigError} listing every problem in it. The profile
 * comes from the verified ID token (Auth0 rate-limits `/userinfo`), and a refresh is one
 * call to the token endpoint, shared by every concurrent refresh of the same session.
 *
 * @public
 */
export function createAuth0Authenticator(
  options: Auth0AuthenticatorOptions,
): OAuthAuthenticator<Auth0AuthenticatorContext, Auth0IdTokenClaims> {
  const { refreshCoordinator, onRevokeFailed } = options;
  // One client per context keeps the tenant's signing keys cached between sign-ins.
  const tokenClients = new WeakMap<Auth0AuthenticatorContext, Auth0Tokens>();
  const tokensFor = (ctx: Auth0AuthenticatorContext) => {
    let tokens = tokenClients.get(ctx);
    if (!tokens) {
      tokens = new Auth0Tokens({ ...ctx.settings, fetch: options.fetch });
      tokenClients.set(ctx, tokens);
    }
    return tokens;
  };

  return createOAuthAuthenticator<
    Auth0AuthenticatorContext,
    Auth0IdTokenClaims
  >({
    scopes: { required: [...AUTH0_REQUIRED_SCOPES] },
    async defaultProfileTransform(result) {
      const claims = result.fullProfile;
      return {
        profile: {
          email: claims.email,
          displayName: claims.name ?? claims.nickname,
          picture: claims.picture,
        },
      };
    },

    initialize({ callbackUrl, config }) {
      const problems: string[] = [];
      const settings = readAuth0ProviderSettings({
        envConfig: config,
        keyPrefix: options.configPath ?? 'auth.providers.auth0.<environment>',
        problems,
      });
      if (problems.length > 0) {
        throw new Auth0ConfigError(problems);
      }
      return { settings, callbackUrl: settings.callbackUrl ?? callbackUrl };
    },

    async start(input, ctx) {
      const url = new URL(`https://${ctx.settings.domain}/authorize`);
      const params: Record<string, string | undefined> = {
        response_type: 'code',
        client_id: ctx.settings.clientId,
        redirect_uri: ctx.callbackUrl,
        scope: input.scope,
        state: input.state,
        nonce: decodeOAuthState(input.state).nonce,
        audience: ctx.settings.audience,
        connection: ctx.settings.connection,
        connection_scope: ctx.settings.connectionScope,
        organization: ctx.settings.organization,
        prompt:
          ctx.settings.prompt === 'auto' ? undefined : ctx.settings.prompt,
      };
      const requested = new URL(input.req.url, 'http://request.invalid')
        .searchParams;
      for (const passthrough of ['login_hint', 'screen_hint', 'invitation']) {
        params[passthrough] ??= requested.get(passthrough) ?? undefined;
      }
      for (const [key, value] of Object.entries(params)) {
        if (value) url.searchParams.set(key, value);
      }
      return { url: url.toString() };
    },

    async authenticate(input, ctx) {
      const query = input.req.query as Record<string, string | undefined>;
      if (query.error) {
        throw new Auth0RefusedError(query.error, query.error_description);
      }
      if (!query.code) {
        throw new Auth0RefusedError(
          'invalid_request',
          'the callback from Auth0 carried no authorization code',
        );
      }
      const expectedNonce = decodeOAuthState(query.state ?? '').nonce;
      const tokens = tokensFor(ctx);
      const response = await tokens.exchangeCode(query.code, ctx.callbackUrl);
      return toResult(
        response,
        await tokens.verifyIdToken(response.id_token, expectedNonce),
      );
    },

    async refresh(input, ctx) {
      if (!isPlausibleRefreshToken(input.refreshToken)) {
        throw new InvalidSessionCookieError();
      }
      const tokens = tokensFor(ctx);
      const response = await refreshCoordinator.refreshOnce(
        input.refreshToken,
        () =>
          traceRefreshPhase('token_request', () =>
            tokens.refresh(input.refreshToken),
          ),
        { resultWindowMs: ctx.settings.refreshResultWindowMs },
      );
      const claims = await traceRefreshPhase('id_token_verify', () =>
        tokens.verifyIdToken(response.id_token),
      );
      return toResult(
        {
          ...response,
          // Without rotation Auth0 returns no refresh token: the current one stays valid.
          refresh_token: response.refresh_token ?? input.refreshToken,
        },
        claims,
      );
    },

    async logout(input, ctx) {
      if (input.refreshToken && isPlausibleRefreshToken(input.refreshToken)) {
        try {
          await tokensFor(ctx).revoke(input.refreshToken);
        } catch (error) {
          await onRevokeFailed?.(error as Error);
        }
      }
      const logoutUrl = new URL(`https://${ctx.settings.domain}/v2/logout`);
      logoutUrl.searchParams.set('client_id', ctx.settings.clientId);
      if (ctx.settings.federatedLogout) {
        logoutUrl.searchParams.set('federated', '');
      }
      const origin = input.req.get('origin');
      if (origin) {
        logoutUrl.searchParams.set('returnTo', origin);
      }
      return { logoutUrl: logoutUrl.toString() };
    },
  });
}

function toResult(
  tokens: Auth0TokenResponse,
  claims: Auth0IdTokenClaims,
): OAuthAuthenticatorResult<Auth0IdTokenClaims> {
  const session: OAuthSession = {
    accessToken: tokens.access_token,
    tokenType: tokens.token_type ?? 'Bearer',
    idToken: tokens.id_token,
    scope: tokens.scope ?? AUTH0_REQUIRED_SCOPES.join(' '),
    expiresInSeconds: tokens.expires_in,
    refreshToken: tokens.refresh_token,
  };
  return { fullProfile: claims, session };
}
