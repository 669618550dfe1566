/**
 * The production composition (`Main.layer`) on a real test database, on a
 * random port, in this process: the same layers `loan-ledger serve` runs,
 * with settings from a ConfigProvider instead of the environment and the
 * log lines captured for inspection.
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Main from "@loan-ledger/http/Main"
import { TEST_ENCRYPTION_KEY, TEST_HMAC_SECRET } from "../../cli/support/cli.js"
import type { TestDatabase } from "../../support/database.js"

export interface RealServer {
  readonly url: string
  readonly logs: Array<string>
  readonly close: () => Promise<void>
}

export const settingsFor = (db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_URL: db.appUrl,
  DATABASE_ADMIN_URL: db.adminUrl,
  DATABASE_APP_ROLE: db.appRole,
  ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  HMAC_SECRET_KEY: TEST_HMAC_SECRET,
  ENVIRONMENT: "development",
  ...extra
})

/** Builds the server; fails as `loan-ledger serve` would (e.g. StartupRefused). */
export const start = async (settings: Record<string, string>, logs: Array<string> = []): Promise<RealServer> => {
  let url = ""
  const layer = Main.layer({
    settings: { port: 0, host: "127.0.0.1" },
    logSink: (line) => logs.push(line),
    onListening: (listening) => Effect.sync(() => void (url = listening.url))
  })
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(
    Layer.buildWithScope(layer, scope).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(settings))))
    )
  )
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw Exit.isFailure(exit) ? new StartFailed(exit) : new Error("unreachable")
  }
  return { url, logs, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

export class StartFailed extends Error {
  constructor(readonly exit: Exit.Exit<unknown, unknown>) {
    super("the server did not start")
  }
}

/** The plaintext seed keys `loan-ledger seed` printed, by role. */
export const seedKeysFrom = (stdout: string): Record<"loan_officer" | "senior_underwriter" | "reviewer", string> => {
  const keys: Record<string, string> = {}
  for (const match of stdout.matchAll(/^\s+(loan_officer|senior_underwriter|reviewer)\s+(ak_(?:lo|su|rv)_[A-Za-z0-9_-]{43})\b/gm)) {
    keys[match[1]!] = match[2]!
  }
  if (Object.keys(keys).length !== 3) throw new Error(`seed printed no keys:\n${stdout}`)
  return keys as Record<"loan_officer" | "senior_underwriter" | "reviewer", string>
}
