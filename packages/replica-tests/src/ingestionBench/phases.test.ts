import type { ProviderEvent } from './backendLog';
import { eventOf, phasesOf } from './phases';
import type { Sample } from './processMemory';

const t = (seconds: number) => 1_000_000 + seconds * 1000;

const run: ProviderEvent[] = [
  { at: t(2), kind: 'runStarted' },
  { at: t(2.1), kind: 'exportCreated' },
  { at: t(5), kind: 'exportCompleted' },
  { at: t(6), kind: 'exportUsersRead', users: 10_000 },
  { at: t(7), kind: 'exportUsersRead', users: 10_013 },
  { at: t(8), kind: 'rolesRead', roles: 4 },
  { at: t(9), kind: 'organizationsRead', organizations: 2 },
  {
    at: t(10),
    kind: 'built',
    users: 9_519,
    leftOut: '',
    roles: 4,
    organizations: 2,
    readSeconds: 8,
    entities: 9_525,
  },
  { at: t(12), kind: 'committed', entities: 9_525, seconds: 2 },
];

const sample = (seconds: number, rss: number): Sample => ({
  at: t(seconds),
  rss,
  peakRss: rss,
  cpuSeconds: seconds / 2,
  machine: { busy: seconds, total: 2 * seconds },
});

describe('eventOf', () => {
  it('takes the first event of a kind, but the last count of the export', () => {
    expect(eventOf(run, 'runStarted')?.at).toBe(t(2));
    expect(eventOf(run, 'exportUsersRead')).toMatchObject({ users: 10_013 });
    expect(eventOf(run, 'failed')).toBeUndefined();
  });
});

describe('phasesOf', () => {
  it('cuts the run at every moment seen, with the samples of each phase', () => {
    const samples = [0, 3, 6, 11, 11.5, 20, 30].map(s =>
      sample(s, s === 11.5 ? 900 : 100 + s),
    );
    const phases = phasesOf(
      run,
      { triggeredAt: t(0), processedAt: t(20), servedAt: t(30) },
      samples,
    );
    expect(phases.map(phase => [phase.name, phase.seconds])).toEqual([
      ['scheduler: from the trigger to the run', 2],
      ['user export job: token, create, wait for it', 3],
      ['export file: download, gunzip, parse', 2],
      ['roles and their users', 1],
      ['organizations and their members', 1],
      ['names, transformers, memberships', 1],
      ['applyMutation (full)', 2],
      ['catalog: until every user is processed', 8],
      ['catalog: then until the API serves every user', 10],
    ]);
    expect(phases[6]).toEqual({
      name: 'applyMutation (full)',
      seconds: 2,
      peakRss: 900,
      cores: 0.5,
      machineBusy: 0.5,
    });
    // No sample between 7 and 8 s: the phase has its time and nothing else.
    expect(phases[3]).toEqual({ name: 'roles and their users', seconds: 1 });
  });

  it('joins a phase whose end was not seen to the next one', () => {
    const phases = phasesOf(
      run.filter(
        event => event.kind !== 'rolesRead' && event.kind !== 'committed',
      ),
      { triggeredAt: t(0), servedAt: t(30) },
      [],
    );
    expect(phases.map(phase => [phase.name, phase.seconds])).toEqual([
      ['scheduler: from the trigger to the run', 2],
      ['user export job: token, create, wait for it', 3],
      ['export file: download, gunzip, parse', 2],
      ['roles and their users', 2],
      ['names, transformers, memberships', 1],
      ['applyMutation (full)', 20],
    ]);
  });

  it('ends at the last moment seen when the run failed', () => {
    const phases = phasesOf(
      [
        { at: t(2), kind: 'runStarted' },
        { at: t(4), kind: 'failed', message: 'Auth0 answered 503' },
      ],
      { triggeredAt: t(0) },
      [],
    );
    expect(phases).toEqual([
      { name: 'scheduler: from the trigger to the run', seconds: 2 },
    ]);
  });
});
