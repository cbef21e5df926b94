/*!
 * A byte-stream view of a TtpConnection for the layers above (irsock's Node Duplex, IrCOMM),
 * with no I/O of its own: message boundaries disappear, flow control stays.
 *
 * - Backpressure in: `write()` always queues the bytes (nothing is dropped) and returns false
 *   once the bytes waiting for credit reach `writableHighWaterMark`; a `drain` event follows
 *   when they have all left.
 * - Backpressure out: received data stays inside TinyTP until `read()` takes it, and TinyTP
 *   returns credit only for data read; a reader that stops reading stops the peer.
 *
 * The adapter is the one consumer of its connection's events: drain `pollEvent()` here, not on
 * the connection. LM requests are still drained from `adapter.connection` by the driver.
 * Wrap a connection after calling `connect()` on it, or after `accept()`.
 */
import type { TtpConnection } from './connection.js'
import type { LostData, TtpDisconnectReason } from './events.js'

/** Default high-water mark: what a reader at 115.2 kbit/s drains in about a second. */
export const DEFAULT_WRITABLE_HIGH_WATER_MARK = 16 * 1024

export interface TtpStreamOptions {
  /** Bytes waiting for credit at which `write()` starts returning false. */
  writableHighWaterMark?: number
}

export type TtpStreamEvent =
  /** The connect handshake completed. */
  | { type: 'connect' }
  /** Bytes are waiting in `read()` (edge: after the receive side was empty). */
  | { type: 'readable' }
  /** A `write()` returned false and everything queued has since left. */
  | { type: 'drain' }
  /** The peer closed and every byte it sent has been read. */
  | { type: 'end', userData: Uint8Array }
  /** The connection is gone; `lost` says what did not make it. */
  | { type: 'close', reason: TtpDisconnectReason | 'local', lost: LostData }

export class TtpStreamAdapter {
  private readonly events: TtpStreamEvent[] = []
  private readonly highWaterMark: number
  private needDrain = false
  private peerEnd: Uint8Array | undefined
  private endReported = false
  private closeReported = false

  constructor (readonly connection: TtpConnection, opts: TtpStreamOptions = {}) {
    this.highWaterMark = opts.writableHighWaterMark ?? DEFAULT_WRITABLE_HIGH_WATER_MARK
  }

  /** Bytes waiting for credit. */
  get writableLength (): number { return this.connection.queuedBytes }
  /** Bytes received and not read yet. */
  get readableLength (): number { return this.connection.readableBytes }
  /** True once the peer's end has been reported. */
  get readableEnded (): boolean { return this.endReported }

  /**
   * Queues `chunk`, cut into SDUs the peer accepts. Returns false when the caller should wait
   * for `drain` before writing more (the bytes are queued all the same).
   */
  write (chunk: Uint8Array): boolean {
    const max = this.connection.maxSendSduSize
    for (let at = 0; at < chunk.length; at += max) this.connection.send(chunk.subarray(at, at + max))
    const ok = this.connection.queuedBytes < this.highWaterMark
    if (!ok) this.needDrain = true
    return ok
  }

  /** Up to `max` received bytes, or undefined when none wait. Reading returns credit. */
  read (max?: number): Uint8Array | undefined {
    const chunk = this.connection.read(max)
    this.checkEnd()
    return chunk
  }

  /** Graceful close: queued bytes leave first, then TTP-Disconnect with `userData`. */
  end (userData?: Uint8Array): void {
    this.connection.disconnect(userData, { flush: true })
    this.afterLocalClose({ unsentSdus: 0, unsentBytes: 0, partialRxBytes: 0 })
  }

  /** Abortive close: disconnects now; returns (and reports in `close`) what was thrown away. */
  destroy (userData?: Uint8Array): LostData {
    const lost = this.connection.disconnect(userData)
    this.afterLocalClose(lost)
    return lost
  }

  /** The next stream event. */
  pollEvent (): TtpStreamEvent | undefined {
    for (let e = this.connection.pollEvent(); e !== undefined; e = this.connection.pollEvent()) {
      switch (e.type) {
        case 'connect-confirm': this.events.push({ type: 'connect' }); break
        case 'readable': this.events.push({ type: 'readable' }); break
        case 'writable':
          if (this.needDrain) { this.needDrain = false; this.events.push({ type: 'drain' }) }
          break
        case 'disconnect-indication':
          // 'end' first when nothing is left to read (as Node orders them), else after the last read().
          this.peerEnd = e.userData
          this.checkEnd()
          this.closeReported = true
          this.events.push({ type: 'close', reason: e.reason, lost: e.lost })
          break
        case 'connect-indication': break // answered on the connection before wrapping it
      }
    }
    // A flushed end() completes inside the connection without an event of its own.
    if (this.connection.state === 'disconnected') this.afterLocalClose({ unsentSdus: 0, unsentBytes: 0, partialRxBytes: 0 })
    return this.events.shift()
  }

  private afterLocalClose (lost: LostData): void {
    if (this.connection.state !== 'disconnected' || this.closeReported) return
    this.closeReported = true
    this.events.push({ type: 'close', reason: 'local', lost })
  }

  private checkEnd (): void {
    if (this.peerEnd === undefined || this.endReported || this.connection.readableBytes > 0) return
    this.endReported = true
    this.events.push({ type: 'end', userData: this.peerEnd })
  }
}
