import type { IngestionResult, SizeResult } from '../results';

/** A made-up size, with round numbers, for the report's tests. */
export function sizeResult(overrides: Partial<SizeResult> = {}): SizeResult {
  return {
    syntheticUsers: 100_000,
    outcome: 'served',
    auth0Users: 100_013,
    catalogUsers: 95_000,
    leftOut: '3000 unverified, 2013 blocked',
    roles: 4,
    organizations: 2,
    entities: 95_006,
    startDelaySeconds: 3,
    providerSeconds: 60,
    processedSeconds: 400,
    servedSeconds: 500,
    phases: [
      {
        name: 'applyMutation (full)',
        seconds: 20,
        peakRss: 900e6,
        cores: 0.5,
        machineBusy: 0.75,
      },
      { name: 'roles and their users', seconds: 0.1 },
    ],
    memory: {
      baselineRss: 500e6,
      peakRss: 1_200e6,
      peakReset: true,
      sampledPeakRss: 1_190e6,
      providerPeakRss: 900e6,
      endRss: 1_100e6,
    },
    managementCalls: { usersExports: 1, job: 3, roleUsers: 250 },
    ...overrides,
  };
}

export function ingestionResult(sizes: SizeResult[]): IngestionResult {
  return {
    facts: {
      cpus: 2,
      cpuModel: 'Test CPU',
      memoryGiB: 24,
      node: 'v22.0.0',
      backstageRelease: '1.57.0',
      postgres: 'PostgreSQL 15.0',
      catalogBackend: '@backstage/plugin-catalog-backend 4.0.5',
      thisModule:
        '@backstage-auth0/plugin-catalog-backend-module-auth0 0.1.0 (this repo)',
      source: 'commit abc1234',
      loadAverageAtStart: '1.00 / 1.00 / 1.00',
    },
    startedAt: '2026-12-01T10:00:00.000Z',
    minutes: 12.4,
    loadAverageAtEnd: '2.00 / 1.50 / 1.20',
    sampleIntervalMs: 250,
    sizes,
  };
}
