import { ingestionChart } from '../bench/charts';
import { ingestionResult, sizeResult } from './__fixtures__/sizes';
import {
  judgeTargets,
  numberRows,
  phaseRows,
  renderConsoleTable,
  renderSection,
  replaceSection,
  SECTION_END,
  SECTION_START,
} from './render';

const small = sizeResult({
  syntheticUsers: 1_000,
  auth0Users: 1_013,
  catalogUsers: 955,
  providerSeconds: 3.4,
  servedSeconds: 15.1,
  phases: [{ name: 'roles and their users', seconds: 0.02 }],
});

describe('numberRows', () => {
  it('gives one column per size', () => {
    const rows = numberRows([small, sizeResult()]);
    const row = (label: string) => rows.find(([first]) => first === label);
    expect(row('users committed (Auth0 users less those left out)')).toEqual([
      'users committed (Auth0 users less those left out)',
      '955',
      '95,000',
    ]);
    expect(row('provider run: read, build and applyMutation, s')).toEqual([
      'provider run: read, build and applyMutation, s',
      '3.4',
      '60.0',
    ]);
    expect(row('users served per second (from the run’s start)')).toEqual([
      'users served per second (from the run’s start)',
      '63',
      '190',
    ]);
    expect(row('backend peak RSS growth, MB')).toEqual([
      'backend peak RSS growth, MB',
      '700',
      '700',
    ]);
    expect(
      row('Management API requests (token, export, roles, organizations, …)'),
    ).toEqual([
      'Management API requests (token, export, roles, organizations, …)',
      '254',
      '254',
    ]);
  });

  it('says n/a for what a failed run did not reach, and marks the outcome', () => {
    const failed = sizeResult({
      outcome: 'failed',
      failure: 'Auth0 answered 503',
      catalogUsers: undefined,
      servedSeconds: undefined,
    });
    const rows = numberRows([failed]);
    expect(rows[0]).toEqual(['outcome', '**failed**']);
    expect(
      rows.find(([label]) => label.startsWith('until the catalog API'))?.[1],
    ).toBe('n/a');
  });
});

describe('phaseRows', () => {
  it('puts every phase of every size in order, with a dash where a size has none', () => {
    expect(phaseRows([small, sizeResult()])).toEqual([
      ['roles and their users', '0.0 s', '0.1 s'],
      ['applyMutation (full)', '—', '20.0 s, 900 MB, 0.50 cores (machine 75%)'],
    ]);
  });
});

describe('judgeTargets', () => {
  it('judges time and memory at 100,000 users', () => {
    const judgements = judgeTargets([small, sizeResult()]);
    expect(judgements.map(j => [j.verdict, j.by])).toEqual([
      ['met', undefined],
      ['missed', '200.0 s'],
      ['missed', '200 MB'],
    ]);
    expect(judgements[0].measured).toBe(
      '60.0 s from the run’s first log line to `Committed … entities`',
    );
    expect(judgements[2].measured).toBe(
      '500 MB before the run, peak 1200 MB: 700 MB more',
    );
  });

  it('meets the targets below their limits', () => {
    const fast = sizeResult({
      providerSeconds: 30,
      servedSeconds: 299.9,
      memory: { ...sizeResult().memory, peakRss: 999e6 },
    });
    expect(judgeTargets([fast]).map(j => j.verdict)).toEqual([
      'met',
      'met',
      'met',
    ]);
  });

  it('misses what a failed run did not reach, and measures nothing without 100,000 users', () => {
    const failed = sizeResult({
      outcome: 'failed',
      failure: 'Auth0 answered 503',
      providerSeconds: undefined,
      servedSeconds: undefined,
      memory: { ...sizeResult().memory, peakRss: 600e6 },
    });
    expect(judgeTargets([failed]).map(j => [j.verdict, j.measured])).toEqual([
      ['missed', 'failed: Auth0 answered 503'],
      ['missed', 'failed: Auth0 answered 503'],
      [
        'missed',
        '500 MB before the run, peak 600 MB: 100 MB more (the run failed)',
      ],
    ]);
    expect(judgeTargets([small]).map(j => j.verdict)).toEqual([
      'not measured',
      'not measured',
      'not measured',
    ]);
  });
});

describe('renderSection', () => {
  const section = renderSection(ingestionResult([small, sizeResult()]));

  it('is framed by the markers and describes the machine', () => {
    expect(section.startsWith(`${SECTION_START}\n`)).toBe(true);
    expect(section.endsWith(`\n${SECTION_END}`)).toBe(true);
    expect(section).toContain(
      '- 2 CPUs (Test CPU), 24 GiB memory. Load average (1 / 5 / 15 min): 1.00 / 1.00 / 1.00 at the start, 2.00 / 1.50 / 1.20 at the end.',
    );
    expect(section).toContain(
      '| measure | 1,000 users | 100,000 users |\n| --- | ---: | ---: |',
    );
  });

  it('escapes pipes in cells and bolds the misses', () => {
    const judged = renderSection(
      ingestionResult([sizeResult({ leftOut: 'a | b' })]),
    );
    expect(judged).toContain('| left out by the provider | a \\| b |');
    expect(judged).toContain('| **missed** by 200.0 s |');
  });

  it('shows the chart under the numbers when given one', () => {
    const result = ingestionResult([small, sizeResult()]);
    const chart = ingestionChart(result);
    expect(section).not.toContain('![');
    expect(renderSection(result, chart)).toContain(
      `\n\n![${chart.title}](images/bench/ingestion.svg)\n\nWhere the time and the memory go`,
    );
  });
});

describe('renderConsoleTable', () => {
  it('aligns the columns and lists the targets, without markdown', () => {
    const table = renderConsoleTable(ingestionResult([small, sizeResult()]));
    const lines = table.split('\n');
    expect(new Set(lines.slice(0, 3).map(line => line.length)).size).toBe(1);
    expect(table).toContain(
      "100,000 users ingested in under 5 minutes: the provider's run: 60.0 s",
    );
    expect(table).not.toContain('**');
  });
});

describe('replaceSection', () => {
  const document = `# Title\n\nprose\n\n${SECTION_START}\nold\n${SECTION_END}\n\nmore prose\n`;

  it('replaces the section and leaves the rest as it was', () => {
    expect(
      replaceSection(document, `${SECTION_START}\nnew\n${SECTION_END}`),
    ).toBe(
      `# Title\n\nprose\n\n${SECTION_START}\nnew\n${SECTION_END}\n\nmore prose\n`,
    );
  });

  it('fails without exactly one pair of markers in order', () => {
    expect(() => replaceSection('# Title\n', '')).toThrow(
      'the document needs one generated section',
    );
    expect(() => replaceSection(`${document}${SECTION_START}\n`, '')).toThrow();
    expect(() =>
      replaceSection(`${SECTION_END}\n${SECTION_START}\n`, ''),
    ).toThrow();
  });
});
