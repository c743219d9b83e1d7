import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { resolve as resolvePath } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { waitFor } from '../load';

// Where a refresh's time goes inside the replica: the spans this repo's Auth0 module opens
// around each part of a refresh (`auth0.refresh` and its children), exported by the replicas'
// OpenTelemetry SDK (packages/backend/src/instrumentation.js) as OTLP/HTTP JSON to a small
// receiver in the benchmark process. Upstream's module opens no spans.

/** The module's span around its whole refresh handling. */
export const REFRESH_SPAN = 'auth0.refresh';
/**
 * The spans under it, in the order of a refresh (the module's tracing.ts says what each
 * covers); spans of other names under it are kept too, after these.
 */
export const REFRESH_STEPS = [
  'auth0.refresh.cookie',
  'auth0.refresh.coordination',
  'auth0.refresh.token_request',
  'auth0.refresh.id_token_verify',
  'auth0.refresh.identity_cache',
  'auth0.refresh.resolve',
  'auth0.refresh.ownership',
  'auth0.refresh.issue_token',
] as const;
export const COORDINATION_SPAN = 'auth0.refresh.coordination';
/** The attribute of a coordination span that names its database round trip. */
export const DB_STEP_ATTRIBUTE = 'auth0.db.step';

/** One span as an OTLP/JSON export carries it, reduced to what the breakdown reads. */
export type SpanRecord = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** Unix time, ms. */
  startMs: number;
  durationMs: number;
  attributes: Record<string, string | number | boolean>;
};

/** Time and count of the spans of one name (or one database step) within one refresh. */
export type StepTime = { ms: number; count: number };

/** One refresh as its spans tell it. */
export type RefreshSpans = {
  /** The `auth0.refresh` span, ms. */
  totalMs: number;
  /**
   * How much of `totalMs` its direct children cover, ms: each clipped to it (a `store` may
   * end after the response) and overlaps counted once. The rest is in no child span.
   */
  coveredMs: number;
  /** Every span under it by name, durations added up. */
  steps: Record<string, StepTime>;
  /** Coordination spans by their `auth0.db.step`. */
  dbSteps: Record<string, StepTime>;
  /**
   * Span names found under another child rather than under `auth0.refresh` itself, with that
   * child's name: their time is inside it, not beside it.
   */
  nestedIn?: Record<string, string>;
};

type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
};
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: Array<{ key: string; value: OtlpValue }>;
};
type OtlpExport = {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
};

const nanosToMs = (nanos: string | number) => Number(nanos) / 1e6;

function attributeValue(value: OtlpValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return JSON.stringify(value);
}

/** The spans of an OTLP/HTTP JSON trace export (`ExportTraceServiceRequest`). */
export function parseOtlpJson(body: OtlpExport): SpanRecord[] {
  return (body.resourceSpans ?? []).flatMap(resource =>
    (resource.scopeSpans ?? []).flatMap(scope =>
      (scope.spans ?? []).map(span => {
        const startMs = nanosToMs(span.startTimeUnixNano);
        return {
          traceId: span.traceId,
          spanId: span.spanId,
          ...(span.parentSpanId && { parentSpanId: span.parentSpanId }),
          name: span.name,
          startMs,
          durationMs: nanosToMs(span.endTimeUnixNano) - startMs,
          attributes: Object.fromEntries(
            (span.attributes ?? []).map(({ key, value }) => [
              key,
              attributeValue(value),
            ]),
          ),
        };
      }),
    ),
  );
}

const add = (record: Record<string, StepTime>, key: string, ms: number) => {
  const entry = (record[key] ??= { ms: 0, count: 0 });
  entry.ms += ms;
  entry.count += 1;
};

/** How much of `span` the `parts` cover, ms: clipped to it, overlaps counted once. */
export function coveredWithin(span: SpanRecord, parts: SpanRecord[]): number {
  const end = span.startMs + span.durationMs;
  const intervals = parts
    .map(part => [
      Math.max(part.startMs, span.startMs),
      Math.min(part.startMs + part.durationMs, end),
    ])
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reached = span.startMs;
  for (const [from, to] of intervals) {
    if (to <= reached) continue;
    covered += to - Math.max(from, reached);
    reached = to;
  }
  return covered;
}

/**
 * The refreshes whose `auth0.refresh` span started within [fromMs, toMs] (Unix ms), each with
 * the spans under it, in the order they started.
 */
export function refreshesBetween(
  spans: SpanRecord[],
  fromMs: number,
  toMs: number,
): RefreshSpans[] {
  const children = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    if (!span.parentSpanId) continue;
    const key = `${span.traceId}/${span.parentSpanId}`;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const childrenOf = (span: SpanRecord) =>
    children.get(`${span.traceId}/${span.spanId}`) ?? [];

  return spans
    .filter(
      span =>
        span.name === REFRESH_SPAN &&
        span.startMs >= fromMs &&
        span.startMs <= toMs,
    )
    .sort((a, b) => a.startMs - b.startMs)
    .map(root => {
      const steps: Record<string, StepTime> = {};
      const dbSteps: Record<string, StepTime> = {};
      const nestedIn: Record<string, string> = {};
      const visit = (span: SpanRecord) => {
        for (const child of childrenOf(span)) {
          add(steps, child.name, child.durationMs);
          if (span !== root) nestedIn[child.name] = span.name;
          if (child.name === COORDINATION_SPAN) {
            add(
              dbSteps,
              String(child.attributes[DB_STEP_ATTRIBUTE] ?? 'unnamed'),
              child.durationMs,
            );
          }
          visit(child);
        }
      };
      visit(root);
      return {
        totalMs: root.durationMs,
        coveredMs: coveredWithin(root, childrenOf(root)),
        steps,
        dbSteps,
        ...(Object.keys(nestedIn).length > 0 && { nestedIn }),
      };
    });
}

/** The benchmark's OTLP/HTTP JSON receiver: keeps every span the replicas export. */
export type SpanReceiver = {
  /** What OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set to. */
  url: string;
  spans(): SpanRecord[];
  /**
   * The refreshes that started in [fromMs, toMs], once `expected` of them have arrived or
   * `timeoutMs` passed (the replicas export in batches; a module without spans sends none).
   */
  refreshes(
    fromMs: number,
    toMs: number,
    expected: number,
    timeoutMs: number,
  ): Promise<RefreshSpans[]>;
  close(): Promise<void>;
};

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip'
    ? gunzipSync(body)
    : body;
}

/** Starts the receiver on a free port of 127.0.0.1. */
export async function startSpanReceiver(): Promise<SpanReceiver> {
  const received: SpanRecord[] = [];
  const server = createServer(async (request, response) => {
    try {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const body = await readBody(request);
      received.push(...parseOtlpJson(JSON.parse(body.toString('utf8'))));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } catch (error) {
      response
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: String(error) }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans: () => [...received],
    async refreshes(fromMs, toMs, expected, timeoutMs) {
      try {
        return await waitFor(
          `${expected} refreshes' spans`,
          async () => {
            const found = refreshesBetween(received, fromMs, toMs);
            return found.length >= expected ? found : undefined;
          },
          { timeoutMs, intervalMs: 50 },
        );
      } catch {
        return refreshesBetween(received, fromMs, toMs);
      }
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The replicas' environment for exporting their traces to `receiver`: the backend's own
 * OpenTelemetry setup (instrumentation.js, as production loads it), with OTLP/HTTP JSON
 * (sdk-node's @opentelemetry/exporter-trace-otlp-http) and short batches.
 */
export function traceExportEnvironment(
  receiver: Pick<SpanReceiver, 'url'>,
  prometheusPort: number,
): Record<string, string> {
  const instrumentation = resolvePath(
    resolvePackagePath('backend'),
    'src/instrumentation.js',
  );
  return {
    NODE_OPTIONS: `--require ${JSON.stringify(instrumentation)}`,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BSP_MAX_QUEUE_SIZE: '100000',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2000',
    // Both replicas get one environment: the second finds the port taken, says so once and
    // runs on without a /metrics endpoint, which the benchmark does not read.
    OTEL_EXPORTER_PROMETHEUS_PORT: String(prometheusPort),
  };
}
