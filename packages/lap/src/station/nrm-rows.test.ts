/*! State-table rows of NRM, one exchange each, through the frame-level tester. */
import { expect } from 'chai'
import type { LapFrame } from '../frame.js'
import { defaultQos } from '../qos/index.js'
import { CONN, bytes, cmd, connectedPrimary, connectedSecondary, iCmd, iRsp, peerQos, rsp, u } from './test-fixtures.js'

type I = LapFrame & { kind: 'I' }
const d = (i: number): Uint8Array => bytes(20, i)

describe('lap/station NRM rows', () => {
  describe('secondary receiving', () => {
    it('delivers in order and acknowledges with RR F when polled', () => {
      const { t } = connectedSecondary()
      t.send(iCmd(0, 0, d(0))).send(iCmd(1, 0, d(1))).send(iCmd(2, 0, d(2), true))
      t.expectEvent({ type: 'data-indication', data: d(0) })
      t.expectEvent({ type: 'data-indication', data: d(1) })
      t.expectEvent({ type: 'data-indication', data: d(2) })
      t.expectFrame({ kind: 'RR', caddr: CONN, command: false, pf: true, nr: 3 }, { within: 20 })
    })

    it('keeps frames after a single gap and asks for the missing one with SREJ', () => {
      const { t } = connectedSecondary()
      t.send(iCmd(0, 0, d(0))).send(iCmd(2, 0, d(2))).send(iCmd(3, 0, d(3), true))
      t.expectEvent({ type: 'data-indication', data: d(0) })
      t.expectFrame({ kind: 'SREJ', pf: true, nr: 1 })
      t.wait(3).send(iCmd(1, 0, d(1), true))
      t.expectEvent({ type: 'data-indication', data: d(1) })
      t.expectEvent({ type: 'data-indication', data: d(2) })
      t.expectEvent({ type: 'data-indication', data: d(3) })
      t.expectFrame({ kind: 'RR', pf: true, nr: 4 })
    })

    it('falls back to REJ when the SREJ is not answered by the missing frame', () => {
      const { t } = connectedSecondary()
      t.send(iCmd(0, 0, d(0))).send(iCmd(2, 0, d(2), true))
      t.expectFrame({ kind: 'SREJ', nr: 1 })
      t.wait(3).send(cmd('RR', 0))
      t.expectFrame({ kind: 'REJ', pf: true, nr: 1 })
      t.wait(3).send(iCmd(1, 0, d(1))).send(iCmd(2, 0, d(2), true))
      t.expectFrame({ kind: 'RR', nr: 3 })
      expect(t.drainEvents().map(e => (e.event as { data: Uint8Array }).data)).to.deep.equal([d(0), d(1), d(2)])
    })

    it('goes back N with REJ when SREJ is off, dropping frames after the gap', () => {
      const { t } = connectedSecondary({ srej: false })
      t.send(iCmd(0, 0, d(0))).send(iCmd(2, 0, d(2))).send(iCmd(3, 0, d(3), true))
      t.expectFrame({ kind: 'REJ', pf: true, nr: 1 })
      t.wait(3).send(iCmd(1, 0, d(1))).send(iCmd(2, 0, d(2))).send(iCmd(3, 0, d(3), true))
      t.expectFrame({ kind: 'RR', pf: true, nr: 4 })
      expect(t.drainEvents().map(e => (e.event as { data: Uint8Array }).data)).to.deep.equal([d(0), d(1), d(2), d(3)])
    })

    it('local busy: RNR, incoming I frames dropped unacknowledged, RR when cleared', () => {
      const { st, t } = connectedSecondary()
      t.do(now => { st.setLocalBusy(now, true) })
      t.send(iCmd(0, 0, d(0), true))
      t.expectFrame({ kind: 'RNR', pf: true, nr: 0 })
      expect(t.pendingEvents()).to.have.length(0)
      t.do(now => { st.setLocalBusy(now, false) })
      t.wait(3).send(cmd('RR', 0))
      t.expectFrame({ kind: 'RR', pf: true, nr: 0 })
      t.wait(3).send(iCmd(0, 0, d(0), true))
      t.expectEvent({ type: 'data-indication', data: d(0) })
      t.expectFrame({ kind: 'RR', nr: 1 })
    })

    it('answers an invalid N(R) with FRMR (Z), repeats it to every poll, and DISC ends it (IS36)', () => {
      const { st, t } = connectedSecondary()
      t.send(cmd('RR', 3))
      t.expectFrame({ kind: 'FRMR', pf: true, info: { z: true, w: false, vs: 0, vr: 0, rejectedCommand: true } })
      expect(st.state).to.equal('ERROR_S')
      t.wait(5).send(cmd('RR', 0))
      t.expectFrame({ kind: 'FRMR', info: { z: true } })
      t.wait(5).send(u('DISC', true))
      t.expectFrame({ kind: 'UA' })
      expect(st.state).to.equal('NDM')
    })

    it('answers an undefined control field with FRMR W, an info field on RR with W+X, an oversize I frame with Y', () => {
      const a = connectedSecondary()
      a.t.send(new Uint8Array([(CONN << 1) | 1, 0x1B])) // S-frame code 0x0B... undefined (P set)
      a.t.expectFrame({ kind: 'FRMR', info: { w: true, x: false, rejectedControl: 0x1B } })
      const b = connectedSecondary()
      b.t.send(new Uint8Array([(CONN << 1) | 1, 0x11, 0xAA]))
      b.t.expectFrame({ kind: 'FRMR', info: { w: true, x: true } })
      const c = connectedSecondary({ qos: defaultQos({ speeds: [9600], dataSize: 64 }) })
      c.t.send(iCmd(0, 0, bytes(65), true))
      c.t.expectFrame({ kind: 'FRMR', info: { y: true } })
    })

    it('echoes TEST with F, passes UI up in NRM', () => {
      const { t } = connectedSecondary()
      t.send({ kind: 'UI', caddr: CONN, command: true, pf: false, info: d(9) })
      t.expectEvent({ type: 'unitdata-indication', data: d(9), broadcast: false })
      t.send({ kind: 'TEST', caddr: CONN, command: true, pf: true, info: { data: d(4) } })
      t.expectFrame({ kind: 'TEST', command: false, pf: true, info: { data: d(4) } })
    })

    it('reset: SNRM on the connection address, reset indication, UA after the response, numbering from 0', () => {
      const { st, t } = connectedSecondary()
      t.send(iCmd(0, 0, d(0), true)).drainEvents()
      t.expectFrame({ kind: 'RR', nr: 1 })
      t.wait(3).send({ kind: 'SNRM', caddr: CONN, command: true, pf: true })
      t.expectEvent({ type: 'reset-indication', origin: 'remote' })
      t.do(now => { st.resetResponse(now) })
      t.expectFrame({ kind: 'UA', caddr: CONN, pf: true })
      t.wait(3).send(iCmd(0, 0, d(7), true))
      t.expectEvent({ type: 'data-indication', data: d(7) })
      t.expectFrame({ kind: 'RR', nr: 1 })
    })
  })

  describe('primary sending', () => {
    it('sends the window back to back with P on the last frame, then waits for F', () => {
      const { st, t, conn } = connectedPrimary({}, peerQos({ windowSize: 3, dataSize: 64 }))
      t.expectFrame({ kind: 'RR', pf: true })
      t.wait(2).send(rsp('RR', 0, true, conn))
      t.do(now => { for (let i = 0; i < 5; i++) st.dataRequest(now, d(i)) })
      const f0 = t.expectFrame({ kind: 'I', ns: 0, pf: false })
      const f1 = t.expectFrame({ kind: 'I', ns: 1, pf: false })
      t.expectFrame({ kind: 'I', ns: 2, pf: true })
      expect(f1.start).to.equal(f0.end)
      t.expectSilence(100)
      t.send(rsp('RR', 3, true, conn))
      t.expectFrame({ kind: 'I', ns: 3, nr: 0, pf: false })
      t.expectFrame({ kind: 'I', ns: 4, pf: true })
    })

    it('REJ: sends again everything from N(R); SREJ: only that frame', () => {
      const { st, t, conn } = connectedPrimary({}, peerQos({ windowSize: 4, dataSize: 64 }))
      t.expectFrame({ kind: 'RR' })
      t.wait(2).send(rsp('RR', 0, true, conn))
      t.do(now => { for (let i = 0; i < 8; i++) st.dataRequest(now, d(i)) })
      for (let i = 0; i < 4; i++) t.expectFrame({ kind: 'I', ns: i })
      t.wait(2).send(rsp('REJ', 1, true, conn))
      for (let i = 1; i < 4; i++) t.expectFrame({ kind: 'I', ns: i, info: d(i), pf: false })
      t.expectFrame({ kind: 'I', ns: 4, info: d(4), pf: true }) // the window had room for one new frame
      t.wait(2).send(rsp('SREJ', 2, true, conn))
      const f = t.expectFrame({ kind: 'I', ns: 2, info: d(2) })
      expect((f.frame as I).pf).to.equal(false)
      t.expectFrame({ kind: 'I', ns: 5, info: d(5), pf: true }) // 2,3,4 outstanding + 5
      t.wait(2).send(rsp('RR', 6, true, conn))
      t.expectFrame({ kind: 'I', ns: 6, info: d(6) })
      t.expectFrame({ kind: 'I', ns: 7, info: d(7), pf: true })
    })

    it('checkpoint: an F response acknowledging less than was sent makes the rest go again', () => {
      const { st, t, conn } = connectedPrimary({}, peerQos({ windowSize: 3, dataSize: 64 }))
      t.expectFrame({ kind: 'RR' })
      t.wait(2).send(rsp('RR', 0, true, conn))
      t.do(now => { for (let i = 0; i < 3; i++) st.dataRequest(now, d(i)) })
      for (let i = 0; i < 3; i++) t.expectFrame({ kind: 'I', ns: i })
      t.wait(2).send(rsp('RR', 2, true, conn))
      t.expectFrame({ kind: 'I', ns: 2, pf: true, info: d(2) })
    })

    it('F timer: polls again with RR after silence', () => {
      const { t, st } = connectedPrimary()
      const p1 = t.expectFrame({ kind: 'RR', pf: true })
      const p2 = t.expectFrame({ kind: 'RR', pf: true })
      expect(p2.start - p1.end).to.be.closeTo(st.link?.peerMaxTurnaroundMs as number, 0.001)
    })

    it('F timer: does not poll into a busy medium, but still counts the silence', () => {
      const { t, st } = connectedPrimary()
      const p1 = t.expectFrame({ kind: 'RR', pf: true })
      t.mediaBusy(true)
      t.expectSilence(700)
      expect(st.stats.noReply).to.equal(1)
      t.mediaBusy(false)
      const p2 = t.expectFrame({ kind: 'RR', pf: true })
      expect(p2.start - p1.end).to.be.closeTo(1000, 0.001)
    })

    it('remote busy: no I frames while the secondary says RNR, only polls', () => {
      const { st, t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.do(now => { st.dataRequest(now, d(0)) })
      t.wait(2).send(rsp('RNR', 0, true, conn))
      const poll = t.expectFrame({ kind: 'RR', pf: true })
      expect(poll.frame?.kind).to.equal('RR')
      t.wait(2).send(rsp('RR', 0, true, conn))
      t.expectFrame({ kind: 'I', ns: 0, pf: true })
    })

    it('accepts I frames from the secondary and acknowledges them at once', () => {
      const { t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.wait(2).send(iRsp(0, 0, d(0), false, conn)).send(iRsp(1, 0, d(1), true, conn))
      t.expectEvent({ type: 'data-indication', data: d(0) })
      t.expectEvent({ type: 'data-indication', data: d(1) })
      t.expectFrame({ kind: 'RR', nr: 2, pf: true, caddr: conn }, { within: 20 })
    })

    it('FRMR: reset indication, then reset SNRM without negotiation parameters, UA, reset confirm', () => {
      const { st, t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.wait(2).send({ kind: 'FRMR', caddr: conn, command: false, pf: true, info: { rejectedControl: 0x11, vs: 0, vr: 0, rejectedCommand: true, w: false, x: false, y: false, z: true } })
      t.expectEvent({ type: 'reset-indication', origin: 'local' })
      expect(st.state).to.equal('RESET_WAIT')
      t.do(now => { st.resetResponse(now) })
      const s = t.expectFrame({ kind: 'SNRM', caddr: conn, command: true, pf: true })
      const info = (s.frame as LapFrame & { kind: 'SNRM' }).info
      expect(info?.connAddr).to.equal(conn)
      expect(info?.qos, 'the link keeps its parameters').to.equal(undefined)
      t.wait(2).send(u('UA', false, conn))
      t.expectEvent({ type: 'reset-confirm' })
      t.expectFrame({ kind: 'RR', nr: 0 })
    })

    it('a reset indication nobody answers ends the link after the link-disconnect time', () => {
      const { st, t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.wait(2).send(rsp('RR', 3, true, conn)) // invalid N(R): nothing was sent
      t.expectEvent({ type: 'reset-indication', origin: 'local' })
      const from = t.now
      const gone = t.expectEvent({ type: 'disconnect-indication', reason: 'reset-failed' }, { within: 13_000 })
      expect(gone.at - from).to.equal(12_000) // the default link-disconnect time
      expect(st.state).to.equal('NDM')
    })

    it('TEST in NRM: the answer completes a test confirm', () => {
      const { st, t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.do(now => { st.testRequest(now, { data: d(3) }) })
      t.wait(2).send(rsp('RR', 0, true, conn))
      t.expectFrame({ kind: 'TEST', command: true, pf: true, info: { data: d(3) } })
      t.wait(2).send({ kind: 'TEST', caddr: conn, command: false, pf: true, info: { data: d(3) } })
      t.expectEvent({ type: 'test-confirm', ok: true, data: d(3) })
    })

    it('tolerates a secondary that never sets F: its turn ends with the F timer, not counted as silence', () => {
      const { st, t, conn } = connectedPrimary()
      t.expectFrame({ kind: 'RR' })
      t.do(now => { st.dataRequest(now, d(0)) })
      t.wait(2).send(rsp('RR', 0, false, conn))
      const f = t.expectFrame({ kind: 'I', ns: 0, pf: true }, { within: 600 })
      expect(f.frame?.kind).to.equal('I')
      expect(st.stats.noReply).to.equal(0)
    })
  })

  describe('link quality (N1, N2)', () => {
    it('primary: threshold warning after 3 s of silence, disconnect at the negotiated 8 s', () => {
      const { t, st } = connectedPrimary({ qos: defaultQos({ speeds: [9600, 115200], linkDisconnectMs: 8000 }) }, peerQos({ linkDisconnectMs: 8000 }))
      expect(st.link?.linkDisconnectMs).to.equal(8000)
      const start = t.expectFrame({ kind: 'RR' }).end
      const warn = t.expectEvent({ type: 'status-indication', status: 'threshold' }, { within: 10_000, skip: true })
      expect(warn.at - start).to.be.within(2900, 3100)
      const gone = t.expectEvent({ type: 'disconnect-indication', reason: 'link-lost' }, { within: 10_000, skip: true })
      expect(gone.at - start).to.be.within(7900, 8100)
      expect(st.state).to.equal('NDM')
    })

    it('secondary: warns, then recovers when polls come back (restored), disconnects after the negotiated time otherwise', () => {
      const { t, st } = connectedSecondary({ qos: defaultQos({ speeds: [9600, 115200], linkDisconnectMs: 8000 }) }, peerQos({ linkDisconnectMs: 8000 }))
      t.wait(3600)
      t.expectEvent({ type: 'status-indication', status: 'threshold' })
      t.send(cmd('RR', 0))
      t.expectEvent({ type: 'status-indication', status: 'restored' })
      t.expectFrame({ kind: 'RR' })
      const quietFrom = t.now
      t.expectEvent({ type: 'status-indication', status: 'threshold' }, { within: 10_000 })
      const gone = t.expectEvent({ type: 'disconnect-indication', reason: 'link-lost' }, { within: 10_000 })
      expect(gone.at - quietFrom).to.be.within(7900, 9100)
      expect(st.state).to.equal('NDM')
    })
  })
})
