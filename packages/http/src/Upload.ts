/**
 * Receiving an uploaded document from a multipart body.
 *
 * The body is parsed as a stream (HttpApi's `MultipartStream`), never
 * persisted: the platform's other multipart reader writes every file to a
 * temporary folder, unencrypted, which a lender may not do with a borrower's
 * documents. The 20 MiB limit is enforced by the parser while the bytes
 * arrive, so an oversized file is refused (413) after at most 20 MiB, not
 * after the whole of it.
 *
 * The content must be held in memory once to be checked (a structure check
 * needs the end of the file) and encrypted, so uploads take a slot: at most
 * `UPLOAD_CONCURRENCY` of them (default 2) are read and processed at once,
 * and the others wait before a byte of their body is read (TCP back-pressure
 * holds the clients). Memory stays bounded however many arrive together.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Multipart from "@effect/platform/Multipart"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { MAX_BYTES } from "@loan-ledger/domain/DocumentContent"
import { MalformedBody, MissingFilePart, PayloadTooLarge, UnsupportedContentType } from "./Problems.js"
import { declaredLength, drain, mediaType } from "./RequestBody.js"

export const FIELD = "document"

/** The file plus multipart framing and a few small fields. */
export const MAX_BODY_BYTES = MAX_BYTES + 256 * 1024

export interface ReceivedFile {
  /** As the client sent it: not safe to store or show before sanitising. */
  readonly filename: string
  readonly content: Uint8Array
}

export type ReceiveError = UnsupportedContentType | PayloadTooLarge | MalformedBody | MissingFilePart

export class UploadSlots extends Context.Tag("@loan-ledger/http/UploadSlots")<
  UploadSlots,
  { readonly withSlot: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> }
>() {
  static readonly make = (slots: number) =>
    Effect.map(Effect.makeSemaphore(slots), (semaphore) => UploadSlots.of({ withSlot: semaphore.withPermits(1) }))

  static readonly layer = Layer.effect(
    UploadSlots,
    Effect.flatMap(
      Config.integer("UPLOAD_CONCURRENCY").pipe(
        Config.withDefault(2),
        Config.validate({ message: "UPLOAD_CONCURRENCY must be from 1 to 64", validation: (n) => n >= 1 && n <= 64 })
      ),
      UploadSlots.make
    )
  )
}

// The parser's own file limit is a safety net a little above ours: it
// counts bytes it has not yet recognised as the closing boundary, so the
// exact 20 MiB rule is applied while collecting (below).
const limits = {
  maxParts: Option.some(16),
  maxFieldSize: 64 * 1024,
  maxFileSize: Option.some(MAX_BYTES + 64 * 1024),
  maxTotalSize: Option.some(MAX_BODY_BYTES)
} as const

const tooLarge = () => new PayloadTooLarge({ limitBytes: MAX_BYTES })

// A limit hit inside a file's content stream arrives as an InternalError
// whose cause is multipasta's `ReachedLimit` error (serialised as JSON).
const isReachedLimit = (cause: unknown): boolean =>
  cause instanceof Error && cause.message.includes('"ReachedLimit"')

/** multipasta's complaints about the client's framing (a body cut short, a bad boundary or part header). */
const FRAMING_ERRORS = new Set(["EndNotReached", "InvalidBoundary", "InvalidDisposition", "BadHeaders"])

const isFramingError = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && "_tag" in cause && FRAMING_ERRORS.has(String(cause._tag))

const fromMultipartError = (error: Multipart.MultipartError): Effect.Effect<never, PayloadTooLarge | MalformedBody> => {
  switch (error.reason) {
    case "FileTooLarge":
    case "FieldTooLarge":
    case "BodyTooLarge":
    case "TooManyParts":
      return Effect.fail(tooLarge())
    case "Parse":
      return Effect.fail(new MalformedBody({ expected: "multipart/form-data" }))
    case "InternalError":
      return isReachedLimit(error.cause)
        ? Effect.fail(tooLarge())
        : isFramingError(error.cause)
        ? Effect.fail(new MalformedBody({ expected: "multipart/form-data" }))
        : Effect.die(error)
  }
}

/**
 * The file's bytes in one buffer, refused as soon as they pass MAX_BYTES.
 * With a declared Content-Length (which bounds the file) the buffer is
 * allocated once and filled in place; a chunked body grows one by doubling.
 */
const collect = (
  file: Multipart.File,
  declared: number | undefined
): Effect.Effect<ReceivedFile, Multipart.MultipartError | PayloadTooLarge> =>
  Effect.suspend(() => {
    let buffer = new Uint8Array(Math.min(declared ?? 64 * 1024, MAX_BYTES))
    let size = 0
    return Stream.runForEach(file.content, (chunk) => {
      if (size + chunk.length > MAX_BYTES) return Effect.fail(tooLarge())
      if (size + chunk.length > buffer.length) {
        const grown = new Uint8Array(Math.min(MAX_BYTES, Math.max(buffer.length * 2, size + chunk.length)))
        grown.set(buffer.subarray(0, size))
        buffer = grown
      }
      buffer.set(chunk, size)
      size += chunk.length
      return Effect.void
    }).pipe(Effect.map(() => ({ filename: file.name, content: buffer.subarray(0, size) })))
  })

/**
 * Completes once the whole body has arrived. A multipart body that ends
 * without its closing boundary leaves the parser waiting for bytes that will
 * never come; without this, such a request would hold its upload slot until
 * the client gave up.
 */
const bodyArrived = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    if (incoming.complete || incoming.readableEnded) return resume(Effect.void)
    const arrived = () => resume(Effect.void)
    incoming.once("end", arrived)
    incoming.once("close", arrived)
    return Effect.sync(() => {
      incoming.off("end", arrived)
      incoming.off("close", arrived)
    })
  })

/** Time the parser gets to finish with a body that has fully arrived. */
const PARSE_GRACE = Duration.seconds(10)

const hasBoundary = (request: HttpServerRequest.HttpServerRequest): boolean =>
  /;\s*boundary=("[^"]+"|[^\s;]+)/i.test(request.headers["content-type"] ?? "")

/** A part we do not want still has to be read past, or the parser stalls. */
const skip = (part: Multipart.Part): Effect.Effect<void, Multipart.MultipartError> =>
  Multipart.isFile(part) ? Stream.runDrain(part.content) : Effect.void

/** The file in the field `document`, read within the limits; the rest of the body is discarded. */
export const receive: Effect.Effect<ReceivedFile, ReceiveError, HttpServerRequest.HttpServerRequest> = Effect.flatMap(
  HttpServerRequest.HttpServerRequest,
  (request): Effect.Effect<ReceivedFile, ReceiveError> => {
    if (mediaType(request) !== "multipart/form-data") {
      return Effect.zipRight(drain(request), Effect.fail(new UnsupportedContentType({ expected: "multipart/form-data" })))
    }
    const declared = declaredLength(request)
    if (declared !== undefined && declared > MAX_BODY_BYTES) {
      return Effect.zipRight(drain(request), Effect.fail(new PayloadTooLarge({ limitBytes: MAX_BYTES })))
    }
    if (!hasBoundary(request) || declared === 0) {
      return Effect.zipRight(drain(request), Effect.fail(new MalformedBody({ expected: "multipart/form-data" })))
    }
    const unterminated = bodyArrived(request).pipe(
      Effect.zipRight(Effect.sleep(PARSE_GRACE)),
      Effect.zipRight(Effect.fail(new MalformedBody({ expected: "multipart/form-data" })))
    )
    return Multipart.withLimitsStream(request.multipartStream, limits).pipe(
      Stream.mapEffect((part) =>
        Multipart.isFile(part) && part.key === FIELD
          ? Effect.map(collect(part, declared), Option.some)
          : Effect.as(skip(part), Option.none<ReceivedFile>())
      ),
      Stream.filterMap((found) => found),
      Stream.runHead,
      Effect.catchAll((error) => (error._tag === "PayloadTooLarge" ? Effect.fail(error) : fromMultipartError(error))),
      Effect.flatMap(Option.match({
        onNone: () => Effect.fail(new MissingFilePart({ field: FIELD })),
        onSome: Effect.succeed
      })),
      Effect.raceFirst(unterminated),
      // Whatever we did not read (a limit hit, parts after the file) is dropped, so the client gets its answer.
      Effect.ensuring(drain(request))
    )
  }
)
