/*!
 * TinyTP connections as the layers above see them: a `TtpSocket` per connection (SDUs in and
 * out, backpressure from credit, a reason when it ends) and a `TtpServer` per bound selector.
 * The stack feeds them; they hold no protocol state of their own.
 */
import { EventEmitter } from 'node:events'
import type { LostData, TtpConnection, TtpDisconnectReason, TtpOptions } from '@irdakit/ttp'
import { causeOf } from '@irdakit/lmp'
import { ConnectionError } from './errors.js'

export interface TtpSocketEvents {
  connect: []
  /** Data is waiting: call `read()` or `receive()`. */
  readable: []
  /** Everything written has been handed to IrLMP (credit came back). */
  drain: []
  /** The connection ended. `error` is set unless we closed it ourselves. */
  close: [error: ConnectionError | undefined, lost: LostData | undefined]
}

/** One TinyTP connection. */
export class TtpSocket extends EventEmitter<TtpSocketEvents> {
  /** Set once the connection has ended. */
  closed = false
  closeError: ConnectionError | undefined
  /** @internal */ lmConn = 0
  /** @internal The server that accepted this connection, for incoming ones. */
  server: TtpServer | undefined
  /** @internal Set by `reset()`: the disconnect carries IrLMP reason 0xFF instead of 0x01. */
  resetting = false
  /** @internal The stack closes under this connection: it ends with a 'stack-closed' error, never as an orderly close. */
  stackClosing = false

  /** @internal */
  constructor (
    /** @internal */ readonly ttp: TtpConnection,
    readonly localLsap: number,
    readonly remoteLsap: number,
    readonly deviceAddress: number,
    /** @internal */ private readonly kick: () => void,
  ) { super() }

  /** Largest SDU `write` accepts at once (the peer's MaxSduSize, or one PDU without SAR). */
  get maxSduSize (): number { return this.ttp.maxSendSduSize }
  /** SDU bytes one TinyTP data PDU carries on this link (IrLMP's data size minus the TinyTP header). */
  get maxSegmentSize (): number { return this.ttp.maxSegmentSize }
  /** Bytes waiting for credit. */
  get queuedBytes (): number { return this.ttp.queuedBytes }
  /** Data waits for credit or IrLAP beyond a part-filled stream PDU still open for more bytes. */
  get sendWaiting (): boolean { return this.ttp.sendWaiting }
  /** Unread received bytes. */
  get readableBytes (): number { return this.ttp.readableBytes }

  /**
   * Queues one SDU; with MaxSduSize 0 (no SAR) an SDU larger than one PDU is sent as several
   * SDUs. Returns false when it has to wait for credit (then 'drain' follows).
   */
  write (data: Uint8Array): boolean {
    if (this.closed) throw this.closeError ?? new ConnectionError('the TinyTP connection is closed', 'user-request')
    const max = this.ttp.maxSendSduSize
    for (let off = 0; off < data.length || (off === 0 && data.length === 0); off += max) {
      this.ttp.send(data.subarray(off, Math.min(data.length, off + max)))
      if (data.length === 0) break
    }
    this.kick()
    return this.ttp.queuedSegments === 0
  }

  /**
   * Queues bytes of a byte stream: they fill TinyTP data PDUs together with the bytes written
   * before and after, whatever the sizes of the writes (the peer must read a stream). A peer
   * that reassembles SDUs (its MaxSduSize not 0) gets each write as SDUs, as from `write`.
   * Returns false when data waits for credit or for IrLAP beyond one part-filled PDU (then
   * 'drain' follows).
   */
  writeStream (data: Uint8Array): boolean {
    if (this.closed) throw this.closeError ?? new ConnectionError('the TinyTP connection is closed', 'user-request')
    if (this.ttp.peerMaxSduSize !== 0) return this.write(data)
    this.ttp.write(data)
    this.kick()
    return !this.ttp.sendWaiting
  }

  /** Reads up to `max` bytes; returns undefined when nothing is waiting. Returns credit to the peer. */
  read (max?: number): Uint8Array | undefined {
    const r = this.ttp.read(max)
    if (r !== undefined) this.kick()
    return r
  }

  /** Takes the next whole SDU. */
  receive (): Uint8Array | undefined {
    const r = this.ttp.receive()
    if (r !== undefined) this.kick()
    return r?.data
  }

  /**
   * Closes the connection. With `flush` (the default) data still waiting for credit is sent
   * first, so the peer reads everything before the disconnect.
   */
  close (opts: { flush?: boolean, userData?: Uint8Array } = {}): LostData | undefined {
    if (this.closed) return undefined
    const lost = this.ttp.disconnect(opts.userData ?? new Uint8Array(0), { flush: opts.flush ?? true })
    this.kick()
    return lost
  }

  /**
   * Aborts the connection: queued data is dropped and the IrLMP disconnect carries reason 0xFF
   * ("unspecified") instead of 0x01 ("user request"), so the peer sees a reset, not an orderly
   * close (Winsock: WSAECONNRESET instead of recv returning 0). Also forces a flushing close.
   */
  reset (): LostData | undefined {
    if (this.closed) return undefined
    this.resetting = true
    const lost = this.ttp.disconnect(new Uint8Array(0), { flush: false })
    this.kick()
    return lost
  }

  /** @internal */
  ended (reason: TtpDisconnectReason | undefined, lost: LostData | undefined): void {
    if (this.closed) return
    this.closed = true
    if (reason === undefined && this.stackClosing) {
      this.closeError = new ConnectionError('TinyTP connection aborted: the IrDA stack closed', 'stack-closed')
    } else if (reason !== undefined) {
      this.closeError = reason.kind === 'lm'
        ? new ConnectionError(`TinyTP connection ended: ${causeOf(reason.code)} (IrLMP reason 0x${reason.code.toString(16).padStart(2, '0')})`, causeOf(reason.code), reason.code)
        : new ConnectionError(`TinyTP connection ended: ${reason.kind}`, reason.kind)
    }
    this.emit('close', this.closeError, lost)
  }
}

export interface TtpServerEvents {
  connection: [socket: TtpSocket]
}

/** A selector bound for incoming TinyTP connections. */
export class TtpServer extends EventEmitter<TtpServerEvents> {
  /** @internal */
  constructor (
    readonly lsap: number,
    /** Decides, at connect time, whether to take a connection (false refuses it at IrLMP level). */
    public accept: (info: { deviceAddress: number, remoteLsap: number }) => boolean,
    /** @internal TinyTP options for accepted connections. */
    readonly ttpOptions: TtpOptions,
    /** @internal */ readonly close: () => void,
  ) { super() }
}
