import { ManagementClient, TokenProvider } from 'auth0';

/** Retries of a Management API request that Auth0 answered with 429 or 5xx. */
const MAX_RETRIES = 4;

/** Retries of the token request, which the SDK does not retry itself. */
const MAX_TOKEN_RETRIES = 3;
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * What reading a tenant needs of the Management API.
 *
 * @public
 */
export type ManagementApi = {
  client: ManagementClient;
  /** A Management API token from client credentials, cached by the SDK until shortly before it expires. */
  getToken(): Promise<string>;
  /** The fetch the SDK uses, for the user export download. */
  fetch: typeof fetch;
};

/**
 * The token request failed; `cause` is the SDK's `ManagementError` (with the status and body
 * of Auth0's answer) or the network error.
 *
 * @public
 */
export class TokenRequestError extends Error {
  name = 'TokenRequestError';
  constructor(readonly cause: unknown) {
    super(`The Management API token request failed: ${String(cause)}`);
  }
}

/**
 * A Management API client of Auth0's SDK: a token from client credentials (audience
 * `https://<domain>/api/v2/`) kept in the SDK's cache, and requests that the SDK retries on 429
 * (waiting as Auth0's `Retry-After` or `X-RateLimit-Reset` says) and on 5xx (with exponential
 * backoff).
 *
 * @public
 */
export function createManagementApi(options: {
  domain: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
}): ManagementApi {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const tokenProvider = new TokenProvider({
    domain: options.domain,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    audience: `https://${options.domain}/api/v2/`,
    fetch: retryingTokenFetch(baseFetch),
  });
  const getToken = async () => {
    try {
      return await tokenProvider.getAccessToken();
    } catch (error) {
      throw new TokenRequestError(error);
    }
  };
  const client = new ManagementClient({
    domain: options.domain,
    token: getToken,
    fetch: baseFetch,
    maxRetries: MAX_RETRIES,
  });
  return { client, getToken, fetch: baseFetch };
}

/**
 * The token request with the SDK's own retry rules (429 and 5xx, Auth0's rate-limit headers,
 * else exponential backoff), which the SDK applies to every request but this one. Each attempt
 * gets its own timeout: the SDK's single one would end the waits between attempts.
 */
function retryingTokenFetch(baseFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const response = await baseFetch(input, {
        ...init,
        signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      });
      if (!isRetryable(response.status) || attempt >= MAX_TOKEN_RETRIES) {
        return response;
      }
      await response.body?.cancel();
      await new Promise(resolve =>
        setTimeout(resolve, retryDelayMs(response.headers, attempt)),
      );
    }
  };
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** How long to wait before retrying: Auth0's `Retry-After` or `X-RateLimit-Reset`, else backoff. */
export function retryDelayMs(
  headers: Headers,
  attempt: number,
  now = Date.now(),
): number {
  const retryAfter = Number(headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) {
    return Math.min(retryAfter * 1000, MAX_RETRY_DELAY_MS);
  }
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset * 1000 > now) {
    return Math.min(reset * 1000 - now, MAX_RETRY_DELAY_MS);
  }
  return Math.min(1000 * 2 ** attempt, MAX_RETRY_DELAY_MS);
}
