/**
 * Swagger UI at /docs, served from the installed `swagger-ui-dist` package:
 * no CDN, so the docs work offline and no third party sees who reads them.
 * The page runs no inline script (the initializer is a file of its own), so
 * a strict Content-Security-Policy can forbid everything else.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"

export const PATH = "/docs"

const distFolder = (): string =>
  Path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"))

const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets inline styles from its scripts.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")

const page = (title: string) => `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="${PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${PATH}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${PATH}/swagger-ui-bundle.js" charset="utf-8"></script>
  <script src="${PATH}/swagger-initializer.js" charset="utf-8"></script>
</body>
</html>
`

const initializer = (specPath: string) => `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(specPath)},
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false
  });
});
`

const assets: ReadonlyArray<readonly [file: string, contentType: string]> = [
  ["swagger-ui.css", "text/css; charset=utf-8"],
  ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
  ["favicon-32x32.png", "image/png"],
  ["favicon-16x16.png", "image/png"]
]

/** Mounts /docs and its assets on the API router; the files are read once, at start-up. */
export const layer = (options: { readonly title: string; readonly specPath: string }): Layer.Layer<never> =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function* () {
      const folder = distFolder()
      const common = { "content-security-policy": POLICY, "x-frame-options": "DENY" }
      // Assets change only with the package version: let browsers keep them.
      const cached = { "cache-control": "public, max-age=86400" }
      yield* router.get(
        PATH,
        Effect.succeed(HttpServerResponse.html(page(options.title)).pipe(HttpServerResponse.setHeaders(common)))
      )
      yield* router.get(
        `${PATH}/swagger-initializer.js`,
        Effect.succeed(
          HttpServerResponse.text(initializer(options.specPath), {
            contentType: "text/javascript; charset=utf-8",
            headers: cached
          })
        )
      )
      for (const [file, contentType] of assets) {
        const bytes = yield* Effect.sync(() => new Uint8Array(Fs.readFileSync(Path.join(folder, file))))
        yield* router.get(
          `${PATH}/${file}`,
          Effect.succeed(HttpServerResponse.uint8Array(bytes, { contentType, headers: cached }))
        )
      }
    })
  )
