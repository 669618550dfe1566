/**
 * Requests Node rejects before any of our code runs (a malformed request
 * line or header, headers too large, a request that took too long) get a
 * problem document too, instead of Node's bare status line: clients parse
 * one error shape, whatever went wrong.
 */
import { randomUUID } from "node:crypto"
import type * as Http from "node:http"
import type * as Net from "node:net"
import { CONTENT_TYPE } from "./Problem.js"

const answers: Record<number, { readonly slug: string; readonly title: string; readonly detail: string }> = {
  400: { slug: "bad-request", title: "Bad request", detail: "The request is not valid HTTP." },
  408: { slug: "request-timeout", title: "Request timeout", detail: "The request was not received in time." },
  431: { slug: "headers-too-large", title: "Request headers too large", detail: "The request headers are too large." }
}

const statusOf = (code: string | undefined): number =>
  code === "HPE_HEADER_OVERFLOW" ? 431 : code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400

const REASON: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large" }

export const install = (server: Http.Server): void => {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Net.Socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy()
      return
    }
    const status = statusOf(error.code)
    const answer = answers[status]!
    const requestId = randomUUID()
    const body = JSON.stringify({
      type: `/problems/${answer.slug}`,
      title: answer.title,
      status,
      detail: answer.detail,
      instance: "",
      requestId,
      errors: []
    })
    socket.end(
      `HTTP/1.1 ${status} ${REASON[status]}\r\n` +
        `Content-Type: ${CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-ID: ${requestId}\r\n` +
        "Cache-Control: no-store\r\n" +
        "Connection: close\r\n\r\n" +
        body
    )
  })
}
