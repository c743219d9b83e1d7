import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@internal/test-harness';

/**
 * Debian's HAProxy (`scripts/ensure-haproxy.sh` installs it) as the load balancer in front
 * of the replicas: started per cluster with a generated config in a temporary folder, on a
 * free loopback port, and read through its runtime API on a unix socket in that folder.
 */

/** One replica as HAProxy sees it, from `show stat`. */
export type BalancedServer = {
  /** HAProxy's name for it, e.g. `replica0`. */
  name: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** HAProxy's state: `UP`, `DOWN`, `UP 1/2` (failing), `MAINT`, … */
  status: string;
  /** The last health check's result: `L7OK` (readiness answered 200), `L4CON` (refused), `INI` (none yet), … */
  lastCheck: string;
};

export type ProxyStats = {
  /** Responses each replica sent back through HAProxy (every status), by origin; every replica is listed. */
  answeredBy: Record<string, number>;
  /**
   * Connections HAProxy tried again after one failed (refused, so the request had not
   * reached a replica): its `wredis` (sent to another replica, as configured here) and
   * `wretr` (to the same one) counters.
   */
  retriedAfterRefusal: number;
  /**
   * Requests that reached a replica and lost it (`eresp`): HAProxy answered 502, or closed
   * the client's connection without an answer (see haproxyConfig).
   */
  failedInFlight: number;
  /** Responses HAProxy wrote itself (502, 503 with no replica up, 504, 400 …). */
  fromBalancer: number;
};

export type LoadBalancer = {
  /** `http://localhost:<port>`: what browsers, callback URLs and cookies use. */
  url: string;
  port: number;
  /** The generated haproxy.cfg. */
  config: string;
  servers(): Promise<BalancedServer[]>;
  /** Resolves once HAProxy has every replica UP with a passed readiness check. */
  waitUntilAllReady(timeoutMs?: number): Promise<void>;
  /** HAProxy's own counters since it started or since `resetStats()`. */
  stats(): Promise<ProxyStats>;
  /** `clear counters all` on the runtime API. */
  resetStats(): Promise<void>;
  /** One command on the runtime API (`show stat`, `show info`, …); its answer. */
  runtime(command: string): Promise<string>;
  /** What HAProxy wrote to stdout and stderr (alerts and warnings, e.g. a replica going DOWN). */
  output(): string;
  close(): Promise<void>;
};

export type HaproxyOptions = {
  /** Replica origins, e.g. `http://127.0.0.1:7007`; loopback only. */
  upstreams: string[];
  /** Checked on every replica; a 200 puts it in the rotation. Backstage's readiness unless given. */
  readinessPath?: string;
  /** Health check interval; 200 ms unless given. */
  checkIntervalMs?: number;
};

export const BACKSTAGE_READINESS_PATH = '/.backstage/health/v1/readiness';

export type HaproxyConfigOptions = {
  /** The loopback port HAProxy listens on. */
  port: number;
  servers: Array<{ name: string; port: number }>;
  /** The runtime API's unix socket (owner-only, level admin so that counters can be cleared). */
  runtimeSocket: string;
  readinessPath: string;
  checkIntervalMs: number;
};

/** Errors HAProxy writes itself, as JSON like the backend's errors, marked `proxy: true`. */
const BALANCER_ERRORS: Array<[number, string, string]> = [
  [
    502,
    'UpstreamConnectionLost',
    'the replica closed the connection before it answered (HAProxy)',
  ],
  [503, 'NoReadyUpstream', 'no replica is up (HAProxy)'],
  [504, 'UpstreamTimeout', 'the replica did not answer in time (HAProxy)'],
];

/** Quotes a string for haproxy.cfg (double quotes, with `\` and `"` escaped). */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, match => `\\${match}`)}"`;
}

/**
 * haproxy.cfg for the replicas: `balance roundrobin` over them with equal, fixed weights (no
 * slowstart, no agent checks), so consecutive requests alternate; a server is in the
 * rotation while its readiness check passes and leaves it at a refused connection. A request
 * whose connection was refused is sent again to the next replica (it never arrived); one
 * that reached a replica is never sent again (it may have called Auth0): HAProxy answers it
 * 502 when it was the first request on the client's connection, and otherwise closes that
 * connection without an answer, as a server closing an idle keep-alive connection does.
 * Every request opens its own connection to a replica, so no pooled connection to a killed
 * replica can fail a request that never reached it.
 */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  const inter = `${options.checkIntervalMs}ms`;
  return `${[
    'global',
    `  stats socket ${options.runtimeSocket} mode 600 level admin`,
    '  maxconn 2000',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 5m',
    '  timeout server 5m',
    // Read timeout of a health check; its connect timeout is the check interval.
    '  timeout check 2s',
    // A fresh connection to a replica per request (the client's own connection stays open).
    '  option http-server-close',
    '  option forwardfor',
    // Only refused connections are retried (retry-on's default, conn-failure), each time on
    // the next replica; a request a replica received is never sent twice.
    '  retries 3',
    '  option redispatch 1',
    ...BALANCER_ERRORS.map(
      ([status, name, message]) =>
        `  http-error status ${status} content-type application/json string ${quote(
          JSON.stringify({ error: { name, message }, proxy: true }),
        )}`,
    ),
    '',
    'frontend replicas',
    `  bind 127.0.0.1:${options.port}`,
    '  http-request set-header X-Forwarded-Proto http',
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '  default_backend replicas',
    '',
    'backend replicas',
    '  balance roundrobin',
    `  option httpchk GET ${options.readinessPath}`,
    '  http-check expect status 200',
    // Out after two failed checks, or at once when a request's connection is refused; back
    // after one passed check (a restarted replica rejoins on its port by itself).
    `  default-server inter ${inter} fastinter ${inter} downinter ${inter} rise 1 fall 2 observe layer4 error-limit 1 on-error mark-down`,
    ...options.servers.map(
      server => `  server ${server.name} 127.0.0.1:${server.port} check`,
    ),
  ].join('\n')}\n`;
}

/** The CSV of `show stat` (or of the stats page's `;csv`), one object per line, by column name. */
export function parseStatCsv(csv: string): Array<Record<string, string>> {
  const lines = csv.split('\n').filter(line => line.trim() !== '');
  const header = lines.find(line => line.startsWith('# '));
  if (!header) {
    throw new Error(
      `not HAProxy's stats CSV (no "# pxname,…" header): ${csv.slice(0, 200)}`,
    );
  }
  const columns = header.slice(2).split(',');
  return lines
    .filter(line => !line.startsWith('#'))
    .map(line => {
      const cells = line.split(',');
      return Object.fromEntries(
        columns
          .map((column, index) => [column, cells[index] ?? ''] as const)
          .filter(([column]) => column !== ''),
      );
    });
}

const RESPONSE_COLUMNS = [
  'hrsp_1xx',
  'hrsp_2xx',
  'hrsp_3xx',
  'hrsp_4xx',
  'hrsp_5xx',
  'hrsp_other',
];
const count = (row: Record<string, string> | undefined, column: string) =>
  Number(row?.[column] || 0);
const responses = (row: Record<string, string> | undefined) =>
  RESPONSE_COLUMNS.reduce((sum, column) => sum + count(row, column), 0);

/** The replicas' rows of `show stat`, as servers with their origins. */
export function serversFromStats(
  rows: Array<Record<string, string>>,
  origins: Record<string, string>,
): BalancedServer[] {
  return Object.entries(origins).map(([name, origin]) => {
    const row = rows.find(r => r.pxname === 'replicas' && r.svname === name);
    return {
      name,
      origin,
      status: row?.status ?? 'unknown',
      // `* ` marks a check in progress; the rest is the last finished one.
      lastCheck: (row?.check_status ?? '').replace(/^\* /, ''),
    };
  });
}

/**
 * HAProxy's counters as the tests need them: per replica the responses it sent (the
 * `hrsp_*` columns of its server line; a 502 HAProxy writes for a replica is not one), and
 * what HAProxy did itself.
 */
export function statsFromRows(
  rows: Array<Record<string, string>>,
  origins: Record<string, string>,
): ProxyStats {
  const servers = Object.keys(origins).map(name =>
    rows.find(row => row.pxname === 'replicas' && row.svname === name),
  );
  const frontend = rows.find(
    row => row.pxname === 'replicas' && row.svname === 'FRONTEND',
  );
  const sum = (column: string) =>
    servers.reduce((total, row) => total + count(row, column), 0);
  const answeredBy: Record<string, number> = {};
  Object.values(origins).forEach((origin, index) => {
    answeredBy[origin] = responses(servers[index]);
  });
  const fromReplicas = Object.values(answeredBy).reduce((a, b) => a + b, 0);
  return {
    answeredBy,
    retriedAfterRefusal: sum('wretr') + sum('wredis'),
    failedInFlight: sum('eresp'),
    fromBalancer: Math.max(0, responses(frontend) - fromReplicas),
  };
}

/** The origin of a loopback replica, or an error: HAProxy here only balances local replicas. */
function loopbackPort(origin: string): number {
  const url = new URL(origin);
  if (
    url.protocol !== 'http:' ||
    !['127.0.0.1', 'localhost'].includes(url.hostname) ||
    !url.port
  ) {
    throw new Error(
      `HAProxy only balances http on loopback (127.0.0.1:<port>) here, not ${origin}`,
    );
  }
  return Number(url.port);
}

export function haproxyBinary(): string {
  const binary = process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';
  try {
    accessSync(binary, fsConstants.X_OK);
  } catch {
    throw new Error(
      `no HAProxy at ${binary}: run scripts/ensure-haproxy.sh (as root it installs Debian's haproxy package), or set HAPROXY_PATH`,
    );
  }
  return binary;
}

/** Sends one command to HAProxy's runtime API and resolves with its whole answer. */
export function runtimeCommand(
  socketPath: string,
  command: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5_000, () =>
      socket.destroy(new Error(`HAProxy did not answer "${command}" in 5 s`)),
    );
    socket.on('data', chunk => (answer += chunk));
    socket.once('end', () => resolve(answer));
    socket.once('error', reject);
    // Without "prompt" the runtime API answers one command and closes.
    socket.end(`${command}\n`);
  });
}

/** Starts HAProxy in front of `upstreams` and resolves once it listens. */
export async function startHaproxy(
  options: HaproxyOptions,
): Promise<LoadBalancer> {
  const origins: Record<string, string> = {};
  const servers = options.upstreams.map((origin, index) => {
    const port = loopbackPort(origin);
    const name = `replica${index}`;
    origins[name] = `http://127.0.0.1:${port}`;
    return { name, port };
  });
  const binary = haproxyBinary();
  const dir = await mkdtemp(join(tmpdir(), 'replica-haproxy-'));
  const runtimeSocket = join(dir, 'runtime.sock');
  const configFile = join(dir, 'haproxy.cfg');

  // Another process may take the free port between the probe and HAProxy's bind: try again.
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await findFreePort();
    const config = haproxyConfig({
      port,
      servers,
      runtimeSocket,
      readinessPath: options.readinessPath ?? BACKSTAGE_READINESS_PATH,
      checkIntervalMs: options.checkIntervalMs ?? 200,
    });
    await writeFile(configFile, config);
    const started = await launch(binary, configFile, runtimeSocket);
    if ('error' in started) {
      lastError = started.error;
      if (/cannot bind socket/i.test(started.error.message)) continue;
      break;
    }
    return loadBalancer(started.child, started.output, {
      port,
      config,
      dir,
      runtimeSocket,
      origins,
    });
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError ?? new Error('HAProxy did not start');
}

type Launched =
  | { child: ChildProcess; output: () => string }
  | { error: Error };

/** Runs HAProxy in the foreground (`-db`) and waits until its runtime API answers. */
async function launch(
  binary: string,
  configFile: string,
  runtimeSocket: string,
): Promise<Launched> {
  const child = spawn(binary, ['-db', '-f', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  let exited: string | undefined;
  // `close`, not `exit`: by then its output is complete, for the error message.
  child.once('close', (code, signal) => (exited = signal ?? `code ${code}`));
  child.once('error', error => (exited = error.message));

  const outputSoFar = () => output;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !exited) {
    try {
      // The listeners are bound before HAProxy serves its runtime API.
      await runtimeCommand(runtimeSocket, 'show info');
      return { child, output: outputSoFar };
    } catch {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }
  if (!exited) child.kill('SIGKILL');
  return {
    error: new Error(
      `HAProxy ${
        exited ? `exited (${exited})` : 'did not answer within 10 s'
      }:\n${output}`,
    ),
  };
}

function loadBalancer(
  child: ChildProcess,
  output: () => string,
  setup: {
    port: number;
    config: string;
    dir: string;
    runtimeSocket: string;
    origins: Record<string, string>;
  },
): LoadBalancer {
  const { origins, runtimeSocket } = setup;
  // A test process that exits without close() must not leave HAProxy behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const runtime = (command: string) => runtimeCommand(runtimeSocket, command);
  const rows = async () => parseStatCsv(await runtime('show stat'));
  const servers = async () => serversFromStats(await rows(), origins);

  return {
    url: `http://localhost:${setup.port}`,
    port: setup.port,
    config: setup.config,
    servers,
    async waitUntilAllReady(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const notReady = (await servers()).filter(
          server => server.status !== 'UP' || server.lastCheck !== 'L7OK',
        );
        if (notReady.length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(
            `HAProxy did not have every replica up within ${timeoutMs} ms: ${notReady
              .map(s => `${s.origin} ${s.status} (last check ${s.lastCheck})`)
              .join(', ')}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    },
    stats: async () => statsFromRows(await rows(), origins),
    async resetStats() {
      const answer = (await runtime('clear counters all')).trim();
      if (answer) {
        throw new Error(`HAProxy refused "clear counters all": ${answer}`);
      }
    },
    runtime,
    output,
    async close() {
      process.removeListener('exit', killOnExit);
      child.kill('SIGTERM');
      const forceKill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(forceKill);
      await rm(setup.dir, { recursive: true, force: true });
    },
  };
}
