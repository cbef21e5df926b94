/*!
 * IrLMP discovery information, carried in XID responses and the final XID command (IrLMP 1.1
 * section 3.4.1): service hint bytes chained by their 0x80 extension bit, a character set
 * byte, then the nickname.
 *
 * Character sets: 0 ASCII, 1..9 ISO-8859-1..9, 0xFF Unicode (UCS-2 big-endian, as Wireshark
 * reads it). The nickname is limited so the whole field stays within
 * {@link MAX_DISCOVERY_INFO} bytes (the XID then fits the 64-byte NDM data size) and within the
 * 22 bytes that the IrSock APIs (`irdaDeviceName[22]`, Linux `info[22]`) can hold.
 */
import { ok, type Decoded } from '@irdakit/core'
import { MalformedFieldError, InvalidReprError, failWith } from './errors.js'
import { isIntIn } from './bytes.js'

/** Extension bit of a hint byte: another hint byte follows. */
export const HINT_EXTENSION = 0x80
export const CHARSET = { ASCII: 0x00, ISO_8859_1: 0x01, ISO_8859_9: 0x09, UNICODE: 0xFF } as const
/** Longest discovery info we emit (bytes). */
export const MAX_DISCOVERY_INFO = 32
/** Longest nickname we emit (bytes): what IrSock device lists can hold. */
export const MAX_NICKNAME_BYTES = 22

export interface DiscoveryInfo {
  /** Hint bytes as on the wire, extension bits included (e.g. 84 04 = Computer + IrCOMM). */
  hints: Uint8Array
  charset: number
  nickname: string
}

/**
 * Parses discovery info. Tolerant: a field that ends after the hints gets charset 0 and an
 * empty nickname; trailing NULs (padding some stacks add) are dropped; bytes a charset does not
 * define decode to U+FFFD. Fails only when the field is empty or the hint chain runs past its end.
 */
export function parseDiscoveryInfo (bytes: Uint8Array): Decoded<DiscoveryInfo> {
  if (bytes.length === 0) return failWith(new MalformedFieldError('discovery info is empty'))
  let n = 0
  while (n < bytes.length && (bytes[n] & HINT_EXTENSION) !== 0) n++
  if (n === bytes.length) return failWith(new MalformedFieldError('hint bytes run past the end of the discovery info'))
  const hints = bytes.slice(0, n + 1)
  if (n + 1 === bytes.length) return ok({ hints, charset: CHARSET.ASCII, nickname: '' })
  const charset = bytes[n + 1]
  // Drop NUL characters (not bytes: a UCS-2 character may end in 0x00) that pad the name.
  const nickname = decodeNickname(bytes.subarray(n + 2), charset).replace(/\0+$/, '')
  return ok({ hints, charset, nickname })
}

/**
 * Emits discovery info. Hint bytes get their extension bits set on every byte but the last
 * (bit 7 is never a hint); no hints becomes one zero byte. Characters the charset cannot hold
 * become '?'; the nickname is cut (at a character boundary) to fit `maxLength` bytes and
 * {@link MAX_NICKNAME_BYTES}.
 */
export function emitDiscoveryInfo (d: DiscoveryInfo, maxLength = MAX_DISCOVERY_INFO): Uint8Array {
  if (!isIntIn(d.charset, 0, 0xFF)) throw new InvalidReprError(`charset ${d.charset} is not a byte`)
  const hints = d.hints.length === 0 ? Uint8Array.of(0) : d.hints.slice()
  for (let i = 0; i < hints.length; i++) {
    hints[i] = i < hints.length - 1 ? hints[i] | HINT_EXTENSION : hints[i] & ~HINT_EXTENSION
  }
  const room = Math.min(MAX_NICKNAME_BYTES, maxLength - hints.length - 1)
  if (room < 0) throw new InvalidReprError(`${hints.length} hint bytes leave no room in ${maxLength} bytes`)
  const name = encodeNickname(d.nickname, d.charset, room)
  const out = new Uint8Array(hints.length + 1 + name.length)
  out.set(hints)
  out[hints.length] = d.charset
  out.set(name, hints.length + 1)
  return out
}

/** Bytes per character of a charset (2 for Unicode). */
const unitOf = (charset: number): number => charset === CHARSET.UNICODE ? 2 : 1

export function decodeNickname (bytes: Uint8Array, charset: number): string {
  if (charset === CHARSET.UNICODE) {
    let s = ''
    for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1])
    return s
  }
  const table = singleByteTable(charset)
  let s = ''
  for (const b of bytes) s += table[b]
  return s
}

export function encodeNickname (name: string, charset: number, maxBytes: number): Uint8Array {
  const unit = unitOf(charset)
  const count = Math.min(name.length, Math.floor(maxBytes / unit))
  const out = new Uint8Array(count * unit)
  if (charset === CHARSET.UNICODE) {
    for (let i = 0; i < count; i++) { const c = name.charCodeAt(i); out[2 * i] = c >> 8; out[2 * i + 1] = c & 0xFF }
    return out
  }
  const reverse = reverseTable(charset)
  for (let i = 0; i < count; i++) out[i] = reverse.get(name[i]) ?? 0x3F
  return out
}

const tables = new Map<number, string[]>()
const reverses = new Map<number, Map<string, number>>()

/**
 * Byte -> character for a single-byte charset. ASCII keeps 0x80-0xFF undefined (U+FFFD);
 * ISO-8859-1 maps bytes to the same code points (WHATWG's "latin1" is windows-1252, so we do
 * not use it); 2..9 come from the platform's TextDecoder; unknown charsets decode as 8859-1.
 */
function singleByteTable (charset: number): string[] {
  let t = tables.get(charset)
  if (t !== undefined) return t
  const all = Uint8Array.from({ length: 256 }, (_, i) => i)
  if (charset >= 2 && charset <= 9) {
    const decoded = new TextDecoder(`iso-8859-${charset}`).decode(all)
    t = [...decoded]
  } else {
    t = [...all].map(b => (charset === CHARSET.ASCII && b >= 0x80) ? '\uFFFD' : String.fromCharCode(b))
  }
  tables.set(charset, t)
  return t
}

function reverseTable (charset: number): Map<string, number> {
  let r = reverses.get(charset)
  if (r !== undefined) return r
  r = new Map()
  const t = singleByteTable(charset)
  for (let b = 0; b < 256; b++) if (t[b] !== '\uFFFD' && !r.has(t[b])) r.set(t[b], b)
  reverses.set(charset, r)
  return r
}
