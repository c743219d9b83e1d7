import { gzipSync } from 'node:zlib';
import { context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  coveredWithin,
  parseOtlpJson,
  RefreshSpans,
  refreshesBetween,
  SpanReceiver,
  startSpanReceiver,
  traceExportEnvironment,
} from './traces';

const round = (refresh: RefreshSpans) =>
  JSON.parse(
    JSON.stringify(refresh, (_key, value) =>
      typeof value === 'number' ? Math.round(value * 1000) / 1000 : value,
    ),
  );

describe('the span receiver', () => {
  let receiver: SpanReceiver;
  beforeEach(async () => {
    receiver = await startSpanReceiver();
  });
  afterEach(() => receiver.close());

  it('reads what the OpenTelemetry SDK exports as OTLP/HTTP JSON into one entry per refresh', async () => {
    // The spans as the SDK ends them, serialized as its OTLP/HTTP JSON exporter does (the
    // exporter itself imports node:http dynamically, which Jest cannot run).
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('test');
    const t0 = Date.now();
    const spanAt = (
      name: string,
      from: number,
      to: number,
      parent?: ReturnType<typeof tracer.startSpan>,
      attributes?: Record<string, string>,
    ) => {
      const span = tracer.startSpan(
        name,
        { startTime: t0 + from, attributes },
        parent ? trace.setSpan(context.active(), parent) : undefined,
      );
      return { span, end: () => span.end(t0 + to) };
    };

    const root = spanAt('auth0.refresh', 0, 20);
    const children = [
      spanAt('auth0.refresh.cookie', 0, 1, root.span),
      spanAt('auth0.refresh.coordination', 1, 3, root.span, {
        'auth0.db.step': 'claim',
      }),
      spanAt('auth0.refresh.token_request', 3, 13, root.span),
      spanAt('auth0.refresh.coordination', 13, 15, root.span, {
        'auth0.db.step': 'store',
      }),
      spanAt('auth0.refresh.resolve', 15, 17, root.span),
    ];
    const nested = spanAt('catalog.query', 15.5, 16.5, children[4].span);
    nested.end();
    children.forEach(child => child.end());
    root.end();
    // Another refresh later, outside the window asked for, and a span of something else.
    const later = spanAt('auth0.refresh', 1_000, 1_010);
    later.end();
    spanAt('catalog.refresh', 2, 4).end();
    await provider.forceFlush();
    const response = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans()),
    });
    expect(response.status).toBe(200);

    const [refresh, ...rest] = await receiver.refreshes(
      t0 - 1,
      t0 + 500,
      1,
      5_000,
    );
    expect(rest).toEqual([]);
    expect(round(refresh)).toEqual({
      totalMs: 20,
      coveredMs: 17,
      steps: {
        'auth0.refresh.cookie': { ms: 1, count: 1 },
        'auth0.refresh.coordination': { ms: 4, count: 2 },
        'auth0.refresh.token_request': { ms: 10, count: 1 },
        'auth0.refresh.resolve': { ms: 2, count: 1 },
        'catalog.query': { ms: 1, count: 1 },
      },
      dbSteps: {
        claim: { ms: 2, count: 1 },
        store: { ms: 2, count: 1 },
      },
      nestedIn: { 'catalog.query': 'auth0.refresh.resolve' },
    });
    expect(receiver.spans()).toHaveLength(9);
    await provider.shutdown();
  });

  it('gives what arrived when fewer refreshes than expected came by the deadline', async () => {
    const started = Date.now();
    expect(await receiver.refreshes(0, Date.now(), 1, 200)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('takes gzipped exports and refuses other paths', async () => {
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'aa',
                  spanId: '01',
                  name: 'auth0.refresh',
                  startTimeUnixNano: '1000000000',
                  endTimeUnixNano: 1_005_000_000,
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(receiver.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(JSON.stringify(body)),
    });
    expect(response.status).toBe(200);
    expect(receiver.spans()).toEqual(parseOtlpJson(body));
    expect(refreshesBetween(receiver.spans(), 1000, 1000)).toEqual([
      { totalMs: 5, coveredMs: 0, steps: {}, dbSteps: {} },
    ]);
    const elsewhere = await fetch(
      receiver.url.replace('/v1/traces', '/v1/metrics'),
      {
        method: 'POST',
        body: '{}',
      },
    );
    expect(elsewhere.status).toBe(404);
  });
});

describe('coveredWithin', () => {
  const span = (startMs: number, endMs: number) => ({
    traceId: 't',
    spanId: `${startMs}-${endMs}`,
    name: 'n',
    startMs,
    durationMs: endMs - startMs,
    attributes: {},
  });

  it('counts overlapping children once and clips those that end after the span', () => {
    // 0–4 and 2–6 overlap (6 ms), 8–9 (1 ms), 18–25 ends after the span (2 ms of it).
    expect(
      coveredWithin(span(0, 20), [
        span(2, 6),
        span(0, 4),
        span(8, 9),
        span(18, 25),
        span(3, 5),
      ]),
    ).toBe(9);
    expect(coveredWithin(span(0, 20), [span(25, 30)])).toBe(0);
  });
});

describe('parseOtlpJson', () => {
  it('reads attributes of every kind', () => {
    const [span] = parseOtlpJson({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 't',
                  spanId: 's',
                  parentSpanId: '',
                  name: 'n',
                  startTimeUnixNano: 2_000_000,
                  endTimeUnixNano: 5_000_000,
                  attributes: [
                    { key: 'a', value: { stringValue: 'x' } },
                    { key: 'b', value: { intValue: '3' } },
                    { key: 'c', value: { doubleValue: 1.5 } },
                    { key: 'd', value: { boolValue: false } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(span).toEqual({
      traceId: 't',
      spanId: 's',
      name: 'n',
      startMs: 2,
      durationMs: 3,
      attributes: { a: 'x', b: 3, c: 1.5, d: false },
    });
  });
});

describe('traceExportEnvironment', () => {
  it('loads the backend’s instrumentation and points OTLP/HTTP JSON at the receiver', () => {
    const env = traceExportEnvironment(
      { url: 'http://127.0.0.1:1/v1/traces' },
      9999,
    );
    expect(env.NODE_OPTIONS).toMatch(
      /^--require ".*packages\/backend\/src\/instrumentation\.js"$/,
    );
    expect(env).toMatchObject({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:1/v1/traces',
      OTEL_EXPORTER_PROMETHEUS_PORT: '9999',
    });
  });
});
