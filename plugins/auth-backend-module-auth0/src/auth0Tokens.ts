import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import {
  Auth0RefusedError,
  Auth0UnavailableError,
  InvalidIdTokenError,
} from './errors';

/** The claims of an Auth0 ID token that sign-in uses. */
export type Auth0IdTokenClaims = {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  nickname?: string;
  picture?: string;
  [claim: string]: unknown;
};

/** What Auth0's `/oauth/token` returns. */
export type Auth0TokenResponse = {
  access_token: string;
  token_type?: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
};

const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

/** Talks to one tenant's token endpoint and verifies the ID tokens it issues. */
export class Auth0Tokens {
  readonly #domain: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(options: {
    domain: string;
    clientId: string;
    clientSecret: string;
  }) {
    this.#domain = options.domain;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#jwks = createRemoteJWKSet(
      new URL(`https://${options.domain}/.well-known/jwks.json`),
      { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 },
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

  /** Checks signature (tenant JWKS), issuer, audience, expiry and, at sign-in, the nonce. */
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
    return payload as Auth0IdTokenClaims;
  }

  async #requestTokens(
    grant: Record<string, string>,
  ): Promise<Auth0TokenResponse> {
    const url = `https://${this.#domain}/oauth/token`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({
          ...grant,
          client_id: this.#clientId,
          client_secret: this.#clientSecret,
        }),
        signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer from ${url} within ${TOKEN_REQUEST_TIMEOUT_MS / 1000} s`
          : `could not connect to ${url}: ${describeNetworkError(error)}`;
      throw new Auth0UnavailableError(reason, error);
    }

    const body = await response.json().catch(() => undefined);
    if (response.ok && typeof body?.access_token === 'string') {
      return body as Auth0TokenResponse;
    }
    if (
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 429 &&
      typeof body?.error === 'string'
    ) {
      throw new Auth0RefusedError(body.error, body.error_description);
    }
    throw new Auth0UnavailableError(
      `${url} answered ${response.status}${
        typeof body?.error === 'string' ? ` ${body.error}` : ''
      }`,
    );
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })
    ?.cause;
  return cause?.code ?? cause?.message ?? String(error);
}
