import { expect } from 'chai'
import { SeededRandom } from '@irdakit/core'
import { parseFrame, type LapEvent } from '@irdakit/lap'
import { IrlmpMultiplexer, parseLmpPdu, parseGetValueByClassResponse } from '@irdakit/lmp'
import { linuxSession } from '../helpers/linux-session.js'

const toHex = (b: Uint8Array): string => Array.from(b, x => x.toString(16).padStart(2, '0')).join(' ')

/** The IrLMP PDUs (I-frame information fields) of the Linux session, in order, with their direction. */
function linuxLmpPdus (): Array<{ dir: string, pdu: Uint8Array }> {
  return linuxSession().flatMap(f => {
    const r = parseFrame(f.frame)
    return r.ok && r.value.kind === 'I' ? [{ dir: f.dir, pdu: r.value.info }] : []
  })
}

describe('lmp: the Linux 4.9 session, answered as guestA answered it', () => {
  it('accepts the IAS connection, answers the Echo query with the TinyTP selector, and confirms the TinyTP connect', () => {
    // We play guestA: the secondary that hosts "Echo" on LSAP 0x10.
    const us = new IrlmpMultiplexer({ discoveryInfo: { hints: Uint8Array.of(0x04), charset: 0, nickname: 'guestA' }, random: new SeededRandom(1) })
    us.listen(0x10)
    us.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: 0x10 })
    const guestB = 0xC709EBE8
    us.handleLapEvent(0, { type: 'connect-indication', deviceAddress: guestB, qos: {} } as unknown as LapEvent)
    expect(us.pollLapRequest()).to.deep.equal({ type: 'connect-response' })
    us.handleLapEvent(0, { type: 'connect-confirm', deviceAddress: guestB, params: { txDataSize: 2048 } } as unknown as LapEvent)

    const ours: string[] = []
    const linuxAnswers: string[] = []
    for (const { dir, pdu } of linuxLmpPdus()) {
      if (dir === 'A->B') { linuxAnswers.push(toHex(pdu)); continue }
      us.handleLapEvent(0, { type: 'data-indication', data: pdu } as LapEvent)
      for (let ev = us.pollEvent(); ev !== undefined; ev = us.pollEvent()) {
        // The TinyTP user accepts with the TinyTP connect PDU Linux sent (initial credit 16).
        if (ev.type === 'connect-indication') us.accept(0, ev.conn, Uint8Array.of(0x10))
      }
      for (let r = us.pollLapRequest(); r !== undefined; r = us.pollLapRequest()) if (r.type === 'data') ours.push(toHex(r.data))
    }
    // guestA's answers that come from IrLMP and IAS (the echoed TinyTP data is the application's).
    expect(linuxAnswers.slice(0, 3)).to.deep.equal(['91 00 81 00', '11 00 84 00 00 01 8b 7c 01 00 00 00 10', '92 10 81 00 10'])
    expect(ours[0]).to.equal('91 00 81 00')
    expect(ours[2]).to.equal('92 10 81 00 10')
    // The IAS answer: same header, one entry, integer 0x10; the object id is ours to choose.
    const answer = Uint8Array.from(ours[1].split(' '), h => parseInt(h, 16))
    const pdu = parseLmpPdu(answer)
    expect(pdu.ok && pdu.value.kind === 'data' && [pdu.value.dlsap, pdu.value.slsap]).to.deep.equal([0x11, 0x00])
    expect(answer[2]).to.equal(0x84)
    const res = parseGetValueByClassResponse(answer.subarray(3))
    expect(res.ok && res.value.returnCode).to.equal(0)
    expect(res.ok && res.value.entries.map(e => e.value)).to.deep.equal([{ type: 'integer', value: 0x10 }])
    expect(ours).to.have.length(3)
  })

  it('plays guestB: its IAS query and connects are byte-identical to Linux', () => {
    const us = new IrlmpMultiplexer({ discoveryInfo: { hints: Uint8Array.of(0x04), charset: 0, nickname: 'guestB' }, random: new SeededRandom(5) })
    const guestA = 0x9715B0CD
    const q = us.iasQuery(0, guestA, 'Echo', 'IrDA:TinyTP:LsapSel')
    expect(us.pollLapRequest()).to.deep.equal({ type: 'connect', deviceAddress: guestA })
    us.handleLapEvent(0, { type: 'connect-confirm', deviceAddress: guestA, params: { txDataSize: 2048 } } as unknown as LapEvent)
    const connect = us.pollLapRequest() as { data: Uint8Array }
    const slsap = connect.data[1]
    expect(toHex(connect.data)).to.equal(`80 ${slsap.toString(16).padStart(2, '0')} 01 00`)
    us.handleLapEvent(0, { type: 'data-indication', data: Uint8Array.of(0x80 | slsap, 0x00, 0x81, 0x00) } as LapEvent)
    const query = us.pollLapRequest() as { data: Uint8Array }
    const linuxQuery = linuxLmpPdus().find(p => p.dir === 'B->A' && p.pdu[0] === 0x00)?.pdu as Uint8Array
    expect(toHex(query.data.subarray(2))).to.equal(toHex(linuxQuery.subarray(2)))
    const linuxAnswer = linuxLmpPdus().find(p => p.dir === 'A->B' && p.pdu[1] === 0x00 && p.pdu[0] < 0x80) as { pdu: Uint8Array }
    us.handleLapEvent(0, { type: 'data-indication', data: Uint8Array.of(slsap, 0x00, ...linuxAnswer.pdu.subarray(2)) } as LapEvent)
    const events = [us.pollEvent(), us.pollEvent()]
    expect(events.find(e => e?.type === 'ias-result')).to.deep.equal({ type: 'ias-result', query: q, result: { ok: true, returnCode: 0, entries: [{ objectId: 0x8b7c, value: { type: 'integer', value: 16 } }] } })
    // ...and then it closes the IAS connection with "user request", as Linux did.
    expect(toHex((us.pollLapRequest() as { data: Uint8Array }).data)).to.equal(`80 ${slsap.toString(16).padStart(2, '0')} 02 01`)
  })
})
