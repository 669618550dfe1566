import { Effect } from "effect"
import { RuntimeFailure } from "../CliError.js"
export const run = Effect.fail(new RuntimeFailure({ message: "not implemented yet" }))
