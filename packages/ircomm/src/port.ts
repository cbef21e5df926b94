/*!
 * An IrCOMM connection as a Node Duplex stream: an {@link IrcommSession} driven over one of the
 * stack's sockets (TinyTP with SAR off for 3-wire and 9-wire cooked, plain IrLMP for 3-wire raw).
 *
 * Flow control is the transport's:
 * - cooked: a frame goes to TinyTP only while TinyTP has credit for what it already holds, and
 *   received SDUs are taken from TinyTP only while the reader keeps up (Readable `push` returns
 *   true), so a slow reader keeps its credit and the peer stops;
 * - raw: IrLMP has no flow control, IrLAP's window is it; like Linux we keep at most
 *   {@link RAW_WINDOW} frames outstanding in IrLAP, and a slow reader leaves frames in the
 *   IrLMP socket, whose high water sets IrLAP busy (RNR) for the whole link.
 */
import { Duplex } from 'node:stream'
import type { IrdaStack, LmpSocket, TtpSocket } from '@irdakit/stack'
import { IrcommSession, TX_HIGH_WATER, type IrcommEvent, type LineSettings } from './session.js'
import type { DceLines, DteLines, IrcommParam, ServiceName } from './params.js'

/** Frames a raw connection may have outstanding in IrLAP (Linux ircomm_lmp.c pauses beyond 7). */
export const RAW_WINDOW = 7

export interface IrcommPortEvents {
  /** Any control parameter received. */
  param: (p: IrcommParam) => void
  /** The peer's line settings changed. */
  settings: (s: LineSettings) => void
  /** The peer's lines, as a DCE's (CTS, DSR, RI, CD). */
  lines: (lines: DceLines, changed: Array<keyof DceLines>) => void
  /** The peer's DTE lines (for a DCE: its computer's DTR, RTS). */
  dte: (lines: DteLines, changed: Array<keyof DteLines>) => void
  'line-status': (value: number) => void
  break: (value: number) => void
  service: (service: ServiceName) => void
  refused: (reason: string) => void
}

/** The IrCOMM events, typed (beside the Duplex's own: data, end, close, error, drain). */
export interface IrcommPort {
  on: (<K extends keyof IrcommPortEvents>(event: K, listener: IrcommPortEvents[K]) => this) & Duplex['on']
  once: (<K extends keyof IrcommPortEvents>(event: K, listener: IrcommPortEvents[K]) => this) & Duplex['once']
}

export class IrcommPort extends Duplex {
  readonly session: IrcommSession
  /** The peer's device address. */
  readonly deviceAddress: number
  private readonly sock: TtpSocket | LmpSocket
  private readonly stack: IrdaStack
  private readerWants = true
  private pendingWrite: (() => void) | undefined
  private pendingFinal: ((e?: Error | null) => void) | undefined
  private unlistenFrames: (() => void) | undefined
  private sockClosed = false
  /** We asked the socket to close: nothing more may be written to it. */
  private ending = false

  /** @internal Use {@link connectIrcomm} or {@link listenIrcomm}. */
  constructor (stack: IrdaStack, sock: TtpSocket | LmpSocket, session: IrcommSession) {
    super({ allowHalfOpen: false })
    this.stack = stack
    this.sock = sock
    this.session = session
    this.deviceAddress = sock.deviceAddress
    sock.on('readable', () => { this.pullIn() })
    sock.on('drain', () => { this.pump() })
    sock.on('close', err => { this.onSockClose(err) })
    // Raw: IrLAP acknowledging frames is what lets more out; every frame in is a chance.
    if (this.session.raw) this.unlistenFrames = stack.onFrame(rec => { if (rec.direction === 'in') queueMicrotask(() => { this.pump() }) })
    session.open()
    queueMicrotask(() => { this.pump(); this.pullIn() })
  }

  get service (): ServiceName { return this.session.service }
  /** The peer's lines as a DCE's. */
  get peerLines (): DceLines { return this.session.peerDce }
  /** The peer's line settings (data rate, format, flow control, ...). */
  get peerSettings (): LineSettings { return this.session.peerSettings }
  get settings (): LineSettings { return this.session.settings }
  /** Bytes one frame carries at most on this link (after TinyTP's and IrCOMM's headers). */
  get frameDataSize (): number { return this.session.raw ? this.sock.maxSduSize : this.sock.maxSduSize - 1 }

  setSettings (s: Partial<LineSettings>): void { this.session.setSettings(s); this.pump() }
  setDte (lines: Partial<DteLines>): void { this.session.setDte(lines); this.pump() }
  setDce (lines: Partial<DceLines>): void { this.session.setDce(lines); this.pump() }
  sendBreak (value = 1): void { this.session.sendBreak(value); this.pump() }
  sendLineStatus (value: number): void { this.session.sendLineStatus(value); this.pump() }
  poll (): void { this.session.poll(); this.pump() }
  sendParams (params: IrcommParam[]): void { this.session.sendParams(params); this.pump() }

  override _write (chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.sockClosed) { cb(new Error('the IrCOMM connection is closed')); return }
    this.session.write(chunk)
    this.pump()
    if (this.session.queuedBytes <= TX_HIGH_WATER) cb(); else this.pendingWrite = () => { cb() }
  }

  override _read (): void {
    this.readerWants = true
    this.pullIn()
  }

  override _final (cb: (e?: Error | null) => void): void {
    if (this.sockClosed) { cb(); return }
    this.pendingFinal = cb
    this.pump()
  }

  override _destroy (err: Error | null, cb: (e?: Error | null) => void): void {
    this.unlistenFrames?.()
    if (!this.sockClosed && !this.ending) {
      this.ending = true
      if (err !== null) this.sock.reset(); else this.sock.close({ flush: true })
    }
    cb(err)
  }

  /** Moves frames from the session to the socket while the transport takes them. */
  private pump (): void {
    if (this.sockClosed || this.ending) return
    const s = this.session
    while (s.wantsToSend && this.transportReady()) {
      const frame = s.pollTransmit(this.sock.maxSduSize)
      if (frame === undefined) break
      if (!this.sock.write(frame)) break
    }
    this.dispatch()
    if (this.pendingWrite !== undefined && s.queuedBytes <= TX_HIGH_WATER) {
      const w = this.pendingWrite
      this.pendingWrite = undefined
      w()
    }
    if (this.pendingFinal !== undefined && !s.wantsToSend && s.queuedBytes === 0) {
      const f = this.pendingFinal
      this.pendingFinal = undefined
      this.unlistenFrames?.()
      this.ending = true
      this.sock.close({ flush: true })
      f()
    }
  }

  private transportReady (): boolean {
    if (this.sock.queuedBytes > 0) return false
    return !this.session.raw || this.stack.station.pendingData < RAW_WINDOW
  }

  /** Takes received SDUs from the socket while the reader keeps up. */
  private pullIn (): void {
    while (this.readerWants && !this.destroyed) {
      const sdu = this.sock.receive()
      if (sdu === undefined) break
      this.session.handleFrame(sdu)
      this.dispatch()
    }
  }

  private dispatch (): void {
    for (let e = this.session.pollEvent(); e !== undefined; e = this.session.pollEvent()) this.onEvent(e)
    // A poll or null-modem change may have queued a reply.
    if (this.session.wantsToSend && this.transportReady() && !this.sockClosed && !this.ending) queueMicrotask(() => { this.pump() })
  }

  private onEvent (e: IrcommEvent): void {
    switch (e.type) {
      case 'data': if (!this.push(e.data)) this.readerWants = false; break
      case 'param': this.emit('param', e.param); break
      case 'settings': this.emit('settings', e.settings); break
      case 'lines': this.emit('lines', e.lines, e.changed); break
      case 'dte': this.emit('dte', e.lines, e.changed); break
      case 'line-status': this.emit('line-status', e.value); break
      case 'break': this.emit('break', e.value); break
      case 'service': this.emit('service', e.service); break
      case 'refused': this.emit('refused', e.reason); break
    }
  }

  private onSockClose (err: Error | undefined): void {
    if (this.sockClosed) return
    this.sockClosed = true
    this.unlistenFrames?.()
    this.pullIn()
    // The peer hanging up (IrLMP reason "user request") is the end of the stream, not an error.
    if (err !== undefined && (err as { kind?: string }).kind !== 'user-request') { this.destroy(err); return }
    this.push(null)
    if (this.pendingWrite !== undefined) { const w = this.pendingWrite; this.pendingWrite = undefined; w() }
    if (this.pendingFinal !== undefined) { const f = this.pendingFinal; this.pendingFinal = undefined; f() }
  }
}
