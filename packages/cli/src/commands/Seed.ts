import { Effect } from "effect"
import { RuntimeFailure } from "../CliError.js"
export const seed = Effect.fail(new RuntimeFailure({ message: "not implemented yet" }))
export const remove = seed
