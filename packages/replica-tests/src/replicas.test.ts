import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
} from '@internal/auth0-dev-server/process';
import type { Browser } from '@internal/auth0-dev-server/browser';
import {
  ANY_LOCAL_CALLBACK,
  dropDatabasesWithPrefix,
  LOCAL_POSTGRES,
  waitForCatalogUser,
} from '@internal/test-harness';
import { Client } from 'pg';
import { Cluster, startCluster } from './cluster';
import { uniqueDatabasePrefix } from './databases';
import { runBounded, waitFor } from './load';
import {
  CATALOG_PEOPLE,
  refresh,
  RefreshOutcome,
  signIn,
  SignInOutcome,
} from './sessions';

jest.setTimeout(120_000);

/**
 * Two replicas of the backend in production mode (PostgreSQL, Redis cache, this repo's
 * Auth0 module) behind HAProxy (round robin), with the local Auth0 dev server.
 */
describe('two replicas behind HAProxy', () => {
  let auth0: Auth0DevServerProcess;
  let cluster: Cluster;
  const databasePrefix = uniqueDatabasePrefix('test');
  const browsers: Browser[] = [];

  const signInPeople = async (count: number, concurrency = 6) => {
    const outcomes = await runBounded({
      count,
      concurrency,
      deadlineMs: 90_000,
      task: async index => {
        const outcome = await signIn(
          cluster,
          auth0.caFile,
          CATALOG_PEOPLE[index % CATALOG_PEOPLE.length],
        );
        browsers.push(outcome.browser);
        return outcome;
      },
    });
    return outcomes;
  };
  const failuresOf = (outcomes: SignInOutcome[]) =>
    outcomes.flatMap(outcome =>
      outcome.failure ? [`${outcome.user}: ${outcome.failure}`] : [],
    );

  beforeAll(async () => {
    auth0 = await startAuth0DevServerProcess({
      redirectUris: [ANY_LOCAL_CALLBACK],
    });
    cluster = await startCluster({
      auth0,
      databasePrefix,
      readinessTimeoutMs: 120_000,
    });
    for (const person of CATALOG_PEOPLE) {
      await waitForCatalogUser(cluster, person.user, {
        token: cluster.serviceToken,
      });
    }
  }, 240_000);

  afterEach(async () => {
    await auth0.admin.reset();
    await cluster.proxy.resetStats();
  });

  afterAll(async () => {
    await Promise.all(browsers.map(browser => browser.close()));
    await cluster?.stop();
    await auth0?.stop();
    await dropDatabasesWithPrefix(databasePrefix);
  });

  it('signs 200 people in and refreshes 2,000 times across both replicas without a failure', async () => {
    const signIns = await signInPeople(200, 8);
    expect(failuresOf(signIns)).toEqual([]);

    const sessions = signIns.slice(0, 40);
    const perSession = 50;
    const refreshes = (
      await runBounded({
        count: sessions.length,
        concurrency: 8,
        deadlineMs: 90_000,
        task: async index => {
          const outcomes: RefreshOutcome[] = [];
          for (let i = 0; i < perSession; i++) {
            outcomes.push(await refresh(sessions[index].browser, cluster));
          }
          return outcomes.map(outcome => ({
            ...outcome,
            expected: CATALOG_PEOPLE[index % CATALOG_PEOPLE.length],
          }));
        },
      })
    ).flat();

    expect(refreshes).toHaveLength(2_000);
    const failed = refreshes.filter(
      outcome =>
        outcome.status !== 200 ||
        outcome.userEntityRef !== outcome.expected.userEntityRef,
    );
    expect(failed.map(outcome => outcome.error ?? outcome.status)).toEqual([]);

    const answeredBy = Object.values((await cluster.proxy.stats()).answeredBy);
    expect(answeredBy).toHaveLength(2);
    const total = answeredBy.reduce((sum, count) => sum + count, 0);
    for (const count of answeredBy) {
      expect(count / total).toBeGreaterThan(0.4);
    }

    const { endpoints } = await auth0.admin.counters();
    expect(endpoints.token.byStatus).toEqual({ 200: 2_200 });
    expect(endpoints.userinfo.requests).toBe(0);
  });

  it('accepts a Backstage token and a session that one replica issued on the other', async () => {
    const [replicaA, replicaB] = cluster.replicas();
    const [outcome] = await signInPeople(1);
    expect(outcome.failure).toBeUndefined();

    const fromA = await refresh(outcome.browser, replicaA);
    expect(fromA.status).toBe(200);
    const fromB = await refresh(outcome.browser, replicaB);
    expect(fromB.status).toBe(200);
    expect(fromB.userEntityRef).toBe('user:default/chris');

    for (const [token, replica] of [
      [fromA.token, replicaB],
      [fromB.token, replicaA],
    ] as const) {
      const response = await fetch(
        `${replica.baseUrl}/api/catalog/entities/by-name/user/default/chris`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(response.status).toBe(200);
    }
  });

  it('fails only the requests in flight to a replica that is killed, and recovers when it restarts', async () => {
    const sessions = await signInPeople(6);
    expect(failuresOf(sessions)).toEqual([]);
    await cluster.proxy.resetStats();

    const killedIndex = 1;
    const killedOrigin = `http://127.0.0.1:${
      cluster.replicas()[killedIndex].port
    }`;
    let exitedAt = Number.POSITIVE_INFINITY;
    let stop = false;
    const outcomes: Array<RefreshOutcome & { session: number }> = [];

    // Each session refreshes in turn, as an open tab does, until told to stop. A session
    // that is refused (401) is signed out: like the app, it stops refreshing.
    const load = runBounded({
      count: sessions.length,
      concurrency: sessions.length,
      deadlineMs: 5_000,
      task: async session => {
        for (let i = 0; i < 500 && !stop; i++) {
          const outcome = await refresh(sessions[session].browser, cluster);
          outcomes.push({ ...outcome, session });
          if (outcome.status === 401) return;
        }
      },
    });

    await waitFor(
      'refreshes before the kill',
      async () => (outcomes.length >= 60 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 10 },
    );
    await cluster.kill(killedIndex);
    exitedAt = Date.now();
    await cluster.restart(killedIndex);
    const answeredAtRestart = (await cluster.proxy.stats()).answeredBy[
      killedOrigin
    ];
    const okBeforeRestartChecks = outcomes.filter(o => o.status === 200).length;
    await waitFor(
      'refreshes answered by the restarted replica',
      async () =>
        (await cluster.proxy.stats()).answeredBy[killedOrigin] -
          answeredAtRestart >=
        30
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 10 },
    );
    stop = true;
    await load;

    const failed = outcomes.filter(outcome => outcome.status !== 200);
    // Requests cut by the kill: HAProxy answers 502, or (a request that was not the first on
    // its keep-alive connection) closes the connection without an answer: status 0.
    const cut = failed.filter(outcome => [0, 502].includes(outcome.status));
    const refused = failed.filter(outcome => !cut.includes(outcome));
    // eslint-disable-next-line no-console
    console.log(
      `kill: ${outcomes.length} refreshes, ${cut.length} cut in flight (${cut
        .map(o =>
          o.status ? `${o.status} ${o.error?.name}` : o.error?.message,
        )
        .join('; ')}), ${refused.length} ` +
        `refused afterwards (sessions whose refresh was cut after Auth0 rotated its token); ` +
        `HAProxy: ${JSON.stringify(await cluster.proxy.stats())}`,
    );

    for (const failure of cut) {
      expect(failure.startedAt).toBeLessThanOrEqual(exitedAt);
    }
    expect(cut.length).toBeLessThanOrEqual(sessions.length);
    // Afterwards, only a session whose refresh was cut may be refused: when the kill fell
    // between Auth0's answer and the replica storing it, Auth0 has rotated the token the
    // cookie still holds, and presenting it again revokes the family (invalid_grant).
    for (const failure of refused) {
      const cutBefore = cut.find(
        earlier =>
          earlier.session === failure.session &&
          earlier.endedAt <= failure.startedAt,
      );
      expect(cutBefore).toBeDefined();
      expect(failure.status).toBe(401);
      expect(failure.error?.message).toContain('invalid_grant');
    }
    expect(outcomes.filter(o => o.status === 200).length).toBeGreaterThan(
      okBeforeRestartChecks,
    );

    // Those people sign in again, on a cluster whose replicas both answer.
    const lost = [...new Set(refused.map(outcome => outcome.session))];
    const again = await Promise.all(
      lost.map(session =>
        signIn(
          cluster,
          auth0.caFile,
          CATALOG_PEOPLE[session % CATALOG_PEOPLE.length],
        ),
      ),
    );
    again.forEach(outcome => browsers.push(outcome.browser));
    expect(failuresOf(again)).toEqual([]);
  });

  it('keeps the backend ready through a 30-second Auth0 outage and signs people in again without a restart', async () => {
    const sessions = await signInPeople(3);
    expect(failuresOf(sessions)).toEqual([]);
    const replicasBefore = cluster.replicas();

    await auth0.admin.refuseConnections();
    const outageEnds = Date.now() + 30_000;
    const during: RefreshOutcome[] = [];
    const readiness: number[] = [];
    for (let round = 0; round < 60 && Date.now() < outageEnds; round++) {
      for (const session of sessions) {
        during.push(await refresh(session.browser, cluster));
      }
      for (const replica of cluster.replicas()) {
        readiness.push(
          (await fetch(`${replica.baseUrl}/.backstage/health/v1/readiness`))
            .status,
        );
      }
      // Paces the probes over the outage; nothing waits on it.
      await new Promise(resolve =>
        setTimeout(
          resolve,
          Math.min(1_000, Math.max(0, outageEnds - Date.now())),
        ),
      );
    }
    await auth0.admin.acceptConnections();
    const backAt = Date.now();

    expect(during.length).toBeGreaterThan(60);
    for (const outcome of during) {
      // 503, not 401: the app keeps the person signed in and retries.
      expect(outcome.status).toBe(503);
      expect(outcome.error?.name).toBe('Auth0UnavailableError');
      expect(outcome.error?.message).toMatch(
        /^Auth0 is unreachable or failing \(could not connect to https:\/\/localhost:\d+\/oauth\/token: ECONNREFUSED\)/,
      );
      // Refused at once, not after a timeout.
      expect(outcome.ms).toBeLessThan(2_000);
    }
    expect(new Set(readiness)).toEqual(new Set([200]));

    // No session was lost: each refreshes at its first attempt after Auth0 is back, on
    // whichever replica answers, with no failure left over from the outage.
    const afterOutage = await Promise.all(
      sessions.map(session => refresh(session.browser, cluster)),
    );
    expect(afterOutage.map(outcome => outcome.status)).toEqual(
      sessions.map(() => 200),
    );
    expect(afterOutage.map(outcome => outcome.userEntityRef)).toEqual(
      sessions.map(session => `user:default/${session.user}`),
    );
    const afterwards = await signInPeople(4);
    expect(failuresOf(afterwards)).toEqual([]);
    // eslint-disable-next-line no-console
    console.log(
      `outage: ${during.length} refreshes answered ${during[0].status}; every session ` +
        `refreshed again ${Date.now() - backAt} ms after Auth0 came back`,
    );
    expect(cluster.replicas()).toEqual(replicasBefore);
  });

  it('loses no session when a replica is stopped with SIGTERM while its refreshes wait on Auth0', async () => {
    await auth0.admin.setRefreshTokenRotation(true);
    const sessions = await signInPeople(4);
    expect(failuresOf(sessions)).toEqual([]);
    await auth0.admin.setLatency({ token: 2_000 });
    const stoppingIndex = 1;
    const stopping = cluster.replicas()[stoppingIndex];

    const inFlight = Promise.all(
      sessions.map(session => refresh(session.browser, stopping)),
    );
    await waitFor(
      'every refresh holding its lease at the stopping replica',
      async () =>
        (await pendingRefreshes(databasePrefix)) >= sessions.length
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    const stopped = stopping.stop();
    const outcomes = await inFlight;
    await stopped;
    expect(outcomes.map(outcome => outcome.error ?? outcome.status)).toEqual(
      sessions.map(() => 200),
    );

    await auth0.admin.setLatency({ token: 0 });
    await cluster.restart(stoppingIndex);
    for (const session of sessions) {
      const after = await refresh(session.browser, cluster);
      expect(after.status).toBe(200);
      expect(after.userEntityRef).toBe(`user:default/${session.user}`);
    }
  });

  it('makes one Auth0 call for 10 concurrent refreshes of one session on both replicas, with rotation on', async () => {
    await auth0.admin.setRefreshTokenRotation(true);
    const [session] = await signInPeople(1);
    expect(session.failure).toBeUndefined();
    await auth0.admin.resetCounters();
    await cluster.proxy.resetStats();

    // HAProxy's roundrobin with equal, fixed weights (no slowstart, no agent checks) hands
    // consecutive requests to the two replicas in turn while both are UP; nothing else goes
    // through it meanwhile (health checks do not), so 10 requests are exactly 5 and 5.
    const refreshes = await Promise.all(
      Array.from({ length: 10 }, () => refresh(session.browser, cluster)),
    );
    expect(refreshes.map(outcome => outcome.status)).toEqual(
      Array(10).fill(200),
    );
    expect(Object.values((await cluster.proxy.stats()).answeredBy)).toEqual([
      5, 5,
    ]);
    const { users } = await auth0.admin.counters();
    expect(users['auth0|chris'].requests.token).toBe(1);

    const after = await refresh(session.browser, cluster);
    expect(after.status).toBe(200);
    expect(after.userEntityRef).toBe('user:default/chris');
  });
});

/** Refreshes whose replica is asking Auth0 now: rows of the coordination table in the auth database. */
async function pendingRefreshes(databasePrefix: string): Promise<number> {
  const client = new Client({
    ...LOCAL_POSTGRES,
    database: `${databasePrefix}auth`,
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT count(*)::int AS pending FROM auth0_refresh_results WHERE status = 'pending'",
    );
    return rows[0].pending;
  } finally {
    await client.end();
  }
}
