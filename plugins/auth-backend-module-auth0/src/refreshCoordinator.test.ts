import { createHash } from 'node:crypto';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { LEASE_MS, RefreshCoordinator } from './refreshCoordinator';
import { Auth0TokenResponse } from './auth0Tokens';
import { Auth0RefusedError, Auth0UnavailableError } from './errors';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const logger = mockServices.logger.mock();

function coordinatorOn(database: Knex) {
  return RefreshCoordinator.create({ database, logger });
}

const hashOf = (token: string) =>
  createHash('sha256').update(token).digest('hex');

/** An exchange that Auth0 would answer once, held open until `release` is called. */
function gatedExchange(tokens: Auth0TokenResponse) {
  let release!: () => void;
  const gate = new Promise<void>(resolve => (release = resolve));
  const exchange = jest.fn(async () => {
    await gate;
    return tokens;
  });
  return { exchange, release };
}

describe.each(databases.eachSupportedId())('RefreshCoordinator on %p', id => {
  beforeEach(() => jest.clearAllMocks());

  it('makes one exchange for concurrent refreshes within a process', async () => {
    const coordinator = await coordinatorOn(await databases.init(id));
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    const { exchange, release } = gatedExchange(rotated);

    const results = Array.from({ length: 10 }, () =>
      coordinator.refreshOnce('rt-1', exchange),
    );
    release();
    await expect(Promise.all(results)).resolves.toEqual(
      Array(10).fill(rotated),
    );
    expect(exchange).toHaveBeenCalledTimes(1);
  });

  it('makes one exchange across replicas sharing the database', async () => {
    const database = await databases.init(id);
    const replicas = await Promise.all(
      [1, 2, 3].map(() => coordinatorOn(database)),
    );
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    const { exchange, release } = gatedExchange(rotated);

    const results = replicas.flatMap(replica =>
      [1, 2, 3].map(() => replica.refreshOnce('rt-1', exchange)),
    );
    // The other replicas are now polling the leader's row.
    release();
    await expect(Promise.all(results)).resolves.toEqual(Array(9).fill(rotated));
    expect(exchange).toHaveBeenCalledTimes(1);
  });

  it('takes the lease in one statement before calling Auth0 and stores the result in one after', async () => {
    const database = await databases.init(id);
    const coordinator = await coordinatorOn(database);
    const statements: string[] = [];
    database.on('query', (query: { sql: string }) => {
      // Not the removal of expired rows, which runs beside the exchange now and then.
      if (
        /auth0_refresh_results/.test(query.sql) &&
        !/^delete/i.test(query.sql)
      ) {
        statements.push(query.sql);
      }
    });
    let beforeExchange: string[] = [];
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    await coordinator.refreshOnce('rt-1', async () => {
      beforeExchange = [...statements];
      return rotated;
    });
    await coordinator.settled();
    expect(beforeExchange).toEqual([expect.stringMatching(/^insert into/i)]);
    expect(statements.slice(1)).toEqual([expect.stringMatching(/^update/i)]);
  });

  it('hands a finished result to a request that still carries the old token', async () => {
    const database = await databases.init(id);
    const [first, second] = await Promise.all([
      coordinatorOn(database),
      coordinatorOn(database),
    ]);
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    await first.refreshOnce('rt-1', async () => rotated);
    const late = jest.fn(async () => ({ access_token: 'never' }));
    await expect(second.refreshOnce('rt-1', late)).resolves.toEqual(rotated);
    expect(late).not.toHaveBeenCalled();
  });

  it('shares a failure with the requests that waited for it', async () => {
    const database = await databases.init(id);
    const [first, second] = await Promise.all([
      coordinatorOn(database),
      coordinatorOn(database),
    ]);
    let fail!: () => void;
    const gate = new Promise<void>(resolve => (fail = resolve));
    const exchange = jest.fn(async (): Promise<Auth0TokenResponse> => {
      await gate;
      throw new Auth0RefusedError(
        'invalid_grant',
        'Unknown or invalid refresh token.',
      );
    });
    const leader = first.refreshOnce('rt-dead', exchange);
    await waitForRow(database, 'rt-dead');
    const reads = countReads(database);
    const follower = second.refreshOnce('rt-dead', exchange);
    await reads.until(2);
    fail();
    await expect(leader).rejects.toThrow(Auth0RefusedError);
    await expect(follower).rejects.toThrow(
      new Auth0RefusedError(
        'invalid_grant',
        'Unknown or invalid refresh token.',
      ),
    );
    expect(exchange).toHaveBeenCalledTimes(1);
  });

  it('keeps the reason of an outage for the requests that waited', async () => {
    const database = await databases.init(id);
    const [first, second] = await Promise.all([
      coordinatorOn(database),
      coordinatorOn(database),
    ]);
    let fail!: () => void;
    const gate = new Promise<void>(resolve => (fail = resolve));
    const exchange = async (): Promise<Auth0TokenResponse> => {
      await gate;
      throw new Auth0UnavailableError(
        'https://tenant/oauth/token answered 503',
      );
    };
    const leader = first.refreshOnce('rt-x', exchange);
    await waitForRow(database, 'rt-x');
    const reads = countReads(database);
    const follower = second.refreshOnce('rt-x', exchange);
    await reads.until(2);
    fail();
    await expect(leader).rejects.toThrow(Auth0UnavailableError);
    await expect(follower).rejects.toMatchObject({
      name: 'Auth0UnavailableError',
      detail: 'https://tenant/oauth/token answered 503',
    });
  });

  it('stores no token in the clear', async () => {
    const database = await databases.init(id);
    const coordinator = await coordinatorOn(database);
    await coordinator.refreshOnce('rt-secret-1', async () => ({
      access_token: 'access-secret-2',
      refresh_token: 'refresh-secret-2',
    }));
    const rows = await database('auth0_refresh_results').select();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toMatch(/secret/);
  });

  it('takes over from a holder whose lease ran out', async () => {
    const database = await databases.init(id);
    const coordinator = await coordinatorOn(database);
    await database('auth0_refresh_results').insert({
      token_hash: hashOf('rt-1'),
      owner: 'a-replica-that-died',
      status: 'pending',
      expires_at: Date.now() - 1,
    });
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    await expect(
      coordinator.refreshOnce('rt-1', async () => rotated),
    ).resolves.toEqual(rotated);
  });

  it('calls Auth0 again at once for a refresh that did not wait on a failed call', async () => {
    const database = await databases.init(id);
    const [first, second] = await Promise.all([
      coordinatorOn(database),
      coordinatorOn(database),
    ]);
    const outage = jest.fn(async (): Promise<Auth0TokenResponse> => {
      throw new Auth0UnavailableError(
        'https://tenant/oauth/token answered 503',
      );
    });
    await expect(first.refreshOnce('rt-1', outage)).rejects.toThrow(
      Auth0UnavailableError,
    );
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    const recovered = jest.fn(async () => rotated);
    await expect(second.refreshOnce('rt-1', recovered)).resolves.toEqual(
      rotated,
    );
    await expect(first.refreshOnce('rt-1', recovered)).resolves.toEqual(
      rotated,
    );
    expect(outage).toHaveBeenCalledTimes(1);
    expect(recovered).toHaveBeenCalledTimes(1);
  });

  it('returns the tokens Auth0 issued when storing them fails', async () => {
    const database = await databases.init(id);
    const coordinator = await coordinatorOn(database);
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    const { exchange, release } = gatedExchange(rotated);
    const leader = coordinator.refreshOnce('rt-1', exchange);
    const waiter = coordinator.refreshOnce('rt-1', exchange);
    await waitForRow(database, 'rt-1');
    // The table goes away while Auth0 is answering: the update after the exchange fails.
    await database.schema.renameTable(
      'auth0_refresh_results',
      'auth0_refresh_results_away',
    );
    try {
      release();
      await expect(leader).resolves.toEqual(rotated);
      await expect(waiter).resolves.toEqual(rotated);
      expect(exchange).toHaveBeenCalledTimes(1);
      // The result is stored after the tokens went back to the caller.
      await coordinator.settled();
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringContaining('could not store the result of a refresh'),
      );
    } finally {
      await database.schema.renameTable(
        'auth0_refresh_results_away',
        'auth0_refresh_results',
      );
    }
  });

  it('detects a lease that was taken over while Auth0 was answering', async () => {
    const database = await databases.init(id);
    const coordinator = await coordinatorOn(database);
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    const { exchange, release } = gatedExchange(rotated);
    const leader = coordinator.refreshOnce('rt-1', exchange);
    await waitForRow(database, 'rt-1');
    await database('auth0_refresh_results')
      .where({ token_hash: hashOf('rt-1') })
      .update({ owner: 'another-replica' });
    release();
    await expect(leader).resolves.toEqual(rotated);
    await coordinator.settled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('the lease on a refresh token ran out'),
    );
    const row = await database('auth0_refresh_results')
      .where({ token_hash: hashOf('rt-1') })
      .first();
    expect(row).toMatchObject({ owner: 'another-replica', status: 'pending' });
  });

  it('makes one Auth0 call for replicas whose clocks differ by 30 s', async () => {
    const database = await databases.init(id);
    const [leaderReplica, fastClockReplica] = await Promise.all([
      coordinatorOn(database),
      coordinatorOn(database),
    ]);
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    const { exchange, release } = gatedExchange(rotated);
    const leader = leaderReplica.refreshOnce('rt-1', exchange);
    await waitForRow(database, 'rt-1');

    // This process's clock now runs 30 s ahead of the leader's lease: longer than the lease.
    const realNow = Date.now;
    const clock = jest
      .spyOn(Date, 'now')
      .mockImplementation(() => realNow() + 30_000);
    try {
      const reads = countReads(database);
      const follower = fastClockReplica.refreshOnce('rt-1', exchange);
      await waitUntil(
        async () => reads.count() >= 2 || exchange.mock.calls.length > 1,
      );
      release();
      await expect(Promise.all([leader, follower])).resolves.toEqual([
        rotated,
        rotated,
      ]);
      expect(exchange).toHaveBeenCalledTimes(1);
    } finally {
      clock.mockRestore();
    }
  });

  it('keeps a lease no longer than the token call and a small margin', () => {
    expect(LEASE_MS).toBeLessThanOrEqual(15_000);
  });
});

it('refuses a database other than PostgreSQL or SQLite, saying so', async () => {
  const database = { client: { config: { client: 'mysql2' } } } as Knex;
  await expect(RefreshCoordinator.create({ database, logger })).rejects.toThrow(
    'Auth0 refresh coordination supports PostgreSQL (pg) and SQLite (better-sqlite3), but backend.database.client is "mysql2"',
  );
});

/** Counts reads of the coordination table from now on: a waiting request polls it. */
function countReads(database: Knex) {
  let reads = 0;
  database.on('query', (query: { sql: string }) => {
    if (/^select .*auth0_refresh_results/i.test(query.sql)) {
      reads++;
    }
  });
  return {
    count: () => reads,
    until: (count: number) => waitUntil(async () => reads >= count),
  };
}

async function waitUntil(condition: () => Promise<boolean>) {
  while (!(await condition())) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

/** Resolves once a coordinator has inserted its row for the token. */
function waitForRow(database: Knex, token: string) {
  return waitUntil(async () =>
    Boolean(
      await database('auth0_refresh_results')
        .where({ token_hash: hashOf(token) })
        .first(),
    ),
  );
}
