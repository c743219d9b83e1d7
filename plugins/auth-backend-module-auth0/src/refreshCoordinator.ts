import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { Knex } from 'knex';
import {
  DatabaseService,
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Auth0TokenResponse, TOKEN_REQUEST_TIMEOUT_MS } from './auth0Tokens';
import { traceRefreshPhase } from './tracing';
import {
  Auth0RefusedError,
  Auth0UnavailableError,
  InvalidIdTokenError,
} from './errors';

const TABLE = 'auth0_refresh_results';
/**
 * How long one replica may hold a refresh token before others take over: the token call's
 * timeout and a margin. Auth0's reuse interval ("leeway") must be at least this long, or a
 * takeover after a replica died mid-exchange presents a rotated token and ends the session.
 *
 * @public
 */
export const LEASE_MS = TOKEN_REQUEST_TIMEOUT_MS + 5_000;
/** How long a finished exchange is handed to requests that still carry the old token. */
export const DEFAULT_RESULT_WINDOW_MS = 10_000;
/** Long enough for the requests that waited on a failed call to read why it failed. */
const FAILURE_TTL_MS = 5_000;
const POLL_INTERVAL_MS = 25;
/** Expired rows are removed at most this often by each process. */
const CLEANUP_INTERVAL_MS = 30_000;

/** Database clients whose SQL this coordinator speaks (clock and conflict handling). */
const CLOCK_SQL: Record<string, string> = {
  pg: '(extract(epoch from clock_timestamp()) * 1000)::bigint',
  'better-sqlite3':
    "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
  sqlite3: "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
};

type StoredFailure = {
  name: string;
  oauthError?: string;
  description?: string;
  detail?: string;
  retryAfterSeconds?: number;
};

type Row = {
  owner: string;
  status: 'pending' | 'done' | 'failed';
  payload: string | null;
  expires_at: number | string;
  db_now: number | string;
};

/**
 * How one refresh is shared.
 *
 * @public
 */
export type Auth0RefreshOptions = {
  /** How long the result is handed to late requests carrying the old token. */
  resultWindowMs?: number;
};

/**
 * Makes concurrent refreshes of one refresh token share a single call to Auth0.
 *
 * @public
 */
export interface Auth0RefreshCoordinator {
  /** Runs `exchange` at most once for this refresh token, across every caller. */
  refreshOnce(
    refreshToken: string,
    exchange: () => Promise<Auth0TokenResponse>,
    options?: Auth0RefreshOptions,
  ): Promise<Auth0TokenResponse>;
}

/**
 * Makes concurrent refreshes of one session share a single call to Auth0.
 *
 * With refresh-token rotation, Auth0 treats a second use of the same refresh token as
 * theft and revokes the whole token family, signing the person out everywhere. Two tabs,
 * or a reload racing a background refresh, present the same cookie at once. Within a
 * process the calls share one promise; across replicas the first to insert the row for
 * that token calls Auth0 and the others wait for its stored result. The caller that calls
 * Auth0 makes one statement before the call and stores the result after its tokens went
 * back, so a refresh waits for one database round trip.
 *
 * Every expiry is reckoned in the database's clock, so replicas whose clocks disagree still
 * agree on leases, and every change to a row is conditioned on the row still being the one
 * that was read (its owner and status), so a replica whose lease was taken over finds out.
 *
 * The row is keyed by a SHA-256 hash of the refresh token and its payload is encrypted
 * with a key derived from the token itself, so the database never holds anything usable
 * by someone who does not already hold the old refresh token.
 */
export class RefreshCoordinator implements Auth0RefreshCoordinator {
  readonly #db: Knex;
  readonly #now: string;
  readonly #logger: LoggerService;
  readonly #inFlight = new Map<string, Promise<Auth0TokenResponse>>();
  /** Writes that no request waits for: results after the response, expired rows. */
  readonly #background = new Set<Promise<void>>();
  #lastCleanup = 0;

  static async create(options: { database: Knex; logger: LoggerService }) {
    const client = String(options.database.client.config.client);
    const now = CLOCK_SQL[client];
    if (!now) {
      throw new Error(
        `Auth0 refresh coordination supports PostgreSQL (pg) and SQLite (better-sqlite3), but ` +
          `backend.database.client is "${client}". Use PostgreSQL for production, or give the ` +
          `auth plugin its own database under backend.database.plugin.auth.`,
      );
    }
    await migrate(options.database);
    return new RefreshCoordinator(options.database, now, options.logger);
  }

  private constructor(database: Knex, now: string, logger: LoggerService) {
    this.#db = database;
    this.#now = now;
    this.#logger = logger;
  }

  refreshOnce(
    refreshToken: string,
    exchange: () => Promise<Auth0TokenResponse>,
    options: Auth0RefreshOptions = {},
  ): Promise<Auth0TokenResponse> {
    const tokenHash = createHash('sha256').update(refreshToken).digest('hex');
    const existing = this.#inFlight.get(tokenHash);
    if (existing) {
      return existing;
    }
    // Requests of this process that still carry the old token share the result until it is
    // in the database, rather than polling the row for it.
    let storing: Promise<void> | undefined;
    const result = this.#coordinate(
      tokenHash,
      refreshToken,
      exchange,
      options.resultWindowMs ?? DEFAULT_RESULT_WINDOW_MS,
      stored => (storing = stored),
    ).finally(() => {
      const forget = () => this.#inFlight.delete(tokenHash);
      if (storing) storing.finally(forget);
      else forget();
    });
    this.#inFlight.set(tokenHash, result);
    return result;
  }

  /** Resolves once every result this process is still writing is in the database. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) {
      await Promise.all(this.#background);
    }
  }

  async #coordinate(
    tokenHash: string,
    refreshToken: string,
    exchange: () => Promise<Auth0TokenResponse>,
    resultWindowMs: number,
    onStoring: (stored: Promise<void>) => void,
  ): Promise<Auth0TokenResponse> {
    for (;;) {
      const owner = randomUUID();
      const row = await this.#claim(tokenHash, owner);
      if (row.owner === owner) {
        return this.#exchangeAsLeader(
          tokenHash,
          owner,
          refreshToken,
          exchange,
          resultWindowMs,
          onStoring,
        );
      }
      if (row.status === 'done') {
        return readOutcome(row, refreshToken);
      }
      const outcome = await this.#waitForOutcome(tokenHash, row.owner);
      if (outcome) {
        return readOutcome(outcome, refreshToken);
      }
    }
  }

  /**
   * One statement: inserts the row with this request as its holder, or takes over a row whose
   * lease ran out without an outcome, whose outcome is too old to hand out, or that holds the
   * failure of a call this request did not wait for; otherwise leaves the row as it is. Either
   * way it returns the row, so the request knows whether it holds the lease.
   */
  async #claim(tokenHash: string, owner: string): Promise<Row> {
    const stale = `(${TABLE}.expires_at < ${
      this.#now
    } or ${TABLE}.status = 'failed')`;
    const keepOr = (column: string, value: string) =>
      `${column} = case when ${stale} then ${value} else ${TABLE}.${column} end`;
    const update = [
      keepOr('owner', 'excluded.owner'),
      keepOr('status', "'pending'"),
      keepOr('payload', 'null'),
      keepOr('expires_at', 'excluded.expires_at'),
    ].join(', ');
    const result = await traceDbStep('claim', () =>
      this.#db.raw(
        `insert into ${TABLE} (token_hash, owner, status, payload, expires_at) values (?, ?, 'pending', null, ${
          this.#now
        } + ?) on conflict (token_hash) do update set ${update} returning owner, status, payload, expires_at, ${
          this.#now
        } as db_now`,
        [tokenHash, owner, LEASE_MS],
      ),
    );
    // pg answers { rows }, SQLite the rows themselves.
    const rows: Row[] = Array.isArray(result) ? result : result.rows;
    return rows[0];
  }

  async #exchangeAsLeader(
    tokenHash: string,
    owner: string,
    refreshToken: string,
    exchange: () => Promise<Auth0TokenResponse>,
    resultWindowMs: number,
    onStoring: (stored: Promise<void>) => void,
  ): Promise<Auth0TokenResponse> {
    this.#removeExpiredRowsNowAndThen();
    let tokens: Auth0TokenResponse;
    try {
      tokens = await exchange();
    } catch (error) {
      await this.#settle(tokenHash, owner, {
        status: 'failed',
        payload: JSON.stringify(describeFailure(error)),
        ttlMs: FAILURE_TTL_MS,
      }).catch(storeError =>
        this.#logger.warn(
          `Auth0 refresh: could not record a failed refresh for the requests waiting on it; they retry when the lease ends: ${storeError}`,
        ),
      );
      throw error;
    }
    // Auth0 has rotated the token by now: whatever happens to the row, these tokens are
    // the session's only future and go back to the caller at once. Requests waiting on
    // other replicas read them from the row once it is written.
    onStoring(
      this.#inBackground(
        this.#settle(tokenHash, owner, {
          status: 'done',
          payload: encrypt(JSON.stringify(tokens), refreshToken),
          ttlMs: resultWindowMs,
        }).then(
          stored => {
            if (!stored) {
              this.#logger.warn(
                `Auth0 refresh: the lease on a refresh token ran out before Auth0 answered (more than ${LEASE_MS} ms), ` +
                  'so another request may have presented the same token; if Auth0 revoked the session, raise the ' +
                  "application's refresh token reuse interval (docs/deployment.md)",
              );
            }
          },
          storeError =>
            this.#logger.error(
              `Auth0 refresh: could not store the result of a refresh in the database; this request keeps its new tokens, ` +
                `requests waiting on other replicas retry when the lease ends: ${storeError}`,
            ),
        ),
      ),
    );
    return tokens;
  }

  #inBackground(work: Promise<void>): Promise<void> {
    this.#background.add(work);
    return work.finally(() => this.#background.delete(work));
  }

  /** Records an outcome if this process still holds the lease; false when it does not. */
  async #settle(
    tokenHash: string,
    owner: string,
    outcome: { status: 'done' | 'failed'; payload: string; ttlMs: number },
  ): Promise<boolean> {
    const updated = await traceDbStep(
      outcome.status === 'done' ? 'store' : 'store_failure',
      () =>
        this.#db(TABLE)
          .where({ token_hash: tokenHash, owner, status: 'pending' })
          .update({
            status: outcome.status,
            payload: outcome.payload,
            expires_at: this.#db.raw(`${this.#now} + ?`, [outcome.ttlMs]),
          }),
    );
    return updated > 0;
  }

  #read(tokenHash: string): Promise<Row | undefined> {
    return traceDbStep('wait', () =>
      this.#db(TABLE)
        .select(
          'owner',
          'status',
          'payload',
          'expires_at',
          this.#db.raw(`${this.#now} as db_now`),
        )
        .where({ token_hash: tokenHash })
        .first(),
    );
  }

  /** Off the refresh's path: nothing waits for it but shutdown. */
  #removeExpiredRowsNowAndThen() {
    if (Date.now() - this.#lastCleanup < CLEANUP_INTERVAL_MS) {
      return;
    }
    this.#lastCleanup = Date.now();
    this.#inBackground(
      traceDbStep('cleanup', () =>
        this.#db(TABLE)
          .where('expires_at', '<', this.#db.raw(this.#now))
          .delete(),
      ).then(
        () => {},
        error =>
          this.#logger.warn(
            `Auth0 refresh: could not remove expired refresh results: ${error}`,
          ),
      ),
    );
  }

  /**
   * Polls the row until its holder records an outcome; undefined when the row is gone,
   * changed hands, or its lease ran out.
   */
  async #waitForOutcome(
    tokenHash: string,
    holder: string,
  ): Promise<Row | undefined> {
    for (;;) {
      const row = await this.#read(tokenHash);
      if (!row || row.owner !== holder) {
        return undefined;
      }
      if (row.status !== 'pending') {
        return row;
      }
      if (Number(row.expires_at) < Number(row.db_now)) {
        return undefined;
      }
      await new Promise(resolve => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }
}

/**
 * The coordinator the Auth0 module uses, for a module that registers the provider itself:
 * creates (or migrates) its table in the database given, which must be the auth plugin's
 * (PostgreSQL or SQLite), so that every replica sees the same rows.
 *
 * @public
 */
export async function createAuth0RefreshCoordinator(options: {
  database: DatabaseService;
  logger: LoggerService;
}): Promise<Auth0RefreshCoordinator> {
  return RefreshCoordinator.create({
    database: await options.database.getClient(),
    logger: options.logger,
  });
}

/**
 * Knex serialises migrations through a lock table, but replicas starting together can
 * both try to create that table first; the loser succeeds on a second attempt.
 */
async function migrate(database: Knex, attemptsLeft = 3): Promise<void> {
  try {
    await database.migrate.latest({
      directory: resolvePackagePath(
        '@backstage-auth0/plugin-auth-backend-module-auth0',
        'migrations',
      ),
      tableName: 'auth0_module_knex_migrations',
    });
  } catch (error) {
    if (attemptsLeft <= 1) {
      throw error;
    }
    await new Promise(resolve =>
      setTimeout(resolve, 100 + Math.random() * 400),
    );
    await migrate(database, attemptsLeft - 1);
  }
}

function traceDbStep<T>(step: string, query: () => PromiseLike<T>): Promise<T> {
  return traceRefreshPhase('coordination', async () => query(), {
    'auth0.db.step': step,
  });
}

function readOutcome(outcome: Row, refreshToken: string): Auth0TokenResponse {
  if (outcome.status === 'done') {
    return JSON.parse(decrypt(outcome.payload ?? '', refreshToken));
  }
  throw recreateFailure(JSON.parse(outcome.payload ?? '{}'));
}

function describeFailure(error: unknown): StoredFailure {
  if (error instanceof Auth0RefusedError) {
    return {
      name: error.name,
      oauthError: error.oauthError,
      description: error.description,
    };
  }
  if (error instanceof Auth0UnavailableError) {
    return {
      name: error.name,
      detail: error.detail,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof InvalidIdTokenError) {
    return { name: error.name, detail: error.detail };
  }
  return { name: 'Auth0UnavailableError', detail: 'the refresh failed' };
}

function recreateFailure(failure: StoredFailure): Error {
  switch (failure.name) {
    case 'Auth0RefusedError':
      return new Auth0RefusedError(
        failure.oauthError ?? '',
        failure.description,
      );
    case 'InvalidIdTokenError':
      return new InvalidIdTokenError(failure.detail ?? '');
    default:
      return new Auth0UnavailableError(
        failure.detail ?? 'the refresh failed',
        undefined,
        failure.retryAfterSeconds,
      );
  }
}

function keyFor(refreshToken: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', refreshToken, '', 'auth0-refresh-result', 32),
  );
}

function encrypt(plaintext: string, refreshToken: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(refreshToken), iv);
  const ciphertext = Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
  ]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString(
    'base64',
  );
}

function decrypt(payload: string, refreshToken: string): string {
  const data = Buffer.from(payload, 'base64');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    keyFor(refreshToken),
    data.subarray(0, 12),
  );
  decipher.setAuthTag(data.subarray(12, 28));
  return Buffer.concat([
    decipher.update(data.subarray(28)),
    decipher.final(),
  ]).toString('utf8');
}
