import { expect } from 'chai'
import { TtpConnection } from './connection.js'
import { TtpEmptySduError, TtpOptionError, TtpSduTooLargeError, TtpStateError } from './errors.js'
import type { TtpEvent } from './events.js'
import type { LmRequest } from './lm.js'
import { TtpConnectPdu, TtpDataPdu, type TtpConnectPduRepr, type TtpDataPduRepr } from './wire/pdu.js'
import { linuxEchoText, linuxSession } from './wire/test-fixtures.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)
const empty = new Uint8Array(0)

function drain (c: TtpConnection): { requests: LmRequest[], events: TtpEvent[] } {
  const requests: LmRequest[] = []
  const events: TtpEvent[] = []
  for (let r = c.pollLmRequest(); r !== undefined; r = c.pollLmRequest()) requests.push(r)
  for (let e = c.pollEvent(); e !== undefined; e = c.pollEvent()) events.push(e)
  return { requests, events }
}

function connectPdu (r: LmRequest): TtpConnectPduRepr {
  if (r.type !== 'connect-request' && r.type !== 'connect-response') throw new Error(`not a connect: ${r.type}`)
  const p = TtpConnectPdu.parse(r.userData)
  if (!p.ok) throw p.error
  return p.value
}

function dataPdus (rs: LmRequest[]): TtpDataPduRepr[] {
  return rs.map(r => {
    if (r.type !== 'data-request') throw new Error(`not data: ${r.type}`)
    const p = TtpDataPdu.parse(r.pdu)
    if (!p.ok) throw p.error
    return p.value
  })
}

const dataInd = (r: TtpDataPduRepr): { type: 'data-indication', pdu: Uint8Array } => ({ type: 'data-indication', pdu: TtpDataPdu.emit(r) })

/** A connection that connected to a peer offering `peer` in its connect confirm. */
function connected (opts: ConstructorParameters<typeof TtpConnection>[0], peer: TtpConnectPduRepr, maxDataSize = 64): TtpConnection {
  const c = new TtpConnection(opts)
  c.connect()
  c.handle({ type: 'connect-confirm', userData: TtpConnectPdu.emit(peer), maxDataSize })
  drain(c)
  return c
}

describe('ttp/TtpConnection: connect handshake', () => {
  it('initiator: LM-Connect.request carries initial credit = window and MaxSduSize; confirm sets credit and sizes', () => {
    const c = new TtpConnection({ rxWindow: 10, maxSduSize: 4000 })
    c.connect(bytes('hi'))
    const out = drain(c)
    expect(out.requests).to.have.length(1)
    expect(out.requests[0].type).to.equal('connect-request')
    const pdu = connectPdu(out.requests[0])
    expect(pdu).to.deep.include({ credit: 10, maxSduSize: 4000 })
    expect(text(pdu.userData)).to.equal('hi')
    expect(c.state).to.equal('connecting')
    expect(c.remoteCredit).to.equal(10)

    c.handle({ type: 'connect-confirm', userData: TtpConnectPdu.emit({ credit: 7, maxSduSize: 300, userData: bytes('ok') }), maxDataSize: 58 })
    const after = drain(c)
    expect(c.state).to.equal('connected')
    expect(after.events).to.have.length(1)
    const ev = after.events[0]
    expect(ev.type === 'connect-confirm' && ev.peerMaxSduSize === 300 && text(ev.userData) === 'ok').to.equal(true)
    expect(c.sendCredit).to.equal(7)
    expect(c.maxSegmentSize).to.equal(57)
    expect(c.maxSendSduSize).to.equal(300)
  })

  it('initiator without SAR sends the Linux session connect PDU exactly (10 = credit 16, no P)', () => {
    const c = new TtpConnection()
    c.connect()
    const r = drain(c).requests[0]
    expect(r.type === 'connect-request' && Buffer.from(r.userData).equals(Buffer.from(linuxSession.connectRequest.ttp))).to.equal(true)
  })

  it('responder: indication reports the peer, accept answers with our credit, then data flows', () => {
    const c = new TtpConnection({ rxWindow: 3 })
    c.handle({ type: 'connect-indication', userData: linuxSession.connectRequest.ttp, maxDataSize: 60 })
    const ind = drain(c)
    expect(c.state).to.equal('incoming')
    expect(ind.events).to.deep.equal([{ type: 'connect-indication', peerMaxSduSize: 0, userData: empty }])
    expect(() => c.send(bytes('x'))).to.throw(TtpStateError)
    c.accept(bytes('welcome'))
    const acc = drain(c)
    expect(acc.requests.map(r => r.type)).to.deep.equal(['connect-response'])
    expect(connectPdu(acc.requests[0])).to.deep.equal({ credit: 3, userData: bytes('welcome') })
    expect(c.sendCredit).to.equal(16)

    // The Linux echo exchange: their data PDU (credit 0), our reply returns credit for it.
    c.handle({ type: 'data-indication', pdu: linuxSession.dataToEcho.ttp })
    expect(drain(c).events).to.deep.equal([{ type: 'readable' }])
    const sdu = c.receive()
    expect(sdu !== undefined && text(sdu.data)).to.equal(linuxEchoText)
    c.send(sdu?.data ?? empty)
    const reply = drain(c).requests
    expect(reply).to.have.length(1)
    expect(dataPdus(reply)[0]).to.include({ more: false, credit: 1 })
    expect(reply[0].type === 'data-request' && Buffer.from(reply[0].pdu).equals(Buffer.from(linuxSession.echoReply.ttp))).to.equal(true)
  })

  it('a connect PDU that does not decode is refused with LM-Disconnect and reported', () => {
    const c = new TtpConnection()
    c.handle({ type: 'connect-indication', userData: Uint8Array.of(0x80, 0x05, 0x01), maxDataSize: 60 })
    const out = drain(c)
    expect(c.state).to.equal('disconnected')
    expect(out.requests.map(r => r.type)).to.deep.equal(['disconnect-request'])
    expect(out.events).to.have.length(1)
    const ev = out.events[0]
    expect(ev.type === 'disconnect-indication' && ev.reason.kind).to.equal('bad-connect-pdu')
    expect(c.stats.rxMalformed).to.equal(1)
  })

  it('an LM data size with no room for data is refused', () => {
    const c = new TtpConnection()
    c.connect()
    drain(c)
    c.handle({ type: 'connect-confirm', userData: Uint8Array.of(0x01), maxDataSize: 1 })
    const ev = drain(c).events[0]
    expect(ev.type === 'disconnect-indication' && ev.reason).to.deep.equal({ kind: 'lm-data-size', maxDataSize: 1 })
  })

  it('a window above 127 grants 127 in the connect PDU and the rest once connected', () => {
    const c = connected({ rxWindow: 300 }, { credit: 1, userData: empty })
    // connect granted 127; 173 available >= 150 (half of 300): one flow PDU carries 127 more, the 46 left wait.
    expect(c.remoteCredit).to.equal(254)
    expect(c.availableCredit).to.equal(46)
  })

  it('misuse throws typed errors', () => {
    expect(() => new TtpConnection({ rxWindow: 0 })).to.throw(TtpOptionError)
    expect(() => new TtpConnection({ maxSduSize: -1 })).to.throw(TtpOptionError)
    const c = new TtpConnection()
    expect(() => c.accept()).to.throw(TtpStateError)
    expect(() => c.disconnect()).to.throw(TtpStateError)
    c.connect()
    expect(() => c.connect()).to.throw(TtpStateError)
    expect(() => c.send(bytes('early'))).to.throw(TtpStateError, "send is not allowed in state 'connecting'")
  })
})

describe('ttp/TtpConnection: SAR and SDU limits', () => {
  it('SAR off at the peer (MaxSduSize 0): one PDU per SDU, larger SDUs refused with TtpSduTooLargeError', () => {
    const c = connected({}, { credit: 5, userData: empty }, 11)
    c.send(new Uint8Array(10))
    expect(dataPdus(drain(c).requests).map(p => [p.more, p.data.length])).to.deep.equal([[false, 10]])
    let err: unknown
    try { c.send(new Uint8Array(11)) } catch (e) { err = e }
    expect(err).to.be.instanceOf(TtpSduTooLargeError)
    expect(err).to.include({ size: 11, limit: 10, sar: false, name: 'TtpSduTooLargeError' })
    expect(() => c.send(empty)).to.throw(TtpEmptySduError)
  })

  it('SAR on: segments of maxDataSize - 1 with M on all but the last; above peer MaxSduSize is refused', () => {
    const c = connected({}, { credit: 10, maxSduSize: 25, userData: empty }, 8)
    c.send(new Uint8Array(25).map((_, i) => i))
    const pdus = dataPdus(drain(c).requests)
    expect(pdus.map(p => [p.more, p.data.length])).to.deep.equal([[true, 7], [true, 7], [true, 7], [false, 4]])
    expect(Array.from(pdus.flatMap(p => Array.from(p.data)))).to.deep.equal(Array.from({ length: 25 }, (_, i) => i))
    expect(() => c.send(new Uint8Array(26))).to.throw(TtpSduTooLargeError, "exceeds the peer's MaxSduSize of 25")
  })

  it('reassembles segments into one SDU and returns their credit', () => {
    const c = connected({ rxWindow: 2, maxSduSize: 100 }, { credit: 0, userData: empty })
    c.handle(dataInd({ more: true, credit: 0, data: bytes('abc') }))
    c.handle(dataInd({ more: true, credit: 0, data: bytes('def') }))
    expect(c.readableSdus).to.equal(0)
    c.handle(dataInd({ more: false, credit: 0, data: bytes('g') }))
    expect(c.readableSdus).to.equal(1)
    const sdu = c.receive()
    expect(sdu).to.deep.include({ truncated: false, discarded: 0 })
    expect(text(sdu?.data ?? empty)).to.equal('abcdefg')
    // Window 2: each absorbed segment, and the SDU once read, frees half the window: a flow PDU each.
    expect(c.stats).to.include({ rxDataPdus: 3, rxSdus: 1, rxBytes: 7, rxCreditOverruns: 0, txFlowPdus: 3 })
  })

  it('an incoming SDU above our MaxSduSize is delivered truncated, the excess discarded and counted', () => {
    const c = connected({ rxWindow: 8, maxSduSize: 10 }, { credit: 0, userData: empty })
    for (const [more, s] of [[true, '012345'], [true, '6789AB'], [false, 'CDEF']] as const) c.handle(dataInd({ more, credit: 0, data: bytes(s) }))
    const sdu = c.receive()
    expect(text(sdu?.data ?? empty)).to.equal('0123456789')
    expect(sdu).to.deep.include({ truncated: true, discarded: 6 })
    expect(c.stats).to.include({ rxSdusTruncated: 1, rxBytesDiscarded: 6, rxSdus: 1 })
    // The next SDU is whole again.
    c.handle(dataInd({ more: false, credit: 0, data: bytes('next') }))
    expect(c.receive()).to.deep.include({ truncated: false })
  })

  it('with SAR off locally the M bit is ignored: every PDU is an SDU', () => {
    const c = connected({ rxWindow: 4 }, { credit: 0, userData: empty })
    c.handle(dataInd({ more: true, credit: 0, data: bytes('one') }))
    c.handle(dataInd({ more: false, credit: 0, data: bytes('two') }))
    expect([c.receive(), c.receive()].map(s => text(s?.data ?? empty))).to.deep.equal(['one', 'two'])
  })
})

describe('ttp/TtpConnection: credit', () => {
  it('sends only with credit, queues the rest, and resumes when a flow PDU grants more', () => {
    const c = connected({}, { credit: 2, userData: empty })
    for (const s of ['a', 'b', 'c', 'd']) c.send(bytes(s))
    expect(dataPdus(drain(c).requests).map(p => text(p.data))).to.deep.equal(['a', 'b'])
    expect(c.sendCredit).to.equal(0)
    expect(c.queuedSegments).to.equal(2)
    c.handle(dataInd({ more: false, credit: 1, data: empty }))
    expect(dataPdus(drain(c).requests).map(p => text(p.data))).to.deep.equal(['c'])
    c.handle(dataInd({ more: false, credit: 5, data: empty }))
    const out = drain(c)
    expect(dataPdus(out.requests).map(p => text(p.data))).to.deep.equal(['d'])
    expect(out.events).to.deep.equal([{ type: 'writable' }])
    expect(c.sendCredit).to.equal(4)
    expect(c.stats).to.include({ rxFlowPdus: 2, txDataPdus: 4, rxCreditGranted: 8 })
  })

  it('withholds credit while the application does not read, returns it in a flow PDU at half the window', () => {
    const c = connected({ rxWindow: 4 }, { credit: 0, userData: empty })
    for (const s of ['1', '2', '3', '4']) c.handle(dataInd({ more: false, credit: 0, data: bytes(s) }))
    expect(c.remoteCredit).to.equal(0)
    expect(drain(c).requests).to.deep.equal([])
    c.receive()
    expect(drain(c).requests, 'one PDU of window 4 read: not yet').to.deep.equal([])
    c.receive()
    const flow = dataPdus(drain(c).requests)
    expect(flow).to.have.length(1)
    expect(flow[0]).to.deep.include({ more: false, credit: 2 })
    expect(flow[0].data.length).to.equal(0)
  })

  it('piggybacks available credit on outgoing data instead of a flow PDU', () => {
    const c = connected({ rxWindow: 4 }, { credit: 3, userData: empty })
    c.handle(dataInd({ more: false, credit: 0, data: bytes('q') }))
    c.receive()
    expect(drain(c).requests, '1 available < 2: no flow PDU').to.deep.equal([])
    c.send(bytes('r'))
    expect(dataPdus(drain(c).requests)[0]).to.deep.include({ credit: 1 })
  })

  it('stream read() returns credit only once the whole SDU is read', () => {
    const c = connected({ rxWindow: 1 }, { credit: 0, userData: empty })
    c.handle(dataInd({ more: false, credit: 0, data: bytes('hello') }))
    expect(text(c.read(2) ?? empty)).to.equal('he')
    expect(c.readableBytes).to.equal(3)
    expect(drain(c).requests).to.deep.equal([])
    expect(text(c.read() ?? empty)).to.equal('llo')
    expect(dataPdus(drain(c).requests)[0]).to.deep.include({ credit: 1 })
    expect(c.read()).to.equal(undefined)
  })
})

describe('ttp/TtpConnection: bad input is counted and dropped', () => {
  it('empty LM-Data, data before connect, indications in the wrong state', () => {
    const c = new TtpConnection()
    c.handle({ type: 'data-indication', pdu: Uint8Array.of(0x00, 0x41) })
    c.handle({ type: 'connect-confirm', userData: Uint8Array.of(0x01), maxDataSize: 60 })
    c.handle({ type: 'disconnect-indication', reason: 1, userData: empty })
    expect(c.stats.rxUnexpected).to.equal(3)
    const d = connected({}, { credit: 1, userData: empty })
    d.handle({ type: 'data-indication', pdu: empty })
    d.handle({ type: 'connect-indication', userData: Uint8Array.of(0x01), maxDataSize: 60 })
    expect(d.stats).to.include({ rxMalformed: 1, rxUnexpected: 1 })
    expect(d.state).to.equal('connected')
  })
})

describe('ttp/TtpConnection: a peer that ignores credit', () => {
  it('counts the overrun but keeps the data; the ledger heals as the application reads', () => {
    const c = connected({ rxWindow: 1 }, { credit: 0, userData: empty })
    c.handle(dataInd({ more: false, credit: 0, data: bytes('granted') }))
    c.handle(dataInd({ more: false, credit: 0, data: bytes('overrun') }))
    expect(c.stats.rxCreditOverruns).to.equal(1)
    expect([c.receive(), c.receive()].map(s => text(s?.data ?? empty))).to.deep.equal(['granted', 'overrun'])
    expect(c.remoteCredit + c.availableCredit).to.equal(1)
  })
})

describe('ttp/TtpConnection: a peer that floods without credit (hostile peers, issue 13)', () => {
  it('is cut off once it has sent a whole window beyond its credit: the buffer stays bounded, the peer sees a reset', () => {
    const c = connected({ rxWindow: 4 }, { credit: 0, userData: empty })
    drain(c)
    for (let i = 0; i < 1000; i++) c.handle(dataInd({ more: false, credit: 0, data: new Uint8Array(60).fill(i & 0xFF) }))
    expect(c.state).to.equal('disconnected')
    expect(c.readableSdus).to.be.at.most(2 * 4 + 1)
    const { requests, events } = drain(c)
    expect(requests.at(-1)).to.deep.equal({ type: 'disconnect-request', userData: empty, reason: 0xFF })
    expect(events.map(e => e.type)).to.include('disconnect-indication')
    expect(events.find(e => e.type === 'disconnect-indication')).to.deep.include({ reason: { kind: 'credit-overrun', window: 4 } })
    // What arrived before the cut stays readable, in order.
    expect(c.receive()?.data[0]).to.equal(0)
  })
})

describe('ttp/TtpConnection: disconnect', () => {
  it('local disconnect sends user data, reports unsent SDUs; received SDUs stay readable', () => {
    const c = connected({ rxWindow: 4 }, { credit: 1, maxSduSize: 100, userData: empty }, 5)
    c.handle(dataInd({ more: false, credit: 0, data: bytes('kept') }))
    c.send(bytes('abcdefghij')) // 3 segments: one leaves now, two wait
    c.send(bytes('xyz'))
    drain(c)
    const lost = c.disconnect(bytes('bye'))
    expect(lost).to.deep.equal({ unsentSdus: 2, unsentBytes: 6 + 3, partialRxBytes: 0 })
    const out = drain(c)
    expect(out.requests).to.have.length(1)
    expect(out.requests[0].type === 'disconnect-request' && text(out.requests[0].userData)).to.equal('bye')
    expect(c.state).to.equal('disconnected')
    expect(text(c.receive()?.data ?? empty)).to.equal('kept')
    expect(() => c.send(bytes('late'))).to.throw(TtpStateError)
  })

  it('flush: waits for the queue to drain, then disconnects', () => {
    const c = connected({}, { credit: 1, userData: empty })
    c.send(bytes('a'))
    c.send(bytes('b'))
    drain(c)
    expect(c.disconnect(bytes('done'), { flush: true })).to.deep.equal({ unsentSdus: 0, unsentBytes: 0, partialRxBytes: 0 })
    expect(c.state).to.equal('closing')
    expect(drain(c).requests).to.deep.equal([])
    expect(() => c.send(bytes('c'))).to.throw(TtpStateError)
    c.disconnect(bytes('done'), { flush: true }) // asking again with flush keeps waiting
    expect(c.state).to.equal('closing')
    c.handle(dataInd({ more: false, credit: 1, data: empty }))
    const out = drain(c).requests
    expect(out.map(r => r.type)).to.deep.equal(['data-request', 'disconnect-request'])
    expect(c.state).to.equal('disconnected')
  })

  it('peer disconnect reports reason, user data, what was unsent and the partial SDU', () => {
    const c = connected({ maxSduSize: 50 }, { credit: 0, userData: empty })
    c.send(bytes('waiting'))
    c.handle(dataInd({ more: true, credit: 0, data: bytes('half') }))
    c.handle({ type: 'disconnect-indication', reason: 0x01, userData: bytes('ciao') })
    const ev = drain(c).events.find(e => e.type === 'disconnect-indication')
    expect(ev).to.deep.equal({
      type: 'disconnect-indication',
      reason: { kind: 'lm', code: 0x01 },
      userData: bytes('ciao'),
      lost: { unsentSdus: 1, unsentBytes: 7, partialRxBytes: 4 },
    })
    expect(c.state).to.equal('disconnected')
  })
})
