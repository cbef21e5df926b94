/*!
 * The connect bench and the connect's ideal schedule (issue 17), in virtual time: nothing here
 * depends on the machine's speed.
 */
import { expect } from 'chai'
import { emitFrame } from '@irdakit/lap'
import { airtimeMs, wrapForSpeed } from '@irdakit/phy'
import { idealConnectMs, type AirFrame } from '../../packages/cli/src/ideal-schedule.js'
import { TARGET, connectOnce } from '../../packages/cli/src/bench/connect.js'

describe('bench/connect', () => {
  it('a demo connect at 115200 meets the target: ideal / measured >= 1/1.10, in 19 frames', async () => {
    const r = await connectOnce({ bps: 115200, way: 'demo' })
    expect(r.idealMs / r.measuredMs).to.be.at.least(TARGET)
    expect(r.linkIdealMs / r.linkMeasuredMs).to.be.at.least(TARGET)
    expect(r.frames).to.equal(19)
  })

  it('the ideal leaves out an RR/RR round the stack adds between a request and its answer', async () => {
    const r = await connectOnce({ bps: 115200, way: 'demo' })
    // Two wasted frames right after the first I frame (the IrLMP connect): B's RR, then A's RR poll.
    const firstI = r.air.findIndex(f => f.frame.length > 2 && (f.frame[1] & 1) === 0)
    const at = r.air[firstI].end
    const rr = (sender: string, command: boolean, start: number): AirFrame => {
      const frame = emitFrame({ kind: 'RR', caddr: r.air[firstI].frame[0] >> 1, command, pf: true, nr: 1 })
      return { sender, start, end: start + airtimeMs(wrapForSpeed(frame, 115200, { xbofs: 0 }), 115200), frame }
    }
    const extra = [rr('B', false, at + 10), rr('A', true, at + 21)]
    const shift = 32
    const wasteful = [...r.air.slice(0, firstI + 1), ...extra, ...r.air.slice(firstI + 1).map(f => ({ ...f, start: f.start + shift, end: f.end + shift }))]
    expect(idealConnectMs(wasteful, r.link).totalMs).to.be.closeTo(r.idealMs, 1e-9)
  })
})
