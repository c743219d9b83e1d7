import type { CountersSnapshot } from './counters.ts';
import type { Knobs, KnobsPatch, LatencyEndpoint } from './knobs.ts';
import type { RefreshTokenSummary } from './refreshTokens.ts';

/** Typed calls to a dev server's admin API (see README, "Admin API"). */
export type AdminClient = {
  knobs(): Promise<Knobs>;
  /** Changes the given knobs only; resolves once they are in force. */
  updateKnobs(patch: KnobsPatch): Promise<Knobs>;
  setLatency(
    latencyMs: Partial<Record<LatencyEndpoint, number>>,
  ): Promise<Knobs>;
  /** GET /authorize redirects back with this error (access_denied unless told otherwise). */
  failAuthorize(failure?: {
    error?: string;
    errorDescription?: string;
  }): Promise<Knobs>;
  /** POST /oauth/token answers this status (503 unless told otherwise; 429 or 500-599). */
  failToken(status?: number): Promise<Knobs>;
  /**
   * POST /oauth/token answers 429 as Auth0 does when rate-limited (`too_many_requests`,
   * `x-ratelimit-*`), with `Retry-After: <retryAfterSeconds>` when given.
   */
  rateLimitToken(options?: {
    retryAfterSeconds?: number | null;
  }): Promise<Knobs>;
  /** Adds `Retry-After` to the forced token failures (null: none, the default). */
  setTokenRetryAfter(seconds: number | null): Promise<Knobs>;
  /** Ends the forced failures above, Retry-After included. */
  clearFailures(): Promise<Knobs>;
  /** Closes the main port: connections are refused until acceptConnections. */
  refuseConnections(): Promise<Knobs>;
  acceptConnections(): Promise<Knobs>;
  setRefreshTokenRotation(enabled: boolean): Promise<Knobs>;
  setUserinfoRateLimit(enabled: boolean): Promise<Knobs>;
  counters(): Promise<CountersSnapshot>;
  resetCounters(): Promise<CountersSnapshot>;
  /** The usable refresh tokens (not their values), of one user when `sub` is given. */
  refreshTokens(sub?: string): Promise<RefreshTokenSummary[]>;
  /** Knobs back to their start values; counters and rate limits cleared. */
  reset(): Promise<Knobs>;
};

export function createAdminClient(adminUrl: string): AdminClient {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> => {
    const response = await fetch(new URL(path, adminUrl), {
      method,
      headers:
        body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `auth0-dev-server admin ${method} ${path} answered ${response.status}: ${text}`,
      );
    }
    return JSON.parse(text) as T;
  };
  const updateKnobs = (patch: KnobsPatch) =>
    call<Knobs>('PATCH', '/knobs', patch);
  return {
    knobs: () => call<Knobs>('GET', '/knobs'),
    updateKnobs,
    setLatency: latencyMs => updateKnobs({ latencyMs }),
    failAuthorize: (failure = {}) => updateKnobs({ authorizeError: failure }),
    failToken: (status = 503) => updateKnobs({ tokenErrorStatus: status }),
    rateLimitToken: ({ retryAfterSeconds = null } = {}) =>
      updateKnobs({
        tokenErrorStatus: 429,
        tokenRetryAfterSeconds: retryAfterSeconds,
      }),
    setTokenRetryAfter: seconds =>
      updateKnobs({ tokenRetryAfterSeconds: seconds }),
    clearFailures: () =>
      updateKnobs({
        authorizeError: null,
        tokenErrorStatus: null,
        tokenRetryAfterSeconds: null,
      }),
    refuseConnections: () => updateKnobs({ refuseConnections: true }),
    acceptConnections: () => updateKnobs({ refuseConnections: false }),
    setRefreshTokenRotation: enabled =>
      updateKnobs({ refreshTokenRotation: enabled }),
    setUserinfoRateLimit: enabled =>
      updateKnobs({ userinfoRateLimit: enabled }),
    counters: () => call<CountersSnapshot>('GET', '/counters'),
    resetCounters: () => call<CountersSnapshot>('DELETE', '/counters'),
    refreshTokens: async sub => {
      const query = sub === undefined ? '' : `?${new URLSearchParams({ sub })}`;
      const { refreshTokens } = await call<{
        refreshTokens: RefreshTokenSummary[];
      }>('GET', `/refresh-tokens${query}`);
      return refreshTokens;
    },
    reset: () => call<Knobs>('POST', '/reset'),
  };
}
