import { createHash } from 'node:crypto';
import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import {
  durationToMilliseconds,
  JsonObject,
  JsonValue,
} from '@backstage/types';
import { Auth0IdTokenClaims } from './auth0Tokens';
import { traceRefreshPhase } from './tracing';

export const DEFAULT_IDENTITY_CACHE_TTL_MS = 30_000;
export const MAX_IDENTITY_CACHE_TTL_MS = 60_000;
/** A cache that answers slower than this is treated as down: the refresh resolves instead. */
const CACHE_TIMEOUT_MS = 250;
const KEY_PREFIX = 'auth0-identity:v1:';

/**
 * ID token claims that change with every token and say nothing about who the person is; every
 * other claim (email, email_verified, organization, custom claims a resolver may read) must be
 * the same as when the identity was resolved, or the entry is not used.
 */
const PER_TOKEN_CLAIMS = new Set([
  'iss',
  'aud',
  'azp',
  'iat',
  'exp',
  'nbf',
  'jti',
  'nonce',
  'at_hash',
  'c_hash',
  'auth_time',
  'sid',
]);

/**
 * What a resolver decided for one Auth0 subject, from the catalog: the claims of the token it
 * issued, with `ent` holding only the ownership refs that came from the catalog (the Groups of
 * `signIn.groupClaims` are added at every refresh from the fresh ID token), and which claimed
 * Groups the catalog had.
 */
export type CachedIdentity = {
  /** The issued token's claims: `sub`, `ent` (catalog ownership only), any others. */
  claims: JsonObject & { sub: string; ent: string[] };
  /** Whether the resolver added the Groups of `signIn.groupClaims` to the ownership. */
  addsClaimedGroups: boolean;
  /** Claimed Group refs the catalog was asked about, and whether it had each. */
  claimedGroups: Record<string, boolean>;
  /** Hash of the ID token claims that the resolvers could read. */
  profile: string;
};

/**
 * Reads `signIn.identityCacheTtl`: a duration from 0 (off) to 60 seconds, 30 seconds unless
 * given. Problems go to `problems`, naming the key.
 */
export function readIdentityCacheTtl(options: {
  envConfig: Config;
  keyPrefix: string;
  problems: string[];
}): number {
  const { envConfig, keyPrefix, problems } = options;
  const key = 'signIn.identityCacheTtl';
  const fullKey = `${keyPrefix}.${key}`;
  if (!envConfig.has(key)) {
    return DEFAULT_IDENTITY_CACHE_TTL_MS;
  }
  if (envConfig.get(key) === 0) {
    return 0;
  }
  let ms: number;
  try {
    ms = durationToMilliseconds(readDurationFromConfig(envConfig, { key }));
  } catch (error) {
    problems.push(
      `${fullKey} is not a duration (${
        (error as Error).message
      }): write e.g. { seconds: 30 }, or 0 to turn the identity cache off`,
    );
    return DEFAULT_IDENTITY_CACHE_TTL_MS;
  }
  if (ms < 0 || ms > MAX_IDENTITY_CACHE_TTL_MS) {
    problems.push(
      `${fullKey} is ${ms} ms: it must be from 0 (off) to ${
        MAX_IDENTITY_CACHE_TTL_MS / 1000
      } seconds (the default is ${
        DEFAULT_IDENTITY_CACHE_TTL_MS / 1000
      }); a user deleted from the catalog keeps refreshing for that long`,
    );
    return DEFAULT_IDENTITY_CACHE_TTL_MS;
  }
  return ms;
}

/**
 * The identity a refresh resolved, per Auth0 subject, in Backstage's cache service (Redis in
 * production, so shared by the replicas), for `ttlMs`. A failing or slow cache never fails a
 * refresh: it is logged once and the refresh resolves as without a cache.
 */
export class IdentityCache {
  readonly #cache: CacheService;
  readonly #ttlMs: number;
  readonly #logger: LoggerService;
  readonly #groupClaimNames: Set<string>;
  readonly #keyScope: string;
  #failing = false;

  constructor(options: {
    cache: CacheService;
    ttlMs: number;
    logger: LoggerService;
    /** Claims applied fresh at every refresh, so not part of the profile hash. */
    groupClaimNames: string[];
    /**
     * The sign-in settings the entries were resolved with: entries written under other
     * settings (before a restart with stricter resolvers, say) are not used.
     */
    signInSettings: JsonValue;
  }) {
    this.#cache = options.cache;
    this.#ttlMs = options.ttlMs;
    this.#logger = options.logger;
    this.#groupClaimNames = new Set(options.groupClaimNames);
    this.#keyScope = JSON.stringify(options.signInSettings ?? null);
  }

  /** The cached identity for these ID token claims, if one is fresh and they are unchanged. */
  async read(claims: Auth0IdTokenClaims): Promise<CachedIdentity | undefined> {
    const entry = await this.lookup(claims.sub);
    return entry && this.matches(entry, claims) ? entry : undefined;
  }

  /**
   * The entry for an Auth0 subject, whatever the claims it was resolved from: a refresh starts
   * this as soon as Auth0 answered, while the ID token is being verified, and uses the entry
   * only if the verified claims {@link IdentityCache.matches} it.
   */
  lookup(subject: string): Promise<CachedIdentity | undefined> {
    return traceRefreshPhase(
      'identity_cache',
      async span => {
        const entry = await this.#bounded(
          this.#cache.get<CachedIdentity>(this.#keyOf(subject)),
          'read',
        );
        span?.setAttribute('auth0.cache.hit', entry !== undefined);
        return entry;
      },
      { 'auth0.cache.step': 'read' },
    );
  }

  /** Whether an entry was resolved from the same claims (per-token claims and roles aside). */
  matches(entry: CachedIdentity, claims: Auth0IdTokenClaims): boolean {
    return entry.profile === this.#profileOf(claims);
  }

  async write(
    claims: Auth0IdTokenClaims,
    identity: Omit<CachedIdentity, 'profile'>,
  ): Promise<void> {
    await traceRefreshPhase(
      'identity_cache',
      () =>
        this.#bounded(
          this.#cache.set(
            this.#keyOf(claims.sub),
            { ...identity, profile: this.#profileOf(claims) },
            { ttl: this.#ttlMs },
          ),
          'write',
        ),
      { 'auth0.cache.step': 'write' },
    );
  }

  /** Hashed, so that keys have one shape whatever the subject and settings look like. */
  #keyOf(subject: string): string {
    return `${KEY_PREFIX}${createHash('sha256')
      .update(JSON.stringify([this.#keyScope, subject]))
      .digest('hex')}`;
  }

  #profileOf(claims: Auth0IdTokenClaims): string {
    const stable = Object.keys(claims)
      .filter(
        name => !PER_TOKEN_CLAIMS.has(name) && !this.#groupClaimNames.has(name),
      )
      .sort()
      .map(name => [name, claims[name]]);
    return createHash('sha256').update(JSON.stringify(stable)).digest('hex');
  }

  async #bounded<T>(
    operation: Promise<T>,
    what: 'read' | 'write',
  ): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        operation,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${CACHE_TIMEOUT_MS} ms`)),
            CACHE_TIMEOUT_MS,
          );
        }),
      ]);
      this.#failing = false;
      return answer;
    } catch (error) {
      operation.catch(() => {});
      if (!this.#failing) {
        this.#failing = true;
        this.#logger.warn(
          `Auth0: could not ${what} the identity cache (backend.cache): ${
            (error as Error).message
          }; refreshes resolve the user in the catalog meanwhile (logged again only after it has answered)`,
        );
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
