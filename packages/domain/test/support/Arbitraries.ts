/** fast-check generators for audit events and chains. */
import fc from "fast-check"
import {
  AuditChain,
  AuditEvent,
  CanonicalJson,
  ChainKey,
  Ids,
  Lifecycle,
  Role,
  Timestamp
} from "../../src/index.js"

export const storableString = (maxLength = 12) =>
  fc.string({ unit: "binary", maxLength }).filter(CanonicalJson.isStorableText)

export const jsonLeaf: fc.Arbitrary<CanonicalJson.JsonValue> = fc.oneof(
  storableString(),
  fc.boolean(),
  fc.constant(null),
  fc.maxSafeInteger(),
  fc.integer()
)

export const jsonValue: fc.Arbitrary<CanonicalJson.JsonValue> = fc.letrec<{ value: CanonicalJson.JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    jsonLeaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(storableString(6), tie("value"), { maxKeys: 4 })
  )
})).value

export const metadata: fc.Arbitrary<CanonicalJson.JsonObject> = fc.dictionary(storableString(8), jsonValue, {
  maxKeys: 5
})

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"))

export const confidence = fc.integer({ min: 0, max: 1000 }).map((m) =>
  `${Math.floor(m / 1000)}.${String(m % 1000).padStart(3, "0")}`
)

const nullable = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: null })

/** The writer-chosen fields of an event of `chain`. */
export const eventInput = (chain: ChainKey.ChainKey) =>
  fc.record({
    eventType: fc.constantFrom(...AuditEvent.EventType.literals),
    actorId: storableString(20).filter((s) => s.length > 0),
    actorType: fc.constantFrom(...AuditEvent.ActorType.literals),
    actorRole: nullable(fc.constantFrom(...Role.all)),
    agentName: nullable(storableString(20).filter((s) => s.length > 0)),
    confidenceScore: nullable(confidence),
    reasoning: nullable(storableString(40).filter((s) => s.length > 0)),
    inputDataHash: nullable(hex64),
    previousState: nullable(fc.constantFrom(...Lifecycle.allStatuses)),
    newState: nullable(fc.constantFrom(...Lifecycle.allStatuses)),
    metadata
  }).map((fields) =>
    AuditEvent.AuditEventInput.make({
      ...fields,
      applicationId: ChainKey.applicationIdOf(chain),
      confidenceScore: fields.confidenceScore as AuditEvent.AuditEventInput["confidenceScore"]
    })
  )

export const chainKey: fc.Arbitrary<ChainKey.ChainKey> = fc.oneof(
  fc.constant(ChainKey.system),
  fc.uuid({ version: 4 }).map((u) => ChainKey.application(u as Ids.ApplicationId))
)

/** Links inputs into a valid stored chain, as the database and AuditLog would. */
export const link = (
  inputs: ReadonlyArray<AuditEvent.AuditEventInput>,
  idGaps: ReadonlyArray<number>,
  start: bigint,
  startMicros: bigint
): Array<AuditEvent.AuditEvent> => {
  const events: Array<AuditEvent.AuditEvent> = []
  let id = start
  let micros = startMicros
  inputs.forEach((input, i) => {
    id += BigInt(idGaps[i] ?? 1)
    micros += BigInt((idGaps[i] ?? 1) * 1234)
    const previous = events[events.length - 1]
    events.push(AuditEvent.AuditEvent.make({
      ...input,
      id: String(id) as Ids.AuditEventId,
      prevEventHash: previous === undefined ? AuditChain.GENESIS : AuditChain.hash(previous),
      createdAt: Timestamp.fromEpochMicros(micros)
    }))
  })
  return events
}

export const chain = (minLength = 1, maxLength = 8) =>
  chainKey.chain((key) =>
    fc.tuple(
      fc.constant(key),
      fc.array(eventInput(key), { minLength, maxLength }),
      fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: maxLength, maxLength }),
      fc.bigInt({ min: 0n, max: 10n ** 12n }),
      fc.bigInt({ min: 0n, max: 4_000_000_000_000_000n })
    ).map(([key, inputs, gaps, start, micros]) => ({ key, events: link(inputs, gaps, start, micros) }))
  )

export const shuffleKeys = (value: CanonicalJson.JsonValue, seed: number): CanonicalJson.JsonValue => {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed))
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
    const rotated = entries.slice(seed % Math.max(1, entries.length)).concat(entries.slice(0, seed % Math.max(1, entries.length)))
    return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, shuffleKeys(v as CanonicalJson.JsonValue, seed + 1)]))
  }
  return value
}

/** JSON text with other spellings of the same integers, as a client or jsonb might write them. */
export const respell = (value: CanonicalJson.JsonValue, choice: number): string => {
  if (typeof value === "number") {
    // "00e-1" would not be JSON: a zero takes the tenfold spelling without its extra digit.
    const tenfold = value === 0 ? "0" : `${value}0`
    const forms = [`${value}`, `${value}.0`, `${value}e0`, `${value}E+0`, `${value}.000`, `${tenfold}e-1`]
    return forms[choice % forms.length]!
  }
  if (Array.isArray(value)) return ` [ ${value.map((v, i) => respell(v, choice + i)).join(" , ")} ] `
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value).map(([k, v], i) => `${JSON.stringify(k)} : ${respell(v, choice + i)}`).join(", ")} }`
  }
  return JSON.stringify(value)
}
