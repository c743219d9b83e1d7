import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  PrometheusExporter,
  PrometheusSerializer,
} from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NotFoundError } from '@backstage/errors';
import {
  Auth0UnavailableError,
  CatalogUserNotFoundError,
  EmailNotVerifiedError,
} from './errors';
import { Auth0Metrics, METER_NAME } from './metrics';

/** The module's metrics as Prometheus reads them, through OpenTelemetry's own exporter. */
function prometheusMetrics() {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const recorded = new Auth0Metrics(provider.getMeter(METER_NAME));
  const scrape = async () => {
    const { resourceMetrics } = await exporter.collect();
    return new PrometheusSerializer(
      undefined,
      false,
      undefined,
      true,
    ).serialize(resourceMetrics);
  };
  return { metrics: recorded, scrape, shutdown: () => provider.shutdown() };
}

/**
 * The value of the series `name` whose labels include `labels`, summed over the series that
 * match (the exporter adds `otel_scope_name`); undefined when none does.
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

describe('Auth0Metrics', () => {
  let scrape: () => Promise<string>;
  let metrics: Auth0Metrics;
  let shutdown: () => Promise<void>;

  beforeEach(() => {
    ({ metrics, scrape, shutdown } = prometheusMetrics());
  });

  afterEach(() => shutdown());

  it('counts sign-ins by outcome, with the error name as the reason', async () => {
    metrics.signedIn();
    metrics.signedIn();
    metrics.signInFailed(new CatalogUserNotFoundError('a@example.com'));
    metrics.signInFailed(new EmailNotVerifiedError('a@example.com'));
    metrics.signInFailed(new NotFoundError('no user'));
    metrics.signInFailed(new Auth0UnavailableError('down'));
    metrics.signInFailed(new TypeError('boom'));
    metrics.signInFailed({ name: 'not a class name: with a message' });

    const text = await scrape();
    expect(text).toContain('# TYPE auth0_sign_ins_total counter');
    const signIns = (outcome: string, reason: string) =>
      valueOf(text, 'auth0_sign_ins_total', { outcome, reason });
    expect(signIns('success', '')).toBe(2);
    expect(signIns('refused', 'CatalogUserNotFoundError')).toBe(1);
    expect(signIns('refused', 'EmailNotVerifiedError')).toBe(1);
    expect(signIns('refused', 'NotFoundError')).toBe(1);
    expect(signIns('error', 'Auth0UnavailableError')).toBe(1);
    expect(signIns('error', 'TypeError')).toBe(1);
    expect(signIns('error', 'Error')).toBe(1);
    expect(text).not.toContain('a@example.com');
  });

  it('counts refreshes by outcome and times every one in seconds', async () => {
    metrics.refreshed('success', 0.02);
    metrics.refreshed('shared', 0.004);
    metrics.refreshed('unavailable', 9);

    const text = await scrape();
    expect(valueOf(text, 'auth0_refreshes_total', { outcome: 'success' })).toBe(
      1,
    );
    expect(valueOf(text, 'auth0_refreshes_total', { outcome: 'shared' })).toBe(
      1,
    );
    expect(
      valueOf(text, 'auth0_refreshes_total', { outcome: 'unavailable' }),
    ).toBe(1);
    expect(text).toContain('# TYPE auth0_refresh_duration_seconds histogram');
    expect(valueOf(text, 'auth0_refresh_duration_seconds_count')).toBe(3);
    expect(valueOf(text, 'auth0_refresh_duration_seconds_sum')).toBeCloseTo(
      9.024,
    );
    expect(
      valueOf(text, 'auth0_refresh_duration_seconds_bucket', { le: '0.005' }),
    ).toBe(1);
    expect(
      valueOf(text, 'auth0_refresh_duration_seconds_bucket', { le: '10' }),
    ).toBe(3);
  });

  describe('observedFetch', () => {
    let server: Server;
    let origin: string;

    beforeAll(async () => {
      server = createServer((req, res) => {
        const status = req.url === '/oauth/revoke' ? 503 : 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{}');
      });
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve),
      );
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

    it('counts requests to the tenant by endpoint and status class, and times them', async () => {
      const observed = metrics.observedFetch();
      await observed(`${origin}/oauth/token`, { method: 'POST' });
      await observed(new URL(`${origin}/oauth/token`), { method: 'POST' });
      await observed(`${origin}/oauth/revoke`, { method: 'POST' });
      await observed(new Request(`${origin}/.well-known/jwks.json`));
      await observed(`${origin}/somewhere-else`);
      await expect(
        observed('http://127.0.0.1:1/oauth/token', { method: 'POST' }),
      ).rejects.toThrow();

      const text = await scrape();
      const requests = (endpoint: string, statusClass: string) =>
        valueOf(text, 'auth0_upstream_requests_total', {
          endpoint,
          status_class: statusClass,
        });
      expect(requests('token', '2xx')).toBe(2);
      expect(requests('token', 'error')).toBe(1);
      expect(requests('revoke', '5xx')).toBe(1);
      expect(requests('jwks', '2xx')).toBe(1);
      expect(text).not.toContain('somewhere-else');
      expect(
        valueOf(text, 'auth0_upstream_request_duration_seconds_count', {
          endpoint: 'token',
        }),
      ).toBe(3);
    });
  });
});
