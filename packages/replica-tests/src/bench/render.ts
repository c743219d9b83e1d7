import type { AuthModule } from '../cluster';
import { Chart, chartLinks } from './charts';
import {
  Judgement,
  RESOLUTION_FACTOR,
  RESOLUTION_SIZES,
  TARGETS,
} from './judge';
import type { Breakdown, BreakdownPart, Comparison, Pooled } from './pool';
import type { BenchResult } from './results';

// Rendering: tables from the pooled numbers and the judgements, for the terminal and for the
// generated section of docs/benchmarks.md. Only numbers and their labels: what they mean is
// the hand-written part of that document.

/** The generated section of docs/benchmarks.md lies between these lines; the rest is prose. */
export const SECTION_START =
  '<!-- bench-report:start: written by `yarn bench` from its measurements; edit outside these markers -->';
export const SECTION_END = '<!-- bench-report:end -->';

const NAMES: Record<AuthModule, string> = {
  'this-repo': 'this repo',
  upstream: 'upstream 0.4.5',
};

const missing = (value: number | undefined): value is undefined =>
  value === undefined || Number.isNaN(value);
export const fixed = (digits: number) => (value: number | undefined) =>
  missing(value) ? 'n/a' : value.toFixed(digits);
export const ms = fixed(1);
export const times = (value: number | undefined) =>
  missing(value) ? 'n/a' : `${value.toFixed(2)}×`;
const ratio = (a: number | undefined, b: number | undefined) =>
  missing(a) || missing(b) || !b ? 'n/a' : times(a / b);
const percent = (part: number, whole: number) =>
  whole ? `${Math.round((100 * part) / whole)}%` : 'n/a';
const users = (count: number) => count.toLocaleString('en');
/** `a`, `a and b`, `a, b and c`. */
const andList = (items: string[]) =>
  items.length < 2
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

export type Row = [string, string, string, string];

/** The comparison, one row per measure: this repo, upstream, this repo ÷ upstream. */
export function comparisonRows({ ours, theirs }: Comparison): Row[] {
  const rows: Row[] = [];
  const both = (
    label: string,
    pick: (module: Pooled) => number | undefined,
    format: (value: number | undefined) => string = ms,
  ) => {
    const a = pick(ours);
    const b = pick(theirs);
    rows.push([label, format(a), format(b), ratio(a, b)]);
  };
  const text = (label: string, pick: (module: Pooled) => string) =>
    rows.push([label, pick(ours), pick(theirs), '']);

  both('refresh-grant floor p50, ms (dev server alone)', m => m.floor.p50);
  both('refresh-grant floor p95, ms', m => m.floor.p95);
  both('refresh p50, ms (one at a time, via HAProxy)', m => m.sequential.p50);
  both('refresh p95, ms (one at a time, via HAProxy)', m => m.sequential.p95);
  both('refresh p50 ÷ floor p50', m => m.sequential.p50 / m.floor.p50, times);
  text('refresh p50 of each pass, ms', m =>
    m.perPass.map(pass => ms(pass.sequentialP50)).join(' / '),
  );
  both('refresh p50, ms (straight to one replica)', m => m.direct.p50);
  both(
    'refresh throughput, per s (8 sessions at once)',
    m => m.perSecond,
    fixed(1),
  );
  text('refresh throughput of each pass, per s', m =>
    m.perPass.map(pass => fixed(1)(pass.perSecond)).join(' / '),
  );
  both('refresh p50 under that load, ms', m => m.load.p50);
  both('refresh p95 under that load, ms', m => m.load.p95);
  text(
    'refresh failures',
    m => `${m.refreshFailures.length} of ${m.refreshes}`,
  );
  both('sign-in callback p50, ms', m => m.signIn.p50);
  both('sign-in callback p95, ms', m => m.signIn.p95);
  text('sign-in failures', m => `${m.signInFailures.length} of ${m.signIns}`);
  both(
    'page load p50, ms (Chromium: reload to the first catalog row)',
    m => m.pageLoad?.stats.p50,
  );
  both('page load p95, ms', m => m.pageLoad?.stats.p95);
  text('page load failures', m =>
    m.pageLoad
      ? `${m.pageLoad.failures.length} of ${
          m.pageLoad.stats.count + m.pageLoad.failures.length
        }`
      : 'not measured',
  );
  both(
    'Auth0 token calls per refresh',
    m => m.refreshCalls.token / m.refreshes,
    fixed(3),
  );
  both(
    'Auth0 /userinfo calls per refresh',
    m => m.refreshCalls.userinfo / m.refreshes,
    fixed(3),
  );
  both(
    'Auth0 /userinfo calls per user per minute (refreshing)',
    m => m.userinfoPerUserMinute,
    fixed(2),
  );
  both(
    'Auth0 JWKS calls per refresh',
    m => m.refreshCalls.jwks / m.refreshes,
    fixed(3),
  );
  text('Auth0 calls per sign-in: token / userinfo / JWKS', m =>
    [m.signInCalls.token, m.signInCalls.userinfo, m.signInCalls.jwks]
      .map(calls => fixed(2)(calls / m.signIns))
      .join(' / '),
  );
  both(
    'auth database transactions per refresh',
    m => m.transactionsPerRefresh.auth,
    fixed(1),
  );
  both(
    'catalog database transactions per refresh',
    m => m.transactionsPerRefresh.catalog,
    fixed(1),
  );
  for (const [index, run] of ours.survival.entries()) {
    text(
      `sessions surviving ${run.concurrent} concurrent refreshes (rotation on)`,
      m => {
        const r = m.survival[index];
        return r
          ? `${percent(r.survived, r.trials)} (${r.survived}/${
              r.trials
            }; ${fixed(1)(r.tokenCalls / r.trials)} token calls each)`
          : 'n/a';
      },
    );
  }
  const perSize = (
    label: (size: string) => string,
    pick: (entry: Pooled['resolution'][number]) => number,
  ) => {
    for (const [index, entry] of ours.resolution.entries()) {
      both(label(users(entry.users)), m => {
        const at = m.resolution[index];
        return at ? pick(at) : undefined;
      });
    }
  };
  perSize(
    size => `sign-in callback p50 at ${size} catalog users, ms`,
    entry => entry.callback.p50,
  );
  perSize(
    size =>
      `sign-in callback p50 less the token endpoint's p50 at ${size} users, ms`,
    entry => entry.beyondAuth0,
  );
  perSize(
    size => `token endpoint p50 beside the sign-ins at ${size} users, ms`,
    entry => entry.floor.p50,
  );
  perSize(
    size => `catalog lookup by email p50 at ${size} users, ms`,
    entry => entry.lookup.p50,
  );
  text('sign-in failures while measuring resolution', m =>
    String(m.resolution.reduce((sum, r) => sum + r.failures.length, 0)),
  );
  return rows;
}

/** The comparison as aligned columns, for the terminal. */
export function renderConsoleTable(comparison: Comparison): string {
  const rows: Row[] = [
    ['measure', NAMES['this-repo'], NAMES.upstream, 'ratio'],
    ...comparisonRows(comparison),
  ];
  const widths = [0, 1, 2, 3].map(column =>
    Math.max(...rows.map(row => row[column].length)),
  );
  return rows
    .map(row =>
      row
        .map((cell, column) =>
          column === 0
            ? cell.padEnd(widths[column])
            : cell.padStart(widths[column]),
        )
        .join('  '),
    )
    .join('\n');
}

const survivalText = (
  runs: Array<{ concurrent: number; survived: number; trials: number }>,
) =>
  runs
    .map(run => `N=${run.concurrent}: ${percent(run.survived, run.trials)}`)
    .join(', ') || 'n/a';

/** The "measured" and "met" cells of a target's row. */
export function targetCells(judgement: Judgement): {
  measured: string;
  met: string;
} {
  /** `met`, `not measured`, or `**missed**` and how: `detail` starts with its preposition. */
  const verdict = (detail: string) =>
    judgement.verdict === 'missed' ? `**missed** ${detail}` : judgement.verdict;
  switch (judgement.target) {
    case 'oneCallPerRefresh': {
      const { ours, theirs } = judgement;
      return {
        measured: `${ours.token} token, ${ours.userinfo} /userinfo and ${ours.jwks} JWKS calls for ${ours.refreshes} refreshes (upstream: ${theirs.token} token, ${theirs.userinfo} /userinfo and ${theirs.jwks} JWKS calls for ${theirs.refreshes})`,
        met: verdict(
          `with ${
            ours.token - ours.refreshes
          } token calls more than refreshes, ${
            ours.userinfo
          } to /userinfo and ${ours.jwks} to JWKS`,
        ),
      };
    }
    case 'refreshNearFloor':
      return {
        measured: `${ms(judgement.p50)} ms against a floor of ${ms(
          judgement.floor,
        )} ms: ${times(judgement.ratio)} (upstream ${times(
          judgement.theirRatio,
        )}); above the floor ${ms(judgement.aboveFloor)} ms (upstream ${ms(
          judgement.theirAboveFloor,
        )} ms)`,
        met: verdict(
          `by ${ms(judgement.excess)} ms: the limit is ${ms(
            judgement.limit,
          )} ms, ${ms(judgement.limit - judgement.floor)} ms above the floor`,
        ),
      };
    case 'refreshVsUpstream':
      return {
        measured: `${ms(judgement.p50)} ms against ${ms(
          judgement.theirP50,
        )} ms (${ratio(judgement.p50, judgement.theirP50)}); throughput ${fixed(
          1,
        )(judgement.perSecond)} against ${fixed(1)(
          judgement.theirPerSecond,
        )} refreshes a second`,
        met: verdict(`by ${ms(judgement.excess)} ms at p50`),
      };
    case 'survival':
      return {
        measured: `${survivalText(judgement.ours)} (upstream: ${survivalText(
          judgement.theirs,
        )})`,
        met: verdict(
          `at ${
            judgement.ours
              .filter(run => run.survived < run.trials)
              .map(run => `N=${run.concurrent}`)
              .join(', ') || 'every N (none measured)'
          }`,
        ),
      };
    case 'resolutionScaling': {
      const { from, to, theirFrom, theirTo } = judgement;
      if (!from || !to) {
        return {
          measured: `not measured at ${users(
            RESOLUTION_SIZES.from,
          )} and ${users(
            RESOLUTION_SIZES.to,
          )} users in this run (sizes: ${judgement.sizes
            .map(users)
            .join(', ')}; BENCH_CATALOG_SIZES)`,
          met: 'not measured',
        };
      }
      const upstream =
        theirFrom && theirTo
          ? ` (upstream ${ms(theirFrom.beyondAuth0)} → ${ms(
              theirTo.beyondAuth0,
            )} ms, ${times(theirTo.beyondAuth0 / theirFrom.beyondAuth0)})`
          : '';
      return {
        measured: `the sign-in beyond Auth0 (callback p50 less the token endpoint's) ${ms(
          from.beyondAuth0,
        )} → ${ms(to.beyondAuth0)} ms (${times(
          judgement.ratio,
        )})${upstream}; the whole callback ${ms(from.callbackP50)} → ${ms(
          to.callbackP50,
        )} ms (${times(
          to.callbackP50 / from.callbackP50,
        )}); the resolver's catalog query alone ${ms(from.lookupP50)} → ${ms(
          to.lookupP50,
        )} ms (${times(to.lookupP50 / from.lookupP50)})`,
        met: verdict(
          `by ${times(judgement.ratio)} against ${times(
            RESOLUTION_FACTOR,
          )} (${ms(judgement.excess)} ms)`,
        ),
      };
    }
    default:
      throw new Error(`no cells for ${(judgement as Judgement).target}`);
  }
}

const cell = (value: string) => value.replace(/\|/g, '\\|');

/** What each of the module's spans measures, as the breakdown names it. */
const PART_LABELS: Record<string, string> = {
  'auth0.refresh.cookie': 'cookie handling',
  'auth0.refresh.coordination': 'coordination, every database round trip',
  'auth0.refresh.token_request': 'the Auth0 token call',
  'auth0.refresh.id_token_verify': 'ID-token verification',
  'auth0.refresh.identity_cache': 'the cached identity, read or written',
  'auth0.refresh.resolve': 'the resolver, its catalog query included',
  'auth0.refresh.ownership': 'ownership',
  'auth0.refresh.issue_token': 'issuing the Backstage token',
};

const NO_SPANS = 'not measured (no spans)';
const center = (value: { p50: number; mean: number }) =>
  `${ms(value.p50)} / ${ms(value.mean)}`;

/** A previous run whose breakdown the report shows beside this run's (`--baseline`). */
export type Baseline = { label: string; ours: Pooled };

/**
 * Where the one-at-a-time refreshes' time went: this repo's module by its spans, beside a
 * baseline's when given, and what upstream's (which has no spans) shows of the same.
 */
export function breakdownTable(
  { ours, theirs }: Comparison,
  baseline?: Baseline,
): string[] {
  const runs: Pooled[] = [ours, ...(baseline ? [baseline.ours] : [])];
  const rows: string[][] = [];
  const row = (
    label: string,
    pick: (module: Pooled) => string,
    upstream: string,
  ) => rows.push([label, ...runs.map(pick), upstream]);
  const spans = (pick: (breakdown: Breakdown) => string) => (module: Pooled) =>
    module.breakdown ? pick(module.breakdown) : NO_SPANS;
  const partNames = (pick: (breakdown: Breakdown) => BreakdownPart[]) => [
    ...new Set(
      runs.flatMap(run =>
        (run.breakdown ? pick(run.breakdown) : []).map(p => p.name),
      ),
    ),
  ];
  const nesting = (name: string) =>
    runs.flatMap(run => run.breakdown?.parts ?? []).find(p => p.name === name)
      ?.nestedIn;
  const part = (
    pick: (breakdown: Breakdown) => BreakdownPart[],
    name: string,
  ) =>
    spans(breakdown => {
      const found = pick(breakdown).find(p => p.name === name);
      if (!found) return 'none';
      return found.perRefresh === 1
        ? center(found)
        : `${center(found)} (${fixed(1)(found.perRefresh)} per refresh)`;
    });
  const auth0Calls = (module: Pooled) =>
    (module.refreshCalls.token + module.refreshCalls.userinfo) /
    module.refreshes;
  const client = (module: Pooled) =>
    center({ p50: module.sequential.p50, mean: module.sequentialMean });

  row('the whole refresh, as the client measured it', client, client(theirs));
  row(
    'HAProxy, HTTP server, routing and the response: the client’s time less `auth0.refresh` (means)',
    spans(breakdown => `– / ${ms(breakdown.outsideModule)}`),
    'no spans',
  );
  row(
    '`auth0.refresh`: the module’s refresh handling',
    spans(breakdown => center(breakdown.module)),
    'no spans',
  );
  const names = partNames(breakdown => breakdown.parts);
  // Upstream's Auth0 calls have a row even when no run has spans.
  if (!names.includes('auth0.refresh.token_request')) {
    names.push('auth0.refresh.token_request');
  }
  for (const name of names) {
    const upstream =
      name === 'auth0.refresh.token_request'
        ? `≈ ${ms(theirs.floor.p50 * auth0Calls(theirs))} (${fixed(2)(
            auth0Calls(theirs),
          )} Auth0 calls per refresh × the floor’s p50)`
        : 'no spans';
    const within = nesting(name);
    row(
      `${within ? '– ' : ''}${PART_LABELS[name] ?? name} (\`${name}\`${
        within ? `, inside \`${within}\`` : ''
      })`,
      part(breakdown => breakdown.parts, name),
      upstream,
    );
    if (name === 'auth0.refresh.coordination') {
      row(
        'database round trips per refresh',
        spans(breakdown =>
          fixed(1)(breakdown.parts.find(p => p.name === name)?.perRefresh ?? 0),
        ),
        'no spans',
      );
      for (const step of partNames(breakdown => breakdown.dbSteps)) {
        row(
          `– round trip \`${step}\``,
          part(breakdown => breakdown.dbSteps, step),
          'no spans',
        );
      }
    }
  }
  row(
    '`auth0.refresh` outside its child spans (the cookie, the response and the rest)',
    spans(breakdown => center(breakdown.unaccounted)),
    'no spans',
  );
  row(
    'refreshes with spans, of those made',
    module =>
      `${module.breakdown?.refreshes ?? 0} of ${module.sequentialRefreshes}`,
    `0 of ${theirs.sequentialRefreshes}`,
  );
  const calls = (module: Pooled) =>
    `${fixed(2)(module.refreshCalls.token / module.refreshes)} / ${fixed(2)(
      module.refreshCalls.userinfo / module.refreshes,
    )}`;
  row(
    'Auth0 calls per refresh: token / userinfo (the dev server’s counters)',
    calls,
    calls(theirs),
  );
  for (const database of ['auth', 'catalog']) {
    const transactions = (module: Pooled) =>
      fixed(1)(module.transactionsPerRefresh[database]);
    row(
      `${database} database transactions per refresh (PostgreSQL’s counters)`,
      transactions,
      transactions(theirs),
    );
  }
  return [
    `| part of a refresh, p50 / mean, ms | this repo, this run |${
      baseline ? ` this repo, baseline: ${cell(baseline.label)} |` : ''
    } ${NAMES.upstream} |`,
    `| --- | ---: |${baseline ? ' ---: |' : ''} ---: |`,
    ...rows.map(r => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** The targets table: target, measured, met. */
export function renderTargetsTable(judgements: Judgement[]): string[] {
  return [
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...judgements.map(judgement => {
      const { measured, met } = targetCells(judgement);
      return `| ${cell(TARGETS[judgement.target])} | ${cell(measured)} | ${cell(
        met,
      )} |`;
    }),
  ];
}

/**
 * The generated section of docs/benchmarks.md, markers included: the machine and versions,
 * the comparison, catalog ingestion and the targets.
 */
export function renderSection(
  result: BenchResult,
  comparison: Comparison,
  judgements: Judgement[],
  extras: { charts?: Chart[]; baseline?: Baseline } = {},
): string {
  const { facts } = result;
  const passLoads = (module: AuthModule) =>
    result.modules[module].passes.map(pass => pass.loadAverage).join('; ');
  return [
    SECTION_START,
    '',
    '### Machine and versions',
    '',
    `- ${facts.cpus} CPUs, ${
      facts.memoryGiB
    } GiB memory. Load average (1 / 5 / 15 min): ${
      facts.loadAverageAtStart
    } at the start, ${
      result.loadAverageAtEnd
    } at the end; after this repo’s passes ${passLoads(
      'this-repo',
    )}; after upstream’s ${passLoads('upstream')}.`,
    `- Node ${facts.node}; Backstage ${facts.backstageRelease} (backstage.json); ${facts.authBackend}`,
    `- ${facts.thisModule}, as in the working tree (${facts.source}); ${facts.upstreamModule}`,
    `- ${facts.postgres} and ${facts.redis}, both on loopback, both modules on the same servers`,
    `- The dev server added ${
      result.latencyMs
    } ms to every call; catalogs of ${andList(
      result.catalogSizes.map(users),
    )} users.`,
    `- Run started ${result.startedAt} and took ${result.minutes.toFixed(
      0,
    )} minutes.`,
    '',
    '### Numbers',
    '',
    `| measure | ${NAMES['this-repo']} | ${NAMES.upstream} | this repo ÷ upstream |`,
    '| --- | ---: | ---: | ---: |',
    ...comparisonRows(comparison).map(
      row => `| ${row.map(cell).join(' | ')} |`,
    ),
    '',
    'Catalog ingestion, both replicas processing:',
    '',
    '| users | served after, s | processed, stitched and analysed after, s |',
    '| ---: | ---: | ---: |',
    ...result.ingestion.map(
      entry =>
        `| ${users(entry.users)} | ${entry.seconds.toFixed(
          0,
        )} | ${entry.settledSeconds.toFixed(0)} |`,
    ),
    '',
    '### Where a refresh’s time goes',
    '',
    `The one-at-a-time refreshes through HAProxy, from this repo’s spans${
      extras.baseline
        ? `, beside those of ${extras.baseline.label} (the baseline)`
        : ''
    }. Upstream’s module has no spans.`,
    '',
    ...breakdownTable(comparison, extras.baseline),
    '',
    ...(extras.charts?.length
      ? ['### Charts', '', ...chartLinks(extras.charts)]
      : []),
    '### Targets',
    '',
    ...renderTargetsTable(judgements),
    '',
    SECTION_END,
  ].join('\n');
}

/**
 * The document with its generated section replaced by `section` (markers included); the
 * prose around it stays as written. Fails when the markers are not there once, in order.
 */
export function replaceSection(document: string, section: string): string {
  return replaceMarkedSection(document, section, SECTION_START, SECTION_END);
}

/** {@link replaceSection} for any pair of markers. */
export function replaceMarkedSection(
  document: string,
  section: string,
  startMarker: string,
  endMarker: string,
): string {
  const start = document.indexOf(startMarker);
  const end = document.indexOf(endMarker);
  if (
    start < 0 ||
    end < start ||
    document.indexOf(startMarker, start + 1) >= 0 ||
    document.indexOf(endMarker, end + 1) >= 0
  ) {
    throw new Error(
      `the document needs one generated section between "${startMarker}" and "${endMarker}"`,
    );
  }
  return `${document.slice(0, start)}${section}${document.slice(
    end + endMarker.length,
  )}`;
}
