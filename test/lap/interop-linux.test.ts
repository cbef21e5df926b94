/*!
 * Interop with a real Linux 4.9 IrDA session (shared/reference/linux-4.9-session.md): our
 * station takes each Linux station's place and must answer the other one's real frames the way
 * that peer accepts. guestA (0x9715b0cd) runs discovery and becomes the secondary; guestB
 * (0xc709ebe8) answers discovery and connects as primary.
 */
import { join } from 'node:path'
import { expect } from 'chai'
import { writePcap } from '@irdakit/capture'
import { SeededRandom } from '@irdakit/core'
import { FrameTester, IrlapStation, defaultQos, parseFrame, stationTarget, toHex, type LapFrame } from '@irdakit/lap'
import { linuxSession, type LinuxSessionFrame } from '../helpers/linux-session.js'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { tempDir } from './harness.js'

const GUEST_A = 0x9715b0cd
const GUEST_B = 0xc709ebe8
const decode = (b: Uint8Array): LapFrame => { const d = parseFrame(b); if (!d.ok) throw d.error; return d.value }

describe('lap interop: replaying the Linux 4.9 session against our station', function () {
  const session = linuxSession()
  const tmp = tempDir()
  after(() => { tmp.cleanup() })
  const ours: Uint8Array[] = []

  it('answers every one of guestA\'s discoveries once, in a valid slot, as guestB did', () => {
    const info = new Uint8Array([0x04, 0x00, ...new TextEncoder().encode('irdakit')])
    const st = new IrlapStation({ deviceAddress: GUEST_B, random: new SeededRandom(9), discoveryInfo: info }, session[0].t)
    const t = new FrameTester(stationTarget(st), { start: session[0].t })
    const xids = session.filter(f => f.dir === 'A->B' && decode(f.frame).kind === 'XID')
    let answers = 0
    let discoveries = 0
    for (const f of xids) {
      t.send(f.frame, { at: Math.max(t.now, f.t) })
      const x = decode(f.frame) as LapFrame & { kind: 'XID' }
      if (x.info.slot === 0xFF) {
        discoveries++
        t.expectEvent({ type: 'discovery-indication', device: { deviceAddress: GUEST_A, info: new Uint8Array([0x04, 0x00, ...new TextEncoder().encode('guestA')]) } }, { skip: true })
        expect(answers, 'one answer per discovery').to.equal(discoveries)
        continue
      }
      t.wait(60)
      for (const ans of t.drainFrames()) {
        answers++
        const a = decode(ans.bytes) as LapFrame & { kind: 'XID' }
        expect(a).to.deep.include({ kind: 'XID', caddr: 0x7F, command: false, pf: true })
        expect(a.info).to.deep.include({ format: 1, source: GUEST_B, destination: GUEST_A, slots: 6, slot: x.info.slot, version: 0, newAddress: false })
        expect(a.info.discoveryInfo).to.deep.equal(info)
        // Same shape as Linux's own answer: header and fixed fields byte for byte, then the info.
        const linux = session.find(s => s.dir === 'B->A' && s.frame[1] === 0xBF) as LinuxSessionFrame
        expect(toHex(ans.bytes.slice(0, 2))).to.equal(toHex(linux.frame.slice(0, 2)))
        expect(toHex(ans.bytes.slice(6, 11))).to.equal(toHex(linux.frame.slice(6, 11)))
        ours.push(ans.bytes)
      }
    }
    expect(discoveries).to.be.greaterThan(3)
  })

  it('accepts guestB\'s SNRM as guestA did and answers every later frame of the link as guestA did', () => {
    const first = session.findIndex(f => f.dir === 'B->A' && f.frame[1] === 0x93)
    const link = session.slice(first)
    const st = new IrlapStation({ deviceAddress: GUEST_A, random: new SeededRandom(3), qos: defaultQos({ speeds: [9600, 115200] }) }, link[0].t)
    const t = new FrameTester(stationTarget(st), { start: link[0].t })
    let compared = 0
    for (let i = 0; i < link.length; i++) {
      const f = link[i]
      if (f.dir !== 'B->A') continue
      const theirs = decode(f.frame)
      if (theirs.kind === 'XID') continue // guestB's discovery answers, not part of the link
      const linuxAnswer = link[i + 1]?.dir === 'A->B' ? decode(link[i + 1].frame) : undefined
      // guestA's upper layers sent this data at this point: ours sends the same.
      if (linuxAnswer?.kind === 'I') t.do(now => { st.dataRequest(now, (linuxAnswer as LapFrame & { kind: 'I' }).info) })
      t.send(f.frame, { at: Math.max(t.now, f.t) })
      if (theirs.kind === 'SNRM') {
        t.expectEvent({ type: 'connect-indication', deviceAddress: GUEST_B })
        t.do(now => { st.connectResponse(now) })
        const ua = t.expectFrame({ kind: 'UA', caddr: 0x43, command: false, pf: true, info: { source: GUEST_A, destination: GUEST_B } })
        ours.push(ua.bytes)
        t.expectEvent({ type: 'connect-confirm', params: { baudRate: 115200, txDataSize: 2042, txWindowSize: 2, txMinTurnaroundMs: 5 } }) // window 7 cut to the 4800-byte line capacity
        compared++
        continue
      }
      if (!theirs.pf || linuxAnswer === undefined) continue
      const got = t.expectFrame({}, { within: 100 })
      ours.push(got.bytes)
      compared++
      if (linuxAnswer.kind === 'UA') {
        expect(got.frame).to.deep.include({ kind: 'UA', caddr: 0x43, command: false, pf: true })
      } else {
        // I and RR answers are the same bytes Linux sent: sequence numbers, P/F, data.
        expect(toHex(got.bytes), `answer to ${toHex(f.frame)} at ${f.t}`).to.equal(toHex(link[i + 1].frame))
      }
    }
    expect(compared).to.be.greaterThan(20)
    expect(st.state).to.equal('NDM')
    t.expectEvent({ type: 'disconnect-indication', reason: 'remote-request' }, { skip: true })
  })

  it('tshark decodes every answer we gave the Linux peers cleanly', function () {
    requireTshark(this)
    expect(ours.length).to.be.greaterThan(20)
    const path = join(tmp.dir, 'interop.pcap')
    writePcap(path, ours.map((frame, i) => ({ timestampMs: i, frame, direction: 'out' as const })))
    expectCleanDecode(path, { frames: ours.length })
  })

  describe('peer bugs tolerated (irda-stacks.md section 7.6), without breaking the spec ourselves', () => {
    const snrmWith = (pv: Record<number, number>): Uint8Array => {
      const base = session.find(f => f.dir === 'B->A' && f.frame[1] === 0x93) as LinuxSessionFrame
      const b = base.frame.slice()
      for (let i = 11; i + 2 < b.length + 1; i += 2 + b[i + 1]) if (pv[b[i]] !== undefined) b[i + 2] = pv[b[i]]
      return b
    }

    it('a minimum turnaround of 0: accepted, and we still leave a breath before answering', () => {
      const st = new IrlapStation({ deviceAddress: GUEST_A, random: new SeededRandom(3), qos: defaultQos({ speeds: [9600] }) })
      const t = new FrameTester(stationTarget(st))
      t.send(snrmWith({ 0x86: 0x80 }))
      t.expectEvent({ type: 'connect-indication' })
      t.do(now => { st.connectResponse(now) })
      t.expectFrame({ kind: 'UA' })
      const ev = t.expectEvent({ type: 'connect-confirm' })
      const mtt = (ev.event as { params: { txMinTurnaroundMs: number } }).params.txMinTurnaroundMs
      expect(mtt).to.be.greaterThan(0)
    })

    it('data size 2048 negotiated: we send at most 2042 bytes per frame (what Linux can take), and take 2048 from the peer', () => {
      const st = new IrlapStation({ deviceAddress: GUEST_A, random: new SeededRandom(3), qos: defaultQos({ speeds: [9600, 115200] }) })
      const t = new FrameTester(stationTarget(st))
      t.send(snrmWith({}))
      t.expectEvent({ type: 'connect-indication' })
      t.do(now => { st.connectResponse(now) })
      t.expectFrame({ kind: 'UA' })
      const ev = t.expectEvent({ type: 'connect-confirm' })
      expect((ev.event as { params: { txDataSize: number, rxDataSize: number } }).params).to.include({ txDataSize: 2042, rxDataSize: 2048 })
      t.send({ kind: 'I', caddr: 0x43, command: true, pf: true, ns: 0, nr: 0, info: new Uint8Array(2048) })
      t.expectEvent({ type: 'data-indication' })
      t.expectFrame({ kind: 'RR', nr: 1 })
      expect(() => { st.dataRequest(t.now, new Uint8Array(2043)) }).to.throw(/exceeds the negotiated data size 2042/)
    })
  })
})
