import { createHmac, randomBytes } from 'node:crypto';
import {
  auth0Environment,
  BackendProcess,
  findFreePort,
  LOCAL_POSTGRES,
  startBackendProcess,
} from '@internal/test-harness';
import { LoadBalancer, startHaproxy } from './haproxy';

/** Which Auth0 provider module the replicas run. */
export type AuthModule = 'this-repo' | 'upstream';

/** Entry files, relative to packages/backend. */
const ENTRIES: Record<AuthModule, string> = {
  'this-repo': 'src/index.ts',
  upstream: 'src/__testUtils__/upstreamAuth0Backend.ts',
};

/** The production config, with the catalog reading examples/ from disk. */
export const PRODUCTION_CONFIG_FILES = [
  'app-config.yaml',
  'app-config.production.yaml',
  'packages/test-harness/app-config.local-catalog.yaml',
];

/** What the replicas need to know about the Auth0 dev server they sign in through. */
export type Auth0DevServerAddress = {
  domain: string;
  clientId: string;
  clientSecret: string;
  managementClientId: string;
  managementClientSecret: string;
  caFile: string;
};

export type ClusterOptions = {
  auth0: Auth0DevServerAddress;
  module?: AuthModule;
  replicas?: number;
  /** Every replica uses the databases with this prefix (dropDatabasesWithPrefix ends them). */
  databasePrefix: string;
  /** Prefix of this cluster's keys in the shared Redis; the database prefix unless given. */
  cacheNamespace?: string;
  /** Config files layered after PRODUCTION_CONFIG_FILES, relative to the repository root. */
  extraConfigFiles?: string[];
  /** Extra environment for every replica (e.g. APP_CONFIG_ overrides). */
  env?: Record<string, string>;
  readinessTimeoutMs?: number;
};

export type Cluster = {
  /** HAProxy's URL: what browsers, callback URLs and cookies use. */
  baseUrl: string;
  /** HAProxy in front of the replicas, with its counters and server states. */
  proxy: LoadBalancer;
  /**
   * A service token the replicas accept (a legacy token signed with BACKEND_SECRET), for
   * reading the catalog from outside: production has no guest sign-in.
   */
  serviceToken: string;
  /** The replica processes, by index; a restarted replica replaces its entry. */
  replicas(): BackendProcess[];
  /** SIGKILLs a replica and resolves once it exited. */
  kill(index: number): Promise<void>;
  /** Starts a replica again on its port and resolves once HAProxy has it UP again. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Starts replicas of the backend in production mode on one PostgreSQL database set and
 * one Redis cache, behind HAProxy (round robin) on loopback. The replicas start one after
 * the other: the first creates the databases and runs the migrations.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const replicaCount = options.replicas ?? 2;
  const ports = await distinctFreePorts(replicaCount);
  const proxy = await startHaproxy({
    upstreams: ports.map(port => `http://127.0.0.1:${port}`),
  });
  const backendSecret = randomBytes(24).toString('base64');
  const serviceToken = legacyServiceToken(backendSecret);
  const env = replicaEnvironment(options, proxy.url, backendSecret);
  const start = (port: number) =>
    startBackendProcess({
      configFiles: [
        ...PRODUCTION_CONFIG_FILES,
        ...(options.extraConfigFiles ?? []),
      ],
      entry: ENTRIES[options.module ?? 'this-repo'],
      env,
      port,
      publicBaseUrl: proxy.url,
      readinessTimeoutMs: options.readinessTimeoutMs ?? 180_000,
    });

  const replicas: BackendProcess[] = [];
  try {
    for (const port of ports) {
      replicas.push(await start(port));
    }
    await proxy.waitUntilAllReady();
  } catch (error) {
    await Promise.all(replicas.map(replica => replica.stop()));
    await proxy.close();
    throw error;
  }

  return {
    baseUrl: proxy.url,
    proxy,
    serviceToken,
    replicas: () => [...replicas],
    async kill(index) {
      await replicas[index].kill();
    },
    async restart(index) {
      replicas[index] = await start(ports[index]);
      await proxy.waitUntilAllReady();
    },
    async stop() {
      await Promise.all(replicas.map(replica => replica.stop()));
      await proxy.close();
    },
  };
}

function replicaEnvironment(
  options: ClusterOptions,
  publicUrl: string,
  backendSecret: string,
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    APP_BASE_URL: publicUrl,
    BACKEND_SECRET: backendSecret,
    POSTGRES_HOST: LOCAL_POSTGRES.host,
    POSTGRES_PORT: String(LOCAL_POSTGRES.port),
    POSTGRES_USER: LOCAL_POSTGRES.user,
    POSTGRES_PASSWORD: 'trust-auth-ignores-this',
    APP_CONFIG_backend_database_prefix: options.databasePrefix,
    GITHUB_TOKEN: 'not-used-the-catalog-reads-local-files',
    CATALOG_ORG_URL: 'https://github.com/example/org/blob/main/org.yaml',
    ...auth0Environment(options.auth0),
    APP_CONFIG_backend_listen_host: '127.0.0.1',
    APP_CONFIG_backend_cache_store: 'redis',
    APP_CONFIG_backend_cache_connection: 'redis://127.0.0.1:6379',
    // Keys of one run never meet those of another run on the same Redis.
    APP_CONFIG_backend_cache_redis_client_namespace:
      options.cacheNamespace ?? options.databasePrefix,
    ...options.env,
  };
}

/**
 * A token of Backstage's legacy service-to-service kind, which the production config accepts
 * with BACKEND_SECRET: HS256 over `{ sub: 'backstage-server', exp }` with the decoded secret.
 */
function legacyServiceToken(backendSecret: string): string {
  const encode = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    sub: 'backstage-server',
    exp: Math.floor(Date.now() / 1000) + 24 * 3600,
  })}`;
  const signature = createHmac('sha256', Buffer.from(backendSecret, 'base64'))
    .update(unsigned)
    .digest('base64url');
  return `${unsigned}.${signature}`;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt++) {
    ports.add(await findFreePort());
  }
  if (ports.size < count) {
    throw new Error(`could not find ${count} distinct free ports`);
  }
  return [...ports];
}
