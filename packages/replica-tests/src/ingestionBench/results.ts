// What one `yarn bench:ingestion` run records. main.ts keeps it as JSON in the system's
// temporary folder; render.ts makes the tables of docs/benchmarks.md from it.

export type IngestionFacts = {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  backstageRelease: string;
  postgres: string;
  catalogBackend: string;
  thisModule: string;
  /** The commit, and whether the module differed from it when the run started. */
  source: string;
  loadAverageAtStart: string;
};

/** A stretch of the run between two moments the log or the client saw, with what it cost. */
export type Phase = {
  name: string;
  seconds: number;
  /** Highest sampled backend RSS in the phase, bytes. */
  peakRss?: number;
  /** Backend CPU time ÷ wall time (1 = one core busy throughout). */
  cores?: number;
  /** The machine's busy share over the phase, 0 to 1 (2 cores: 0.5 = one core's worth). */
  machineBusy?: number;
};

export type SizeResult = {
  /** The dev server's synthetic users (its fixture users come on top). */
  syntheticUsers: number;
  outcome: 'served' | 'failed' | 'timed out';
  /** What went wrong, when the outcome is not `served`. */
  failure?: string;
  /** Users in the export file: the synthetic ones and the dev server's fixture users. */
  auth0Users?: number;
  /** Users the provider committed (Auth0's users less those it left out). */
  catalogUsers?: number;
  /** What the provider left out, as it logs it (`2014 blocked, 2993 unverified`). */
  leftOut?: string;
  roles?: number;
  organizations?: number;
  entities?: number;
  /** From the trigger to the provider's first log line of the run, s. */
  startDelaySeconds?: number;
  /** From the run's first log line to `Committed … entities`, s: read, build and applyMutation. */
  providerSeconds?: number;
  /** From the run's first log line until the catalog API counts every committed user, s. */
  servedSeconds?: number;
  /** From the run's first log line until the catalog database had processed every user, s. */
  processedSeconds?: number;
  phases: Phase[];
  memory: {
    /** VmRSS just before the trigger, bytes. */
    baselineRss: number;
    /** VmHWM at the end (reset to the baseline at the trigger), bytes. */
    peakRss: number;
    /** Whether the kernel let the peak be reset at the trigger; if not, peakRss is sampled. */
    peakReset: boolean;
    /** The highest sampled VmRSS (every SAMPLE_INTERVAL_MS), bytes. */
    sampledPeakRss: number;
    /** Highest sampled VmRSS from the trigger until `Committed … entities`, bytes. */
    providerPeakRss?: number;
    /** VmRSS once every user is served, bytes. */
    endRss: number;
  };
  /** Management API requests of the run, by endpoint (the dev server's counters). */
  managementCalls: Record<string, number>;
  /** Rows of the catalog's tables once every user was served. */
  catalogRows?: Record<string, number>;
};

export type IngestionResult = {
  facts: IngestionFacts;
  startedAt: string;
  minutes: number;
  loadAverageAtEnd: string;
  sampleIntervalMs: number;
  /** Extra environment the backend ran with (--backend-env), when the run set any. */
  backendEnv?: Record<string, string>;
  sizes: SizeResult[];
};
