/** Small helpers shared by the adapter tests. */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as AuditEvent from "@loan-ledger/domain/AuditEvent"
import type { JsonObject } from "@loan-ledger/domain/CanonicalJson"
import * as ChainKey from "@loan-ledger/domain/ChainKey"

/** A plain event for `chain`, as an operator would record it. */
export const maintenanceEvent = (chain: ChainKey.ChainKey, metadata: JsonObject = {}, actorId = "test-operator") =>
  AuditEvent.makeInput({
    applicationId: ChainKey.applicationIdOf(chain),
    eventType: "maintenance",
    actorId,
    actorType: "operator",
    metadata
  })

/** The defect an exit died with, if it died. */
export const defectOf = <A, E>(exit: Exit.Exit<A, E>): Option.Option<unknown> =>
  Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()

/** The typed failure of an exit, if it failed with one. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): Option.Option<E> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

/** Polls `probe` every 20 ms until `done` holds (at most `within`). */
export const eventually = <A, R>(
  probe: Effect.Effect<A, never, R>,
  done: (a: A) => boolean,
  within: Duration.DurationInput = "10 seconds"
): Effect.Effect<A, never, R> =>
  probe.pipe(
    Effect.filterOrFail(done, () => "not yet" as const),
    Effect.retry(Schedule.spaced("20 millis")),
    Effect.timeoutFail({ duration: within, onTimeout: () => "gave up waiting" as const }),
    Effect.orDie
  )
