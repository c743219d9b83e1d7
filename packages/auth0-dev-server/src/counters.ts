/** The endpoints the dev server counts requests of. */
export const countedEndpoints = [
  'authorize',
  'login',
  'token',
  'revoke',
  'userinfo',
  'jwks',
  'discovery',
  'logout',
] as const;
export type CountedEndpoint = (typeof countedEndpoints)[number];

export type EndpointCount = {
  requests: number;
  /** Responses by HTTP status, e.g. { "200": 12, "429": 3 }. */
  byStatus: Record<string, number>;
};

export type UserCount = {
  email: string;
  requests: Partial<Record<CountedEndpoint, number>>;
};

export type CountersSnapshot = {
  /** When counting began: the start, or the last reset. */
  since: string;
  endpoints: Record<CountedEndpoint, EndpointCount>;
  /** By `sub` (auth0|<id>), for requests the dev server could tie to a user. */
  users: Record<string, UserCount>;
};

export type Counters = {
  record(
    endpoint: CountedEndpoint,
    status: number,
    user?: { sub: string; email: string },
  ): void;
  snapshot(): CountersSnapshot;
  reset(): void;
};

export function createCounters(): Counters {
  let since = new Date();
  let endpoints = emptyEndpoints();
  let users: Record<string, UserCount> = {};

  return {
    record(endpoint, status, user) {
      const count = endpoints[endpoint];
      count.requests += 1;
      count.byStatus[status] = (count.byStatus[status] ?? 0) + 1;
      if (user) {
        const userCount = (users[user.sub] ??= {
          email: user.email,
          requests: {},
        });
        userCount.requests[endpoint] = (userCount.requests[endpoint] ?? 0) + 1;
      }
    },
    snapshot: () =>
      structuredClone({ since: since.toISOString(), endpoints, users }),
    reset() {
      since = new Date();
      endpoints = emptyEndpoints();
      users = {};
    },
  };
}

function emptyEndpoints(): Record<CountedEndpoint, EndpointCount> {
  return Object.fromEntries(
    countedEndpoints.map(endpoint => [endpoint, { requests: 0, byStatus: {} }]),
  ) as Record<CountedEndpoint, EndpointCount>;
}
