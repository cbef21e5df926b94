/*!
 * tshark judges the TTP PDUs we emit. A real session's IrLAP connection and IAS exchange come
 * first (shared/reference/linux-4.9-session.md), because Wireshark dissects TinyTP only on an
 * LSAP it learned from an IAS answer for a class it knows. The Linux session asked for class
 * "Echo", which Wireshark does not bind; the query here asks "IrDA:IrCOMM" for the same
 * attribute (IrDA:TinyTP:LsapSel) and Linux's answer (LSAP 0x10) is kept byte for byte.
 * Wireshark then hands what follows each TTP header to its cooked-IrCOMM dissector, so every
 * payload here starts with an IrCOMM control length of 0.
 *
 * The IrLAP and IrLMP bytes around our PDUs are hand-built in this test (a fixture): the real
 * IrLMP codecs come with another issue.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { writePcap, type PcapRecord } from '@irdakit/capture'
import { TtpConnectPdu, TtpDataPdu, type LmRequest } from '@irdakit/ttp'
import { linuxSession } from '../helpers/linux-session.js'
import { expectCleanDecode, requireTshark, type TsharkFrame } from '../helpers/tshark.js'
import { TtpPair, type Side } from './harness.js'

/** Station B (IrLAP primary, connects) runs side 'a' on LSAP 0x12; station A runs side 'b' on LSAP 0x10. */
const LSAP: Record<Side, number> = { a: 0x12, b: 0x10 }
const LAP_ADDRESS: Record<Side, number> = { a: 0x87, b: 0x86 }

const ascii = (s: string): number[] => Array.from(new TextEncoder().encode(s))

/** The Linux session up to its IAS disconnect, with the IAS query asking for class IrDA:IrCOMM. */
function sessionPrefix (): PcapRecord[] {
  const frames = linuxSession().filter(f => f.t >= 10_548 && f.t <= 10_637)
  return frames.map(f => {
    let frame = f.frame
    if (f.t === 10_608) {
      const className = 'IrDA:IrCOMM'
      const attr = 'IrDA:TinyTP:LsapSel'
      frame = Uint8Array.from([0x87, 0x32, 0x00, 0x11, 0x84, className.length, ...ascii(className), attr.length, ...ascii(attr)])
    }
    return { timestampMs: f.t, direction: f.dir === 'A->B' ? 'out' : 'in', frame }
  })
}

/** IrLMP frame for one LM request from `from` (IrLMP 1.1 LM-PDU: control bit on connect/disconnect). */
function lmpFrame (from: Side, r: LmRequest): number[] {
  const dst = LSAP[from === 'a' ? 'b' : 'a']
  const src = LSAP[from]
  switch (r.type) {
    case 'connect-request': return [0x80 | dst, src, 0x01, 0x00, ...r.userData]
    case 'connect-response': return [0x80 | dst, src, 0x81, 0x00, ...r.userData]
    case 'data-request': return [dst, src, ...r.pdu]
    case 'disconnect-request': return [0x80 | dst, src, 0x02, 0x01, ...r.userData]
  }
}

describe('ttp/tshark decodes our TTP PDUs', function () {
  let dir: string
  let frames: TsharkFrame[]
  let ours: Array<{ from: Side, request: LmRequest }>
  let firstOurs: number

  before(function () {
    requireTshark(this)
    // Side a: SAR on (MaxSduSize 64) and a small window, so M bits and flow PDUs both show up.
    const pair = new TtpPair({ maxDataSize: 12, a: { rxWindow: 2, maxSduSize: 64 }, b: { rxWindow: 4 } })
    pair.open()
    for (const line of ['AT', 'hello', 'irdakit']) pair.conn.a.send(Uint8Array.from([0, ...ascii(line)]))
    // 33 bytes in segments of 11, each segment starting with an IrCOMM clen of 0.
    pair.conn.b.send(Uint8Array.from({ length: 33 }, (_, i) => i % 11 === 0 ? 0 : 0x61 + (i % 11)))
    pair.collect('a'); pair.collect('b')
    for (let i = 0; i < 20; i++) {
      pair.settle()
      for (const side of ['a', 'b'] as const) { while (pair.conn[side].receive() !== undefined) { /* read */ } pair.collect(side) }
    }
    pair.conn.a.disconnect(Uint8Array.from([0, ...ascii('bye')]))
    pair.collect('a')
    ours = pair.tap

    const records = sessionPrefix()
    firstOurs = records.length + 1
    // I frames continue the session's sequence numbers: B has sent 3, A 2, by the IAS disconnect.
    const vs: Record<Side, number> = { a: 3, b: 2 }
    let t = 10_700
    for (const { from, request } of ours) {
      const to: Side = from === 'a' ? 'b' : 'a'
      const control = ((vs[to] & 7) << 5) | 0x10 | ((vs[from] & 7) << 1)
      vs[from]++
      records.push({ timestampMs: t, direction: from === 'b' ? 'out' : 'in', frame: Uint8Array.from([LAP_ADDRESS[from], control, ...lmpFrame(from, request)]) })
      t += 10
    }
    dir = mkdtempSync(join(tmpdir(), 'irdakit-ttp-'))
    const path = join(dir, 'ttp.pcap')
    writePcap(path, records)
    frames = expectCleanDecode(path, { frames: records.length, noWarnings: true })
  })

  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('learns the TinyTP LSAP from the IAS answer', () => {
    const answer = frames.find(f => f.fields['iap.int'] !== undefined)
    expect(answer?.fields['iap.int']).to.deep.equal(['16'])
    expect(frames.find(f => f.fields['iap.classname'] !== undefined)?.fields['iap.classname']?.[0]).to.include('IrDA:IrCOMM')
  })

  it('decodes every TTP header we emitted with the P/M bit and credit we put there', () => {
    const ttp = frames.slice(firstOurs - 1)
    expect(ttp).to.have.length(ours.length)
    let checked = 0
    ttp.forEach((f, i) => {
      const r = ours[i].request
      if (r.type === 'connect-request' || r.type === 'connect-response') {
        const pdu = TtpConnectPdu.parse(r.userData)
        if (!pdu.ok) throw pdu.error
        expect(f.protocols, `frame ${f.number}`).to.include('ttp')
        expect(f.fields['ttp.icredit']).to.deep.equal([String(pdu.value.credit)])
        expect(f.fields['ttp.p']).to.deep.equal([pdu.value.maxSduSize === undefined ? '0' : '1'])
        checked++
      } else if (r.type === 'data-request') {
        const pdu = TtpDataPdu.parse(r.pdu)
        if (!pdu.ok) throw pdu.error
        expect(f.protocols, `frame ${f.number}`).to.include('ttp')
        expect(f.fields['ttp.dcredit'], `frame ${f.number}`).to.deep.equal([String(pdu.value.credit)])
        expect(f.fields['ttp.m'], `frame ${f.number}`).to.deep.equal([pdu.value.more ? '1' : '0'])
        checked++
      } else {
        expect(f.fields['irlmp.opcode']).to.deep.equal(['0x02'])
      }
    })
    expect(checked).to.equal(ours.length - 1)
  })

  it('shows P set on the SAR connect, M set on segments, and dataless flow PDUs', () => {
    const ttp = frames.slice(firstOurs - 1)
    expect(ttp.filter(f => f.fields['ttp.p']?.[0] === '1')).to.have.length(1)
    expect(ttp.filter(f => f.fields['ttp.m']?.[0] === '1')).to.have.length(2)
    const flow = ours.filter(o => o.request.type === 'data-request' && o.request.pdu.length === 1)
    expect(flow.length).to.be.greaterThan(0)
  })
})
