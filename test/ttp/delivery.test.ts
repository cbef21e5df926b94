/*!
 * Properties of two TinyTP endpoints talking both ways at once over a bounded IrLMP: random SDU
 * sizes, receive windows, MaxSduSizes, LM data sizes, read chunkings and interleavings. Every
 * PDU is refereed by the harness (credit invariant, LM data size, receiver buffer bound).
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { SeededRandom } from '@irdakit/core'
import type { TtpOptions } from '@irdakit/ttp'
import { TtpPair, concatAll, other, sduBytes, type Side } from './harness.js'

interface Scenario {
  maxDataSize: number
  opts: Record<Side, Required<TtpOptions>>
  /** SDU sizes as fractions of what the receiver allows. */
  sizes: Record<Side, number[]>
  /** Chance that a side's application reads when its turn comes: low values starve the peer. */
  readiness: Record<Side, number>
  /** 'sdu': read whole SDUs with receive(); 'stream': read(n) with random n. */
  mode: 'sdu' | 'stream'
  seed: number
}

const sideOpts = fc.record({
  rxWindow: fc.integer({ min: 1, max: 12 }),
  maxSduSize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 150 })),
})

const scenario: fc.Arbitrary<Scenario> = fc.record({
  maxDataSize: fc.integer({ min: 2, max: 48 }),
  opts: fc.record({ a: sideOpts, b: sideOpts }),
  sizes: fc.record({
    a: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
    b: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
  }),
  readiness: fc.record({ a: fc.double({ min: 0.05, max: 1, noNaN: true }), b: fc.double({ min: 0.05, max: 1, noNaN: true }) }),
  mode: fc.constantFrom('sdu' as const, 'stream' as const),
  seed: fc.integer(),
})

/** The SDUs `from` sends: sizes scaled to what the receiver accepts (its MaxSduSize, or one PDU). */
function plannedSdus (s: Scenario, from: Side): Uint8Array[] {
  const to = other(from)
  const limit = s.opts[to].maxSduSize === 0 ? s.maxDataSize - 1 : s.opts[to].maxSduSize
  return s.sizes[from].map((f, n) => sduBytes(from, n, Math.min(limit, 1 + Math.floor(f * limit))))
}

interface Outcome { pair: TtpPair, sent: Record<Side, Uint8Array[]>, got: Record<Side, Uint8Array[]> }

function run (s: Scenario): Outcome {
  const pair = new TtpPair({ maxDataSize: s.maxDataSize, a: s.opts.a, b: s.opts.b })
  pair.open()
  const rnd = new SeededRandom(s.seed)
  const sent = { a: plannedSdus(s, 'a'), b: plannedSdus(s, 'b') }
  const next = { a: 0, b: 0 }
  const got: Record<Side, Uint8Array[]> = { a: [], b: [] }

  const write = (side: Side): void => {
    if (next[side] >= sent[side].length) return
    pair.conn[side].send(sent[side][next[side]++])
    pair.collect(side)
  }
  const readSome = (side: Side): void => {
    const c = pair.conn[side]
    const chunk = s.mode === 'sdu' ? c.receive()?.data : c.read(1 + rnd.int(40))
    if (chunk !== undefined) got[side].push(chunk.slice())
    pair.collect(side)
  }

  // Phase 1: random interleaving of writes, deliveries and (sometimes withheld) reads.
  const steps = 40 * (sent.a.length + sent.b.length + 4)
  for (let i = 0; i < steps; i++) {
    const side: Side = rnd.int(2) === 0 ? 'a' : 'b'
    switch (rnd.int(3)) {
      case 0: write(side); break
      case 1: pair.deliverOne(side); break
      case 2: if (rnd.int(1000) < s.readiness[side] * 1000) readSome(side); break
    }
  }
  // Phase 2: both applications write the rest and read everything until nothing moves.
  // If credit could deadlock, data would be left queued here.
  for (let guard = 0; ; guard++) {
    expect(guard, 'no progress: deadlock').to.be.below(10_000)
    write('a'); write('b')
    pair.settle()
    let read = false
    for (const side of ['a', 'b'] as const) {
      while (pair.conn[side].readableSdus > 0) { readSome(side); read = true }
    }
    const idle = pair.inFlight.a.length + pair.inFlight.b.length === 0 && !read
    if (idle && next.a === sent.a.length && next.b === sent.b.length) break
  }
  return { pair, sent, got }
}

describe('ttp: two endpoints, both directions at once', () => {
  it('delivers exactly, in order, without loss; the sender never exceeds its credit', () => {
    fc.assert(fc.property(scenario, s => {
      const { pair, sent, got } = run(s)
      for (const from of ['a', 'b'] as const) {
        const to = other(from)
        expect(pair.conn[from].queuedSegments, `${from} still has data queued`).to.equal(0)
        if (s.mode === 'sdu') {
          expect(got[to].map(hexOf), `SDUs ${from}->${to}`).to.deep.equal(sent[from].map(hexOf))
        } else {
          expect(hexOf(concatAll(got[to])), `bytes ${from}->${to}`).to.equal(hexOf(concatAll(sent[from])))
        }
        expect(pair.conn[to].stats.rxCreditOverruns).to.equal(0)
        expect(pair.conn[to].stats.rxSdusTruncated).to.equal(0)
        expect(pair.conn[to].stats.rxSdus).to.equal(sent[from].length)
      }
    }), { numRuns: 150 })
  })

  it('sends at most one flow PDU per half window of data received (no credit PDU floods)', () => {
    fc.assert(fc.property(scenario, s => {
      const { pair } = run(s)
      for (const side of ['a', 'b'] as const) {
        const half = Math.ceil(s.opts[side].rxWindow / 2)
        const received = pair.wire[other(side)].dataPdus
        expect(pair.wire[side].flowPdus * half, `${side}: ${pair.wire[side].flowPdus} flow PDUs for ${received} data PDUs`)
          .to.be.at.most(received)
      }
    }), { numRuns: 100 })
  })

  it('uses every segment fully but the last: ceil(size / (LM data size - 1)) data PDUs per SDU', () => {
    fc.assert(fc.property(scenario, s => {
      const { pair, sent } = run(s)
      for (const from of ['a', 'b'] as const) {
        const seg = s.maxDataSize - 1
        const expected = sent[from].reduce((n, sdu) => n + Math.ceil(sdu.length / seg), 0)
        expect(pair.wire[from].dataPdus).to.equal(expected)
      }
    }), { numRuns: 50 })
  })
})

function hexOf (b: Uint8Array): string { return Buffer.from(b).toString('hex') }
