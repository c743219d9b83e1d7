import { Client } from 'pg';
import { LOCAL_POSTGRES } from '@internal/test-harness';

/** Users the catalog API serves (processed and stitched), as a client with `token` sees them. */
export async function servedUserCount(
  baseUrl: string,
  token: string,
): Promise<number> {
  const response = await fetch(
    `${baseUrl}/api/catalog/entities/by-query?filter=kind=user&limit=1`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  if (!response.ok) {
    throw new Error(
      `the catalog answered ${response.status}: ${await response.text()}`,
    );
  }
  return (await response.json()).totalItems;
}

/** Asks the scheduler of the catalog plugin to run a task now. */
export async function triggerCatalogTask(
  baseUrl: string,
  token: string,
  taskId: string,
): Promise<void> {
  const response = await fetch(
    `${baseUrl}/api/catalog/.backstage/scheduler/v1/tasks/${encodeURIComponent(
      taskId,
    )}/trigger`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` } },
  );
  if (!response.ok) {
    throw new Error(
      `triggering ${taskId} answered ${
        response.status
      }: ${await response.text()}`,
    );
  }
}

/** How far the catalog got with the User entities, from its own tables. */
export type UserProgress = {
  /** User entities the provider handed over (rows of refresh_state). */
  registered: number;
  /** Of those, processed at least once. */
  processed: number;
};

/** The catalog's database of a backend run under `databasePrefix`, read directly. */
export class CatalogDatabase {
  private constructor(private readonly client: Client) {}

  static async connect(databasePrefix: string): Promise<CatalogDatabase> {
    const client = new Client({
      ...LOCAL_POSTGRES,
      database: `${databasePrefix}catalog`,
    });
    await client.connect();
    return new CatalogDatabase(client);
  }

  async userProgress(): Promise<UserProgress> {
    const { rows } = await this.client.query<{
      registered: string;
      processed: string;
    }>(
      `SELECT count(*) AS registered,
              count(*) FILTER (WHERE processed_entity IS NOT NULL) AS processed
         FROM refresh_state
        WHERE entity_ref LIKE 'user:%'`,
    );
    return {
      registered: Number(rows[0].registered),
      processed: Number(rows[0].processed),
    };
  }

  /**
   * Whether the catalog has processed and stitched everything it knows: what it starts with,
   * before the provider's run.
   */
  async atRest(): Promise<boolean> {
    const { rows } = await this.client.query<{
      entities: string;
      unprocessed: string;
      stitches: string;
    }>(
      `SELECT (SELECT count(*) FROM refresh_state) AS entities,
              (SELECT count(*) FROM refresh_state WHERE processed_entity IS NULL) AS unprocessed,
              (SELECT count(*) FROM stitch_queue) AS stitches`,
    );
    const { entities, unprocessed, stitches } = rows[0];
    return (
      Number(entities) > 0 &&
      Number(unprocessed) === 0 &&
      Number(stitches) === 0
    );
  }

  /**
   * User entities stitched, i.e. with a final entity: what the API can serve. Counted here
   * because the API's own count (`totalItems`) costs far more at 100,000 entities (about
   * 0.4 s against 0.04 s), and asking it every second would slow down what it measures.
   */
  async stitchedUsers(): Promise<number> {
    const { rows } = await this.client.query<{ stitched: string }>(
      `SELECT count(*) AS stitched
         FROM final_entities
        WHERE entity_ref LIKE 'user:%' AND final_entity IS NOT NULL`,
    );
    return Number(rows[0].stitched);
  }

  /** Rows of the tables that grow with the entities, by table. */
  async rowCounts(): Promise<Record<string, number>> {
    const tables = [
      'refresh_state',
      'refresh_state_references',
      'final_entities',
      'relations',
      'search',
    ];
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await this.client.query<{ count: string }>(
        `SELECT count(*) AS count FROM ${table}`,
      );
      counts[table] = Number(rows[0].count);
    }
    return counts;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
