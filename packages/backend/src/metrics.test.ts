import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import {
  createBrowser,
  type Browser,
} from '@internal/auth0-dev-server/browser';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
} from '@internal/auth0-dev-server/process';
import {
  ANY_LOCAL_CALLBACK,
  auth0Environment,
  findFreePort,
  refreshSession,
  signInThroughPopup,
  startBackendProcess,
  waitForCatalogUser,
  type BackendProcess,
} from '@internal/test-harness';

jest.setTimeout(180_000);

const repoRoot = resolvePath(__dirname, '../../..');
/** The alerts and the dashboard, which query the metrics by name. */
const MONITORING_DIRS = [
  'deploy/kubernetes/monitoring',
  'deploy/kubernetes/components/monitoring',
];

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The samples of a Prometheus text exposition. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [
        ...(match[2] ?? '').matchAll(
          /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
        ),
      ].map(([, key, value]) => [key, value]),
    );
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`; 0 when none does. */
function total(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  return samples
    .filter(
      sample =>
        sample.name === name &&
        Object.entries(labels).every(
          ([key, value]) => sample.labels[key] === value,
        ),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * This repo's backend, loaded with src/instrumentation.js as `yarn dev` and the image load it,
 * signing in against the dev server, with the catalog's people from the dev server's Management
 * API: what Prometheus reads on the metrics port after real sign-ins and refreshes.
 */
describe('the metrics on the Prometheus port', () => {
  let auth0: Auth0DevServerProcess | undefined;
  let backend: BackendProcess | undefined;
  let metricsUrl: string;
  const browsers: Browser[] = [];

  const newBrowser = () => {
    const browser = createBrowser({ caFile: auth0!.caFile });
    browsers.push(browser);
    return browser;
  };

  async function scrape(): Promise<{ text: string; samples: Sample[] }> {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    const text = await response.text();
    return { text, samples: parseExposition(text) };
  }

  /**
   * Scrapes until `done` holds: a route records some metrics after it has answered, so a
   * scrape right after the answer may come before them.
   */
  async function scrapeUntil(
    done: (samples: Sample[]) => boolean,
    what: string,
  ) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const result = await scrape();
      if (done(result.samples)) return result;
      if (Date.now() > deadline) {
        throw new Error(
          `the metrics did not show ${what} within 10 s; the last scrape:\n${result.text}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    auth0 = await startAuth0DevServerProcess({
      redirectUris: [ANY_LOCAL_CALLBACK],
    });
    const metricsPort = await findFreePort();
    metricsUrl = `http://localhost:${metricsPort}/metrics`;
    backend = await startBackendProcess({
      configFiles: ['app-config.yaml', 'app-config.auth0-catalog.yaml'],
      env: {
        ...auth0Environment(auth0),
        NODE_OPTIONS: `--require ${JSON.stringify(
          join(__dirname, 'instrumentation.js'),
        )}`,
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      },
    });
    // From the catalog provider's first read of the dev server.
    await waitForCatalogUser(backend, 'chris');
  });

  afterAll(async () => {
    await Promise.all(browsers.splice(0).map(browser => browser.close()));
    await backend?.stop();
    await auth0?.stop();
  });

  it('counts a sign-in, a refusal and three refreshes, and times the refreshes', async () => {
    const browser = newBrowser();
    const signedIn = await signInThroughPopup(browser, backend!, {
      user: 'chris',
    });
    expect(signedIn.message.error).toBeUndefined();
    const refused = await signInThroughPopup(newBrowser(), backend!, {
      user: 'jordan-unverified',
    });
    expect(refused.message.error?.name).toBe('EmailNotVerifiedError');
    for (let refresh = 0; refresh < 3; refresh++) {
      expect((await refreshSession(browser, backend!)).status).toBe(200);
    }

    const { samples } = await scrapeUntil(
      current => total(current, 'auth0_refreshes_total') >= 3,
      'three refreshes',
    );
    expect(total(samples, 'auth0_sign_ins_total')).toBe(2);
    expect(
      total(samples, 'auth0_sign_ins_total', {
        outcome: 'success',
        reason: '',
      }),
    ).toBe(1);
    expect(
      total(samples, 'auth0_sign_ins_total', {
        outcome: 'refused',
        reason: 'EmailNotVerifiedError',
      }),
    ).toBe(1);
    expect(total(samples, 'auth0_refreshes_total')).toBe(3);
    expect(
      total(samples, 'auth0_refreshes_total', { outcome: 'success' }),
    ).toBe(3);
    expect(total(samples, 'auth0_refresh_duration_seconds_count')).toBe(3);
    expect(
      total(samples, 'auth0_refresh_duration_seconds_sum'),
    ).toBeGreaterThan(0);
    expect(
      total(samples, 'auth0_refresh_duration_seconds_bucket', { le: '+Inf' }),
    ).toBe(3);

    // Two code exchanges and three refreshes at the token endpoint, the signing keys once.
    expect(
      total(samples, 'auth0_upstream_requests_total', {
        endpoint: 'token',
        status_class: '2xx',
      }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      total(samples, 'auth0_upstream_requests_total', {
        endpoint: 'jwks',
        status_class: '2xx',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, 'auth0_upstream_requests_total', {
        endpoint: 'management',
        status_class: '2xx',
      }),
    ).toBeGreaterThan(0);
    expect(
      total(samples, 'auth0_catalog_ingestion_runs_total', {
        provider: 'development',
        outcome: 'success',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, 'auth0_catalog_ingestion_entities', {
        provider: 'development',
        kind: 'User',
      }),
    ).toBeGreaterThan(0);

    // No person, token or message in a label of the modules (the exporter adds the scope).
    const labelValues = samples
      .filter(sample => sample.name.startsWith('auth0_'))
      .flatMap(sample =>
        Object.entries(sample.labels)
          .filter(([key]) => !key.startsWith('otel_scope_'))
          .map(([, value]) => value),
      );
    expect(labelValues.filter(value => /@|\s/.test(value))).toEqual([]);
  });

  it('counts a refresh during an Auth0 outage as unavailable', async () => {
    const browser = newBrowser();
    const signedIn = await signInThroughPopup(browser, backend!, {
      user: 'chris',
    });
    expect(signedIn.message.error).toBeUndefined();
    const before = await scrapeUntil(
      current =>
        total(current, 'auth0_sign_ins_total', { outcome: 'success' }) === 2,
      'the second sign-in',
    );

    // Auth0 answering 5xx, then not answering at all.
    await auth0!.admin.failToken(503);
    try {
      expect((await refreshSession(browser, backend!)).status).toBe(503);
      await auth0!.admin.refuseConnections();
      expect((await refreshSession(browser, backend!)).status).toBe(503);
    } finally {
      await auth0!.admin.reset();
    }

    const unavailable = (samples: Sample[]) =>
      total(samples, 'auth0_refreshes_total', { outcome: 'unavailable' });
    const { samples } = await scrapeUntil(
      current => unavailable(current) === 2,
      'two refreshes counted as unavailable',
    );
    expect(total(samples, 'auth0_refreshes_total')).toBe(
      total(before.samples, 'auth0_refreshes_total') + 2,
    );
    const tokenRequests = (statusClass: string) =>
      total(samples, 'auth0_upstream_requests_total', {
        endpoint: 'token',
        status_class: statusClass,
      });
    expect(tokenRequests('5xx')).toBeGreaterThanOrEqual(1);
    expect(tokenRequests('error')).toBeGreaterThanOrEqual(1);
  });

  it('counts a refresh that got the result of a concurrent one as shared', async () => {
    const browser = newBrowser();
    const signedIn = await signInThroughPopup(browser, backend!, {
      user: 'chris',
    });
    expect(signedIn.message.error).toBeUndefined();
    const refreshes = (samples: Sample[], outcome: string) =>
      total(samples, 'auth0_refreshes_total', { outcome });
    const before = (await scrape()).samples;

    // Two tabs with the same cookie: one exchange at Auth0, its result for both.
    const answers = await Promise.all([
      refreshSession(browser, backend!),
      refreshSession(browser, backend!),
    ]);
    expect(answers.map(answer => answer.status)).toEqual([200, 200]);

    const { samples } = await scrapeUntil(
      current =>
        total(current, 'auth0_refreshes_total') ===
        total(before, 'auth0_refreshes_total') + 2,
      'two more refreshes',
    );
    expect(refreshes(samples, 'success')).toBe(
      refreshes(before, 'success') + 1,
    );
    expect(refreshes(samples, 'shared')).toBe(refreshes(before, 'shared') + 1);
  });

  it('exports every auth0_ metric that the alerts and the dashboard query', async () => {
    const files = MONITORING_DIRS.map(dir => join(repoRoot, dir))
      .filter(dir => existsSync(dir))
      .flatMap(dir =>
        readdirSync(dir)
          .filter(file => /\.(ya?ml|json)$/.test(file))
          .map(file => join(dir, file)),
      );
    if (files.length === 0) {
      // eslint-disable-next-line no-console
      console.log(
        `no monitoring files in ${MONITORING_DIRS.join(
          ' or ',
        )}: nothing to check against`,
      );
      return;
    }
    const queried = new Set(
      files.flatMap(file =>
        // Whole names only: not a prose wildcard such as `auth0_upstream_*`.
        [
          ...readFileSync(file, 'utf8').matchAll(
            /\bauth0_[a-z0-9_]*[a-z0-9]\b/g,
          ),
        ].map(([name]) => name),
      ),
    );
    expect(queried.size).toBeGreaterThan(0);
    const { text, samples } = await scrape();
    // Sample names, and metric names (a histogram's name is on its # TYPE line only).
    const exported = new Set([
      ...samples.map(sample => sample.name),
      ...[...text.matchAll(/^# TYPE (\S+)/gm)].map(([, name]) => name),
    ]);
    expect([...queried].filter(name => !exported.has(name))).toEqual([]);
  });
});
