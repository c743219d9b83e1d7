/** The endpoints whose latency can be raised. */
export const latencyEndpoints = [
  'authorize',
  'token',
  'revoke',
  'userinfo',
  'jwks',
  'logout',
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
};

export type KnobsPatch = {
  latencyMs?: Partial<Record<LatencyEndpoint, number>>;
  authorizeError?: { error?: string; errorDescription?: string } | null;
  tokenErrorStatus?: number | null;
  tokenRetryAfterSeconds?: number | null;
  refuseConnections?: boolean;
  refreshTokenRotation?: boolean;
  userinfoRateLimit?: boolean;
};

export const defaultAuthorizeError = {
  error: 'access_denied',
  errorDescription:
    'Access denied by the auth0-dev-server admin API (authorizeError)',
};

export function defaultKnobs(options: {
  refreshTokenRotation: boolean;
  userinfoRateLimit: boolean;
}): Knobs {
  return {
    latencyMs: {
      authorize: 0,
      token: 0,
      revoke: 0,
      userinfo: 0,
      jwks: 0,
      logout: 0,
    },
    authorizeError: null,
    tokenErrorStatus: null,
    tokenRetryAfterSeconds: null,
    refuseConnections: false,
    refreshTokenRotation: options.refreshTokenRotation,
    userinfoRateLimit: options.userinfoRateLimit,
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

  for (const key of [
    'refuseConnections',
    'refreshTokenRotation',
    'userinfoRateLimit',
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
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
