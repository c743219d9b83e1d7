import { managementEndpoints, type ManagementEndpoint } from './counters.ts';

/** The endpoints whose latency can be raised; `management` is every Management API call. */
export const latencyEndpoints = [
  'authorize',
  'token',
  'revoke',
  'userinfo',
  'jwks',
  'logout',
  'management',
] as const;
export type LatencyEndpoint = (typeof latencyEndpoints)[number];

/**
 * Everything a test or benchmark can turn while the dev server runs. The admin API shows and
 * takes exactly this shape (a partial one to change some of it).
 */
export type Knobs = {
  /** Added before the dev server answers, per endpoint, in milliseconds. */
  latencyMs: Record<LatencyEndpoint, number>;
  /** When set, GET /authorize redirects back at once with this error. */
  authorizeError: { error: string; errorDescription: string } | null;
  /** When set, POST /oauth/token answers this status: 429 (rate-limited) or a 5xx. */
  tokenErrorStatus: number | null;
  /** When set, the forced token answers above carry `Retry-After` with these seconds. */
  tokenRetryAfterSeconds: number | null;
  /** True while the main port is closed, so connections to it are refused. */
  refuseConnections: boolean;
  refreshTokenRotation: boolean;
  userinfoRateLimit: boolean;
  /** What a new Management API token of the machine-to-machine application may do. */
  managementScopes: string[];
  /** `expires_in` (and `exp`) of new Management API tokens. */
  managementTokenLifetimeSeconds: number;
  /** Auth0's Management API limit for free tenants (bursts of 10, 2 a second), enforced. */
  managementRateLimit: boolean;
  /** When set, Management API requests answer this 429 or 5xx (see ManagementFailure). */
  managementFailure: ManagementFailure | null;
  /** How long a users-export job takes from `pending` to `completed`. */
  exportJobDurationMs: number;
  /** New users-export jobs end `failed` instead of `completed`. */
  failExportJobs: boolean;
};

/**
 * Forced failures of the Management API. `skip` requests pass first, then `count` requests
 * fail (null: every one until the knob is cleared); both count down as requests arrive, and
 * the knob clears itself when `count` reaches 0. `endpoints` limits it to those endpoints.
 */
export type ManagementFailure = {
  /** 429 answers as Auth0's rate limit does; 500 to 599 as a server error. */
  status: number;
  count: number | null;
  skip: number;
  endpoints: ManagementEndpoint[] | null;
  /** Seconds from now in `x-ratelimit-reset` of a forced 429. */
  resetSeconds: number;
  /** `Retry-After` on the forced answers (Auth0's Management API sends none: null). */
  retryAfterSeconds: number | null;
};

export type ManagementFailurePatch = {
  status: number;
  count?: number | null;
  skip?: number;
  endpoints?: ManagementEndpoint[] | null;
  resetSeconds?: number;
  retryAfterSeconds?: number | null;
};

/** The endpoints the managementFailure knob can name: every Management API endpoint. */
export const failableManagementEndpoints = managementEndpoints.filter(
  endpoint =>
    endpoint !== 'token' &&
    endpoint !== 'exportDownload' &&
    endpoint !== 'unknown',
);

export type KnobsPatch = {
  latencyMs?: Partial<Record<LatencyEndpoint, number>>;
  authorizeError?: { error?: string; errorDescription?: string } | null;
  tokenErrorStatus?: number | null;
  tokenRetryAfterSeconds?: number | null;
  refuseConnections?: boolean;
  refreshTokenRotation?: boolean;
  userinfoRateLimit?: boolean;
  managementScopes?: string[];
  managementTokenLifetimeSeconds?: number;
  managementRateLimit?: boolean;
  managementFailure?: ManagementFailurePatch | null;
  exportJobDurationMs?: number;
  failExportJobs?: boolean;
};

export const defaultAuthorizeError = {
  error: 'access_denied',
  errorDescription:
    'Access denied by the auth0-dev-server admin API (authorizeError)',
};

export const defaultExportJobDurationMs = 1500;

export function defaultKnobs(options: {
  refreshTokenRotation: boolean;
  userinfoRateLimit: boolean;
  managementScopes: string[];
  managementTokenLifetimeSeconds: number;
}): Knobs {
  return {
    latencyMs: {
      authorize: 0,
      token: 0,
      revoke: 0,
      userinfo: 0,
      jwks: 0,
      logout: 0,
      management: 0,
    },
    authorizeError: null,
    tokenErrorStatus: null,
    tokenRetryAfterSeconds: null,
    refuseConnections: false,
    refreshTokenRotation: options.refreshTokenRotation,
    userinfoRateLimit: options.userinfoRateLimit,
    managementScopes: [...options.managementScopes],
    managementTokenLifetimeSeconds: options.managementTokenLifetimeSeconds,
    managementRateLimit: false,
    managementFailure: null,
    exportJobDurationMs: defaultExportJobDurationMs,
    failExportJobs: false,
  };
}

/**
 * Checks a patch from the admin API and says everything wrong with it at once, so that a
 * typo in a test fails loudly instead of turning no knob.
 */
export function validateKnobsPatch(input: unknown): {
  patch?: KnobsPatch;
  problems: string[];
} {
  const problems: string[] = [];
  if (!isRecord(input)) {
    return { problems: ['the body must be a JSON object'] };
  }
  const known = new Set([
    'latencyMs',
    'authorizeError',
    'tokenErrorStatus',
    'tokenRetryAfterSeconds',
    'refuseConnections',
    'refreshTokenRotation',
    'userinfoRateLimit',
    'managementScopes',
    'managementTokenLifetimeSeconds',
    'managementRateLimit',
    'managementFailure',
    'exportJobDurationMs',
    'failExportJobs',
  ]);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) problems.push(`unknown knob "${key}"`);
  }
  const patch: KnobsPatch = {};

  if (input.latencyMs !== undefined) {
    if (!isRecord(input.latencyMs)) {
      problems.push('latencyMs must be an object of endpoint to milliseconds');
    } else {
      patch.latencyMs = {};
      for (const [endpoint, value] of Object.entries(input.latencyMs)) {
        if (!(latencyEndpoints as readonly string[]).includes(endpoint)) {
          problems.push(
            `latencyMs.${endpoint}: unknown endpoint; use one of ${latencyEndpoints.join(
              ', ',
            )}`,
          );
        } else if (
          typeof value !== 'number' ||
          !Number.isInteger(value) ||
          value < 0 ||
          value > 600_000
        ) {
          problems.push(
            `latencyMs.${endpoint} must be a whole number of milliseconds from 0 to 600000`,
          );
        } else {
          patch.latencyMs[endpoint as LatencyEndpoint] = value;
        }
      }
    }
  }

  if (input.authorizeError !== undefined) {
    const value = input.authorizeError;
    if (value === null) {
      patch.authorizeError = null;
    } else if (
      !isRecord(value) ||
      (value.error !== undefined &&
        (typeof value.error !== 'string' || !/^[a-z_]+$/.test(value.error))) ||
      (value.errorDescription !== undefined &&
        typeof value.errorDescription !== 'string')
    ) {
      problems.push(
        'authorizeError must be null or { "error"?: an OAuth error code like "access_denied", "errorDescription"?: string }',
      );
    } else {
      patch.authorizeError = {
        error: value.error as string | undefined,
        errorDescription: value.errorDescription as string | undefined,
      };
    }
  }

  if (input.tokenErrorStatus !== undefined) {
    const value = input.tokenErrorStatus;
    if (
      value !== null &&
      (typeof value !== 'number' ||
        !Number.isInteger(value) ||
        (value !== 429 && (value < 500 || value > 599)))
    ) {
      problems.push(
        'tokenErrorStatus must be null, 429, or a status code from 500 to 599',
      );
    } else {
      patch.tokenErrorStatus = value;
    }
  }

  if (input.tokenRetryAfterSeconds !== undefined) {
    const value = input.tokenRetryAfterSeconds;
    if (
      value !== null &&
      (typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < 0 ||
        value > 86_400)
    ) {
      problems.push(
        'tokenRetryAfterSeconds must be null or a whole number of seconds from 0 to 86400',
      );
    } else {
      patch.tokenRetryAfterSeconds = value;
    }
  }

  if (input.managementScopes !== undefined) {
    const value = input.managementScopes;
    if (
      !Array.isArray(value) ||
      !value.every(scope => typeof scope === 'string' && /^[!-~]+$/.test(scope))
    ) {
      problems.push(
        'managementScopes must be a list of scopes like "read:users" (an empty list grants none)',
      );
    } else {
      patch.managementScopes = [...new Set(value as string[])];
    }
  }

  const wholeNumber = (
    key: string,
    value: unknown,
    min: number,
    max: number,
    unit: string,
  ): value is number => {
    if (
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= min &&
      value <= max
    ) {
      return true;
    }
    problems.push(
      `${key} must be a whole number of ${unit} from ${min} to ${max}`,
    );
    return false;
  };

  if (
    input.managementTokenLifetimeSeconds !== undefined &&
    wholeNumber(
      'managementTokenLifetimeSeconds',
      input.managementTokenLifetimeSeconds,
      1,
      2_592_000,
      'seconds',
    )
  ) {
    patch.managementTokenLifetimeSeconds = input.managementTokenLifetimeSeconds;
  }

  if (
    input.exportJobDurationMs !== undefined &&
    wholeNumber(
      'exportJobDurationMs',
      input.exportJobDurationMs,
      0,
      600_000,
      'milliseconds',
    )
  ) {
    patch.exportJobDurationMs = input.exportJobDurationMs;
  }

  if (input.managementFailure !== undefined) {
    const value = input.managementFailure;
    if (value === null) {
      patch.managementFailure = null;
    } else if (!isRecord(value)) {
      problems.push(
        'managementFailure must be null or { "status": 429 or 500-599, "count"?, "skip"?, "endpoints"?, "resetSeconds"?, "retryAfterSeconds"? }',
      );
    } else {
      const failure: ManagementFailurePatch = { status: 0 };
      const before = problems.length;
      for (const key of Object.keys(value)) {
        if (
          ![
            'status',
            'count',
            'skip',
            'endpoints',
            'resetSeconds',
            'retryAfterSeconds',
          ].includes(key)
        ) {
          problems.push(`managementFailure.${key}: unknown field`);
        }
      }
      const status = value.status;
      if (
        typeof status !== 'number' ||
        !Number.isInteger(status) ||
        (status !== 429 && (status < 500 || status > 599))
      ) {
        problems.push(
          'managementFailure.status must be 429 or a status code from 500 to 599',
        );
      } else {
        failure.status = status;
      }
      if (value.count === null) failure.count = null;
      else if (
        value.count !== undefined &&
        wholeNumber(
          'managementFailure.count',
          value.count,
          1,
          1_000_000,
          'requests (or null: until cleared)',
        )
      ) {
        failure.count = value.count;
      }
      if (
        value.skip !== undefined &&
        wholeNumber(
          'managementFailure.skip',
          value.skip,
          0,
          1_000_000,
          'requests',
        )
      ) {
        failure.skip = value.skip;
      }
      if (
        value.resetSeconds !== undefined &&
        wholeNumber(
          'managementFailure.resetSeconds',
          value.resetSeconds,
          0,
          86_400,
          'seconds',
        )
      ) {
        failure.resetSeconds = value.resetSeconds;
      }
      if (value.retryAfterSeconds === null) failure.retryAfterSeconds = null;
      else if (
        value.retryAfterSeconds !== undefined &&
        wholeNumber(
          'managementFailure.retryAfterSeconds',
          value.retryAfterSeconds,
          0,
          86_400,
          'seconds',
        )
      ) {
        failure.retryAfterSeconds = value.retryAfterSeconds;
      }
      if (value.endpoints === null) failure.endpoints = null;
      else if (value.endpoints !== undefined) {
        const names = value.endpoints;
        const endpoints = failableManagementEndpoints as readonly string[];
        if (
          !Array.isArray(names) ||
          names.length === 0 ||
          !names.every(
            name => typeof name === 'string' && endpoints.includes(name),
          )
        ) {
          problems.push(
            `managementFailure.endpoints must be null or a non-empty list of ${endpoints.join(
              ', ',
            )}`,
          );
        } else {
          failure.endpoints = names as ManagementEndpoint[];
        }
      }
      if (problems.length === before) patch.managementFailure = failure;
    }
  }

  for (const key of [
    'refuseConnections',
    'refreshTokenRotation',
    'userinfoRateLimit',
    'managementRateLimit',
    'failExportJobs',
  ] as const) {
    if (input[key] === undefined) continue;
    if (typeof input[key] !== 'boolean') {
      problems.push(`${key} must be true or false`);
    } else {
      patch[key] = input[key];
    }
  }

  return problems.length > 0 ? { problems } : { patch, problems };
}

export function applyKnobsPatch(knobs: Knobs, patch: KnobsPatch): Knobs {
  return {
    latencyMs: { ...knobs.latencyMs, ...patch.latencyMs },
    authorizeError:
      patch.authorizeError === undefined
        ? knobs.authorizeError
        : patch.authorizeError && {
            error: patch.authorizeError.error ?? defaultAuthorizeError.error,
            errorDescription:
              patch.authorizeError.errorDescription ??
              defaultAuthorizeError.errorDescription,
          },
    tokenErrorStatus:
      patch.tokenErrorStatus === undefined
        ? knobs.tokenErrorStatus
        : patch.tokenErrorStatus,
    tokenRetryAfterSeconds:
      patch.tokenRetryAfterSeconds === undefined
        ? knobs.tokenRetryAfterSeconds
        : patch.tokenRetryAfterSeconds,
    refuseConnections: patch.refuseConnections ?? knobs.refuseConnections,
    refreshTokenRotation:
      patch.refreshTokenRotation ?? knobs.refreshTokenRotation,
    userinfoRateLimit: patch.userinfoRateLimit ?? knobs.userinfoRateLimit,
    managementScopes: patch.managementScopes
      ? [...patch.managementScopes]
      : knobs.managementScopes,
    managementTokenLifetimeSeconds:
      patch.managementTokenLifetimeSeconds ??
      knobs.managementTokenLifetimeSeconds,
    managementRateLimit: patch.managementRateLimit ?? knobs.managementRateLimit,
    managementFailure:
      patch.managementFailure === undefined
        ? knobs.managementFailure
        : patch.managementFailure && {
            status: patch.managementFailure.status,
            count:
              patch.managementFailure.count === undefined
                ? null
                : patch.managementFailure.count,
            skip: patch.managementFailure.skip ?? 0,
            endpoints: patch.managementFailure.endpoints ?? null,
            resetSeconds: patch.managementFailure.resetSeconds ?? 1,
            retryAfterSeconds:
              patch.managementFailure.retryAfterSeconds ?? null,
          },
    exportJobDurationMs: patch.exportJobDurationMs ?? knobs.exportJobDurationMs,
    failExportJobs: patch.failExportJobs ?? knobs.failExportJobs,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
