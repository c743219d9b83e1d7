import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { findFreePort } from '@internal/test-harness';
import { waitFor } from './load';
import { RoundRobinProxy, startRoundRobinProxy } from './roundRobinProxy';

type FakeReplica = {
  origin: string;
  port: number;
  ready: boolean;
  /** Answers a request to /hang by destroying its connection instead. */
  server: Server;
  close(): Promise<void>;
};

async function startFakeReplica(name: string, port = 0): Promise<FakeReplica> {
  const replica = { ready: true } as FakeReplica;
  replica.server = createServer((req, res) => {
    if (req.url === '/.backstage/health/v1/readiness') {
      res.writeHead(replica.ready ? 200 : 503).end();
    } else if (req.url === '/hang') {
      req.socket.destroy();
    } else {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        res.setHeader('set-cookie', [`a=${name}`, `b=${name}`]);
        res.end(JSON.stringify({ name, method: req.method, body }));
      });
    }
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

describe('startRoundRobinProxy', () => {
  let replicas: FakeReplica[];
  let proxy: RoundRobinProxy;

  beforeEach(async () => {
    replicas = [await startFakeReplica('a'), await startFakeReplica('b')];
    proxy = await startRoundRobinProxy({
      upstreams: replicas.map(replica => replica.origin),
      probeIntervalMs: 20,
    });
  });

  afterEach(async () => {
    await proxy.close();
    await Promise.all(replicas.map(replica => replica.close()));
  });

  const call = async (path = '/x', init?: RequestInit) => {
    const response = await fetch(`${proxy.url}${path}`, init);
    return { response, body: await response.json() };
  };

  it('alternates between ready upstreams and passes bodies and every cookie through', async () => {
    const names = [];
    for (let i = 0; i < 4; i++) {
      const { response, body } = await call('/x', {
        method: 'POST',
        body: `n=${i}`,
      });
      expect(body).toMatchObject({ method: 'POST', body: `n=${i}` });
      expect(response.headers.getSetCookie()).toEqual([
        `a=${body.name}`,
        `b=${body.name}`,
      ]);
      names.push(body.name);
    }
    expect(names).toEqual(['a', 'b', 'a', 'b']);
  });

  it('sends nothing to an upstream whose readiness probe fails', async () => {
    replicas[0].ready = false;
    await waitFor(
      'the proxy to see a not ready',
      async () => (proxy.upstreams()[0].ready ? undefined : true),
      { timeoutMs: 2_000, intervalMs: 10 },
    );
    const names = [];
    for (let i = 0; i < 3; i++) names.push((await call()).body.name);
    expect(names).toEqual(['b', 'b', 'b']);
  });

  it('retries on the next upstream when a connection is refused, and takes a restarted one back', async () => {
    const port = replicas[0].port;
    await replicas[0].close();
    const names = [];
    for (let i = 0; i < 3; i++) names.push((await call()).body.name);
    expect(names).toEqual(['b', 'b', 'b']);
    expect(proxy.stats().retriedAfterRefusal).toBeGreaterThanOrEqual(1);

    replicas[0] = await startFakeReplica('a again', port);
    await proxy.waitUntilAllReady(2_000);
    const after = [];
    for (let i = 0; i < 2; i++) after.push((await call()).body.name);
    expect(after.sort()).toEqual(['a again', 'b']);
  });

  it('answers 502 without retrying when an upstream drops a request it received', async () => {
    const { response, body } = await call('/hang');
    expect(response.status).toBe(502);
    expect(body.error.name).toBe('UpstreamConnectionLost');
    expect(proxy.stats().failedInFlight).toBe(1);
  });

  it('answers 503 when no upstream is ready', async () => {
    replicas.forEach(replica => (replica.ready = false));
    await waitFor(
      'the proxy to see none ready',
      async () =>
        proxy.upstreams().some(upstream => upstream.ready) ? undefined : true,
      { timeoutMs: 2_000, intervalMs: 10 },
    );
    const { response, body } = await call();
    expect(response.status).toBe(503);
    expect(body.error.name).toBe('NoReadyUpstream');
  });

  it('refuses upstreams off loopback', async () => {
    await expect(
      startRoundRobinProxy({
        upstreams: [`http://192.0.2.1:${await findFreePort()}`],
      }),
    ).rejects.toThrow('only forwards to http on loopback');
  });
});
