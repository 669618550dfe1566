// Exit 0 when a PostgreSQL accepts a connection at the given URL within two seconds.
import pg from "pg"

const client = new pg.Client({ connectionString: process.argv[2], connectionTimeoutMillis: 2000 })
try {
  await client.connect()
  const { rows } = await client.query("SHOW server_version")
  console.log(`PostgreSQL ${rows[0].server_version} answers`)
  await client.end()
  process.exit(0)
} catch {
  process.exit(1)
}
