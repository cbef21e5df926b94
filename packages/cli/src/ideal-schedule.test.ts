import { expect } from 'chai'
import { emitFrame, type LapFrame } from '@irdakit/lap'
import { byteRateNote, idealScheduleMs, lineBytesPerSecond, type AirFrame } from './ideal-schedule.js'

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
