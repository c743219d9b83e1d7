import {
  createOAuthAuthenticator,
  decodeOAuthState,
  OAuthAuthenticatorResult,
  OAuthSession,
} from '@backstage/plugin-auth-node';
import { Auth0ProviderSettings } from './config';
import {
  Auth0IdTokenClaims,
  Auth0TokenResponse,
  Auth0Tokens,
  isPlausibleRefreshToken,
} from './auth0Tokens';
import { Auth0RefusedError, InvalidSessionCookieError } from './errors';
import { RefreshCoordinator } from './refreshCoordinator';

/** Scopes every session needs: an ID token with the email, and a refresh token. */
export const REQUIRED_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

type Auth0AuthenticatorContext = {
  settings: Auth0ProviderSettings;
  callbackUrl: string;
  tokens: Auth0Tokens;
};

/**
 * The Auth0 authenticator for one environment. The profile always comes from the
 * verified ID token (Auth0 rate-limits `/userinfo`), and a refresh is exactly one call
 * to the token endpoint, shared by every concurrent refresh of the same session.
 */
export function createAuth0Authenticator(options: {
  settings: Auth0ProviderSettings;
  refreshCoordinator: RefreshCoordinator;
  /**
   * Told when sign-out could not revoke the refresh token at Auth0; the cookie is cleared
   * and the person signed out all the same.
   */
  onRevokeFailed?: (error: Error) => Promise<void> | void;
}) {
  const { settings, refreshCoordinator, onRevokeFailed } = options;

  return createOAuthAuthenticator<
    Auth0AuthenticatorContext,
    Auth0IdTokenClaims
  >({
    scopes: { required: REQUIRED_SCOPES },
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

    initialize({ callbackUrl }) {
      return {
        settings,
        callbackUrl: settings.callbackUrl ?? callbackUrl,
        tokens: new Auth0Tokens(settings),
      };
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
      const tokens = await ctx.tokens.exchangeCode(query.code, ctx.callbackUrl);
      return toResult(
        tokens,
        await ctx.tokens.verifyIdToken(tokens.id_token, expectedNonce),
      );
    },

    async refresh(input, ctx) {
      if (!isPlausibleRefreshToken(input.refreshToken)) {
        throw new InvalidSessionCookieError();
      }
      const tokens = await refreshCoordinator.refreshOnce(
        input.refreshToken,
        () => ctx.tokens.refresh(input.refreshToken),
        { resultWindowMs: ctx.settings.refreshResultWindowMs },
      );
      const claims = await ctx.tokens.verifyIdToken(tokens.id_token);
      return toResult(
        {
          ...tokens,
          // Without rotation Auth0 returns no refresh token: the current one stays valid.
          refresh_token: tokens.refresh_token ?? input.refreshToken,
        },
        claims,
      );
    },

    async logout(input, ctx) {
      if (input.refreshToken && isPlausibleRefreshToken(input.refreshToken)) {
        try {
          await ctx.tokens.revoke(input.refreshToken);
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
    scope: tokens.scope ?? REQUIRED_SCOPES.join(' '),
    expiresInSeconds: tokens.expires_in,
    refreshToken: tokens.refresh_token,
  };
  return { fullProfile: claims, session };
}
