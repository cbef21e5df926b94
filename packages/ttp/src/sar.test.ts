import { expect } from 'chai'
import fc from 'fast-check'
import { Reassembler, segment } from './sar.js'

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('ttp/sar', () => {
  it('segment: full segments but the last, M on all but the last, bytes in order', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 500 }), fc.integer({ min: 1, max: 64 }), (sdu, seg) => {
      const parts = segment(sdu, seg)
      expect(parts).to.have.length(Math.ceil(sdu.length / seg))
      expect(parts.map(p => p.more)).to.deep.equal(parts.map((_, i) => i < parts.length - 1))
      expect(parts.slice(0, -1).every(p => p.data.length === seg)).to.equal(true)
      expect(parts.map(p => hexOf(p.data)).join('')).to.equal(hexOf(sdu))
    }))
  })

  it('reassembly restores any SDU within MaxSduSize, and truncates past it keeping the head', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 400 }), (sdu, seg, max) => {
      const r = new Reassembler(max)
      const parts = segment(sdu, seg)
      const outs = parts.map(p => r.push(p.data, p.more))
      expect(outs.slice(0, -1).every(o => o === undefined)).to.equal(true)
      const out = outs[outs.length - 1]
      const kept = Math.min(max, sdu.length)
      expect(out).to.deep.include({ truncated: sdu.length > max, discarded: sdu.length - kept })
      expect(hexOf(out?.data ?? new Uint8Array(0))).to.equal(hexOf(sdu.subarray(0, kept)))
      expect(r.pendingBytes).to.equal(0)
    }))
  })

  it('MaxSduSize 0 turns SAR off: each segment is an SDU whatever M says', () => {
    const r = new Reassembler(0)
    expect(hexOf(r.push(Uint8Array.of(1, 2), true)?.data ?? new Uint8Array(0))).to.equal('0102')
  })

  it('reset drops an unfinished SDU and says how many bytes it had', () => {
    const r = new Reassembler(5)
    r.push(Uint8Array.of(1, 2, 3), true)
    r.push(Uint8Array.of(4, 5, 6), true)
    expect(r.reset()).to.equal(6)
    expect(r.push(Uint8Array.of(9), false)).to.deep.include({ truncated: false })
  })
})
