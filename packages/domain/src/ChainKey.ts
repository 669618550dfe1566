/**
 * Which audit chain an event belongs to: one chain per application, plus one
 * system chain for events without an application (key management,
 * authentication failures, maintenance).
 */
import * as Schema from "effect/Schema"
import { ApplicationId } from "./Ids.js"

export const ApplicationChain = Schema.TaggedStruct("Application", { applicationId: ApplicationId })
export const SystemChain = Schema.TaggedStruct("System", {})
export const ChainKey = Schema.Union(ApplicationChain, SystemChain)
export type ChainKey = typeof ChainKey.Type

export const system: ChainKey = SystemChain.make({})

export const application = (applicationId: ApplicationId): ChainKey => ApplicationChain.make({ applicationId })

/** The chain of an event, from its `application_id` column. */
export const of = (applicationId: ApplicationId | null): ChainKey =>
  applicationId === null ? system : application(applicationId)

export const applicationIdOf = (key: ChainKey): ApplicationId | null =>
  key._tag === "Application" ? key.applicationId : null

/**
 * Stable text of a chain key: `system` or `application:<uuid>`. Adapters
 * derive lock keys from it (e.g. `hashtext`), and lock in its sort order.
 */
export const toString = (key: ChainKey): string =>
  key._tag === "System" ? "system" : `application:${key.applicationId}`

export const equals = (a: ChainKey, b: ChainKey): boolean => toString(a) === toString(b)

/**
 * The distinct keys in the one order every transaction takes its locks in,
 * so that two transactions needing the same chains can never deadlock.
 */
export const lockOrder = (keys: ReadonlyArray<ChainKey>): ReadonlyArray<ChainKey> => {
  const byText = new Map<string, ChainKey>()
  for (const key of keys) byText.set(toString(key), key)
  return [...byText.keys()].sort().map((k) => byText.get(k)!)
}
