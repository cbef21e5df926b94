/*!
 * Frame check sequences (IrPHY 1.4 / IrLAP 1.1 section 5.1.4).
 *
 * - SIR and MIR use the 16-bit CCITT CRC: polynomial x^16 + x^12 + x^5 + 1, bit-reflected
 *   (0x8408), register preset to 0xFFFF, result complemented, sent least significant byte first.
 * - FIR uses the 32-bit IEEE 802.3 CRC: reflected polynomial 0xEDB88320, preset 0xFFFFFFFF,
 *   complemented, sent least significant byte first.
 *
 * A receiver runs the (uncomplemented) register over the frame *and* its FCS: a good frame
 * always leaves the same "residue", so no byte reordering is needed to check it.
 */

import { crc32 } from './crc32.js'
export { crc32 }

/** Register value after a good frame plus its FCS went through {@link crc16} (the "good FCS" constant). */
export const FCS16_RESIDUE = 0xF0B8
/** Register value after a good frame plus its FCS went through {@link crc32}. */
export const FCS32_RESIDUE = 0xDEBB20E3

/** The byte-at-a-time table for the reflected CCITT polynomial: `reg = (reg >>> 8) ^ T[(reg ^ byte) & 0xFF]`. */
export const CRC16_TABLE = buildTable16(0x8408)
/**
 * Slicing-by-16 tables: S[k][x] is the register contribution of byte x followed by k zero bytes,
 * so sixteen bytes (read as four words) cost sixteen independent lookups instead of a chain.
 */
export const CRC16_SLICES = buildSlices16(CRC16_TABLE)
const [S0, S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14, S15] = CRC16_SLICES
/** Words read through a Uint32Array are in the machine's order; the sliced CRC wants little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1

function buildTable16 (poly: number): Uint16Array {
  const t = new Uint16Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ poly : c >>> 1
    t[n] = c
  }
  return t
}

function buildSlices16 (t: Uint16Array): Uint16Array[] {
  const s = [t]
  for (let k = 1; k < 16; k++) {
    s.push(new Uint16Array(256))
    for (let x = 0; x < 256; x++) s[k][x] = (s[k - 1][x] >>> 8) ^ t[s[k - 1][x] & 0xFF]
  }
  return s
}

/**
 * Runs the raw CRC-16 register over `data[start..end)` starting from `reg` (no final complement).
 * Exposed so receivers can check the residue without copying.
 */
export function crc16 (data: Uint8Array, reg = 0xFFFF, start = 0, end = data.length): number {
  let i = start
  if (LITTLE_ENDIAN && ((data.byteOffset + start) & 3) === 0 && end - start >= 16) {
    // Aligned: read the words through a Uint32Array, cheaper than DataView's reads.
    const w = new Uint32Array(data.buffer, data.byteOffset + start, (end - start) >>> 2)
    const words = ((end - start) >>> 4) << 2
    for (let j = 0; j < words; j += 4) {
      const a = w[j] ^ reg
      const b = w[j + 1]
      const c = w[j + 2]
      const d = w[j + 3]
      reg = S15[a & 0xFF] ^ S14[(a >>> 8) & 0xFF] ^ S13[(a >>> 16) & 0xFF] ^ S12[a >>> 24] ^
        S11[b & 0xFF] ^ S10[(b >>> 8) & 0xFF] ^ S9[(b >>> 16) & 0xFF] ^ S8[b >>> 24] ^
        S7[c & 0xFF] ^ S6[(c >>> 8) & 0xFF] ^ S5[(c >>> 16) & 0xFF] ^ S4[c >>> 24] ^
        S3[d & 0xFF] ^ S2[(d >>> 8) & 0xFF] ^ S1[(d >>> 16) & 0xFF] ^ S0[d >>> 24]
    }
    i = start + (words << 2)
  } else if (end - start >= 16) {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength)
    for (const last = end - 15; i < last; i += 16) {
      const a = v.getUint32(i, true) ^ reg
      const b = v.getUint32(i + 4, true)
      const c = v.getUint32(i + 8, true)
      const d = v.getUint32(i + 12, true)
      reg = S15[a & 0xFF] ^ S14[(a >>> 8) & 0xFF] ^ S13[(a >>> 16) & 0xFF] ^ S12[a >>> 24] ^
        S11[b & 0xFF] ^ S10[(b >>> 8) & 0xFF] ^ S9[(b >>> 16) & 0xFF] ^ S8[b >>> 24] ^
        S7[c & 0xFF] ^ S6[(c >>> 8) & 0xFF] ^ S5[(c >>> 16) & 0xFF] ^ S4[c >>> 24] ^
        S3[d & 0xFF] ^ S2[(d >>> 8) & 0xFF] ^ S1[(d >>> 16) & 0xFF] ^ S0[d >>> 24]
    }
  }
  for (; i < end; i++) reg = (reg >>> 8) ^ S0[(reg ^ data[i]) & 0xFF]
  return reg
}

/**
 * IrDA FCS-16 of `data` (A + C + I): the value to transmit, least significant byte first.
 * `fcs16(ascii("123456789")) === 0x906E`.
 */
export function fcs16 (data: Uint8Array): number {
  return ~crc16(data) & 0xFFFF
}

/** FIR FCS-32 (IEEE 802.3 CRC-32) of `data`, transmitted least significant byte first. `"123456789"` gives 0xCBF43926. */
export function fcs32 (data: Uint8Array): number {
  return ~crc32(data) >>> 0
}

/** `frame` followed by its FCS-16, LSB first. */
export function appendFcs16 (frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 2)
  out.set(frame)
  const f = fcs16(frame)
  out[frame.length] = f & 0xFF
  out[frame.length + 1] = f >>> 8
  return out
}

/** `frame` followed by its FCS-32, LSB first. */
export function appendFcs32 (frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 4)
  out.set(frame)
  const f = fcs32(frame)
  for (let i = 0; i < 4; i++) out[frame.length + i] = (f >>> (8 * i)) & 0xFF
  return out
}

/** True when `bytes` (a frame followed by its FCS-16) leaves the good residue. */
export function checkFcs16 (bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  return crc16(bytes, 0xFFFF, start, end) === FCS16_RESIDUE
}

/** True when `bytes` (a frame followed by its FCS-32) leaves the good residue. */
export function checkFcs32 (bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  return crc32(bytes, 0xFFFFFFFF, start, end) === FCS32_RESIDUE
}
