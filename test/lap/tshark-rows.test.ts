/*!
 * Every kind of frame the station emits in the tester-driven rows (FRMR W/X/Y/Z, TEST in NDM
 * and NRM, UI, RD, DM, RNR, REJ, SREJ, reset SNRM, discovery XIDs, SNRM/UA/DISC) goes through
 * tshark: no malformed frame, no expert error.
 */
import { join } from 'node:path'
import { expect } from 'chai'
import { writePcap } from '@irdakit/capture'
import { BROADCAST_CADDR, defaultQos, type FrameTester } from '@irdakit/lap'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { CONN, PEER, DUT, bytes, cmd, connectedPrimary, connectedSecondary, iCmd, rsp, station, tester, u, xidCmd } from '../../packages/lap/src/station/test-fixtures.js'
import { tempDir } from './harness.js'

type Scenario = () => FrameTester

const scenarios: Record<string, Scenario> = {
  'discovery both ways': () => {
    const st = station()
    const t = tester(st)
    t.send(xidCmd(0, 1))
    t.wait(100)
    t.do(now => { st.discoveryRequest(now, { slots: 6 }) })
    t.wait(2000)
    return t
  },
  'NDM TEST and UI': () => {
    const st = station()
    const t = tester(st)
    t.send({ kind: 'TEST', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: PEER, destination: DUT, data: bytes(16) } })
    t.do(now => { st.unitdataRequest(now, bytes(30)) })
    t.do(now => { st.testRequest(now, { deviceAddress: PEER, data: bytes(8) }) })
    t.wait(1000)
    return t
  },
  'FRMR W, X, Y, Z': () => {
    const a = connectedSecondary({ qos: defaultQos({ speeds: [9600], dataSize: 64 }) })
    a.t.send(new Uint8Array([(CONN << 1) | 1, 0x1B]))
    a.t.wait(50).send(u('DISC', true)).wait(50)
    a.t.send(u('DISC', true)).wait(50) // late DISC in NDM: DM
    a.t.send({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: PEER, destination: DUT, connAddr: CONN, qos: defaultQos() } })
    a.t.do(now => { a.st.connectResponse(now) })
    a.t.wait(50).send(new Uint8Array([(CONN << 1) | 1, 0x11, 0xAA])).wait(50)
    a.t.send({ kind: 'SNRM', caddr: CONN, command: true, pf: true })
    a.t.do(now => { a.st.resetResponse(now) })
    a.t.wait(50).send(iCmd(0, 0, bytes(65), true)).wait(50)
    a.t.send(cmd('RR', 5)).wait(50)
    return a.t
  },
  'secondary NRM: RNR, SREJ, REJ, TEST, UI, RD': () => {
    const { st, t } = connectedSecondary()
    t.do(now => { st.setLocalBusy(now, true) }).send(cmd('RR', 0)).wait(30)
    t.do(now => { st.setLocalBusy(now, false) }).send(cmd('RR', 0)).wait(30)
    t.send(iCmd(0, 0, bytes(10))).send(iCmd(2, 0, bytes(10), true)).wait(60)
    t.send(cmd('RR', 0)).wait(60)
    t.send({ kind: 'TEST', caddr: CONN, command: true, pf: true, info: { data: bytes(12) } }).wait(60)
    t.do(now => { st.unitdataRequest(now, bytes(20)); st.dataRequest(now, bytes(40)) })
    t.send(cmd('RR', 0)).wait(100)
    t.do(now => { st.disconnectRequest(now) })
    t.send(cmd('RR', 1)).wait(60)
    t.send(u('DISC', true)).wait(60)
    return t
  },
  'primary NRM: data, TEST, reset, DISC': () => {
    const { st, t, conn } = connectedPrimary()
    t.expectFrame({ kind: 'RR' })
    t.wait(2).send(rsp('RR', 0, true, conn))
    t.do(now => { st.dataRequest(now, bytes(50)); st.unitdataRequest(now, bytes(10)) })
    t.expectFrame({ kind: 'UI' })
    t.expectFrame({ kind: 'I' })
    t.wait(2).send(rsp('REJ', 0, true, conn))
    t.expectFrame({ kind: 'I', ns: 0 })
    t.wait(2).send(rsp('RR', 1, true, conn))
    t.do(now => { st.testRequest(now, { data: bytes(5) }) })
    t.expectFrame({ kind: 'TEST' })
    t.wait(2).send({ kind: 'TEST', caddr: conn, command: false, pf: true, info: { data: bytes(5) } })
    t.do(now => { st.setLocalBusy(now, true) })
    t.expectFrame({ kind: 'RNR' })
    t.do(now => { st.resetRequest(now) })
    t.wait(2).send(rsp('RR', 1, true, conn))
    t.expectFrame({ kind: 'SNRM' })
    t.wait(2).send(u('UA', false, conn))
    t.expectFrame({ kind: 'RNR' })
    t.do(now => { st.disconnectRequest(now) })
    t.wait(2).send(rsp('RR', 0, true, conn))
    t.expectFrame({ kind: 'DISC' })
    t.wait(2).send(u('DM', false, conn))
    return t
  },
}

describe('lap station: tshark decodes every frame kind the rows emit', function () {
  const tmp = tempDir()
  after(() => { tmp.cleanup() })

  it('all scenarios', function () {
    requireTshark(this)
    const records: Array<{ timestampMs: number, frame: Uint8Array, direction: 'out' }> = []
    const kinds = new Set<string>()
    for (const [name, run] of Object.entries(scenarios)) {
      const t = run()
      for (const f of t.frames) {
        expect(f.frame, `${name}: decodes with our codec`).to.not.equal(undefined)
        kinds.add(`${f.frame?.kind}`)
        records.push({ timestampMs: records.length, frame: f.bytes, direction: 'out' })
      }
    }
    for (const k of ['XID', 'TEST', 'UI', 'FRMR', 'UA', 'SNRM', 'DISC', 'DM', 'RD', 'RR', 'RNR', 'REJ', 'SREJ', 'I']) expect(kinds, k).to.include(k)
    const path = join(tmp.dir, 'rows.pcap')
    writePcap(path, records)
    expectCleanDecode(path, { frames: records.length })
  })
})

