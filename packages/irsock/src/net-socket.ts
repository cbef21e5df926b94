/*!
 * IrSocket: one TinyTP connection as a Node Duplex stream.
 *
 * Backpressure is TinyTP credit, in both directions:
 * - `_write` hands the chunk to TinyTP as bytes of a byte stream, which fill data PDUs across
 *   writes (a 1-byte write does not cost a frame), and calls back at once unless TinyTP holds
 *   more than one part-filled PDU waiting for credit or for IrLAP; then on the TtpSocket's
 *   'drain'. With 9-wire framing each cooked frame is one SDU (at most `maxSduSize` bytes),
 *   handed over one at a time the same way. So `write()` returns false (`writableNeedDrain`)
 *   when the peer's credit plus `writableHighWaterMark` is used up.
 * - `_read` moves SDUs from TinyTP into the stream until `push` returns false. What stays in
 *   TinyTP keeps its credit from the peer, whose writes then block. Data buffered on the
 *   receiving side is bounded by the TinyTP window plus `readableHighWaterMark` (plus one SDU).
 *
 * TinyTP has no half close, so `allowHalfOpen` is false: `end()` flushes what TinyTP still holds
 * and disconnects (the peer sees 'end'); a peer's disconnect ends the readable side and closes
 * the socket. `destroy()` disconnects at once, dropping unsent data; `resetAndDestroy()` resets
 * instead (IrLMP reason 0xFF, as net's RST), so the peer gets WSAECONNRESET. Any other end of
 * the connection (link lost, reset, refused) destroys the socket with an {@link IrSockError}.
 */
import { Duplex } from 'node:stream'
import type { TtpSocket } from '@irdakit/stack'
import { decodeCookedFrame, encodeCookedFrame, IRCOMM_CLEN_SIZE } from './ircomm.js'
import { connectionLost } from './irsock.js'
import { IrSockError } from './net-errors.js'
import { WSAECONNABORTED, WSAECONNRESET, WSAENOTCONN } from './winsock.js'

export interface IrSocketOptions {
  /** Node's readable buffer (bytes) on top of the TinyTP receive window. Default 16 KiB. */
  readableHighWaterMark?: number
  /** Node's writable buffer (bytes) in front of TinyTP. Default 16 KiB. */
  writableHighWaterMark?: number
  /** TinyTP receive window in data PDUs (the credit the peer may hold). Default 16, as Linux. */
  rxWindow?: number
  /**
   * IrCOMM 9-wire "cooked" framing, as Winsock's IRLMP_9WIRE_MODE: every TinyTP SDU carries a
   * clen byte (0: no control parameters) in front of the data, and TinyTP runs without SAR.
   * What a device offering `IrDA:IrCOMM` expects. Received control parameters are stripped;
   * frames whose clen runs past their end are dropped and counted in `droppedFrames`.
   */
  nineWire?: boolean
}

/** How an IrSocket gets its connection: already made (a server's), or made by `open` (a client's). */
export type IrSocketSource =
  | { ttp: TtpSocket }
  | { open: (socket: IrSocket) => Promise<{ ttp: TtpSocket } | undefined> }

interface PendingWrite { chunk: Uint8Array, offset: number, callback: (err?: Error | null) => void }

/** A TinyTP connection as a Duplex stream (see the module note for backpressure and close). */
export class IrSocket extends Duplex {
  /** The service this socket is connected to (the IAS class or 'LSAP-SELxxx'). */
  readonly service: string
  /** The peer's 32-bit IrLAP device address, once connected. */
  deviceAddress: number | undefined
  localLsap: number | undefined
  remoteLsap: number | undefined
  /** Bytes handed to the application / taken from it into TinyTP. */
  bytesRead = 0
  bytesWritten = 0
  /** True while a client socket is still discovering, querying IAS or connecting. */
  connecting: boolean
  /** IrCOMM 9-wire framing (see {@link IrSocketOptions.nineWire}). */
  readonly nineWire: boolean
  /** 9-wire only: received frames dropped because their clen ran past their end. */
  droppedFrames = 0
  private ttp: TtpSocket | undefined
  private readonly source: IrSocketSource
  private wantData = false
  private pendingWrite: PendingWrite | undefined
  private finalCallback: ((err?: Error | null) => void) | undefined
  private readonly onTtpReadable = (): void => { if (this.wantData) this.pull() }
  private readonly onTtpDrain = (): void => { this.resumeWrite() }
  private readonly onTtpClose = (): void => { this.ended() }
  private resetOnDestroy = false

  /** @internal Use `connect()` or an IrServer's 'connection' event. */
  constructor (service: string, source: IrSocketSource, opts: IrSocketOptions = {}) {
    super({
      allowHalfOpen: false,
      decodeStrings: true,
      ...(opts.readableHighWaterMark !== undefined ? { readableHighWaterMark: opts.readableHighWaterMark } : {}),
      ...(opts.writableHighWaterMark !== undefined ? { writableHighWaterMark: opts.writableHighWaterMark } : {}),
    })
    this.service = service
    this.nineWire = opts.nineWire === true
    this.source = source
    this.connecting = 'open' in source
    if ('ttp' in source) this.attach(source.ttp)
  }

  /**
   * The most data one TinyTP SDU carries (the peer's MaxSduSize, or one PDU; with 9-wire framing
   * one PDU less the clen byte); undefined before connect.
   */
  get maxSduSize (): number | undefined {
    const ttp = this.ttp
    if (ttp === undefined) return undefined
    return this.nineWire ? Math.max(1, Math.min(ttp.maxSduSize, ttp.maxSegmentSize) - IRCOMM_CLEN_SIZE) : ttp.maxSduSize
  }
  /** Received bytes still held by TinyTP (not yet in the stream): their credit is not back with the peer. */
  get ttpReadableBytes (): number { return this.ttp?.readableBytes ?? 0 }
  /** Written bytes TinyTP holds waiting for the peer's credit. */
  get ttpQueuedBytes (): number { return this.ttp?.queuedBytes ?? 0 }

  /** A client connects here: Node holds writes and reads until the callback. */
  override _construct (callback: (err?: Error | null) => void): void {
    if (!('open' in this.source)) { callback(); return }
    this.source.open(this).then(result => {
      this.connecting = false
      if (result === undefined) { callback(); return } // destroyed while connecting
      if (this.destroyed) { this.abandon(result.ttp); callback(); return }
      this.attach(result.ttp)
      callback()
      this.emit('connect')
      this.emit('ready')
    }, (err: unknown) => {
      this.connecting = false
      callback(err instanceof Error ? err : new Error(String(err)))
    })
  }

  override _read (): void {
    this.wantData = true
    this.pull()
  }

  override _write (chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    const ttp = this.ttp
    if (ttp === undefined) { callback(new IrSockError(WSAENOTCONN, 'write', 'not connected')); return }
    if (ttp.closed) { callback(this.lostError(ttp, true)); return }
    this.writeFrom({ chunk, offset: 0, callback })
  }

  /** end(): TinyTP keeps sending what it holds, then disconnects; 'finish' follows the disconnect. */
  override _final (callback: (err?: Error | null) => void): void {
    const ttp = this.ttp
    if (ttp === undefined || ttp.closed) { callback(); return }
    this.finalCallback = callback
    ttp.close({ flush: true })
  }

  /**
   * Resets the connection (IrLMP disconnect reason 0xFF; the peer sees WSAECONNRESET) and
   * destroys the socket, as net.Socket's resetAndDestroy() sends an RST. A socket still
   * connecting gives up; if its TinyTP connect was already out, that connection is reset as
   * soon as it is made.
   */
  resetAndDestroy (): this {
    this.resetOnDestroy = true
    return this.destroy()
  }

  override _destroy (err: Error | null, callback: (err?: Error | null) => void): void {
    if (this.ttp !== undefined) this.abandon(this.ttp)
    this.detach()
    const pending = this.pendingWrite
    this.pendingWrite = undefined
    pending?.callback(err ?? new IrSockError(WSAECONNABORTED, 'write', 'the socket was destroyed'))
    callback(err)
  }

  /** Ends the connection without sending what is left: a reset if asked for, else a disconnect. */
  private abandon (ttp: TtpSocket): void {
    if (ttp.closed) return
    if (this.resetOnDestroy) ttp.reset()
    else ttp.close({ flush: false })
  }

  private attach (ttp: TtpSocket): void {
    this.ttp = ttp
    this.deviceAddress = ttp.deviceAddress
    this.localLsap = ttp.localLsap
    this.remoteLsap = ttp.remoteLsap
    ttp.on('readable', this.onTtpReadable)
    ttp.on('drain', this.onTtpDrain)
    ttp.on('close', this.onTtpClose)
    if (ttp.closed) this.ended()
  }

  private detach (): void {
    this.ttp?.off('readable', this.onTtpReadable)
    this.ttp?.off('drain', this.onTtpDrain)
    this.ttp?.off('close', this.onTtpClose)
  }

  /** Moves received SDUs into the stream while it wants more; ends it once TinyTP is closed and empty. */
  private pull (): void {
    const ttp = this.ttp
    if (ttp === undefined) return
    while (this.wantData && !this.destroyed) {
      const chunk = this.nineWire ? this.readCooked(ttp) : ttp.read()
      if (chunk === undefined) {
        if (ttp.closed) this.endReadable()
        return
      }
      this.bytesRead += chunk.length
      this.wantData = this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    }
  }

  /** 9-wire: the data of the next received frame that carries any; control parameters stripped. */
  private readCooked (ttp: TtpSocket): Uint8Array | undefined {
    for (let frame = ttp.receive(); frame !== undefined; frame = ttp.receive()) {
      const cooked = decodeCookedFrame(frame)
      if (cooked === undefined) { this.droppedFrames++; continue }
      if (cooked.data.length > 0) return cooked.data
    }
    return undefined
  }

  /** Hands SDUs to TinyTP; stops at the first one that must wait for credit ('drain' resumes). */
  private writeFrom (w: PendingWrite): void {
    const ttp = this.ttp as TtpSocket
    if (!this.nineWire && w.offset === 0) {
      let flowing: boolean
      try {
        flowing = ttp.writeStream(w.chunk)
      } catch {
        w.callback(this.lostError(ttp, true))
        return
      }
      w.offset = w.chunk.length
      this.bytesWritten += w.chunk.length
      if (!flowing) { this.pendingWrite = w; return }
      w.callback()
      return
    }
    const max = this.maxSduSize ?? 1
    while (w.offset < w.chunk.length) {
      const sdu = w.chunk.subarray(w.offset, w.offset + max)
      let flowing: boolean
      try {
        flowing = ttp.write(this.nineWire ? encodeCookedFrame(sdu) : sdu)
      } catch {
        w.callback(this.lostError(ttp, true))
        return
      }
      w.offset += sdu.length
      this.bytesWritten += sdu.length
      if (!flowing) { this.pendingWrite = w; return }
    }
    w.callback()
  }

  private resumeWrite (): void {
    const w = this.pendingWrite
    if (w === undefined) return
    this.pendingWrite = undefined
    this.writeFrom(w)
  }

  /** TinyTP ended: a normal disconnect ends the stream, anything else destroys it with an error. */
  private ended (): void {
    const ttp = this.ttp as TtpSocket
    if (this.destroyed) return
    const pending = this.pendingWrite
    this.pendingWrite = undefined
    // Our own flushing close (end(), or the stack closing) sent every SDU TinyTP held.
    const flushed = ttp.closeError === undefined && (pending === undefined || pending.offset >= pending.chunk.length)
    const peerClosed = ttp.closeError !== undefined && connectionLost(ttp.closeError, false) === 0
    if (!flushed && !(peerClosed && pending === undefined)) {
      const err = this.lostError(ttp, pending !== undefined)
      this.destroy(err)
      pending?.callback(err)
      return
    }
    pending?.callback()
    const final = this.finalCallback
    this.finalCallback = undefined
    final?.()
    if (this.wantData) this.pull()
    else if (ttp.readableBytes === 0) this.endReadable()
  }

  /** No more data will come. Like net's EOF, 'end' follows even without a reader once the buffer is empty. */
  private endReadable (): void {
    this.wantData = false
    if (this.readableEnded || this.destroyed) return
    this.push(null)
    process.nextTick(() => { if (!this.destroyed) this.read(0) })
  }

  private lostError (ttp: TtpSocket, sending: boolean): IrSockError {
    const code = ttp.closeError === undefined ? WSAENOTCONN : connectionLost(ttp.closeError, sending)
    return new IrSockError(code === 0 ? WSAECONNRESET : code, sending ? 'write' : 'read', ttp.closeError?.message ?? 'the connection is closed', { cause: ttp.closeError })
  }
}
