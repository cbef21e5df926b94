/*!
 * What an IrSock socket sends and receives through, whatever runs underneath it:
 * - TinyTP (the default): the stream is TinyTP SDUs;
 * - TinyTP with IrCOMM 9-wire framing (IRLMP_9WIRE_MODE): each SDU is one cooked frame
 *   (`clen | control | data`), sent with clen 0, received with the control part stripped;
 * - plain IrLMP (IRLMP_IRLPT_MODE): each LM data PDU carries stream bytes, no TinyTP header.
 */
import type { ConnectionError } from '@irdakit/stack'
import { decodeCookedFrame, encodeCookedFrame, IRCOMM_CLEN_SIZE } from './ircomm.js'

/** The part of TtpSocket and LmpSocket a channel uses. */
export interface Link {
  readonly closed: boolean
  readonly closeError: ConnectionError | undefined
  readonly deviceAddress: number
  /** Bytes written and not yet handed to IrLMP. */
  readonly queuedBytes: number
  /** Data waits for credit or IrLMP beyond a part-filled stream PDU (TinyTP); else queuedBytes > 0. */
  readonly sendWaiting?: boolean
  /** Received bytes not yet read. */
  readonly readableBytes: number
  /** Largest unit one `write` call sends whole (TinyTP SDU or LM PDU). */
  readonly maxSduSize: number
  write: (data: Uint8Array) => boolean
  /** Byte-stream write (TinyTP only): bytes fill PDUs across writes; false when it has to wait. */
  writeStream?: (data: Uint8Array) => boolean
  read: (max?: number) => Uint8Array | undefined
  receive: () => Uint8Array | undefined
  close: (opts?: { flush?: boolean }) => unknown
  reset: () => unknown
}

/** Link events a waiting call wakes on. */
export type LinkEvent = 'readable' | 'drain' | 'close'

interface Emitter {
  on: (event: LinkEvent, listener: () => void) => unknown
  off: (event: LinkEvent, listener: () => void) => unknown
}

export class Channel {
  /** 9-wire only: data of the last frame not yet returned by `read`. */
  private pendingData: Uint8Array = new Uint8Array(0)
  /** 9-wire only: received frames dropped because clen ran past their end. */
  droppedFrames = 0

  constructor (
    readonly link: Link,
    /** IrCOMM 9-wire cooked framing on top of TinyTP. */
    readonly nineWire: boolean,
    /** TinyTP's segment size (one PDU's data); 9-wire frames must fit one PDU, SAR is off. */
    private readonly segmentSize: () => number = () => link.maxSduSize,
  ) {}

  get closed (): boolean { return this.link.closed }
  get closeError (): ConnectionError | undefined { return this.link.closeError }
  get deviceAddress (): number { return this.link.deviceAddress }
  get queuedBytes (): number { return this.link.queuedBytes }
  /** A send has to wait ('drain'): bytes other than an open, part-filled stream PDU are queued. */
  get sendWaiting (): boolean { return this.link.sendWaiting ?? this.link.queuedBytes > 0 }

  /** IRLMP_SEND_PDU_LEN: the most data one frame carries (9-wire: one byte less, for clen). */
  get pduLen (): number {
    return this.nineWire ? Math.max(0, Math.min(this.link.maxSduSize, this.segmentSize()) - IRCOMM_CLEN_SIZE) : this.link.maxSduSize
  }

  /** Queues `data`; false when it has to wait (then the link emits 'drain'). */
  write (data: Uint8Array): boolean {
    // A TinyTP byte stream fills PDUs across sends; IrLPT and 9-wire keep each unit whole.
    if (!this.nineWire) return this.link.writeStream?.(data) ?? this.link.write(data)
    const max = this.pduLen
    let flowing = true
    for (let off = 0; off < data.length; off += max) flowing = this.link.write(encodeCookedFrame(data.subarray(off, off + max)))
    return flowing
  }

  /** Up to `max` received data bytes, or undefined when none is waiting. */
  read (max: number): Uint8Array | undefined {
    if (!this.nineWire) return this.link.read(max)
    if (!this.fill()) return undefined
    const chunk = this.pendingData.subarray(0, max)
    this.pendingData = this.pendingData.subarray(chunk.length)
    return chunk
  }

  /**
   * FIONREAD: data bytes waiting. With 9-wire framing, what the next recv returns (Winsock
   * allows FIONREAD to report a single recv's worth); it decodes at most one frame ahead.
   */
  get readableBytes (): number {
    if (!this.nineWire) return this.link.readableBytes
    this.fill()
    return this.pendingData.length
  }

  close (flush: boolean): void { if (!this.link.closed) this.link.close({ flush }) }
  /** Abort: the peer sees a reset (IrLMP reason 0xFF), not an orderly close. */
  reset (): void { if (!this.link.closed) this.link.reset() }

  /** Calls `listener` on any of `events`; returns the unsubscribe function. */
  subscribe (events: LinkEvent[], listener: () => void): () => void {
    const e = this.link as unknown as Emitter
    for (const name of events) e.on(name, listener)
    return () => { for (const name of events) e.off(name, listener) }
  }

  /** 9-wire: decodes frames until one carries data; false when no data is waiting. */
  private fill (): boolean {
    while (this.pendingData.length === 0) {
      const frame = this.link.receive()
      if (frame === undefined) return false
      const cooked = decodeCookedFrame(frame)
      if (cooked === undefined) { this.droppedFrames++; continue }
      this.pendingData = cooked.data
    }
    return true
  }
}
