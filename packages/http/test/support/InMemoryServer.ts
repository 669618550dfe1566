/**
 * The HTTP shell on a real Node server (random port), backed by the
 * domain's in-memory ports: fast tests of the contract (statuses, problem
 * documents, headers, logs) without PostgreSQL. The journeys against the
 * real database live in test/http.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { Actor, ApiKeys, Role } from "@loan-ledger/domain"
import { InMemoryDatabase } from "../../../domain/test/support/InMemory.js"
import { makeTestLayer, type Services } from "../../../domain/test/support/TestLayer.js"
import * as Layers from "../../src/Layers.js"
import * as Logging from "../../src/Logging.js"
import { DatabasePing } from "../../src/Readiness.js"

export interface Keys {
  readonly loan_officer: string
  readonly other_officer: string
  readonly senior_underwriter: string
  readonly reviewer: string
}

export interface InMemoryServer {
  readonly url: string
  readonly logs: Array<string>
  readonly database: { up: boolean }
  readonly keys: Keys
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services | InMemoryDatabase>) => Promise<A>
  readonly close: () => Promise<void>
}

const operator = Actor.operator("http-test")

const createKey = (role: Role.Role) =>
  Effect.flatMap(ApiKeys.ApiKeys, (keys) =>
    Effect.map(keys.create(operator, { role, expiresInDays: 1 }), (created) => Redacted.value(created.key))
  )

export const start = async (options: { readonly lockTimeout?: Duration.DurationInput } = {}): Promise<InMemoryServer> => {
  const logs: Array<string> = []
  const database = { up: true }
  const ping = Layer.succeed(DatabasePing, {
    ping: Effect.suspend(() => (database.up ? Effect.void : Effect.fail("down")))
  })
  const layer = Layers.serverLayer({ port: 0, host: "127.0.0.1", shutdownGrace: "2 seconds" }).pipe(
    Layer.provideMerge(Layer.merge(ping, makeTestLayer(options.lockTimeout === undefined ? {} : { lockTimeout: options.lockTimeout }))),
    Layer.provide(Logging.layer((line) => logs.push(line)))
  )
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  const run = <A, E>(effect: Effect.Effect<A, E, Services | InMemoryDatabase>) =>
    Effect.runPromise(Effect.provide(effect, context))
  const keys: Keys = {
    loan_officer: await run(createKey("loan_officer")),
    other_officer: await run(createKey("loan_officer")),
    senior_underwriter: await run(createKey("senior_underwriter")),
    reviewer: await run(createKey("reviewer"))
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    logs,
    database,
    keys,
    run,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
