import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTestDatabase, type TestDatabase } from "../support/database.js"

describe("test harness", () => {
  let a: TestDatabase
  let b: TestDatabase
  beforeAll(async () => {
    a = await createTestDatabase()
    b = await createTestDatabase({ migrated: false })
  })
  afterAll(async () => {
    await a?.drop()
    await b?.drop()
  })

  it("gives each caller its own database on a real PostgreSQL", async () => {
    expect(a.name).not.toBe(b.name)
    const client = new pg.Client({ connectionString: a.adminUrl })
    await client.connect()
    const { rows } = await client.query<{ db: string; v: string }>("SELECT current_database() AS db, current_setting('server_version_num') AS v")
    await client.end()
    expect(rows[0]?.db).toBe(a.name)
    expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(150000)
  })

  it("copies a template migrated to the latest version, and leaves the other database empty", async () => {
    const versions = async (url: string) => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'schema_migrations'"
      )
      const applied = rows[0]?.n === 1
        ? (await client.query<{ v: number }>("SELECT max(version) AS v FROM schema_migrations")).rows[0]?.v
        : undefined
      await client.end()
      return applied
    }
    expect(await versions(a.adminUrl)).toBe(8)
    expect(await versions(b.adminUrl)).toBeUndefined()
  })

  it("lets the runtime role log in to a migrated copy", async () => {
    const client = new pg.Client({ connectionString: a.appUrl })
    await client.connect()
    const { rows } = await client.query<{ u: string }>("SELECT current_user AS u")
    await client.end()
    expect(rows[0]?.u).toBe(a.appRole)
  })
})
