import { expect } from 'chai'
import { BROADCAST_CADDR, type LapFrame } from '../frame.js'
import { defaultQos } from '../qos/index.js'
import { CONN, DUT, PEER, cmd, connectedPrimary, connectedSecondary, peerQos, rsp, snrm, station, tester, u } from './test-fixtures.js'

type Snrm = LapFrame & { kind: 'SNRM' }
type Ua = LapFrame & { kind: 'UA' }

describe('lap/station connection', () => {
  describe('as secondary', () => {
    it('indicates the SNRM, answers UA with its QoS at 9600, then switches speed and honours the peer', () => {
      const st = station({ qos: defaultQos({ speeds: [9600, 115200], minTurnaroundMs: 1 }) })
      const t = tester(st)
      t.send(snrm(peerQos({ minTurnaroundMs: 5, additionalBofs: 12 })))
      t.expectEvent({ type: 'connect-indication', deviceAddress: PEER })
      expect(st.state).to.equal('CONN')
      t.do(now => { st.connectResponse(now) })
      const f = t.expectFrame({ kind: 'UA', caddr: CONN, command: false, pf: true, info: { source: DUT, destination: PEER } })
      expect(f.bps, 'UA goes out at the contention speed').to.equal(9600)
      expect(f.xbofs).to.equal(10)
      expect((f.frame as Ua).info?.qos?.baudRate).to.equal(0x22) // 9600 | 115200: the common set
      const ev = t.expectEvent({ type: 'connect-confirm', deviceAddress: PEER })
      expect((ev.event as { params: { baudRate: number, txMinTurnaroundMs: number, txAdditionalBofs: number } }).params)
        .to.include({ baudRate: 115200, txMinTurnaroundMs: 5, txAdditionalBofs: 12 })
      expect(t.bps, 'switched after the UA').to.equal(115200)
      // First poll at the new speed: answered with RR F, 12 XBOFs, after 5 ms turnaround.
      t.wait(20).send(cmd('RR', 0))
      const rr = t.expectFrame({ kind: 'RR', command: false, pf: true, nr: 0 })
      expect(rr.xbofs).to.equal(12)
      expect(rr.start).to.be.closeTo(f.end + 20 + 5, 0.001)
    })

    it('ignores an SNRM for another device (CS7), and an NDM SNRM without addresses', () => {
      const st = station()
      const t = tester(st)
      t.send(snrm(peerQos(), CONN, 0x01010101)).expectSilence(600)
      expect(st.state).to.equal('NDM')
      t.send({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true }).expectSilence(600)
      expect(st.state).to.equal('NDM')
    })

    it('refuses with DM when the layer above says no', () => {
      const st = station()
      const t = tester(st)
      t.send(snrm()).drainEvents()
      t.do(now => { st.disconnectRequest(now) })
      t.expectFrame({ kind: 'DM', caddr: CONN, command: false, pf: true })
      t.expectEvent({ type: 'disconnect-indication', reason: 'user-request' })
      expect(st.state).to.equal('NDM')
    })

    it('accepts SNRM with all-default parameters and 2-byte baud PV', () => {
      const st = station()
      const t = tester(st)
      t.send('ff 93 a1b2c3d4 44332211 84 01 02 02 00 82 01 01 83 01 01 84 01 01 85 01 80 86 01 01 08 01 01')
      t.expectEvent({ type: 'connect-indication' })
      t.do(now => { st.connectResponse(now) })
      t.expectFrame({ kind: 'UA' })
      t.expectEvent({ type: 'connect-confirm', params: { baudRate: 9600, txDataSize: 64, txWindowSize: 1 } })
    })
  })

  describe('as primary', () => {
    it('sends SNRM with its QoS, switches after UA and polls at the new speed', () => {
      const st = station({ qos: defaultQos({ speeds: [9600, 115200] }) })
      const t = tester(st)
      t.do(now => { st.connectRequest(now, { deviceAddress: PEER }) })
      const s = t.expectFrame({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: DUT, destination: PEER } })
      expect(s.start, 'after 500 ms of quiet').to.equal(500)
      const conn = (s.frame as Snrm).info?.connAddr as number
      expect(conn).to.be.within(1, 0x7E)
      t.wait(30).send({ kind: 'UA', caddr: conn, command: false, pf: true, info: { source: PEER, destination: DUT, qos: peerQos({ minTurnaroundMs: 1 }) } })
      t.expectEvent({ type: 'connect-confirm', deviceAddress: PEER, params: { baudRate: 115200, txMinTurnaroundMs: 1 } })
      const rr = t.expectFrame({ kind: 'RR', caddr: conn, command: true, pf: true, nr: 0 })
      expect(rr.bps).to.equal(115200)
      expect(st.state).to.equal('RECV_P')
    })

    it('retries SNRM N3 times on silence, then reports no answer', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.connectRequest(now, { deviceAddress: PEER }) })
      const a = t.expectFrame({ kind: 'SNRM' })
      const b = t.expectFrame({ kind: 'SNRM' })
      const c = t.expectFrame({ kind: 'SNRM' })
      // F (500 ms) runs out, then a random backoff of half to one and a half SNRM airtimes.
      const air = a.end - a.start
      for (const gap of [b.start - a.end, c.start - b.end]) expect(gap).to.be.within(500 + 0.5 * air - 1, 500 + 1.5 * air + 1)
      expect(b.start - a.end).to.not.be.closeTo(c.start - b.end, 0.001)
      t.expectEvent({ type: 'disconnect-indication', reason: 'no-answer' }, { within: 600 })
      expect(st.state).to.equal('NDM')
      t.expectSilence(2000)
    })

    it('withdraws a connect still waiting for a quiet medium when asked to disconnect; a bare NDM disconnect is misuse', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.connectRequest(now, { deviceAddress: PEER }) })
      t.wait(100).do(now => { st.disconnectRequest(now) })
      t.expectEvent({ type: 'disconnect-indication', reason: 'user-request' })
      t.expectSilence(2000)
      expect(st.state).to.equal('NDM')
      t.do(now => { expect(() => { st.disconnectRequest(now) }).to.throw('disconnect is not allowed in state NDM') })
    })

    it('stops on DM (refused)', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.connectRequest(now, { deviceAddress: PEER }) })
      const s = t.expectFrame({ kind: 'SNRM' })
      t.wait(15).send(u('DM', false, (s.frame as Snrm).info?.connAddr))
      t.expectEvent({ type: 'disconnect-indication', reason: 'remote-dm' })
      expect(st.state).to.equal('NDM')
    })

    it('negotiates the line-capacity reduction: window cut so a turn fits the 500 ms at 9600', () => {
      const { st, t } = connectedPrimary({ qos: defaultQos({ speeds: [9600] }) }, peerQos({ speeds: [9600], dataSize: 2048, windowSize: 7 }))
      expect(st.link?.baudRate).to.equal(9600)
      // 400 bytes per turn at 9600: one 256-byte frame at most.
      expect(st.link?.txWindowSize).to.equal(1)
      expect(st.link?.txDataSize).to.be.at.most(256)
      t.expectFrame({ kind: 'RR' })
    })
  })

  describe('disconnect', () => {
    it('primary: DISC, UA, back to NDM at 9600', () => {
      const { st, t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.wait(2).send(rsp('RR', 0, true, conn))
      t.do(now => { st.disconnectRequest(now) })
      t.expectFrame({ kind: 'DISC', caddr: conn, command: true, pf: true })
      t.wait(2).send(u('UA', false, conn))
      t.expectEvent({ type: 'disconnect-indication', reason: 'user-request' })
      expect(st.state).to.equal('NDM')
      expect(t.bps).to.equal(9600)
    })

    it('primary: data given while the DISC is out is counted as unsent, with what was still queued', () => {
      const { st, t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.do(now => { st.dataRequest(now, Uint8Array.of(1)); st.disconnectRequest(now) }) // queued in RECV_P
      t.wait(2).send(rsp('RR', 0, true, conn))
      t.expectFrame({ kind: 'DISC', caddr: conn })
      expect(st.state).to.equal('PCLOSE')
      t.do(now => { st.dataRequest(now, Uint8Array.of(2)); st.unitdataRequest(now, Uint8Array.of(3)) })
      t.wait(2).send(u('UA', false, conn))
      t.expectEvent({ type: 'disconnect-indication', reason: 'user-request' })
      expect(st.stats.unsent).to.equal(3)
      expect(st.stats.iFramesOut).to.equal(0)
    })

    it('secondary: RD at its next turn, then UA to the DISC', () => {
      const { st, t } = connectedSecondary()
      t.do(now => { st.disconnectRequest(now) })
      t.wait(5).send(cmd('RR', 0))
      t.expectFrame({ kind: 'RD', command: false, pf: true })
      t.wait(5).send(u('DISC', true))
      t.expectFrame({ kind: 'UA', command: false, pf: true })
      t.expectEvent({ type: 'disconnect-indication', reason: 'user-request' })
      expect(st.state).to.equal('NDM')
    })

    it('primary answers RD with DISC; secondary answers DISC with UA; a late DISC in NDM gets DM (IS38)', () => {
      const { st, t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.wait(2).send(u('RD', false, conn))
      t.expectFrame({ kind: 'DISC', caddr: conn })
      t.wait(2).send(u('DM', false, conn))
      t.expectEvent({ type: 'disconnect-indication', reason: 'remote-request' })
      expect(st.state).to.equal('NDM')

      const s = connectedSecondary()
      s.t.send(u('DISC', true))
      s.t.expectFrame({ kind: 'UA', caddr: CONN })
      s.t.expectEvent({ type: 'disconnect-indication', reason: 'remote-request' })
      s.t.wait(100).send(u('DISC', true))
      s.t.expectFrame({ kind: 'DM', caddr: CONN, pf: true })
    })
  })
})
