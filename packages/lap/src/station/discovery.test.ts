import { expect } from 'chai'
import { BROADCAST_DEVICE, type LapFrame } from '../frame.js'
import { DUT, PEER, station, tester, xidCmd, xidRsp, connectedSecondary } from './test-fixtures.js'

type Xid = LapFrame & { kind: 'XID' }

describe('lap/station discovery', () => {
  describe('as responder (IrLAP 6.11.3)', () => {
    it('answers a 6-slot discovery once, in a slot from the first it heard, and reports the final XID', () => {
      const slotsSeen = new Set<number>()
      for (let seed = 1; seed <= 40; seed++) {
        const st = station({}, seed)
        const t = tester(st)
        let answered: number | undefined
        for (let s = 0; s < 6; s++) {
          t.send(xidCmd(s), { at: s * 100 })
          if (answered === undefined && t.wait(60).pendingFrames().length > 0) {
            const f = t.expectFrame({ kind: 'XID', command: false, info: { source: DUT, destination: PEER, slot: s, slots: 6 } })
            expect((f.frame as Xid).info.discoveryInfo).to.deep.equal(new Uint8Array([0x04, 0x00, 0x44, 0x55, 0x54]))
            answered = s
          }
        }
        expect(answered, `seed ${seed} answered`).to.not.equal(undefined)
        slotsSeen.add(answered as number)
        t.send(xidCmd(0xFF, 6, { info: new Uint8Array([0x04, 0x00, 0x41]) }), { at: 650 })
        t.expectEvent({ type: 'discovery-indication', device: { deviceAddress: PEER, info: new Uint8Array([0x04, 0x00, 0x41]) } })
        t.expectSilence(1000)
        expect(st.state).to.equal('NDM')
      }
      expect(slotsSeen.size, 'answers spread over the slots').to.be.at.least(5)
    })

    it('picks its slot between the first slot it heard and the last', () => {
      for (let seed = 1; seed <= 30; seed++) {
        const st = station({}, seed)
        const t = tester(st)
        for (let s = 5; s < 8; s++) t.send(xidCmd(s, 8), { at: s * 100 }).wait(60)
        const f = t.expectFrame({ kind: 'XID', command: false })
        expect((f.frame as Xid).info.slot).to.be.within(5, 7)
      }
    })

    it('answers a 1-slot discovery at once, to the broadcast and to its own address only (DS1)', () => {
      const st = station()
      const t = tester(st)
      t.send(xidCmd(0, 1, { destination: 0x01020304 }))
      t.expectSilence(300)
      t.send(xidCmd(0, 1, { destination: DUT }))
      t.expectFrame({ kind: 'XID', command: false, info: { slot: 0, slots: 1 } }, { within: 50 })
      t.send(xidCmd(0xFF, 1, { destination: DUT })).drainEvents()
      t.send(xidCmd(0, 1)).expectFrame({ kind: 'XID', command: false }, { within: 50 })
    })

    it('queues a discovery request made while it replies to another station, and runs it once the medium is quiet', () => {
      const st = station()
      const t = tester(st)
      t.send(xidCmd(0, 6))
      expect(st.state).to.equal('REPLY')
      t.do(now => st.discoveryRequest(now, { slots: 1 }))
      expect(t.events.some(e => (e.event as { type: string }).type === 'discovery-confirm'), 'not refused at once').to.equal(false)
      t.send(xidCmd(0xFF, 6, { info: new Uint8Array([0x04, 0x00, 0x41]) }), { at: 650 })
      t.expectEvent({ type: 'discovery-indication' }, { skip: true })
      // 500 ms of quiet medium after the other station's final XID, then our own slot.
      t.expectFrame({ kind: 'XID', command: true, info: { source: DUT, slots: 1, slot: 0 } }, { within: 1500, notBefore: 500 })
    })

    it('forgets a discovery whose final XID never comes (Query timer)', () => {
      const st = station()
      const t = tester(st)
      t.send(xidCmd(0, 6))
      expect(st.state).to.equal('REPLY')
      t.wait(2000)
      expect(st.state).to.equal('NDM')
    })

    it('takes a new random address when asked by the new-address procedure (IrLAP 6.11.4)', () => {
      const st = station({}, 7)
      const t = tester(st)
      t.send(xidCmd(0, 1, { destination: DUT, newAddress: true }))
      const ev = t.expectEvent({ type: 'address-changed', previous: DUT })
      const fresh = (ev.event as { deviceAddress: number }).deviceAddress
      expect(fresh).to.not.equal(DUT)
      t.expectFrame({ kind: 'XID', command: false, info: { source: fresh } })
      expect(st.deviceAddress).to.equal(fresh)
    })

    it('ignores an XID command whose FCS failed (DS7) and counts it', () => {
      const st = station()
      const t = tester(st)
      t.sendError().expectSilence(300)
      expect(st.stats.rxErrors).to.equal(1)
    })
  })

  describe('as initiator', () => {
    it('listens 500 ms before the first XID and sends every slot then the final XID with its info', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.discoveryRequest(now, { slots: 6 }) })
      const first = t.expectFrame({ kind: 'XID', command: true, pf: true, info: { slot: 0, slots: 6, source: DUT, destination: BROADCAST_DEVICE } })
      expect(first.start).to.equal(500)
      let prevEnd = first.end
      for (let s = 1; s < 6; s++) {
        const f = t.expectFrame({ kind: 'XID', info: { slot: s } })
        expect(f.start - prevEnd).to.be.closeTo(80, 0.001)
        prevEnd = f.end
      }
      const fin = t.expectFrame({ kind: 'XID', info: { slot: 0xFF } })
      expect((fin.frame as Xid).info.discoveryInfo).to.deep.equal(new Uint8Array([0x04, 0x00, 0x44, 0x55, 0x54]))
      t.expectEvent({ type: 'discovery-confirm', status: 'ok', devices: [], conflicts: [] })
    })

    it('waits while the medium is busy, and restarts the 500 ms on every frame heard', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.discoveryRequest(now, { slots: 1 }) })
      t.wait(300).send(xidRsp(0x55, 0x66, 0))
      const f = t.expectFrame({ kind: 'XID' })
      expect(f.start).to.equal(800)
    })

    it('connects right after a discovery that found someone, without listening 500 ms again (IrLAP 6.13.4), but not once something was heard after it', () => {
      /** When the SNRM starts, for a connect asked for 5 ms after discovery confirmed. */
      const snrmStart = (answer: boolean, heardAfter: boolean): number => {
        const st = station()
        const t = tester(st)
        t.do(now => { st.discoveryRequest(now, { slots: 1 }) })
        t.expectFrame({ kind: 'XID', info: { slot: 0 } })
        if (answer) t.wait(20).send(xidRsp(PEER, DUT, 0))
        t.expectFrame({ kind: 'XID', info: { slot: 0xFF } })
        const confirm = t.expectEvent({ type: 'discovery-confirm', status: 'ok' }, { within: 2000 })
        if (heardAfter) t.wait(2).send(xidRsp(0x5555, 0x6666, 0))
        let asked = 0
        t.wait(5).do(now => { asked = now; st.connectRequest(now, { deviceAddress: PEER }) })
        const snrm = t.expectFrame({ kind: 'SNRM' }, { within: 2000 })
        expect(confirm.at).to.be.at.most(asked)
        return snrm.start - asked
      }
      expect(snrmStart(true, false)).to.be.below(1)
      expect(snrmStart(true, true)).to.be.at.least(490) // a frame after the discovery: 500 ms of quiet again
    })

    it('collects answers and reports an address seen twice as a conflict', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.discoveryRequest(now, { slots: 6 }) })
      t.expectFrame({ kind: 'XID', info: { slot: 0 } })
      t.wait(20).send(xidRsp(0xAAAA, DUT, 0))
      t.expectFrame({ kind: 'XID', info: { slot: 1 } })
      t.expectFrame({ kind: 'XID', info: { slot: 2 } })
      t.wait(20).send(xidRsp(0xBBBB, DUT, 2))
      t.expectFrame({ kind: 'XID', info: { slot: 3 } })
      t.wait(20).send(xidRsp(0xBBBB, DUT, 3)).send(xidRsp(0xCCCC, 0x1234, 3))
      const ev = t.expectEvent({ type: 'discovery-confirm', status: 'ok' }, { within: 2000 })
      const e = ev.event as { devices: Array<{ deviceAddress: number }>, conflicts: number[] }
      expect(e.devices.map(d => d.deviceAddress)).to.deep.equal([0xAAAA, 0xBBBB])
      expect(e.conflicts).to.deep.equal([0xBBBB])
    })

    it('runs the new-address procedure: the XID carries the conflicting address and the flag', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.discoveryRequest(now, { slots: 1, newAddressFor: 0xBBBB }) })
      t.expectFrame({ kind: 'XID', info: { destination: 0xBBBB, newAddress: true } })
    })

    it('does not start the next slot while an answer is still arriving', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.discoveryRequest(now, { slots: 6 }) })
      const f0 = t.expectFrame({ kind: 'XID', info: { slot: 0 } })
      t.advanceTo(f0.end + 70).mediaBusy(true).wait(40)
      expect(t.pendingFrames()).to.have.length(0)
      t.send(xidRsp(0xAAAA, DUT, 0)).mediaBusy(false)
      const f1 = t.expectFrame({ kind: 'XID', info: { slot: 1 } })
      expect(f1.start, "at once after the answer and the 10 ms turnaround").to.be.closeTo(f0.end + 110 + 10, 0.001)
    })

    it('gives up with a media-busy confirm when the medium never goes quiet', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.discoveryRequest(now, { slots: 6 }) }).mediaBusy(true)
      t.expectEvent({ type: 'discovery-confirm', status: 'media-busy' }, { within: 6000 })
      expect(t.pendingFrames()).to.have.length(0)
    })

    it('is refused with a clear confirm while a link is up', () => {
      const { st, t } = connectedSecondary()
      t.do(now => { st.discoveryRequest(now) })
      t.expectEvent({ type: 'discovery-confirm', status: 'link-in-use', devices: [] })
    })

    it('answers a discovery still waiting for a quiet medium when a connect request takes its place (media-busy), never drops it', () => {
      // IrLMP's IAS query asked for a link 100 ms after a discovery request: the discovery must be confirmed, or its caller waits forever
      const st = station()
      const t = tester(st)
      t.do(now => { st.discoveryRequest(now, { slots: 6 }) }).wait(100)
      t.do(now => { st.connectRequest(now, { deviceAddress: PEER }) })
      t.expectEvent({ type: 'discovery-confirm', status: 'media-busy', devices: [] })
      t.expectFrame({ kind: 'SNRM' }, { within: 1000 }) // the connect goes ahead
    })

    it('refuses a discovery asked for while a connect waits for a quiet medium (media-busy), and keeps the connect', () => {
      const st = station()
      const t = tester(st)
      t.do(now => { st.connectRequest(now, { deviceAddress: PEER }) }).wait(100)
      t.do(now => { st.discoveryRequest(now, { slots: 6 }) })
      t.expectEvent({ type: 'discovery-confirm', status: 'media-busy', devices: [] })
      t.expectFrame({ kind: 'SNRM' }, { within: 1000 })
    })
  })
})
