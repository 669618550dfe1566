/**
 * Instants as canonical text: `YYYY-MM-DDTHH:MM:SS.ffffffZ`, always UTC and
 * always six fractional digits. PostgreSQL's timestamptz has microsecond
 * precision and prints it in the session time zone with trailing zeros cut;
 * `pg` would even turn it into a millisecond `Date`. The audit chain hashes
 * timestamps, so every form the database may hand back must normalise to the
 * exact text the writer hashed, and this module is where that happens.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

export const Timestamp = Schema.String.pipe(
  Schema.pattern(CANONICAL, {
    message: () => "must be a UTC timestamp of the form YYYY-MM-DDTHH:MM:SS.ffffffZ"
  }),
  Schema.brand("Timestamp")
)
export type Timestamp = typeof Timestamp.Type

// ISO 8601 / PostgreSQL ISO DateStyle: date, `T` or space, time with an
// optional fraction of up to six digits, and a mandatory zone (`Z`, or an
// offset of hours, hours:minutes or hours:minutes:seconds, as PostgreSQL
// prints historical zones such as +00:53:28). A timestamp without a zone is
// refused: its meaning would depend on the session time zone.
const TEXT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)$/

const MICROS_PER_SECOND = 1_000_000n

const utcMillis = (year: number, month: number, day: number, h: number, m: number, s: number): number => {
  // Date.UTC maps the years 0-99 to 1900-1999; setUTCFullYear does not.
  const d = new Date(Date.UTC(2000, 0, 1, h, m, s))
  d.setUTCFullYear(year, month - 1, day)
  return d.getTime()
}

/** Epoch microseconds of a canonical timestamp. */
export const toEpochMicros = (t: Timestamp): bigint => {
  const match = TEXT.exec(t)!
  const [, y, mo, d, h, mi, s, frac] = match
  const millis = utcMillis(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s))
  return BigInt(millis) * 1000n + BigInt((frac ?? "").padEnd(6, "0"))
}

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

/** The canonical text of an instant given in epoch microseconds; undefined outside years 1-9999. */
export const fromEpochMicrosOption = (micros: bigint): Timestamp | undefined => {
  const millis = floorDiv(micros, 1000n)
  const sub = micros - millis * 1000n
  const date = new Date(Number(millis))
  const year = date.getUTCFullYear()
  if (Number.isNaN(date.getTime()) || year < 1 || year > 9999) return undefined
  const iso = date.toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0-9999
  return `${iso.slice(0, 23)}${sub.toString().padStart(3, "0")}Z` as Timestamp
}

export const fromEpochMicros = (micros: bigint): Timestamp => {
  const t = fromEpochMicrosOption(micros)
  if (t === undefined) throw new RangeError("timestamp outside the years 1-9999")
  return t
}

export const fromDate = (date: Date): Timestamp => fromEpochMicros(BigInt(date.getTime()) * 1000n)

export const toDate = (t: Timestamp): Date => new Date(Number(floorDiv(toEpochMicros(t), 1000n)))

/**
 * Parses PostgreSQL's text output of a timestamptz (any session time zone,
 * 0-6 fractional digits) or an ISO 8601 instant with an offset, and returns
 * the canonical UTC text. Returns a reason (never the input) on failure.
 */
export const parse = (text: string): Either.Either<Timestamp, string> => {
  const match = TEXT.exec(text)
  if (match === null) return Either.left("must be an ISO 8601 timestamp with a time zone offset")
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om, os] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return Either.left("is not a valid date and time")
  }
  const millis = utcMillis(year, month, day, hour, minute, second)
  const check = new Date(millis)
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return Either.left("is not a valid date and time")
  }
  let offsetSeconds = 0
  if (z === undefined) {
    const offH = Number(oh)
    const offM = Number(om ?? "0")
    const offS = Number(os ?? "0")
    if (offH > 15 || offM > 59 || offS > 59) return Either.left("has an invalid time zone offset")
    offsetSeconds = (sign === "-" ? -1 : 1) * (offH * 3600 + offM * 60 + offS)
  }
  const micros = BigInt(millis) * 1000n + BigInt((frac ?? "").padEnd(6, "0")) -
    BigInt(offsetSeconds) * MICROS_PER_SECOND
  const result = fromEpochMicrosOption(micros)
  return result === undefined ? Either.left("is outside the years 1-9999") : Either.right(result)
}

/** Decodes any accepted text form into the canonical form (e.g. a database column read as text). */
export const TimestampFromText = Schema.transformOrFail(Schema.String, Timestamp, {
  strict: true,
  decode: (text, _, ast) =>
    Either.match(parse(text), {
      onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, text, reason)),
      onRight: (t) => ParseResult.succeed(t)
    }),
  encode: (t) => ParseResult.succeed(t)
})

/** Canonical texts of the same width order like the instants they denote. */
export const compare = (a: Timestamp, b: Timestamp): -1 | 0 | 1 => (a < b ? -1 : a > b ? 1 : 0)

export const addSeconds = (t: Timestamp, seconds: number): Timestamp =>
  fromEpochMicros(toEpochMicros(t) + BigInt(seconds) * MICROS_PER_SECOND)

/** The current instant with the microsecond precision PostgreSQL stores. */
export const now: Effect.Effect<Timestamp> = Effect.map(
  Clock.currentTimeNanos,
  (nanos) => fromEpochMicros(nanos / 1000n)
)
