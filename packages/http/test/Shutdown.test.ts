/**
 * Graceful stop: once the server is asked to stop, it accepts no new
 * connection, and a request already in flight still finishes and is
 * answered before the layers below it (the database pool) are released.
 */
import { expect, it } from "vitest"
import { application, jsonBody, pdf, request } from "./support/Http.js"
import * as InMemoryServer from "./support/InMemoryServer.js"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

it("finishes a request in flight and refuses new connections while stopping", async () => {
  const server = await InMemoryServer.start()
  const created = await request(`${server.url}/v1/applications`, {
    method: "POST",
    key: server.keys.loan_officer,
    ...jsonBody(application())
  })
  const id = created.json.data.id

  // A multipart upload whose second half arrives a second after the first.
  const boundary = "----slow-boundary"
  const encoder = new TextEncoder()
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="slow.pdf"\r\n` +
      "Content-Type: application/pdf\r\n\r\n"
  )
  const file = pdf()
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`)
  let sentFirstHalf: () => void = () => {}
  const firstHalfSent = new Promise<void>((resolve) => (sentFirstHalf = resolve))
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(head)
      controller.enqueue(file.subarray(0, 10))
      sentFirstHalf()
      await sleep(1000)
      controller.enqueue(file.subarray(10))
      controller.enqueue(tail)
      controller.close()
    }
  })
  const inFlight = fetch(`${server.url}/v1/applications/${id}/documents`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${server.keys.loan_officer}`,
      "content-type": `multipart/form-data; boundary=${boundary}`
    },
    body,
    duplex: "half"
  } as RequestInit)

  await firstHalfSent
  await sleep(200)
  const stopped = server.close()
  await sleep(100)
  await expect(fetch(`${server.url}/health`)).rejects.toThrow()

  const answer = await inFlight
  expect(answer.status).toBe(201)
  const document = (await answer.json()) as { readonly data: { readonly filename: string } }
  expect(document.data.filename).toBe("slow.pdf")
  await stopped
})
