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

/**
 * The Management API's endpoints as the counters and the `managementFailure` knob name them.
 * `token` is `POST /oauth/token` with `grant_type=client_credentials`; `exportDownload` is the
 * export file's download URL (Auth0's is on its storage, not the Management API).
 */
export const managementEndpoints = [
  'token',
  'users',
  'user',
  'userRoles',
  'userOrganizations',
  'roles',
  'role',
  'roleUsers',
  'organizations',
  'organization',
  'organizationMembers',
  'usersExports',
  'job',
  'client',
  'exportDownload',
  'unknown',
] as const;
export type ManagementEndpoint = (typeof managementEndpoints)[number];

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
  /** The Management API (and its client-credentials tokens), per endpoint. */
  managementApi: Record<ManagementEndpoint, EndpointCount>;
};

export type Counters = {
  record(
    endpoint: CountedEndpoint,
    status: number,
    user?: { sub: string; email: string },
  ): void;
  recordManagement(endpoint: ManagementEndpoint, status: number): void;
  snapshot(): CountersSnapshot;
  reset(): void;
};

export function createCounters(): Counters {
  let since = new Date();
  let endpoints = emptyEndpoints();
  let users: Record<string, UserCount> = {};
  let managementApi = emptyCounts(managementEndpoints);

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
    recordManagement(endpoint, status) {
      const count = managementApi[endpoint];
      count.requests += 1;
      count.byStatus[status] = (count.byStatus[status] ?? 0) + 1;
    },
    snapshot: () =>
      structuredClone({
        since: since.toISOString(),
        endpoints,
        users,
        managementApi,
      }),
    reset() {
      since = new Date();
      endpoints = emptyEndpoints();
      users = {};
      managementApi = emptyCounts(managementEndpoints);
    },
  };
}

function emptyEndpoints(): Record<CountedEndpoint, EndpointCount> {
  return emptyCounts(countedEndpoints);
}

function emptyCounts<Name extends string>(
  names: readonly Name[],
): Record<Name, EndpointCount> {
  return Object.fromEntries(
    names.map(name => [name, { requests: 0, byStatus: {} }]),
  ) as Record<Name, EndpointCount>;
}
