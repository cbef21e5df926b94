/*!
 * Wire formats of the KingSun family (Linux kingsun-sir, ksdazzle-sir, ks959-sir). All three
 * carry SIR-wrapped bytes that the host builds and unwraps itself:
 * - KingSun/DonShine: the whole wrapped frame in one interrupt OUT transfer; interrupt IN reports
 *   of wMaxPacketSize bytes, byte 0 = count of valid bytes (1..size-1), other values = no data;
 * - Dazzle: 8-byte interrupt OUT packets `0xF8 + n, n <= 7 bytes, zero fill`; interrupt IN raw;
 * - KS-959: everything on EP0. OUT: class request 9, wValue = clear length (<= 240), data XORed
 *   with one mask per transfer and zero-padded to ((n + 7) & ~7) + 16; IN: class request 1,
 *   wValue 0x0200, 2048 bytes, each XORed with (++counter) ^ 0x55, a session-long 8-bit counter
 *   whose wrap to 0 marks a byte to skip.
 * Speed (Dazzle, KS-959): class request 9, wValue 0x0200, wIndex 1: u32 LE baud, 0x03 (8 bits), 3 zeros.
 */

export const KS_REQ_RECV = 0x01
export const KS_REQ_SEND = 0x09
export const KS_DATA_8_BITS = 0x03
export const KS959_MAX_CLEAR = (256 & ~7) - 16
export const KS959_RX_LENGTH = 2048
const LOOKUP = 'wangshuofei19710'

/** The 8-byte speed parameters block. */
export function encodeSpeedParams (bps: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setUint32(0, bps, true)
  b[4] = KS_DATA_8_BITS
  return b
}

export function decodeSpeedParams (b: Uint8Array): number | undefined {
  if (b.length !== 8 || b[4] !== KS_DATA_8_BITS || b[5] !== 0 || b[6] !== 0 || b[7] !== 0) return undefined
  return new DataView(b.buffer, b.byteOffset, 8).getUint32(0, true)
}

/** KS-959 transmit mask for a fragment of `n` clear bytes. */
export const ks959TxMask = (n: number): number => LOOKUP.charCodeAt((n & 0x0F) ^ 0x06) ^ 0x55

/** KS-959: one OUT fragment (at most 240 clear bytes) obfuscated and padded. */
export function ks959Obfuscate (clear: Uint8Array): Uint8Array {
  if (clear.length > KS959_MAX_CLEAR) throw new RangeError(`a KS-959 fragment holds at most ${KS959_MAX_CLEAR} bytes`)
  const out = new Uint8Array(((clear.length + 7) & ~7) + 16)
  const mask = ks959TxMask(clear.length)
  for (let i = 0; i < clear.length; i++) out[i] = clear[i] ^ mask
  return out
}

/** KS-959: the clear bytes of an OUT fragment whose wValue said `n`, or undefined if it is malformed. */
export function ks959Deobfuscate (data: Uint8Array, n: number): Uint8Array | undefined {
  if (n > KS959_MAX_CLEAR || data.length !== ((n + 7) & ~7) + 16) return undefined
  const mask = ks959TxMask(n)
  return Uint8Array.from(data.subarray(0, n), b => b ^ mask)
}

/** KS-959 receive side: the session counter, shared by the chip (obfuscating) and the host (clearing). */
export class Ks959RxCipher {
  private counter = 0

  /** Host side: the clear bytes of one IN transfer (the byte at each counter wrap dropped). */
  clear (data: Uint8Array): Uint8Array {
    const out: number[] = []
    for (const b of data) {
      this.counter = (this.counter + 1) & 0xFF
      if (this.counter !== 0) out.push(b ^ this.counter ^ 0x55)
    }
    return Uint8Array.from(out)
  }

  /** Chip side: obfuscates `clear`, inserting a filler byte wherever the counter wraps. */
  hide (clear: Uint8Array): Uint8Array {
    const out: number[] = []
    for (const b of clear) {
      this.counter = (this.counter + 1) & 0xFF
      if (this.counter === 0) { out.push(0x55); this.counter = 1 }
      out.push(b ^ this.counter ^ 0x55)
    }
    return Uint8Array.from(out)
  }
}

/** Dazzle: the wrapped bytes as 8-byte packets. */
export function dazzlePackets (wire: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < wire.length; i += 7) {
    const chunk = wire.subarray(i, i + 7)
    const p = new Uint8Array(8)
    p[0] = 0xF8 + chunk.length
    p.set(chunk, 1)
    out.push(p)
  }
  return out
}

/** Dazzle: the payload of one OUT packet, or undefined if malformed. */
export function dazzleUnpack (p: Uint8Array): Uint8Array | undefined {
  if (p.length !== 8 || p[0] < 0xF8) return undefined
  return p.slice(1, 1 + p[0] - 0xF8)
}

/** KingSun: the valid bytes of one IN report (empty for a report that holds none). */
export function kingsunReport (r: Uint8Array): Uint8Array {
  if (r.length < 2 || r[0] < 1 || r[0] >= r.length) return new Uint8Array(0)
  return r.slice(1, 1 + r[0])
}

/** KingSun: bytes for the host as reports of `size` bytes. */
export function kingsunReports (bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size - 1) {
    const chunk = bytes.subarray(i, i + size - 1)
    const r = new Uint8Array(size)
    r[0] = chunk.length
    r.set(chunk, 1)
    out.push(r)
  }
  return out
}
