import { expect } from 'chai'
import { SeededRandom } from '@irdakit/core'
import { defaultQos } from '../qos/index.js'
import { IrlapStation } from './station.js'
import { StationPair, type LineFrame } from './test-pair.js'
import { bytes } from './test-fixtures.js'
import { parseFrame } from '../wire/index.js'

const A = 0x0A0A0A0A
const B = 0x0B0B0B0B

function pair (speeds: number[], opts: { srej?: boolean, dataSize?: number, window?: number } = {}): StationPair {
  const qos = defaultQos({ speeds, minTurnaroundMs: 1, dataSize: opts.dataSize, windowSize: opts.window })
  const a = new IrlapStation({ deviceAddress: A, random: new SeededRandom(1), qos, srej: opts.srej, negotiate: { maxTxDataSize: 2048 } })
  const b = new IrlapStation({ deviceAddress: B, random: new SeededRandom(2), qos, srej: opts.srej, negotiate: { maxTxDataSize: 2048 } })
  const p = new StationPair(a, b)
  p.do(now => { a.connectRequest(now, { deviceAddress: B }) })
  p.runUntil(() => p.b.state === 'CONN')
  p.do(now => { p.b.connectResponse(now) })
  expect(p.runUntil(() => p.a.state === 'XMIT_P' || p.a.state === 'RECV_P'), 'connected').to.equal(true)
  return p
}

function received (p: StationPair, who: 'a' | 'b'): Uint8Array[] {
  return p.events(who).flatMap(e => e.ev.type === 'data-indication' ? [e.ev.data] : [])
}

/** Sends `chunks` from `from` (queued all at once) and runs until the other side has them all. */
function transfer (p: StationPair, from: 'a' | 'b', chunks: Uint8Array[], limitMs = 600_000): void {
  const st = from === 'a' ? p.a : p.b
  p.do(now => { for (const c of chunks) st.dataRequest(now, c) })
  const to = from === 'a' ? 'b' : 'a'
  const ok = p.runUntil(() => received(p, to).length >= chunks.length && st.pendingData === 0, limitMs)
  expect(ok, `transfer finished (got ${received(p, to).length}/${chunks.length})`).to.equal(true)
  expect(received(p, to)).to.deep.equal(chunks)
}

const kindOf = (f: LineFrame): string => { const d = parseFrame(f.bytes); return d.ok ? d.value.kind : '?' }

describe('lap/station data transfer (two stations, ideal line)', () => {
  for (const bps of [9600, 115200, 4000000]) {
    it(`moves bulk data primary to secondary at ${bps} b/s, exact bytes, within window and data size`, () => {
      const p = pair([9600, bps])
      const link = p.a.link
      expect(link?.baudRate).to.equal(bps)
      const size = link?.txDataSize as number
      const chunks = Array.from({ length: 40 }, (_, i) => bytes(size - (i % 3), i))
      transfer(p, 'a', chunks)
      // Window discipline: never more than the window of I frames between two P/F frames.
      let run = 0
      for (const f of p.log) {
        const d = parseFrame(f.bytes)
        if (!d.ok) continue
        if (d.value.kind === 'I' && f.from === 'a') { run++; expect(d.value.info.length).to.be.at.most(size) }
        if (d.value.pf) { expect(run).to.be.at.most(link?.txWindowSize as number); run = 0 }
      }
      expect(p.a.checkInvariants()).to.deep.equal([])
      expect(p.b.checkInvariants()).to.deep.equal([])
    })
  }

  it('moves data both ways at once', () => {
    const p = pair([9600, 115200])
    const ab = Array.from({ length: 20 }, (_, i) => bytes(500 + i, i))
    const ba = Array.from({ length: 20 }, (_, i) => bytes(300 + i, 100 + i))
    p.do(now => { for (const c of ab) p.a.dataRequest(now, c); for (const c of ba) p.b.dataRequest(now, c) })
    expect(p.runUntil(() => received(p, 'b').length === 20 && received(p, 'a').length === 20)).to.equal(true)
    expect(received(p, 'b')).to.deep.equal(ab)
    expect(received(p, 'a')).to.deep.equal(ba)
  })

  for (const srej of [true, false]) {
    it(`recovers from lost and corrupted frames in both directions (${srej ? 'SREJ' : 'REJ'} and timers)`, () => {
      const p = pair([9600, 115200], { srej })
      const rnd = new SeededRandom(srej ? 5 : 6)
      p.fate = (f, i) => (i > 6 && rnd.next() < 0.12) ? (rnd.next() < 0.5 ? 'drop' : 'corrupt') : 'ok'
      const ab = Array.from({ length: 60 }, (_, i) => bytes(200 + i, i))
      const ba = Array.from({ length: 30 }, (_, i) => bytes(100 + i, 50 + i))
      p.do(now => { for (const c of ab) p.a.dataRequest(now, c); for (const c of ba) p.b.dataRequest(now, c) })
      expect(p.runUntil(() => received(p, 'b').length === ab.length && received(p, 'a').length === ba.length, 600_000)).to.equal(true)
      expect(received(p, 'b')).to.deep.equal(ab)
      expect(received(p, 'a')).to.deep.equal(ba)
      const stats = [p.a.stats, p.b.stats]
      expect(stats.reduce((n, s) => n + s.retransmissions, 0)).to.be.greaterThan(0)
      if (srej) expect(stats.reduce((n, s) => n + s.srejSent, 0)).to.be.greaterThan(0)
      else expect(stats.reduce((n, s) => n + s.rejSent, 0)).to.be.greaterThan(0)
      expect(p.log.filter(f => kindOf(f) === (srej ? 'SREJ' : 'REJ')).length).to.be.greaterThan(0)
      expect(p.a.state === 'XMIT_P' || p.a.state === 'RECV_P').to.equal(true)
    })
  }

  it('holds the line with fast polls after traffic and backs off to the maximum turnaround when idle', () => {
    const p = pair([9600, 115200])
    p.run(10_000)
    const polls = p.log.filter(f => f.from === 'a' && kindOf(f) === 'RR').map(f => f.start)
    const gaps = polls.slice(1).map((t, i) => t - polls[i])
    expect(gaps[0]).to.be.lessThan(50)
    expect(Math.max(...gaps)).to.be.within(500, 520)
  })
})
