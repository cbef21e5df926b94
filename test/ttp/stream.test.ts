/*!
 * TtpStreamAdapter over the in-memory IrLMP: byte streams both ways with backpressure.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { SeededRandom } from '@irdakit/core'
import { TtpStreamAdapter, type TtpStreamEvent } from '@irdakit/ttp'
import { TtpPair, concatAll, sduBytes, type Side } from './harness.js'

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

function streams (pair: TtpPair, hwm: number): Record<Side, TtpStreamAdapter> {
  pair.adapted.add('a'); pair.adapted.add('b')
  return { a: new TtpStreamAdapter(pair.conn.a, { writableHighWaterMark: hwm }), b: new TtpStreamAdapter(pair.conn.b, { writableHighWaterMark: hwm }) }
}

function events (s: TtpStreamAdapter): TtpStreamEvent[] {
  const out: TtpStreamEvent[] = []
  for (let e = s.pollEvent(); e !== undefined; e = s.pollEvent()) out.push(e)
  return out
}

describe('ttp/TtpStreamAdapter', () => {
  it('write() returns false at the high-water mark, drain follows once the reader has read', () => {
    const pair = new TtpPair({ maxDataSize: 11, a: { rxWindow: 2 }, b: { rxWindow: 2 } })
    pair.open()
    const s = streams(pair, 25)
    expect(s.a.write(sduBytes('a', 0, 20)), 'two PDUs leave with the two credits, none wait').to.equal(true)
    expect(s.a.write(sduBytes('a', 1, 30))).to.equal(false)
    expect(s.a.writableLength).to.equal(30)
    pair.collect('a')
    pair.settle()
    expect(events(s.a)).to.deep.equal([])
    expect(events(s.b)).to.deep.equal([{ type: 'readable' }])
    const got: Uint8Array[] = []
    for (let guard = 0; got.reduce((n, c) => n + c.length, 0) < 50; guard++) {
      expect(guard).to.be.below(100)
      const c = s.b.read(7)
      if (c !== undefined) got.push(c.slice())
      pair.collect('b')
      pair.settle()
    }
    expect(hexOf(concatAll(got))).to.equal(hexOf(concatAll([sduBytes('a', 0, 20), sduBytes('a', 1, 30)])))
    expect(events(s.a)).to.deep.equal([{ type: 'drain' }])
  })

  it('end(): queued bytes arrive first, then the peer sees end (after its last read) and close', () => {
    const pair = new TtpPair({ maxDataSize: 9, a: { rxWindow: 1 }, b: { rxWindow: 1 } })
    pair.open()
    const s = streams(pair, 1024)
    s.a.write(sduBytes('a', 3, 40))
    s.a.end(Uint8Array.of(0xEE))
    pair.collect('a')
    const got: Uint8Array[] = []
    const seen: string[] = []
    for (let guard = 0; !s.b.readableEnded; guard++) {
      expect(guard).to.be.below(200)
      pair.settle()
      for (const e of events(s.b)) seen.push(e.type)
      const c = s.b.read()
      if (c !== undefined) got.push(c.slice())
      pair.collect('b')
      for (const e of events(s.b)) seen.push(e.type)
    }
    expect(hexOf(concatAll(got))).to.equal(hexOf(sduBytes('a', 3, 40)))
    expect(seen.filter(t => t !== 'readable')).to.deep.equal(['close', 'end'])
    expect(events(s.a)).to.deep.equal([{ type: 'close', reason: 'local', lost: { unsentSdus: 0, unsentBytes: 0, partialRxBytes: 0 } }])
  })

  it('destroy(): reports what was thrown away', () => {
    const pair = new TtpPair({ maxDataSize: 9, a: { rxWindow: 1 }, b: { rxWindow: 1 } })
    pair.open()
    const s = streams(pair, 1024)
    s.a.write(sduBytes('a', 0, 24)) // 3 PDUs of 8: one leaves on the single credit
    expect(s.a.destroy()).to.deep.equal({ unsentSdus: 2, unsentBytes: 16, partialRxBytes: 0 })
    expect(events(s.a).map(e => e.type)).to.deep.equal(['close'])
  })

  it('property: random chunked writes both ways, a writer that honours backpressure, random reads: exact bytes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }),
      fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })), fc.integer({ min: 1, max: 200 }), fc.integer(),
      (maxDataSize, wa, wb, maxSduSize, hwm, seed) => {
        const pair = new TtpPair({ maxDataSize, a: { rxWindow: wa, maxSduSize }, b: { rxWindow: wb, maxSduSize } })
        pair.open()
        const s = streams(pair, hwm)
        const rnd = new SeededRandom(seed)
        const data = { a: sduBytes('a', seed, 1 + rnd.int(700)), b: sduBytes('b', seed, 1 + rnd.int(700)) }
        const at = { a: 0, b: 0 }
        const blocked = { a: false, b: false }
        const got: Record<Side, Uint8Array[]> = { a: [], b: [] }
        const done = (): boolean => got.a.reduce((n, c) => n + c.length, 0) === data.b.length && got.b.reduce((n, c) => n + c.length, 0) === data.a.length
        for (let step = 0; !done(); step++) {
          expect(step, 'stream stalled').to.be.below(50_000)
          for (const side of ['a', 'b'] as const) {
            for (const e of events(s[side])) if (e.type === 'drain') blocked[side] = false
            if (!blocked[side] && at[side] < data[side].length) {
              const n = 1 + rnd.int(60)
              blocked[side] = !s[side].write(data[side].subarray(at[side], at[side] + n))
              at[side] = Math.min(data[side].length, at[side] + n)
            }
            if (rnd.int(3) > 0) { const c = s[side].read(1 + rnd.int(50)); if (c !== undefined) got[side].push(c.slice()) }
            pair.collect(side)
            pair.deliverOne(side)
          }
        }
        expect(hexOf(concatAll(got.b))).to.equal(hexOf(data.a))
        expect(hexOf(concatAll(got.a))).to.equal(hexOf(data.b))
      }), { numRuns: 100 })
  })
})
