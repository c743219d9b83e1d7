import { metrics } from '@opentelemetry/api';
import {
  PrometheusExporter,
  PrometheusSerializer,
} from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ConfigReader } from '@backstage/config';
import { Auth0OrgEntityProvider } from './Auth0OrgEntityProvider';
import { upstreamEndpointOf } from './metrics';
import { DevServer, startDevServer } from './__testUtils__/devServer';
import {
  recordingConnection,
  recordingLogger,
} from './__testUtils__/recorders';

jest.setTimeout(60_000);

// The provider records through the global MeterProvider, as it does in the backend.
const exporter = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [exporter] });
metrics.setGlobalMeterProvider(meterProvider);

async function scrape(): Promise<string> {
  const { resourceMetrics } = await exporter.collect();
  return new PrometheusSerializer(undefined, false, undefined, true).serialize(
    resourceMetrics,
  );
}

/**
 * The value of the series `name` whose labels include `labels`, summed over the series that
 * match; undefined when none does.
 */
function valueOf(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [
        ...(match[2] ?? '').matchAll(
          /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
        ),
      ].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) {
      total = (total ?? 0) + Number(match[3]);
    }
  }
  return total;
}

let auth0: DevServer;

beforeAll(async () => {
  auth0 = await startDevServer();
});

afterAll(async () => {
  await auth0?.stop();
  await meterProvider.shutdown();
});

/** Connected providers `good` (the dev server's credentials) and `broken` (a wrong secret). */
async function connectedProviders() {
  const credentials = {
    domain: auth0.domain,
    clientId: auth0.managementClientId,
    clientSecret: auth0.managementClientSecret,
  };
  const providers = Auth0OrgEntityProvider.fromConfig(
    new ConfigReader({
      catalog: {
        providers: {
          auth0: {
            good: credentials,
            broken: { ...credentials, clientSecret: 'not-the-secret' },
          },
        },
      },
    }),
    { logger: recordingLogger().logger, fetch: auth0.fetch },
  );
  const { connection, mutations } = recordingConnection();
  for (const provider of providers) {
    await provider.connect(connection);
  }
  const [good, broken] = providers;
  return { good, broken, mutations };
}

describe('the ingestion metrics', () => {
  it('record a successful run, with the entities it committed, and a failed one', async () => {
    const { good, broken, mutations } = await connectedProviders();
    const before = Date.now() / 1000;

    await good.read();
    await expect(broken.read()).rejects.toThrow(
      /Auth0 refused the client credentials/,
    );

    const committed = (
      mutations[0] as { entities: Array<{ entity: { kind: string } }> }
    ).entities.map(({ entity }) => entity.kind);
    const text = await scrape();

    const runs = (provider: string, outcome: string) =>
      valueOf(text, 'auth0_catalog_ingestion_runs_total', {
        provider,
        outcome,
      });
    expect(runs('good', 'success')).toBe(1);
    expect(runs('good', 'failure')).toBeUndefined();
    expect(runs('broken', 'failure')).toBe(1);
    expect(runs('broken', 'success')).toBeUndefined();

    for (const provider of ['good', 'broken']) {
      expect(
        valueOf(text, 'auth0_catalog_ingestion_duration_seconds_count', {
          provider,
        }),
      ).toBe(1);
    }

    const entities = (provider: string, kind: string) =>
      valueOf(text, 'auth0_catalog_ingestion_entities', { provider, kind });
    expect(entities('good', 'User')).toBe(11);
    expect(entities('good', 'User')).toBe(
      committed.filter(kind => kind === 'User').length,
    );
    expect(entities('good', 'Group')).toBe(
      committed.filter(kind => kind === 'Group').length,
    );
    expect(entities('good', 'Group')).toBeGreaterThan(0);
    expect(entities('broken', 'User')).toBeUndefined();

    const lastSuccess = (provider: string) =>
      valueOf(text, 'auth0_catalog_ingestion_last_success_timestamp_seconds', {
        provider,
      });
    expect(lastSuccess('good')).toBeGreaterThanOrEqual(Math.floor(before));
    expect(lastSuccess('good')).toBeLessThanOrEqual(Date.now() / 1000);
    expect(lastSuccess('broken')).toBeUndefined();

    // The SDK's requests: the Management API's and the client-credentials tokens.
    const requests = (endpoint: string, statusClass: string) =>
      valueOf(text, 'auth0_upstream_requests_total', {
        endpoint,
        status_class: statusClass,
      });
    expect(requests('management', '2xx')).toBeGreaterThan(0);
    expect(requests('token', '2xx')).toBeGreaterThan(0);
    expect(requests('token', '4xx')).toBeGreaterThan(0);
    expect(
      valueOf(text, 'auth0_upstream_request_duration_seconds_count', {
        endpoint: 'management',
      }),
    ).toBe(requests('management', '2xx'));
  });
});

describe('upstreamEndpointOf', () => {
  it('names the Management API and the token endpoint, and nothing else', () => {
    expect(upstreamEndpointOf('https://t.auth0.com/api/v2/users?page=1')).toBe(
      'management',
    );
    expect(upstreamEndpointOf('https://t.auth0.com/oauth/token')).toBe('token');
    expect(
      upstreamEndpointOf('https://cdn.example/export-downloads/job/x.json.gz'),
    ).toBeUndefined();
    expect(upstreamEndpointOf('not a url')).toBeUndefined();
  });
});
