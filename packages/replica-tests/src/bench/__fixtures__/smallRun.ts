import type { MachineFacts } from '../machine';
import type { SurvivalRun } from '../measurements';
import type { BenchResult, ModulePass, ResolutionPass } from '../results';
import type { RefreshSpans } from '../traces';

// A made-up run, small enough to work its numbers out by hand: two passes per module, a few
// samples each, catalogs of 1,000 and 100,000 users. For the report's tests and for trying
// `bench:report` (never for docs/benchmarks.md).

const calls = (token: number, userinfo = 0) => ({
  token,
  userinfo,
  jwks: 0,
  discovery: 0,
});

/**
 * Two refreshes as this repo's spans tell them: 20 and 30 ms in `auth0.refresh`, 2 ms of each
 * in no child span, two and three database round trips, ownership inside the resolver.
 */
export const REFRESH_SPANS: RefreshSpans[] = [
  {
    totalMs: 20,
    coveredMs: 18,
    steps: {
      'auth0.refresh.cookie': { ms: 1, count: 1 },
      'auth0.refresh.coordination': { ms: 4, count: 2 },
      'auth0.refresh.token_request': { ms: 10, count: 1 },
      'auth0.refresh.resolve': { ms: 2, count: 1 },
      'auth0.refresh.ownership': { ms: 0.5, count: 1 },
      'auth0.refresh.issue_token': { ms: 1, count: 1 },
    },
    dbSteps: { claim: { ms: 2, count: 1 }, store: { ms: 2, count: 1 } },
    nestedIn: { 'auth0.refresh.ownership': 'auth0.refresh.resolve' },
  },
  {
    totalMs: 30,
    coveredMs: 28,
    steps: {
      'auth0.refresh.cookie': { ms: 1, count: 1 },
      'auth0.refresh.coordination': { ms: 8, count: 3 },
      'auth0.refresh.token_request': { ms: 14, count: 1 },
      'auth0.refresh.resolve': { ms: 3, count: 1 },
      'auth0.refresh.ownership': { ms: 0.5, count: 1 },
      'auth0.refresh.issue_token': { ms: 2, count: 1 },
    },
    dbSteps: {
      claim: { ms: 2, count: 1 },
      wait: { ms: 4, count: 1 },
      store: { ms: 2, count: 1 },
    },
    nestedIn: { 'auth0.refresh.ownership': 'auth0.refresh.resolve' },
  },
];

function pass(options: {
  sequential: number[];
  spans: RefreshSpans[];
  floor: number[];
  loadSeconds: number;
  refreshUserinfo: number;
  authTransactions: number;
  survival: SurvivalRun[];
  signInUserinfo: number;
  pageLoad: ModulePass['pageLoad'];
}): ModulePass {
  const refreshes = options.sequential.length + 1 + 4;
  return {
    signIn: {
      count: 2,
      callbacks: [40, 60],
      failures: [],
      calls: calls(2, options.signInUserinfo),
    },
    floor: { times: options.floor, failures: 0 },
    refresh: {
      sequential: { times: options.sequential, errors: [], seconds: 1 },
      direct: { times: [35], errors: [], seconds: 1 },
      load: {
        times: [50, 60, 70, 80],
        errors: [],
        seconds: options.loadSeconds,
      },
      calls: calls(refreshes, options.refreshUserinfo),
      userMinutes: 2,
      transactions: {
        auth: options.authTransactions,
        catalog: options.sequential.length,
      },
      spans: options.spans,
    },
    survival: options.survival,
    pageLoad: options.pageLoad,
    loadAverage: '1.00 / 1.00 / 1.00',
  };
}

function resolution(
  users: number,
  callbacks: number[],
  lookups: number[],
): ResolutionPass {
  return {
    users,
    callbacks,
    floor: [20, 20],
    lookups,
    lookupMisses: 0,
    failures: [],
  };
}

const facts: MachineFacts = {
  cpus: 2,
  memoryGiB: 8,
  node: 'v22.0.0',
  backstageRelease: '1.57.0',
  postgres: 'PostgreSQL 15.0',
  redis: 'Redis 7.0.0',
  thisModule:
    '@backstage-auth0/plugin-auth-backend-module-auth0 0.1.0 (this repo)',
  upstreamModule: '@backstage/plugin-auth-backend-module-auth0-provider 0.4.5',
  authBackend: '@backstage/plugin-auth-backend 0.31.0',
  loadAverageAtStart: '0.50 / 0.50 / 0.50',
  source: 'commit abc1234',
};

/**
 * This repo: refresh p50 30 ms over a floor of 20 ms (missed: the limit is 23 ms), spans of
 * REFRESH_SPANS in each pass, page loads of 300 and 400 ms, 3 auth transactions per refresh,
 * every session surviving, sign-in beyond Auth0 20 → 30 ms (1.5×, missed). Upstream: refresh p50 26 ms over a floor of 20 ms, 2 transactions, one
 * /userinfo call per refresh pass, no spans, no session surviving, page loads of 320 and
 * 500 ms and one failure per pass, beyond Auth0 30 → 33 ms.
 */
export function smallRun(): BenchResult {
  const ours = {
    sequential: [30, 40],
    spans: REFRESH_SPANS,
    floor: [20, 25],
    loadSeconds: 0.5,
    refreshUserinfo: 0,
    authTransactions: 6,
    survival: [
      { concurrent: 2, trials: 3, survived: 3, answered: 6, tokenCalls: 3 },
    ],
    signInUserinfo: 0,
    pageLoad: { times: [300, 400], failures: [] },
  };
  const theirs = {
    sequential: [26, 30],
    spans: [],
    floor: [20, 22],
    loadSeconds: 0.4,
    refreshUserinfo: 1,
    authTransactions: 4,
    survival: [
      { concurrent: 2, trials: 3, survived: 0, answered: 6, tokenCalls: 6 },
    ],
    signInUserinfo: 2,
    pageLoad: { times: [320, 500], failures: ['reload 3: timed out'] },
  };
  return {
    facts,
    startedAt: '2026-01-02T03:04:05.000Z',
    minutes: 12.4,
    loadAverageAtEnd: '0.75 / 0.60 / 0.55',
    latencyMs: 20,
    catalogSizes: [1_000, 100_000],
    ingestion: [
      { users: 1_000, seconds: 6.2, settledSeconds: 7.4 },
      { users: 100_000, seconds: 496, settledSeconds: 498.4 },
    ],
    modules: {
      'this-repo': {
        module: 'this-repo',
        passes: [pass(ours), pass(ours)],
        resolution: [
          resolution(1_000, [40, 44], [4, 5]),
          resolution(100_000, [50, 60], [5, 6]),
          resolution(1_000, [40, 48], [4, 5]),
          resolution(100_000, [50, 62], [6, 7]),
        ],
      },
      upstream: {
        module: 'upstream',
        passes: [pass(theirs), pass(theirs)],
        resolution: [
          resolution(1_000, [50, 52], [4, 5]),
          resolution(100_000, [53, 56], [6, 7]),
        ],
      },
    },
  };
}
