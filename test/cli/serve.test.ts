/** `loan-ledger serve` as a subprocess: it serves on the configured database and stops cleanly on SIGTERM. */
import * as ChildProcess from "node:child_process"
import * as Net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createTestDatabase, type TestDatabase } from "../support/database.js"
import { envFor, run } from "./support/cli.js"

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase()
})

afterAll(async () => {
  await db?.drop()
})

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = Net.createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

describe("loan-ledger serve", { timeout: 300_000 }, () => {
  it("serves the seeded database and exits 0 after a graceful SIGTERM", async () => {
    const seeded = await run(["seed"], envFor(db))
    expect(seeded.code, seeded.stderr).toBe(0)
    const reviewerKey = /\b(ak_rv_[A-Za-z0-9_-]{43})\b/.exec(seeded.stdout)![1]!
    const port = await freePort()
    let child: ChildProcess.ChildProcess | undefined
    let listening: (url: string) => void = () => undefined
    const up = new Promise<string>((resolve) => (listening = resolve))
    const finished = run(["serve"], envFor(db, { PORT: String(port) }), {
      onSpawn: (spawned) => {
        child = spawned
        spawned.stdout?.on("data", (chunk: Buffer) => {
          const match = /serving on (\S+)/.exec(chunk.toString("utf8"))
          if (match !== null) listening(match[1]!)
        })
      }
    })
    const url = await Promise.race([up, finished.then((r) => Promise.reject(new Error(`serve exited: ${r.stderr}`)))])
    expect(url).toBe(`http://127.0.0.1:${port}`)

    const ready = await fetch(`${url}/ready`)
    expect(ready.status).toBe(200)
    const list = await fetch(`${url}/v1/applications?limit=100`, { headers: { Authorization: `Bearer ${reviewerKey}` } })
    expect(list.status).toBe(200)
    expect(((await list.json()) as { data: Array<unknown> }).data).toHaveLength(12)

    child!.kill("SIGTERM")
    const result = await finished
    expect(result.code, result.stderr).toBe(0)
  })
})
