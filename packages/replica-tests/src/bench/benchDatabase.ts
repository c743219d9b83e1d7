import { Client } from 'pg';
import { LOCAL_POSTGRES } from '@internal/test-harness';
import { waitFor } from '../load';

/**
 * Waits until the catalog has nothing left to process or stitch, then has PostgreSQL
 * vacuum and analyse its tables, so that the measurements after an ingestion run against
 * a catalog at rest with fresh planner statistics, as autovacuum leaves it in production.
 */
export async function settleCatalog(
  databasePrefix: string,
  timeoutMs: number,
): Promise<void> {
  const client = new Client({
    ...LOCAL_POSTGRES,
    database: `${databasePrefix}catalog`,
  });
  await client.connect();
  try {
    await waitFor(
      'the catalog to finish processing and stitching',
      async () => {
        const { rows } = await client.query<{ due: string; stitches: string }>(
          `SELECT
             (SELECT count(*) FROM refresh_state WHERE next_update_at <= now()) AS due,
             (SELECT count(*) FROM stitch_queue WHERE next_stitch_at <= now()) AS stitches`,
        );
        return Number(rows[0].due) === 0 && Number(rows[0].stitches) === 0
          ? true
          : undefined;
      },
      { timeoutMs, intervalMs: 2_000 },
    );
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** Committed transactions so far, per plugin database of the run (auth, catalog, …). */
export async function transactionCounts(
  databasePrefix: string,
): Promise<Record<string, number>> {
  const client = new Client({
    ...LOCAL_POSTGRES,
    database: 'postgres',
  });
  await client.connect();
  try {
    // The statistics collector publishes counts with a delay; this makes them current.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ datname: string; commits: string }>(
      'SELECT datname, xact_commit AS commits FROM pg_stat_database WHERE datname LIKE $1',
      [`${databasePrefix}%`],
    );
    return Object.fromEntries(
      rows.map(row => [
        row.datname.slice(databasePrefix.length),
        Number(row.commits),
      ]),
    );
  } finally {
    await client.end();
  }
}

/**
 * Transaction counts once PostgreSQL has published every connection's statistics: a
 * connection reports at most once a second while busy and within ten seconds once idle,
 * so this reads until the counts stop moving (or twelve reads have passed).
 */
export async function settledTransactionCounts(
  databasePrefix: string,
): Promise<Record<string, number>> {
  let previous = await transactionCounts(databasePrefix);
  for (let read = 0; read < 12; read++) {
    await oneSecond();
    const current = await transactionCounts(databasePrefix);
    if (sameCounts(current, previous)) {
      return current;
    }
    previous = current;
  }
  return previous;
}

function sameCounts(a: Record<string, number>, b: Record<string, number>) {
  return Object.keys(a).every(name => a[name] === b[name]);
}

function oneSecond() {
  return new Promise(resolve => setTimeout(resolve, 1_000));
}
