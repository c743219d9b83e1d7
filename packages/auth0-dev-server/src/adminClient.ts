import type { CountersSnapshot } from './counters.ts';
import type { Knobs, KnobsPatch, LatencyEndpoint } from './knobs.ts';

/** Typed calls to a stand-in's admin API (see README, "Admin API"). */
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
  /** POST /oauth/token answers this status (503 unless told otherwise). */
  failToken(status?: number): Promise<Knobs>;
  /** Ends both forced failures above. */
  clearFailures(): Promise<Knobs>;
  /** Closes the main port: connections are refused until acceptConnections. */
  refuseConnections(): Promise<Knobs>;
  acceptConnections(): Promise<Knobs>;
  setRefreshTokenRotation(enabled: boolean): Promise<Knobs>;
  setUserinfoRateLimit(enabled: boolean): Promise<Knobs>;
  counters(): Promise<CountersSnapshot>;
  resetCounters(): Promise<CountersSnapshot>;
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
    clearFailures: () =>
      updateKnobs({ authorizeError: null, tokenErrorStatus: null }),
    refuseConnections: () => updateKnobs({ refuseConnections: true }),
    acceptConnections: () => updateKnobs({ refuseConnections: false }),
    setRefreshTokenRotation: enabled =>
      updateKnobs({ refreshTokenRotation: enabled }),
    setUserinfoRateLimit: enabled =>
      updateKnobs({ userinfoRateLimit: enabled }),
    counters: () => call<CountersSnapshot>('GET', '/counters'),
    resetCounters: () => call<CountersSnapshot>('DELETE', '/counters'),
    reset: () => call<Knobs>('POST', '/reset'),
  };
}
