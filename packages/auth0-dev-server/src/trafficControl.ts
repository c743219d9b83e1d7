import { setTimeout as sleep } from 'node:timers/promises';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { CountedEndpoint, Counters } from './counters.ts';
import type { FixtureUsers } from './fixtureUsers.ts';
import { latencyEndpoints, type Knobs, type LatencyEndpoint } from './knobs.ts';
import { forcedTokenFailure } from './tokenErrors.ts';
import type { UserinfoRateLimiter } from './userinfoRateLimit.ts';

export type TrafficControlOptions = {
  provider: Provider;
  users: FixtureUsers;
  knobs: () => Knobs;
  counters: Counters;
  rateLimiter: UserinfoRateLimiter;
};

type User = { sub: string; email: string };

/**
 * The first middleware every request meets: counts it, delays it, and applies the forced
 * failures and the /userinfo rate limit before oidc-provider sees it.
 */
export function trafficControl(options: TrafficControlOptions) {
  const { provider, users, counters } = options;

  const userOf = (sub: string | undefined): User | undefined => {
    const user = sub ? users.bySub(sub) : undefined;
    return user && { sub: user.sub, email: user.email };
  };

  return async function trafficControlMiddleware(
    ctx: KoaContextWithOIDC,
    next: () => Promise<void>,
  ) {
    const endpoint = endpointOf(ctx.method, ctx.path);
    if (!endpoint) {
      await next();
      return;
    }
    let user: User | undefined;
    let failed: unknown;
    try {
      const knobs = options.knobs();
      const delay = isLatencyEndpoint(endpoint) ? knobs.latencyMs[endpoint] : 0;
      if (delay > 0) await sleep(delay);

      if (
        endpoint === 'authorize' &&
        ctx.path === '/authorize' &&
        knobs.authorizeError
      ) {
        if (await redirectWithError(ctx, knobs.authorizeError)) return;
      }
      if (endpoint === 'token' && knobs.tokenErrorStatus !== null) {
        const failure = forcedTokenFailure(
          knobs.tokenErrorStatus,
          knobs.tokenRetryAfterSeconds,
        );
        ctx.status = failure.status;
        ctx.set(failure.headers);
        ctx.body = failure.body;
        return;
      }
      if (endpoint === 'userinfo') {
        user = await userOfAccessToken(ctx);
        if (user && knobs.userinfoRateLimit && !allowUserinfo(ctx, user))
          return;
      }
      await next();
      user ??= userOf(countedSub(ctx) ?? accountIdAfter(ctx));
    } catch (error) {
      failed = error;
      throw error;
    } finally {
      const status = failed
        ? (failed as { status?: number }).status ?? 500
        : ctx.status;
      counters.record(endpoint, status, user);
    }
  };

  async function redirectWithError(
    ctx: KoaContextWithOIDC,
    failure: NonNullable<Knobs['authorizeError']>,
  ): Promise<boolean> {
    // Only to a redirect URI the client may use; anything else gets oidc-provider's page.
    const clientId = ctx.query.client_id;
    const redirectUri = ctx.query.redirect_uri;
    if (typeof clientId !== 'string' || typeof redirectUri !== 'string')
      return false;
    const client = await provider.Client.find(clientId);
    if (!client || !client.redirectUriAllowed(redirectUri)) return false;
    const target = new URL(redirectUri);
    target.searchParams.set('error', failure.error);
    target.searchParams.set('error_description', failure.errorDescription);
    if (typeof ctx.query.state === 'string') {
      target.searchParams.set('state', ctx.query.state);
    }
    ctx.status = 302;
    ctx.redirect(target.href);
    return true;
  }

  async function userOfAccessToken(
    ctx: KoaContextWithOIDC,
  ): Promise<User | undefined> {
    const token = accessTokenOf(ctx);
    if (!token) return undefined;
    const accessToken = await provider.AccessToken.find(token);
    return userOf(accessToken?.accountId);
  }

  function allowUserinfo(ctx: KoaContextWithOIDC, user: User): boolean {
    const decision = options.rateLimiter.take(user.sub);
    ctx.set('x-ratelimit-limit', String(decision.limit));
    ctx.set('x-ratelimit-remaining', String(decision.remaining));
    ctx.set('x-ratelimit-reset', String(decision.resetAt));
    if (decision.allowed) return true;
    ctx.status = 429;
    ctx.set('retry-after', String(decision.retryAfterSeconds));
    ctx.body = {
      error: 'too_many_requests',
      error_description: `Too many requests to /userinfo for ${user.sub}: Auth0 allows 5 a minute with bursts of 10. Retry after ${decision.retryAfterSeconds} s.`,
    };
    return false;
  }
}

/** The access token from ?access_token= (as passport-auth0 sends it) or the Bearer header. */
function accessTokenOf(ctx: KoaContextWithOIDC): string | undefined {
  if (typeof ctx.query.access_token === 'string') return ctx.query.access_token;
  const header = ctx.get('authorization');
  return /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
}

function endpointOf(method: string, path: string): CountedEndpoint | undefined {
  if (path === '/authorize' || path.startsWith('/authorize/'))
    return 'authorize';
  if (path === '/oauth/token') return 'token';
  if (path === '/oauth/revoke') return 'revoke';
  if (path === '/userinfo') return 'userinfo';
  if (path === '/.well-known/jwks.json') return 'jwks';
  if (path === '/.well-known/openid-configuration') return 'discovery';
  if (path === '/v2/logout') return 'logout';
  if (method === 'POST' && /^\/interaction\/[^/]+\/login$/.test(path))
    return 'login';
  return undefined;
}

function isLatencyEndpoint(
  endpoint: CountedEndpoint,
): endpoint is CountedEndpoint & LatencyEndpoint {
  return (latencyEndpoints as readonly string[]).includes(endpoint);
}

/**
 * Names the user a request is counted for, where oidc-provider does not resolve one: the
 * login page when a password was right, /oauth/revoke for the token's user.
 */
export function setCountedSub(ctx: KoaContextWithOIDC, sub: string) {
  ctx.state.countedSub = sub;
}

function countedSub(ctx: KoaContextWithOIDC): string | undefined {
  return typeof ctx.state.countedSub === 'string'
    ? ctx.state.countedSub
    : undefined;
}

/** The user oidc-provider resolved while answering, where it did. */
function accountIdAfter(ctx: KoaContextWithOIDC): string | undefined {
  const oidc = (ctx as { oidc?: KoaContextWithOIDC['oidc'] }).oidc;
  if (!oidc) return undefined;
  const { entities } = oidc;
  return (
    entities.Account?.accountId ??
    entities.AuthorizationCode?.accountId ??
    entities.RefreshToken?.accountId ??
    entities.AccessToken?.accountId ??
    entities.Session?.accountId
  );
}
