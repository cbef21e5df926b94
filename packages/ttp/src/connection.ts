/*!
 * One TinyTP connection, sans-I/O (TinyTP 1.1). It sits on one IrLMP LSAP connection:
 *
 * - the driver feeds LM indications with {@link TtpConnection.handle} and sends, in order, the
 *   LM requests it drains with {@link TtpConnection.pollLmRequest};
 * - the user calls `connect` / `accept` / `send` / `receive` / `read` / `disconnect` and drains
 *   {@link TtpEvent}s with {@link TtpConnection.pollEvent}.
 *
 * Nothing here reads a clock: TinyTP 1.1 has no timers, so there is no `poll(now)` to call.
 * Call order: after any call (input or user), drain both queues. Bad input never throws: it
 * is counted in {@link TtpConnection.stats} and dropped. Misuse throws a `LocalProtocolError`.
 *
 * States: idle → connecting (connect) → connected (LM connect-confirm);
 * idle → incoming (LM connect-indication) → connected (accept); connected → closing
 * (disconnect with `flush`: waits for the send queue to empty) → disconnected;
 * any → disconnected (disconnect, or LM disconnect-indication).
 */
import { RxCredit, TxCredit } from './credit.js'
import { TtpEmptySduError, TtpOptionError, TtpSduTooLargeError, TtpStateError } from './errors.js'
import type { LostData, TtpDisconnectReason, TtpEvent } from './events.js'
import { LmDisconnectReason, type LmIndication, type LmRequest } from './lm.js'
import { Reassembler, segment, type ReceivedSdu, type Segment } from './sar.js'
import { emptyTtpStats, type TtpStats } from './stats.js'
import { TtpConnectPdu, TtpDataPdu, TTP_HEADER_LEN } from './wire/pdu.js'
import { MAX_SDU_SIZE_LIMIT } from './wire/params.js'

/** Linux's default receive window (irttp.h TTP_RX_DEFAULT_CREDIT): one IrLAP window + 1 + 8. */
export const DEFAULT_RX_WINDOW = 16

export interface TtpOptions {
  /**
   * Receive window in data PDUs: the initial credit, and the most data PDUs the peer's credit
   * plus our unread data may ever add up to. Default {@link DEFAULT_RX_WINDOW}.
   */
  rxWindow?: number
  /** Our MaxSduSize: the largest SDU we reassemble; 0 (default) = no SAR, every PDU is an SDU. */
  maxSduSize?: number
}

export type TtpState = 'idle' | 'connecting' | 'incoming' | 'connected' | 'closing' | 'disconnected'

export class TtpConnection {
  private st: TtpState = 'idle'
  private readonly rx: RxCredit
  private readonly tx = new TxCredit()
  private readonly reassembler: Reassembler
  private readonly requests: LmRequest[] = []
  private readonly events: TtpEvent[] = []
  private readonly sendQueue: Segment[] = []
  private sendQueueBytes = 0
  private readonly received: ReceivedSdu[] = []
  /** Bytes of `received[0]` already returned by `read()`. */
  private headOffset = 0
  private receivedBytes = 0
  private peerMax = 0
  private segSize = 0
  private closingUserData: Uint8Array | undefined
  /** Set when SDUs had to wait for credit, so 'writable' is reported once they all left. */
  private sendBlocked = false
  private readonly counters = emptyTtpStats()

  constructor (opts: TtpOptions = {}) {
    const window = opts.rxWindow ?? DEFAULT_RX_WINDOW
    const maxSdu = opts.maxSduSize ?? 0
    if (!Number.isSafeInteger(window) || window < 1) throw new TtpOptionError(`rxWindow must be a positive integer, got ${window}`)
    if (!Number.isSafeInteger(maxSdu) || maxSdu < 0 || maxSdu > MAX_SDU_SIZE_LIMIT) {
      throw new TtpOptionError(`maxSduSize must be an integer 0..${MAX_SDU_SIZE_LIMIT}, got ${maxSdu}`)
    }
    this.rx = new RxCredit(window)
    this.reassembler = new Reassembler(maxSdu)
  }

  get state (): TtpState { return this.st }
  /** Our MaxSduSize (0 = no SAR). */
  get maxSduSize (): number { return this.reassembler.maxSduSize }
  /** The peer's MaxSduSize from its connect PDU (0 = no SAR). */
  get peerMaxSduSize (): number { return this.peerMax }
  /** SDU bytes per data PDU: IrLMP's max data size minus the TTP header. 0 before the handshake. */
  get maxSegmentSize (): number { return this.segSize }
  /** The largest SDU `send()` accepts now. */
  get maxSendSduSize (): number { return this.peerMax === 0 ? this.segSize : this.peerMax }
  /** Credit we hold: data PDUs we may send now. */
  get sendCredit (): number { return this.tx.value }
  /** Credit the peer holds. */
  get remoteCredit (): number { return this.rx.remote }
  /** Credit we could grant and have not. */
  get availableCredit (): number { return this.rx.available }
  get rxWindow (): number { return this.rx.window }
  /** Segments waiting for credit, and their bytes. */
  get queuedSegments (): number { return this.sendQueue.length }
  get queuedBytes (): number { return this.sendQueueBytes }
  /** Complete SDUs waiting to be read, and their unread bytes. */
  get readableSdus (): number { return this.received.length }
  get readableBytes (): number { return this.receivedBytes }
  get stats (): Readonly<TtpStats> { return this.counters }

  /** The next LM request to send, in order. */
  pollLmRequest (): LmRequest | undefined { return this.requests.shift() }
  /** The next event for the user. */
  pollEvent (): TtpEvent | undefined { return this.events.shift() }

  // ---- user side -------------------------------------------------------------------------

  /** TTP-Connect.request: sends our connect PDU (initial credit, MaxSduSize) in LM-Connect.request. */
  connect (userData: Uint8Array = new Uint8Array(0)): void {
    this.expectState('connect', 'idle')
    this.st = 'connecting'
    this.requests.push({ type: 'connect-request', userData: this.connectPdu(userData) })
  }

  /** TTP-Connect.response: accepts an incoming connection. */
  accept (userData: Uint8Array = new Uint8Array(0)): void {
    this.expectState('accept', 'incoming')
    this.st = 'connected'
    this.requests.push({ type: 'connect-response', userData: this.connectPdu(userData) })
    this.pump()
  }

  /**
   * TTP-Data.request: queues an SDU. It leaves as soon as credit allows; it is never dropped
   * while the connection lasts. Throws {@link TtpSduTooLargeError} when the peer cannot take
   * it: above its MaxSduSize, or, with SAR off (peer MaxSduSize 0), above one data PDU.
   */
  send (sdu: Uint8Array): void {
    this.expectState('send', 'connected')
    if (sdu.length === 0) throw new TtpEmptySduError()
    if (sdu.length > this.maxSendSduSize) throw new TtpSduTooLargeError(sdu.length, this.maxSendSduSize, this.peerMax !== 0)
    const segs = segment(sdu.slice(), this.segSize)
    this.sendQueue.push(...segs)
    this.sendQueueBytes += sdu.length
    this.counters.txSdus++
    this.counters.txBytes += sdu.length
    this.pump()
  }

  /** Takes the next complete SDU (or what `read()` left of it); its credit goes back to the peer. */
  receive (): ReceivedSdu | undefined {
    const head = this.received[0]
    if (head === undefined) return undefined
    const rest = this.headOffset === 0 ? head : { ...head, data: head.data.subarray(this.headOffset) }
    this.consumeHead()
    return rest
  }

  /**
   * Stream read: up to `max` bytes from the received SDUs, ignoring their boundaries. Credit
   * for an SDU goes back once all its bytes are read.
   */
  read (max = Number.POSITIVE_INFINITY): Uint8Array | undefined {
    const head = this.received[0]
    if (head === undefined || max <= 0) return undefined
    const take = Math.min(max, head.data.length - this.headOffset)
    const chunk = head.data.subarray(this.headOffset, this.headOffset + take)
    this.headOffset += take
    this.receivedBytes -= take
    if (this.headOffset === head.data.length) this.consumeHead()
    return chunk
  }

  /**
   * TTP-Disconnect.request. By default at once: queued SDUs are discarded and reported in the
   * result. With `flush`, the disconnect waits until every queued SDU has left (state
   * `closing`); calling again without `flush` forces it. Received SDUs stay readable.
   */
  disconnect (userData: Uint8Array = new Uint8Array(0), opts: { flush?: boolean } = {}): LostData {
    if (this.st === 'idle' || this.st === 'disconnected') throw new TtpStateError('disconnect', this.st)
    const waiting = this.st === 'closing' || (this.st === 'connected' && this.sendQueue.length > 0)
    if (opts.flush === true && waiting) {
      this.st = 'closing'
      this.closingUserData = userData.slice()
      return { unsentSdus: 0, unsentBytes: 0, partialRxBytes: 0 }
    }
    return this.close(userData)
  }

  // ---- LM side ---------------------------------------------------------------------------

  /** Feeds one IrLMP indication. */
  handle (ind: LmIndication): void {
    switch (ind.type) {
      case 'connect-indication': return this.onConnect(ind.userData, ind.maxDataSize, 'idle')
      case 'connect-confirm': return this.onConnect(ind.userData, ind.maxDataSize, 'connecting')
      case 'data-indication': return this.onData(ind.pdu)
      case 'disconnect-indication': return this.onDisconnect(ind.reason, ind.userData)
    }
  }

  private onConnect (bytes: Uint8Array, maxDataSize: number, expected: 'idle' | 'connecting'): void {
    if (this.st !== expected) { this.counters.rxUnexpected++; return }
    const pdu = TtpConnectPdu.parse(bytes)
    if (!pdu.ok) {
      this.counters.rxMalformed++
      return this.refuse({ kind: 'bad-connect-pdu', error: pdu.error })
    }
    if (!Number.isSafeInteger(maxDataSize) || maxDataSize <= TTP_HEADER_LEN) return this.refuse({ kind: 'lm-data-size', maxDataSize })
    this.tx.add(pdu.value.credit)
    this.counters.rxCreditGranted += pdu.value.credit
    this.peerMax = pdu.value.maxSduSize ?? 0
    this.segSize = maxDataSize - TTP_HEADER_LEN
    const userData = pdu.value.userData.slice()
    if (expected === 'idle') {
      this.st = 'incoming'
      this.events.push({ type: 'connect-indication', peerMaxSduSize: this.peerMax, userData })
    } else {
      this.st = 'connected'
      this.events.push({ type: 'connect-confirm', peerMaxSduSize: this.peerMax, userData })
      this.pump()
    }
  }

  private onData (bytes: Uint8Array): void {
    if (this.st !== 'connected' && this.st !== 'closing') { this.counters.rxUnexpected++; return }
    const pdu = TtpDataPdu.parse(bytes)
    if (!pdu.ok) { this.counters.rxMalformed++; return }
    const { credit, more, data } = pdu.value
    this.tx.add(credit)
    this.counters.rxCreditGranted += credit
    if (data.length === 0) {
      this.counters.rxFlowPdus++
    } else {
      this.counters.rxDataPdus++
      if (!this.rx.dataArrived()) {
        this.counters.rxCreditOverruns++
        // A slip is tolerated (the data is kept), but a peer that keeps sending without credit
        // would grow our buffer without bound: a whole window past its credit, it is cut off.
        if (this.rx.held > 2 * this.rx.window) return this.refuse({ kind: 'credit-overrun', window: this.rx.window }, LmDisconnectReason.UNSPECIFIED)
      }
      const sdu = this.reassembler.push(data, more)
      // A segment of an unfinished SDU now lives in the reassembly buffer, which our
      // MaxSduSize bounds: its credit returns at once, so an SDU longer than the window
      // cannot deadlock. The PDU completing an SDU stays held until the SDU is read.
      if (sdu === undefined) this.rx.release(1)
      else this.deliver(sdu)
    }
    this.pump()
  }

  private onDisconnect (code: number, userData: Uint8Array): void {
    if (this.st === 'idle' || this.st === 'disconnected') { this.counters.rxUnexpected++; return }
    const lost = this.discard()
    this.st = 'disconnected'
    this.events.push({ type: 'disconnect-indication', reason: { kind: 'lm', code }, userData: userData.slice(), lost })
  }

  // ---- internals -------------------------------------------------------------------------

  private connectPdu (userData: Uint8Array): Uint8Array {
    const credit = this.rx.grant()
    this.counters.txCreditGranted += credit
    const maxSduSize = this.maxSduSize === 0 ? undefined : this.maxSduSize
    return TtpConnectPdu.emit({ credit, maxSduSize, userData })
  }

  private deliver (sdu: ReceivedSdu): void {
    this.counters.rxSdus++
    this.counters.rxBytes += sdu.data.length
    if (sdu.truncated) {
      this.counters.rxSdusTruncated++
      this.counters.rxBytesDiscarded += sdu.discarded
    }
    const wasEmpty = this.received.length === 0
    this.received.push(sdu)
    this.receivedBytes += sdu.data.length
    if (wasEmpty) this.events.push({ type: 'readable' })
  }

  private consumeHead (): void {
    const head = this.received.shift()
    if (head === undefined) return
    this.receivedBytes -= head.data.length - this.headOffset
    this.headOffset = 0
    this.rx.release(1)
    this.pump()
  }

  /** Sends what credit allows, then a flow PDU if the credit rule asks for one. */
  private pump (): void {
    if (this.st !== 'connected' && this.st !== 'closing') return
    while (this.tx.value > 0 && this.sendQueue.length > 0) {
      const seg = this.sendQueue.shift() as Segment
      this.tx.use()
      this.sendQueueBytes -= seg.data.length
      this.emitData(seg.more, seg.data)
      this.counters.txDataPdus++
    }
    while (this.rx.wantsFlowPdu()) {
      this.emitData(false, new Uint8Array(0))
      this.counters.txFlowPdus++
    }
    if (this.sendQueue.length > 0) {
      this.sendBlocked = true
    } else if (this.st === 'closing') {
      this.close(this.closingUserData ?? new Uint8Array(0))
    } else if (this.sendBlocked) {
      this.sendBlocked = false
      this.events.push({ type: 'writable' })
    }
  }

  private emitData (more: boolean, data: Uint8Array): void {
    const credit = this.rx.grant()
    this.counters.txCreditGranted += credit
    this.requests.push({ type: 'data-request', pdu: TtpDataPdu.emit({ more, credit, data }) })
  }

  private close (userData: Uint8Array, lmReason?: number): LostData {
    const lost = this.discard()
    this.st = 'disconnected'
    this.requests.push({ type: 'disconnect-request', userData: userData.slice(), ...(lmReason !== undefined ? { reason: lmReason } : {}) })
    return lost
  }

  /** Our side refuses or drops the connection and tells the user why. */
  private refuse (reason: TtpDisconnectReason, lmReason?: number): void {
    const lost = this.close(new Uint8Array(0), lmReason)
    this.events.push({ type: 'disconnect-indication', reason, userData: new Uint8Array(0), lost })
  }

  private discard (): LostData {
    const unsentSdus = this.sendQueue.filter(s => !s.more).length
    const lost = { unsentSdus, unsentBytes: this.sendQueueBytes, partialRxBytes: this.reassembler.reset() }
    this.sendQueue.length = 0
    this.sendQueueBytes = 0
    return lost
  }

  private expectState (operation: string, state: TtpState): void {
    if (this.st !== state) throw new TtpStateError(operation, this.st)
  }
}
