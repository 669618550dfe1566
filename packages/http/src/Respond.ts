/**
 * Handlers answer with responses they encode themselves. HttpApi would
 * encode a handler's value too, but it reports a value that does not fit its
 * schema as a *decode* error, i.e. a 400 to the client for what is a bug on
 * our side; here such a value is a defect (a 500 with the request id). It
 * also lets 201s carry their `Location`.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const json = <A, I>(
  schema: Schema.Schema<A, I, never>,
  value: A,
  options: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {}
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.map(Effect.orDie(Schema.encode(schema)(value)), (body) =>
    HttpServerResponse.unsafeJson(body, { status: options.status ?? 200, headers: options.headers })
  )

export const ok = <A, I>(schema: Schema.Schema<A, I, never>, value: A) => json(schema, value)

export const created = <A, I>(schema: Schema.Schema<A, I, never>, value: A, location: string) =>
  json(schema, value, { status: 201, headers: { location } })

export const accepted = <A, I>(schema: Schema.Schema<A, I, never>, value: A) => json(schema, value, { status: 202 })

export const noContent: Effect.Effect<HttpServerResponse.HttpServerResponse> = Effect.succeed(
  HttpServerResponse.empty({ status: 204 })
)
