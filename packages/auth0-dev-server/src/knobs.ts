import { managementEndpoints, type ManagementEndpoint } from './counters.ts';
import { isRecord } from './jsonValues.ts';

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
 * A knob or field that takes a whole number from `min` to `max` (and null too where
 * `nullable`); `expected` is how its problem words what it must be.
 */
type WholeNumberRule = {
  min: number;
  max: number;
  expected: string;
  nullable?: boolean;
};

type RuleValue<R extends WholeNumberRule> = R extends { nullable: true }
  ? number | null
  : number;

const latencyRule = {
  min: 0,
  max: 600_000,
  expected: 'a whole number of milliseconds',
} as const satisfies WholeNumberRule;

/** Checked after `tokenErrorStatus`, so that the problems come in the order of the knobs. */
const tokenNumberRules = {
  tokenRetryAfterSeconds: {
    min: 0,
    max: 86_400,
    expected: 'null or a whole number of seconds',
    nullable: true,
  },
} as const satisfies Record<string, WholeNumberRule>;

/** Checked after `managementScopes`. */
const managementNumberRules = {
  managementTokenLifetimeSeconds: {
    min: 1,
    max: 2_592_000,
    expected: 'a whole number of seconds',
  },
  exportJobDurationMs: latencyRule,
} as const satisfies Record<string, WholeNumberRule>;

const managementFailureNumberRules = {
  count: {
    min: 1,
    max: 1_000_000,
    expected: 'a whole number of requests (or null: until cleared)',
    nullable: true,
  },
  skip: { min: 0, max: 1_000_000, expected: 'a whole number of requests' },
  resetSeconds: { min: 0, max: 86_400, expected: 'a whole number of seconds' },
  retryAfterSeconds: {
    min: 0,
    max: 86_400,
    expected: 'a whole number of seconds',
    nullable: true,
  },
} as const satisfies Record<string, WholeNumberRule>;

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
        } else if (fitsRule(value, latencyRule)) {
          patch.latencyMs[endpoint as LatencyEndpoint] = value;
        } else {
          problems.push(ruleProblem(`latencyMs.${endpoint}`, latencyRule));
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
    if (value === null || isForcedStatus(value)) {
      patch.tokenErrorStatus = value;
    } else {
      problems.push(
        'tokenErrorStatus must be null, 429, or a status code from 500 to 599',
      );
    }
  }

  Object.assign(
    patch,
    wholeNumbers(input, '', tokenNumberRules, problems) satisfies KnobsPatch,
  );

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

  Object.assign(
    patch,
    wholeNumbers(
      input,
      '',
      managementNumberRules,
      problems,
    ) satisfies KnobsPatch,
  );

  if (input.managementFailure !== undefined) {
    const value = input.managementFailure;
    if (value === null) {
      patch.managementFailure = null;
    } else if (!isRecord(value)) {
      problems.push(
        'managementFailure must be null or { "status": 429 or 500-599, "count"?, "skip"?, "endpoints"?, "resetSeconds"?, "retryAfterSeconds"? }',
      );
    } else {
      const before = problems.length;
      for (const key of Object.keys(value)) {
        if (
          key !== 'status' &&
          key !== 'endpoints' &&
          !Object.hasOwn(managementFailureNumberRules, key)
        ) {
          problems.push(`managementFailure.${key}: unknown field`);
        }
      }
      const failure: ManagementFailurePatch = { status: 0 };
      if (isForcedStatus(value.status)) {
        failure.status = value.status;
      } else {
        problems.push(
          'managementFailure.status must be 429 or a status code from 500 to 599',
        );
      }
      Object.assign(
        failure,
        wholeNumbers(
          value,
          'managementFailure.',
          managementFailureNumberRules,
          problems,
        ) satisfies Partial<ManagementFailurePatch>,
      );
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

function fitsRule<R extends WholeNumberRule>(
  value: unknown,
  rule: R,
): value is RuleValue<R> {
  if (value === null) return rule.nullable === true;
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= rule.min &&
    value <= rule.max
  );
}

function ruleProblem(name: string, rule: WholeNumberRule): string {
  return `${name} must be ${rule.expected} from ${rule.min} to ${rule.max}`;
}

/**
 * The fields of `source` that `rules` names and that it holds, when they fit their rules; the
 * others named in `problems` (as `prefix` and the key), in the order of `rules`.
 */
function wholeNumbers<Rules extends Record<string, WholeNumberRule>>(
  source: Record<string, unknown>,
  prefix: string,
  rules: Rules,
  problems: string[],
): { [K in keyof Rules]?: RuleValue<Rules[K]> } {
  const values: Record<string, number | null> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const value = source[key];
    if (value === undefined) continue;
    if (fitsRule(value, rule)) values[key] = value;
    else problems.push(ruleProblem(`${prefix}${key}`, rule));
  }
  return values as { [K in keyof Rules]?: RuleValue<Rules[K]> };
}

/** 429 (rate-limited) or a server error: what the forced-failure knobs answer. */
function isForcedStatus(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    (value === 429 || (value >= 500 && value <= 599))
  );
}
