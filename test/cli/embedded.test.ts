/**
 * With no DATABASE_URL: `serve` starts the embedded PostgreSQL, migrates,
 * seeds (keys printed on the first start only) and serves; other commands
 * run on the same embedded database, so `keys create` is the way back in.
 */
import * as EmbeddedPostgres from "@loan-ledger/adapters-pg/EmbeddedPostgres"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { baseEnv, type CliResult, run } from "./support/cli.js"

let home: string

beforeAll(() => {
  home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "loan-ledger-embedded-"))
})

afterAll(() => {
  // The cluster is stopped by then (each command stops what it started); its data folder is ours to remove.
  const state = JSON.parse(Fs.readFileSync(Path.join(home, "state.json"), "utf8")) as { superuserPassword: string }
  Fs.rmSync(EmbeddedPostgres.reachableDataDir(Path.join(home, "pgdata"), state.superuserPassword), { recursive: true, force: true })
  Fs.rmSync(home, { recursive: true, force: true })
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

const KEY = /\bak_(lo|su|rv)_[A-Za-z0-9_-]{43}\b/g

/** Starts `serve`, waits until it listens, runs `whileUp`, stops it with SIGTERM. */
const serveOnce = async (whileUp: (url: string) => Promise<void>): Promise<CliResult> => {
  const port = await freePort()
  let child: ChildProcess.ChildProcess | undefined
  let listening: (url: string) => void = () => undefined
  const up = new Promise<string>((resolve) => (listening = resolve))
  const finished = run(["serve"], { ...baseEnv(), LOAN_LEDGER_HOME: home, PORT: String(port) }, {
    timeoutMs: 240_000,
    onSpawn: (spawned) => {
      child = spawned
      let seen = ""
      spawned.stdout?.on("data", (chunk: Buffer) => {
        seen += chunk.toString("utf8")
        const match = /serving on (\S+)/.exec(seen)
        if (match !== null) listening(match[1]!)
      })
    }
  })
  const url = await Promise.race([up, finished.then((r) => Promise.reject(new Error(`serve exited early: ${r.stderr}`)))])
  try {
    await whileUp(url)
  } finally {
    child?.kill("SIGTERM")
  }
  return finished
}

describe("the embedded default", { timeout: 600_000 }, () => {
  it("serve starts, migrates, seeds and serves; keys are printed on the first start only", async () => {
    const first = await serveOnce(async (url) => {
      expect((await fetch(`${url}/ready`)).status).toBe(200)
    })
    expect(first.code, first.stderr).toBe(0)
    expect([...first.stdout.matchAll(KEY)].map((m) => m[1])).toEqual(["lo", "su", "rv"])
    expect(first.stdout).toContain("created 12 applications")
    expect(Fs.existsSync(Path.join(home, "state.json"))).toBe(true)

    // The way back in once the seed keys have expired: a new key on the same embedded database.
    const created = await run(["keys", "create", "--role", "reviewer"], { ...baseEnv(), LOAN_LEDGER_HOME: home })
    expect(created.code, created.stderr).toBe(0)
    const key = /^key:\s+(ak_rv_\S+)$/m.exec(created.stdout)![1]!

    const second = await serveOnce(async (url) => {
      const list = await fetch(`${url}/v1/applications?limit=100`, { headers: { Authorization: `Bearer ${key}` } })
      expect(list.status).toBe(200)
      expect(((await list.json()) as { data: Array<unknown> }).data).toHaveLength(12)
    })
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).not.toMatch(KEY)
    expect(second.stdout).toContain("nothing changed")

    const verified = await run(["verify"], { ...baseEnv(), LOAN_LEDGER_HOME: home })
    expect(verified.code, verified.stderr).toBe(0)
  })
})
