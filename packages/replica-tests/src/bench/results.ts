import type { AuthModule } from '../cluster';
import type { MachineFacts } from './machine';
import type { BackendCalls, RefreshSamples, SurvivalRun } from './measurements';
import type { PageLoadSamples } from './pageLoad';
import type { RefreshSpans } from './traces';

// What one `yarn bench` run records: raw samples, before any pooling or judging. main.ts
// saves it as JSON in the system's temporary folder, and `yarn workspace
// @internal/replica-tests bench:report <file>` renders docs/benchmarks.md from such a file.

/** One measurement pass of one module on a fresh pair of replicas. */
export type ModulePass = {
  signIn: {
    count: number;
    callbacks: number[];
    failures: string[];
    calls: BackendCalls;
  };
  floor: { times: number[]; failures: number };
  refresh: {
    sequential: RefreshSamples;
    direct: RefreshSamples;
    load: RefreshSamples;
    calls: BackendCalls;
    /** Sessions refreshing × minutes they refreshed, for /userinfo calls per user per minute. */
    userMinutes: number;
    /** Committed transactions per plugin database during the one-at-a-time refreshes. */
    transactions: Record<string, number>;
    /**
     * The module's spans of those one-at-a-time refreshes (traces.ts), one entry per refresh
     * whose spans arrived; empty for a module without spans, absent in runs before spans.
     */
    spans?: RefreshSpans[];
  };
  survival: SurvivalRun[];
  /** Reloads of the signed-in app in Chromium; absent with BENCH_PAGE_LOAD=0 or in older runs. */
  pageLoad?: PageLoadSamples;
  loadAverage: string;
};

export type ResolutionPass = {
  users: number;
  /** Sign-in callbacks (code exchange, ID token, resolver, Backstage token), ms. */
  callbacks: number[];
  /** The dev server's token endpoint right after those sign-ins, ms. */
  floor: number[];
  /** The resolver's catalog query alone, by spec.profile.email, ms. */
  lookups: number[];
  lookupMisses: number;
  failures: string[];
};

export type ModuleResult = {
  module: AuthModule;
  passes: ModulePass[];
  resolution: ResolutionPass[];
};

export type BenchResult = {
  facts: MachineFacts;
  startedAt: string;
  minutes: number;
  loadAverageAtEnd: string;
  /** What the dev server added to every call, ms. */
  latencyMs: number;
  catalogSizes: number[];
  ingestion: Array<{ users: number; seconds: number; settledSeconds: number }>;
  modules: Record<AuthModule, ModuleResult>;
};
