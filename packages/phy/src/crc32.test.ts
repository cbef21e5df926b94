import { expect } from 'chai'
import fc from 'fast-check'
import { crc32 } from './index.js'

/** The CRC-32 register one bit at a time, straight from the polynomial: the reference. */
function bitwise (d: Uint8Array, reg: number, start: number, end: number): number {
  let r = reg >>> 0
  for (let i = start; i < end; i++) {
    r ^= d[i]
    for (let k = 0; k < 8; k++) r = (r & 1) !== 0 ? (r >>> 1) ^ 0xEDB88320 : r >>> 1
  }
  return r >>> 0
}

describe('phy/crc32', () => {
  it('property: the sliced CRC-32 equals the bit-at-a-time register for any range of any view, at any alignment', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 7 }), fc.nat(), fc.nat(), fc.nat({ max: 0xFFFFFFFF }), (bytes, offset, a, b, reg) => {
      const view = new Uint8Array(bytes.length + offset)
      view.set(bytes, offset)
      const d = view.subarray(offset) // a view that starts at any byte alignment
      const [start, end] = [a % (d.length + 1), b % (d.length + 1)].sort((x, y) => x - y)
      expect(crc32(d, reg, start, end)).to.equal(bitwise(d, reg, start, end))
    }), { numRuns: 2000 })
  })

  it('a whole 2 KiB FIR frame, unaligned: same register as bit at a time', () => {
    const buf = new Uint8Array(2051)
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 131 + 7) & 0xFF
    const d = buf.subarray(3)
    expect(crc32(d)).to.equal(bitwise(d, 0xFFFFFFFF, 0, d.length))
  })
})
