/**
 * Reading request bodies within a limit, on Node's request stream.
 *
 * The platform's readers destroy the request stream when a limit is hit,
 * and destroying an unfinished Node request resets the socket: the client
 * then sees a connection error instead of the 413 it should get. Here a body
 * over its limit is abandoned, not destroyed: the rest of it is drained
 * (read and dropped, constant memory) while the answer goes out, so the
 * connection stays usable and the client reads the problem document.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type ValidationError } from "@loan-ledger/domain/Errors"
import * as Validation from "@loan-ledger/domain/Validation"
import { MalformedBody, PayloadTooLarge, UnsupportedContentType } from "./Problems.js"

/** JSON bodies of this API are a few KiB; anything near this limit is not a real client. */
export const JSON_LIMIT_BYTES = 64 * 1024

/** The declared Content-Length, when there is a well-formed one. */
export const declaredLength = (request: HttpServerRequest.HttpServerRequest): number | undefined => {
  const header = request.headers["content-length"]
  return header !== undefined && /^[0-9]{1,15}$/.test(header) ? Number(header) : undefined
}

/** The media type of the request without parameters, lower-cased. */
export const mediaType = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const header = request.headers["content-type"]
  if (header === undefined) return undefined
  return header.split(";", 1)[0]!.trim().toLowerCase()
}

/**
 * Lets the rest of an abandoned body flow into nowhere. Node only drains
 * bodies nobody started reading; one we stopped reading must be resumed.
 */
export const drain = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void> =>
  Effect.sync(() => {
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    if (!source.readableEnded && !source.destroyed) {
      source.unpipe()
      source.resume()
    }
  })

/** The whole body, or PayloadTooLarge as soon as it passes `limit` bytes. */
export const readBounded = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<Uint8Array, PayloadTooLarge> => {
  const declared = declaredLength(request)
  if (declared !== undefined && declared > limit) {
    return Effect.fail(new PayloadTooLarge({ limitBytes: limit }))
  }
  return Effect.async<Uint8Array, PayloadTooLarge>((resume) => {
    const source = NodeHttpServerRequest.toIncomingMessage(request)
    if (source.readableEnded) {
      resume(Effect.succeed(new Uint8Array(0)))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    let settled = false
    const detach = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("close", onClose)
    }
    const settle = (effect: Effect.Effect<Uint8Array, PayloadTooLarge>) => {
      if (settled) return
      settled = true
      detach()
      resume(effect)
    }
    function onData(chunk: Buffer) {
      size += chunk.length
      if (size > limit) {
        chunks.length = 0
        // Still flowing without a listener: the remainder is dropped.
        settle(Effect.fail(new PayloadTooLarge({ limitBytes: limit })))
        return
      }
      chunks.push(chunk)
    }
    function onEnd() {
      settle(Effect.succeed(new Uint8Array(Buffer.concat(chunks, size))))
    }
    function onClose() {
      // Closed before the end: the client went away mid-body.
      if (!source.readableEnded) settle(Effect.interrupt)
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("close", onClose)
    return Effect.sync(detach)
  })
}

const isJson = (type: string | undefined): boolean =>
  type === "application/json" || (type !== undefined && /^application\/[a-z0-9.+-]+\+json$/.test(type))

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** The body parsed as JSON, with the failures the contract asks for (415, 413, 400). */
export const json = (
  limit: number = JSON_LIMIT_BYTES
): Effect.Effect<unknown, UnsupportedContentType | PayloadTooLarge | MalformedBody, HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request): Effect.Effect<
    unknown,
    UnsupportedContentType | PayloadTooLarge | MalformedBody
  > => {
    if (!isJson(mediaType(request))) {
      return Effect.zipRight(drain(request), Effect.fail(new UnsupportedContentType({ expected: "application/json" })))
    }
    return readBounded(request, limit).pipe(
      Effect.tapError(() => drain(request)),
      Effect.flatMap((bytes) =>
        Effect.try({
          try: () => JSON.parse(utf8.decode(bytes)) as unknown,
          catch: () => new MalformedBody({ expected: "JSON" })
        })
      )
    )
  })

/**
 * The body decoded with `schema`: unknown fields rejected, every problem
 * reported with a message that never quotes the value (422).
 */
export const decodeJson = <A, I>(
  schema: Schema.Schema<A, I, never>,
  limit?: number
): Effect.Effect<
  A,
  UnsupportedContentType | PayloadTooLarge | MalformedBody | ValidationError,
  HttpServerRequest.HttpServerRequest
> => Effect.flatMap(json(limit), Validation.decodeUnknown(schema))
