import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

/** A series a PromQL expression selects, with the label names it matches or groups on. */
export type Selection = { series: string; labels: string[] };

export type ParsedQuery = {
  /** Where the parser found no valid PromQL, as `at <offset>: <text there>`. */
  errors: string[];
  /** Every vector or range selector's series name. */
  selections: Selection[];
  /** Label names used in `by`/`without`/`on`/`ignoring` and in matchers of unnamed selectors. */
  groupingLabels: string[];
};

/**
 * Grafana's own interval variables, which are not PromQL; each is replaced by a duration before
 * parsing. Any other `$variable` outside a string is left as it is and fails to parse.
 */
const GRAFANA_INTERVALS =
  /\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}/g;

export function withGrafanaIntervals(expression: string): string {
  return expression.replace(GRAFANA_INTERVALS, '5m');
}

const text = (source: string, node: SyntaxNode) =>
  source.slice(node.from, node.to);

/**
 * Parses with Prometheus' own lezer grammar (the one its web UI uses). Lezer recovers from
 * errors rather than throwing, so an expression is valid only when the tree has no error node.
 */
export function parsePromQL(expression: string): ParsedQuery {
  const errors: string[] = [];
  const selections: Selection[] = [];
  const groupingLabels: string[] = [];
  const tree = parser.parse(expression);
  if (expression.trim() === '') errors.push('at 0: the expression is empty');
  tree.iterate({
    enter: ref => {
      if (ref.type.isError) {
        errors.push(
          `at ${ref.from}: "${expression.slice(
            Math.max(0, ref.from - 10),
            ref.from + 10,
          )}"`,
        );
        return;
      }
      if (ref.name === 'VectorSelector') {
        const node = ref.node;
        const identifier = node.getChild('Identifier');
        const matchers = node.getChild('LabelMatchers');
        const labels = matchers
          ? matchers
              .getChildren('UnquotedLabelMatcher')
              .flatMap(matcher => matcher.getChildren('LabelName'))
              .map(name => text(expression, name))
          : [];
        if (identifier) {
          selections.push({ series: text(expression, identifier), labels });
        } else {
          errors.push(
            `at ${ref.from}: a selector without a metric name ("${text(
              expression,
              node,
            )}"); name the metric so that the check can know what it selects`,
          );
        }
        return;
      }
      if (ref.name === 'GroupingLabels') {
        groupingLabels.push(
          ...ref.node
            .getChildren('LabelName')
            .map(name => text(expression, name)),
        );
      }
    },
  });
  return { errors, selections, groupingLabels };
}
