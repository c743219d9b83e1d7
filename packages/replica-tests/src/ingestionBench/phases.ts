import type { ProviderEvent } from './backendLog';
import { Sample, summarizeSamples } from './processMemory';
import type { Phase } from './results';

/** What the client saw besides the provider's log: when it triggered, processed, served. */
export type ClientMoments = {
  triggeredAt: number;
  /** When the catalog's database first had every user processed. */
  processedAt?: number;
  /** When the catalog API first counted every user. */
  servedAt?: number;
};

type Kind = ProviderEvent['kind'];
type EventOf<K extends Kind> = Extract<ProviderEvent, { kind: K }>;

/** The first event of a kind (the last one for `exportUsersRead`, which ends with the total). */
export function eventOf<K extends Kind>(
  events: ProviderEvent[],
  kind: K,
): EventOf<K> | undefined {
  const matching = events.filter(
    (event): event is EventOf<K> => event.kind === kind,
  );
  return kind === 'exportUsersRead' ? matching.pop() : matching[0];
}

/**
 * The run cut at every moment seen, in order: the provider's steps (from its log lines'
 * timestamps), then the catalog's. A moment not seen (a step the config leaves out, or a run
 * that failed) joins its phase to the next one.
 */
export function phasesOf(
  events: ProviderEvent[],
  moments: ClientMoments,
  samples: Sample[],
): Phase[] {
  const cuts: Array<{ name: string; at: number | undefined }> = [
    { name: 'scheduler: from the trigger to the run', at: moments.triggeredAt },
    {
      name: 'user export job: token, create, wait for it',
      at: eventOf(events, 'runStarted')?.at,
    },
    {
      name: 'export file: download, gunzip, parse',
      at: eventOf(events, 'exportCompleted')?.at,
    },
    {
      name: 'roles and their users',
      at: eventOf(events, 'exportUsersRead')?.at,
    },
    {
      name: 'organizations and their members',
      at: eventOf(events, 'rolesRead')?.at,
    },
    {
      name: 'names, transformers, memberships',
      at: eventOf(events, 'organizationsRead')?.at,
    },
    { name: 'applyMutation (full)', at: eventOf(events, 'built')?.at },
    {
      name: 'catalog: until every user is processed',
      at: eventOf(events, 'committed')?.at,
    },
    {
      name: 'catalog: then until the API serves every user',
      at: moments.processedAt,
    },
    { name: 'end', at: moments.servedAt },
  ];
  // Moments not seen are left out, and so is one seen out of order (a sampled moment a
  // little after the next logged one), which would give a negative phase.
  const seen: Array<{ name: string; at: number }> = [];
  for (const { name, at } of cuts) {
    if (
      at !== undefined &&
      (seen.length === 0 || at >= seen[seen.length - 1].at)
    ) {
      seen.push({ name, at });
    }
  }
  const phases: Phase[] = [];
  for (let index = 0; index + 1 < seen.length; index++) {
    const from = seen[index].at;
    const to = seen[index + 1].at;
    const summary = summarizeSamples(samples, from, to);
    phases.push({
      name: seen[index].name,
      seconds: (to - from) / 1000,
      ...(summary && {
        peakRss: summary.peakRss,
        cores: summary.cores,
        machineBusy: summary.machineBusy,
      }),
    });
  }
  return phases;
}
