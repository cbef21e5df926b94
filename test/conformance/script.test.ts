/*! One script of exact frames, two players: the sans-I/O FrameTester on a station object, and the tester station on a medium. */
import { expect } from 'chai'
import { SeededRandom } from '@irdakit/core'
import { IrlapStation, runScript, stationTarget } from '@irdakit/lap'
import { CaseVerdict, loopbackTarget, playScript, TesterStation, xidCommand, type PortScriptStep } from '@irdakit/conformance'

const DS1: PortScriptStep[] = [
  { send: xidCommand(0, { destination: 0x0BADCAFE }) },
  { silence: 300 },
  { send: xidCommand(0) },
  { expect: { kind: 'XID', command: false, info: { slot: 0 } }, within: 130 },
  { send: xidCommand(0xFF) },
  { wait: 100 },
]

describe('conformance scripts', () => {
  it('the same script passes on a station object (FrameTester) and through the room (tester station)', async () => {
    const t = runScript(stationTarget(new IrlapStation({ deviceAddress: 0x01020304, random: new SeededRandom(4), discoveryInfo: Uint8Array.of(0x04, 0x00) })), DS1)
    expect(t.frames).to.have.length(1)
    const target = loopbackTarget(3)
    const st = new TesterStation(target.port)
    await target.run(playScript(st, DS1)).finally(async () => { st.close(); await target.close() })
    expect(st.trace.filter(l => l.dir === 'D->T')).to.have.length(1)
  })

  it('a step the device does not follow ends the script with FAIL and the trace says which', async () => {
    const target = loopbackTarget(3)
    const st = new TesterStation(target.port)
    let err: unknown
    try {
      await target.run(playScript(st, [{ send: xidCommand(0) }, { expect: { kind: 'XID', command: false, info: { slot: 3 } }, within: 130 }]))
    } catch (e) { err = e } finally { st.close(); await target.close() }
    expect(err).to.be.instanceOf(CaseVerdict)
    expect((err as CaseVerdict).verdict).to.equal('FAIL')
    expect((err as Error).message).to.match(/step 1: .*info\.slot = 0, want 3/)
    expect(st.trace.some(l => l.dir === '!!')).to.equal(true)
  })
})
