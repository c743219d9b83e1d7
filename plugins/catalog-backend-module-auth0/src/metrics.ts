import { Meter, metrics } from '@opentelemetry/api';

/**
 * The provider's metrics, through the OpenTelemetry API: they reach whatever MeterProvider the
 * backend registered globally, and cost nothing without one. Names are as Prometheus shows
 * them through OpenTelemetry's Prometheus exporter, which adds `_total` to counters. `provider`
 * is the block's id under `catalog.providers.auth0`.
 *
 * - `auth0_catalog_ingestion_runs_total{provider, outcome}`: finished reads, `success` (the
 *   catalog got the tenant's entities) or `failure` (it kept the last complete run's).
 * - `auth0_catalog_ingestion_duration_seconds{provider}`: how long a read took, every outcome.
 * - `auth0_catalog_ingestion_entities{provider, kind}`: the Users and Groups that the last
 *   successful read committed.
 * - `auth0_catalog_ingestion_last_success_timestamp_seconds{provider}`: when that read ended
 *   (Unix seconds); alert on `time() - this`.
 * - `auth0_upstream_requests_total{endpoint, status_class}` and
 *   `auth0_upstream_request_duration_seconds{endpoint}`: the provider's requests to the tenant,
 *   every retry of the SDK included: `endpoint` is `management` (`/api/v2/…`) or `token` (its
 *   client-credentials token); `status_class` is `2xx` … `5xx`, or `error` when no answer came.
 *   The auth module counts its own requests in the same metrics.
 */

export const METER_NAME =
  '@backstage-auth0/plugin-catalog-backend-module-auth0';

/** A read of a small tenant takes a second; a large user export, many minutes. */
const INGESTION_BUCKETS_SECONDS = [
  0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
];
/** The same buckets as the auth module's, so the two sets of series add up. */
const UPSTREAM_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

type UpstreamEndpoint = 'token' | 'management';

/** Which of the tenant's endpoints a URL is, or undefined (e.g. the export download). */
export function upstreamEndpointOf(url: string): UpstreamEndpoint | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  if (pathname === '/oauth/token') return 'token';
  if (pathname.startsWith('/api/v2/')) return 'management';
  return undefined;
}

function statusClassOf(status: number): string {
  return status >= 200 && status < 600
    ? `${Math.floor(status / 100)}xx`
    : 'error';
}

/** Records the metrics of one provider (one block under `catalog.providers.auth0`). */
export class Auth0IngestionMetrics {
  readonly #provider: string;
  readonly #runs;
  readonly #duration;
  readonly #entities;
  readonly #lastSuccess;
  readonly #upstreamRequests;
  readonly #upstreamDuration;

  constructor(provider: string, meter: Meter = metrics.getMeter(METER_NAME)) {
    this.#provider = provider;
    this.#runs = meter.createCounter('auth0_catalog_ingestion_runs', {
      description:
        'Finished reads of the Auth0 catalog provider by outcome (success, failure)',
    });
    this.#duration = meter.createHistogram(
      'auth0_catalog_ingestion_duration_seconds',
      {
        description: 'Duration of a read of the Auth0 catalog provider',
        unit: 's',
        advice: { explicitBucketBoundaries: INGESTION_BUCKETS_SECONDS },
      },
    );
    this.#entities = meter.createGauge('auth0_catalog_ingestion_entities', {
      description:
        'Entities by kind (User, Group) that the last successful read of the Auth0 catalog provider committed',
    });
    this.#lastSuccess = meter.createGauge(
      'auth0_catalog_ingestion_last_success_timestamp_seconds',
      {
        description:
          'When the last successful read of the Auth0 catalog provider ended, in Unix seconds',
        unit: 's',
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
        advice: { explicitBucketBoundaries: UPSTREAM_BUCKETS_SECONDS },
      },
    );
  }

  /** Runs one read and records how it went; `read` resolves to the committed entities' kinds. */
  async recordRun(read: () => Promise<Array<{ kind: string }>>) {
    const provider = this.#provider;
    const startedAt = performance.now();
    let outcome = 'failure';
    try {
      const committed = await read();
      outcome = 'success';
      for (const kind of ['User', 'Group']) {
        this.#entities.record(
          committed.filter(entity => entity.kind === kind).length,
          { provider, kind },
        );
      }
      this.#lastSuccess.record(Date.now() / 1000, { provider });
    } finally {
      this.#runs.add(1, { provider, outcome });
      this.#duration.record((performance.now() - startedAt) / 1000, {
        provider,
      });
    }
  }

  /** `fetch` that records every request to the tenant's Management API and token endpoint. */
  observedFetch(baseFetch: typeof fetch): typeof fetch {
    return async (input, init) => {
      const endpoint = upstreamEndpointOf(
        input instanceof Request ? input.url : String(input),
      );
      if (!endpoint) {
        return baseFetch(input, init);
      }
      const startedAt = performance.now();
      const record = (statusClass: string) => {
        this.#upstreamRequests.add(1, { endpoint, status_class: statusClass });
        this.#upstreamDuration.record((performance.now() - startedAt) / 1000, {
          endpoint,
        });
      };
      let response: Response;
      try {
        response = await baseFetch(input, init);
      } catch (error) {
        record('error');
        throw error;
      }
      record(statusClassOf(response.status));
      return response;
    };
  }
}
