import { smallRun } from './__fixtures__/smallRun';
import { Judgement, judgeTargets } from './judge';
import { compareModules, poolModule } from './pool';
import { benchCharts } from './charts';
import {
  breakdownTable,
  comparisonRows,
  renderConsoleTable,
  renderSection,
  renderTargetsTable,
  replaceSection,
  SECTION_END,
  SECTION_START,
  targetCells,
} from './render';

const run = smallRun();
const comparison = compareModules(run);
const judgements = judgeTargets(comparison, run.catalogSizes);

describe('comparisonRows', () => {
  const rows = comparisonRows(comparison);
  const row = (label: string) => rows.find(([first]) => first === label);

  it('puts both modules and their ratio side by side', () => {
    expect(row('refresh p50, ms (one at a time, via HAProxy)')).toEqual([
      'refresh p50, ms (one at a time, via HAProxy)',
      '30.0',
      '26.0',
      '1.15×',
    ]);
    expect(row('refresh p50 ÷ floor p50')).toEqual([
      'refresh p50 ÷ floor p50',
      '1.50×',
      '1.30×',
      '1.15×',
    ]);
    expect(row('Auth0 /userinfo calls per refresh')).toEqual([
      'Auth0 /userinfo calls per refresh',
      '0.000',
      '0.143',
      '0.00×',
    ]);
    expect(row('Auth0 calls per sign-in: token / userinfo / JWKS')).toEqual([
      'Auth0 calls per sign-in: token / userinfo / JWKS',
      '1.00 / 0.00 / 0.00',
      '1.00 / 1.00 / 0.00',
      '',
    ]);
    expect(
      row('sessions surviving 2 concurrent refreshes (rotation on)'),
    ).toEqual([
      'sessions surviving 2 concurrent refreshes (rotation on)',
      '100% (6/6; 1.0 token calls each)',
      '0% (0/6; 2.0 token calls each)',
      '',
    ]);
    expect(
      row(
        "sign-in callback p50 less the token endpoint's p50 at 100,000 users, ms",
      )?.slice(1),
    ).toEqual(['30.0', '33.0', '0.91×']);
  });

  it('writes n/a for what a module did not measure, and no ratio against zero', () => {
    expect(row('Auth0 JWKS calls per refresh')?.[3]).toBe('n/a');
    const partial = compareModules(run);
    partial.theirs.resolution = [];
    const lookup = comparisonRows(partial).find(([label]) =>
      label.startsWith('catalog lookup by email p50 at 1,000'),
    );
    expect(lookup).toEqual([
      'catalog lookup by email p50 at 1,000 users, ms',
      '4.0',
      'n/a',
      'n/a',
    ]);
  });

  it('aligns the same rows for the terminal', () => {
    const lines = renderConsoleTable(comparison).split('\n');
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines[0]).toMatch(/^measure +this repo +upstream 0\.4\.5 +ratio$/);
    expect(new Set(lines.map(line => line.length)).size).toBe(1);
  });
});

describe('page load rows', () => {
  it('give both modules’ reloads and their failures', () => {
    const rows = comparisonRows(comparison);
    expect(rows.filter(([label]) => label.startsWith('page load'))).toEqual([
      [
        'page load p50, ms (Chromium: reload to the first catalog row)',
        '300.0',
        '320.0',
        '0.94×',
      ],
      ['page load p95, ms', '400.0', '500.0', '0.80×'],
      ['page load failures', '0 of 4', '2 of 6', ''],
    ]);
    const without = compareModules(run);
    without.ours.pageLoad = undefined;
    expect(
      comparisonRows(without).find(([label]) => label === 'page load failures'),
    ).toEqual(['page load failures', 'not measured', '2 of 6', '']);
  });
});

describe('breakdownTable', () => {
  const table = breakdownTable(comparison);
  const row = (label: string) =>
    table.find(line => line.startsWith(`| ${label} |`));

  it('shows this module’s spans and what applies of upstream’s', () => {
    expect(table.slice(0, 2)).toEqual([
      '| part of a refresh, p50 / mean, ms | this repo, this run | upstream 0.4.5 |',
      '| --- | ---: | ---: |',
    ]);
    expect(row('the whole refresh, as the client measured it')).toBe(
      '| the whole refresh, as the client measured it | 30.0 / 35.0 | 26.0 / 28.0 |',
    );
    expect(
      row(
        'HAProxy, HTTP server, routing and the response: the client’s time less `auth0.refresh` (means)',
      ),
    ).toContain('| – / 10.0 | no spans |');
    expect(
      row(
        'coordination, every database round trip (`auth0.refresh.coordination`)',
      ),
    ).toContain('| 4.0 / 6.0 (2.5 per refresh) | no spans |');
    expect(row('database round trips per refresh')).toContain('| 2.5 |');
    expect(row('– round trip `wait`')).toContain(
      '| 0.0 / 2.0 (0.5 per refresh) |',
    );
    // Upstream: 16 token and /userinfo calls for 14 refreshes, at the floor's 20 ms.
    expect(row('the Auth0 token call (`auth0.refresh.token_request`)')).toBe(
      '| the Auth0 token call (`auth0.refresh.token_request`) | 10.0 / 12.0 | ≈ 22.9 (1.14 Auth0 calls per refresh × the floor’s p50) |',
    );
    expect(
      row(
        '`auth0.refresh` outside its child spans (the cookie, the response and the rest)',
      ),
    ).toContain('| 2.0 / 2.0 |');
    expect(
      row(
        '– ownership (`auth0.refresh.ownership`, inside `auth0.refresh.resolve`)',
      ),
    ).toContain('| 0.5 / 0.5 | no spans |');
    expect(
      row('auth database transactions per refresh (PostgreSQL’s counters)'),
    ).toContain('| 3.0 | 2.0 |');
  });

  it('says "not measured (no spans)" for a run without spans, and puts a baseline beside this run', () => {
    const before = smallRun();
    before.startedAt = '2025-12-01T00:00:00.000Z';
    for (const pass of before.modules['this-repo'].passes) {
      pass.refresh.spans = undefined;
      pass.refresh.sequential.times = [50, 60];
    }
    const withBaseline = breakdownTable(comparison, {
      label: 'the run of 2025-12-01T00:00:00.000Z',
      ours: poolModule(before.modules['this-repo']),
    });
    expect(withBaseline[0]).toBe(
      '| part of a refresh, p50 / mean, ms | this repo, this run | this repo, baseline: the run of 2025-12-01T00:00:00.000Z | upstream 0.4.5 |',
    );
    expect(withBaseline).toContain(
      '| the whole refresh, as the client measured it | 30.0 / 35.0 | 50.0 / 55.0 | 26.0 / 28.0 |',
    );
    expect(withBaseline).toContain(
      '| `auth0.refresh`: the module’s refresh handling | 20.0 / 25.0 | not measured (no spans) | no spans |',
    );
    const noSpans = breakdownTable(compareModules(before));
    expect(noSpans).toContain(
      '| `auth0.refresh`: the module’s refresh handling | not measured (no spans) | no spans |',
    );
    expect(noSpans).toContain(
      '| refreshes with spans, of those made | 0 of 4 | 0 of 4 |',
    );
  });
});

describe('targetCells', () => {
  it('writes what was measured and whether it was met', () => {
    expect(judgements.map(targetCells)).toEqual([
      {
        measured:
          '14 token, 0 /userinfo and 0 JWKS calls for 14 refreshes (upstream: 14 token, 2 /userinfo and 0 JWKS calls for 14)',
        met: 'met',
      },
      {
        measured:
          '30.0 ms against a floor of 20.0 ms: 1.50× (upstream 1.30×); above the floor 10.0 ms (upstream 6.0 ms)',
        met: '**missed** by 5.0 ms: the limit is 25.0 ms, 5.0 ms above the floor',
      },
      {
        measured:
          '30.0 ms against 26.0 ms (1.15×); throughput 8.0 against 10.0 refreshes a second',
        met: '**missed** by 4.0 ms at p50',
      },
      { measured: 'N=2: 100% (upstream: N=2: 0%)', met: 'met' },
      {
        measured:
          "the sign-in beyond Auth0 (callback p50 less the token endpoint's) 20.0 → 30.0 ms (1.50×) (upstream 30.0 → 33.0 ms, 1.10×); the whole callback 40.0 → 50.0 ms (1.25×); the resolver's catalog query alone 4.0 → 6.0 ms (1.50×)",
        met: '**missed** by 1.50× against 1.30× (4.0 ms)',
      },
    ]);
  });

  it('says which N lost sessions, and when resolution was not measured', () => {
    const lost: Judgement = {
      target: 'survival',
      verdict: 'missed',
      ours: [
        { concurrent: 2, survived: 3, trials: 3 },
        { concurrent: 50, survived: 2, trials: 3 },
      ],
      theirs: [],
    };
    expect(targetCells(lost)).toEqual({
      measured: 'N=2: 100%, N=50: 67% (upstream: n/a)',
      met: '**missed** at N=50',
    });
    expect(
      targetCells({
        target: 'resolutionScaling',
        verdict: 'not measured',
        sizes: [1_000],
      }),
    ).toEqual({
      measured:
        'not measured at 1,000 and 100,000 users in this run (sizes: 1,000; BENCH_CATALOG_SIZES)',
      met: 'not measured',
    });
  });
});

describe('renderTargetsTable', () => {
  it('is one markdown row per target, in the order judged', () => {
    const table = renderTargetsTable(judgements);
    expect(table.slice(0, 2)).toEqual([
      '| target | measured | met |',
      '| --- | --- | --- |',
    ]);
    expect(table[3]).toBe(
      '| refresh p50 at most 1.25 × the floor | 30.0 ms against a floor of 20.0 ms: 1.50× (upstream 1.30×); above the floor 10.0 ms (upstream 6.0 ms) | **missed** by 5.0 ms: the limit is 25.0 ms, 5.0 ms above the floor |',
    );
    expect(table).toHaveLength(2 + judgements.length);
  });
});

describe('the generated section', () => {
  const section = renderSection(run, comparison, judgements);

  it('holds the machine, the numbers, the ingestion and the targets between its markers', () => {
    const lines = section.split('\n');
    expect(lines[0]).toBe(SECTION_START);
    expect(lines[lines.length - 1]).toBe(SECTION_END);
    expect(lines.filter(line => line.startsWith('#'))).toEqual([
      '### Machine and versions',
      '### Numbers',
      '### Where a refresh’s time goes',
      '### Targets',
    ]);
    expect(lines).toContain(
      '- The dev server added 20 ms to every call; catalogs of 1,000 and 100,000 users.',
    );
    expect(lines).toContain(
      '- Run started 2026-01-02T03:04:05.000Z and took 12 minutes.',
    );
    expect(lines).toContain('| 100,000 | 496 | 498 |');
    expect(lines).toContain(
      '| refresh-grant floor p50, ms (dev server alone) | 20.0 | 20.0 | 1.00× |',
    );
    // Numbers and verdicts only: the analysis is prose outside the markers.
    expect(section).not.toMatch(/Why|because/);
  });

  it('links the charts when given them', () => {
    const charts = benchCharts(run);
    const withCharts = renderSection(run, comparison, judgements, { charts });
    expect(withCharts).toContain(
      `### Charts\n\n![${charts[0].title}](images/bench/refresh-latency.svg)\n\n`,
    );
    expect(section).not.toContain('### Charts');
  });

  it('replaces the previous section and keeps the prose around it', () => {
    const document = [
      '# Benchmarks',
      '',
      'Prose before.',
      '',
      SECTION_START,
      'old numbers',
      SECTION_END,
      '',
      '## Why the misses',
      '',
      'Prose after.',
      '',
    ].join('\n');
    expect(replaceSection(document, section)).toBe(
      [
        '# Benchmarks',
        '',
        'Prose before.',
        '',
        section,
        '',
        '## Why the misses',
        '',
        'Prose after.',
        '',
      ].join('\n'),
    );
  });

  it('refuses a document without exactly one section', () => {
    expect(() => replaceSection('# Benchmarks\n', section)).toThrow(
      'the document needs one generated section',
    );
    expect(() =>
      replaceSection(`${SECTION_END}\n${SECTION_START}\n`, section),
    ).toThrow('the document needs one generated section');
    expect(() =>
      replaceSection(
        `${SECTION_START}\n${SECTION_END}\n${SECTION_START}\n${SECTION_END}\n`,
        section,
      ),
    ).toThrow('the document needs one generated section');
  });
});
