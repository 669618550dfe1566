import { Effect, Option } from "effect"
import { RuntimeFailure } from "../CliError.js"
const todo = Effect.fail(new RuntimeFailure({ message: "not implemented yet" }))
export const up = (_to: Option.Option<number>) => todo
export const down = (_steps: number) => todo
export const status = (_o: { readonly json: boolean }) => todo
