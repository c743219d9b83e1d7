import { createBrowser } from '@internal/auth0-dev-server/browser';
import type { Auth0DevServerProcess } from '@internal/auth0-dev-server/process';
import { BackendAddress } from '@internal/test-harness';
import { Cluster } from '../cluster';
import { percentile, runBounded } from '../load';
import { refresh, signIn, SignInOutcome } from '../sessions';
import { benchUserName } from './catalogUsers';

export type Auth0Admin = Auth0DevServerProcess['admin'];
type Counters = Awaited<ReturnType<Auth0Admin['counters']>>;

export type Stats = { count: number; p50: number; p95: number; max: number };

export function summarize(values: number[]): Stats {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** Calls the backend made to Auth0 (the browser's own requests to it are not counted). */
export type BackendCalls = {
  token: number;
  userinfo: number;
  jwks: number;
  discovery: number;
};

export function backendCalls(counters: Counters): BackendCalls {
  const requests = (endpoint: string) =>
    counters.endpoints[endpoint as keyof Counters['endpoints']]?.requests ?? 0;
  return {
    token: requests('token'),
    userinfo: requests('userinfo'),
    jwks: requests('jwks'),
    discovery: requests('discovery'),
  };
}

/** Hands out the dev server's generated users in turn, so no user meets Auth0's rate limit. */
export function benchPeople(count: number) {
  let next = 0;
  return () => {
    const user = benchUserName((next++ % count) + 1);
    return { user, userEntityRef: `user:default/${user}` };
  };
}

/**
 * The floor: refresh grants sent straight to the dev server's token endpoint, one after the
 * other, with the rotated token each time. No module can answer a refresh faster.
 */
export async function measureRefreshGrantFloor(options: {
  auth0: Pick<Auth0DevServerProcess, 'issuer' | 'clientId' | 'clientSecret'>;
  caFile: string;
  refreshToken: string;
  count: number;
}): Promise<{ times: number[]; failures: number }> {
  const client = createBrowser({ caFile: options.caFile });
  const times: number[] = [];
  let failures = 0;
  let refreshToken = options.refreshToken;
  try {
    for (let i = 0; i < options.count; i++) {
      const started = performance.now();
      const response = await client.request(
        `${options.auth0.issuer}oauth/token`,
        {
          method: 'POST',
          form: {
            grant_type: 'refresh_token',
            refresh_token: refreshToken,
            client_id: options.auth0.clientId,
            client_secret: options.auth0.clientSecret,
          },
          headers: { accept: 'application/json' },
        },
      );
      const elapsed = performance.now() - started;
      if (response.status !== 200) {
        failures++;
        continue;
      }
      times.push(elapsed);
      refreshToken = JSON.parse(response.body).refresh_token ?? refreshToken;
    }
  } finally {
    await client.close();
  }
  return { times, failures };
}

/** The refresh token a signed-in browser holds in the auth backend's cookie. */
export async function refreshTokenOf(
  outcome: SignInOutcome,
  backend: BackendAddress,
): Promise<string> {
  const cookies = await outcome.browser.cookies(
    `${backend.baseUrl}/api/auth/auth0/refresh`,
  );
  const match = /(?:^|;\s*)auth0-refresh-token=([^;]+)/.exec(cookies);
  if (!match) {
    throw new Error(
      'the signed-in browser holds no auth0-refresh-token cookie',
    );
  }
  return decodeURIComponent(match[1]);
}

/** Sign-ins one after the other, each with a fresh browser, timing the callback. */
export async function signInSequentially(options: {
  backend: BackendAddress;
  caFile: string;
  next: () => { user: string; userEntityRef: string };
  count: number;
}): Promise<{
  outcomes: SignInOutcome[];
  /** Callback times (ms) of the successful sign-ins. */
  callbacks: number[];
  failures: string[];
}> {
  const outcomes: SignInOutcome[] = [];
  for (let i = 0; i < options.count; i++) {
    outcomes.push(
      await signIn(options.backend, options.caFile, options.next()),
    );
  }
  const succeeded = outcomes.filter(outcome => !outcome.failure);
  return {
    outcomes,
    callbacks: succeeded.map(outcome => outcome.callbackMs),
    failures: outcomes.flatMap(outcome =>
      outcome.failure ? [`${outcome.user}: ${outcome.failure}`] : [],
    ),
  };
}

/** Refresh times (ms) of successful refreshes, the failures, and the run's duration. */
export type RefreshSamples = {
  times: number[];
  errors: string[];
  seconds: number;
};

/**
 * `total` refreshes spread over the sessions, at most `concurrency` at a time and never
 * two of one session at once (one tab per session).
 */
export async function refreshRun(options: {
  sessions: SignInOutcome[];
  backend: BackendAddress;
  total: number;
  concurrency: number;
}): Promise<RefreshSamples> {
  const { sessions, total, concurrency } = options;
  const perSession = Math.ceil(total / sessions.length);
  const times: number[] = [];
  const errors: string[] = [];
  const started = performance.now();
  await runBounded({
    count: sessions.length,
    concurrency,
    deadlineMs: 600_000,
    task: async index => {
      for (let i = 0; i < perSession; i++) {
        const outcome = await refresh(sessions[index].browser, options.backend);
        if (outcome.status === 200) {
          times.push(outcome.ms);
        } else {
          errors.push(
            `${outcome.status} ${outcome.error?.name}: ${outcome.error?.message}`,
          );
        }
      }
    },
  });
  return { times, errors, seconds: (performance.now() - started) / 1000 };
}

export type SurvivalRun = {
  concurrent: number;
  trials: number;
  /** Sessions whose next refresh, after the concurrent ones, still succeeded. */
  survived: number;
  /** Concurrent refreshes answered 200, of concurrent × trials. */
  answered: number;
  tokenCalls: number;
};

/**
 * For each trial a new session, then `concurrent` refreshes of it at once through
 * HAProxy (so spread over the replicas), then one more refresh: the session survived if it
 * succeeds. Refresh-token rotation must be on.
 */
export async function concurrentRefreshSurvival(options: {
  cluster: Cluster;
  caFile: string;
  admin: Auth0Admin;
  next: () => { user: string; userEntityRef: string };
  concurrent: number;
  trials: number;
}): Promise<SurvivalRun> {
  const { cluster, concurrent, trials } = options;
  let survived = 0;
  let answered = 0;
  let tokenCalls = 0;
  for (let trial = 0; trial < trials; trial++) {
    const session = await signIn(cluster, options.caFile, options.next());
    if (session.failure) {
      throw new Error(
        `sign-in for the survival trial failed: ${session.failure}`,
      );
    }
    try {
      const before = backendCalls(await options.admin.counters()).token;
      const outcomes = await Promise.all(
        Array.from({ length: concurrent }, () =>
          refresh(session.browser, cluster),
        ),
      );
      tokenCalls += backendCalls(await options.admin.counters()).token - before;
      answered += outcomes.filter(outcome => outcome.status === 200).length;
      const after = await refresh(session.browser, cluster);
      if (after.status === 200) survived++;
    } finally {
      await session.browser.close();
    }
  }
  return { concurrent, trials, survived, answered, tokenCalls };
}

/**
 * The resolver's catalog query on its own: the User with a given spec.profile.email, read
 * through HAProxy with a service token, for emails spread over the generated users.
 */
export async function catalogLookup(options: {
  cluster: Cluster;
  catalogUsers: number;
  count: number;
  /** Spreads the emails as lookup `offset + i` of `of` in all (`count` unless given). */
  offset?: number;
  of?: number;
}): Promise<{ times: number[]; misses: number }> {
  const times: number[] = [];
  let misses = 0;
  const of = options.of ?? options.count;
  for (let i = 0; i < options.count; i++) {
    const position = (options.offset ?? 0) + i;
    const index =
      1 + Math.floor(((position + 0.5) / of) * options.catalogUsers);
    const email = `${benchUserName(index)}@example.com`;
    const url = `${
      options.cluster.baseUrl
    }/api/catalog/entities?filter=${encodeURIComponent(
      `kind=User,spec.profile.email=${email}`,
    )}`;
    const started = performance.now();
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${options.cluster.serviceToken}` },
    });
    const body = await response.json();
    const elapsed = performance.now() - started;
    if (response.status === 200 && Array.isArray(body) && body.length === 1) {
      times.push(elapsed);
    } else {
      misses++;
    }
  }
  return { times, misses };
}

/** How many User entities the catalog serves. */
export async function catalogUserCount(cluster: Cluster): Promise<number> {
  const response = await fetch(
    `${cluster.baseUrl}/api/catalog/entities/by-query?filter=kind=user&limit=1`,
    { headers: { authorization: `Bearer ${cluster.serviceToken}` } },
  );
  if (!response.ok) {
    throw new Error(
      `the catalog answered ${response.status}: ${await response.text()}`,
    );
  }
  return (await response.json()).totalItems;
}
