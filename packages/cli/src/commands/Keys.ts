import type { ApiKeyId } from "@loan-ledger/domain/Ids"
import type { Role } from "@loan-ledger/domain/Role"
import { Effect } from "effect"
import { RuntimeFailure } from "../CliError.js"
const todo = Effect.fail(new RuntimeFailure({ message: "not implemented yet" }))
export const create = (_o: { readonly role: Role; readonly description: string | undefined; readonly expiresInDays: number }) => todo
export const list = (_o: { readonly json: boolean }) => todo
export const revoke = (_id: ApiKeyId) => todo
