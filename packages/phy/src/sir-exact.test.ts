import { expect } from 'chai'
import fc from 'fast-check'
import { sirWrap, SirUnwrapper, fcs16 } from './index.js'
import { describe as show } from './test-util.js'

/**
 * The SIR wrapper as the spec words it, one byte at a time: XBOFs, BOF, each byte of the frame
 * and of its FCS (LSB first) with BOF, EOF and CE sent as CE + byte XOR 0x20, EOF. The fast
 * wrapper (word loop, pair table, CRC fused into the escaping pass) must match it byte for byte.
 */
function referenceWrap (frame: Uint8Array, xbofs = 0): Uint8Array {
  const out: number[] = new Array<number>(xbofs).fill(0xFF)
  out.push(0xC0)
  const fcs = fcs16(frame)
  for (const b of [...frame, fcs & 0xFF, fcs >>> 8]) {
    if (b === 0xC0 || b === 0xC1 || b === 0x7D) out.push(0x7D, b ^ 0x20)
    else out.push(b)
  }
  out.push(0xC1)
  return Uint8Array.from(out)
}

/** `bytes` copied into a larger buffer at `offset`, so word reads start off a word boundary. */
function atOffset (bytes: Uint8Array, offset: number): Uint8Array {
  const buf = new Uint8Array(bytes.length + offset + 8).fill(0xC0) // specials around it must not leak in
  buf.set(bytes, offset)
  return buf.subarray(offset, offset + bytes.length)
}

const hexOf = (a: Uint8Array): string => Buffer.from(a).toString('hex')
const SPECIALS = [0xC0, 0xC1, 0x7D]

/** Feeds `wire` in pieces of the given sizes (cycled), each piece a view at an odd offset. */
function pushPieces (rx: SirUnwrapper, wire: Uint8Array, sizes: number[]): string[] {
  const out: string[] = []
  for (let at = 0, k = 0; at < wire.length; k++) {
    const size = Math.max(1, sizes.length === 0 ? wire.length : sizes[k % sizes.length])
    out.push(...show(rx.push(atOffset(wire.subarray(at, at + size), (k % 3) + 1))))
    at += size
  }
  return out
}

describe('phy/sir byte-exact against the byte-at-a-time reference', () => {
  it('every frame length 0..64 with one special byte at every position, at every input alignment, wraps byte-exact and round trips', () => {
    for (let n = 0; n <= 64; n++) {
      for (let pos = -1; pos < n; pos++) {
        for (const special of pos < 0 ? [0] : SPECIALS) {
          const frame = Uint8Array.from({ length: n }, (_, i) => (i === pos ? special : (i * 37 + n) & 0xFF)).map((b, i) => (i !== pos && SPECIALS.includes(b) ? 0x11 : b))
          const want = referenceWrap(frame)
          for (let offset = 0; offset < 4; offset++) {
            const wire = sirWrap(atOffset(frame, offset))
            expect(hexOf(wire), `length ${n}, special at ${pos}, offset ${offset}`).to.equal(hexOf(want))
          }
          const got = show(new SirUnwrapper().push(atOffset(want, pos & 3)))
          expect(got, `length ${n}, special at ${pos}`).to.deep.equal(n + 2 < 4 ? ['error:runt'] : [hexOf(frame)])
        }
      }
    }
  })

  it('frames of nothing but BOF, EOF and CE, every length 0..64 and 2048, at every alignment, wrap byte-exact and round trip in any piece size', () => {
    for (const n of [...Array.from({ length: 65 }, (_, n) => n), 2047, 2048]) {
      for (let start = 0; start < 3; start++) {
        const frame = Uint8Array.from({ length: n }, (_, i) => SPECIALS[(i + start) % 3])
        const want = referenceWrap(frame, start)
        for (let offset = 0; offset < 4; offset++) {
          expect(hexOf(sirWrap(atOffset(frame, offset), { xbofs: start })), `length ${n}, offset ${offset}`).to.equal(hexOf(want))
        }
        for (const sizes of [[], [1], [2], [3], [5], [7, 1], [8], [9], [13, 4, 1]]) {
          expect(pushPieces(new SirUnwrapper(), want, sizes), `length ${n}, pieces ${sizes.join(',')}`).to.deep.equal(n + 2 < 4 ? ['error:runt'] : [hexOf(frame)])
        }
      }
    }
  })

  it('property: any frame wraps byte-exact, at any input alignment and xbofs', () => {
    const byte = fc.oneof(fc.constantFrom(...SPECIALS), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
    fc.assert(fc.property(fc.array(byte, { maxLength: 300 }), fc.nat({ max: 7 }), fc.nat({ max: 20 }), (bytes, offset, xbofs) => {
      const frame = Uint8Array.from(bytes)
      expect(hexOf(sirWrap(atOffset(frame, offset), { xbofs }))).to.equal(hexOf(referenceWrap(frame, xbofs)))
    }), { seed: 17, numRuns: 800 })
  })

  it('property: the FCS is checked across pieces of any size (cuts between CE and its byte, inside words, at odd offsets), good and damaged frames alike', () => {
    const byte = fc.oneof(fc.constantFrom(...SPECIALS), fc.integer({ min: 0, max: 255 }))
    const frameArb = fc.array(byte, { minLength: 2, maxLength: 200 }).map(a => Uint8Array.from(a))
    fc.assert(fc.property(fc.array(fc.tuple(frameArb, fc.boolean(), fc.nat()), { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 24 }), { maxLength: 8 }), (frames, sizes) => {
      const want: string[] = []
      const wire = Buffer.concat(frames.map(([frame, damage, pick]) => {
        const w = referenceWrap(frame)
        if (!damage) { want.push(hexOf(frame)); return w }
        // Change one data byte to another plain value: the frame keeps its shape, the FCS must fail.
        const at = 1 + (pick % (w.length - 2))
        if (SPECIALS.includes(w[at]) || SPECIALS.includes(w[at - 1])) { want.push(hexOf(frame)); return w }
        const changed = w.slice()
        changed[at] = w[at] === 0x00 ? 0x01 : 0x00
        want.push('error:fcs')
        return changed
      }))
      expect(pushPieces(new SirUnwrapper(), wire, sizes)).to.deep.equal(want)
    }), { seed: 23, numRuns: 800 })
  })
})
