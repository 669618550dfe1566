/**
 * Schemas for values typed on the command line. Ids reuse the domain's
 * branded ids, so a value that passes here is exactly what the use cases
 * take; the messages are short and never echo the typed value.
 */
import { ApiKeyId, ApplicationId } from "@loan-ledger/domain/Ids"
import * as Schema from "effect/Schema"

const expecting = (what: string) => () => ({ message: what, override: true })

export const ApplicationIdArg = ApplicationId.annotations({ message: expecting("--application must be a UUID") })
export const ApiKeyIdArg = ApiKeyId.annotations({ message: expecting("the key id must be a UUID") })

export const positiveInteger = (flag: string) =>
  Schema.Int.pipe(Schema.positive(), Schema.annotations({ message: expecting(`${flag} must be a positive integer`) }))

export const integerBetween = (flag: string, min: number, max: number) =>
  Schema.Int.pipe(Schema.between(min, max), Schema.annotations({ message: expecting(`${flag} must be between ${min} and ${max}`) }))
