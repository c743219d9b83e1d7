import {
  BackendCalls,
  RefreshSamples,
  Stats,
  summarize,
  SurvivalRun,
} from './measurements';
import type { BenchResult, ModulePass, ModuleResult } from './results';

// Measuring: the raw samples of a run pooled into numbers, per module. No judging and no
// formatting here (judge.ts and render.ts).

/** A module's passes, pooled. */
export type Pooled = {
  /** The refresh-grant floor: the dev server's token endpoint alone. */
  floor: Stats;
  /** Refreshes one at a time through HAProxy. */
  sequential: Stats;
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
