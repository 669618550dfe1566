// TEMPORARY until the Migrator lands: creates only the runtime role so the harness can be exercised.
import pg from "pg"

export const migrateToLatest = async (url: string, appRole: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DO $$ BEGIN CREATE ROLE "${appRole}" NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`)
  } finally {
    await client.end()
  }
}
