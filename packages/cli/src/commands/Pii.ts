/** `pii rotate`: see pii/Rotation.ts. */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { UsageError } from "../CliError.js"
import * as Operator from "../Operator.js"
import * as Rotation from "../pii/Rotation.js"

export const rotate = Effect.gen(function*() {
  const report = yield* Rotation.rotate(yield* Operator.current, {
    onBatch: (what, count, total) =>
      count === 0 ? Effect.void : Console.log(`pii rotate: ${count} ${what} re-encrypted (${total} so far)`)
  }).pipe(
    // An unconfigured key id is the operator's to fix (exit 2); a value that does not decrypt is not (exit 3).
    Effect.catchIf(
      (e): e is Rotation.RotationFailed => e instanceof Rotation.RotationFailed && e.unknownKeyId !== undefined,
      (e) => Effect.fail(new UsageError({ message: e.message }))
    )
  )
  if (report.applications + report.documents === 0) {
    return yield* Console.log(`pii rotate: every value is already under key id ${report.keyId}; nothing to do`)
  }
  yield* Console.log(
    `pii rotate: done; ${report.applications} applications and ${report.documents} documents re-encrypted ` +
      `from key id(s) ${report.fromKeyIds.join(", ")} to key id ${report.keyId}` +
      (report.skipped > 0 ? `; ${report.skipped} changed meanwhile: run it again` : "") +
      ". ENCRYPTION_KEY_PREVIOUS can now be removed."
  )
})
