import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '@internal/test-harness';
import {
  haproxyBinary,
  haproxyConfig,
  LoadBalancer,
  parseStatCsv,
  serversFromStats,
  startHaproxy,
  statsFromRows,
} from './haproxy';
import { waitFor } from './load';

type FakeReplica = {
  name: string;
  origin: string;
  port: number;
  ready: boolean;
  /** Requests other than readiness checks, by path. */
  received: string[];
  server: Server;
  close(): Promise<void>;
};

/** A tiny HTTP server with Backstage's readiness path; `/hang` drops the connection. */
async function startFakeReplica(name: string, port = 0): Promise<FakeReplica> {
  const replica = { name, ready: true, received: [] } as unknown as FakeReplica;
  replica.server = createServer((req, res) => {
    if (req.url === '/.backstage/health/v1/readiness') {
      res.writeHead(replica.ready ? 200 : 503).end();
      return;
    }
    replica.received.push(req.url ?? '');
    if (req.url === '/hang') {
      req.socket.destroy();
      return;
    }
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      res.setHeader('set-cookie', [`a=${name}`, `b=${name}`]);
      res.end(
        JSON.stringify({
          name,
          method: req.method,
          body,
          forwarded: {
            for: req.headers['x-forwarded-for'],
            host: req.headers['x-forwarded-host'],
            proto: req.headers['x-forwarded-proto'],
          },
        }),
      );
    });
  });
  await new Promise<void>(resolve =>
    replica.server.listen(port, '127.0.0.1', resolve),
  );
  replica.port = (replica.server.address() as AddressInfo).port;
  replica.origin = `http://127.0.0.1:${replica.port}`;
  replica.close = () =>
    new Promise(resolve => {
      replica.server.closeAllConnections();
      replica.server.close(() => resolve());
    });
  return replica;
}

const CONFIG_OPTIONS = {
  port: 18080,
  servers: [
    { name: 'replica0', port: 7007 },
    { name: 'replica1', port: 7008 },
  ],
  runtimeSocket: '/tmp/replica-haproxy-x/runtime.sock',
  readinessPath: '/.backstage/health/v1/readiness',
  checkIntervalMs: 200,
};

describe('haproxyConfig', () => {
  const config = haproxyConfig(CONFIG_OPTIONS);

  it('balances round robin over the replicas on loopback, checked on their readiness', () => {
    expect(config).toContain('\n  bind 127.0.0.1:18080\n');
    expect(config).toContain('\n  balance roundrobin\n');
    expect(config).toContain(
      '\n  option httpchk GET /.backstage/health/v1/readiness\n  http-check expect status 200\n',
    );
    expect(config).toContain(
      '\n  server replica0 127.0.0.1:7007 check\n  server replica1 127.0.0.1:7008 check\n',
    );
    expect(config).toContain(
      '\n  stats socket /tmp/replica-haproxy-x/runtime.sock mode 600 level admin\n',
    );
    // Nothing that would make the weights, and so the alternation, change.
    expect(config).not.toMatch(/slowstart|agent-check|weight/);
    // Refused connections only are retried, on another replica.
    expect(config).not.toContain('retry-on');
    expect(config).toContain('\n  option redispatch 1\n');
  });

  it('is a configuration HAProxy accepts, with its errors as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'haproxy-config-test-'));
    try {
      const file = join(dir, 'haproxy.cfg');
      await writeFile(
        file,
        haproxyConfig({
          ...CONFIG_OPTIONS,
          runtimeSocket: join(dir, 'runtime.sock'),
        }),
      );
      const { stdout } = await promisify(execFile)(haproxyBinary(), [
        '-c',
        '-f',
        file,
      ]);
      expect(stdout).toContain('Configuration file is valid');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const errors = [
      ...config.matchAll(/http-error status (\d+) .* string (".*")$/gm),
    ];
    expect(errors.map(([, status]) => status)).toEqual(['502', '503', '504']);
    const body503 = JSON.parse(JSON.parse(errors[1][2]));
    expect(body503).toEqual({
      error: { name: 'NoReadyUpstream', message: 'no replica is up (HAProxy)' },
      proxy: true,
    });
  });
});

describe('reading show stat', () => {
  // Columns of HAProxy 2.6's `show stat` that the wrapper reads (the real line has ~100).
  const csv = [
    '# pxname,svname,econ,eresp,wretr,wredis,status,check_status,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,',
    'replicas,FRONTEND,,,,,OPEN,,0,9,1,2,3,0,',
    'replicas,replica0,0,1,0,0,UP,L7OK,0,5,1,0,0,0,',
    'replicas,replica1,2,0,0,2,DOWN,* L4CON,0,4,0,2,0,0,',
    'replicas,BACKEND,2,1,0,2,UP,,0,9,1,2,3,0,',
    '',
  ].join('\n');
  const origins = {
    replica0: 'http://127.0.0.1:7007',
    replica1: 'http://127.0.0.1:7008',
  };

  it('parses the CSV by column name', () => {
    const rows = parseStatCsv(csv);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatchObject({
      pxname: 'replicas',
      svname: 'replica0',
      hrsp_2xx: '5',
      status: 'UP',
    });
    expect(() => parseStatCsv('Unknown command.\n')).toThrow(
      "not HAProxy's stats CSV",
    );
  });

  it('counts the responses of each replica and those HAProxy wrote itself', () => {
    expect(statsFromRows(parseStatCsv(csv), origins)).toEqual({
      answeredBy: { 'http://127.0.0.1:7007': 6, 'http://127.0.0.1:7008': 6 },
      retriedAfterRefusal: 2,
      failedInFlight: 1,
      // 15 responses to clients, 12 from the replicas.
      fromBalancer: 3,
    });
  });

  it('reports each replica with its state and last check', () => {
    expect(serversFromStats(parseStatCsv(csv), origins)).toEqual([
      {
        name: 'replica0',
        origin: 'http://127.0.0.1:7007',
        status: 'UP',
        lastCheck: 'L7OK',
      },
      {
        name: 'replica1',
        origin: 'http://127.0.0.1:7008',
        status: 'DOWN',
        lastCheck: 'L4CON',
      },
    ]);
  });
});

describe('startHaproxy', () => {
  let replicas: FakeReplica[];
  let balancer: LoadBalancer;

  beforeEach(async () => {
    replicas = [await startFakeReplica('a'), await startFakeReplica('b')];
    balancer = await startHaproxy({
      upstreams: replicas.map(replica => replica.origin),
      checkIntervalMs: 50,
    });
    await balancer.waitUntilAllReady(5_000);
  });

  afterEach(async () => {
    await balancer.close();
    await Promise.all(replicas.map(replica => replica.close()));
  });

  const call = async (path = '/x', init?: RequestInit) => {
    const response = await fetch(`${balancer.url}${path}`, init);
    return { response, body: await response.json() };
  };

  it('alternates between the replicas and passes bodies, every cookie and X-Forwarded-* through', async () => {
    const names = [];
    for (let i = 0; i < 4; i++) {
      const { response, body } = await call('/x', {
        method: 'POST',
        body: `n=${i}`,
      });
      expect(body).toMatchObject({ method: 'POST', body: `n=${i}` });
      expect(body.forwarded).toEqual({
        for: '127.0.0.1',
        host: `localhost:${balancer.port}`,
        proto: 'http',
      });
      expect(response.headers.getSetCookie()).toEqual([
        `a=${body.name}`,
        `b=${body.name}`,
      ]);
      names.push(body.name);
    }
    expect([names[0], names[1]].sort()).toEqual(['a', 'b']);
    expect(names).toEqual([names[0], names[1], names[0], names[1]]);
    expect((await balancer.stats()).answeredBy).toEqual({
      [replicas[0].origin]: 2,
      [replicas[1].origin]: 2,
    });
  });

  it('splits 10 concurrent requests 5 and 5, and counts from zero after resetStats', async () => {
    await call();
    await balancer.resetStats();
    expect(Object.values((await balancer.stats()).answeredBy)).toEqual([0, 0]);
    await Promise.all(Array.from({ length: 10 }, () => call()));
    expect(Object.values((await balancer.stats()).answeredBy)).toEqual([5, 5]);
  });

  it('sends nothing to a replica whose readiness check fails', async () => {
    replicas[0].ready = false;
    await waitFor(
      'HAProxy to take replica a out',
      async () =>
        (await balancer.servers())[0].status === 'DOWN' ? true : undefined,
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    const names = [];
    for (let i = 0; i < 3; i++) names.push((await call()).body.name);
    expect(names).toEqual(['b', 'b', 'b']);

    replicas[0].ready = true;
    await balancer.waitUntilAllReady(5_000);
    const after = [];
    for (let i = 0; i < 2; i++) after.push((await call()).body.name);
    expect(after.sort()).toEqual(['a', 'b']);
  });

  it('sends a request refused by one replica to the next, and takes a restarted one back', async () => {
    // Slow checks, so that the requests, not a check, find replica a gone.
    const slow = await startHaproxy({
      upstreams: replicas.map(replica => replica.origin),
      checkIntervalMs: 1_000,
    });
    try {
      await slow.waitUntilAllReady(5_000);
      const port = replicas[0].port;
      await replicas[0].close();
      const names = [];
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${slow.url}/x`);
        names.push((await response.json()).name);
      }
      expect(names).toEqual(['b', 'b', 'b']);
      const stats = await slow.stats();
      expect(stats.retriedAfterRefusal).toBeGreaterThanOrEqual(1);
      expect(stats.fromBalancer).toBe(0);

      replicas[0] = await startFakeReplica('a again', port);
      await slow.waitUntilAllReady(5_000);
      const after = [];
      for (let i = 0; i < 2; i++) {
        after.push((await (await fetch(`${slow.url}/x`)).json()).name);
      }
      expect(after.sort()).toEqual(['a again', 'b']);
    } finally {
      await slow.close();
    }
  });

  it('answers 502 without sending again a request that a replica received and dropped', async () => {
    const { response, body } = await call('/hang');
    expect(response.status).toBe(502);
    expect(body).toMatchObject({
      error: { name: 'UpstreamConnectionLost' },
      proxy: true,
    });
    expect(replicas.flatMap(replica => replica.received)).toEqual(['/hang']);
    const stats = await balancer.stats();
    expect(stats.failedInFlight).toBe(1);
    expect(stats.fromBalancer).toBe(1);
    expect(Object.values(stats.answeredBy)).toEqual([0, 0]);
  });

  it('answers 503 when no replica is up', async () => {
    replicas.forEach(replica => (replica.ready = false));
    await waitFor(
      'HAProxy to take both replicas out',
      async () =>
        (await balancer.servers()).every(server => server.status === 'DOWN')
          ? true
          : undefined,
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    const { response, body } = await call();
    expect(response.status).toBe(503);
    expect(body).toMatchObject({
      error: { name: 'NoReadyUpstream' },
      proxy: true,
    });
  });

  it('balances replicas on loopback only', async () => {
    await expect(
      startHaproxy({
        upstreams: [`http://192.0.2.1:${await findFreePort()}`],
      }),
    ).rejects.toThrow('HAProxy only balances http on loopback');
  });
});
