import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  ingestionResult,
  sizeResult,
} from '../ingestionBench/__fixtures__/sizes';
import { smallRun } from './__fixtures__/smallRun';
import {
  benchCharts,
  chartLinks,
  ecdf,
  ingestionChart,
  pageLoadChart,
  refreshLatencyChart,
  renderSvg,
  SERIES,
  survivalChart,
} from './charts';

/** The text of every <text> element of an SVG, after checking that it is well-formed XML. */
function svgTexts(svg: string): string[] {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) {
    throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  }
  const document = new XMLParser({ ignoreAttributes: false }).parse(svg);
  expect(document.svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
  const texts: string[] = [];
  const walk = (node: unknown, name?: string) => {
    if (Array.isArray(node)) {
      node.forEach(child => walk(child, name));
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child, key);
    } else if (name === 'text' || name === '#text') {
      texts.push(String(node));
    }
  };
  walk(document.svg);
  return texts;
}

const dataOf = (spec: { data?: unknown }) =>
  (spec.data as { values: Array<Record<string, unknown>> }).values;

describe('ecdf', () => {
  it('gives each sample the share of samples at or below it', () => {
    expect(ecdf('s', [30, 10, 20, 40])).toEqual([
      { series: 's', ms: 10, share: 0.25 },
      { series: 's', ms: 20, share: 0.5 },
      { series: 's', ms: 30, share: 0.75 },
      { series: 's', ms: 40, share: 1 },
    ]);
  });
});

describe('the bench charts', () => {
  it('draw the run as SVG naming every series, without a path or host of this machine', async () => {
    const charts = benchCharts(smallRun());
    expect(charts.map(chart => chart.file)).toEqual([
      'refresh-latency.svg',
      'sessions-surviving.svg',
      'sign-in-callback.svg',
      'page-load.svg',
    ]);
    for (const chart of charts) {
      const svg = await renderSvg(chart);
      const texts = svgTexts(svg);
      expect(texts).toEqual(
        expect.arrayContaining([SERIES.ours, SERIES.theirs]),
      );
      expect(svg).not.toMatch(
        /\/(tmp|home|work|root)\/|localhost|127\.0\.0\.1/,
      );
    }
    expect(svgTexts(await renderSvg(charts[0]))).toContain(SERIES.floor);
  });

  it('show the run’s samples: another run gives another chart', async () => {
    const run = smallRun();
    const other = smallRun();
    other.modules['this-repo'].passes[0].refresh.sequential.times = [90, 95];
    other.modules.upstream.passes[1].survival = [
      { concurrent: 2, trials: 3, survived: 3, answered: 6, tokenCalls: 3 },
    ];

    const latency = dataOf(refreshLatencyChart(run).spec);
    expect(
      latency.filter(point => point.series === SERIES.ours).map(p => p.ms),
    ).toEqual([30, 30, 40, 40]);
    expect(
      dataOf(refreshLatencyChart(other).spec)
        .filter(point => point.series === SERIES.ours)
        .map(p => p.ms),
    ).toEqual([30, 40, 90, 95]);
    expect(await renderSvg(refreshLatencyChart(other))).not.toBe(
      await renderSvg(refreshLatencyChart(run)),
    );

    const surviving = (chart: ReturnType<typeof survivalChart>) =>
      dataOf(chart.spec).find(point => point.series === SERIES.theirs)
        ?.surviving;
    expect(surviving(survivalChart(run))).toBe(0);
    expect(surviving(survivalChart(other))).toBe(0.5);
  });

  it('leave the page load out when the run measured none', () => {
    const run = smallRun();
    for (const module of Object.values(run.modules)) {
      module.passes.forEach(pass => delete pass.pageLoad);
    }
    expect(pageLoadChart(run)).toBeUndefined();
    expect(benchCharts(run).map(chart => chart.file)).not.toContain(
      'page-load.svg',
    );
    expect(
      dataOf(pageLoadChart(smallRun())!.spec)
        .filter(point => point.series === SERIES.theirs)
        .map(point => point.ms),
    ).toEqual([320, 320, 500, 500]);
  });

  it('are linked from docs/ with their captions', () => {
    const [first] = benchCharts(smallRun());
    expect(chartLinks([first])).toEqual([
      `![${first.title}](images/bench/refresh-latency.svg)`,
      '',
    ]);
  });
});

describe('the ingestion chart', () => {
  it('plots time and memory growth against users from the results file', async () => {
    const result = ingestionResult([
      sizeResult({ syntheticUsers: 1_000, servedSeconds: 16 }),
      sizeResult({ syntheticUsers: 10_000, servedSeconds: 70 }),
    ]);
    const chart = ingestionChart(result);
    const panels = (chart.spec as { hconcat: Array<{ data: unknown }> })
      .hconcat;
    expect(
      dataOf(panels[0])
        .filter(point => point.series === 'served by the catalog API')
        .map(({ users, seconds }) => [users, seconds]),
    ).toEqual([
      [1_000, 16],
      [10_000, 70],
    ]);
    const texts = svgTexts(await renderSvg(chart));
    expect(texts).toEqual(
      expect.arrayContaining([
        'provider run',
        'served by the catalog API',
        'peak RSS growth',
      ]),
    );
  });
});
