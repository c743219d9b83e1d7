import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse } from 'yaml';
import { EXPORTED_METRICS, METRICS_ENDPOINT } from '../src/exportedMetrics.ts';
import {
  findOne,
  parseManifests,
  renderKustomization,
  type Manifest,
} from '../src/manifests.ts';
import {
  alertProblems,
  dashboardDatasourceProblems,
  dashboardFile,
  dashboardQueries,
  GRAFANA_SIDECAR_LABEL,
  githubAnchor,
  headingAnchors,
  monitoringDir,
  operationsGuidePath,
  queryProblems,
  readDashboard,
  runbookBase,
  serviceMonitorProblems,
  type Dashboard,
  type Problem,
} from '../src/monitoring.ts';
import { parsePromQL } from '../src/promql.ts';
import { guidePath, kubernetesDir, repoRoot } from '../src/repository.ts';
import { schemaErrors } from '../src/schemaValidation.ts';

type PrometheusRule = Manifest & IPrometheusRule;

const production = renderKustomization(
  join(kubernetesDir, 'overlays/production'),
);
const base = renderKustomization(join(kubernetesDir, 'base'));
const operationsGuide = readFileSync(
  join(repoRoot, operationsGuidePath),
  'utf8',
);
const guide = {
  base: runbookBase(),
  anchors: headingAnchors(operationsGuide),
};
const describeProblems = (problems: Problem[]) =>
  problems.map(problem => `${problem.where}: ${problem.message}`);

const rule = () => findOne(production, 'PrometheusRule') as PrometheusRule;
const alerts = () =>
  (rule().spec?.groups ?? []).flatMap(group =>
    (group.rules ?? []).filter(entry => entry.alert),
  );

describe('the monitoring component', () => {
  test('the production overlay includes it: ServiceMonitor, PrometheusRule, dashboard ConfigMap', () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'ConfigMap']) {
      assert.equal(
        production.filter(manifest => manifest.kind === kind).length,
        1,
        kind,
      );
    }
  });

  test('the base leaves it out, so that a cluster without the Prometheus Operator can apply it', () => {
    assert.deepEqual(
      base
        .filter(manifest =>
          ['ServiceMonitor', 'PrometheusRule', 'ConfigMap'].includes(
            manifest.kind,
          ),
        )
        .map(manifest => manifest.kind),
      [],
    );
  });

  test('the ServiceMonitor and the PrometheusRule match their CRD schemas', () => {
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
      assert.deepEqual(schemaErrors(findOne(production, kind)), [], kind);
    }
  });

  test('the dashboard ConfigMap carries the Grafana sidecar label and the dashboard file as it is', () => {
    const configMap = findOne(production, 'ConfigMap') as Manifest & {
      data: Record<string, string>;
    };
    for (const [key, value] of Object.entries(GRAFANA_SIDECAR_LABEL)) {
      assert.equal(configMap.metadata.labels?.[key], value, key);
    }
    assert.equal(
      configMap.data[dashboardFile],
      readFileSync(join(monitoringDir, dashboardFile), 'utf8'),
    );
  });
});

describe('the metrics port', () => {
  for (const [name, manifests] of [
    ['base', base],
    ['production', production],
  ] as const) {
    test(`${name}: the backend container and the Service have a port "${METRICS_ENDPOINT.portName}" (${METRICS_ENDPOINT.port})`, () => {
      const deployment = findOne(manifests, 'Deployment') as Manifest &
        IDeployment;
      const container = deployment.spec!.template.spec!.containers[0];
      assert.ok(
        container.ports?.some(
          port =>
            port.name === METRICS_ENDPOINT.portName &&
            port.containerPort === METRICS_ENDPOINT.port,
        ),
        'container port',
      );
      const service = findOne(manifests, 'Service') as Manifest & IService;
      const port = service.spec?.ports?.find(
        candidate => candidate.name === METRICS_ENDPOINT.portName,
      );
      assert.ok(port, 'Service port');
      assert.equal(port.targetPort, METRICS_ENDPOINT.portName);
    });
  }

  test('the Ingresses do not send people to the metrics port', () => {
    for (const ingress of production.filter(m => m.kind === 'Ingress')) {
      assert.ok(
        !JSON.stringify(ingress.spec).includes(METRICS_ENDPOINT.portName),
        ingress.metadata.name,
      );
    }
  });
});

describe('the ServiceMonitor', () => {
  test("selects the Service by its labels and scrapes the backend's metrics port and path", () => {
    assert.deepEqual(describeProblems(serviceMonitorProblems(production)), []);
  });

  const mutations: {
    what: string;
    names: string;
    mutate: (manifests: Manifest[]) => void;
  }[] = [
    {
      what: 'a selector the Service does not match',
      names: 'does not match the labels',
      mutate: manifests => {
        (
          findOne(manifests, 'ServiceMonitor').spec as {
            selector: { matchLabels: Record<string, string> };
          }
        ).selector.matchLabels['app.kubernetes.io/name'] = 'backstage-app';
      },
    },
    {
      what: 'a port name the Service does not have',
      names: 'scrapes the port "http-metrics"',
      mutate: manifests => {
        (
          findOne(manifests, 'ServiceMonitor').spec as {
            endpoints: { port: string }[];
          }
        ).endpoints[0].port = 'http-metrics';
      },
    },
    {
      what: 'scraping the app port',
      names: 'leads to container port 7007',
      mutate: manifests => {
        (
          findOne(manifests, 'ServiceMonitor').spec as {
            endpoints: { port: string }[];
          }
        ).endpoints[0].port = 'http';
      },
    },
    {
      what: 'a misspelt field',
      names: 'has the field "honorLabel"',
      mutate: manifests => {
        const endpoint = (
          findOne(manifests, 'ServiceMonitor').spec as {
            endpoints: Record<string, unknown>[];
          }
        ).endpoints[0];
        endpoint.honorLabel = endpoint.honorLabels;
        delete endpoint.honorLabels;
      },
    },
    {
      what: 'another path',
      names: 'scrapes the path /metric,',
      mutate: manifests => {
        (
          findOne(manifests, 'ServiceMonitor').spec as {
            endpoints: { path: string }[];
          }
        ).endpoints[0].path = '/metric';
      },
    },
  ];
  for (const mutation of mutations) {
    test(`${mutation.what} is caught`, () => {
      const copy = structuredClone(production);
      mutation.mutate(copy);
      const problems = describeProblems(serviceMonitorProblems(copy));
      assert.ok(
        problems.some(problem => problem.includes(mutation.names)),
        `expected a problem naming ${mutation.names}, got ${JSON.stringify(
          problems,
        )}`,
      );
    });
  }

  test('the schema check rejects an interval that is not a duration', () => {
    const broken = structuredClone(findOne(production, 'ServiceMonitor'));
    (
      broken.spec as { endpoints: { interval: string }[] }
    ).endpoints[0].interval = '30 seconds';
    assert.match(
      schemaErrors(broken).join('\n'),
      /interval must match pattern/,
    );
  });
});

describe('the PrometheusRule', () => {
  test('has the alerts the issue asks for: unavailable refreshes, sign-in refusals, ingestion, scraping', () => {
    const exprs = alerts().map(entry => String(entry.expr));
    const selects = (series: string, matcher: RegExp) =>
      exprs.some(expr => expr.includes(series) && matcher.test(expr));
    assert.ok(
      selects('auth0_refreshes_total', /outcome="unavailable"/),
      'refreshes answered "unavailable"',
    );
    assert.ok(
      selects('auth0_sign_ins_total', /outcome="refused"/),
      'sign-in refusals',
    );
    assert.ok(
      selects('auth0_catalog_ingestion_runs_total', /outcome="failure"/),
      'failed ingestion runs',
    );
    assert.ok(
      selects(
        'auth0_catalog_ingestion_last_success_timestamp_seconds',
        /time\(\)/,
      ),
      'no successful ingestion for a while',
    );
    assert.ok(selects('up', /absent\(up/), 'nothing scraped');
  });

  test('every expression parses, selects only exported metrics, and every alert has severity, for, summary, description and a runbook section', () => {
    assert.deepEqual(describeProblems(alertProblems(rule(), guide)), []);
  });

  test(`every alert has a section of ${operationsGuidePath} named after it`, () => {
    for (const entry of alerts()) {
      assert.ok(
        guide.anchors.has(githubAnchor(entry.alert!)),
        `${operationsGuidePath} has a heading "${entry.alert}"`,
      );
    }
  });

  const mutations: {
    what: string;
    names: string;
    mutate: (rule: PrometheusRule) => void;
  }[] = [
    {
      what: 'a misspelt metric',
      names: 'selects auth0_refresh_total, which the backend does not export',
      mutate: broken => {
        const entry = broken.spec!.groups![1].rules![0];
        entry.expr = String(entry.expr).replace(
          /auth0_refreshes_total/g,
          'auth0_refresh_total',
        );
      },
    },
    {
      what: 'a histogram without its suffix',
      names: 'selects auth0_refresh_duration_seconds,',
      mutate: broken => {
        const entry = broken
          .spec!.groups!.flatMap(group => group.rules!)
          .find(candidate => candidate.alert === 'Auth0RefreshSlow')!;
        entry.expr = String(entry.expr).replace(
          'auth0_refresh_duration_seconds_bucket',
          'auth0_refresh_duration_seconds',
        );
      },
    },
    {
      what: 'a label the metric does not have',
      names: 'on the label "result"',
      mutate: broken => {
        const entry = broken.spec!.groups![1].rules![0];
        entry.expr = String(entry.expr).replace('outcome=', 'result=');
      },
    },
    {
      what: 'an expression that does not parse',
      names: 'is not valid PromQL',
      mutate: broken => {
        const entry = broken.spec!.groups![1].rules![0];
        entry.expr = `${String(entry.expr)} )`;
      },
    },
    {
      what: 'a runbook section that does not exist',
      names: 'a heading docs/operations.md does not have',
      mutate: broken => {
        broken.spec!.groups![0].rules![0].annotations!.runbook_url += '-gone';
      },
    },
    {
      what: 'an alert without a summary',
      names: 'has no summary annotation',
      mutate: broken => {
        delete broken.spec!.groups![0].rules![0].annotations!.summary;
      },
    },
    {
      what: 'a misspelt field of a rule',
      names: 'has the field "annotation"',
      mutate: broken => {
        const entry = broken.spec!.groups![0].rules![0] as unknown as Record<
          string,
          unknown
        >;
        entry.annotation = entry.annotations;
        delete entry.annotations;
      },
    },
  ];
  for (const mutation of mutations) {
    test(`${mutation.what} is caught`, () => {
      const broken = structuredClone(rule());
      mutation.mutate(broken);
      const problems = describeProblems(alertProblems(broken, guide));
      assert.ok(
        problems.some(problem => problem.includes(mutation.names)),
        `expected a problem naming ${mutation.names}, got ${JSON.stringify(
          problems,
        )}`,
      );
    });
  }

  test('the schema check rejects a "for" that is not a duration', () => {
    const broken = structuredClone(rule());
    broken.spec!.groups![0].rules![0].for = '10 minutes';
    assert.match(schemaErrors(broken).join('\n'), /for must match pattern/);
  });

  test('the schema check rejects a rule without expr', () => {
    const broken = structuredClone(rule());
    delete (broken.spec!.groups![0].rules![0] as { expr?: unknown }).expr;
    assert.match(
      schemaErrors(broken).join('\n'),
      /must have required property expr/,
    );
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = readDashboard();

  test('every query parses and selects only metrics the backend exports', () => {
    const queries = dashboardQueries(dashboard);
    assert.ok(queries.length >= 10, `${queries.length} queries`);
    assert.deepEqual(
      describeProblems(
        queries.flatMap(query => queryProblems(query.expr, query.where)),
      ),
      [],
    );
  });

  test('shows every exported metric', () => {
    const selected = new Set(
      dashboardQueries(dashboard).flatMap(query =>
        parsePromQL(
          query.expr.replace(/\$__rate_interval/g, '5m'),
        ).selections.map(selection =>
          selection.series.replace(/_(bucket|sum|count)$/, ''),
        ),
      ),
    );
    for (const metric of EXPORTED_METRICS) {
      assert.ok(selected.has(metric.name), metric.name);
    }
  });

  test('reads Prometheus through a templated datasource variable', () => {
    assert.deepEqual(
      describeProblems(dashboardDatasourceProblems(dashboard)),
      [],
    );
  });

  test('refresh latency shows p50, p95 and p99 from the histogram', () => {
    const quantiles = dashboardQueries(dashboard)
      .filter(query =>
        query.expr.includes('auth0_refresh_duration_seconds_bucket'),
      )
      .map(query => /histogram_quantile\((0\.\d+)/.exec(query.expr)?.[1]);
    assert.deepEqual(quantiles.sort(), ['0.5', '0.95', '0.99']);
  });

  const mutations: {
    what: string;
    names: string;
    mutate: (dashboard: Dashboard) => void;
    check?: (dashboard: Dashboard) => Problem[];
  }[] = [
    {
      what: 'a misspelt metric in a panel',
      names: 'selects auth0_sign_in_total, which the backend does not export',
      mutate: broken => {
        const text = JSON.stringify(broken).replace(
          /auth0_sign_ins_total/,
          'auth0_sign_in_total',
        );
        Object.assign(broken, JSON.parse(text));
      },
    },
    {
      what: 'a misspelt metric in the namespace variable',
      names: 'variable "namespace": selects upp',
      mutate: broken => {
        const variable = broken.templating!.list!.find(
          entry => entry.name === 'namespace',
        )!;
        variable.query = { query: 'label_values(upp, namespace)' };
      },
    },
    {
      what: 'a Grafana variable PromQL does not know',
      names: 'is not valid PromQL',
      mutate: broken => {
        const text = JSON.stringify(broken).replace(
          '$__rate_interval',
          '$window',
        );
        Object.assign(broken, JSON.parse(text));
      },
    },
    {
      what: 'a panel with a fixed datasource',
      names: 'not a templated Prometheus datasource variable',
      mutate: broken => {
        const panel = broken.panels!.find(entry => entry.type !== 'row')!;
        panel.datasource = { type: 'prometheus', uid: 'prod-prometheus' };
      },
      check: dashboardDatasourceProblems,
    },
  ];
  for (const mutation of mutations) {
    test(`${mutation.what} is caught`, () => {
      const broken = structuredClone(dashboard);
      mutation.mutate(broken);
      const problems = describeProblems(
        mutation.check
          ? mutation.check(broken)
          : dashboardQueries(broken).flatMap(query =>
              queryProblems(query.expr, query.where),
            ),
      );
      assert.ok(
        problems.some(problem => problem.includes(mutation.names)),
        `expected a problem naming ${mutation.names}, got ${JSON.stringify(
          problems,
        )}`,
      );
    });
  }
});

describe('the PromQL check', () => {
  test('accepts a valid query on exported metrics', () => {
    assert.deepEqual(
      queryProblems(
        'sum by (endpoint) (rate(auth0_upstream_requests_total{status_class="5xx"}[5m]))',
        'q',
      ),
      [],
    );
  });

  test('rejects an unclosed call', () => {
    assert.match(
      describeProblems(
        queryProblems('rate(auth0_refreshes_total[5m]', 'q'),
      ).join('\n'),
      /is not valid PromQL/,
    );
  });

  test('rejects grouping by a label no selected series has', () => {
    assert.match(
      describeProblems(
        queryProblems(
          'sum by (provider) (rate(auth0_refreshes_total[5m]))',
          'q',
        ),
      ).join('\n'),
      /groups by the label "provider"/,
    );
  });

  test('rejects a selector without a metric name', () => {
    assert.match(
      describeProblems(queryProblems('{job="backstage"}', 'q')).join('\n'),
      /without a metric name/,
    );
  });
});

describe('the operations guide and the deployment guide', () => {
  test(`${operationsGuidePath} names every exported metric and the metrics port and path`, () => {
    for (const metric of EXPORTED_METRICS) {
      assert.ok(
        operationsGuide.includes(`\`${metric.name}\``),
        `${operationsGuidePath} names \`${metric.name}\``,
      );
    }
    assert.ok(operationsGuide.includes(String(METRICS_ENDPOINT.port)));
    assert.ok(operationsGuide.includes(METRICS_ENDPOINT.path));
  });

  test(`${operationsGuidePath} states each alert's threshold as the rule has it`, () => {
    const text = readFileSync(
      join(monitoringDir, 'prometheusrule.yaml'),
      'utf8',
    );
    const inFile = parseManifests(
      text,
      'prometheusrule.yaml',
    )[0] as PrometheusRule;
    for (const entry of inFile.spec!.groups!.flatMap(group => group.rules!)) {
      if (!entry.alert) continue;
      const section = operationsGuide
        .split(/^#+ /m)
        .find(part => part.startsWith(`${entry.alert}\n`));
      assert.ok(section, `a section ${entry.alert}`);
      assert.ok(
        section.includes(`\`${entry.for}\``),
        `the section ${entry.alert} gives its "for" (\`${entry.for}\`)`,
      );
    }
  });

  test(`every link of ${operationsGuidePath} to a section of a doc leads to a heading it has`, () => {
    const links = [
      ...operationsGuide.matchAll(/\]\(([\w.-]*\.md)?#([^)\s]+)\)/g),
    ];
    assert.ok(links.length > 10, `${links.length} links`);
    for (const [link, file, anchor] of links) {
      const target = file
        ? readFileSync(join(repoRoot, 'docs', file), 'utf8')
        : operationsGuide;
      assert.ok(headingAnchors(target).has(anchor), link);
    }
  });

  test(`${guidePath} points to ${operationsGuidePath}`, () => {
    const deploymentGuide = readFileSync(join(repoRoot, guidePath), 'utf8');
    assert.ok(deploymentGuide.includes('operations.md'));
  });

  test('the site.yaml keys for Prometheus are documented with their meaning', () => {
    const site = parse(
      readFileSync(
        join(kubernetesDir, 'overlays/production/site.yaml'),
        'utf8',
      ),
    ) as { data: Record<string, string> };
    for (const key of ['monitoringNamespace', 'prometheusName']) {
      assert.ok(key in site.data, `site.yaml has ${key}`);
      assert.ok(
        operationsGuide.includes(`\`${key}\``),
        `${operationsGuidePath} names \`${key}\``,
      );
    }
  });
});
