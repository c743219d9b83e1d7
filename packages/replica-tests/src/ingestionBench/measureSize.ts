import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startAuth0DevServerProcess } from '@internal/auth0-dev-server/process';
import {
  ANY_LOCAL_CALLBACK,
  auth0Environment,
  BackendProcess,
  dropDatabasesWithPrefix,
  LOCAL_POSTGRES,
  startBackendProcess,
} from '@internal/test-harness';
import { uniqueDatabasePrefix } from '../databases';
import { waitFor } from '../load';
import {
  OutputFollower,
  parseLogLine,
  ProviderEvent,
  providerEvent,
} from './backendLog';
import {
  CatalogDatabase,
  servedUserCount,
  triggerCatalogTask,
  UserProgress,
} from './catalog';
import { eventOf, phasesOf } from './phases';
import { ProcessSampler, resetPeakRss } from './processMemory';
import type { SizeResult } from './results';

/** The config the backend runs with, as `yarn dev` layers it when it reads Auth0's people. */
export const CONFIG_FILES = [
  'app-config.yaml',
  'app-config.auth0-catalog.yaml',
];
/** The provider block of app-config.auth0-catalog.yaml, and its scheduled task. */
export const PROVIDER_ID = 'development';
export const TASK_ID = `Auth0OrgEntityProvider:${PROVIDER_ID}:refresh`;
/** How often the backend's RSS and CPU time are read. */
export const SAMPLE_INTERVAL_MS = 250;
/** How often the log, the catalog API and the catalog's tables are looked at. */
const POLL_INTERVAL_MS = 1_000;
const PROGRESS_EVERY_MS = 30_000;

const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;

/**
 * One measurement: a dev server with `syntheticUsers` generated users, a fresh backend on
 * its own PostgreSQL databases, one run of the provider started by hand after the baseline
 * sample, and the catalog until its API serves every user that run committed.
 */
export async function measureSize(options: {
  syntheticUsers: number;
  workDir: string;
  timeoutMs: number;
  log: (message: string) => void;
  /** Checked while waiting: true ends the measurement with an error, after cleaning up. */
  interrupted: () => boolean;
  backendEnv?: Record<string, string>;
}): Promise<SizeResult> {
  const { syntheticUsers, log } = options;
  const databasePrefix = uniqueDatabasePrefix(`ingest${syntheticUsers}`);
  const token = randomBytes(24).toString('base64url');
  const stops: Array<() => Promise<unknown>> = [];
  try {
    log(`${syntheticUsers} users: starting the dev server and the backend`);
    const auth0 = await startAuth0DevServerProcess({
      redirectUris: [ANY_LOCAL_CALLBACK],
      syntheticUsers,
      stateDir: join(options.workDir, `auth0-state-${syntheticUsers}`),
    });
    stops.push(() => auth0.stop());
    const backend = await startBackendProcess({
      configFiles: CONFIG_FILES,
      env: {
        ...backendEnvironment(auth0, databasePrefix, token),
        ...options.backendEnv,
      },
      readinessTimeoutMs: 180_000,
    });
    stops.push(() => backend.stop());
    const pid = backend.pid;
    if (pid === undefined) throw new Error('the backend has no pid');

    const database = await CatalogDatabase.connect(databasePrefix);
    stops.push(() => database.close());
    await waitFor(
      'the catalog to process what it starts with (examples/entities.yaml)',
      async () => ((await database.atRest()) ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 500 },
    );

    const follower = new OutputFollower(backend.output);
    follower.newLines(); // the startup's lines: no run has begun (the trigger is manual)
    await auth0.admin.resetCounters();
    const sampler = new ProcessSampler(pid, SAMPLE_INTERVAL_MS);
    const peakReset = await resetPeakRss(pid);
    const baseline = await sampler.start();
    stops.push(() => sampler.stop().catch(() => undefined));
    const triggeredAt = Date.now();
    await triggerCatalogTask(backend.baseUrl, token, TASK_ID);
    log(
      `${syntheticUsers} users: triggered the provider at RSS ${mib(
        baseline.rss,
      )}`,
    );

    const watched = await watchRun({
      backend,
      follower,
      database,
      token,
      deadline: triggeredAt + options.timeoutMs,
      interrupted: options.interrupted,
      progress: message => {
        const latest = sampler.samples[sampler.samples.length - 1];
        log(`${syntheticUsers} users: ${message} (RSS ${mib(latest.rss)})`);
      },
    });
    const end = await sampler.stop();
    stops.pop();

    const { events } = watched;
    const started = eventOf(events, 'runStarted');
    const exported = eventOf(events, 'exportUsersRead');
    const built = eventOf(events, 'built');
    const committed = eventOf(events, 'committed');
    const since = (at: number | undefined) =>
      at !== undefined && started ? (at - started.at) / 1000 : undefined;
    const counters = await auth0.admin.counters();
    const providerPeak = committed
      ? sampler.samples.filter(sample => sample.at <= committed.at)
      : [];
    const result: SizeResult = {
      syntheticUsers,
      outcome: watched.outcome,
      ...(watched.failure && { failure: watched.failure }),
      ...(exported && { auth0Users: exported.users }),
      ...(built && {
        catalogUsers: built.users,
        leftOut: built.leftOut,
        roles: built.roles,
        organizations: built.organizations,
        entities: built.entities,
      }),
      startDelaySeconds: started
        ? (started.at - triggeredAt) / 1000
        : undefined,
      providerSeconds: since(committed?.at),
      servedSeconds: since(watched.servedAt),
      processedSeconds: since(watched.processedAt),
      phases: phasesOf(
        events,
        {
          triggeredAt,
          processedAt: watched.processedAt,
          servedAt: watched.servedAt,
        },
        sampler.samples,
      ),
      memory: {
        baselineRss: baseline.rss,
        peakRss: peakReset
          ? end.peakRss
          : Math.max(...sampler.samples.map(sample => sample.rss)),
        peakReset,
        sampledPeakRss: Math.max(...sampler.samples.map(sample => sample.rss)),
        ...(providerPeak.length > 0 && {
          providerPeakRss: Math.max(...providerPeak.map(sample => sample.rss)),
        }),
        endRss: end.rss,
      },
      managementCalls: Object.fromEntries(
        Object.entries(counters.managementApi)
          .filter(([, count]) => count.requests > 0)
          .map(([endpoint, count]) => [endpoint, count.requests]),
      ),
      ...(watched.outcome === 'served' && {
        catalogRows: await database.rowCounts(),
      }),
    };
    log(
      `${syntheticUsers} users: ${result.outcome}${
        result.failure ? ` (${result.failure})` : ''
      }; provider run ${result.providerSeconds ?? 'n/a'} s, served after ${
        result.servedSeconds ?? 'n/a'
      } s; RSS ${mib(result.memory.baselineRss)} → peak ${mib(
        result.memory.peakRss,
      )}`,
    );
    return result;
  } finally {
    for (const stop of stops.reverse()) {
      await stop();
    }
    await dropDatabasesWithPrefix(databasePrefix);
  }
}

function backendEnvironment(
  auth0: Parameters<typeof auth0Environment>[0] & {
    managementClientId: string;
    managementClientSecret: string;
  },
  databasePrefix: string,
  token: string,
): Record<string, string> {
  return {
    ...auth0Environment(auth0),
    AUTH0_MANAGEMENT_CLIENT_ID: auth0.managementClientId,
    AUTH0_MANAGEMENT_CLIENT_SECRET: auth0.managementClientSecret,
    // PostgreSQL instead of app-config.yaml's in-memory SQLite, on databases of its own.
    APP_CONFIG_backend_database: JSON.stringify({
      client: 'pg',
      connection: {
        host: LOCAL_POSTGRES.host,
        port: LOCAL_POSTGRES.port,
        user: LOCAL_POSTGRES.user,
        password: 'trust-authentication-ignores-it',
      },
      prefix: databasePrefix,
    }),
    // The bench reads the catalog and triggers the run with a static token, as a service.
    APP_CONFIG_backend_auth_externalAccess: JSON.stringify([
      { type: 'static', options: { token, subject: 'ingestion-bench' } },
    ]),
    // The run starts when the bench triggers it, after the baseline sample, instead of at
    // startup; the rest of the schedule (its timeout) stays as configured.
    [`APP_CONFIG_catalog_providers_auth0_${PROVIDER_ID}_schedule_frequency`]:
      JSON.stringify({ trigger: 'manual' }),
  };
}

/**
 * Follows the provider's run in the log, then the catalog until its API serves every user the
 * run committed: `served`, `failed` (the provider logged a failure, or the backend exited) or
 * `timed out`.
 */
async function watchRun(options: {
  backend: BackendProcess;
  follower: OutputFollower;
  database: CatalogDatabase;
  token: string;
  deadline: number;
  interrupted: () => boolean;
  progress: (message: string) => void;
}): Promise<{
  events: ProviderEvent[];
  outcome: SizeResult['outcome'];
  failure?: string;
  processedAt?: number;
  servedAt?: number;
}> {
  const { backend, follower, database, token } = options;
  const events: ProviderEvent[] = [];
  let processedAt: number | undefined;
  let progress: UserProgress | undefined;
  let lastProgress = Date.now();
  for (;;) {
    if (options.interrupted()) throw new Error('interrupted');
    for (const raw of follower.newLines()) {
      const line = parseLogLine(raw);
      const event = line && providerEvent(line);
      if (event) {
        events.push(event);
        options.progress(`${event.kind} ${describe(event)}`.trim());
      }
    }
    const failed = eventOf(events, 'failed');
    if (failed) {
      return { events, outcome: 'failed', failure: failed.message };
    }
    if (backend.exit()) {
      return {
        events,
        outcome: 'failed',
        failure: `the backend exited (${JSON.stringify(backend.exit())})`,
      };
    }
    const built = eventOf(events, 'built');
    if (built) {
      // The database first, then the API, so that `processed` is never seen after `served`;
      // the API only once the database has every user stitched (see stitchedUsers).
      if (processedAt === undefined) {
        progress = await database.userProgress();
        if (progress.processed >= built.users) processedAt = Date.now();
      }
      const stitched = await database.stitchedUsers();
      if (
        stitched >= built.users &&
        (await servedUserCount(backend.baseUrl, token)) >= built.users
      ) {
        return { events, outcome: 'served', processedAt, servedAt: Date.now() };
      }
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        options.progress(
          `catalog: ${progress?.registered} of ${built.users} users registered, ${progress?.processed} processed, ${stitched} stitched`,
        );
      }
    }
    if (Date.now() > options.deadline) {
      return {
        events,
        outcome: 'timed out',
        failure: built
          ? 'the catalog did not serve every user in time'
          : 'the provider did not finish in time',
        processedAt,
      };
    }
    await new Promise(resolve => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function describe(event: ProviderEvent): string {
  const { at: _at, kind: _kind, ...details } = event;
  return Object.entries(details)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}
