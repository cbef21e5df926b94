/*!
 * OBEX headers: HI (one byte) then the value, encoded as HI's top two bits say:
 * - 0x00 Unicode text: u16 BE length (including the 3 bytes of HI and length), UTF-16BE, a
 *   two-byte null terminator; an empty text is the 3-byte prefix alone;
 * - 0x40 byte sequence: the same u16 length, then the bytes;
 * - 0x80 one byte; 0xC0 four bytes (u32 BE).
 * `decodeHeaders` checks every length against the bytes it has and returns a typed error for
 * headers that run past the packet, lengths under 3, odd Unicode lengths or lone surrogates.
 */
import { type Decoded, ok } from '@irdakit/core'
import { HeaderId, headerEncoding } from './constants.js'
import { ObexWireError, type ObexWireReason } from './errors.js'

export type ObexHeader =
  | { id: number, kind: 'unicode', value: string }
  | { id: number, kind: 'bytes', value: Uint8Array }
  | { id: number, kind: 'byte', value: number }
  | { id: number, kind: 'u32', value: number }

const bad = <T>(message: string, reason: ObexWireReason): Decoded<T> => ({ ok: false, error: new ObexWireError(message, reason) })
const hex = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`

/** A header with the encoding its id implies; throws on a value of the wrong kind (API misuse). */
export function header (id: number, value: string | Uint8Array | number): ObexHeader {
  const kind = headerEncoding(id)
  if (kind === 'unicode' && typeof value === 'string') return { id, kind, value }
  if (kind === 'bytes' && value instanceof Uint8Array) return { id, kind, value }
  if (kind === 'byte' && typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xFF) return { id, kind, value }
  if (kind === 'u32' && typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xFFFFFFFF) return { id, kind, value }
  throw new TypeError(`header ${hex(id)} is ${kind}, not ${typeof value === 'object' ? 'bytes' : JSON.stringify(value)}`)
}

/** Bytes a header takes on the wire. */
export function headerSize (h: ObexHeader): number {
  switch (h.kind) {
    case 'unicode': return 3 + (h.value === '' ? 0 : 2 * h.value.length + 2)
    case 'bytes': return 3 + h.value.length
    case 'byte': return 2
    case 'u32': return 5
  }
}

export const headersSize = (hs: readonly ObexHeader[]): number => hs.reduce((n, h) => n + headerSize(h), 0)

/** Writes `h` at `off` of `out`; returns the offset after it. */
export function emitHeader (h: ObexHeader, out: Uint8Array, off: number): number {
  const size = headerSize(h)
  if (size > 0xFFFF) throw new RangeError(`header ${hex(h.id)} is ${size} bytes; OBEX allows 65535`)
  out[off] = h.id
  switch (h.kind) {
    case 'byte': out[off + 1] = h.value; break
    case 'u32': new DataView(out.buffer, out.byteOffset).setUint32(off + 1, h.value >>> 0); break
    case 'bytes': out[off + 1] = size >> 8; out[off + 2] = size & 0xFF; out.set(h.value, off + 3); break
    case 'unicode': {
      out[off + 1] = size >> 8; out[off + 2] = size & 0xFF
      let p = off + 3
      for (let i = 0; i < h.value.length; i++) { const c = h.value.charCodeAt(i); out[p++] = c >> 8; out[p++] = c & 0xFF }
      if (h.value !== '') { out[p++] = 0; out[p++] = 0 }
    }
  }
  return off + size
}

export function encodeHeaders (hs: readonly ObexHeader[]): Uint8Array {
  const out = new Uint8Array(headersSize(hs))
  let off = 0
  for (const h of hs) off = emitHeader(h, out, off)
  return out
}

/** UTF-16BE to a string; a trailing null pair is dropped; lone surrogates are refused. */
function decodeUnicode (b: Uint8Array): Decoded<string> {
  if (b.length % 2 !== 0) return bad(`Unicode header of odd length ${b.length}`, 'bad-unicode')
  let n = b.length / 2
  if (n > 0 && b[b.length - 2] === 0 && b[b.length - 1] === 0) n--
  const units = new Array<number>(n)
  for (let i = 0; i < n; i++) units[i] = (b[2 * i] << 8) | b[2 * i + 1]
  for (let i = 0; i < n; i++) {
    const u = units[i]
    if (u === 0) return bad('Unicode header with a null before its end', 'bad-unicode')
    if (u >= 0xD800 && u <= 0xDBFF) {
      const next = units[i + 1]
      if (next === undefined || next < 0xDC00 || next > 0xDFFF) return bad('Unicode header with a lone surrogate', 'bad-unicode')
      i++
    } else if (u >= 0xDC00 && u <= 0xDFFF) return bad('Unicode header with a lone surrogate', 'bad-unicode')
  }
  let s = ''
  for (let i = 0; i < n; i += 4096) s += String.fromCharCode(...units.slice(i, i + 4096))
  return ok(s)
}

/** Decodes the headers filling `b` exactly (byte-sequence values are copies). */
export function decodeHeaders (b: Uint8Array): Decoded<ObexHeader[]> {
  const out: ObexHeader[] = []
  let off = 0
  while (off < b.length) {
    const id = b[off]
    const kind = headerEncoding(id)
    if (kind === 'byte') {
      if (off + 2 > b.length) return bad(`header ${hex(id)} runs past the packet`, 'header-overrun')
      out.push({ id, kind, value: b[off + 1] }); off += 2; continue
    }
    if (kind === 'u32') {
      if (off + 5 > b.length) return bad(`header ${hex(id)} runs past the packet`, 'header-overrun')
      out.push({ id, kind, value: ((b[off + 1] << 24) | (b[off + 2] << 16) | (b[off + 3] << 8) | b[off + 4]) >>> 0 }); off += 5; continue
    }
    if (off + 3 > b.length) return bad(`header ${hex(id)} runs past the packet`, 'header-overrun')
    const len = (b[off + 1] << 8) | b[off + 2]
    if (len < 3) return bad(`header ${hex(id)} says it is ${len} bytes long (at least 3)`, 'bad-header-length')
    if (off + len > b.length) return bad(`header ${hex(id)} says ${len} bytes, only ${b.length - off} left in the packet`, 'header-overrun')
    const body = b.subarray(off + 3, off + len)
    if (kind === 'unicode') {
      const s = decodeUnicode(body)
      if (!s.ok) return s
      out.push({ id, kind, value: s.value })
    } else {
      out.push({ id, kind, value: body.slice() })
    }
    off += len
  }
  return ok(out)
}

/** Header lookups by id. */
export const findHeader = (hs: readonly ObexHeader[], id: number): ObexHeader | undefined => hs.find(h => h.id === id)
export function textHeader (hs: readonly ObexHeader[], id: number): string | undefined {
  const h = findHeader(hs, id)
  return h?.kind === 'unicode' ? h.value : undefined
}
export function bytesHeader (hs: readonly ObexHeader[], id: number): Uint8Array | undefined {
  const h = findHeader(hs, id)
  return h?.kind === 'bytes' ? h.value : undefined
}
export function numberHeader (hs: readonly ObexHeader[], id: number): number | undefined {
  const h = findHeader(hs, id)
  return h?.kind === 'u32' || h?.kind === 'byte' ? h.value : undefined
}

/** Type headers are null-terminated ASCII byte sequences ("text/x-vcard\0"). */
export const typeHeader = (type: string): ObexHeader => ({ id: HeaderId.type, kind: 'bytes', value: new TextEncoder().encode(type + '\0') })
export function typeOf (hs: readonly ObexHeader[]): string | undefined {
  const b = bytesHeader(hs, HeaderId.type)
  if (b === undefined) return undefined
  const end = b.indexOf(0)
  return new TextDecoder('latin1').decode(end >= 0 ? b.subarray(0, end) : b)
}
