import pg from 'pg';

/** The PostgreSQL server the tests and benches use (trust auth): LEDGERLINK_TEST_POSTGRES_URL, default the machine's. */
export const POSTGRES_URL = process.env.LEDGERLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Drops a schema and everything in it (a test's or a bench run's own), if it is there. */
export async function dropSchema(schema: string, url = POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
