/*!
 * Two TtpConnections joined by an in-memory IrLMP: every LM request one side drains becomes the
 * matching LM indication at the other side, in order, one at a time when the test says so.
 * LM-Data carries at most `maxDataSize` bytes, as a real LSAP connection would.
 *
 * The harness is also a referee. It decodes every PDU on the wire and checks, on each one:
 * - no PDU is larger than `maxDataSize`;
 * - the credit invariant: a side never has sent more data PDUs than the credit it has
 *   *received* so far (credit still in flight towards it does not count);
 * - the receiver's buffer: unread SDUs never outnumber its receive window.
 */
import { expect } from 'chai'
import {
  LmDisconnectReason, TtpConnection, TtpConnectPdu, TtpDataPdu,
  type LmIndication, type LmRequest, type TtpEvent, type TtpOptions,
} from '@irdakit/ttp'

export type Side = 'a' | 'b'
export const other = (s: Side): Side => s === 'a' ? 'b' : 'a'

/** What the referee saw one side put on the wire. */
export interface WireStats {
  dataPdus: number
  flowPdus: number
  /** Credit this side granted in the PDUs it sent. */
  granted: number
  /** Credit this side has received (PDUs delivered to it). */
  creditReceived: number
}

export interface PairOptions {
  maxDataSize: number
  /** The IrLAP window both sides are told the peer may send them (connect indications). */
  lapWindow?: number
  a?: TtpOptions
  b?: TtpOptions
}

export class TtpPair {
  readonly conn: Record<Side, TtpConnection>
  /** Indications in flight towards a side. */
  readonly inFlight: Record<Side, LmIndication[]> = { a: [], b: [] }
  readonly events: Record<Side, TtpEvent[]> = { a: [], b: [] }
  readonly wire: Record<Side, WireStats> = { a: emptyWire(), b: emptyWire() }
  readonly maxDataSize: number
  readonly lapWindow: number | undefined
  /** Every LM request either side sent, in wire order (for captures). */
  readonly tap: Array<{ from: Side, request: LmRequest }> = []
  /** Sides whose connection events a TtpStreamAdapter consumes: the harness leaves them alone. */
  readonly adapted = new Set<Side>()

  constructor (opts: PairOptions) {
    this.maxDataSize = opts.maxDataSize
    this.lapWindow = opts.lapWindow
    this.conn = { a: new TtpConnection(opts.a), b: new TtpConnection(opts.b) }
  }

  /** a connects, b accepts; runs until both are connected. */
  open (userData: { a?: Uint8Array, b?: Uint8Array } = {}): void {
    this.conn.a.connect(userData.a)
    this.collect('a')
    this.deliverAll('b')
    this.conn.b.accept(userData.b)
    this.collect('b')
    this.deliverAll('a')
    expect(this.conn.a.state).to.equal('connected')
    expect(this.conn.b.state).to.equal('connected')
  }

  /** Moves a side's LM requests onto the wire and its events into `events`, checking each PDU. */
  collect (side: Side): void {
    const c = this.conn[side]
    for (let r = c.pollLmRequest(); r !== undefined; r = c.pollLmRequest()) this.onWire(side, r)
    if (this.adapted.has(side)) return
    for (let e = c.pollEvent(); e !== undefined; e = c.pollEvent()) this.events[side].push(e)
  }

  /** Delivers the next indication in flight towards `side`. Returns false when none was. */
  deliverOne (side: Side): boolean {
    const ind = this.inFlight[side].shift()
    if (ind === undefined) return false
    this.wire[side].creditReceived += creditIn(ind)
    const c = this.conn[side]
    c.handle(ind)
    this.collect(side)
    // Credit bounds the receiver: unread SDUs never outnumber its window.
    expect(c.readableSdus, `${side} buffers more SDUs than its window`).to.be.at.most(c.rxWindow)
    return true
  }

  deliverAll (side: Side): void {
    while (this.deliverOne(side)) { /* keep going */ }
  }

  /** Delivers both ways until nothing is in flight (no user action in between). */
  settle (): void {
    for (let guard = 0; this.inFlight.a.length + this.inFlight.b.length > 0; guard++) {
      if (guard > 100_000) throw new Error('settle: PDUs never stop flowing (credit PDU flood?)')
      this.deliverOne('a')
      this.deliverOne('b')
    }
  }

  /** Takes the events of one type a side reported so far. */
  take<T extends TtpEvent['type']> (side: Side, type: T): Array<Extract<TtpEvent, { type: T }>> {
    const hit = this.events[side].filter(e => e.type === type) as Array<Extract<TtpEvent, { type: T }>>
    this.events[side] = this.events[side].filter(e => e.type !== type)
    return hit
  }

  private onWire (from: Side, r: LmRequest): void {
    const to = other(from)
    const w = this.wire[from]
    this.tap.push({ from, request: r })
    switch (r.type) {
      case 'connect-request':
      case 'connect-response': {
        const pdu = TtpConnectPdu.parse(r.userData)
        expect(pdu.ok, `${from} sent an undecodable connect PDU`).to.equal(true)
        if (pdu.ok) w.granted += pdu.value.credit
        const type = r.type === 'connect-request' ? 'connect-indication' : 'connect-confirm'
        this.inFlight[to].push({ type, userData: r.userData, maxDataSize: this.maxDataSize, ...(this.lapWindow !== undefined ? { lapWindow: this.lapWindow } : {}) })
        break
      }
      case 'data-request': {
        expect(r.pdu.length, `${from} sent a PDU larger than the LM data size`).to.be.at.most(this.maxDataSize)
        const pdu = TtpDataPdu.parse(r.pdu)
        expect(pdu.ok, `${from} sent an undecodable data PDU`).to.equal(true)
        if (!pdu.ok) return
        w.granted += pdu.value.credit
        if (pdu.value.data.length === 0) {
          w.flowPdus++
        } else {
          w.dataPdus++
          expect(w.dataPdus, `credit invariant: ${from} sent data PDU #${w.dataPdus} with only ${w.creditReceived} credit received`)
            .to.be.at.most(w.creditReceived)
        }
        this.inFlight[to].push({ type: 'data-indication', pdu: r.pdu })
        break
      }
      case 'disconnect-request':
        this.inFlight[to].push({ type: 'disconnect-indication', reason: LmDisconnectReason.USER_REQUEST, userData: r.userData })
        break
    }
  }
}

function creditIn (ind: LmIndication): number {
  if (ind.type === 'connect-indication' || ind.type === 'connect-confirm') {
    const p = TtpConnectPdu.parse(ind.userData)
    return p.ok ? p.value.credit : 0
  }
  if (ind.type === 'data-indication') {
    const p = TtpDataPdu.parse(ind.pdu)
    return p.ok ? p.value.credit : 0
  }
  return 0
}

function emptyWire (): WireStats {
  return { dataPdus: 0, flowPdus: 0, granted: 0, creditReceived: 0 }
}

/** Deterministic bytes for SDU number `n` of `side`, so delivery can be checked exactly. */
export function sduBytes (side: Side, n: number, size: number): Uint8Array {
  const out = new Uint8Array(size)
  let x = (n * 2654435761 + (side === 'a' ? 17 : 91)) >>> 0
  for (let i = 0; i < size; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24 }
  return out
}

export function concatAll (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}
