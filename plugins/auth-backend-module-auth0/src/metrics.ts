import { Attributes, Meter, metrics } from '@opentelemetry/api';
import { AUTH0_SIGN_IN_ERROR_NAMES } from '@backstage-auth0/plugin-auth0-common';

/**
 * The module's metrics, through the OpenTelemetry API: they reach whatever MeterProvider the
 * backend registered globally (packages/backend/src/instrumentation.js), and cost nothing
 * without one. Names are as Prometheus shows them through OpenTelemetry's Prometheus
 * exporter, which adds `_total` to counters. Every label value comes from a short fixed list
 * or an error class name, never from a person, a token or a message.
 *
 * - `auth0_sign_ins_total{outcome, reason}`: finished sign-ins. `outcome` is `success`,
 *   `refused` (the person may not sign in: no catalog user, unverified email, Auth0 said no, …)
 *   or `error` (something broke: Auth0 unreachable, an unexpected failure); `reason` is the
 *   error's name (`CatalogUserNotFoundError`, `Auth0UnavailableError`, …), empty for success.
 * - `auth0_refreshes_total{outcome}`: refresh requests. `success`: this request exchanged the
 *   refresh token at Auth0; `shared`: it got the result of an exchange that another request or
 *   replica made (refreshCoordinator.ts); `revoked`: refused, the session is over (401), mostly
 *   because Auth0 refused the refresh token; `unavailable`: Auth0 could not be reached, answered
 *   5xx or 429, or timed out (503, the person stays signed in).
 * - `auth0_refresh_duration_seconds`: how long the refresh route took, every outcome.
 * - `auth0_upstream_requests_total{endpoint, status_class}` and
 *   `auth0_upstream_request_duration_seconds{endpoint}`: requests to the tenant. `endpoint` is
 *   `token`, `revoke` or `jwks`; `status_class` is `2xx` … `5xx`, or `error` when no answer came
 *   (network error, timeout).
 */

export const METER_NAME = '@backstage-auth0/plugin-auth-backend-module-auth0';

/** From 5 ms (a shared result in this process) to 10 s (the token call's timeout). */
const DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export type SignInOutcome = 'success' | 'refused' | 'error';
export type RefreshOutcome = 'success' | 'shared' | 'revoked' | 'unavailable';
export type UpstreamEndpoint = 'token' | 'revoke' | 'jwks';

/** Names of errors that refuse a person on purpose; anything else is a failure. */
const REFUSALS = new Set<string>([
  // Auth0 out of reach, or an ID token that fails verification, is a fault, not a decision.
  ...AUTH0_SIGN_IN_ERROR_NAMES.filter(
    name => name !== 'Auth0UnavailableError' && name !== 'InvalidIdTokenError',
  ),
  // What Backstage's own resolvers and the auth plugin refuse with.
  'NotFoundError',
  'NotAllowedError',
  'AuthenticationError',
]);

/** An error name as a label value: a class name, or `Error` for anything odd. */
export function errorReason(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)
    ? name
    : 'Error';
}

export function signInOutcomeOf(error: unknown): SignInOutcome {
  return REFUSALS.has(errorReason(error)) ? 'refused' : 'error';
}

/** Which of the tenant's endpoints a URL is, or undefined for any other URL. */
export function upstreamEndpointOf(url: string): UpstreamEndpoint | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  switch (pathname) {
    case '/oauth/token':
      return 'token';
    case '/oauth/revoke':
      return 'revoke';
    case '/.well-known/jwks.json':
      return 'jwks';
    default:
      return undefined;
  }
}

export function statusClassOf(status: number): string {
  return status >= 200 && status < 600
    ? `${Math.floor(status / 100)}xx`
    : 'error';
}

/** Records the module's metrics; one per backend, made at module init. */
export class Auth0Metrics {
  readonly #signIns;
  readonly #refreshes;
  readonly #refreshDuration;
  readonly #upstreamRequests;
  readonly #upstreamDuration;

  constructor(meter: Meter = metrics.getMeter(METER_NAME)) {
    this.#signIns = meter.createCounter('auth0_sign_ins', {
      description:
        'Finished Auth0 sign-ins by outcome (success, refused, error) and reason (the error name)',
    });
    this.#refreshes = meter.createCounter('auth0_refreshes', {
      description:
        'Auth0 session refreshes by outcome (success, shared, revoked, unavailable)',
    });
    this.#refreshDuration = meter.createHistogram(
      'auth0_refresh_duration_seconds',
      {
        description: 'Duration of the Auth0 refresh route, every outcome',
        unit: 's',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
      },
    );
    this.#upstreamRequests = meter.createCounter('auth0_upstream_requests', {
      description:
        'Requests to the Auth0 tenant by endpoint and status class (error: no answer)',
    });
    this.#upstreamDuration = meter.createHistogram(
      'auth0_upstream_request_duration_seconds',
      {
        description: 'Duration of requests to the Auth0 tenant by endpoint',
        unit: 's',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
      },
    );
  }

  signedIn() {
    this.#signIns.add(1, { outcome: 'success', reason: '' });
  }

  signInFailed(error: unknown) {
    this.#signIns.add(1, {
      outcome: signInOutcomeOf(error),
      reason: errorReason(error),
    });
  }

  refreshed(outcome: RefreshOutcome, seconds: number) {
    this.#refreshes.add(1, { outcome });
    this.#refreshDuration.record(seconds);
  }

  /** `fetch` that records every request to the tenant's token, revoke and JWKS endpoints. */
  observedFetch(baseFetch?: typeof fetch): typeof fetch {
    // The global fetch as it is at each call, as the authenticator's default.
    const send: typeof fetch = (input, init) =>
      (baseFetch ?? globalThis.fetch)(input, init);
    return async (input, init) => {
      const endpoint = upstreamEndpointOf(
        input instanceof Request ? input.url : String(input),
      );
      if (!endpoint) {
        return send(input, init);
      }
      const startedAt = performance.now();
      const record = (statusClass: string) => {
        const attributes: Attributes = { endpoint };
        this.#upstreamRequests.add(1, {
          ...attributes,
          status_class: statusClass,
        });
        this.#upstreamDuration.record(
          (performance.now() - startedAt) / 1000,
          attributes,
        );
      };
      let response: Response;
      try {
        response = await send(input, init);
      } catch (error) {
        record('error');
        throw error;
      }
      record(statusClassOf(response.status));
      return response;
    };
  }
}
