import { expect } from 'chai'
import { emitFrame, type LapFrame } from '@irdakit/lap'
import { airtimeMs, wrapForSpeed } from '@irdakit/phy'
import { byteRateNote, idealBulkMs, idealGoodputKBs, idealScheduleMs, lineBytesPerSecond, negotiatedLink, type AirFrame } from './ideal-schedule.js'

const i = (ns: number, info = [1, 2, 3]): LapFrame => ({ kind: 'I', caddr: 1, command: true, pf: false, ns, nr: 0, info: Uint8Array.from(info) })
const rr: LapFrame = { kind: 'RR', caddr: 1, command: false, pf: true, nr: 0 }
/** Frames back to back on a line, each `air` ms long, after `gap` ms of silence. */
function line (...frames: Array<[string, LapFrame, number, number?]>): AirFrame[] {
  let t = 0
  return frames.map(([sender, f, air, gap = 0]) => { const start = t + gap; t = start + air; return { sender, start, end: t, frame: emitFrame(f) } })
}

describe('cli/ideal-schedule', () => {
  it('counts SIR bytes as 10 bits and MIR/FIR bytes as 8', () => {
    expect(lineBytesPerSecond(115200)).to.equal(11520)
    expect(lineBytesPerSecond(9600)).to.equal(960)
    expect(lineBytesPerSecond(1152000)).to.equal(144000)
    expect(lineBytesPerSecond(4000000)).to.equal(500000)
    expect([byteRateNote(115200), byteRateNote(576000), byteRateNote(4000000)]).to.deep.equal(['SIR: 10 bits a byte', 'MIR: 8 bits a byte', 'FIR: 8 bits a byte'])
  })

  it('is the new I frames, one acknowledgement per turn without data and a turnaround per turn', () => {
    const frames = line(['a', i(0), 10], ['a', i(1), 10], ['b', rr, 2, 5], ['a', i(2), 10, 5], ['b', i(0), 10, 5])
    // 3 I frames from a, 1 from b, b's RR (a turn without data), 3 turns of 1 ms each.
    expect(idealScheduleMs(frames, 0, 1000, () => 1)).to.equal(40 + 2 + 3)
  })

  it('leaves out retransmissions, idle gaps and frames outside the interval', () => {
    const frames = line(['a', i(0), 10], ['a', i(1), 10], ['b', rr, 2, 50], ['a', i(1), 10, 5], ['a', i(2), 10], ['x', i(0), 10, 100])
    expect(idealScheduleMs(frames, 0, 150, () => 1)).to.equal(30 + 2 + 2)
  })
})

describe('cli/ideal-schedule: one-way bulk (the benchmarks and plots)', () => {
  const infos = Array.from({ length: 10 }, (_, k) => Uint8Array.from({ length: 100 }, (_, i) => (i * 7 + k) & 0xFF))

  it('is the same schedule as idealScheduleMs applied to those frames on the air', () => {
    const link = { bps: 115200, window: 4, xbofs: 10, peerXbofs: 5, mttMs: 1, peerMttMs: 0.5 }
    // The transfer as it would go at best: windows of 4 I frames, the peer's RR after each but the last.
    const air: AirFrame[] = []
    let t = 0
    const send = (sender: string, f: LapFrame, xbofs: number, gap: number): void => {
      const start = t + gap
      t = start + airtimeMs(wrapForSpeed(emitFrame(f), link.bps, { xbofs }), link.bps)
      air.push({ sender, start, end: t, frame: emitFrame(f) })
    }
    infos.forEach((info, k) => {
      send('a', { kind: 'I', caddr: 1, command: true, pf: (k + 1) % 4 === 0 || k === 9, ns: k % 8, nr: 0, info }, link.xbofs, k > 0 && k % 4 === 0 ? link.mttMs : 0)
      if ((k + 1) % 4 === 0) send('b', { kind: 'RR', caddr: 1, command: false, pf: true, nr: (k + 1) % 8 }, link.peerXbofs, link.peerMttMs)
    })
    const fromAir = idealScheduleMs(air, 0, t, s => s === 'a' ? link.mttMs : link.peerMttMs)
    expect(idealBulkMs(infos, link)).to.be.closeTo(fromAir, 1e-9)
    expect(fromAir).to.be.closeTo(t, 1e-9) // nothing idle in this schedule
  })

  it("caps IrLAP at 4 Mbit/s near 60% of the line with a 10 ms turnaround, as issue 17 measured", () => {
    const share = (bps: number, mtt: number): number => idealGoodputKBs(negotiatedLink(bps, { minTurnaroundMs: mtt })) / (lineBytesPerSecond(bps) / 1000)
    expect(share(4000000, 10)).to.be.within(0.57, 0.62)
    expect(share(1152000, 10)).to.be.within(0.80, 0.86)
    expect(share(4000000, 1)).to.be.within(0.9, 0.95)
    // Below 115200 the line-capacity rule (500 ms turns) shrinks frames and window.
    expect(negotiatedLink(9600)).to.include({ dataSize: 256, window: 1 })
    // At 2400 itself, not at the 9600 every station also offers: 100 bytes a turn leave 64-byte frames.
    expect(negotiatedLink(2400)).to.include({ bps: 2400, dataSize: 64, window: 1 })
  })
})
