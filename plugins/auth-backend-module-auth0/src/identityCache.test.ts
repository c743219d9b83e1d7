import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheService } from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import {
  DEFAULT_IDENTITY_CACHE_TTL_MS,
  IdentityCache,
  readIdentityCacheTtl,
} from './identityCache';

const ROLES = 'https://backstage.example.com/roles';

describe('readIdentityCacheTtl', () => {
  const read = (identityCacheTtl: JsonValue | undefined) => {
    const problems: string[] = [];
    const ttlMs = readIdentityCacheTtl({
      envConfig: new ConfigReader({ signIn: { identityCacheTtl } }),
      keyPrefix: 'auth.providers.auth0.production',
      problems,
    });
    return { ttlMs, problems };
  };

  it('is 30 seconds unless set, and reads durations as the other keys do', () => {
    expect(read(undefined)).toEqual({
      ttlMs: DEFAULT_IDENTITY_CACHE_TTL_MS,
      problems: [],
    });
    expect(DEFAULT_IDENTITY_CACHE_TTL_MS).toBe(30_000);
    expect(read({ seconds: 45 })).toEqual({ ttlMs: 45_000, problems: [] });
    expect(read('PT10S')).toEqual({ ttlMs: 10_000, problems: [] });
  });

  it('is off with 0, as a number or a duration', () => {
    expect(read(0)).toEqual({ ttlMs: 0, problems: [] });
    expect(read({ seconds: 0 })).toEqual({ ttlMs: 0, problems: [] });
  });

  it('names the key of a TTL above 60 seconds or that is no duration', () => {
    expect(read({ minutes: 5 }).problems).toEqual([
      'auth.providers.auth0.production.signIn.identityCacheTtl is 300000 ms: it must be from 0 (off) to 60 seconds (the default is 30); a user deleted from the catalog keeps refreshing for that long',
    ]);
    expect(read('a while').problems).toEqual([
      expect.stringMatching(
        /^auth\.providers\.auth0\.production\.signIn\.identityCacheTtl is not a duration \(.*\): write e\.g\. \{ seconds: 30 \}, or 0 to turn the identity cache off$/,
      ),
    ]);
    expect(read(30).problems).toEqual([
      expect.stringContaining('signIn.identityCacheTtl is not a duration'),
    ]);
  });
});

describe('IdentityCache', () => {
  const claims = {
    sub: 'auth0|chris',
    email: 'chris@example.com',
    email_verified: true,
    iat: 1,
    exp: 2,
    nonce: 'n',
    [ROLES]: ['Platform Team'],
  };
  const identity = {
    claims: { sub: 'user:default/chris', ent: ['user:default/chris'] },
    addsClaimedGroups: true,
    claimedGroups: { 'group:default/platform-team': true },
  };

  function memoryCache(): CacheService {
    return CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin(`auth-${randomUUID()}`);
  }

  const signInSettings = {
    resolvers: [{ resolver: 'emailMatchingUserEntityProfileEmail' }],
  };

  function identityCache(
    cache: CacheService,
    ttlMs = 30_000,
    settings: JsonValue = signInSettings,
  ) {
    const logger = mockServices.logger.mock();
    return {
      logger,
      identities: new IdentityCache({
        cache,
        ttlMs,
        logger,
        groupClaimNames: [ROLES],
        signInSettings: settings,
      }),
    };
  }

  it('keeps an identity per subject for a later token with other per-token claims and roles', async () => {
    const { identities } = identityCache(memoryCache());
    await identities.write(claims, identity);
    await expect(
      identities.read({
        ...claims,
        iat: 3,
        exp: 4,
        nonce: undefined,
        [ROLES]: [],
      }),
    ).resolves.toMatchObject(identity);
    await expect(
      identities.read({ ...claims, sub: 'auth0|alex' }),
    ).resolves.toBeUndefined();
  });

  it('is not used once a claim the resolvers read has changed', async () => {
    const { identities } = identityCache(memoryCache());
    await identities.write(claims, identity);
    await expect(
      identities.read({ ...claims, email: 'chris@evil.example' }),
    ).resolves.toBeUndefined();
    await expect(
      identities.read({ ...claims, email_verified: false }),
    ).resolves.toBeUndefined();
  });

  it('is not used under other sign-in settings, as after a restart with stricter resolvers', async () => {
    const cache = memoryCache();
    await identityCache(cache).identities.write(claims, identity);
    await expect(
      identityCache(cache).identities.read(claims),
    ).resolves.toBeDefined();
    const stricter = identityCache(cache, 30_000, {
      resolvers: [
        {
          resolver: 'emailMatchingUserEntityProfileEmail',
          allowedDomains: ['example.org'],
        },
      ],
    });
    await expect(stricter.identities.read(claims)).resolves.toBeUndefined();
  });

  it('forgets an identity after the TTL', async () => {
    const ttlMs = 200;
    const { identities } = identityCache(memoryCache(), ttlMs);
    await identities.write(claims, identity);
    await expect(identities.read(claims)).resolves.toBeDefined();
    await sleep(ttlMs + 1);
    await expect(identities.read(claims)).resolves.toBeUndefined();
  });

  it('treats a failing or silent cache as empty, with one warning until it answers again', async () => {
    let answer: 'fail' | 'hang' | 'work' = 'fail';
    const working = memoryCache();
    const flaky: CacheService = {
      get: key => {
        if (answer === 'fail') {
          return Promise.reject(
            new Error('connect ECONNREFUSED 127.0.0.1:6379'),
          );
        }
        return answer === 'hang' ? new Promise(() => {}) : working.get(key);
      },
      set: (key, value, options) =>
        answer === 'work'
          ? working.set(key, value, options)
          : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
      delete: key => working.delete(key),
      withOptions: () => flaky,
    };
    const { identities, logger } = identityCache(flaky);
    await expect(identities.write(claims, identity)).resolves.toBeUndefined();
    await expect(identities.read(claims)).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'Auth0: could not write the identity cache (backend.cache): connect ECONNREFUSED 127.0.0.1:6379; refreshes resolve the user in the catalog meanwhile (logged again only after it has answered)',
    );

    answer = 'work';
    await identities.write(claims, identity);
    await expect(identities.read(claims)).resolves.toBeDefined();
    answer = 'hang';
    await expect(identities.read(claims)).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenLastCalledWith(
      expect.stringContaining('no answer within 250 ms'),
    );
  });
});
