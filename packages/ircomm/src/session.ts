/*!
 * One IrCOMM connection's state, sans-I/O: the control channel and the data channel of a cooked
 * (3-wire or 9-wire) connection, or bare data for 3-wire raw. The driver hands it every SDU
 * received (`handleFrame`) and the application's requests (`write`, `setDte`, `setSettings`,
 * ...), and drains the SDUs to send (`pollTransmit(maxSize)`) and the events for the
 * application (`pollEvent`). No clock, no I/O: IrCOMM has no timers of its own.
 *
 * Call order: `open()` once the TinyTP (or IrLMP) connection is up: it queues the initial
 * parameters (IrCOMM 1.0: the first frame after the connect carries the link parameters and the
 * line state). Then, in any order, inputs; after each, drain `pollTransmit` while the transport
 * has credit, and `pollEvent`.
 *
 * Lines: each side drives the lines of its role. A DTE (a computer, the client by default)
 * sends DTR/RTS (PI 0x20); a DCE (a modem, phone or instrument, the server by default) sends
 * CTS/DSR/RI/CD (PI 0x21). A peer that sends DTE lines to a DTE is a null modem, as Linux is:
 * its DTR shows as our DSR and CD, its RTS as our CTS (ircomm_param.c).
 */
import { decodeCookedFrame, encodeCookedFrame, CLEN_SIZE, MAX_CLEN } from './frame.js'
import {
  dceByte, dceLines, decodeParams, dteByte, dteLines, encodeParams, FLOW, FORMAT_8N1, isCritical, SERVICE, SERVICE_NAMES,
  type DceLines, type DteLines, type IrcommParam, type ServiceName,
} from './params.js'

/** The serial line settings IrCOMM carries (PI 0x10 to 0x14). */
export interface LineSettings {
  dataRate: number
  /** PI 0x11 byte: see encodeDataFormat. */
  dataFormat: number
  /** PI 0x12 bits: see FLOW. */
  flowControl: number
  xonXoff: { xon: number, xoff: number }
  enqAck: { enq: number, ack: number }
}

export const DEFAULT_SETTINGS: LineSettings = { dataRate: 9600, dataFormat: FORMAT_8N1, flowControl: 0, xonXoff: { xon: 0x11, xoff: 0x13 }, enqAck: { enq: 0x05, ack: 0x06 } }
/** What a DCE reports before it says anything (Linux assumes the same): every line up. */
export const DEFAULT_DCE: DceLines = { cts: true, dsr: true, ri: false, cd: true }

export interface IrcommSessionOptions {
  /** The service type of this connection (the client's choice, or what the server expects until told). */
  service: ServiceName
  /** Which lines we drive: 'dte' (DTR, RTS) or 'dce' (CTS, DSR, RI, CD). Default 'dte'. */
  lineRole?: 'dte' | 'dce'
  /** Our initial line settings (sent by `open()` when `sendSettings`). */
  settings?: Partial<LineSettings>
  /** Send service type and line settings in the initial parameters (clients do). Default true for a DTE. */
  sendSettings?: boolean
  /** Service types a server accepts from the client's PI 0x00 (bit mask). Default: `service` only. */
  accept?: number
  dte?: DteLines
  dce?: DceLines
}

export type IrcommEvent =
  | { type: 'data', data: Uint8Array }
  /** Every control parameter received, in order, before its effect (settings, lines) is reported. */
  | { type: 'param', param: IrcommParam }
  | { type: 'settings', settings: LineSettings }
  /** The peer's lines as a DCE would present them (direct, or mapped from a null-modem peer's DTE). */
  | { type: 'lines', lines: DceLines, changed: Array<keyof DceLines> }
  /** The peer's DTE lines (a DCE's view of its computer). */
  | { type: 'dte', lines: DteLines, changed: Array<keyof DteLines> }
  | { type: 'service', service: ServiceName }
  | { type: 'line-status', value: number }
  | { type: 'break', value: number }
  /** Input refused (bad clen, bad tuple, a service type we do not offer): counted, never thrown. */
  | { type: 'refused', reason: string }

export interface IrcommSessionStats {
  framesIn: number
  framesOut: number
  bytesIn: number
  bytesOut: number
  paramsIn: number
  paramsOut: number
  /** Frames or tuples refused (clen past the end, truncated tuples, impossible lengths). */
  malformed: number
  /** Critical parameters received that we do not understand. */
  unknownCritical: number
}

/** Bytes queued for sending beyond which `write` reports backpressure (the driver waits for drain). */
export const TX_HIGH_WATER = 16 * 1024

export class IrcommSession {
  service: ServiceName
  readonly lineRole: 'dte' | 'dce'
  /** Our line settings, as last sent (or to be sent). */
  settings: LineSettings
  /** Settings the peer last sent; DEFAULT_SETTINGS until it says otherwise. */
  peerSettings: LineSettings
  /** Our lines (one of the two, by role). */
  dte: DteLines
  dce: DceLines
  /** The peer's lines as a DCE's, and as a DTE's (what it last reported). */
  peerDce: DceLines = { ...DEFAULT_DCE }
  peerDte: DteLines = { dtr: false, rts: false }
  readonly stats: IrcommSessionStats = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, paramsIn: 0, paramsOut: 0, malformed: 0, unknownCritical: 0 }
  private readonly accept: number
  private readonly sendSettings: boolean
  private readonly txData: Uint8Array[] = []
  private txBytes = 0
  private control: IrcommParam[] = []
  private readonly events: IrcommEvent[] = []
  private opened = false

  constructor (opts: IrcommSessionOptions) {
    this.service = opts.service
    this.lineRole = opts.lineRole ?? 'dte'
    this.settings = { ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) }
    this.peerSettings = { ...DEFAULT_SETTINGS }
    this.sendSettings = opts.sendSettings ?? this.lineRole === 'dte'
    this.accept = opts.accept ?? serviceBit(opts.service)
    this.dte = { ...(opts.dte ?? { dtr: true, rts: true }) }
    this.dce = { ...(opts.dce ?? DEFAULT_DCE) }
  }

  get raw (): boolean { return this.service === '3-wire-raw' }
  get nineWire (): boolean { return this.service === '9-wire' }
  /** Bytes written and not yet framed. */
  get queuedBytes (): number { return this.txBytes }
  /** True when pending control parameters or data wait for `pollTransmit`. */
  get wantsToSend (): boolean { return this.control.length > 0 || (this.txBytes > 0 && !this.heldByCts) }

  /** The connection is up: queues the initial parameters. */
  open (): void {
    if (this.opened) return
    this.opened = true
    if (this.raw) return
    // The client names the service type it chose and its line settings; a server has nothing
    // to name until the client has spoken, so it sends its lines only (9-wire).
    const initial: IrcommParam[] = []
    if (this.sendSettings) {
      initial.push(
        { type: 'service-type', value: serviceBit(this.service) },
        { type: 'data-rate', bps: this.settings.dataRate },
        { type: 'data-format', value: this.settings.dataFormat },
        { type: 'flow-control', value: this.settings.flowControl },
      )
    }
    if (this.nineWire) initial.push(this.lineParam())
    this.control.push(...initial)
  }

  /** Queues user data. Returns false once more than {@link TX_HIGH_WATER} bytes wait. */
  write (data: Uint8Array): boolean {
    if (data.length > 0) {
      this.txData.push(data.slice())
      this.txBytes += data.length
    }
    return this.txBytes <= TX_HIGH_WATER
  }

  /** Changes line settings; the changed ones go out on the control channel (not in raw mode). */
  setSettings (s: Partial<LineSettings>): void {
    const next = { ...this.settings, ...s }
    const out: IrcommParam[] = []
    if (next.dataRate !== this.settings.dataRate) out.push({ type: 'data-rate', bps: next.dataRate })
    if (next.dataFormat !== this.settings.dataFormat) out.push({ type: 'data-format', value: next.dataFormat })
    if (next.flowControl !== this.settings.flowControl) out.push({ type: 'flow-control', value: next.flowControl })
    if (next.xonXoff.xon !== this.settings.xonXoff.xon || next.xonXoff.xoff !== this.settings.xonXoff.xoff) out.push({ type: 'xon-xoff', ...next.xonXoff })
    if (next.enqAck.enq !== this.settings.enqAck.enq || next.enqAck.ack !== this.settings.enqAck.ack) out.push({ type: 'enq-ack', ...next.enqAck })
    this.settings = next
    this.sendParams(out)
  }

  /** Changes our DTE lines (a DTE's DTR/RTS); sent with delta bits on a 9-wire connection. */
  setDte (lines: Partial<DteLines>): void {
    const before = this.dte
    this.dte = { ...before, ...lines }
    if (this.lineRole === 'dte' && this.nineWire && (before.dtr !== this.dte.dtr || before.rts !== this.dte.rts)) {
      this.sendParams([{ type: 'dte', value: dteByte(this.dte, before) }])
    }
  }

  /** Changes our DCE lines (a DCE's CTS/DSR/RI/CD); sent with delta bits on a 9-wire connection. */
  setDce (lines: Partial<DceLines>): void {
    const before = this.dce
    this.dce = { ...before, ...lines }
    const changed = (Object.keys(this.dce) as Array<keyof DceLines>).some(k => before[k] !== this.dce[k])
    if (this.lineRole === 'dce' && this.nineWire && changed) this.sendParams([{ type: 'dce', value: dceByte(this.dce, before) }])
  }

  /** Reports line errors (PI 0x15: overrun 0x02, parity 0x04, framing 0x08). */
  sendLineStatus (value: number): void { this.sendParams([{ type: 'line-status', value }]) }
  /** Break on (1) or off (0) (PI 0x16). */
  sendBreak (value: number): void { this.sendParams([{ type: 'break', value }]) }
  /** Asks the peer to report its lines (PI 0x22). */
  poll (): void { this.sendParams([{ type: 'poll' }]) }

  /** Queues any parameters for the control channel (ignored in raw mode, which has none). */
  sendParams (params: readonly IrcommParam[]): void {
    if (this.raw || params.length === 0) return
    encodeParams(params) // throws RangeError now, in the caller, for values that do not fit
    this.control.push(...params)
  }

  /**
   * The next SDU to send, at most `maxSize` bytes (the TinyTP segment size: IrCOMM runs TinyTP
   * with SAR off, so one SDU must fit one PDU), or undefined. Control goes first, data fills the
   * rest of the frame. Data waits while CTS flow control is on and the peer's CTS is down.
   */
  pollTransmit (maxSize: number): Uint8Array | undefined {
    if (this.raw) {
      const data = this.takeData(maxSize)
      if (data === undefined) return undefined
      this.count(data.length)
      return data
    }
    if (maxSize <= CLEN_SIZE) return undefined
    const ctl = this.takeControl(Math.min(MAX_CLEN, maxSize - CLEN_SIZE))
    const data = this.heldByCts ? undefined : this.takeData(maxSize - CLEN_SIZE - ctl.length)
    if (ctl.length === 0 && data === undefined) return undefined
    this.count(data?.length ?? 0)
    return encodeCookedFrame(ctl, data)
  }

  /** An SDU arrived. Malformed input is counted and reported as a 'refused' event, never thrown. */
  handleFrame (frame: Uint8Array): void {
    this.stats.framesIn++
    if (this.raw) { this.deliver(frame); return }
    const f = decodeCookedFrame(frame)
    if (f === undefined) { this.refuse(frame.length === 0 ? 'empty cooked frame' : `clen ${frame[0]} runs past the ${frame.length}-byte frame`); return }
    if (f.control.length > 0) {
      const d = decodeParams(f.control)
      for (const p of d.params) this.onParam(p)
      if (d.error !== undefined) this.refuse(d.error)
    }
    this.deliver(f.data)
  }

  pollEvent (): IrcommEvent | undefined { return this.events.shift() }

  // ---- internals ----------------------------------------------------------------------------

  private get heldByCts (): boolean {
    return (this.settings.flowControl & (FLOW.RTS_CTS_IN | FLOW.RTS_CTS_OUT)) !== 0 && !this.peerDce.cts
  }

  private lineParam (): IrcommParam {
    return this.lineRole === 'dte' ? { type: 'dte', value: dteByte(this.dte) } : { type: 'dce', value: dceByte(this.dce) }
  }

  private count (dataBytes: number): void {
    this.stats.framesOut++
    this.stats.bytesOut += dataBytes
  }

  private takeControl (room: number): Uint8Array {
    const parts: Uint8Array[] = []
    let size = 0
    while (this.control.length > 0) {
      const bytes = encodeParams([this.control[0]])
      if (size + bytes.length > room) break
      parts.push(bytes)
      size += bytes.length
      this.control.shift()
      this.stats.paramsOut++
    }
    const out = new Uint8Array(size)
    let off = 0
    for (const p of parts) { out.set(p, off); off += p.length }
    return out
  }

  private takeData (room: number): Uint8Array | undefined {
    if (this.txBytes === 0 || room <= 0) return undefined
    const out = new Uint8Array(Math.min(room, this.txBytes))
    let off = 0
    while (off < out.length) {
      const head = this.txData[0]
      const n = Math.min(head.length, out.length - off)
      out.set(head.subarray(0, n), off)
      off += n
      if (n === head.length) this.txData.shift(); else this.txData[0] = head.subarray(n)
    }
    this.txBytes -= out.length
    return out
  }

  private deliver (data: Uint8Array): void {
    if (data.length === 0) return
    this.stats.bytesIn += data.length
    this.events.push({ type: 'data', data })
  }

  private refuse (reason: string): void {
    this.stats.malformed++
    this.events.push({ type: 'refused', reason })
  }

  private onParam (p: IrcommParam): void {
    this.stats.paramsIn++
    this.events.push({ type: 'param', param: p })
    switch (p.type) {
      case 'service-type': {
        const chosen = highestService(p.value & this.accept)
        if (chosen === undefined) { this.refuse(`service type 0x${p.value.toString(16)} is not one we offer (0x${this.accept.toString(16)})`); return }
        if (chosen !== this.service) { this.service = chosen; this.events.push({ type: 'service', service: chosen }) }
        return
      }
      case 'data-rate': this.peerSetting({ dataRate: p.bps }); return
      case 'data-format': this.peerSetting({ dataFormat: p.value }); return
      case 'flow-control': this.peerSetting({ flowControl: p.value }); return
      case 'xon-xoff': this.peerSetting({ xonXoff: { xon: p.xon, xoff: p.xoff } }); return
      case 'enq-ack': this.peerSetting({ enqAck: { enq: p.enq, ack: p.ack } }); return
      case 'line-status': this.events.push({ type: 'line-status', value: p.value }); return
      case 'break': this.events.push({ type: 'break', value: p.value }); return
      case 'poll': {
        // One answer pending is enough: it carries the lines as they are when it leaves, so a
        // peer polling while it withholds credit cannot grow our queue.
        const reply = this.lineParam()
        if (!this.control.some(q => q.type === reply.type)) this.sendParams([reply])
        return
      }
      case 'dce': this.peerDceLines(dceLines(p.value)); return
      case 'dte': {
        const lines = dteLines(p.value)
        const changed = (['dtr', 'rts'] as const).filter(k => lines[k] !== this.peerDte[k])
        this.peerDte = lines
        this.events.push({ type: 'dte', lines, changed })
        // A null modem: the other DTE's DTR is our DSR and CD, its RTS our CTS.
        if (this.lineRole === 'dte') this.peerDceLines({ cts: lines.rts, dsr: lines.dtr, cd: lines.dtr, ri: false })
        return
      }
      case 'unknown':
        if (isCritical(p.pi)) this.stats.unknownCritical++
        return
      default:
        return // port type and names belong in IAS; nothing to do on the control channel
    }
  }

  private peerSetting (s: Partial<LineSettings>): void {
    this.peerSettings = { ...this.peerSettings, ...s }
    this.events.push({ type: 'settings', settings: this.peerSettings })
  }

  private peerDceLines (lines: DceLines): void {
    const changed = (['cts', 'dsr', 'ri', 'cd'] as const).filter(k => lines[k] !== this.peerDce[k])
    this.peerDce = lines
    this.events.push({ type: 'lines', lines, changed })
  }
}

export const serviceBit = (s: ServiceName): number => Number(Object.entries(SERVICE_NAMES).find(([, n]) => n === s)?.[0] ?? 0)

/** The preferred service type in a bit mask: Centronics, then 9-wire, 3-wire, 3-wire raw (as Linux picks). */
export function highestService (mask: number): ServiceName | undefined {
  for (const bit of [SERVICE.CENTRONICS, SERVICE.NINE_WIRE, SERVICE.THREE_WIRE, SERVICE.RAW]) if ((mask & bit) !== 0) return SERVICE_NAMES[bit]
  return undefined
}
