/*!
 * Seeded input mutation: the classic byte-level operations (bit flips, interesting values,
 * inserted, deleted, repeated and spliced ranges, length fields set to extremes), stacked one
 * to five deep. The same seed always gives the same inputs.
 */
import type { SeededRandom } from '@irdakit/core'

/** Bytes that mean something to some IrDA decoder (SIR BOF/EOF/CE, MIR flag, limits). */
const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x0C, 0x10, 0x3F, 0x60, 0x7D, 0x7E, 0x7F, 0x80, 0x81, 0x84, 0xC0, 0xC1, 0xFE, 0xFF]
/** Values for 16- and 32-bit fields (lengths, counts, magics). */
const WIDE = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]

export function randomBytes (rng: SeededRandom, length: number): Uint8Array {
  const b = new Uint8Array(length)
  for (let i = 0; i < length; i++) b[i] = rng.int(256)
  return b
}

/** One to five mutations of `input`, at most `maxLength` bytes long; `pool` gives splice partners. */
export function mutate (input: Uint8Array, rng: SeededRandom, pool: readonly Uint8Array[], maxLength: number): Uint8Array {
  let b: Uint8Array = input.slice()
  const depth = 1 + rng.int(5)
  for (let d = 0; d < depth; d++) b = mutateOnce(b, rng, pool)
  return b.length > maxLength ? b.subarray(0, maxLength) : b
}

function mutateOnce (b: Uint8Array, rng: SeededRandom, pool: readonly Uint8Array[]): Uint8Array {
  const n = b.length
  const at = (extra = 0): number => rng.int(n + extra)
  switch (rng.int(10)) {
    case 0: case 1: { // flip one bit
      if (n === 0) return randomBytes(rng, 1 + rng.int(8))
      b[at()] ^= 1 << rng.int(8)
      return b
    }
    case 2: { // an interesting byte
      if (n === 0) return Uint8Array.of(INTERESTING[rng.int(INTERESTING.length)])
      b[at()] = INTERESTING[rng.int(INTERESTING.length)]
      return b
    }
    case 3: { // a random byte
      if (n > 0) b[at()] = rng.int(256)
      return b
    }
    case 4: { // insert random bytes
      const i = at(1)
      return concat(b.subarray(0, i), randomBytes(rng, 1 + rng.int(16)), b.subarray(i))
    }
    case 5: { // delete a range
      if (n === 0) return b
      const i = at()
      const len = 1 + rng.int(Math.min(32, n - i))
      return concat(b.subarray(0, i), b.subarray(i + len))
    }
    case 6: { // truncate
      return b.subarray(0, at(1))
    }
    case 7: { // repeat a range
      if (n === 0) return b
      const i = at()
      const len = 1 + rng.int(Math.min(64, n - i))
      const times = 1 + rng.int(4)
      const parts = [b.subarray(0, i + len)]
      for (let t = 0; t < times; t++) parts.push(b.subarray(i, i + len))
      parts.push(b.subarray(i + len))
      return concat(...parts)
    }
    case 8: { // splice with another input
      if (pool.length === 0) return b
      const other = pool[rng.int(pool.length)]
      return concat(b.subarray(0, at(1)), other.subarray(rng.int(other.length + 1)))
    }
    default: { // a 16- or 32-bit field set to an extreme, either byte order
      const wide = rng.int(2) === 0 ? 2 : 4
      if (n < wide) return b
      const i = rng.int(n - wide + 1)
      const v = WIDE[rng.int(WIDE.length)]
      const le = rng.int(2) === 0
      for (let k = 0; k < wide; k++) {
        const shift = 8 * (le ? k : wide - 1 - k)
        b[i + k] = Math.floor(v / 2 ** shift) & 0xFF
      }
      return b
    }
  }
}

export function concat (...parts: Uint8Array[]): Uint8Array {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}
