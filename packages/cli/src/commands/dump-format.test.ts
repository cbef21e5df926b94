import { expect } from 'chai'
import fc from 'fast-check'
import { secondsColumn } from './dump-format.js'

describe('irda dump time column', () => {
  const same = (t: number): void => { expect(secondsColumn(t), String(t)).to.equal(t.toFixed(6).padStart(12)) }
  it('writes what toFixed(6).padStart(12) writes, for times as a capture gives them (property)', () => {
    // As dump computes them: (record ms - first record ms) / 1000, both in whole microseconds.
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 * 1e6 }), fc.integer({ min: 0, max: 2 ** 32 * 1e6 }), (a, b) => {
      same((b / 1000 - a / 1000) / 1000)
    }), { numRuns: 20000 })
  })
  it('and for any other number', () => {
    fc.assert(fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), same), { numRuns: 20000 })
    for (const t of [0, -0, 1e-7, 5e-7, 4.9999999e-7, 0.0000015, 123456.5e-6, 99999.9999995, 1e15, -1e-7]) same(t)
  })
})
