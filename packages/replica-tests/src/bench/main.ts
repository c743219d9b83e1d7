// `yarn bench`: this repo's Auth0 module against upstream's, on two replicas behind
// HAProxy, with the local Auth0 dev server adding 20 ms to every call, the replicas' spans
// exported to this process (traces.ts) and page loads in Chromium (pageLoad.ts). Prints a
// table, rewrites the generated section of docs/benchmarks.md and draws its charts
// (writeReport.ts). `--baseline <results .json>` shows an earlier run's breakdown beside this
// one's. Not run by CI: it takes a while (see that file).
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
} from '@internal/auth0-dev-server/process';
import {
  ANY_LOCAL_CALLBACK,
  dropDatabasesWithPrefix,
  findFreePort,
} from '@internal/test-harness';
import { AuthModule, Cluster, ClusterOptions, startCluster } from '../cluster';
import { uniqueDatabasePrefix } from '../databases';
import { waitFor } from '../load';
import { signIn, SignInOutcome } from '../sessions';
import {
  writeAuth0Users,
  writeCatalogConfig,
  writeCatalogUsers,
} from './catalogUsers';
import { formatLoad, machineFacts, repoRoot } from './machine';
import {
  backendCalls,
  benchPeople,
  catalogLookup,
  catalogUserCount,
  concurrentRefreshSurvival,
  measureRefreshGrantFloor,
  refreshRun,
  refreshTokenOf,
  signInSequentially,
} from './measurements';
import type {
  BenchResult,
  ModulePass,
  ModuleResult,
  ResolutionPass,
} from './results';
import { baselineOption, readResult } from './baseline';
import { appBundleBuilt, measurePageLoads } from './pageLoad';
import { replaceSection } from './render';
import {
  SpanReceiver,
  startSpanReceiver,
  traceExportEnvironment,
} from './traces';
import { writeReport } from './writeReport';
import { settleCatalog, settledTransactionCounts } from './benchDatabase';

const LATENCY_MS = 20;
const CATALOG_SIZES = (process.env.BENCH_CATALOG_SIZES ?? '1000,10000,100000')
  .split(',')
  .map(Number);
/** Users per generated catalog file: one location emitting 100,000 entities stalls. */
const USERS_PER_FILE = 5_000;
/** Users the dev server knows; sign-ins take them in turn, below Auth0's /userinfo limit. */
const AUTH0_USERS = 500;
const INGESTION_TIMEOUT_MS = Number(
  process.env.BENCH_INGESTION_TIMEOUT_MS ?? 60 * 60_000,
);
const SURVIVAL_CONCURRENCY = [2, 5, 10, 20, 50];
const SURVIVAL_TRIALS_PER_PASS = 3;
const SESSIONS_PER_PASS = 20;
/** Page loads in Chromium per pass (after 2 not counted); BENCH_PAGE_LOAD=0 leaves them out. */
const PAGE_LOADS_PER_PASS = 10;
const PAGE_LOAD = process.env.BENCH_PAGE_LOAD !== '0';
/** How long the replicas' spans of a pass may take to arrive (they export every 100 ms). */
const SPANS_TIMEOUT_MS = 5_000;
/**
 * Each module is measured twice, in the order A B B A, so that a drift of the shared
 * machine's load or of the database's state during the run weighs on both alike.
 */
const PASS_ORDER: AuthModule[] = [
  'this-repo',
  'upstream',
  'upstream',
  'this-repo',
];

/** Settings that keep background catalog work out of the measurements (docs/benchmarks.md). */
const BENCH_REPLICA_ENV = {
  APP_CONFIG_catalog_processingInterval: JSON.stringify({ hours: 24 }),
  APP_CONFIG_search_collators_catalog_schedule: JSON.stringify({
    frequency: { trigger: 'manual' },
    timeout: { minutes: 15 },
  }),
};

function log(message: string) {
  process.stderr.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );
}

async function main() {
  const docFile = resolvePath(repoRoot, 'docs/benchmarks.md');
  // Fails now, not after the measurements, when the document lost its generated section.
  replaceSection(await readFile(docFile, 'utf8'), '');
  const { baseline, rest } = baselineOption(process.argv.slice(2), process.env);
  if (rest.length > 0) {
    throw new Error(
      `unknown arguments ${rest.join(
        ' ',
      )}; usage: yarn bench [--baseline <results .json>]`,
    );
  }
  const previous = baseline
    ? await readResult(
        resolvePath(process.env.INIT_CWD ?? process.cwd(), baseline),
        readFile,
      )
    : undefined;
  const startedAt = new Date();
  const facts = await machineFacts();
  const workDir = await mkdtemp(join(tmpdir(), 'scale-out-bench-'));
  const runPrefix = uniqueDatabasePrefix('bench');
  const catalogPrefix = (size: number) => `${runPrefix}${size}_`;
  let auth0: Auth0DevServerProcess | undefined;
  let receiver: SpanReceiver | undefined;
  const running = new Set<Cluster>();
  const start = async (
    options: Omit<ClusterOptions, 'auth0'> & { env?: Record<string, string> },
  ) => {
    const cluster = await startCluster({
      ...options,
      auth0: auth0!,
      env: { ...BENCH_REPLICA_ENV, ...options.env },
    });
    running.add(cluster);
    return cluster;
  };
  const stop = async (cluster: Cluster) => {
    await cluster.stop();
    running.delete(cluster);
  };

  const cleanUp = async () => {
    await Promise.all([...running].map(stop));
    await auth0?.stop();
    await receiver?.close();
    await dropDatabasesWithPrefix(runPrefix);
    await rm(workDir, { recursive: true, force: true });
  };
  const onSignal = () => {
    log('interrupted: stopping the replicas and dropping the databases');
    cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const pageLoad = PAGE_LOAD && ensureAppBundle();
    receiver = await startSpanReceiver();
    const traceEnv = traceExportEnvironment(receiver, await findFreePort());
    const auth0UsersFile = join(workDir, 'auth0-users.yaml');
    await writeAuth0Users(auth0UsersFile, AUTH0_USERS);
    auth0 = await startAuth0DevServerProcess({
      redirectUris: [ANY_LOCAL_CALLBACK],
      usersFile: auth0UsersFile,
      stateDir: join(workDir, 'auth0-state'),
    });
    await auth0.admin.setLatency({
      authorize: LATENCY_MS,
      token: LATENCY_MS,
      userinfo: LATENCY_MS,
      jwks: LATENCY_MS,
      logout: LATENCY_MS,
    });

    // One catalog (database set) per size, so that the sizes can be measured side by side.
    const catalogConfigs = await writeCatalogs(workDir, CATALOG_SIZES);
    const ingestion: BenchResult['ingestion'] = [];
    for (const size of CATALOG_SIZES) {
      log(`catalog: ingesting ${size} users`);
      const cluster = await start({
        databasePrefix: catalogPrefix(size),
        extraConfigFiles: [catalogConfigs[size]],
      });
      const started = Date.now();
      const expectedUsers = size + 4; // and the 4 people of examples/org.yaml
      await waitFor(
        `the catalog serving ${expectedUsers} users`,
        async () => {
          const count = await catalogUserCount(cluster);
          return count >= expectedUsers ? count : undefined;
        },
        { timeoutMs: INGESTION_TIMEOUT_MS, intervalMs: 2_000 },
      );
      const seconds = (Date.now() - started) / 1000;
      await settleCatalog(catalogPrefix(size), INGESTION_TIMEOUT_MS);
      ingestion.push({
        users: size,
        seconds,
        settledSeconds: (Date.now() - started) / 1000,
      });
      log(`catalog: ${size} users served after ${seconds.toFixed(0)} s`);
      await stop(cluster);
    }

    const results: Record<AuthModule, ModuleResult> = {
      'this-repo': { module: 'this-repo', passes: [], resolution: [] },
      upstream: { module: 'upstream', passes: [], resolution: [] },
    };
    const smallest = CATALOG_SIZES[0];
    for (const [passIndex, module] of PASS_ORDER.entries()) {
      log(`${module}: pass ${passIndex + 1}, two replicas, ${smallest} users`);
      const cluster = await start({
        module,
        databasePrefix: catalogPrefix(smallest),
        cacheNamespace: `${runPrefix}${module}_${passIndex}_`,
        extraConfigFiles: [catalogConfigs[smallest]],
        env: traceEnv,
      });
      results[module].passes.push(
        await measureModule({
          cluster,
          auth0,
          module,
          databasePrefix: catalogPrefix(smallest),
          receiver,
          pageLoad,
        }),
      );
      await stop(cluster);
    }

    for (const [passIndex, module] of PASS_ORDER.entries()) {
      log(`${module}: resolution pass ${passIndex + 1}, two replicas per size`);
      const clusters = [];
      for (const size of CATALOG_SIZES) {
        clusters.push({
          size,
          cluster: await start({
            module,
            databasePrefix: catalogPrefix(size),
            cacheNamespace: `${runPrefix}${module}_${size}_${passIndex}_`,
            extraConfigFiles: [catalogConfigs[size]],
          }),
        });
      }
      results[module].resolution.push(
        ...(await measureResolution(clusters, auth0)),
      );
      await Promise.all(clusters.map(({ cluster }) => stop(cluster)));
    }

    const result: BenchResult = {
      facts,
      startedAt: startedAt.toISOString(),
      minutes: (Date.now() - startedAt.getTime()) / 60_000,
      loadAverageAtEnd: formatLoad(),
      latencyMs: LATENCY_MS,
      catalogSizes: CATALOG_SIZES,
      ingestion,
      modules: results,
    };
    const rawFile = join(tmpdir(), `scale-out-bench-${process.pid}.json`);
    await writeFile(rawFile, JSON.stringify(result));
    log(
      `raw samples in ${rawFile} (yarn workspace @internal/replica-tests bench:report ${rawFile} renders them again)`,
    );
    process.stdout.write(`${await writeReport(result, docFile, previous)}\n`);
    log(`wrote the generated section of ${docFile}`);
  } finally {
    await cleanUp();
  }
}

/**
 * Writes the generated users in files of USERS_PER_FILE (the first file ends at the
 * smallest size) and one config file per size naming the files up to that size.
 */
async function writeCatalogs(
  dir: string,
  sizes: number[],
): Promise<Record<number, string>> {
  const bounds = [...new Set(sizes)].sort((a, b) => a - b);
  const ranges: Array<{ from: number; to: number }> = [];
  for (let from = 1; from <= bounds[bounds.length - 1]; ) {
    const nextBound = bounds.find(bound => bound >= from)!;
    const to = Math.min(nextBound, from + USERS_PER_FILE - 1);
    ranges.push({ from, to });
    from = to + 1;
  }
  const files: Array<{ to: number; file: string }> = [];
  for (const { from, to } of ranges) {
    const file = join(dir, `catalog-users-${from}-${to}.yaml`);
    await writeCatalogUsers(file, from, to);
    files.push({ to, file });
  }
  const configs: Record<number, string> = {};
  for (const size of bounds) {
    configs[size] = await writeCatalogConfig(
      join(dir, `app-config.catalog-${size}.yaml`),
      files.filter(entry => entry.to <= size).map(entry => entry.file),
    );
  }
  return configs;
}

/**
 * Whether the app is built for the replicas to serve (packages/app/dist); builds it when it
 * is not, taking turns with the other builds of it as the browser tests do.
 */
function ensureAppBundle(): boolean {
  if (!appBundleBuilt()) {
    log('page load: building the app (packages/app/dist) once');
    execFileSync(
      'flock',
      [
        resolvePath(repoRoot, '.cache/backend-build.lock'),
        'yarn',
        'workspace',
        'app',
        'build',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  return appBundleBuilt();
}

const peopleCursor = benchPeople(AUTH0_USERS);

/** One pass over everything but resolution, for one module (run twice per module). */
async function measureModule(options: {
  cluster: Cluster;
  auth0: Auth0DevServerProcess;
  module: AuthModule;
  databasePrefix: string;
  receiver: SpanReceiver;
  pageLoad: boolean;
}): Promise<ModulePass> {
  const { cluster, auth0, module, databasePrefix, receiver } = options;
  const { caFile, admin } = auth0;
  const browsers: SignInOutcome[] = [];
  try {
    log(`${module}: warming up`);
    const warmUp = await signInSequentially({
      backend: cluster,
      caFile,
      next: peopleCursor,
      count: 6,
    });
    browsers.push(...warmUp.outcomes);
    await refreshRun({
      sessions: warmUp.outcomes.slice(1),
      backend: cluster,
      total: 60,
      concurrency: 3,
    });

    log(`${module}: sign-ins`);
    await admin.resetCounters();
    const signIns = await signInSequentially({
      backend: cluster,
      caFile,
      next: peopleCursor,
      count: SESSIONS_PER_PASS,
    });
    browsers.push(...signIns.outcomes);
    const signInCalls = backendCalls(await admin.counters());
    const sessions = signIns.outcomes.filter(outcome => !outcome.failure);

    log(`${module}: the refresh-grant floor`);
    const floor = await measureRefreshGrantFloor({
      auth0,
      caFile,
      refreshToken: await refreshTokenOf(warmUp.outcomes[0], cluster),
      count: 100,
    });

    log(`${module}: refreshes`);
    await admin.resetCounters();
    const refreshStarted = Date.now();
    const transactionsBefore = await settledTransactionCounts(databasePrefix);
    const sequentialFrom = Date.now();
    const sequential = await refreshRun({
      sessions,
      backend: cluster,
      total: 100,
      concurrency: 1,
    });
    const sequentialTo = Date.now();
    const transactionsAfter = await settledTransactionCounts(databasePrefix);
    const direct = await refreshRun({
      sessions,
      backend: cluster.replicas()[0],
      total: 60,
      concurrency: 1,
    });
    const load = await refreshRun({
      sessions,
      backend: cluster,
      total: 500,
      concurrency: 8,
    });
    const refreshCalls = backendCalls(await admin.counters());
    const refreshMinutes = (Date.now() - refreshStarted) / 60_000;
    const spans = await receiver.refreshes(
      sequentialFrom,
      sequentialTo,
      sequential.times.length + sequential.errors.length,
      SPANS_TIMEOUT_MS,
    );
    log(
      `${module}: spans of ${spans.length} of the ${
        sequential.times.length + sequential.errors.length
      } one-at-a-time refreshes`,
    );

    log(`${module}: concurrent refreshes with rotation on`);
    await admin.setRefreshTokenRotation(true);
    const survival = [];
    for (const concurrent of SURVIVAL_CONCURRENCY) {
      survival.push(
        await concurrentRefreshSurvival({
          cluster,
          caFile,
          admin,
          next: peopleCursor,
          concurrent,
          trials: SURVIVAL_TRIALS_PER_PASS,
        }),
      );
    }

    let pageLoad;
    if (options.pageLoad) {
      log(`${module}: page loads in Chromium`);
      pageLoad = await measurePageLoads({
        baseUrl: cluster.baseUrl,
        user: peopleCursor().user,
        count: PAGE_LOADS_PER_PASS,
        warmUp: 2,
      });
    }

    return {
      signIn: {
        count: signIns.outcomes.length,
        callbacks: signIns.callbacks,
        failures: signIns.failures,
        calls: signInCalls,
      },
      floor,
      refresh: {
        sequential,
        direct,
        load,
        calls: refreshCalls,
        userMinutes: sessions.length * refreshMinutes,
        transactions: Object.fromEntries(
          ['auth', 'catalog'].map(name => [
            name,
            (transactionsAfter[name] ?? 0) - (transactionsBefore[name] ?? 0),
          ]),
        ),
        spans,
      },
      survival,
      ...(pageLoad && { pageLoad }),
      loadAverage: formatLoad(),
    };
  } finally {
    await Promise.all(browsers.map(outcome => outcome.browser.close()));
  }
}

/**
 * Sign-ins and catalog lookups at every catalog size, taking the sizes in turn request by
 * request, so that the machine's load and the dev server weigh on every size alike.
 */
async function measureResolution(
  clusters: Array<{ size: number; cluster: Cluster }>,
  auth0: Auth0DevServerProcess,
): Promise<ResolutionPass[]> {
  const lookups = new Map(clusters.map(({ size }) => [size, [] as number[]]));
  const misses = new Map(clusters.map(({ size }) => [size, 0]));
  for (let round = 0; round < 110; round++) {
    for (const { size, cluster } of clusters) {
      const lookup = await catalogLookup({
        cluster,
        catalogUsers: size,
        count: 1,
        offset: round,
        of: 110,
      });
      // The first rounds warm the pools and the planner; they are not counted.
      if (round >= 10) lookups.get(size)!.push(...lookup.times);
      misses.set(size, misses.get(size)! + lookup.misses);
    }
  }

  const signIns = new Map(
    clusters.map(({ size }) => [size, [] as SignInOutcome[]]),
  );
  try {
    for (let round = 0; round < 25; round++) {
      for (const { size, cluster } of clusters) {
        const outcome = await signIn(cluster, auth0.caFile, peopleCursor());
        signIns.get(size)!.push(outcome);
      }
    }
    // The dev server's token endpoint right after: what the sign-ins' code exchanges cost.
    const first = clusters[0];
    const floor = await measureRefreshGrantFloor({
      auth0,
      caFile: auth0.caFile,
      refreshToken: await refreshTokenOf(
        signIns.get(first.size)![0],
        first.cluster,
      ),
      count: 60,
    });
    return clusters.map(({ size }) => {
      const outcomes = signIns.get(size)!;
      // The first sign-ins after a start warm the JIT and the pools; they are not counted.
      const counted = outcomes.slice(5).filter(outcome => !outcome.failure);
      return {
        users: size,
        callbacks: counted.map(outcome => outcome.callbackMs),
        floor: floor.times,
        lookups: lookups.get(size)!,
        lookupMisses: misses.get(size)!,
        failures: outcomes.flatMap(outcome =>
          outcome.failure ? [`${outcome.user}: ${outcome.failure}`] : [],
        ),
      };
    });
  } finally {
    await Promise.all(
      [...signIns.values()].flat().map(outcome => outcome.browser.close()),
    );
  }
}

main().catch(error => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
