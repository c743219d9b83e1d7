import { execFile } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { TopLevelSpec } from 'vega-lite';
import type { IngestionResult } from '../ingestionBench/results';
import { percentile } from '../load';
import { poolModule } from './pool';
import type { BenchResult } from './results';

// Pictures of a run for docs/benchmarks.md: Vega-Lite specs built from the run's samples
// (pure, so the tests can read the data a chart shows), and rendered to SVG by Vega without a
// browser or a canvas (text widths are Vega's estimate). The SVGs are committed beside the
// document, so they carry no path or host name of the machine that measured.

/** One chart: its file name under docs/images/bench/, its caption, and its spec. */
export type Chart = { file: string; title: string; spec: TopLevelSpec };

/** What the document calls each series. */
export const SERIES = {
  ours: 'this repo',
  theirs: 'upstream 0.4.5',
  floor: 'floor: the dev server alone',
} as const;

/** Where the charts go, relative to the repository root and to docs/benchmarks.md. */
export const CHART_DIR = 'docs/images/bench';
export const CHART_LINK_DIR = 'images/bench';

const WIDTH = 520;
const HEIGHT = 280;
const COLORS = {
  [SERIES.ours]: '#1f77b4',
  [SERIES.theirs]: '#ff7f0e',
  [SERIES.floor]: '#7f7f7f',
};
const colorScale = (names: string[]) => ({
  domain: names,
  range: names.map(name => COLORS[name as keyof typeof COLORS] ?? '#2ca02c'),
});

/** Points of an empirical distribution: each sample with the share of samples at or below it. */
export function ecdf(
  series: string,
  values: number[],
): Array<{ series: string; ms: number; share: number }> {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.map((ms, index) => ({
    series,
    ms: Math.round(ms * 100) / 100,
    share: (index + 1) / sorted.length,
  }));
}

/** (a) Refresh latency one at a time through HAProxy, both modules, and the floor. */
export function refreshLatencyChart(result: BenchResult): Chart {
  const ours = result.modules['this-repo'].passes;
  const theirs = result.modules.upstream.passes;
  const samples = {
    [SERIES.ours]: ours.flatMap(pass => pass.refresh.sequential.times),
    [SERIES.theirs]: theirs.flatMap(pass => pass.refresh.sequential.times),
    [SERIES.floor]: [...ours, ...theirs].flatMap(pass => pass.floor.times),
  };
  const values = Object.entries(samples).flatMap(([series, times]) =>
    ecdf(series, times),
  );
  // The slowest 1% would stretch the axis over the part that tells the series apart.
  const axisEnd = Math.max(
    ...Object.values(samples).map(times => percentile(times, 99) || 0),
  );
  const names = Object.keys(samples);
  return {
    file: 'refresh-latency.svg',
    title: `Refresh latency, one at a time through HAProxy, with ${result.latencyMs} ms Auth0 latency: share of refreshes answered within x ms (axis ends at the slowest series' p99)`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after', clip: true },
      encoding: {
        x: {
          field: 'ms',
          type: 'quantitative',
          title: 'ms',
          scale: { domain: [0, Math.ceil(axisEnd * 1.05)], nice: false },
        },
        y: {
          field: 'share',
          type: 'quantitative',
          title: 'share of refreshes',
          axis: { format: '%' },
        },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: colorScale(names),
          legend: { orient: 'bottom-right' },
        },
      },
    },
  };
}

/** (b) Sessions surviving N concurrent refreshes with rotation on, per module. */
export function survivalChart(result: BenchResult): Chart {
  const values = (['this-repo', 'upstream'] as const).flatMap(module =>
    poolModule(result.modules[module]).survival.map(run => ({
      series: module === 'this-repo' ? SERIES.ours : SERIES.theirs,
      concurrent: run.concurrent,
      surviving: run.trials ? run.survived / run.trials : 0,
    })),
  );
  return {
    file: 'sessions-surviving.svg',
    title:
      'Sessions surviving N concurrent refreshes of one session with refresh-token rotation on',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      encoding: {
        x: {
          field: 'concurrent',
          type: 'ordinal',
          title: 'N concurrent refreshes',
          axis: { labelAngle: 0 },
        },
        xOffset: { field: 'series' },
        y: {
          field: 'surviving',
          type: 'quantitative',
          title: 'sessions surviving',
          scale: { domain: [0, 1] },
          axis: { format: '%' },
        },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: colorScale([SERIES.ours, SERIES.theirs]),
          legend: { orient: 'bottom' },
        },
      },
      // The share written on each bar, so that a module losing every session shows a 0%.
      layer: [
        { mark: 'bar' },
        {
          mark: { type: 'text', dy: -6 },
          encoding: {
            text: { field: 'surviving', type: 'quantitative', format: '.0%' },
            color: { value: 'black' },
          },
        },
      ],
    },
  };
}

/** (c) Sign-in callback time against catalog size, per module, beside the token endpoint. */
export function signInChart(result: BenchResult): Chart {
  const ours = poolModule(result.modules['this-repo']).resolution;
  const theirs = poolModule(result.modules.upstream).resolution;
  const values = [
    ...ours.map(entry => ({
      series: SERIES.ours,
      users: entry.users,
      p50: entry.callback.p50,
    })),
    ...theirs.map(entry => ({
      series: SERIES.theirs,
      users: entry.users,
      p50: entry.callback.p50,
    })),
    ...ours.map(entry => ({
      series: SERIES.floor,
      users: entry.users,
      p50: entry.floor.p50,
    })),
  ].filter(point => Number.isFinite(point.p50));
  return {
    file: 'sign-in-callback.svg',
    title:
      'Sign-in callback p50 against the catalog’s users, and the dev server’s token endpoint measured beside it',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: {
          field: 'users',
          type: 'quantitative',
          title: 'users in the catalog',
          scale: { type: 'log' },
          axis: { format: ',d', values: result.catalogSizes },
        },
        y: {
          field: 'p50',
          type: 'quantitative',
          title: 'p50, ms',
          scale: { zero: true },
        },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: colorScale([SERIES.ours, SERIES.theirs, SERIES.floor]),
          legend: { orient: 'bottom' },
        },
      },
    },
  };
}

/** Page loads in Chromium, both modules; undefined when the run measured none. */
export function pageLoadChart(result: BenchResult): Chart | undefined {
  const samples = {
    [SERIES.ours]: result.modules['this-repo'].passes.flatMap(
      pass => pass.pageLoad?.times ?? [],
    ),
    [SERIES.theirs]: result.modules.upstream.passes.flatMap(
      pass => pass.pageLoad?.times ?? [],
    ),
  };
  const values = Object.entries(samples).flatMap(([series, times]) =>
    ecdf(series, times),
  );
  if (values.length === 0) return undefined;
  return {
    file: 'page-load.svg',
    title:
      'Page load in Chromium, from a reload of the signed-in app to the first catalog row: share of reloads within x ms',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'ms', type: 'quantitative', title: 'ms' },
        y: {
          field: 'share',
          type: 'quantitative',
          title: 'share of reloads',
          axis: { format: '%' },
        },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: colorScale([SERIES.ours, SERIES.theirs]),
          legend: { orient: 'bottom-right' },
        },
      },
    },
  };
}

/** The charts of a `yarn bench` run, in the order the document shows them. */
export function benchCharts(result: BenchResult): Chart[] {
  const pageLoad = pageLoadChart(result);
  return [
    refreshLatencyChart(result),
    survivalChart(result),
    signInChart(result),
    ...(pageLoad ? [pageLoad] : []),
  ];
}

/** The series of the ingestion chart. */
export const INGESTION_SERIES = {
  provider: 'provider run',
  processed: 'processed in the database',
  served: 'served by the catalog API',
  growth: 'peak RSS growth',
} as const;

/** (d) Ingestion time and the backend's memory growth against users, from `yarn bench:ingestion`. */
export function ingestionChart(result: IngestionResult): Chart {
  const measured = result.sizes.filter(size => size.outcome === 'served');
  const times = measured.flatMap(size =>
    [
      [INGESTION_SERIES.provider, size.providerSeconds],
      [INGESTION_SERIES.processed, size.processedSeconds],
      [INGESTION_SERIES.served, size.servedSeconds],
    ].flatMap(([series, seconds]) =>
      seconds === undefined
        ? []
        : [{ series, users: size.syntheticUsers, seconds }],
    ),
  );
  const memory = measured.map(size => ({
    series: INGESTION_SERIES.growth,
    users: size.syntheticUsers,
    mb: Math.round((size.memory.peakRss - size.memory.baselineRss) / 1e6),
  }));
  const x = {
    field: 'users',
    type: 'quantitative' as const,
    title: 'Auth0 users (synthetic)',
    scale: { type: 'log' as const },
    axis: { format: ',d', values: measured.map(size => size.syntheticUsers) },
  };
  const color = (names: string[]) => ({
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: {
      domain: names,
      range: ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'].slice(
        0,
        names.length,
      ),
    },
    legend: { orient: 'bottom' as const, direction: 'vertical' as const },
  });
  return {
    file: 'ingestion.svg',
    title:
      'Ingesting users from Auth0: seconds from the provider’s first log line, and the backend’s peak RSS growth',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      hconcat: [
        {
          width: 300,
          height: 240,
          data: { values: times },
          mark: { type: 'line', point: true },
          encoding: {
            x,
            y: { field: 'seconds', type: 'quantitative', title: 's' },
            color: color([
              INGESTION_SERIES.provider,
              INGESTION_SERIES.processed,
              INGESTION_SERIES.served,
            ]),
          },
        },
        {
          width: 300,
          height: 240,
          data: { values: memory },
          mark: { type: 'line', point: true },
          encoding: {
            x,
            y: { field: 'mb', type: 'quantitative', title: 'MB' },
            color: color([INGESTION_SERIES.growth]),
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    },
  };
}

/**
 * The charts as SVG, drawn by Vega in a child Node process (vegaToSvg.mjs): no browser, no
 * canvas. In the order given.
 */
export async function renderSvgs(charts: Chart[]): Promise<string[]> {
  const specs = charts.map(chart => ({
    ...chart.spec,
    background: 'white',
    padding: 8,
    // Vega estimates text widths without a canvas; cutting labels on that estimate cut them short.
    config: { legend: { labelLimit: 0 } },
  }));
  const output = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [
        resolvePath(
          resolvePackagePath('@internal/replica-tests'),
          'src/bench/vegaToSvg.mjs',
        ),
      ],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`drawing the charts failed: ${stderr || error}`))
          : resolve(stdout),
    );
    child.stdin!.end(JSON.stringify(specs));
  });
  return JSON.parse(output);
}

/** One chart as SVG (see {@link renderSvgs}). */
export async function renderSvg(chart: Chart): Promise<string> {
  const [svg] = await renderSvgs([chart]);
  return svg;
}

/** Markdown image links to the charts, for a document in docs/. */
export function chartLinks(charts: Chart[]): string[] {
  return charts.flatMap(chart => [
    `![${chart.title}](${CHART_LINK_DIR}/${chart.file})`,
    '',
  ]);
}
