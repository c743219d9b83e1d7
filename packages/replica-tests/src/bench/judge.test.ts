import { smallRun } from './__fixtures__/smallRun';
import { judgeTargets, TARGETS } from './judge';
import { compareModules } from './pool';

describe('judgeTargets', () => {
  const run = smallRun();
  const judgements = judgeTargets(compareModules(run), run.catalogSizes);
  const judged = <T extends keyof typeof TARGETS>(target: T) =>
    judgements.find(judgement => judgement.target === target)!;

  it('judges every target, in the report order', () => {
    expect(judgements.map(j => [j.target, j.verdict])).toEqual([
      ['oneCallPerRefresh', 'met'],
      ['refreshNearFloor', 'missed'],
      ['refreshVsUpstream', 'missed'],
      ['survival', 'met'],
      ['resolutionScaling', 'missed'],
    ]);
    expect(judgements.map(j => j.target)).toEqual(Object.keys(TARGETS));
  });

  it('counts the Auth0 calls of both modules', () => {
    expect(judged('oneCallPerRefresh')).toEqual({
      target: 'oneCallPerRefresh',
      verdict: 'met',
      ours: { refreshes: 14, token: 14, userinfo: 0, jwks: 0 },
      theirs: { refreshes: 14, token: 14, userinfo: 2, jwks: 0 },
    });
  });

  it('compares the refresh with 1.25 × the floor and with upstream', () => {
    const floor = judged('refreshNearFloor');
    expect(floor).toMatchObject({
      p50: 30,
      floor: 20,
      aboveFloor: 10,
      theirAboveFloor: 6,
      ratio: 1.5,
      theirRatio: 1.3,
    });
    expect(floor.target === 'refreshNearFloor' && floor.limit).toBeCloseTo(25);
    expect(floor.target === 'refreshNearFloor' && floor.excess).toBeCloseTo(5);
    expect(judged('refreshVsUpstream')).toEqual({
      target: 'refreshVsUpstream',
      verdict: 'missed',
      p50: 30,
      theirP50: 26,
      perSecond: 8,
      theirPerSecond: 10,
      excess: 4,
    });
  });

  it('judges survival on every N and resolution on the cost beyond Auth0', () => {
    expect(judged('survival')).toEqual({
      target: 'survival',
      verdict: 'met',
      ours: [{ concurrent: 2, survived: 6, trials: 6 }],
      theirs: [{ concurrent: 2, survived: 0, trials: 6 }],
    });
    expect(judged('resolutionScaling')).toEqual({
      target: 'resolutionScaling',
      verdict: 'missed',
      sizes: [1_000, 100_000],
      from: { users: 1_000, beyondAuth0: 20, callbackP50: 40, lookupP50: 4 },
      to: { users: 100_000, beyondAuth0: 30, callbackP50: 50, lookupP50: 6 },
      theirFrom: {
        users: 1_000,
        beyondAuth0: 30,
        callbackP50: 50,
        lookupP50: 4,
      },
      theirTo: {
        users: 100_000,
        beyondAuth0: 33,
        callbackP50: 53,
        lookupP50: 6,
      },
      ratio: 1.5,
      excess: 4,
    });
  });

  it('meets a target exactly at its limit, and leaves resolution unjudged without both sizes', () => {
    const comparison = compareModules(run);
    comparison.ours.sequential = { ...comparison.ours.sequential, p50: 23 };
    comparison.ours.resolution = comparison.ours.resolution.slice(0, 1);
    comparison.ours.survival = [];
    const [, floor, upstream, survival, resolution] = judgeTargets(comparison, [
      1_000,
    ]);
    expect(floor.verdict).toBe('met');
    expect(upstream.verdict).toBe('met');
    // No survival measured is no proof that sessions survive.
    expect(survival.verdict).toBe('missed');
    expect(resolution).toEqual({
      target: 'resolutionScaling',
      verdict: 'not measured',
      sizes: [1_000],
      from: expect.objectContaining({ users: 1_000 }),
      to: undefined,
      theirFrom: expect.objectContaining({ users: 1_000 }),
      theirTo: expect.objectContaining({ users: 100_000 }),
      ratio: undefined,
      excess: undefined,
    });
  });
});
