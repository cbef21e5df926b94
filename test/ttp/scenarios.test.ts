/*!
 * TinyTP end to end over the in-memory IrLMP: credit starvation and recovery, disconnect with
 * data in flight, SAR with various MaxSduSizes, SDUs larger than the peer allows.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { TtpSduTooLargeError } from '@irdakit/ttp'
import { TtpPair, sduBytes } from './harness.js'

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('ttp: credit starvation and recovery', () => {
  it('a reader that stops reading blocks the sender; nothing is lost; reading resumes the flow', () => {
    const pair = new TtpPair({ maxDataSize: 32, a: { rxWindow: 4 }, b: { rxWindow: 4 } })
    pair.open()
    const sdus = Array.from({ length: 20 }, (_, n) => sduBytes('a', n, 1 + (n * 7) % 31))
    for (const s of sdus) pair.conn.a.send(s)
    pair.collect('a')
    pair.settle()

    // b never read: a used its 4 credits and waits with the other 16 SDUs queued.
    expect(pair.conn.a.sendCredit).to.equal(0)
    expect(pair.conn.a.queuedSegments).to.equal(16)
    expect(pair.conn.b.readableSdus).to.equal(4)
    expect(pair.conn.b.remoteCredit).to.equal(0)
    expect(pair.wire.b.flowPdus, 'no credit while b does not read').to.equal(0)
    pair.settle()
    expect(pair.wire.a.dataPdus, 'still blocked after more turns').to.equal(4)

    // b reads one: a quarter of its window is not enough for a flow PDU; a second read is.
    const got = [pair.conn.b.receive()?.data]
    pair.collect('b')
    expect(pair.inFlight.a).to.have.length(0)
    got.push(pair.conn.b.receive()?.data)
    pair.collect('b')
    expect(pair.wire.b.flowPdus).to.equal(1)
    pair.settle()
    expect(pair.wire.a.dataPdus).to.equal(6)

    // Reading everything drains a's queue; a hears 'writable' once.
    for (let guard = 0; got.length < sdus.length; guard++) {
      expect(guard).to.be.below(1000)
      const sdu = pair.conn.b.receive()
      if (sdu !== undefined) got.push(sdu.data)
      pair.collect('b')
      pair.settle()
    }
    expect(got.map(d => hexOf(d ?? new Uint8Array(0)))).to.deep.equal(sdus.map(hexOf))
    expect(pair.conn.a.queuedSegments).to.equal(0)
    expect(pair.take('a', 'writable')).to.have.length(1)
    expect(pair.wire.b.flowPdus * 2).to.be.at.most(20)
  })

  it('both sides blocked writing while neither reads: each recovers as soon as its peer reads', () => {
    const pair = new TtpPair({ maxDataSize: 10, a: { rxWindow: 2 }, b: { rxWindow: 3 } })
    pair.open()
    for (let n = 0; n < 8; n++) { pair.conn.a.send(sduBytes('a', n, 9)); pair.conn.b.send(sduBytes('b', n, 9)) }
    pair.collect('a'); pair.collect('b')
    pair.settle()
    expect([pair.conn.a.queuedSegments, pair.conn.b.queuedSegments]).to.deep.equal([8 - 3, 8 - 2])
    // Only a reads: b's data flows, a's stays blocked because b withholds credit.
    for (let i = 0; i < 10; i++) { while (pair.conn.a.receive() !== undefined) { /* read */ } pair.collect('a'); pair.settle() }
    expect(pair.conn.b.queuedSegments).to.equal(0)
    expect(pair.conn.a.queuedSegments).to.equal(5)
    for (let i = 0; i < 10; i++) { while (pair.conn.b.receive() !== undefined) { /* read */ } pair.collect('b'); pair.settle() }
    expect(pair.conn.a.queuedSegments).to.equal(0)
    expect(pair.conn.a.stats.rxSdus + pair.conn.b.stats.rxSdus).to.equal(16)
  })
})

describe('ttp: disconnect with data in flight', () => {
  function loaded (): TtpPair {
    const pair = new TtpPair({ maxDataSize: 20, a: { rxWindow: 3 }, b: { rxWindow: 3 } })
    pair.open()
    for (let n = 0; n < 10; n++) pair.conn.a.send(sduBytes('a', n, 12))
    pair.collect('a')
    return pair
  }

  it('immediate: PDUs already handed to IrLMP arrive, the queued rest is reported lost', () => {
    const pair = loaded()
    expect(pair.inFlight.b).to.have.length(3) // three credits, three PDUs on the wire
    const lost = pair.conn.a.disconnect(new TextEncoder().encode('bye'))
    pair.collect('a')
    expect(lost).to.deep.equal({ unsentSdus: 7, unsentBytes: 7 * 12, partialRxBytes: 0 })
    pair.settle()
    // b got the three SDUs (IrLMP keeps order: data before the disconnect), then the disconnect.
    const ev = pair.take('b', 'disconnect-indication')
    expect(ev).to.have.length(1)
    expect(ev[0].reason).to.deep.equal({ kind: 'lm', code: 0x01 })
    expect(new TextDecoder().decode(ev[0].userData)).to.equal('bye')
    expect(ev[0].lost).to.deep.equal({ unsentSdus: 0, unsentBytes: 0, partialRxBytes: 0 })
    expect(pair.conn.b.state).to.equal('disconnected')
    const read = [pair.conn.b.receive(), pair.conn.b.receive(), pair.conn.b.receive(), pair.conn.b.receive()]
    expect(read.map(s => s === undefined ? 'none' : hexOf(s.data))).to.deep.equal([0, 1, 2].map(n => hexOf(sduBytes('a', n, 12))).concat('none'))
    expect(pair.inFlight.a, 'no credit PDUs after the disconnect').to.have.length(0)
  })

  it('flush: every SDU arrives before the disconnect, nothing lost', () => {
    const pair = loaded()
    expect(pair.conn.a.disconnect(new Uint8Array(0), { flush: true })).to.deep.equal({ unsentSdus: 0, unsentBytes: 0, partialRxBytes: 0 })
    const got: Uint8Array[] = []
    for (let guard = 0; pair.conn.b.state !== 'disconnected'; guard++) {
      expect(guard).to.be.below(100)
      pair.settle()
      for (let s = pair.conn.b.receive(); s !== undefined; s = pair.conn.b.receive()) got.push(s.data)
      pair.collect('b')
    }
    expect(got.map(hexOf)).to.deep.equal(Array.from({ length: 10 }, (_, n) => hexOf(sduBytes('a', n, 12))))
    expect(pair.take('b', 'disconnect-indication')[0].lost.partialRxBytes).to.equal(0)
  })

  it('a disconnect in the middle of a segmented SDU reports its partial bytes at the receiver', () => {
    const pair = new TtpPair({ maxDataSize: 5, a: { rxWindow: 8 }, b: { rxWindow: 2, maxSduSize: 64 } })
    pair.open()
    pair.conn.a.send(sduBytes('a', 0, 40)) // 10 segments of 4; window-2 credit lets them trickle
    pair.collect('a')
    pair.deliverOne('b') // first segment only
    pair.conn.a.disconnect()
    pair.collect('a')
    pair.settle()
    const ev = pair.take('b', 'disconnect-indication')[0]
    const delivered = pair.wire.a.dataPdus
    expect(ev.lost.partialRxBytes).to.equal(4 * delivered)
    expect(pair.conn.b.readableSdus).to.equal(0)
  })
})

describe('ttp: SAR end to end', () => {
  it('MaxSduSize 0 at the receiver: SDUs up to one PDU pass, larger ones are refused at send()', () => {
    const pair = new TtpPair({ maxDataSize: 16, b: { maxSduSize: 0 } })
    pair.open()
    expect(pair.conn.a.maxSendSduSize).to.equal(15)
    pair.conn.a.send(sduBytes('a', 0, 15))
    expect(() => pair.conn.a.send(sduBytes('a', 1, 16))).to.throw(TtpSduTooLargeError)
    pair.collect('a')
    pair.settle()
    expect(pair.conn.b.receive()?.data.length).to.equal(15)
  })

  it('any SDU up to the receiver MaxSduSize arrives whole through any LM data size', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 8 }),
      fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 6 }),
      (maxDataSize, maxSduSize, rxWindow, seeds) => {
        const pair = new TtpPair({ maxDataSize, b: { maxSduSize, rxWindow } })
        pair.open()
        const sdus = seeds.map((s, n) => sduBytes('a', n, 1 + s % maxSduSize))
        for (const s of sdus) pair.conn.a.send(s)
        expect(() => pair.conn.a.send(new Uint8Array(maxSduSize + 1))).to.throw(TtpSduTooLargeError)
        pair.collect('a')
        const got: string[] = []
        for (let guard = 0; got.length < sdus.length; guard++) {
          expect(guard).to.be.below(100_000)
          pair.settle()
          const s = pair.conn.b.receive()
          if (s !== undefined) { expect(s.truncated).to.equal(false); got.push(hexOf(s.data)) }
          pair.collect('b')
        }
        expect(got).to.deep.equal(sdus.map(hexOf))
      }), { numRuns: 100 })
  })

  it('an SDU needing more segments than the receive window still gets through (no SAR deadlock)', () => {
    const pair = new TtpPair({ maxDataSize: 3, b: { maxSduSize: 1000, rxWindow: 1 } })
    pair.open()
    const big = sduBytes('a', 7, 1000) // 500 segments through a window of one
    pair.conn.a.send(big)
    pair.collect('a')
    pair.settle()
    expect(hexOf(pair.conn.b.receive()?.data ?? new Uint8Array(0))).to.equal(hexOf(big))
  })
})
