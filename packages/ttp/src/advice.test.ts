import { expect } from 'chai'
import { TtpConnection } from './connection.js'
import type { LmRequest } from './lm.js'
import { TtpConnectPdu, TtpDataPdu, type TtpDataPduRepr } from './wire/pdu.js'

// IrLAP's frame size advice (setLmDataSizeAdvice): smaller data PDUs on a noisy link, and every
// SDU still delivered whole.

function dataPdus (c: TtpConnection): TtpDataPduRepr[] {
  const out: TtpDataPduRepr[] = []
  for (let r: LmRequest | undefined = c.pollLmRequest(); r !== undefined; r = c.pollLmRequest()) {
    if (r.type !== 'data-request') continue
    const p = TtpDataPdu.parse(r.pdu)
    if (!p.ok) throw p.error
    out.push(p.value)
  }
  return out
}

/** A connected pair's sending side: the peer granted `credit` and offered `peerMaxSdu` (0 = no SAR). */
function sender (peerMaxSdu: number, credit = 100, maxDataSize = 2046): TtpConnection {
  const c = new TtpConnection()
  c.connect()
  c.handle({ type: 'connect-confirm', userData: TtpConnectPdu.emit({ credit, maxSduSize: peerMaxSdu === 0 ? undefined : peerMaxSdu, userData: new Uint8Array(0) }), maxDataSize })
  dataPdus(c)
  while (c.pollEvent() !== undefined);
  return c
}

/** A receiving side with SAR (MaxSduSize `maxSdu`). */
function receiver (maxSdu: number): TtpConnection {
  const c = new TtpConnection({ maxSduSize: maxSdu, rxWindow: 100 })
  c.connect()
  c.handle({ type: 'connect-confirm', userData: TtpConnectPdu.emit({ credit: 100, userData: new Uint8Array(0) }), maxDataSize: 2046 })
  while (c.pollLmRequest() !== undefined);
  while (c.pollEvent() !== undefined);
  return c
}

/** Lets IrLMP take everything, turn after turn (the link idle each time), and collects the PDUs. */
function flush (c: TtpConnection): TtpDataPduRepr[] {
  const out: TtpDataPduRepr[] = []
  for (let turn = 0; turn < 10; turn++) {
    c.setLmFlow(100, true)
    const got = dataPdus(c)
    if (got.length === 0) break
    out.push(...got)
  }
  return out
}

const sdu = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xFF)

describe('ttp/TtpConnection: IrLAP frame size advice', () => {
  it('with SAR, an SDU is cut at the advised size and reassembled whole', () => {
    const a = sender(8000)
    a.setLmDataSizeAdvice(301) // 300 SDU bytes per PDU after the TinyTP header
    const data = sdu(2000, 1)
    a.send(data)
    const pdus = dataPdus(a)
    expect(pdus.map(p => p.data.length)).to.deep.equal([300, 300, 300, 300, 300, 300, 200])
    expect(pdus.map(p => p.more)).to.deep.equal([true, true, true, true, true, true, false])
    const b = receiver(8000)
    for (const p of pdus) b.handle({ type: 'data-indication', pdu: TtpDataPdu.emit(p) })
    const got = b.receive()
    expect(got?.truncated).to.equal(false)
    expect(Buffer.from(got?.data ?? []).equals(Buffer.from(data))).to.equal(true)
  })

  it('without SAR, an SDU keeps its boundaries: one PDU up to the negotiated size, whatever the advice', () => {
    const a = sender(0)
    a.setLmDataSizeAdvice(301)
    a.send(sdu(2000, 2))
    expect(dataPdus(a).map(p => p.data.length)).to.deep.equal([2000])
  })

  it('a byte stream is cut at the advised size, and at the full size again once the advice grows back', () => {
    const a = sender(0)
    a.setLmDataSizeAdvice(257)
    a.write(sdu(1000, 3))
    expect(flush(a).map(p => p.data.length)).to.deep.equal([256, 256, 256, 232])
    a.setLmDataSizeAdvice(2046)
    a.write(sdu(5000, 4))
    expect(flush(a).map(p => p.data.length)).to.deep.equal([2045, 2045, 910])
  })

  it('bytes already gathered beyond a shrinking advice leave as they are (never over the negotiated size)', () => {
    const a = sender(0)
    a.setLmFlow(0, false) // IrLMP takes nothing: bytes gather
    a.write(sdu(1500, 5))
    a.setLmDataSizeAdvice(201)
    a.write(sdu(100, 6))
    expect(flush(a).map(p => p.data.length)).to.deep.equal([1500, 100])
  })
})
