/*!
 * One TinyTP connection, sans-I/O (TinyTP 1.1). It sits on one IrLMP LSAP connection:
 *
 * - the driver feeds LM indications with {@link TtpConnection.handle} and sends, in order, the
 *   LM requests it drains with {@link TtpConnection.pollLmRequest};
 * - the user calls `connect` / `accept` / `send` / `receive` / `read` / `disconnect` and drains
 *   {@link TtpEvent}s with {@link TtpConnection.pollEvent}.
 *
 * Two ways to send: `send` queues SDUs, whose boundaries the peer sees; `write` queues bytes of
 * a byte stream (no SAR), which fill data PDUs whatever the sizes of the writes. The driver
 * says how much IrLMP can take with {@link TtpConnection.setLmFlow}, so bytes written while
 * IrLAP is busy wait here and coalesce: a data PDU that is not full leaves only when the
 * driver says the link is idle (IrLAP holds nothing of ours), as in Nagle's rule.
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
import { LM_HEADROOM, LmDisconnectReason, type LmIndication, type LmRequest } from './lm.js'
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
  /** SDU bytes per data PDU that IrLAP advises on a noisy link (see setLmDataSizeAdvice). */
  private segAdvice = Number.POSITIVE_INFINITY
  private closingUserData: Uint8Array | undefined
  /** Stream bytes written and not yet cut into a segment: fewer than one PDU's worth. */
  private tail: Uint8Array = new Uint8Array(0)
  private tailLength = 0
  /** Data PDUs IrLMP takes now, and whether the link is idle (a part-filled PDU may leave). */
  private lmRoom = Number.POSITIVE_INFINITY
  private lmIdle = true
  /** The IrLAP window the peer may send us (frames per turn); 0 = unknown. */
  private lapWindow = 0
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
  /** Segments waiting for credit or for IrLMP, and their bytes (stream bytes not yet cut included). */
  get queuedSegments (): number { return this.sendQueue.length + (this.tailLength > 0 ? 1 : 0) }
  get queuedBytes (): number { return this.sendQueueBytes + this.tailLength }
  /**
   * True when what is queued waits for credit or IrLMP, beyond a part-filled stream PDU still
   * open for more bytes: a writer should wait for the 'writable' event.
   */
  get sendWaiting (): boolean { return this.sendQueue.length > 0 }
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
    this.cutTail()
    const segs = segment(sdu.slice(), this.peerMax !== 0 ? this.cutSize : this.segSize)
    this.sendQueue.push(...segs)
    this.sendQueueBytes += sdu.length
    this.counters.txSdus++
    this.counters.txBytes += sdu.length
    this.pump()
  }

  /**
   * Stream write: queues `bytes` as part of a byte stream. They fill data PDUs together with
   * the bytes written before and after (SDU boundaries are not kept), so only use it when the
   * peer reads a stream. Needs SAR off on the peer's side (its MaxSduSize 0): otherwise throws
   * {@link TtpOptionError}, as the peer would see the PDUs as one growing SDU.
   */
  write (bytes: Uint8Array): void {
    this.expectState('write', 'connected')
    if (this.peerMax !== 0) throw new TtpOptionError(`write() is for a byte stream; the peer reassembles SDUs (MaxSduSize ${this.peerMax}): use send()`)
    if (bytes.length === 0) return
    this.counters.txBytes += bytes.length
    let at = 0
    while (at < bytes.length) {
      if (this.tail.length !== this.segSize) this.tail = new Uint8Array(this.segSize)
      const take = Math.max(0, Math.min(bytes.length - at, this.cutSize - this.tailLength))
      this.tail.set(bytes.subarray(at, at + take), this.tailLength)
      this.tailLength += take
      at += take
      if (this.tailLength >= this.cutSize) this.cutTail()
    }
    this.pump()
  }

  /**
   * IrLMP flow control, from the driver: `room` data PDUs may go down now (the rest wait here),
   * and `idle` says the link holds nothing of ours, so a part-filled stream PDU may leave. By
   * default (never called) everything goes as soon as credit allows.
   */
  setLmFlow (room: number, idle: boolean): void {
    // PDUs still in our request queue have not reached IrLMP: the driver could not count them.
    let undrained = 0
    for (const r of this.requests) if (r.type === 'data-request') undrained++
    const lmRoom = Math.max(0, room - undrained)
    const lmIdle = idle && undrained === 0
    // Every other change (credit, reads, writes) pumps where it happens: the same flow again
    // (the driver asks after every step) has nothing new to move.
    if (lmRoom === this.lmRoom && lmIdle === this.lmIdle) return
    this.lmRoom = lmRoom
    this.lmIdle = lmIdle
    this.pump()
  }

  /**
   * IrLAP's advice, from the driver: on a noisy link more gets through in smaller frames, so data
   * PDUs cut from now on carry at most `lmDataSize` bytes of LM data (our header included).
   * SDUs still arrive whole: with SAR an SDU becomes more segments, a stream is cut anyway, and
   * an SDU without SAR (whose boundaries the peer sees) still goes as one PDU.
   */
  setLmDataSizeAdvice (lmDataSize: number): void {
    this.segAdvice = Math.max(1, lmDataSize - TTP_HEADER_LEN)
  }

  /** SDU bytes to cut into one data PDU now. */
  private get cutSize (): number { return Math.min(this.segSize, this.segAdvice) }

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
    const waiting = this.st === 'closing' || (this.st === 'connected' && this.queuedBytes > 0)
    if (opts.flush === true && waiting) {
      this.st = 'closing'
      this.closingUserData = userData.slice()
      this.pump() // a part-filled stream PDU need not wait for more bytes now
      return { unsentSdus: 0, unsentBytes: 0, partialRxBytes: 0 }
    }
    return this.close(userData)
  }

  // ---- LM side ---------------------------------------------------------------------------

  /** Feeds one IrLMP indication. */
  handle (ind: LmIndication): void {
    switch (ind.type) {
      case 'connect-indication': return this.onConnect(ind.userData, ind.maxDataSize, ind.lapWindow, 'idle')
      case 'connect-confirm': return this.onConnect(ind.userData, ind.maxDataSize, ind.lapWindow, 'connecting')
      case 'data-indication': return this.onData(ind.pdu)
      case 'disconnect-indication': return this.onDisconnect(ind.reason, ind.userData)
    }
  }

  private onConnect (bytes: Uint8Array, maxDataSize: number, lapWindow: number | undefined, expected: 'idle' | 'connecting'): void {
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
    this.lapWindow = Number.isSafeInteger(lapWindow) && (lapWindow as number) > 0 ? lapWindow as number : 0
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

  /** Stream bytes waiting in the tail become a segment of their own (full, or flushed). */
  private cutTail (): void {
    if (this.tailLength === 0) return
    // Cut with room for our header and IrLMP's in front, so neither needs another copy.
    const room = new Uint8Array(LM_HEADROOM + TTP_HEADER_LEN + this.tailLength)
    room.set(this.tail.subarray(0, this.tailLength), LM_HEADROOM + TTP_HEADER_LEN)
    this.sendQueue.push({ more: false, data: room.subarray(LM_HEADROOM + TTP_HEADER_LEN), headroom: room })
    this.sendQueueBytes += this.tailLength
    this.counters.txSdus++
    this.tailLength = 0
  }

  /** Sends what credit and IrLMP allow, then a flow PDU if the credit rule asks for one. */
  private pump (): void {
    if (this.st !== 'connected' && this.st !== 'closing') return
    for (;;) {
      // A part-filled stream PDU leaves when nothing else is in hand (or on a flushing close).
      if (this.sendQueue.length === 0 && this.tailLength > 0 && (this.lmIdle || this.st === 'closing')) this.cutTail()
      if (this.tx.value === 0 || this.sendQueue.length === 0 || this.lmRoom === 0) break
      const seg = this.sendQueue.shift() as Segment
      this.tx.use()
      this.lmRoom--
      this.sendQueueBytes -= seg.data.length
      this.emitData(seg.more, seg.data, seg.headroom)
      this.counters.txDataPdus++
      // What just went down is in IrLAP's hands until the driver says otherwise.
      if (this.lmRoom !== Number.POSITIVE_INFINITY) this.lmIdle = false
    }
    while (this.rx.wantsFlowPdu(this.lapWindow)) {
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

  private emitData (more: boolean, data: Uint8Array, headroom?: Uint8Array): void {
    const credit = this.rx.grant()
    this.counters.txCreditGranted += credit
    if (headroom === undefined) {
      this.requests.push({ type: 'data-request', pdu: TtpDataPdu.emit({ more, credit, data }) })
      return
    }
    const pdu = TtpDataPdu.emit({ more, credit, data }, headroom.subarray(LM_HEADROOM))
    this.requests.push({ type: 'data-request', pdu, headroom })
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
    const unsentSdus = this.sendQueue.filter(s => !s.more).length + (this.tailLength > 0 ? 1 : 0)
    const lost = { unsentSdus, unsentBytes: this.queuedBytes, partialRxBytes: this.reassembler.reset() }
    this.sendQueue.length = 0
    this.sendQueueBytes = 0
    this.tailLength = 0
    return lost
  }

  private expectState (operation: string, state: TtpState): void {
    if (this.st !== state) throw new TtpStateError(operation, this.st)
  }
}
