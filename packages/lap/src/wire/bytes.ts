/*!
 * Byte helpers shared by the IrLAP codecs. Device addresses travel little-endian (IrLAP 6.3:
 * the Linux session shows `cd b0 15 97` for 0x9715b0cd).
 */

/** Reads an unsigned 32-bit little-endian integer at `offset`. The caller has checked the length. */
export function readU32le (buf: Uint8Array, offset: number): number {
  return (buf[offset] | (buf[offset + 1] << 8) | (buf[offset + 2] << 16) | (buf[offset + 3] << 24)) >>> 0
}

/** Writes `value` as an unsigned 32-bit little-endian integer at `offset`. */
export function writeU32le (buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value & 0xFF
  buf[offset + 1] = (value >>> 8) & 0xFF
  buf[offset + 2] = (value >>> 16) & 0xFF
  buf[offset + 3] = (value >>> 24) & 0xFF
}

/** Lower-case hex with no separators, for messages and describers. */
export function toHex (bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

/** Parses hex with optional whitespace ("ff 3f 01"). Throws on odd length or bad digits: for fixtures and tools, not for wire input. */
export function fromHex (hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '')
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new RangeError(`not hex: ${hex}`)
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** True if `n` is an integer in [min, max]. */
export function isIntIn (n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max
}
