/*!
 * TinyTP for bulk data (issue 17): the receiver grants credit early enough for the sender to
 * fill its IrLAP windows, stream writes fill data PDUs whatever their sizes while IrLMP is
 * busy, SDUs keep their boundaries, and credit is never exceeded whatever the interleaving.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { RxCredit, TtpOptionError, TtpDataPdu } from '@irdakit/ttp'
import { TtpPair, concatAll, sduBytes } from './harness.js'

/** Data sizes of the data PDUs `side` has put on the wire so far (flow PDUs left out). */
function dataSizes (pair: TtpPair, side: 'a' | 'b'): number[] {
  return pair.tap.filter(t => t.from === side && t.request.type === 'data-request').map(t => {
    const r = t.request as { pdu: Uint8Array }
    const p = TtpDataPdu.parse(r.pdu)
    return p.ok ? p.value.data.length : -1
  }).filter(n => n !== 0)
}

/** Everything `side` can read now. */
function readAll (pair: TtpPair, side: 'a' | 'b'): Uint8Array {
  const parts: Uint8Array[] = []
  for (let c = pair.conn[side].read(); c !== undefined; c = pair.conn[side].read()) parts.push(c.slice())
  pair.collect(side)
  return concatAll(parts)
}

describe('ttp: credit for full IrLAP windows', () => {
  it('grants once the peer holds two IrLAP windows of credit or less', () => {
    const ledger = (window: number): { rx: RxCredit, step: () => void } => {
      const rx = new RxCredit(window)
      rx.grant()
      return { rx, step: () => { rx.dataArrived(); rx.release() } }
    }
    // A window of 16 leaves 2 above two IrLAP windows of 7: grants of 2 keep the peer above them.
    const small = ledger(16)
    small.step() // remote 15
    expect(small.rx.wantsFlowPdu(7), 'remote 15 > 14').to.equal(false)
    small.step() // remote 14, available 2
    expect(small.rx.wantsFlowPdu(7)).to.equal(true)
    expect(small.rx.wantsFlowPdu(0), 'without an IrLAP window: half the TinyTP window, as before').to.equal(false)
    for (let i = 0; i < 6; i++) small.step() // remote 8, available 8
    expect(small.rx.wantsFlowPdu(0)).to.equal(true)
    // A larger window, with a slow reader: grants wait for half an IrLAP window (4 credits).
    const large = ledger(40)
    for (let i = 0; i < 23; i++) large.rx.dataArrived() // 23 held unread, remote 17
    for (let i = 0; i < 3; i++) large.step() // remote 14, available 3
    expect(large.rx.wantsFlowPdu(7)).to.equal(false)
    large.step() // remote 13, available 4
    expect(large.rx.wantsFlowPdu(7)).to.equal(true)
    // Two IrLAP windows do not fit in the TinyTP window: only the half rule applies.
    const tiny = ledger(8)
    for (let i = 0; i < 3; i++) tiny.step() // remote 5, available 3
    expect(tiny.rx.wantsFlowPdu(7)).to.equal(false)
  })

  it('a sender answered a turn late still has a full IrLAP window of credit at every turn', () => {
    // IrLAP in miniature: a sends a window of 7 PDUs; b reads each and what b sends goes back
    // only after the whole window (its reply); credit b sends reaches a's data only a turn later.
    const pair = new TtpPair({ maxDataSize: 64, lapWindow: 7 })
    pair.open()
    for (let n = 0; n < 200; n++) pair.conn.a.send(sduBytes('a', n, 60))
    const windows: number[] = []
    let late: typeof pair.inFlight.a = []
    for (let turn = 0; turn < 30; turn++) {
      pair.collect('a')
      const queued = pair.inFlight.b.splice(0)
      pair.inFlight.b.push(...queued.slice(0, 7))
      windows.push(queued.slice(0, 7).filter(i => i.type === 'data-indication').length)
      while (pair.deliverOne('b')) readAll(pair, 'b')
      pair.inFlight.b.push(...queued.slice(7)) // beyond the window: a's next turn
      // b's reply carries its flow PDUs; a's next turn was already built, so they count a turn late.
      const reply = pair.inFlight.a.splice(0)
      pair.inFlight.a.push(...late)
      pair.deliverAll('a')
      late = reply
    }
    expect(windows.slice(0, 25)).to.deep.equal(Array(25).fill(7))
    expect(pair.conn.a.stats.rxCreditGranted).to.be.greaterThan(0)
  })
})

describe('ttp: stream writes fill data PDUs', () => {
  it('1-byte writes made while IrLMP is busy leave as full PDUs, then the rest once the link is idle', () => {
    const pair = new TtpPair({ maxDataSize: 64 })
    pair.open()
    const a = pair.conn.a
    a.setLmFlow(0, false)
    const bytes = sduBytes('a', 1, 200)
    for (const b of bytes) a.write(Uint8Array.of(b))
    pair.collect('a')
    expect(dataSizes(pair, 'a'), 'IrLMP takes nothing yet').to.deep.equal([])
    expect(a.queuedBytes).to.equal(200)
    a.setLmFlow(10, false)
    pair.collect('a')
    expect(dataSizes(pair, 'a'), 'full PDUs go; the part-filled one waits for more bytes').to.deep.equal([63, 63, 63])
    a.setLmFlow(10, true)
    pair.collect('a')
    expect(dataSizes(pair, 'a')).to.deep.equal([63, 63, 63, 11])
    pair.settle()
    expect(readAll(pair, 'b')).to.deep.equal(bytes)
  })

  it('an SDU sent after stream bytes goes after them, whole', () => {
    const pair = new TtpPair({ maxDataSize: 64 })
    pair.open()
    const a = pair.conn.a
    a.setLmFlow(10, false)
    a.write(Uint8Array.of(1, 2, 3))
    a.send(Uint8Array.of(9, 9))
    pair.collect('a')
    expect(dataSizes(pair, 'a')).to.deep.equal([3, 2])
    pair.settle()
    expect(pair.conn.b.receive()?.data).to.deep.equal(Uint8Array.of(1, 2, 3))
    expect(pair.conn.b.receive()?.data).to.deep.equal(Uint8Array.of(9, 9))
  })

  it('a flushing disconnect sends the part-filled PDU first', () => {
    const pair = new TtpPair({ maxDataSize: 64 })
    pair.open()
    pair.conn.a.setLmFlow(10, false)
    pair.conn.a.write(Uint8Array.of(7, 7, 7))
    pair.conn.a.disconnect(new Uint8Array(0), { flush: true })
    pair.collect('a')
    expect(dataSizes(pair, 'a')).to.deep.equal([3])
    expect(pair.tap.at(-1)?.request.type).to.equal('disconnect-request')
  })

  it('refuses stream writes when the peer reassembles SDUs (SAR): boundaries matter to it', () => {
    const pair = new TtpPair({ maxDataSize: 64, b: { maxSduSize: 1000 } })
    pair.open()
    expect(() => pair.conn.a.write(Uint8Array.of(1))).to.throw(TtpOptionError)
    pair.conn.a.send(sduBytes('a', 2, 150))
    pair.collect('a')
    pair.settle()
    expect(pair.conn.b.receive()?.data).to.deep.equal(sduBytes('a', 2, 150))
  })

  it('never exceeds credit nor the receive window, and delivers every byte in order, whatever the interleaving', () => {
    type Op =
      | { kind: 'write', n: number } | { kind: 'send', n: number } | { kind: 'flow', room: number, idle: boolean }
      | { kind: 'deliver', side: 'a' | 'b', k: number } | { kind: 'read', max: number }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), n: fc.integer({ min: 1, max: 150 }) }),
      fc.record({ kind: fc.constant('send' as const), n: fc.integer({ min: 1, max: 31 }) }),
      fc.record({ kind: fc.constant('flow' as const), room: fc.integer({ min: 0, max: 8 }), idle: fc.boolean() }),
      fc.record({ kind: fc.constant('deliver' as const), side: fc.constantFrom('a' as const, 'b' as const), k: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant('read' as const), max: fc.integer({ min: 1, max: 200 }) }),
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 16 }), (ops, lapWindow, rxWindow) => {
      const pair = new TtpPair({ maxDataSize: 32, lapWindow, a: { rxWindow }, b: { rxWindow } })
      pair.open()
      const sent: Uint8Array[] = []
      const got: Uint8Array[] = []
      let n = 0
      for (const o of ops) {
        if (o.kind === 'write') { const d = sduBytes('a', n++, o.n); sent.push(d); pair.conn.a.write(d) }
        if (o.kind === 'send') { const d = sduBytes('a', n++, o.n); sent.push(d); pair.conn.a.send(d) }
        if (o.kind === 'flow') pair.conn.a.setLmFlow(o.room, o.idle)
        if (o.kind === 'deliver') for (let i = 0; i < o.k; i++) pair.deliverOne(o.side)
        if (o.kind === 'read') { const c = pair.conn.b.read(o.max); if (c !== undefined) got.push(c.slice()); pair.collect('b') }
        pair.collect('a')
        expect(pair.conn.b.readableSdus).to.be.at.most(rxWindow)
      }
      pair.conn.a.setLmFlow(Number.POSITIVE_INFINITY, true)
      for (let guard = 0; guard < 1000; guard++) {
        pair.collect('a')
        pair.settle()
        got.push(readAll(pair, 'b'))
        if (pair.conn.a.queuedBytes + pair.inFlight.a.length + pair.inFlight.b.length === 0) break
      }
      expect(concatAll(got)).to.deep.equal(concatAll(sent))
      expect(pair.conn.a.stats.rxCreditOverruns + pair.conn.b.stats.rxCreditOverruns).to.equal(0)
    }), { numRuns: 200 })
  })
})
