import type { ApplicationId } from "@loan-ledger/domain/Ids"
import { Effect, Option } from "effect"
import { RuntimeFailure } from "../CliError.js"
export const run = (_o: { readonly application: Option.Option<ApplicationId>; readonly json: boolean }) =>
  Effect.fail(new RuntimeFailure({ message: "not implemented yet" }))
