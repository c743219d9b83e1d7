import type { Comparison, Pooled } from './pool';

// Judging: the targets against a run's pooled numbers, as data (met or missed, the
// values compared and by how much). The wording of a table cell is render.ts's; why a target
// was missed is the hand-written part of docs/benchmarks.md.

export type Verdict = 'met' | 'missed' | 'not measured';

/** The targets, in the order of the report, with their wording. */
export const TARGETS = {
  oneCallPerRefresh: 'exactly 1 Auth0 call per refresh, none to /userinfo',
  refreshNearFloor: 'refresh p50 at most 1.25 × the floor',
  refreshVsUpstream: "refresh p50 no worse than upstream's",
  survival:
    'sessions surviving N concurrent refreshes with rotation on (N = 2, 5, 10, 20, 50): 100%',
  resolutionScaling: 'resolution at 100,000 users at most 1.3 × that at 1,000',
} as const;

export type TargetId = keyof typeof TARGETS;

export const FLOOR_FACTOR = 1.25;
export const RESOLUTION_FACTOR = 1.3;
export const RESOLUTION_SIZES = { from: 1_000, to: 100_000 } as const;

type Calls = {
  refreshes: number;
  token: number;
  userinfo: number;
  jwks: number;
};

type Resolution = {
  users: number;
  /** Callback p50 less the token endpoint's p50, ms: what is judged. */
  beyondAuth0: number;
  callbackP50: number;
  lookupP50: number;
};

export type Judgement = { verdict: Verdict } & (
  | { target: 'oneCallPerRefresh'; ours: Calls; theirs: Calls }
  | {
      target: 'refreshNearFloor';
      /** This module's refresh p50 and floor p50, ms. */
      p50: number;
      floor: number;
      /** FLOOR_FACTOR × floor, ms. */
      limit: number;
      /** p50 less floor, ms, for both modules. */
      aboveFloor: number;
      theirAboveFloor: number;
      ratio: number;
      theirRatio: number;
      /** p50 less limit, ms (negative when met). */
      excess: number;
    }
  | {
      target: 'refreshVsUpstream';
      p50: number;
      theirP50: number;
      perSecond: number;
      theirPerSecond: number;
      /** p50 less upstream's, ms (negative when faster). */
      excess: number;
    }
  | {
      target: 'survival';
      ours: Array<{ concurrent: number; survived: number; trials: number }>;
      theirs: Array<{ concurrent: number; survived: number; trials: number }>;
    }
  | {
      target: 'resolutionScaling';
      /** Sizes the run measured; `from`/`to` are absent when it left 1,000 or 100,000 out. */
      sizes: number[];
      from?: Resolution;
      to?: Resolution;
      theirFrom?: Resolution;
      theirTo?: Resolution;
      /** to.beyondAuth0 ÷ from.beyondAuth0, judged against RESOLUTION_FACTOR. */
      ratio?: number;
      /** to.beyondAuth0 less RESOLUTION_FACTOR × from.beyondAuth0, ms. */
      excess?: number;
    }
);

const verdict = (met: boolean): Verdict => (met ? 'met' : 'missed');

const callsOf = (module: Pooled): Calls => ({
  refreshes: module.refreshes,
  token: module.refreshCalls.token,
  userinfo: module.refreshCalls.userinfo,
  jwks: module.refreshCalls.jwks,
});

const survivalOf = (module: Pooled) =>
  module.survival.map(({ concurrent, survived, trials }) => ({
    concurrent,
    survived,
    trials,
  }));

function resolutionAt(module: Pooled, users: number): Resolution | undefined {
  const entry = module.resolution.find(r => r.users === users);
  return entry
    ? {
        users,
        beyondAuth0: entry.beyondAuth0,
        callbackP50: entry.callback.p50,
        lookupP50: entry.lookup.p50,
      }
    : undefined;
}

/** Every target of TARGETS, in that order, judged on this run's numbers. */
export function judgeTargets(
  { ours, theirs }: Comparison,
  catalogSizes: number[],
): Judgement[] {
  const calls = callsOf(ours);
  const limit = FLOOR_FACTOR * ours.floor.p50;
  const from = resolutionAt(ours, RESOLUTION_SIZES.from);
  const to = resolutionAt(ours, RESOLUTION_SIZES.to);
  const ratio = from && to ? to.beyondAuth0 / from.beyondAuth0 : undefined;
  let resolutionVerdict: Verdict = 'not measured';
  if (ratio !== undefined) {
    resolutionVerdict = verdict(ratio <= RESOLUTION_FACTOR);
  }

  return [
    {
      target: 'oneCallPerRefresh',
      verdict: verdict(
        calls.token === calls.refreshes &&
          calls.userinfo === 0 &&
          calls.jwks === 0,
      ),
      ours: calls,
      theirs: callsOf(theirs),
    },
    {
      target: 'refreshNearFloor',
      verdict: verdict(ours.sequential.p50 <= limit),
      p50: ours.sequential.p50,
      floor: ours.floor.p50,
      limit,
      aboveFloor: ours.sequential.p50 - ours.floor.p50,
      theirAboveFloor: theirs.sequential.p50 - theirs.floor.p50,
      ratio: ours.sequential.p50 / ours.floor.p50,
      theirRatio: theirs.sequential.p50 / theirs.floor.p50,
      excess: ours.sequential.p50 - limit,
    },
    {
      target: 'refreshVsUpstream',
      verdict: verdict(ours.sequential.p50 <= theirs.sequential.p50),
      p50: ours.sequential.p50,
      theirP50: theirs.sequential.p50,
      perSecond: ours.perSecond,
      theirPerSecond: theirs.perSecond,
      excess: ours.sequential.p50 - theirs.sequential.p50,
    },
    {
      target: 'survival',
      verdict: verdict(
        ours.survival.length > 0 &&
          ours.survival.every(run => run.survived === run.trials),
      ),
      ours: survivalOf(ours),
      theirs: survivalOf(theirs),
    },
    {
      target: 'resolutionScaling',
      verdict: resolutionVerdict,
      sizes: catalogSizes,
      from,
      to,
      theirFrom: resolutionAt(theirs, RESOLUTION_SIZES.from),
      theirTo: resolutionAt(theirs, RESOLUTION_SIZES.to),
      ratio,
      excess:
        from && to
          ? to.beyondAuth0 - RESOLUTION_FACTOR * from.beyondAuth0
          : undefined,
    },
  ];
}
