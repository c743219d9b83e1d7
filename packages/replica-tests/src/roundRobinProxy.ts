import {
  createServer,
  request as httpRequest,
  Agent,
  IncomingMessage,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';

/** One backend behind the proxy, as the proxy sees it. */
export type Upstream = {
  /** `http://127.0.0.1:<port>`: loopback only. */
  origin: string;
  /** Whether its readiness endpoint answered 200 at the last probe. */
  ready: boolean;
  /** Requests this upstream answered, whatever the status. */
  answered: number;
};

export type ProxyStats = {
  /** Requests forwarded and answered, per upstream origin. */
  answeredBy: Record<string, number>;
  /** Requests retried on another upstream because the first refused the connection. */
  retriedAfterRefusal: number;
  /** Requests that failed after they reached an upstream (answered 502 here). */
  failedInFlight: number;
  /** Requests that found no ready upstream (answered 503 here). */
  noUpstream: number;
};

export type RoundRobinProxy = {
  /** `http://localhost:<port>`, what browsers and callback URLs use. */
  url: string;
  port: number;
  upstreams(): Upstream[];
  /** Resolves once every upstream's readiness probe has answered 200. */
  waitUntilAllReady(timeoutMs?: number): Promise<void>;
  stats(): ProxyStats;
  resetStats(): void;
  close(): Promise<void>;
};

export type RoundRobinProxyOptions = {
  /** Upstream origins, e.g. `http://127.0.0.1:7007`; each must be a loopback address. */
  upstreams: string[];
  /** 0 (a free port) unless given. */
  port?: number;
  /** Probed on every upstream; a 200 puts it in the rotation. Backstage's readiness by default. */
  readinessPath?: string;
  probeIntervalMs?: number;
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_BODY_BYTES = 1024 * 1024;
/** Connection errors that prove the upstream never received the request. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EADDRNOTAVAIL']);

/**
 * A round-robin HTTP proxy on loopback, as a load balancer in front of replicas behaves:
 * an upstream enters the rotation when its readiness probe answers 200 and leaves it when
 * the probe fails or a connection to it is refused. A request whose connection was refused
 * is retried on the next upstream (it never reached the first one); a request that reached
 * an upstream and lost it is answered 502 and not retried, since it may have had effects.
 * The upstream list is fixed: a replica restarted on its port rejoins after its probe passes.
 */
export async function startRoundRobinProxy(
  options: RoundRobinProxyOptions,
): Promise<RoundRobinProxy> {
  const upstreams: Upstream[] = options.upstreams.map(origin => {
    const url = new URL(origin);
    if (!LOOPBACK_HOSTS.has(url.hostname) || url.protocol !== 'http:') {
      throw new Error(
        `the proxy only forwards to http on loopback, not to ${origin}`,
      );
    }
    return { origin: url.origin, ready: false, answered: 0 };
  });
  const readinessPath =
    options.readinessPath ?? '/.backstage/health/v1/readiness';
  const probeIntervalMs = options.probeIntervalMs ?? 200;
  // A fresh connection per request: a pooled socket to a replica that was just killed
  // would fail a request that never reached it, and loopback connections cost little.
  const agent = new Agent({ keepAlive: false });
  let next = 0;
  let stats = emptyStats();

  const pick = (exclude: Set<Upstream>) => {
    for (let i = 0; i < upstreams.length; i++) {
      const candidate = upstreams[(next + i) % upstreams.length];
      if (candidate.ready && !exclude.has(candidate)) {
        next = (next + i + 1) % upstreams.length;
        return candidate;
      }
    }
    return undefined;
  };

  const server = createServer(async (req, res) => {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      sendError(res, 413, 'RequestTooLarge', (error as Error).message);
      return;
    }
    const tried = new Set<Upstream>();
    for (;;) {
      const upstream = pick(tried);
      if (!upstream) {
        stats.noUpstream++;
        sendError(
          res,
          503,
          'NoReadyUpstream',
          `no replica is ready (tried ${tried.size} of ${upstreams.length})`,
        );
        return;
      }
      tried.add(upstream);
      const outcome = await forward(req, body, res, upstream, agent);
      if (outcome === 'abandoned') {
        return;
      }
      if (outcome === 'answered') {
        upstream.answered++;
        stats.answeredBy[upstream.origin] =
          (stats.answeredBy[upstream.origin] ?? 0) + 1;
        return;
      }
      upstream.ready = false;
      if (outcome === 'refused') {
        stats.retriedAfterRefusal++;
        continue;
      }
      stats.failedInFlight++;
      return;
    }
  });

  const probeAll = () =>
    Promise.all(
      upstreams.map(async upstream => {
        upstream.ready = await probe(
          `${upstream.origin}${readinessPath}`,
          agent,
        );
      }),
    );
  let probing = true;
  let probeTimer: NodeJS.Timeout | undefined;
  const probeLoop = async () => {
    await probeAll();
    if (probing) probeTimer = setTimeout(probeLoop, probeIntervalMs);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  await probeLoop();

  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    upstreams: () => upstreams.map(upstream => ({ ...upstream })),
    async waitUntilAllReady(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!upstreams.every(upstream => upstream.ready)) {
        if (Date.now() > deadline) {
          throw new Error(
            `not every upstream was ready within ${timeoutMs} ms: ${upstreams
              .filter(upstream => !upstream.ready)
              .map(upstream => upstream.origin)
              .join(', ')}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, probeIntervalMs));
      }
    },
    stats: () => ({ ...stats, answeredBy: { ...stats.answeredBy } }),
    resetStats() {
      stats = emptyStats();
    },
    async close() {
      probing = false;
      clearTimeout(probeTimer);
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function emptyStats(): ProxyStats {
  return {
    answeredBy: {},
    retriedAfterRefusal: 0,
    failedInFlight: 0,
    noUpstream: 0,
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new Error(`request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Sends one request to one upstream. `refused` means the upstream never got it, so another
 * may; `lost` means the connection failed after the request was sent or while the answer
 * was streaming, so the client was answered 502 (or its connection cut).
 */
function forward(
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  upstream: Upstream,
  agent: Agent,
): Promise<'answered' | 'refused' | 'lost' | 'abandoned'> {
  return new Promise(resolve => {
    const target = new URL(req.url ?? '/', upstream.origin);
    const forwardedFor = [
      req.headers['x-forwarded-for'],
      req.socket.remoteAddress,
    ]
      .filter(Boolean)
      .join(', ');
    const outgoing = httpRequest(
      target,
      {
        method: req.method,
        agent,
        headers: {
          ...req.headers,
          connection: 'close',
          'content-length': String(body.length),
          'x-forwarded-for': forwardedFor,
          'x-forwarded-host': req.headers.host ?? '',
          'x-forwarded-proto': 'http',
        },
      },
      incoming => {
        // The proxy's own connection to the client stays open; the upstream's closes.
        const headers = { ...incoming.headers };
        delete headers.connection;
        delete headers['keep-alive'];
        res.writeHead(incoming.statusCode ?? 502, headers);
        incoming.pipe(res);
        incoming.once('error', () => {
          res.destroy();
          resolve('lost');
        });
        incoming.once('end', () => resolve('answered'));
      },
    );
    // A client that goes away before its answer is complete leaves the upstream in the
    // rotation: the upstream did nothing wrong.
    res.once('close', () => {
      if (!res.writableFinished) {
        outgoing.destroy();
        resolve('abandoned');
      }
    });
    outgoing.once('error', (error: NodeJS.ErrnoException) => {
      if (res.destroyed && !res.headersSent) {
        return; // abandoned by the client, already settled
      }
      if (res.headersSent) {
        res.destroy();
        resolve('lost');
      } else if (error.code && NOT_CONNECTED.has(error.code)) {
        resolve('refused');
      } else {
        sendError(
          res,
          502,
          'UpstreamConnectionLost',
          `${upstream.origin} failed while handling the request (${
            error.code ?? error.message
          })`,
        );
        resolve('lost');
      }
    });
    outgoing.end(body);
  });
}

async function probe(url: string, agent: Agent): Promise<boolean> {
  return new Promise(resolve => {
    const outgoing = httpRequest(url, { agent, timeout: 2_000 }, incoming => {
      incoming.resume();
      resolve(incoming.statusCode === 200);
    });
    outgoing.once('timeout', () => outgoing.destroy());
    outgoing.once('error', () => resolve(false));
    outgoing.end();
  });
}

function sendError(
  res: ServerResponse,
  status: number,
  name: string,
  message: string,
) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { name, message }, proxy: true }));
}
