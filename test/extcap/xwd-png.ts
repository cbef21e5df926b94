/*!
 * An X window dump (`xwd -root`, ZPixmap, 24 or 32 bits per pixel, the format Xvfb gives) as
 * a PNG, so the screenshot script needs no ImageMagick. XWD: a big-endian header of 25 CARD32
 * (X11's XWDFile.h), the window name, `ncolors` 12-byte colour entries, then the pixel rows.
 */
import { deflateSync } from 'node:zlib'

export function xwdToPng (xwd: Uint8Array): Uint8Array {
  const v = new DataView(xwd.buffer, xwd.byteOffset, xwd.byteLength)
  const h = (i: number): number => v.getUint32(i * 4, false)
  const [headerSize, format, width, height, byteOrder, bitsPerPixel, bytesPerLine] = [h(0), h(2), h(4), h(5), h(7), h(11), h(12)]
  const [redMask, greenMask, blueMask, ncolors] = [h(14), h(15), h(16), h(19)]
  if (format !== 2 || (bitsPerPixel !== 32 && bitsPerPixel !== 24)) throw new Error(`xwd: only 24/32-bit ZPixmap dumps are read (format ${format}, ${bitsPerPixel} bpp)`)
  const start = headerSize + ncolors * 12
  const bytes = bitsPerPixel / 8
  const channel = (pixel: number, mask: number): number => {
    const shift = 31 - Math.clz32(mask & -mask) // the mask's lowest set bit
    return ((pixel & mask) >>> shift) & 0xFF
  }
  // One filter byte (0: none) before each RGB row.
  const raw = new Uint8Array(height * (1 + width * 3))
  for (let y = 0; y < height; y++) {
    const row = start + y * bytesPerLine
    const out = y * (1 + width * 3) + 1
    for (let x = 0; x < width; x++) {
      let pixel = 0
      for (let b = 0; b < bytes; b++) {
        const byte = xwd[row + x * bytes + b]
        pixel = byteOrder === 0 ? pixel | (byte << (8 * b)) : (pixel << 8) | byte
      }
      raw[out + x * 3] = channel(pixel, redMask)
      raw[out + x * 3 + 1] = channel(pixel, greenMask)
      raw[out + x * 3 + 2] = channel(pixel, blueMask)
    }
  }
  const ihdr = new Uint8Array(13)
  const iv = new DataView(ihdr.buffer)
  iv.setUint32(0, width); iv.setUint32(4, height)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8 bits, RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0)),
  ])
}

function chunk (type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** PNG's CRC-32 (ISO 3309, reflected 0xEDB88320). */
function crc32 (data: Uint8Array): number {
  let c = 0xFFFFFFFF
  for (const byte of data) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xEDB88320 & -(c & 1))
  }
  return (c ^ 0xFFFFFFFF) >>> 0
}
