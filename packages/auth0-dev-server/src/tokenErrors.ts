import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * `x-ratelimit-limit` of a forced 429: Auth0's documented limit for `/oauth/token` on
 * non-production tenants, 30 requests a second.
 */
export const tokenRateLimit = 30;

export const tooManyRequestsDescription =
  'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.';

export type ForcedTokenFailure = {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
};

/**
 * What `POST /oauth/token` answers while the `tokenErrorStatus` knob is set. A 429 is
 * shaped like Auth0's Authentication API when rate-limited: `too_many_requests` and the
 * `x-ratelimit-*` headers, the reset as Unix epoch seconds (the next whole second, as for a
 * per-second window, or `retryAfterSeconds` from now). Auth0 documents no `Retry-After`
 * there, so it comes only from the `tokenRetryAfterSeconds` knob, on 429 and 5xx alike.
 */
export function forcedTokenFailure(
  status: number,
  retryAfterSeconds: number | null,
  nowMs: number = Date.now(),
): ForcedTokenFailure {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (retryAfterSeconds !== null) {
    headers['retry-after'] = String(retryAfterSeconds);
  }
  if (status === 429) {
    const nowSeconds = Math.floor(nowMs / 1000);
    headers['x-ratelimit-limit'] = String(tokenRateLimit);
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = String(
      nowSeconds + Math.max(1, retryAfterSeconds ?? 1),
    );
    return {
      status,
      headers,
      body: {
        error: 'too_many_requests',
        error_description: tooManyRequestsDescription,
      },
    };
  }
  return {
    status,
    headers,
    body: {
      error: 'server_error',
      error_description: `auth0-dev-server: forced ${status} (tokenErrorStatus)`,
    },
  };
}

/** Auth0's answer to a refresh with a revoked, reused, expired or unknown refresh token. */
export const invalidRefreshTokenDescription =
  'Unknown or invalid refresh token.';

/**
 * oidc-provider refuses a bad refresh token with 400 and its own wording; Auth0 answers
 * 403 `{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}`
 * (the text Auth0's SDKs match to tell an invalid refresh token). This puts Auth0's answer
 * in its place.
 */
export function auth0RefreshErrors() {
  return async function auth0RefreshErrorsMiddleware(
    ctx: KoaContextWithOIDC,
    next: () => Promise<void>,
  ) {
    await next();
    if (ctx.path !== '/oauth/token' || ctx.status !== 400) return;
    const oidc = (ctx as { oidc?: KoaContextWithOIDC['oidc'] }).oidc;
    const grantType = (oidc?.params as { grant_type?: unknown } | undefined)
      ?.grant_type;
    const body = ctx.body as { error?: unknown } | undefined;
    if (grantType !== 'refresh_token' || body?.error !== 'invalid_grant') {
      return;
    }
    ctx.status = 403;
    ctx.body = {
      error: 'invalid_grant',
      error_description: invalidRefreshTokenDescription,
    };
  };
}

/**
 * oidc-provider refuses a grant type the client may not use with 400 `invalid_request`
 * (`requested grant type is not allowed for this client`); Auth0 answers 403
 * `{"error":"unauthorized_client","error_description":"Grant type '<type>' not allowed for the client."}`,
 * e.g. a refresh for an application whose Refresh Token grant is off, or client credentials
 * for the sign-in application. This puts Auth0's answer in its place.
 */
export function auth0UnauthorizedClientErrors() {
  return async function auth0UnauthorizedClientErrorsMiddleware(
    ctx: KoaContextWithOIDC,
    next: () => Promise<void>,
  ) {
    await next();
    if (ctx.path !== '/oauth/token' || ctx.method !== 'POST') return;
    const body = ctx.body as
      | { error?: unknown; error_description?: unknown }
      | undefined;
    if (
      body?.error !== 'invalid_request' ||
      !/grant type is not allowed/.test(String(body.error_description))
    ) {
      return;
    }
    const oidc = (ctx as { oidc?: KoaContextWithOIDC['oidc'] }).oidc;
    const grantType = (oidc?.params as { grant_type?: unknown } | undefined)
      ?.grant_type;
    ctx.status = 403;
    ctx.body = {
      error: 'unauthorized_client',
      error_description: `Grant type '${String(
        grantType,
      )}' not allowed for the client.`,
    };
  };
}
