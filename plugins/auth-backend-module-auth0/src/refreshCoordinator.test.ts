import { createHash } from 'node:crypto';
import { TestDatabases } from '@backstage/backend-test-utils';
import { RefreshCoordinator } from './refreshCoordinator';
import { Auth0TokenResponse } from './auth0Tokens';
import { Auth0RefusedError, Auth0UnavailableError } from './errors';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

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
  it('makes one exchange for concurrent refreshes within a process', async () => {
    const coordinator = await RefreshCoordinator.create({
      database: await databases.init(id),
    });
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
      [1, 2, 3].map(() => RefreshCoordinator.create({ database })),
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

  it('hands a finished result to a request that still carries the old token', async () => {
    const database = await databases.init(id);
    const [first, second] = await Promise.all([
      RefreshCoordinator.create({ database }),
      RefreshCoordinator.create({ database }),
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
      RefreshCoordinator.create({ database }),
      RefreshCoordinator.create({ database }),
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
    const follower = second.refreshOnce('rt-dead', exchange);
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
      RefreshCoordinator.create({ database }),
      RefreshCoordinator.create({ database }),
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
    const follower = second.refreshOnce('rt-x', exchange);
    fail();
    await expect(leader).rejects.toThrow(Auth0UnavailableError);
    await expect(follower).rejects.toMatchObject({
      name: 'Auth0UnavailableError',
      detail: 'https://tenant/oauth/token answered 503',
    });
  });

  it('stores no token in the clear', async () => {
    const database = await databases.init(id);
    const coordinator = await RefreshCoordinator.create({ database });
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
    const coordinator = await RefreshCoordinator.create({ database });
    await database('auth0_refresh_results').insert({
      token_hash: createHash('sha256').update('rt-1').digest('hex'),
      owner: 'a-replica-that-died',
      status: 'pending',
      expires_at: Date.now() - 1,
    });
    const rotated = { access_token: 'at-2', refresh_token: 'rt-2' };
    await expect(
      coordinator.refreshOnce('rt-1', async () => rotated),
    ).resolves.toEqual(rotated);
  });
});
