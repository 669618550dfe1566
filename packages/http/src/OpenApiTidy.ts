/**
 * Post-processing of the generated OpenAPI document, where HttpApi's
 * generation does not describe what this API sends:
 *
 * - HttpApi declares its own 400 body (`HttpApiDecodeError`) on every
 *   endpoint; this API never sends it (ProblemRenderer answers with a
 *   problem document instead), so the document must not promise it;
 * - errors sharing a status are listed as `application/json`; they are
 *   problem documents;
 * - HttpApi has no response headers: `Location` of 201s is added here.
 */
import { CONTENT_TYPE } from "./Problem.js"

type Json = Record<string, unknown>

const PLATFORM_DECODE_ERROR = "#/components/schemas/HttpApiDecodeError"

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const withoutPlatformError = (schema: Json): Json => {
  if (schema["$ref"] === PLATFORM_DECODE_ERROR) return {}
  const anyOf = schema["anyOf"]
  if (!Array.isArray(anyOf)) return schema
  const kept = anyOf.filter((s) => !(isObject(s) && s["$ref"] === PLATFORM_DECODE_ERROR))
  if (kept.length === 1 && isObject(kept[0])) return kept[0]
  return { ...schema, anyOf: kept }
}

const isProblemRef = (schema: unknown): boolean =>
  isObject(schema) &&
  (typeof schema["$ref"] === "string"
    ? schema["$ref"].endsWith("Problem")
    : Array.isArray(schema["anyOf"]) && schema["anyOf"].length > 0 && schema["anyOf"].every(isProblemRef))

/**
 * Several errors of one status are merged by HttpApi into one response whose
 * union has no content type of its own, so it is listed as JSON; they are
 * all problem documents.
 */
const problemContentTypes = (operation: Json) => {
  const responses = isObject(operation["responses"]) ? operation["responses"] : {}
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) < 400 || !isObject(response) || !isObject(response["content"])) continue
    const json = response["content"]["application/json"]
    if (isObject(json) && isProblemRef(json["schema"])) {
      const content: Json = { ...response["content"] }
      delete content["application/json"]
      content[CONTENT_TYPE] = json
      response["content"] = content
    }
  }
}

export const tidyOpenApi = (spec: Json): Json => {
  const paths = isObject(spec["paths"]) ? spec["paths"] : {}
  for (const item of Object.values(paths)) {
    if (!isObject(item)) continue
    for (const operation of Object.values(item)) {
      if (!isObject(operation) || !isObject(operation["responses"])) continue
      const badRequest = operation["responses"]["400"]
      if (!isObject(badRequest) || !isObject(badRequest["content"])) continue
      const content: Json = {}
      for (const [type, media] of Object.entries(badRequest["content"])) {
        if (!isObject(media) || !isObject(media["schema"])) continue
        const schema = withoutPlatformError(media["schema"])
        if (Object.keys(schema).length > 0) content[type] = { ...media, schema }
      }
      badRequest["content"] = content
      // The platform's description of its own decode error, which is never sent.
      if (badRequest["description"] === "The request did not match the expected schema") {
        badRequest["description"] = "Bad request"
      }
    }
    for (const operation of Object.values(item)) {
      if (isObject(operation)) problemContentTypes(operation)
    }
  }
  const components = isObject(spec["components"]) ? spec["components"] : {}
  if (isObject(components["schemas"])) {
    delete components["schemas"]["HttpApiDecodeError"]
    delete components["schemas"]["Issue"]
    delete components["schemas"]["PropertyKey"]
  }
  return spec
}

/** Documents the `Location` header of an operation's 201 answer (HttpApi has no notion of response headers). */
export const withLocationHeader = (description: string) => (operation: Json): Json => {
  const responses = isObject(operation["responses"]) ? operation["responses"] : {}
  const created = responses["201"]
  if (isObject(created)) {
    created["headers"] = {
      ...(isObject(created["headers"]) ? created["headers"] : {}),
      Location: { description, schema: { type: "string", format: "uri-reference" } }
    }
  }
  return operation
}
