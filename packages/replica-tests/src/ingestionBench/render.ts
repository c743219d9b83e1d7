import { Chart, chartLinks } from '../bench/charts';
import { replaceMarkedSection } from '../bench/render';
import type { IngestionResult, Phase, SizeResult } from './results';

// The tables of `yarn bench:ingestion`, for the terminal and for its generated section of
// docs/benchmarks.md, and the issue's targets judged on them. Only numbers and their labels:
// what they mean is the hand-written text around the section.

/** The generated section lies between these lines; the rest of the document is prose. */
export const SECTION_START =
  '<!-- ingestion-bench:start: written by `yarn bench:ingestion` from its measurements; edit outside these markers -->';
export const SECTION_END = '<!-- ingestion-bench:end -->';

/** The issue's targets, judged at TARGET_USERS synthetic users. */
export const TARGET_USERS = 100_000;
export const TARGET_SECONDS = 5 * 60;
/** 500 MB, in bytes (decimal megabytes, as every memory figure here). */
export const TARGET_RSS_GROWTH = 500e6;

export type Verdict = 'met' | 'missed' | 'not measured';
export type Judgement = {
  target: string;
  measured: string;
  verdict: Verdict;
  /** How far off, for a miss. */
  by?: string;
};

const missing = (value: number | undefined): value is undefined =>
  value === undefined || Number.isNaN(value);
const fixed = (digits: number) => (value: number | undefined) =>
  missing(value) ? 'n/a' : value.toFixed(digits);
export const seconds = fixed(1);
/** Bytes as decimal megabytes. */
export const mb = (bytes: number | undefined) =>
  missing(bytes) ? 'n/a' : `${Math.round(bytes / 1e6)}`;
export const users = (count: number) => count.toLocaleString('en');
const percent = (share: number | undefined) =>
  missing(share) ? 'n/a' : `${Math.round(share * 100)}%`;

/** RSS growth of a size: the peak less the baseline, bytes. */
export const rssGrowth = (size: SizeResult) =>
  size.memory.peakRss - size.memory.baselineRss;

/** One row per measure, one column per size. */
export function numberRows(sizes: SizeResult[]): string[][] {
  const rows: string[][] = [];
  const row = (label: string, cell: (size: SizeResult) => string) =>
    rows.push([label, ...sizes.map(cell)]);
  row('outcome', size =>
    size.outcome === 'served' ? 'served' : `**${size.outcome}**`,
  );
  row('Auth0 users exported (synthetic and fixture users)', size =>
    size.auth0Users === undefined ? 'n/a' : users(size.auth0Users),
  );
  row('users committed (Auth0 users less those left out)', size =>
    size.catalogUsers === undefined ? 'n/a' : users(size.catalogUsers),
  );
  row('left out by the provider', size => size.leftOut || 'none');
  row('entities committed (users, roles and organizations)', size =>
    size.entities === undefined ? 'n/a' : users(size.entities),
  );
  row('from the trigger to the run’s first log line, s', size =>
    seconds(size.startDelaySeconds),
  );
  row('provider run: read, build and applyMutation, s', size =>
    seconds(size.providerSeconds),
  );
  row('until the catalog’s database processed every user, s', size =>
    seconds(size.processedSeconds),
  );
  row('until the catalog API serves every user, s', size =>
    seconds(size.servedSeconds),
  );
  row('users served per second (from the run’s start)', size =>
    size.catalogUsers === undefined || missing(size.servedSeconds)
      ? 'n/a'
      : fixed(0)(size.catalogUsers / size.servedSeconds),
  );
  row('backend RSS before the run, MB', size => mb(size.memory.baselineRss));
  row('backend peak RSS during the provider run (sampled), MB', size =>
    mb(size.memory.providerPeakRss),
  );
  row('backend peak RSS until served (VmHWM), MB', size =>
    mb(size.memory.peakRss),
  );
  row('backend peak RSS growth, MB', size => mb(rssGrowth(size)));
  row('backend RSS once served, MB', size => mb(size.memory.endRss));
  row(
    'Management API requests (token, export, roles, organizations, …)',
    size =>
      String(
        Object.values(size.managementCalls).reduce((sum, n) => sum + n, 0),
      ),
  );
  return rows;
}

/** The phases of every size: seconds, the peak RSS and the backend's CPU in each. */
export function phaseRows(sizes: SizeResult[]): string[][] {
  const names: string[] = [];
  for (const size of sizes) {
    for (const phase of size.phases) {
      if (!names.includes(phase.name)) names.push(phase.name);
    }
  }
  const cell = (phase: Phase | undefined) => {
    if (!phase) return '—';
    // A phase shorter than the sampling interval may hold no sample.
    if (phase.peakRss === undefined) return `${seconds(phase.seconds)} s`;
    return `${seconds(phase.seconds)} s, ${mb(phase.peakRss)} MB, ${fixed(2)(
      phase.cores,
    )} cores (machine ${percent(phase.machineBusy)})`;
  };
  return names.map(name => [
    name,
    ...sizes.map(size => cell(size.phases.find(p => p.name === name))),
  ]);
}

/** The targets, at TARGET_USERS users when the run measured that size. */
export function judgeTargets(sizes: SizeResult[]): Judgement[] {
  const size = sizes.find(s => s.syntheticUsers === TARGET_USERS);
  const at = `${users(TARGET_USERS)} users`;
  const time = (
    target: string,
    value: number | undefined,
    what: string,
  ): Judgement => {
    if (!size)
      return { target, measured: 'not measured', verdict: 'not measured' };
    if (missing(value)) {
      return {
        target,
        measured: `${size.outcome}: ${size.failure ?? 'no time'}`,
        verdict: 'missed',
      };
    }
    return {
      target,
      measured: `${seconds(value)} s ${what}`,
      verdict: value < TARGET_SECONDS ? 'met' : 'missed',
      ...(value >= TARGET_SECONDS && {
        by: `${seconds(value - TARGET_SECONDS)} s`,
      }),
    };
  };
  const growth = size && rssGrowth(size);
  return [
    time(
      `${at} ingested in under 5 minutes: the provider's run`,
      size?.providerSeconds,
      'from the run’s first log line to `Committed … entities`',
    ),
    time(
      `${at} ingested in under 5 minutes: until the catalog API serves them`,
      size?.outcome === 'served' ? size.servedSeconds : undefined,
      'from the run’s first log line',
    ),
    !size || growth === undefined
      ? {
          target: `${at}: peak backend RSS growth under 500 MB`,
          measured: 'not measured',
          verdict: 'not measured',
        }
      : {
          target: `${at}: peak backend RSS growth under 500 MB`,
          measured: `${mb(
            size.memory.baselineRss,
          )} MB before the run, peak ${mb(size.memory.peakRss)} MB: ${mb(
            growth,
          )} MB more${
            size.outcome === 'served' ? '' : ` (the run ${size.outcome})`
          }`,
          verdict:
            size.outcome === 'served' && growth < TARGET_RSS_GROWTH
              ? 'met'
              : 'missed',
          ...(growth >= TARGET_RSS_GROWTH && {
            by: `${mb(growth - TARGET_RSS_GROWTH)} MB`,
          }),
        },
  ];
}

const verdictCell = (judgement: Judgement) =>
  judgement.verdict === 'missed'
    ? `**missed**${judgement.by ? ` by ${judgement.by}` : ''}`
    : judgement.verdict;

const escape = (value: string) => value.replace(/\|/g, '\\|');
const markdownTable = (header: string[], rows: string[][], align: string[]) => [
  `| ${header.map(escape).join(' | ')} |`,
  `| ${align.join(' | ')} |`,
  ...rows.map(row => `| ${row.map(escape).join(' | ')} |`),
];

const sizeHeader = (sizes: SizeResult[]) =>
  sizes.map(size => `${users(size.syntheticUsers)} users`);

/**
 * The generated section of docs/benchmarks.md, markers included; with `chart`, its picture
 * (drawn by main.ts from the same results) under the numbers.
 */
export function renderSection(result: IngestionResult, chart?: Chart): string {
  const { facts, sizes } = result;
  return [
    SECTION_START,
    '',
    '### Machine and versions',
    '',
    `- ${facts.cpus} CPUs (${facts.cpuModel}), ${facts.memoryGiB} GiB memory. Load average (1 / 5 / 15 min): ${facts.loadAverageAtStart} at the start, ${result.loadAverageAtEnd} at the end.`,
    `- Node ${facts.node}; Backstage ${facts.backstageRelease} (backstage.json); ${facts.catalogBackend}`,
    `- ${facts.thisModule}, as in the working tree (${facts.source})`,
    `- ${
      facts.postgres
    } on loopback; the dev server and the backend on the same machine${
      result.backendEnv
        ? `; the backend with ${Object.entries(result.backendEnv)
            .map(([name, value]) => `${name}=${value}`)
            .join(', ')}`
        : ''
    }`,
    `- Run started ${result.startedAt} and took ${result.minutes.toFixed(
      0,
    )} minutes; the backend’s RSS and CPU time sampled every ${
      result.sampleIntervalMs
    } ms.`,
    '',
    '### Numbers',
    '',
    'Sizes are the dev server’s synthetic users; its fixture users come on top. Memory in MB of 1,000,000 bytes.',
    '',
    ...markdownTable(['measure', ...sizeHeader(sizes)], numberRows(sizes), [
      '---',
      ...sizes.map(() => '---:'),
    ]),
    '',
    ...(chart ? chartLinks([chart]) : []),
    'Where the time and the memory go: per phase, its seconds, the highest sampled RSS in it, the backend’s CPU time ÷ wall time (1 core = one core busy throughout) and the whole machine’s busy share.',
    '',
    ...markdownTable(['phase', ...sizeHeader(sizes)], phaseRows(sizes), [
      '---',
      ...sizes.map(() => '---'),
    ]),
    '',
    '### Targets',
    '',
    ...markdownTable(
      ['target', 'measured', 'met'],
      judgeTargets(sizes).map(judgement => [
        judgement.target,
        judgement.measured,
        verdictCell(judgement),
      ]),
      ['---', '---', '---'],
    ),
    '',
    SECTION_END,
  ].join('\n');
}

/** The numbers and the targets as aligned columns, for the terminal. */
export function renderConsoleTable(result: IngestionResult): string {
  const rows = [
    ['measure', ...sizeHeader(result.sizes)],
    ...numberRows(result.sizes),
  ].map(row => row.map(cell => cell.replace(/\*\*/g, '')));
  const widths = rows[0].map((_, column) =>
    Math.max(...rows.map(row => row[column].length)),
  );
  const table = rows.map(row =>
    row
      .map((cell, column) =>
        column === 0
          ? cell.padEnd(widths[column])
          : cell.padStart(widths[column]),
      )
      .join('  '),
  );
  const targets = judgeTargets(result.sizes).map(
    judgement =>
      `${judgement.target}: ${judgement.measured}: ${verdictCell(
        judgement,
      ).replace(/\*\*/g, '')}`,
  );
  return [...table, '', ...targets].join('\n');
}

/** The document with the ingestion section replaced by `section`; the rest stays as written. */
export function replaceSection(document: string, section: string): string {
  return replaceMarkedSection(document, section, SECTION_START, SECTION_END);
}
