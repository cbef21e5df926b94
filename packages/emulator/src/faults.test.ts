import { expect } from 'chai'
import fc from 'fast-check'
import { SeededRandom } from '@irdakit/core'
import { applyBitErrors, applyBursts } from './faults.js'
import { Room, type TapRecord } from './room.js'
import { errorsOf, framesOf, hex, record, recordTap, txDone, uiFrame } from './test-util.js'

/** `n` distinct frames: a sequence number and a payload that exercises SIR escapes. */
function frames (n: number, size: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => uiFrame(Array.from({ length: size }, (_, k) => k === 0 ? i & 0xFF : k === 1 ? i >> 8 : (i * 31 + k * 7) & 0xFF)))
}

describe('emulator/faults: bit errors', () => {
  it('flips about ber x bits, none at 0, all at 1', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer(), (len, seed) => {
      const rng = new SeededRandom(seed)
      const zero = new Uint8Array(len)
      expect(applyBitErrors(zero, 0, rng)).to.equal(0)
      expect(zero.every(b => b === 0)).to.equal(true)
      const all = new Uint8Array(len)
      expect(applyBitErrors(all, 1, rng)).to.equal(len * 8)
      expect(all.every(b => b === 0xFF)).to.equal(true)
    }))
    const big = new Uint8Array(100_000)
    const flips = applyBitErrors(big, 1e-3, new SeededRandom(3))
    const ones = big.reduce((n, b) => n + popcount(b), 0)
    expect(ones).to.equal(flips)
    expect(flips).to.be.within(800 - 4 * 28, 800 + 4 * 28) // 800 expected, sd ~28
  })

  it('bursts: none at rate 0, one starting at every bit at rate 1, each at most `length` bits long', () => {
    const zero = new Uint8Array(4)
    expect(applyBursts(zero, 0, 8, new SeededRandom(1))).to.equal(0)
    expect(hex(zero)).to.equal('00000000')
    expect(applyBursts(new Uint8Array(1), 1, 8, new SeededRandom(1))).to.equal(8)
    // Sparse bursts on a zero buffer: every run of set bits fits in one burst's span.
    const long = new Uint8Array(20_000)
    const n = applyBursts(long, 2e-5, 16, new SeededRandom(9))
    expect(n).to.be.within(1, 12)
    const set: number[] = []
    long.forEach((b, i) => { for (let k = 0; k < 8; k++) if ((b >> k) & 1) set.push(i * 8 + k) })
    const clusters: number[][] = []
    for (const bit of set) {
      const last = clusters.at(-1)
      if (last !== undefined && bit - last[0] < 16) last.push(bit); else clusters.push([bit])
    }
    expect(clusters.length).to.equal(n)
    for (const c of clusters) expect(c[c.length - 1] - c[0], "first and last bit of a 16-bit burst").to.equal(15)
  })

  it('BER 1e-3 loses a plausible fraction of frames, reports them as FCS errors, and never delivers a corrupted one', async () => {
    const room = new Room({ time: 'virtual', seed: 11 })
    const a = room.port('a', { speed: 115200 }); const b = room.port('b', { speed: 115200 })
    room.faults({ ber: 1e-3 })
    const got = record(b); const taps = recordTap(room)
    const sent = frames(600, 60)
    for (const f of sent) a.send(f, { xbofs: 2 })
    await room.run(txDone(a))

    const sentHex = new Set(sent.map(hex))
    const received = framesOf(got).map(f => f.hex)
    expect(received.every(h => sentHex.has(h)), 'every delivered frame is one that was sent, intact').to.equal(true)
    expect(new Set(received).size).to.equal(received.length)

    const wireBits = taps.reduce((n, t) => n + t.wire.length * 8, 0) / taps.length
    const expectedLoss = 1 - Math.pow(1 - 1e-3, wireBits)
    const loss = 1 - received.length / sent.length
    expect(loss).to.be.closeTo(expectedLoss, 0.07)
    expect(loss).to.be.greaterThan(0.2)

    const errors = errorsOf(got)
    const fcs = errors.filter(r => r === 'fcs').length
    expect(fcs / errors.length, 'most losses are FCS errors').to.be.greaterThan(0.8)
    // A hit on an EOF can merge two frames into one error, a hit making a BOF split one into two.
    const lost = sent.length - received.length
    expect(errors.length).to.be.within(Math.floor(0.85 * lost), Math.ceil(1.15 * lost))
    expect(taps.filter(t => t.receptions[0].result === 'undetected')).to.deep.equal([])
    expect(b.stats.rxErrors.fcs).to.equal(fcs)
  })

  it('error bursts cost the frames they hit', async () => {
    const room = new Room({ time: 'virtual', seed: 4 })
    const a = room.port('a'); const b = room.port('b')
    room.faults({ burst: { rate: 2e-3, length: 12 } })
    const got = record(b); const taps = recordTap(room)
    for (const f of frames(200, 20)) a.send(f)
    await room.run(txDone(a))
    const burst = taps.filter(t => t.receptions[0].effects.includes('burst'))
    expect(burst.length).to.be.greaterThan(20)
    expect(burst.every(t => t.receptions[0].result !== 'good')).to.equal(true)
    expect(framesOf(got).length).to.equal(200 - burst.length)
  })
})

describe('emulator/faults: drops, obstruction, range', () => {
  const TEN = uiFrame([1, 2, 3, 4, 5, 6, 7, 8])

  it('dropRate loses whole frames without errors, but the carrier is still sensed', async () => {
    const room = new Room({ time: 'virtual', seed: 2 })
    const a = room.port('a'); const b = room.port('b')
    room.faults({ dropRate: 0.3 })
    const got = record(b); const taps = recordTap(room)
    for (let i = 0; i < 300; i++) a.send(TEN)
    await room.run(txDone(a))
    const dropped = taps.filter(t => t.receptions[0].missed === 'dropped').length
    expect(dropped / 300).to.be.closeTo(0.3, 0.08)
    expect(framesOf(got).length).to.equal(300 - dropped)
    expect(errorsOf(got)).to.deep.equal([])
    expect(got.filter(e => e.type === 'media' && e.busy).length).to.equal(300)
  })

  it('an obstruction window blocks frames overlapping [from, to) for the stations behind it', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b'); const c = room.port('c')
    room.faults({ obstructions: [{ from: 100, to: 200, stations: ['b'] }] })
    const gotB = record(b); const gotC = record(c)
    const airtime = 14 * 10 / 9.6 // 10-byte frame + BOF, FCS, EOF
    for (const t of [0, 100 - airtime + 0.001, 150, 200, 300]) room.clock.setTimer(t, () => { a.send(TEN) })
    await room.run(new Promise<void>(resolve => { let n = 0; a.listen(e => { if (e.type === 'tx-done' && ++n === 5) resolve() }) }))
    expect(framesOf(gotB).map(f => Math.round(f.at - airtime))).to.deep.equal([0, 200, 300])
    expect(framesOf(gotC)).to.have.length(5)
    expect(gotB.filter(e => e.type === 'media' && e.busy).map(e => e.at)).to.deep.equal([0, 200, 300])
  })

  it('stations out of range neither hear nor sense each other (hidden nodes still collide at a third)', async () => {
    const room = new Room({ time: 'virtual' })
    const a = room.port('a'); const b = room.port('b'); const c = room.port('c')
    room.setInRange('a', 'c', false)
    const gotA = record(a); const gotB = record(b); const gotC = record(c); const taps = recordTap(room)
    a.send(TEN); c.send(TEN)
    await room.run(Promise.all([txDone(a), txDone(c)]))
    expect(gotA.filter(e => e.type !== 'tx-done')).to.deep.equal([])
    expect(gotC.filter(e => e.type !== 'tx-done')).to.deep.equal([])
    expect(framesOf(gotB)).to.deep.equal([])
    expect(taps[0].receptions.map(r => [r.station, r.missed ?? r.result])).to.deep.equal([['b', 'bad'], ['c', 'out-of-range']])

    room.setInRange('a', 'c', true)
    room.faults({ outOfRange: [['b', 'a']] })
    a.send(TEN)
    await room.run(txDone(a))
    expect(framesOf(gotC)).to.have.length(1)
    expect(framesOf(gotB)).to.have.length(0)
  })
})

describe('emulator/faults: determinism', () => {
  async function trace (seed: number): Promise<string> {
    const room = new Room({ time: 'virtual', seed })
    const a = room.port('a'); const b = room.port('b'); room.port('c', { speed: 115200 })
    room.faults({ ber: 2e-3, dropRate: 0.1, burst: { rate: 1e-3, length: 10 } })
    const taps: TapRecord[] = []
    room.tap(r => taps.push(r))
    const evB = record(b)
    b.listen(e => { if (e.type === 'frame') b.send(uiFrame([0xAA, e.frame[2]])) })
    for (const f of frames(100, 24)) a.send(f, { xbofs: 1 })
    await room.run(txDone(a))
    await room.run(new Promise(resolve => room.clock.setTimer(room.clock.now() + 1000, () => { resolve(undefined) })))
    return JSON.stringify({
      taps: taps.map(t => ({ ...t, wire: hex(t.wire), frame: hex(t.frame) })),
      b: evB.map(e => e.type === 'frame' ? { ...e, frame: hex(e.frame) } : e),
    })
  }

  it('the same seed replays the same run; another seed gives another', async () => {
    const [x, y, z] = [await trace(5), await trace(5), await trace(6)]
    expect(x.length).to.be.greaterThan(1000)
    expect(x).to.equal(y)
    expect(x).to.not.equal(z)
  })
})

function popcount (b: number): number {
  let n = 0
  for (; b !== 0; b &= b - 1) n++
  return n
}
