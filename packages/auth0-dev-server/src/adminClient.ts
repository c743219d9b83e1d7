import type { CountersSnapshot } from './counters.ts';
import type { ManagementEndpoint } from './counters.ts';
import type { ApplicationPatch } from './application.ts';
import type { Knobs, KnobsPatch, LatencyEndpoint } from './knobs.ts';
import type { RefreshTokenSummary } from './refreshTokens.ts';
import type { UserPatch, UserRolesState } from './rolesClaim.ts';
import type { SyntheticUsersSpec } from './syntheticUsers.ts';

/** Which Management API requests a forced failure hits (see the managementFailure knob). */
export type ManagementFailureOptions = {
  /** How many requests fail; null: every one until clearManagementFailure. Default 1. */
  count?: number | null;
  /** How many requests pass first ("a failure in the middle of a run"). Default 0. */
  skip?: number;
  /** Only these endpoints (counters' names: users, roleUsers, job, ...). Default all. */
  endpoints?: ManagementEndpoint[] | null;
  /** `Retry-After` seconds on the forced answers; Auth0 sends none. Default null. */
  retryAfterSeconds?: number | null;
};

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
  /** What new Management API tokens may do (tokens already issued keep their scopes). */
  setManagementScopes(scopes: string[]): Promise<Knobs>;
  /**
   * The next Management API request(s) answer 429 as Auth0's rate limit does
   * (`too_many_requests`, `x-ratelimit-remaining: 0`, `x-ratelimit-reset` `resetSeconds`
   * from now, default 1).
   */
  rateLimitManagement(
    options?: ManagementFailureOptions & { resetSeconds?: number },
  ): Promise<Knobs>;
  /** The next Management API request(s) answer this 5xx (503 unless told otherwise). */
  failManagement(
    status?: number,
    options?: ManagementFailureOptions,
  ): Promise<Knobs>;
  clearManagementFailure(): Promise<Knobs>;
  /** Auth0's free-tenant limit (bursts of 10, 2 a second), enforced or not. */
  setManagementRateLimit(enabled: boolean): Promise<Knobs>;
  /** Milliseconds a users-export job takes from pending to completed. */
  setExportJobDuration(ms: number): Promise<Knobs>;
  syntheticUsers(): Promise<SyntheticUsersSpec>;
  /** Replaces the synthetic users (count 0 removes them); the same seed, the same users. */
  setSyntheticUsers(count: number, seed?: number): Promise<SyntheticUsersSpec>;
  counters(): Promise<CountersSnapshot>;
  resetCounters(): Promise<CountersSnapshot>;
  /** The usable refresh tokens (not their values), of one user when `sub` is given. */
  refreshTokens(sub?: string): Promise<RefreshTokenSummary[]>;
  /**
   * Changes a fixture user (`chris` or `auth0|chris`) as an admin would in the Auth0
   * Dashboard. `roles` (role ids or names) replaces its roles: the Management API's role
   * members and the roles claim of its next ID token (sign-in or refresh) follow. `rolesClaim`
   * puts any JSON in that claim instead (what a buggy Action could set); null ends that.
   * Rejects (naming the problem) for an unknown user or role or a bad patch.
   */
  updateUser(id: string, patch: UserPatch): Promise<UserRolesState>;
  /** An application (sign-in or machine-to-machine) as `GET /api/v2/clients/{id}` shows it. */
  client(id: string): Promise<Auth0Client>;
  /**
   * Changes the sign-in application as an admin would in the Auth0 Dashboard, in Auth0's
   * field names: `callbacks`, `allowed_logout_urls`, `grant_types`, `oidc_conformant`,
   * `jwt_configuration.alg`, `refresh_token.rotation_type` and `refresh_token.leeway`.
   * Rejects (naming every problem) for a bad patch, which then changes nothing.
   */
  updateClient(id: string, patch: ApplicationPatch): Promise<Auth0Client>;
  /**
   * Knobs back to their start values; counters and rate limits cleared; synthetic users and
   * the fixture users' roles as at the start, without roles claim overrides; the sign-in
   * application's settings as at the start.
   */
  reset(): Promise<Knobs>;
};

/** An application as Auth0's Management API gives it (`GET /api/v2/clients/{id}`). */
export type Auth0Client = {
  client_id: string;
  app_type: string;
  callbacks: string[];
  allowed_logout_urls: string[];
  grant_types: string[];
  oidc_conformant: boolean;
  jwt_configuration: { alg: string };
  refresh_token: { rotation_type: string; leeway: number };
  [field: string]: unknown;
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
    setManagementScopes: scopes => updateKnobs({ managementScopes: scopes }),
    rateLimitManagement: ({ count = 1, ...rest } = {}) =>
      updateKnobs({ managementFailure: { status: 429, count, ...rest } }),
    failManagement: (status = 503, { count = 1, ...rest } = {}) =>
      updateKnobs({ managementFailure: { status, count, ...rest } }),
    clearManagementFailure: () => updateKnobs({ managementFailure: null }),
    setManagementRateLimit: enabled =>
      updateKnobs({ managementRateLimit: enabled }),
    setExportJobDuration: ms => updateKnobs({ exportJobDurationMs: ms }),
    syntheticUsers: () => call<SyntheticUsersSpec>('GET', '/synthetic-users'),
    setSyntheticUsers: (count, seed = 1) =>
      call<SyntheticUsersSpec>('POST', '/synthetic-users', { count, seed }),
    counters: () => call<CountersSnapshot>('GET', '/counters'),
    resetCounters: () => call<CountersSnapshot>('DELETE', '/counters'),
    refreshTokens: async sub => {
      const query = sub === undefined ? '' : `?${new URLSearchParams({ sub })}`;
      const { refreshTokens } = await call<{
        refreshTokens: RefreshTokenSummary[];
      }>('GET', `/refresh-tokens${query}`);
      return refreshTokens;
    },
    updateUser: (id, patch) =>
      call<UserRolesState>('PATCH', `/users/${encodeURIComponent(id)}`, patch),
    client: id =>
      call<Auth0Client>('GET', `/clients/${encodeURIComponent(id)}`),
    updateClient: (id, patch) =>
      call<Auth0Client>('PATCH', `/clients/${encodeURIComponent(id)}`, patch),
    reset: () => call<Knobs>('POST', '/reset'),
  };
}
