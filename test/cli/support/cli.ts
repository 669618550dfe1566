/**
 * Runs `loan-ledger` as a real subprocess (the workspace bin shim, through
 * tsx), so the tests see the real exit code, stdout and stderr.
 */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import type { TestDatabase } from "../../support/database.js"

const BIN = fileURLToPath(new URL("../../../packages/cli/bin/loan-ledger.js", import.meta.url))
export const REPOSITORY = Path.resolve(Path.dirname(BIN), "../../..")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A Fernet key (url-safe base64 of 32 bytes) and an HMAC secret for tests only. */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64url") + "="
export const TEST_HMAC_SECRET = "test-hmac-secret-of-at-least-32-characters"

/** Variables a developer's shell may set that must not leak into a test's subprocess. */
const INHERITED_SETTINGS = [
  "DATABASE_URL",
  "DATABASE_ADMIN_URL",
  "DATABASE_APP_ROLE",
  "ENCRYPTION_KEY",
  "ENCRYPTION_KEY_ID",
  "ENCRYPTION_KEY_PREVIOUS",
  "ENCRYPTION_KEY_PREVIOUS_ID",
  "HMAC_SECRET_KEY",
  "ENVIRONMENT",
  "PORT",
  "LOCK_TIMEOUT_MS",
  "LOAN_LEDGER_HOME"
]

export const baseEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  for (const key of INHERITED_SETTINGS) delete env[key]
  // Colours and TTY behaviour off: output is compared as text.
  env.NO_COLOR = "1"
  return env
}

/** The environment of an operator pointed at a test database. */
export const envFor = (db: TestDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...baseEnv(),
  DATABASE_URL: db.appUrl,
  DATABASE_ADMIN_URL: db.adminUrl,
  DATABASE_APP_ROLE: db.appRole,
  ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  HMAC_SECRET_KEY: TEST_HMAC_SECRET,
  ...extra
})

export const run = (
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  options: { readonly timeoutMs?: number; readonly onSpawn?: (child: ChildProcess.ChildProcess) => void } = {}
): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(process.execPath, [BIN, ...args], {
      cwd: REPOSITORY,
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    options.onSpawn?.(child)
  })

/** Lines of stderr, for "exactly one line" checks. */
export const stderrLines = (result: CliResult) => result.stderr.split("\n").filter((l) => l.trim() !== "")
