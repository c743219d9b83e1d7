import {
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import {
  Auth0RefusedError,
  Auth0UnavailableError,
  InvalidIdTokenError,
  OrganizationMismatchError,
} from './errors';
import { foldAsciiCase } from './foldAsciiCase';

/**
 * The claims of a verified Auth0 ID token: what sign-in resolvers find in
 * `info.result.fullProfile`, custom claims of Auth0 Actions included.
 *
 * @public
 */
export type Auth0IdTokenClaims = {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  nickname?: string;
  picture?: string;
  [claim: string]: unknown;
};

/**
 * What Auth0's `/oauth/token` returns.
 *
 * @public
 */
export type Auth0TokenResponse = {
  access_token: string;
  token_type?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
};

/** How long a call to the token endpoint may take; the refresh lease is built on it. */
export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
/** Sign-out waits this long for Auth0 to revoke the refresh token, then clears the cookie anyway. */
const REVOKE_TIMEOUT_MS = 5_000;
/** What a client is told to wait when Auth0 gave no hint of its own. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
const MAX_RETRY_AFTER_SECONDS = 300;

/**
 * Characters and length an Auth0 refresh token can have (opaque, URL-safe, well under a
 * cookie's 4 KB). A cookie outside this is refused before Auth0 or the database is asked.
 */
const REFRESH_TOKEN_FORMAT = /^[A-Za-z0-9._~+/=-]{16,2048}$/;

export function isPlausibleRefreshToken(value: string): boolean {
  return REFRESH_TOKEN_FORMAT.test(value);
}

export type Auth0TokensOptions = {
  domain: string;
  clientId: string;
  clientSecret: string;
  /** An `org_…` id or an organization name that every ID token must carry. */
  organization?: string;
  /** Reaches the tenant (token endpoint and signing keys alike); global fetch by default. */
  fetch?: typeof fetch;
  /** Overrides the request timeouts, so tests need not wait for the real ones. */
  timeoutsMs?: { token?: number; revoke?: number };
};

/** Talks to one tenant's token endpoint and verifies the ID tokens it issues. */
export class Auth0Tokens {
  readonly #domain: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #organization: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #tokenTimeoutMs: number;
  readonly #revokeTimeoutMs: number;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(options: Auth0TokensOptions) {
    this.#domain = options.domain;
    this.#organization = options.organization;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#tokenTimeoutMs =
      options.timeoutsMs?.token ?? TOKEN_REQUEST_TIMEOUT_MS;
    this.#revokeTimeoutMs = options.timeoutsMs?.revoke ?? REVOKE_TIMEOUT_MS;
    this.#jwks = createRemoteJWKSet(
      new URL(`https://${options.domain}/.well-known/jwks.json`),
      {
        cacheMaxAge: 10 * 60_000,
        cooldownDuration: 30_000,
        [customFetch]: (url, init) => this.#fetch(url, init),
      },
    );
  }

  get issuer(): string {
    return `https://${this.#domain}/`;
  }

  exchangeCode(code: string, redirectUri: string) {
    return this.#requestTokens({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
    });
  }

  refresh(refreshToken: string) {
    return this.#requestTokens({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  }

  /**
   * Revokes a refresh token at Auth0 (`POST /oauth/revoke`); with rotation on, Auth0
   * revokes the token's whole family.
   */
  async revoke(refreshToken: string): Promise<void> {
    const url = `https://${this.#domain}/oauth/revoke`;
    const response = await this.#post(
      url,
      {
        client_id: this.#clientId,
        client_secret: this.#clientSecret,
        token: refreshToken,
      },
      this.#revokeTimeoutMs,
    );
    if (response.ok) {
      return;
    }
    const body = await response.json().catch(() => undefined);
    if (isRefusal(response.status)) {
      throw new Auth0RefusedError(
        typeof body?.error === 'string' ? body.error : String(response.status),
        typeof body?.error_description === 'string'
          ? body.error_description
          : undefined,
      );
    }
    throw new Auth0UnavailableError(
      describeAnswer(url, response.status, body),
      undefined,
      retryAfterSeconds(response),
    );
  }

  /**
   * Checks signature (tenant JWKS), issuer, audience, expiry, the organization when one is
   * configured and, at sign-in, the nonce.
   */
  async verifyIdToken(
    idToken: string | undefined,
    expectedNonce?: string,
  ): Promise<Auth0IdTokenClaims> {
    if (!idToken) {
      throw new InvalidIdTokenError(
        'Auth0 returned no ID token; the openid scope is required',
      );
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(idToken, this.#jwks, {
        issuer: this.issuer,
        audience: this.#clientId,
        algorithms: ['RS256'],
        clockTolerance: 30,
      }));
    } catch (error) {
      if (
        error instanceof joseErrors.JWKSTimeout ||
        (error instanceof TypeError && !(error instanceof joseErrors.JOSEError))
      ) {
        throw new Auth0UnavailableError(
          `could not fetch the signing keys from ${this.issuer}.well-known/jwks.json`,
          error,
        );
      }
      throw new InvalidIdTokenError(
        error instanceof Error ? error.message : String(error),
        error,
      );
    }
    if (expectedNonce !== undefined && payload.nonce !== expectedNonce) {
      throw new InvalidIdTokenError(
        'its nonce does not match this sign-in attempt',
      );
    }
    if (typeof payload.sub !== 'string') {
      throw new InvalidIdTokenError('it has no subject (sub) claim');
    }
    if (this.#organization) {
      checkOrganization(payload, this.#organization);
    }
    return payload as Auth0IdTokenClaims;
  }

  async #requestTokens(
    grant: Record<string, string>,
  ): Promise<Auth0TokenResponse> {
    const url = `https://${this.#domain}/oauth/token`;
    const response = await this.#post(
      url,
      {
        ...grant,
        client_id: this.#clientId,
        client_secret: this.#clientSecret,
      },
      this.#tokenTimeoutMs,
    );
    const body = await response.json().catch(() => undefined);
    if (response.ok && typeof body?.access_token === 'string') {
      return body as Auth0TokenResponse;
    }
    if (isRefusal(response.status) && typeof body?.error === 'string') {
      throw new Auth0RefusedError(body.error, body.error_description);
    }
    throw new Auth0UnavailableError(
      describeAnswer(url, response.status, body),
      undefined,
      retryAfterSeconds(response),
    );
  }

  async #post(
    url: string,
    form: Record<string, string>,
    timeoutMs: number,
  ): Promise<Response> {
    try {
      return await this.#fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // By name: an abort reason is a DOMException, which is an Error in Node but not in
      // every realm (a Jest sandbox, for one).
      const reason =
        (error as { name?: unknown } | undefined)?.name === 'TimeoutError'
          ? `no answer from ${url} within ${timeoutMs / 1000} s`
          : `could not connect to ${url}: ${describeNetworkError(error)}`;
      throw new Auth0UnavailableError(reason, error);
    }
  }
}

/**
 * Auth0 leaves this check to the application: the `organization` parameter of /authorize
 * passes through the browser, which can drop or change it. An `org_…` setting is compared
 * with `org_id`, a name with `org_name`, ignoring letter case.
 */
export function checkOrganization(
  claims: Record<string, unknown>,
  expected: string,
) {
  const byId = expected.startsWith('org_');
  const actual = byId ? claims.org_id : claims.org_name;
  const matches =
    typeof actual === 'string' &&
    (byId
      ? actual === expected
      : foldAsciiCase(actual) === foldAsciiCase(expected));
  if (!matches) {
    const shown = claims.org_name ?? claims.org_id;
    throw new OrganizationMismatchError(
      expected,
      typeof shown === 'string' ? shown : undefined,
    );
  }
}

/** A 4xx other than 429 is Auth0's verdict on the request; 5xx and 429 may pass. */
function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 429;
}

function describeAnswer(url: string, status: number, body: any): string {
  return `${url} answered ${status}${
    typeof body?.error === 'string' ? ` ${body.error}` : ''
  }`;
}

/**
 * Auth0's own hint when it sent one: `Retry-After` (seconds or a date), else the
 * rate-limit reset time (`X-RateLimit-Reset`, Unix seconds) that it sends with a 429.
 */
function retryAfterSeconds(response: Response): number {
  const now = Date.now();
  const retryAfter = response.headers.get('retry-after');
  let seconds: number | undefined;
  if (retryAfter && /^\d+$/.test(retryAfter.trim())) {
    seconds = Number(retryAfter);
  } else if (retryAfter && !Number.isNaN(Date.parse(retryAfter))) {
    seconds = (Date.parse(retryAfter) - now) / 1000;
  } else {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    if (response.status === 429 && reset > 0) {
      seconds = reset - now / 1000;
    }
  }
  if (seconds === undefined || !Number.isFinite(seconds)) {
    return DEFAULT_RETRY_AFTER_SECONDS;
  }
  return Math.min(Math.max(Math.ceil(seconds), 1), MAX_RETRY_AFTER_SECONDS);
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })
    ?.cause;
  return cause?.code ?? cause?.message ?? String(error);
}
