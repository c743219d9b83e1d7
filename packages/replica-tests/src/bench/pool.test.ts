import { smallRun } from './__fixtures__/smallRun';
import { compareModules, poolBreakdown } from './pool';

describe('compareModules', () => {
  it('pools both passes of each module into numbers', () => {
    const { ours, theirs } = compareModules(smallRun());
    expect(ours.floor.p50).toBe(20);
    expect(ours.sequential).toEqual({ count: 4, p50: 30, p95: 40, max: 40 });
    expect(ours.perSecond).toBe(8);
    expect(theirs.perSecond).toBe(10);
    expect(ours.refreshes).toBe(14);
    expect(ours.refreshCalls).toEqual({
      token: 14,
      userinfo: 0,
      jwks: 0,
      discovery: 0,
    });
    expect(theirs.userinfoPerUserMinute).toBe(0.5);
    expect(ours.transactionsPerRefresh).toEqual({ auth: 3, catalog: 1 });
    expect(ours.survival).toEqual([
      { concurrent: 2, trials: 6, survived: 6, answered: 12, tokenCalls: 6 },
    ]);
    expect(ours.perPass).toEqual([
      { sequentialP50: 30, perSecond: 8 },
      { sequentialP50: 30, perSecond: 8 },
    ]);
    expect(
      ours.resolution.map(({ users, beyondAuth0, lookup }) => ({
        users,
        beyondAuth0,
        lookupP50: lookup.p50,
      })),
    ).toEqual([
      { users: 1_000, beyondAuth0: 20, lookupP50: 4 },
      { users: 100_000, beyondAuth0: 30, lookupP50: 6 },
    ]);
  });
});

describe('poolBreakdown', () => {
  it('pools the spans of every pass per refresh, summing the round trips of each', () => {
    const { ours } = compareModules(smallRun());
    expect(ours.breakdown).toEqual({
      refreshes: 4,
      made: 4,
      client: { p50: 30, mean: 35 },
      module: { p50: 20, mean: 25 },
      outsideModule: 10,
      parts: [
        { name: 'auth0.refresh.cookie', p50: 1, mean: 1, perRefresh: 1 },
        {
          name: 'auth0.refresh.coordination',
          p50: 4,
          mean: 6,
          perRefresh: 2.5,
        },
        {
          name: 'auth0.refresh.token_request',
          p50: 10,
          mean: 12,
          perRefresh: 1,
        },
        { name: 'auth0.refresh.resolve', p50: 2, mean: 2.5, perRefresh: 1 },
        {
          name: 'auth0.refresh.ownership',
          nestedIn: 'auth0.refresh.resolve',
          p50: 0.5,
          mean: 0.5,
          perRefresh: 1,
        },
        { name: 'auth0.refresh.issue_token', p50: 1, mean: 1.5, perRefresh: 1 },
      ],
      dbSteps: [
        { name: 'claim', p50: 2, mean: 2, perRefresh: 1 },
        { name: 'store', p50: 2, mean: 2, perRefresh: 1 },
        // Only every other refresh waited: the others count 0 ms.
        { name: 'wait', p50: 0, mean: 2, perRefresh: 0.5 },
      ],
      unaccounted: { p50: 2, mean: 2 },
    });
  });

  it('is undefined for a module without spans and for runs from before them', () => {
    const run = smallRun();
    expect(compareModules(run).theirs.breakdown).toBeUndefined();
    const before = run.modules['this-repo'].passes.map(pass => ({
      ...pass,
      refresh: { ...pass.refresh, spans: undefined },
    }));
    expect(poolBreakdown(before)).toBeUndefined();
  });

  it('puts span names it does not know after the known ones', () => {
    const [pass] = smallRun().modules['this-repo'].passes;
    pass.refresh.spans = [
      {
        totalMs: 5,
        coveredMs: 5,
        steps: {
          'auth0.refresh.zzz': { ms: 3, count: 1 },
          'auth0.refresh.cookie': { ms: 2, count: 1 },
        },
        dbSteps: {},
      },
    ];
    expect(poolBreakdown([pass])?.parts.map(part => part.name)).toEqual([
      'auth0.refresh.cookie',
      'auth0.refresh.zzz',
    ]);
  });
});
