import { expect } from 'chai'
import { SeededRandom } from '@irdakit/core'
import { BROADCAST_CADDR, BROADCAST_DEVICE } from '../frame.js'
import { IrlapStation } from '../station/station.js'
import { FrameTester, TesterError, runScript, stationTarget, type ScriptStep } from './index.js'

const DUT = 0x01020304
const PEER = 0x0A0B0C0D
const dut = (): IrlapStation => new IrlapStation({ deviceAddress: DUT, random: new SeededRandom(4), discoveryInfo: new Uint8Array([0x04, 0x00, 0x58]) })
const xid = (slot: number, destination = BROADCAST_DEVICE) => ({
  kind: 'XID' as const, caddr: BROADCAST_CADDR, command: true, pf: true,
  info: { format: 1, source: PEER, destination, slots: 1 as const, newAddress: false, slot, version: 0 },
})

/** Conformance case LAP/SEC/DISC/BV-01 (legacy DS1) as data. */
const DS1: ScriptStep[] = [
  { send: xid(0, 0x55555555) },
  { silence: 300 },
  { send: xid(0) },
  { expect: { kind: 'XID', command: false, info: { source: DUT, destination: PEER, slot: 0 } }, within: 60 },
  { send: xid(0xFF) },
  { expectEvent: { type: 'discovery-indication', device: { deviceAddress: PEER } } },
  { send: xid(0, DUT), after: 100 },
  { expect: { kind: 'XID', command: false }, within: 60 },
]

describe('lap/tester', () => {
  it('runs a conformance case written as data (DS1) against the station', () => {
    const t = runScript(stationTarget(dut()), DS1)
    expect(t.frames).to.have.length(2)
    expect(t.trace.join('\n')).to.match(/xid:rsp ca=0x7f F 0x01020304 > 0x0a0b0c0d/)
  })

  it('models the target transmitter: turnaround after our frame, airtime at the speed, back to back', () => {
    const t = new FrameTester(stationTarget(dut()), { start: 1000 })
    t.send(xid(0))
    const f = t.expectFrame({ kind: 'XID' })
    expect(f.start).to.equal(1010) // 10 ms default minimum turnaround
    expect(f.end - f.start).to.be.closeTo((f.bytes.length + 4 + 10) * 10000 / 9600, 1e-9)
    expect(t.now).to.equal(f.end)
  })

  it('fails with a TesterError and the trace when the target does not do what the script says', () => {
    const wrong: ScriptStep[] = [{ send: xid(0) }, { expect: { kind: 'XID', info: { slot: 3 } }, within: 60 }]
    let err: unknown
    try { runScript(stationTarget(dut()), wrong) } catch (e) { err = e }
    expect(err).to.be.instanceOf(TesterError)
    expect((err as TesterError).message).to.match(/info\.slot = 0, want 3/)
    expect((err as TesterError).message).to.match(/--- trace ---[\s\S]*T->D xid:cmd/)
  })

  it('fails on a frame that comes too late, on an unexpected frame during silence, and on a missing event', () => {
    const late = new FrameTester(stationTarget(dut()))
    late.send(xid(0))
    expect(() => late.expectFrame({ kind: 'XID' }, { within: 5 })).to.throw(TesterError, /within 5 ms/)
    const noisy = new FrameTester(stationTarget(dut()))
    noisy.send(xid(0))
    expect(() => noisy.expectSilence(100)).to.throw(TesterError, /expected silence/)
    const quiet = new FrameTester(stationTarget(dut()))
    expect(() => quiet.expectEvent({ type: 'connect-indication' }, { within: 1000 })).to.throw(TesterError, /none came/)
  })
})
