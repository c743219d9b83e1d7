import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  IPrometheusRule,
  IRule,
  IRuleGroup,
  IServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IEndpoint } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Endpoint';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import { Lexer, type Token } from 'marked';
import { METRICS_ENDPOINT, queryableSeries } from './exportedMetrics.ts';
import { findOne, type Manifest } from './manifests.ts';
import { parsePromQL, withGrafanaIntervals } from './promql.ts';
import { backendWorkload, kubernetesDir, repoRoot } from './repository.ts';

/** The kinds that the monitoring component adds to an overlay. */
export const MONITORING_KINDS = [
  'ConfigMap',
  'PrometheusRule',
  'ServiceMonitor',
];

export const monitoringDir = join(kubernetesDir, 'components', 'monitoring');
export const dashboardFile = 'grafana-dashboard.json';
export const operationsGuidePath = 'docs/operations.md';

/** The label that kube-prometheus-stack's Grafana sidecar loads dashboards by. */
export const GRAFANA_SIDECAR_LABEL = { grafana_dashboard: '1' };

/** Alert severities that Alertmanager routes in a usual setup; anything else goes nowhere. */
export const SEVERITIES = ['critical', 'warning'];

/**
 * The fields these objects use, each one a field of the Operator's API type (the `satisfies`
 * makes a field the type does not have a type error). The package's validators let any other
 * field through, and the API server's strict field validation would refuse it, so the tests
 * check that a manifest uses no field outside these lists: a misspelt `honorLabel` fails here,
 * not at `kubectl apply`.
 */
export const KNOWN_FIELDS = {
  endpoint: [
    'port',
    'path',
    'interval',
    'scrapeTimeout',
    'honorLabels',
    'relabelings',
    'metricRelabelings',
  ] satisfies (keyof IEndpoint)[],
  serviceMonitorSpec: [
    'selector',
    'endpoints',
    'namespaceSelector',
    'jobLabel',
  ] satisfies (keyof NonNullable<IServiceMonitor['spec']>)[],
  ruleGroup: ['name', 'rules', 'interval'] satisfies (keyof IRuleGroup)[],
  rule: [
    'alert',
    'expr',
    'for',
    'labels',
    'annotations',
    'record',
  ] satisfies (keyof IRule)[],
};

export type Problem = { where: string; message: string };

type ServiceMonitor = Manifest & IServiceMonitor;
type PrometheusRule = Manifest & IPrometheusRule;

/** Fields of `object` that are not in `known`, as problems at `where`. */
export function unknownFields(
  object: object,
  known: readonly string[],
  where: string,
): Problem[] {
  return Object.keys(object)
    .filter(key => !known.includes(key))
    .map(key => ({
      where,
      message: `has the field "${key}", which the Prometheus Operator's type does not declare (known here: ${known.join(
        ', ',
      )})`,
    }));
}

/**
 * What is wrong with a PromQL expression: it does not parse, or it selects a series or uses a
 * label that the backend does not export (exportedMetrics.ts).
 */
export function queryProblems(expression: string, where: string): Problem[] {
  const problems: Problem[] = [];
  const parsed = parsePromQL(withGrafanaIntervals(expression));
  for (const error of parsed.errors) {
    problems.push({
      where,
      message: `is not valid PromQL ${error}: ${expression}`,
    });
  }
  const known = queryableSeries();
  const usedLabels = new Set<string>();
  for (const selection of parsed.selections) {
    const labels = known.get(selection.series);
    if (!labels) {
      problems.push({
        where,
        message: `selects ${selection.series}, which the backend does not export (deploy/src/exportedMetrics.ts)`,
      });
      continue;
    }
    labels.forEach(label => usedLabels.add(label));
    for (const label of selection.labels) {
      if (!labels.has(label)) {
        problems.push({
          where,
          message: `matches ${selection.series} on the label "${label}", which it does not have`,
        });
      }
    }
  }
  for (const label of parsed.groupingLabels) {
    if (parsed.selections.length > 0 && !usedLabels.has(label)) {
      problems.push({
        where,
        message: `groups by the label "${label}", which none of the series it selects has`,
      });
    }
  }
  return problems;
}

/** A Grafana dashboard, as much of its JSON model as the checks read. */
export type Dashboard = {
  title?: string;
  uid?: string;
  panels?: Panel[];
  templating?: { list?: TemplateVariable[] };
};
type DataSourceRef = { type?: string; uid?: string } | string | null;
type Panel = {
  title?: string;
  type?: string;
  datasource?: DataSourceRef;
  targets?: { expr?: string; datasource?: DataSourceRef; refId?: string }[];
  panels?: Panel[];
};
type TemplateVariable = {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: DataSourceRef;
};

export function readDashboard(dir = monitoringDir): Dashboard {
  return JSON.parse(readFileSync(join(dir, dashboardFile), 'utf8'));
}

/** Every panel, those inside collapsed rows included. */
function allPanels(panels: Panel[] = []): Panel[] {
  return panels.flatMap(panel => [panel, ...allPanels(panel.panels)]);
}

/** Every PromQL expression the dashboard runs, with where it is. */
export function dashboardQueries(
  dashboard: Dashboard,
): { where: string; expr: string }[] {
  const queries: { where: string; expr: string }[] = [];
  for (const panel of allPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      if (target.expr !== undefined) {
        queries.push({
          where: `panel "${panel.title}", query ${target.refId}`,
          expr: target.expr,
        });
      }
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query =
      typeof variable.query === 'string'
        ? variable.query
        : variable.query?.query;
    // label_values(<selector>, <label>) is Grafana's, not PromQL; its selector is PromQL.
    const labelValues =
      /^\s*label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(
        query ?? '',
      );
    queries.push({
      where: `variable "${variable.name}"`,
      expr: labelValues
        ? `group by (${labelValues[2]}) (${labelValues[1]})`
        : query ?? '',
    });
  }
  return queries;
}

const DATASOURCE_VARIABLE = /^\$\{?(\w+)\}?$/;

/**
 * Every panel and query reads Prometheus through a templated datasource variable, so that the
 * dashboard imports into any Grafana, whatever its datasource is called.
 */
export function dashboardDatasourceProblems(dashboard: Dashboard): Problem[] {
  const problems: Problem[] = [];
  const variables = new Map(
    (dashboard.templating?.list ?? []).map(variable => [
      variable.name,
      variable,
    ]),
  );
  const check = (ref: DataSourceRef | undefined, where: string) => {
    const uid = typeof ref === 'string' ? ref : ref?.uid;
    const name = DATASOURCE_VARIABLE.exec(uid ?? '')?.[1];
    const variable = name ? variables.get(name) : undefined;
    if (
      !variable ||
      variable.type !== 'datasource' ||
      variable.query !== 'prometheus'
    ) {
      problems.push({
        where,
        message: `reads the datasource ${JSON.stringify(
          ref ?? null,
        )}, not a templated Prometheus datasource variable`,
      });
    }
  };
  for (const panel of allPanels(dashboard.panels)) {
    if (panel.type === 'row') continue;
    check(panel.datasource, `panel "${panel.title}"`);
    for (const target of panel.targets ?? []) {
      check(target.datasource, `panel "${panel.title}", query ${target.refId}`);
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type === 'query') {
      check(variable.datasource, `variable "${variable.name}"`);
    }
  }
  return problems;
}

/** A heading's anchor as GitHub makes it. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.type === 'heading') anchors.add(githubAnchor(token.text));
    }
  };
  walk(new Lexer().lex(markdown));
  return anchors;
}

/** Where runbook links point: docs/operations.md on the repository's main branch. */
export function runbookBase(root = repoRoot): string {
  const url = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      repository?: { url?: string };
    }
  ).repository?.url;
  return `${(url ?? '').replace(
    /\.git$/,
    '',
  )}/blob/main/${operationsGuidePath}#`;
}

/** Every rule's PromQL problems, and every alert's missing annotations and dead runbook link. */
export function alertProblems(
  rule: Manifest,
  guide: { base: string; anchors: Set<string> },
): Problem[] {
  const problems: Problem[] = [];
  const groups = (rule as PrometheusRule).spec?.groups ?? [];
  if (groups.length === 0) {
    problems.push({ where: 'PrometheusRule', message: 'has no rule groups' });
  }
  for (const group of groups) {
    const groupWhere = `group "${group.name}"`;
    problems.push(...unknownFields(group, KNOWN_FIELDS.ruleGroup, groupWhere));
    for (const entry of group.rules ?? []) {
      const where = `${groupWhere}, ${
        entry.alert ? `alert ${entry.alert}` : `record ${entry.record}`
      }`;
      problems.push(...unknownFields(entry, KNOWN_FIELDS.rule, where));
      problems.push(...queryProblems(String(entry.expr), where));
      if (!entry.alert) continue;
      if (!SEVERITIES.includes(entry.labels?.severity ?? '')) {
        problems.push({
          where,
          message: `has severity ${JSON.stringify(
            entry.labels?.severity,
          )}; one of ${SEVERITIES.join(', ')}`,
        });
      }
      if (!entry.for) {
        problems.push({
          where,
          message: 'has no "for", so one bad evaluation fires it',
        });
      }
      for (const annotation of ['summary', 'description', 'runbook_url']) {
        if (!entry.annotations?.[annotation]?.trim()) {
          problems.push({ where, message: `has no ${annotation} annotation` });
        }
      }
      const runbook = entry.annotations?.runbook_url ?? '';
      if (runbook && !runbook.startsWith(guide.base)) {
        problems.push({
          where,
          message: `has the runbook_url ${runbook}, not a section of ${guide.base.replace(
            /#$/,
            '',
          )}`,
        });
      } else if (runbook) {
        const anchor = runbook.slice(guide.base.length);
        if (!guide.anchors.has(anchor)) {
          problems.push({
            where,
            message: `links to #${anchor}, a heading ${operationsGuidePath} does not have`,
          });
        } else if (anchor !== githubAnchor(entry.alert)) {
          problems.push({
            where,
            message: `links to #${anchor}, not to the section named after the alert (#${githubAnchor(
              entry.alert,
            )})`,
          });
        }
      }
    }
  }
  return problems;
}

/**
 * The ServiceMonitor finds the Service (same namespace, its labels), and scrapes a port the
 * Service has by name, which leads to the backend container's metrics port, at its path.
 */
export function serviceMonitorProblems(manifests: Manifest[]): Problem[] {
  const problems: Problem[] = [];
  const monitor = findOne(manifests, 'ServiceMonitor') as ServiceMonitor;
  const where = `ServiceMonitor "${monitor.metadata.name}"`;
  const service = findOne(manifests, 'Service') as Manifest & IService;
  const deployment = findOne(
    manifests,
    'Deployment',
    backendWorkload.name,
  ) as Manifest & IDeployment;
  const container = deployment.spec!.template.spec!.containers.find(
    candidate => candidate.name === backendWorkload.container,
  );
  const spec = monitor.spec;

  problems.push(
    ...unknownFields(spec ?? {}, KNOWN_FIELDS.serviceMonitorSpec, where),
  );
  const selector = spec?.selector ?? {};
  const matchLabels = selector.matchLabels ?? {};
  if (
    Object.keys(matchLabels).length === 0 ||
    (selector.matchExpressions ?? []).length > 0 ||
    !Object.entries(matchLabels).every(
      ([key, value]) => service.metadata.labels?.[key] === value,
    )
  ) {
    problems.push({
      where,
      message: `selects ${JSON.stringify(
        selector,
      )}, which does not match the labels ${JSON.stringify(
        service.metadata.labels ?? {},
      )} of Service "${service.metadata.name}"`,
    });
  }
  const namespaces = spec?.namespaceSelector;
  if (
    namespaces &&
    !namespaces.any &&
    !(namespaces.matchNames ?? []).includes(service.metadata.namespace ?? '')
  ) {
    problems.push({
      where,
      message: `looks in ${JSON.stringify(
        namespaces,
      )}, not the Service's namespace`,
    });
  }
  if (
    monitor.metadata.namespace !== service.metadata.namespace &&
    !namespaces
  ) {
    problems.push({
      where,
      message: `is in namespace ${monitor.metadata.namespace}, the Service in ${service.metadata.namespace}; without a namespaceSelector it looks only in its own`,
    });
  }

  const endpoints = spec?.endpoints ?? [];
  if (endpoints.length === 0) {
    problems.push({ where, message: 'has no endpoints' });
  }
  endpoints.forEach((endpoint, index) => {
    const at = `${where}, endpoint ${index + 1}`;
    problems.push(...unknownFields(endpoint, KNOWN_FIELDS.endpoint, at));
    const servicePort = service.spec?.ports?.find(
      port => port.name !== undefined && port.name === endpoint.port,
    );
    if (!servicePort) {
      problems.push({
        where: at,
        message: `scrapes the port "${endpoint.port}", which Service "${
          service.metadata.name
        }" does not have by name (it has ${JSON.stringify(
          (service.spec?.ports ?? []).map(port => port.name),
        )})`,
      });
      return;
    }
    const containerPort = container?.ports?.find(port =>
      typeof servicePort.targetPort === 'string'
        ? port.name === servicePort.targetPort
        : port.containerPort === (servicePort.targetPort ?? servicePort.port),
    );
    if (containerPort?.containerPort !== METRICS_ENDPOINT.port) {
      problems.push({
        where: at,
        message: `scrapes Service port "${
          servicePort.name
        }", which leads to container port ${
          containerPort?.containerPort ?? `"${servicePort.targetPort}" (none)`
        }, not the metrics port ${METRICS_ENDPOINT.port}`,
      });
    }
    if ((endpoint.path ?? '/metrics') !== METRICS_ENDPOINT.path) {
      problems.push({
        where: at,
        message: `scrapes the path ${endpoint.path}, not ${METRICS_ENDPOINT.path}`,
      });
    }
    if (endpoint.honorLabels !== true) {
      problems.push({
        where: at,
        message:
          'has no honorLabels: true, so the target label "endpoint" (the port name) replaces the metrics\' own endpoint label',
      });
    }
  });
  return problems;
}
