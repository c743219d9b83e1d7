import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { Knex } from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Auth0TokenResponse } from './auth0Tokens';
import {
  Auth0RefusedError,
  Auth0UnavailableError,
  InvalidIdTokenError,
} from './errors';

const TABLE = 'auth0_refresh_results';
/** How long a replica may hold a refresh token before others take over. */
const LEASE_MS = 20_000;
/** How long a finished exchange is handed to requests that still carry the old token. */
const RESULT_TTL_MS = 60_000;
/** A failure is shared with the requests that waited for it, then forgotten. */
const FAILURE_TTL_MS = 5_000;
const POLL_INTERVAL_MS = 25;
/** Expired rows are removed at most this often by each process. */
const CLEANUP_INTERVAL_MS = 30_000;

type StoredFailure = {
  name: string;
  oauthError?: string;
  description?: string;
  detail?: string;
};

/**
 * Makes concurrent refreshes of one session share a single call to Auth0.
 *
 * With refresh-token rotation, Auth0 treats a second use of the same refresh token as
 * theft and revokes the whole token family, signing the person out everywhere. Two tabs,
 * or a reload racing a background refresh, present the same cookie at once. Within a
 * process the calls share one promise; across replicas the first to insert the row for
 * that token calls Auth0 and the others wait for its stored result.
 *
 * The row is keyed by a SHA-256 hash of the refresh token and its payload is encrypted
 * with a key derived from the token itself, so the database never holds anything usable
 * by someone who does not already hold the old refresh token.
 */
export class RefreshCoordinator {
  readonly #db: Knex;
  readonly #inFlight = new Map<string, Promise<Auth0TokenResponse>>();
  #lastCleanup = 0;

  static async create(options: { database: Knex }) {
    await migrate(options.database);
    return new RefreshCoordinator(options.database);
  }

  private constructor(database: Knex) {
    this.#db = database;
  }

  /** Runs `exchange` at most once for this refresh token, across every caller. */
  refreshOnce(
    refreshToken: string,
    exchange: () => Promise<Auth0TokenResponse>,
  ): Promise<Auth0TokenResponse> {
    const tokenHash = createHash('sha256').update(refreshToken).digest('hex');
    const existing = this.#inFlight.get(tokenHash);
    if (existing) {
      return existing;
    }
    const result = this.#coordinate(tokenHash, refreshToken, exchange).finally(
      () => this.#inFlight.delete(tokenHash),
    );
    this.#inFlight.set(tokenHash, result);
    return result;
  }

  async #coordinate(
    tokenHash: string,
    refreshToken: string,
    exchange: () => Promise<Auth0TokenResponse>,
  ): Promise<Auth0TokenResponse> {
    const owner = randomUUID();
    for (;;) {
      const inserted = await this.#db(TABLE)
        .insert({
          token_hash: tokenHash,
          owner,
          status: 'pending',
          expires_at: Date.now() + LEASE_MS,
        })
        .onConflict('token_hash')
        .ignore()
        .returning('owner');
      if (inserted.length > 0) {
        return this.#exchangeAsLeader(tokenHash, owner, refreshToken, exchange);
      }
      const row = await this.#db(TABLE)
        .where({ token_hash: tokenHash })
        .first();
      if (!row) {
        continue; // the previous holder's row was removed between our two queries
      }
      if (row.owner === owner) {
        return this.#exchangeAsLeader(tokenHash, owner, refreshToken, exchange);
      }
      if (Number(row.expires_at) < Date.now()) {
        // A lease that ran out without an outcome, or an outcome too old to hand out.
        await this.#db(TABLE)
          .where({ token_hash: tokenHash, owner: row.owner })
          .delete();
        continue;
      }
      const outcome = await this.#waitForOutcome(tokenHash, row.owner);
      if (outcome) {
        return readOutcome(outcome, refreshToken);
      }
    }
  }

  async #exchangeAsLeader(
    tokenHash: string,
    owner: string,
    refreshToken: string,
    exchange: () => Promise<Auth0TokenResponse>,
  ): Promise<Auth0TokenResponse> {
    if (Date.now() - this.#lastCleanup > CLEANUP_INTERVAL_MS) {
      this.#lastCleanup = Date.now();
      await this.#db(TABLE).where('expires_at', '<', Date.now()).delete();
    }
    try {
      const tokens = await exchange();
      await this.#db(TABLE)
        .where({ token_hash: tokenHash, owner })
        .update({
          status: 'done',
          payload: encrypt(JSON.stringify(tokens), refreshToken),
          expires_at: Date.now() + RESULT_TTL_MS,
        });
      return tokens;
    } catch (error) {
      await this.#db(TABLE)
        .where({ token_hash: tokenHash, owner })
        .update({
          status: 'failed',
          payload: JSON.stringify(describeFailure(error)),
          expires_at: Date.now() + FAILURE_TTL_MS,
        });
      throw error;
    }
  }

  /**
   * Polls the row until its holder records an outcome; undefined when the row is gone,
   * changed hands, or its lease ran out.
   */
  async #waitForOutcome(
    tokenHash: string,
    holder: string,
  ): Promise<{ status: string; payload: string } | undefined> {
    for (;;) {
      const row = await this.#db(TABLE)
        .where({ token_hash: tokenHash })
        .first();
      if (!row || row.owner !== holder) {
        return undefined;
      }
      if (row.status !== 'pending') {
        return row;
      }
      if (Number(row.expires_at) < Date.now()) {
        return undefined;
      }
      await new Promise(resolve => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }
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

function readOutcome(
  outcome: { status: string; payload: string },
  refreshToken: string,
): Auth0TokenResponse {
  if (outcome.status === 'done') {
    return JSON.parse(decrypt(outcome.payload, refreshToken));
  }
  throw recreateFailure(JSON.parse(outcome.payload));
}

function describeFailure(error: unknown): StoredFailure {
  if (error instanceof Auth0RefusedError) {
    return {
      name: error.name,
      oauthError: error.oauthError,
      description: error.description,
    };
  }
  if (
    error instanceof Auth0UnavailableError ||
    error instanceof InvalidIdTokenError
  ) {
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
      return new Auth0UnavailableError(failure.detail ?? 'the refresh failed');
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
