import {
  BackendCalls,
  RefreshSamples,
  Stats,
  summarize,
  SurvivalRun,
} from './measurements';
import type { BenchResult, ModulePass, ModuleResult } from './results';
import { REFRESH_STEPS, RefreshSpans } from './traces';

// Measuring: the raw samples of a run pooled into numbers, per module. No judging and no
// formatting here (judge.ts and render.ts).

/** A time per refresh over the refreshes of a run, ms. */
export type Center = { p50: number; mean: number };

/** One part of a refresh over the run: its time, and how many spans of it a refresh had. */
export type BreakdownPart = Center & {
  name: string;
  /** The span this one was found under, when not `auth0.refresh` itself. */
  nestedIn?: string;
  /** Spans of this name (or database step) per refresh, on average. */
  perRefresh: number;
};

/** Where the one-at-a-time refreshes' time went, from the module's spans. */
export type Breakdown = {
  /** Refreshes with an `auth0.refresh` span, of those made. */
  refreshes: number;
  made: number;
  /** What the client measured, over every refresh made. */
  client: Center;
  /** The module's `auth0.refresh` span. */
  module: Center;
  /**
   * The client's time less the module's span: HAProxy, the HTTP server, Backstage's routing
   * and the response. Mean less mean (a difference of medians is not the median of anything).
   */
  outsideModule: number;
  /** Every child span name, REFRESH_STEPS first, summed within each refresh. */
  parts: BreakdownPart[];
  /** The coordination spans by `auth0.db.step`. */
  dbSteps: BreakdownPart[];
  /** The module's span less its direct children: work in no child span. */
  unaccounted: Center;
};

/** A module's passes, pooled. */
export type Pooled = {
  /** The refresh-grant floor: the dev server's token endpoint alone. */
  floor: Stats;
  /** Refreshes one at a time through HAProxy. */
  sequential: Stats;
  sequentialMean: number;
  /** Refreshes one at a time straight to one replica. */
  direct: Stats;
  /** Refreshes 8 at a time through HAProxy. */
  load: Stats;
  /** Refreshes a second under that load. */
  perSecond: number;
  refreshes: number;
  sequentialRefreshes: number;
  refreshFailures: string[];
  refreshCalls: BackendCalls;
  userinfoPerUserMinute: number;
  /** Committed transactions per one-at-a-time refresh, per plugin database (auth, catalog). */
  transactionsPerRefresh: Record<string, number>;
  signIns: number;
  signIn: Stats;
  signInFailures: string[];
  signInCalls: BackendCalls;
  /** Per number of concurrent refreshes, every pass's trials added up. */
  survival: SurvivalRun[];
  perPass: Array<{ sequentialP50: number; perSecond: number }>;
  /** Undefined when the module's refreshes had no spans (upstream's, or a run before them). */
  breakdown?: Breakdown;
  /** Reloads of the signed-in app in Chromium; undefined when the run measured none. */
  pageLoad?: { stats: Stats; failures: string[] };
  resolution: Array<{
    users: number;
    callback: Stats;
    floor: Stats;
    /** The callback's p50 less the token endpoint's: the sign-in's cost beyond Auth0. */
    beyondAuth0: number;
    lookup: Stats;
    failures: string[];
  }>;
};

/** Both modules of a run, pooled. */
export type Comparison = { ours: Pooled; theirs: Pooled };

const sumCalls = (calls: BackendCalls[]): BackendCalls => ({
  token: calls.reduce((sum, c) => sum + c.token, 0),
  userinfo: calls.reduce((sum, c) => sum + c.userinfo, 0),
  jwks: calls.reduce((sum, c) => sum + c.jwks, 0),
  discovery: calls.reduce((sum, c) => sum + c.discovery, 0),
});

const attempts = (samples: RefreshSamples[]) =>
  samples.reduce((sum, s) => sum + s.times.length + s.errors.length, 0);

const mean = (values: number[]) =>
  values.length
    ? values.reduce((sum, value) => sum + value, 0) / values.length
    : Number.NaN;
const center = (values: number[]): Center => ({
  p50: summarize(values).p50,
  mean: mean(values),
});

function partsOf(
  refreshes: RefreshSpans[],
  pick: (refresh: RefreshSpans) => RefreshSpans['steps'],
  order: readonly string[],
): BreakdownPart[] {
  const names = new Set(
    refreshes.flatMap(refresh => Object.keys(pick(refresh))),
  );
  const known = order.filter(name => names.has(name));
  const others = [...names].filter(name => !order.includes(name)).sort();
  return [...known, ...others].map(name => {
    // A refresh without a span of this name spent nothing on it.
    const at = refreshes.map(refresh => pick(refresh)[name]);
    const nestedIn = refreshes.find(refresh => refresh.nestedIn?.[name])
      ?.nestedIn?.[name];
    return {
      name,
      ...(nestedIn && { nestedIn }),
      ...center(at.map(step => step?.ms ?? 0)),
      perRefresh: mean(at.map(step => step?.count ?? 0)),
    };
  });
}

/** The one-at-a-time refreshes of every pass, by their spans; undefined without spans. */
export function poolBreakdown(passes: ModulePass[]): Breakdown | undefined {
  const refreshes = passes.flatMap(pass => pass.refresh.spans ?? []);
  if (refreshes.length === 0) return undefined;
  const client = center(passes.flatMap(pass => pass.refresh.sequential.times));
  const module = center(refreshes.map(refresh => refresh.totalMs));
  return {
    refreshes: refreshes.length,
    made: attempts(passes.map(pass => pass.refresh.sequential)),
    client,
    module,
    outsideModule: client.mean - module.mean,
    parts: partsOf(refreshes, refresh => refresh.steps, REFRESH_STEPS),
    dbSteps: partsOf(refreshes, refresh => refresh.dbSteps, []),
    unaccounted: center(
      refreshes.map(refresh => refresh.totalMs - refresh.coveredMs),
    ),
  };
}

export function poolModule(result: ModuleResult): Pooled {
  const { passes } = result;
  const runs = (pick: (pass: ModulePass) => RefreshSamples) => passes.map(pick);
  const all = (samples: RefreshSamples[]) => samples.flatMap(s => s.times);
  const sequential = runs(pass => pass.refresh.sequential);
  const direct = runs(pass => pass.refresh.direct);
  const load = runs(pass => pass.refresh.load);
  const sequentialRefreshes = attempts(sequential);
  const refreshCalls = sumCalls(passes.map(pass => pass.refresh.calls));
  const transactionsPerRefresh: Record<string, number> = {};
  for (const name of ['auth', 'catalog']) {
    const total = passes.reduce(
      (sum, pass) => sum + (pass.refresh.transactions[name] ?? 0),
      0,
    );
    transactionsPerRefresh[name] = total / sequentialRefreshes;
  }
  const survival = (passes[0]?.survival ?? []).map((run, index) => {
    const merged = passes.map(pass => pass.survival[index]);
    return {
      concurrent: run.concurrent,
      trials: merged.reduce((sum, r) => sum + r.trials, 0),
      survived: merged.reduce((sum, r) => sum + r.survived, 0),
      answered: merged.reduce((sum, r) => sum + r.answered, 0),
      tokenCalls: merged.reduce((sum, r) => sum + r.tokenCalls, 0),
    };
  });
  const sizes = [...new Set(result.resolution.map(r => r.users))];
  return {
    floor: summarize(passes.flatMap(pass => pass.floor.times)),
    sequential: summarize(all(sequential)),
    sequentialMean: mean(all(sequential)),
    direct: summarize(all(direct)),
    load: summarize(all(load)),
    perSecond: attempts(load) / load.reduce((sum, s) => sum + s.seconds, 0),
    refreshes: attempts([...sequential, ...direct, ...load]),
    sequentialRefreshes,
    refreshFailures: [...sequential, ...direct, ...load].flatMap(s => s.errors),
    refreshCalls,
    userinfoPerUserMinute:
      refreshCalls.userinfo /
      passes.reduce((sum, pass) => sum + pass.refresh.userMinutes, 0),
    transactionsPerRefresh,
    signIns: passes.reduce((sum, pass) => sum + pass.signIn.count, 0),
    signIn: summarize(passes.flatMap(pass => pass.signIn.callbacks)),
    signInFailures: passes.flatMap(pass => pass.signIn.failures),
    signInCalls: sumCalls(passes.map(pass => pass.signIn.calls)),
    survival,
    perPass: passes.map(pass => ({
      sequentialP50: summarize(pass.refresh.sequential.times).p50,
      perSecond: attempts([pass.refresh.load]) / pass.refresh.load.seconds,
    })),
    breakdown: poolBreakdown(passes),
    pageLoad: passes.some(pass => pass.pageLoad)
      ? {
          stats: summarize(passes.flatMap(pass => pass.pageLoad?.times ?? [])),
          failures: passes.flatMap(pass => pass.pageLoad?.failures ?? []),
        }
      : undefined,
    resolution: sizes.map(users => {
      const at = result.resolution.filter(r => r.users === users);
      const callback = summarize(at.flatMap(r => r.callbacks));
      const floor = summarize(at.flatMap(r => r.floor));
      return {
        users,
        callback,
        floor,
        beyondAuth0: callback.p50 - floor.p50,
        lookup: summarize(at.flatMap(r => r.lookups)),
        failures: at.flatMap(r => r.failures),
      };
    }),
  };
}

/** This repo's module and upstream's, each pooled over its passes. */
export function compareModules(result: BenchResult): Comparison {
  return {
    ours: poolModule(result.modules['this-repo']),
    theirs: poolModule(result.modules.upstream),
  };
}
