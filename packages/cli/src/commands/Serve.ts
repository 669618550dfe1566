/**
 * `serve` (and `npm start`): the HTTP server of packages/http, composed by
 * its `Main`. With no DATABASE_URL it first starts the embedded PostgreSQL
 * (migrated) and seeds it, printing the seed keys when this start created
 * them, then serves on that database until SIGINT/SIGTERM, after which the
 * server drains, the pools close and the embedded cluster stops.
 */
import * as EmbeddedDefault from "@loan-ledger/adapters-pg/EmbeddedDefault"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as ExitStatus from "../ExitStatus.js"
import * as Layers from "../Layers.js"
import * as SeedCommand from "./Seed.js"

export const run = Effect.gen(function*() {
  // Decided before the embedded environment supplies a DATABASE_URL of its own.
  const embedded = yield* EmbeddedDefault.isWanted
  // The HTTP stack is loaded only by the command that needs it.
  const Main = yield* Effect.promise(() => import("@loan-ledger/http/Main"))
  yield* Effect.gen(function*() {
    if (embedded) yield* SeedCommand.seed.pipe(Effect.provide(Layers.SeedingServices))
    ExitStatus.stopsOnSignal()
    yield* Main.serve({
      onListening: (listening) =>
        Console.log(`loan-ledger: serving on ${listening.url} (API documentation: ${listening.docsUrl})`)
    })
  }).pipe(Effect.provide(Layers.environment("latest")))
})
