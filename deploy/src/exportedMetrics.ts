/**
 * The metrics the backend exports on its metrics port, through OpenTelemetry's Prometheus
 * exporter: the one list that the alerts and the dashboard in
 * deploy/kubernetes/components/monitoring may query (test/monitoring.test.ts checks them
 * against it). This list is written by hand: the backend's metrics test scrapes a running
 * backend and checks the real output against what deploy/kubernetes/components/monitoring
 * queries, so a metric renamed in the backend fails there, and a query that strays from this
 * list fails here.
 */

export type MetricType = 'counter' | 'histogram' | 'gauge';

export type ExportedMetric = {
  name: string;
  type: MetricType;
  /** The labels the backend sets, beside those OpenTelemetry adds (OTEL_LABELS). */
  labels: string[];
};

/** The port and path Prometheus scrapes; the container port and the Service port are named. */
export const METRICS_ENDPOINT = {
  portName: 'metrics',
  port: 9464,
  path: '/metrics',
};

export const EXPORTED_METRICS: ExportedMetric[] = [
  {
    name: 'auth0_sign_ins_total',
    type: 'counter',
    labels: ['outcome', 'reason'],
  },
  { name: 'auth0_refreshes_total', type: 'counter', labels: ['outcome'] },
  { name: 'auth0_refresh_duration_seconds', type: 'histogram', labels: [] },
  {
    name: 'auth0_upstream_requests_total',
    type: 'counter',
    labels: ['endpoint', 'status_class'],
  },
  {
    name: 'auth0_upstream_request_duration_seconds',
    type: 'histogram',
    labels: ['endpoint'],
  },
  {
    name: 'auth0_catalog_ingestion_runs_total',
    type: 'counter',
    labels: ['provider', 'outcome'],
  },
  {
    name: 'auth0_catalog_ingestion_duration_seconds',
    type: 'histogram',
    labels: ['provider'],
  },
  {
    name: 'auth0_catalog_ingestion_entities',
    type: 'gauge',
    labels: ['provider', 'kind'],
  },
  {
    name: 'auth0_catalog_ingestion_last_success_timestamp_seconds',
    type: 'gauge',
    labels: ['provider'],
  },
];

/** Labels OpenTelemetry's Prometheus exporter may add to every metric. */
export const OTEL_LABELS = ['otel_scope_name', 'otel_scope_version'];

/**
 * Series Prometheus itself records for every target, with the labels the Prometheus Operator
 * gives a ServiceMonitor's targets; queries may use these too.
 */
export const SCRAPE_SERIES = ['up'];
export const TARGET_LABELS = [
  'job',
  'instance',
  'namespace',
  'service',
  'pod',
  'container',
];

/** Every series name a query may select: histograms as their _bucket, _sum and _count. */
export function queryableSeries(): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  const add = (name: string, labels: string[]) =>
    series.set(name, new Set([...labels, ...OTEL_LABELS, ...TARGET_LABELS]));
  for (const metric of EXPORTED_METRICS) {
    if (metric.type === 'histogram') {
      add(`${metric.name}_bucket`, [...metric.labels, 'le']);
      add(`${metric.name}_sum`, metric.labels);
      add(`${metric.name}_count`, metric.labels);
    } else {
      add(metric.name, metric.labels);
    }
  }
  for (const name of SCRAPE_SERIES) add(name, []);
  return series;
}
