/*!
 * The FIR CRC-32 register (IEEE 802.3: reflected polynomial 0xEDB88320), slicing-by-16: sixteen
 * bytes, read as four little-endian words, cost sixteen independent table lookups instead of a
 * chain of sixteen dependent ones. A 2 KiB FIR frame is checked twice per hop (wrap and unwrap),
 * so this is on the hot path of every 4 Mb/s transfer. `crc.ts` holds the FCS helpers around it.
 */

function buildTable (poly: number): Int32Array {
  const t = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ poly : c >>> 1
    t[n] = c
  }
  return t
}

/** T[k][x]: the register contribution of byte x followed by k zero bytes. */
function buildSlices (t: Int32Array): Int32Array[] {
  const s = [t]
  for (let k = 1; k < 16; k++) {
    s.push(new Int32Array(256))
    for (let x = 0; x < 256; x++) s[k][x] = (s[k - 1][x] >>> 8) ^ t[s[k - 1][x] & 0xFF]
  }
  return s
}

const [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15] = buildSlices(buildTable(0xEDB88320))
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1

/** Runs the raw CRC-32 register over `data[start..end)` from `reg` (no final complement); unsigned result. */
export function crc32 (data: Uint8Array, reg = 0xFFFFFFFF, start = 0, end = data.length): number {
  let r = reg | 0
  let i = start
  // Head bytes one at a time until the next word boundary, so the words are read aligned.
  if (LITTLE_ENDIAN && end - start >= 32) {
    for (; ((data.byteOffset + i) & 3) !== 0; i++) r = (r >>> 8) ^ T0[(r ^ data[i]) & 0xFF]
    const w = new Int32Array(data.buffer, data.byteOffset + i, (end - i) >>> 2)
    const words = ((end - i) >>> 4) << 2
    for (let j = 0; j < words; j += 4) {
      const a = w[j] ^ r
      const b = w[j + 1]
      const c = w[j + 2]
      const d = w[j + 3]
      r = T15[a & 0xFF] ^ T14[(a >>> 8) & 0xFF] ^ T13[(a >>> 16) & 0xFF] ^ T12[a >>> 24] ^
        T11[b & 0xFF] ^ T10[(b >>> 8) & 0xFF] ^ T9[(b >>> 16) & 0xFF] ^ T8[b >>> 24] ^
        T7[c & 0xFF] ^ T6[(c >>> 8) & 0xFF] ^ T5[(c >>> 16) & 0xFF] ^ T4[c >>> 24] ^
        T3[d & 0xFF] ^ T2[(d >>> 8) & 0xFF] ^ T1[(d >>> 16) & 0xFF] ^ T0[d >>> 24]
    }
    i += words << 2
  }
  for (; i < end; i++) r = (r >>> 8) ^ T0[(r ^ data[i]) & 0xFF]
  return r >>> 0
}
