import { smallRun } from './__fixtures__/smallRun';
import { compareModules } from './pool';

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
