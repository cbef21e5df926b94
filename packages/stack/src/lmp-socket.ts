/*!
 * Plain IrLMP (LM-MUX) connections, without TinyTP: what IrLPT, raw IrCOMM and IrSock's
 * IRLMP_IRLPT_MODE run on. An `LmpSocket` per connection, an `LmpServer` per bound selector.
 *
 * IrLMP has no flow control of its own: IrLAP's window and RNR are the flow control. So:
 * - `write` splits the data into LM data PDUs of at most the link's `maxDataSize` bytes (one
 *   IrLAP I frame each; message boundaries are not kept) and queues them here; the stack hands
 *   them to IrLAP only while IrLAP holds less than two windows of unacknowledged frames, so
 *   what waits in memory is what the application wrote and has not seen 'drain' for.
 * - received PDUs queue here until read; once {@link LMP_RX_HIGH_WATER} PDUs wait, the stack
 *   sets IrLAP local busy (RNR), which stops the peer, and clears it when reading brings the
 *   queue back under half of that. So a reader that stops bounds memory at that many PDUs.
 *   RNR holds the whole link, as IrLPT expects to be the link's only connection.
 * The stack feeds these objects; they hold no protocol state beyond the two queues.
 */
import { EventEmitter } from 'node:events'
import { causeOf } from '@irdakit/lmp'
import { ConnectionError } from './errors.js'

/** Received PDUs an LmpSocket keeps before the stack answers RNR (the link's receive window plus slack). */
export const LMP_RX_HIGH_WATER = 16

export interface LmpSocketEvents {
  connect: []
  /** Data is waiting: call `read()` or `receive()`. */
  readable: []
  /** Everything written has been handed to IrLAP. */
  drain: []
  /** The connection ended. `error` is set unless we closed it ourselves. */
  close: [error: ConnectionError | undefined]
}

/** One IrLMP connection carrying user data directly in LM data PDUs. */
export class LmpSocket extends EventEmitter<LmpSocketEvents> {
  closed = false
  closeError: ConnectionError | undefined
  /** @internal */ lmConn = 0
  /** @internal The server that accepted this connection, for incoming ones. */
  server: LmpServer | undefined
  /** @internal PDUs waiting to be handed to IrLMP. */
  readonly txQueue: Uint8Array[] = []
  /** @internal Set when `write` had to queue, so 'drain' is reported once the queue empties. */
  txBlocked = false
  /** @internal Received PDUs not yet read (the head may be partly read). */
  readonly rxQueue: Uint8Array[] = []
  /** @internal 'open' until close: 'closing' waits for txQueue to empty, then disconnects with `closeReason`. */
  state: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting'
  /** @internal IrLMP disconnect reason to send: 0x01 user request, 0xFF for a reset. */
  closeReason = 0x01
  /** @internal The stack closes under this connection: it ends with a 'stack-closed' error, never as an orderly close. */
  stackClosing = false
  private txBytes = 0
  private rxBytes = 0

  /** @internal */
  constructor (
    readonly localLsap: number,
    readonly remoteLsap: number,
    readonly deviceAddress: number,
    /** @internal The current LM data size (link's data size minus the 2-byte LM-MUX header). */
    private readonly dataSize: () => number,
    /** @internal */ private readonly kick: () => void,
  ) { super() }

  /** Largest PDU one write sends whole: IrLMP's data size on this link. */
  get maxDataSize (): number { return this.dataSize() }
  /** Alias of {@link maxDataSize}, so LmpSocket and TtpSocket read alike. */
  get maxSduSize (): number { return this.dataSize() }
  /** Bytes written and not yet handed to IrLAP. */
  get queuedBytes (): number { return this.txBytes }
  /** Unread received bytes. */
  get readableBytes (): number { return this.rxBytes }

  /**
   * Queues `data` as LM data PDUs of at most `maxDataSize` bytes. Returns false when they wait
   * for IrLAP (then 'drain' follows). An empty write sends nothing.
   */
  write (data: Uint8Array): boolean {
    if (this.closed || this.state === 'closing') throw this.closeError ?? new ConnectionError('the IrLMP connection is closed', 'user-request')
    const max = this.dataSize()
    for (let off = 0; off < data.length; off += max) {
      const pdu = data.slice(off, Math.min(data.length, off + max))
      this.txQueue.push(pdu)
      this.txBytes += pdu.length
    }
    this.kick()
    if (this.txQueue.length === 0) return true
    this.txBlocked = true
    return false
  }

  /** Reads up to `max` bytes across PDU boundaries; undefined when nothing is waiting. */
  read (max = Number.POSITIVE_INFINITY): Uint8Array | undefined {
    const head = this.rxQueue[0]
    if (head === undefined || max <= 0) return undefined
    const chunk = head.subarray(0, max)
    if (chunk.length === head.length) this.rxQueue.shift(); else this.rxQueue[0] = head.subarray(chunk.length)
    this.rxBytes -= chunk.length
    this.kick()
    return chunk
  }

  /** Takes the next PDU (or what `read` left of it). */
  receive (): Uint8Array | undefined {
    const head = this.rxQueue.shift()
    if (head === undefined) return undefined
    this.rxBytes -= head.length
    this.kick()
    return head
  }

  /** Closes the connection; with `flush` (the default) queued PDUs go out before the disconnect. */
  close (opts: { flush?: boolean } = {}): void {
    if (this.closed) return
    // Nothing can be sent before the peer confirms: a connect in progress is simply abandoned.
    if (opts.flush === false || this.state === 'connecting') this.dropQueued()
    this.state = 'closing'
    this.kick()
  }

  /** Aborts: queued PDUs are dropped and the disconnect carries IrLMP reason 0xFF (the peer sees a reset). */
  reset (): void {
    if (this.closed) return
    this.closeReason = 0xFF
    this.dropQueued()
    this.state = 'closing'
    this.kick()
  }

  /** @internal The stack took the head PDU for IrLMP. */
  sent (): Uint8Array | undefined {
    const pdu = this.txQueue.shift()
    if (pdu !== undefined) this.txBytes -= pdu.length
    return pdu
  }

  /** @internal A PDU arrived. */
  received (data: Uint8Array): void {
    if (data.length === 0) return
    this.rxQueue.push(data)
    this.rxBytes += data.length
    if (this.rxQueue.length === 1) this.emit('readable')
  }

  /** @internal The connection ended: `reason` is the IrLMP reason, undefined when we closed it. */
  ended (reason: number | undefined): void {
    if (this.closed) return
    this.closed = true
    this.state = 'closed'
    this.dropQueued()
    if (reason === undefined && this.stackClosing) {
      this.closeError = new ConnectionError('IrLMP connection aborted: the IrDA stack closed', 'stack-closed')
    } else if (reason !== undefined) {
      this.closeError = new ConnectionError(`IrLMP connection ended: ${causeOf(reason)} (IrLMP reason 0x${reason.toString(16).padStart(2, '0')})`, causeOf(reason), reason)
    }
    this.emit('close', this.closeError)
  }

  private dropQueued (): void {
    this.txQueue.length = 0
    this.txBytes = 0
    this.txBlocked = false
  }
}

export interface LmpServerEvents {
  connection: [socket: LmpSocket]
}

/** A selector bound for incoming plain IrLMP connections. */
export class LmpServer extends EventEmitter<LmpServerEvents> {
  /** @internal */
  constructor (
    readonly lsap: number,
    /** Decides, at connect time, whether to take a connection (false refuses it at IrLMP level). */
    public accept: (info: { deviceAddress: number, remoteLsap: number }) => boolean,
    /** @internal */ readonly close: () => void,
  ) { super() }
}
