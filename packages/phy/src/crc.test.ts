import { expect } from 'chai'
import fc from 'fast-check'
import { fcs16, fcs32, crc16, crc32, appendFcs16, appendFcs32, checkFcs16, checkFcs32, FCS16_RESIDUE, FCS32_RESIDUE } from './index.js'

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)
const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map(h => parseInt(h, 16)))

describe('phy/crc', () => {
  it('FCS-16 check value of "123456789" is 0x906E and the residue is 0xF0B8', () => {
    expect(fcs16(ascii('123456789'))).to.equal(0x906E)
    expect(crc16(appendFcs16(ascii('123456789')))).to.equal(FCS16_RESIDUE)
    expect(FCS16_RESIDUE).to.equal(0xF0B8)
  })

  it('FCS-32 check value of "123456789" is 0xCBF43926 and the residue is 0xDEBB20E3', () => {
    expect(fcs32(ascii('123456789'))).to.equal(0xCBF43926)
    expect(crc32(appendFcs32(ascii('123456789')))).to.equal(FCS32_RESIDUE)
    expect(FCS32_RESIDUE).to.equal(0xDEBB20E3)
  })

  it('matches FCS bytes sent by Linux 4.9 (LSB first)', () => {
    // Discovery XID slot 0, SNRM and an S-frame from linux-4.9-session.md.
    expect(fcs16(hex('ff 3f 01 cd b0 15 97 ff ff ff ff 01 00 00'))).to.equal(0x73FB)
    expect(fcs16(hex('87 11'))).to.equal(0xCF8B)
    expect(appendFcs16(hex('86 11'))).to.deep.equal(hex('86 11 53 d6'))
  })

  it('property: the sliced CRC-16 equals the bit-at-a-time register for any range of any view, at any alignment', () => {
    const bitwise = (d: Uint8Array, reg: number, start: number, end: number): number => {
      for (let i = start; i < end; i++) {
        reg ^= d[i]
        for (let k = 0; k < 8; k++) reg = (reg & 1) !== 0 ? (reg >>> 1) ^ 0x8408 : reg >>> 1
      }
      return reg
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 7 }), fc.nat(), fc.nat(), fc.nat({ max: 0xFFFF }), (bytes, offset, a, b, reg) => {
      const view = new Uint8Array(bytes.length + offset)
      view.set(bytes, offset)
      const d = view.subarray(offset) // a view that starts at any byte alignment
      const [start, end] = [a % (d.length + 1), b % (d.length + 1)].sort((x, y) => x - y)
      expect(crc16(d, reg, start, end)).to.equal(bitwise(d, reg, start, end))
    }), { numRuns: 2000 })
  })

  it('appended FCS always checks, and any single flipped bit fails', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (data, pick) => {
      const s16 = appendFcs16(data)
      const s32 = appendFcs32(data)
      expect(checkFcs16(s16)).to.equal(true)
      expect(checkFcs32(s32)).to.equal(true)
      const bit16 = pick % (s16.length * 8)
      s16[bit16 >> 3] ^= 1 << (bit16 & 7)
      const bit32 = pick % (s32.length * 8)
      s32[bit32 >> 3] ^= 1 << (bit32 & 7)
      expect(checkFcs16(s16)).to.equal(false)
      expect(checkFcs32(s32)).to.equal(false)
    }))
  })
})
