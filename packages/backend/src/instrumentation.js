// OpenTelemetry for the backend, Backstage's documented way (docs: "Setup OpenTelemetry"):
// loaded with `node --require` before anything else, because a plugin that asks for a meter
// before a MeterProvider is registered gets one that records nothing. The image's CMD and
// `yarn dev` load it; tests load it only where they read metrics.
//
// Metrics only, for Prometheus on http://<OTEL_EXPORTER_PROMETHEUS_HOST>:<OTEL_EXPORTER_PROMETHEUS_PORT>/metrics
// (localhost:9464 unless set; the image sets the host to 0.0.0.0). No auto-instrumentation:
// the Auth0 modules' metrics and Backstage's own (catalog, scheduler, …) need none. Traces
// and logs go nowhere unless OTEL_TRACES_EXPORTER or OTEL_LOGS_EXPORTER says where.
const { isMainThread } = require('node:worker_threads');

// Worker threads load --require files too; one exporter per process.
if (isMainThread) {
  const { NodeSDK } = require('@opentelemetry/sdk-node');
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');

  const host = process.env.OTEL_EXPORTER_PROMETHEUS_HOST || 'localhost';
  const portText = process.env.OTEL_EXPORTER_PROMETHEUS_PORT || '9464';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new Error(
      `OTEL_EXPORTER_PROMETHEUS_PORT is "${portText}", not a port number: set it to the port (1-65535) that Prometheus scrapes /metrics on, or unset it for 9464`,
    );
  }

  const exporter = new PrometheusExporter({ host, port }, error => {
    if (error) {
      // Metrics are not worth refusing sign-ins over: the backend runs on without them.
      console.error(
        `metrics: could not serve /metrics on ${host}:${port} (${
          error.code ?? error.message
        }), so this process exports no metrics. Free the port or set OTEL_EXPORTER_PROMETHEUS_PORT to another one.`,
      );
    }
  });

  new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ? undefined : 'backstage',
    metricReaders: [exporter],
    instrumentations: [],
    spanProcessors: process.env.OTEL_TRACES_EXPORTER ? undefined : [],
    logRecordProcessors: process.env.OTEL_LOGS_EXPORTER ? undefined : [],
  }).start();
}
