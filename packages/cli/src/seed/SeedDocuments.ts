/** The bytes of a seed document, rendered from its description in SeedData. */
import * as Fixtures from "./Fixtures.js"
import type { SeedDocument } from "./SeedData.js"

export const render = (document: SeedDocument): Uint8Array => {
  const content = document.content
  switch (content._tag) {
    case "Pdf":
      return Fixtures.pdf(content.title, content.lines)
    case "Png": {
      const [r, g, b] = content.tint
      // A sky-over-facade picture: light band on top, the tint below, a darker door in the middle.
      return Fixtures.png(content.width, content.height, (x, y) => {
        if (y < content.height / 3) return [200, 225, 245]
        const door = Math.abs(x - content.width / 2) < content.width / 12 && y > (content.height * 2) / 3
        return door ? [90, 60, 40] : [r, g, b]
      })
    }
    case "Jpeg":
      // A card-like scan: a lighter photo area on the left, text-like stripes on the right.
      return Fixtures.jpeg(content.blocksWide, content.blocksHigh, (bx, by) =>
        bx < content.blocksWide / 3
          ? content.base + 40
          : by % 2 === 0 ? content.base + 90 : content.base + 20)
  }
}
