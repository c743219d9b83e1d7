import { Client } from 'pg';

/** The PostgreSQL on this machine, as the tests reach it (trust authentication). */
export const LOCAL_POSTGRES = {
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
} as const;

/** Drops the databases a backend created under `backend.database.prefix`. */
export async function dropDatabasesWithPrefix(prefix: string): Promise<void> {
  const client = new Client({ ...LOCAL_POSTGRES, database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
