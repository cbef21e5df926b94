/*!
 * One host's IrDA stack: an IrLAP station, the IrLMP multiplexer with its IAS server, and
 * TinyTP connections (or plain IrLMP ones), composed over a Port and run on the port's clock.
 *
 * The layers are pure state machines; this class is their driver. Every input (a port event,
 * a timer, an API call) runs `pump()`, which moves outputs between the layers until nothing
 * moves, then arms one timer on `port.clock` for the earliest deadline any layer has. So the
 * same code runs on a serial port in real time and in an emulated room in virtual time.
 */
import { SeededRandom, type Port, type PortEvent, type TimerHandle } from '@irdakit/core'
import { defaultQos, IrlapStation, type LapEvent, type LapTiming, type QosCapabilities, type QosFields } from '@irdakit/lap'
import { DisconnectReason, IrlmpMultiplexer, type AccessMode, type DeviceInfo, type IasEntry, type IasDatabase, type IasQueryResult, type LapRequest, type LmEvent } from '@irdakit/lmp'
import { TtpConnection, type LmIndication, type TtpOptions } from '@irdakit/ttp'
import { PcapWriter, type PcapRecord } from '@irdakit/capture'
import { TtpServer, TtpSocket } from './ttp-socket.js'
import { LMP_RX_HIGH_WATER, LmpServer, LmpSocket } from './lmp-socket.js'
import { ConnectionError, IasQueryError, StackClosedError } from './errors.js'

export interface IrdaStackOptions {
  port: Port
  /** Nickname announced in discovery and the IAS DeviceName (at most 22 bytes travel). */
  nickname: string
  /** 32-bit device address; random by default. */
  deviceAddress?: number
  /** Service hint bytes (IrLMP 1.1 section 3.4.1), e.g. [0x84, 0x04] = Computer + IrCOMM. Default [0x04] (Computer). */
  hints?: number[] | Uint8Array
  /** Nickname character set (0 ASCII, 1-9 ISO-8859-x, 0xFF Unicode). Default ASCII. */
  charset?: number
  /** What this host can do; speeds default to the port's supported speeds. Or exact QoS fields. */
  qos?: QosCapabilities | QosFields
  /** Seed for every random choice (addresses, slots, selectors): same seed, same run. Default random. */
  seed?: number
  /** IrLAP timing overrides (tests). */
  timing?: Partial<LapTiming>
  /** IrLMP timing. */
  linkIdleMs?: number
  connectTimeoutMs?: number
}

export interface DiscoverOptions {
  /** 1, 6, 8 or 16 slots. Default 6, as Linux and Windows CE. */
  slots?: 1 | 6 | 8 | 16
}

export interface TtpConnectOptions extends TtpOptions {
  deviceAddress: number
  /** The peer's selector (from an IAS query, or a fixed one like LSAP-SEL1). */
  remoteLsap: number
  userData?: Uint8Array
}

export interface TtpListenOptions extends TtpOptions {
  /** Selector to bind; allocated when absent. */
  lsap?: number
  /** Decides whether to take each incoming connection (default: take all). */
  accept?: (info: { deviceAddress: number, remoteLsap: number }) => boolean
}

export interface LmpConnectOptions {
  deviceAddress: number
  /** The peer's selector (from an IAS query of "IrDA:IrLMP:LsapSel", or a fixed one). */
  remoteLsap: number
  /** Connect user data (at most 60 bytes). */
  userData?: Uint8Array
}

export interface LmpListenOptions {
  /** Selector to bind; allocated when absent. */
  lsap?: number
  /** Decides whether to take each incoming connection (default: take all). */
  accept?: (info: { deviceAddress: number, remoteLsap: number }) => boolean
}

/** Connectionless data received on selector 0x70. */
export type ConnectionlessListener = (data: Uint8Array, sourceLsap: number) => void

/** A frame seen by this station: sent by it ('out') or received ('in'), stamped with the port's clock. */
export type FrameListener = (rec: PcapRecord) => void

export interface StackStats {
  port: Port['stats']
  lap: IrlapStation['stats']
  lmp: IrlmpMultiplexer['stats']
  stack: StackCounters
}

/** What the driver itself refused or dropped. */
export interface StackCounters {
  /** IrLMP connects to a TinyTP selector without a valid TinyTP connect PDU, refused (IrLMP reason 0xFF). */
  badTtpConnects: number
  /** Requests IrLAP refused in its state (the layer that made them was told: link failed, data lost). */
  lapRequestsRefused: number
}

/** How a discovery went: `ok` is a fresh answer; otherwise `devices` is the discovery log (not a fresh look). */
export interface DiscoveryResult {
  /** `media-busy`: another station held the medium; `link-in-use`: our link is up; `stack-closed`: closed meanwhile. */
  status: 'ok' | 'media-busy' | 'link-in-use' | 'stack-closed'
  devices: DeviceInfo[]
}

/** Only the TinyTP options that were given (TtpConnection has its own defaults). */
function ttpOptions (o: TtpOptions): TtpOptions {
  return { ...(o.rxWindow !== undefined ? { rxWindow: o.rxWindow } : {}), ...(o.maxSduSize !== undefined ? { maxSduSize: o.maxSduSize } : {}) }
}

const isFields = (q: QosCapabilities | QosFields | undefined): q is QosFields => q !== undefined && 'baudRate' in q

/** How late (ms) a turn that is due may go out at most while the stack's users get one macrotask to reply. */
const TURN_YIELD_MS = 0.001

export class IrdaStack {
  readonly port: Port
  readonly station: IrlapStation
  readonly lmp: IrlmpMultiplexer
  private readonly unlisten: () => void
  private timer: TimerHandle | undefined
  private timerAt: number | undefined
  /** The due-now turn armed last, and whether it still waits to run (see `arm`). */
  private turn = 0
  private turnPending = false
  private pumping = false
  private again = false
  private closedFlag = false
  /** The port reported 'closed': nothing more can be sent, whatever the layers still want. */
  private portGone = false
  private readonly discoveries: Array<(d: DiscoveryResult) => void> = []
  private readonly counters: StackCounters = { badTtpConnects: 0, lapRequestsRefused: 0 }
  private discoveryRunning = false
  private readonly iasWaiters = new Map<number, { resolve: (r: IasQueryResult) => void }>()
  private readonly sockets = new Map<number, TtpSocket>()
  private readonly servers = new Map<number, TtpServer>()
  private readonly lmpSockets = new Map<number, LmpSocket>()
  /** IrLAP local busy is set because a plain IrLMP connection holds too much unread data. */
  private lmpBusy = false
  /** IrLMP asked for the link to go down; done once IrLAP has no data pending. */
  private linkDisconnectWanted = false
  private readonly lmpServers = new Map<number, LmpServer>()
  private readonly frameListeners = new Set<FrameListener>()
  private readonly linkDownWaiters: Array<() => void> = []
  private readonly testWaiters: Array<(r: { ok: boolean, data: Uint8Array }) => void> = []
  private readonly accessWaiters = new Map<number, (status: 'success' | 'failure' | 'unsupported') => void>()
  private readonly connectionlessListeners = new Set<ConnectionlessListener>()

  private constructor (opts: IrdaStackOptions) {
    this.port = opts.port
    const random = new SeededRandom(opts.seed ?? (Math.random() * 0x100000000) >>> 0)
    const hints = Uint8Array.from(opts.hints ?? [0x04])
    this.lmp = new IrlmpMultiplexer({
      discoveryInfo: { hints, charset: opts.charset ?? 0, nickname: opts.nickname },
      random: random.fork(),
      ...(opts.linkIdleMs !== undefined ? { linkIdleMs: opts.linkIdleMs } : {}),
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    })
    const qos = isFields(opts.qos) ? opts.qos : defaultQos({ speeds: opts.port.supportedSpeeds, ...(opts.port.qos ?? {}), ...(opts.qos ?? {}) })
    this.station = new IrlapStation({
      random: random.fork(),
      qos,
      discoveryInfo: this.lmp.discoveryInfoBytes(),
      ...(opts.deviceAddress !== undefined ? { deviceAddress: opts.deviceAddress } : {}),
      ...(opts.timing !== undefined ? { timing: opts.timing } : {}),
    }, this.now())
    this.unlisten = this.port.listen(ev => this.onPort(ev))
    this.pump()
  }

  /** Creates a stack on a port. It answers discovery and connections from then on. */
  static create (opts: IrdaStackOptions): IrdaStack { return new IrdaStack(opts) }

  get deviceAddress (): number { return this.station.deviceAddress }
  /** The local IAS database. */
  get ias (): IasDatabase { return this.lmp.ias }
  get clock (): Port['clock'] { return this.port.clock }
  get closed (): boolean { return this.closedFlag }

  stats (): StackStats { return { port: this.port.stats, lap: this.station.stats, lmp: this.lmp.stats, stack: { ...this.counters } } }

  /**
   * Runs a discovery; resolves with the devices that answered, or, when it could not run (a
   * link is up, another station held the medium for too long), with the discovery log. Use
   * {@link runDiscovery} to tell the two apart.
   */
  async discover (opts: DiscoverOptions = {}): Promise<DeviceInfo[]> {
    return (await this.runDiscovery(opts)).devices
  }

  /**
   * Runs a discovery and says how it went. While another station discovers (IrLAP in REPLY),
   * the request waits, like a connect, for the medium to be quiet; refused, it resolves with
   * the discovery log (devices seen recently, those that discovered us included) and the status.
   */
  async runDiscovery (opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
    this.assertOpen()
    const p = new Promise<DiscoveryResult>(resolve => this.discoveries.push(resolve))
    if (!this.discoveryRunning) {
      this.discoveryRunning = true
      this.lmp.discover(opts.slots ?? 6)
      this.pump()
    }
    return await p
  }

  /** Devices seen recently, newest first; `hintMask` keeps those with any of its hint bits (byte 0 low). */
  discoveryLog (hintMask?: number): DeviceInfo[] { return this.lmp.discoveryLog(this.now(), hintMask) }

  /** GetValueByClass on a peer's IAS. Resolves with the return code and entries; rejects with IasQueryError when the query could not run. */
  async iasQuery (deviceAddress: number, className: string, attributeName: string): Promise<{ returnCode: number, entries: IasEntry[] }> {
    this.assertOpen()
    const id = this.lmp.iasQuery(this.now(), deviceAddress, className, attributeName)
    const result = await new Promise<IasQueryResult>(resolve => { this.iasWaiters.set(id, { resolve }); this.pump() })
    if (!result.ok) throw new IasQueryError(result.message, result.cause)
    return { returnCode: result.returnCode, entries: result.entries }
  }

  /** Binds a selector for TinyTP connections. */
  ttpListen (opts: TtpListenOptions = {}): TtpServer {
    this.assertOpen()
    const lsap = this.lmp.listen(opts.lsap)
    const server = new TtpServer(lsap, opts.accept ?? (() => true), ttpOptions(opts), () => { this.lmp.unlisten(lsap); this.servers.delete(lsap) })
    this.servers.set(lsap, server)
    return server
  }

  /** Opens a TinyTP connection; resolves once the peer accepted, rejects with ConnectionError otherwise. */
  async ttpConnect (opts: TtpConnectOptions): Promise<TtpSocket> {
    this.assertOpen()
    const ttp = new TtpConnection(ttpOptions(opts))
    ttp.connect(opts.userData)
    const first = ttp.pollLmRequest()
    const userData = first?.type === 'connect-request' ? first.userData : new Uint8Array(0)
    const conn = this.lmp.connect(this.now(), { deviceAddress: opts.deviceAddress, remoteLsap: opts.remoteLsap, userData })
    const local = this.lmp.connections().find(c => c.conn === conn)?.localLsap ?? 0
    const socket = new TtpSocket(ttp, local, opts.remoteLsap, opts.deviceAddress, () => this.pump())
    socket.lmConn = conn
    this.sockets.set(conn, socket)
    const p = new Promise<TtpSocket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket))
      socket.once('close', err => reject(err ?? new ConnectionError('TinyTP connect failed', 'unspecified')))
    })
    this.pump()
    return await p
  }

  /**
   * Binds a selector for plain IrLMP connections (no TinyTP): IrLPT, raw IrCOMM, IrSock's
   * IRLMP_IRLPT_MODE. See {@link LmpSocket} for how data and flow control work.
   */
  lmpListen (opts: LmpListenOptions = {}): LmpServer {
    this.assertOpen()
    const lsap = this.lmp.listen(opts.lsap)
    const server = new LmpServer(lsap, opts.accept ?? (() => true), () => { this.lmp.unlisten(lsap); this.lmpServers.delete(lsap) })
    this.lmpServers.set(lsap, server)
    return server
  }

  /** Opens a plain IrLMP connection; resolves once the peer accepted, rejects with ConnectionError otherwise. */
  async lmpConnect (opts: LmpConnectOptions): Promise<LmpSocket> {
    this.assertOpen()
    const conn = this.lmp.connect(this.now(), { deviceAddress: opts.deviceAddress, remoteLsap: opts.remoteLsap, userData: opts.userData ?? new Uint8Array(0) })
    const local = this.lmp.connections().find(c => c.conn === conn)?.localLsap ?? 0
    const socket = this.newLmpSocket(conn, local, opts.remoteLsap, opts.deviceAddress)
    const p = new Promise<LmpSocket>((resolve, reject) => {
      socket.once('connect', () => resolve(socket))
      socket.once('close', err => reject(err ?? new ConnectionError('IrLMP connect failed', 'unspecified')))
    })
    this.pump()
    return await p
  }

  /**
   * Sends an IrLAP TEST frame (to `deviceAddress` when no link is up, to the connected peer
   * otherwise) and resolves with the echoed data, or `ok: false` when no answer came. One TEST
   * exchange runs at a time; IrLAP refuses a second with InvalidStateError.
   */
  async test (opts: { data: Uint8Array, deviceAddress?: number }): Promise<{ ok: boolean, data: Uint8Array }> {
    this.assertOpen()
    this.station.testRequest(this.now(), opts)
    const p = new Promise<{ ok: boolean, data: Uint8Array }>(resolve => this.testWaiters.push(resolve))
    this.pump()
    return await p
  }

  /**
   * Asks the peer for exclusive (or back to multiplexed) access to the link for this socket's
   * LSAP connection (IrLMP 1.1 section 3.5.5). Resolves with the peer's answer; exclusive mode
   * fails while other LSAP connections share the link.
   */
  async accessMode (socket: TtpSocket | LmpSocket, mode: AccessMode): Promise<'success' | 'failure' | 'unsupported'> {
    this.assertOpen()
    const p = new Promise<'success' | 'failure' | 'unsupported'>(resolve => this.accessWaiters.set(socket.lmConn, resolve))
    this.lmp.accessMode(this.now(), socket.lmConn, mode)
    this.pump()
    return await p
  }

  /** Sends connectionless data (one UI frame to selector 0x70; delivered at most once, to every station in range when no link is up). */
  sendConnectionless (data: Uint8Array): void {
    this.assertOpen()
    this.lmp.sendConnectionless(data)
    this.pump()
  }

  /** Calls `listener` with connectionless data received. Returns an unsubscribe function. */
  onConnectionless (listener: ConnectionlessListener): () => void {
    this.connectionlessListeners.add(listener)
    return () => this.connectionlessListeners.delete(listener)
  }

  /** Calls `listener` with every frame this station sends or receives. Returns an unsubscribe function. */
  onFrame (listener: FrameListener): () => void {
    this.frameListeners.add(listener)
    return () => this.frameListeners.delete(listener)
  }

  /** Writes every frame this station sends or receives to a pcap file (LINKTYPE_LINUX_IRDA). */
  capture (path: string): { close: () => void } {
    const w = new PcapWriter(path)
    const off = this.onFrame(rec => w.write(rec))
    return { close: () => { off(); w.close() } }
  }

  /**
   * Closes every connection (flushing queued data), disconnects the link and detaches from the
   * port. Resolves once the link is down or `timeoutMs` (default 3000) has passed on the port's clock.
   */
  async close (timeoutMs = 3000): Promise<void> {
    if (this.closedFlag) return
    // Closing the stack under a connection is an abort for its user. The peer reads an orderly
    // close only once everything is delivered: queued data is flushed first, and a connection
    // whose received data nobody read is reset (0xFF), as a socket closed with unread data is.
    for (const s of [...this.sockets.values()]) {
      s.stackClosing = true
      if (s.readableBytes > 0) s.reset(); else s.close({ flush: true })
    }
    for (const s of [...this.lmpSockets.values()]) {
      s.stackClosing = true
      if (s.readableBytes > 0) s.reset(); else s.close({ flush: true })
    }
    for (const srv of [...this.servers.values(), ...this.lmpServers.values()]) srv.close()
    // A query under way is abandoned like a connection, whether or not its answer would make it
    // in before the link goes down.
    for (const [id, w] of [...this.iasWaiters]) { this.iasWaiters.delete(id); w.resolve({ ok: false, cause: 'lm-initiated', message: 'the IrDA stack closed' }) }
    this.pump()
    if (this.lmp.linkState().state !== 'down') {
      await new Promise<void>(resolve => {
        const t = this.port.clock.setTimer(this.now() + timeoutMs, resolve)
        this.linkDownWaiters.push(() => { t.cancel(); resolve() })
        // As for the idle link: the DISC waits until IrLAP has delivered what it holds.
        if (this.sockets.size === 0 && this.lmpSockets.size === 0) this.linkDisconnectWanted = true
        this.pump()
      })
    }
    this.closedFlag = true
    this.cancelTimer()
    this.unlisten()
    // Still open after the timeout: their peers find out when the link times out (never an orderly close).
    for (const s of [...this.sockets.values()]) s.ended(undefined, undefined)
    for (const s of [...this.lmpSockets.values()]) s.ended(undefined)
    for (const [, w] of this.iasWaiters) w.resolve({ ok: false, cause: 'lm-initiated', message: 'the IrDA stack closed' })
    for (const d of this.discoveries.splice(0)) d({ status: 'stack-closed', devices: [] })
  }

  // ---- the driver ----------------------------------------------------------------------

  private now (): number { return this.port.clock.now() }

  private assertOpen (): void { if (this.closedFlag) throw new StackClosedError() }

  private onPort (ev: PortEvent): void {
    if (this.closedFlag) return
    const now = this.now()
    switch (ev.type) {
      case 'frame':
        for (const l of this.frameListeners) l({ timestampMs: ev.at, direction: 'in', frame: ev.frame })
        this.station.handleFrame(now, ev.frame)
        break
      case 'rx-error': this.station.handleRxError(now, ev.reason); break
      case 'media':
        this.station.handleMediaBusy(now, ev.busy)
        // Media sense matters to IrLAP only in contention (discovery, a waiting NDM frame); on a
        // link (two events a frame) it changes nothing, and nothing above IrLAP hears of it.
        if (this.station.link !== undefined && !this.station.hasOutput) { this.arm(); return }
        break
      case 'tx-done': this.station.handleTxDone(now); break
      case 'closed':
        // The device is gone: the link cannot survive it. IrLAP's own timers would find out in
        // seconds; tell every layer now, and stop handing frames to a dead port.
        this.portGone = true
        this.lmp.handleLapEvent(now, { type: 'disconnect-indication', reason: 'link-lost' })
        break
    }
    this.pump()
  }

  /** Moves outputs between the layers until none is left, then re-arms the timer. */
  private pump (): void {
    if (this.pumping) { this.again = true; return }
    this.pumping = true
    try {
      do {
        this.again = false
        this.step()
      } while (this.again)
    } finally {
      this.pumping = false
    }
    this.arm()
  }

  private step (): void {
    const now = this.now()
    for (let moved = true; moved;) {
      moved = false
      for (let a = this.station.pollTransmit(); a !== undefined; a = this.station.pollTransmit()) {
        moved = true
        if (this.portGone) continue
        if (a.type === 'frame') {
          for (const l of this.frameListeners) l({ timestampMs: now, direction: 'out', frame: a.frame })
          this.port.send(a.frame, { xbofs: a.xbofs })
        } else if (a.type === 'speed') {
          this.port.setSpeed(a.bps).catch(() => { /* a closed port reports itself with a 'closed' event */ })
        } else {
          this.port.setMinTurnaround(a.ms)
        }
      }
      for (let e = this.station.pollEvent(); e !== undefined; e = this.station.pollEvent()) {
        moved = true
        this.onLapEvent(now, e)
      }
      for (let r = this.lmp.pollLapRequest(); r !== undefined; r = this.lmp.pollLapRequest()) {
        moved = true
        this.toLap(now, r)
      }
      for (let e = this.lmp.pollEvent(); e !== undefined; e = this.lmp.pollEvent()) {
        moved = true
        this.onLmEvent(now, e)
      }
      // Map iteration survives the deletes a drain may do; no copy of the values per step.
      for (const s of this.sockets.values()) if (this.drainTtp(now, s)) moved = true
      for (const s of this.lmpSockets.values()) if (this.drainLmp(now, s)) moved = true
      if (this.linkDisconnectWanted && this.station.pendingData === 0) {
        this.linkDisconnectWanted = false
        this.station.disconnectRequest(now)
        moved = true
      }
    }
    this.updateLocalBusy(now)
  }

  private onLapEvent (now: number, e: LapEvent): void {
    if (e.type === 'test-confirm') { this.testWaiters.shift()?.({ ok: e.ok, data: e.data }); return }
    this.lmp.handleLapEvent(now, e)
    if (e.type === 'disconnect-indication') {
      this.linkDisconnectWanted = false
      for (const w of this.linkDownWaiters.splice(0)) w()
    }
  }

  /**
   * Hands one IrLMP request to IrLAP. IrLAP may refuse it in its state (the link went down in
   * the same turn, another station's connection holds the medium): then IrLMP hears what that
   * means, so the two never disagree about the link, and nothing throws through the pump.
   */
  private toLap (now: number, r: LapRequest): void {
    try {
      this.requestLap(now, r)
    } catch (e) {
      this.counters.lapRequestsRefused++
      switch (r.type) {
        case 'connect': this.lmp.handleLapEvent(now, { type: 'disconnect-indication', reason: 'no-answer' }); break
        case 'connect-response': this.lmp.handleLapEvent(now, { type: 'disconnect-indication', reason: 'link-lost' }); break
        case 'discovery': this.lmp.handleLapEvent(now, { type: 'discovery-confirm', status: 'media-busy', devices: [], conflicts: [] }); break
        default: break // data on a link that is gone: its disconnect indication is on its way
      }
      void e
    }
  }

  private requestLap (now: number, r: LapRequest): void {
    const s = this.station
    switch (r.type) {
      case 'discovery': s.discoveryRequest(now, { slots: r.slots }); break
      case 'connect': s.connectRequest(now, { deviceAddress: r.deviceAddress }); break
      case 'connect-response': s.connectResponse(now); break
      // IrLMP closes an idle link 2 s after its last LSAP connection ended, but IrLAP may still
      // hold that connection's last frames (its data, its disconnect PDU): a DISC now would drop
      // them. So the link goes down once IrLAP has delivered everything it was given.
      case 'disconnect': this.linkDisconnectWanted = true; break
      case 'data': s.dataRequest(now, r.data); break
      case 'unitdata': s.unitdataRequest(now, r.data); break
      case 'reset-response': s.resetResponse(now); break
    }
  }

  private onLmEvent (now: number, e: LmEvent): void {
    switch (e.type) {
      case 'discovery-confirm':
        this.discoveryRunning = false
        for (const d of this.discoveries.splice(0)) d({ status: e.status, devices: e.devices })
        break
      case 'ias-result': {
        const w = this.iasWaiters.get(e.query)
        this.iasWaiters.delete(e.query)
        w?.resolve(e.result)
        break
      }
      case 'connect-indication': this.onConnectIndication(now, e); break
      case 'connect-confirm': {
        const ls = this.lmpSockets.get(e.conn)
        if (ls === undefined) { this.feed(e.conn, { type: 'connect-confirm', userData: e.userData, maxDataSize: this.lmp.maxDataSize(), ...this.lapWindow() }); break }
        if (ls.state === 'connecting') ls.state = 'open'
        ls.emit('connect')
        break
      }
      case 'data-indication': {
        const ls = this.lmpSockets.get(e.conn)
        if (ls === undefined) this.feed(e.conn, { type: 'data-indication', pdu: e.data }); else ls.received(e.data)
        break
      }
      case 'disconnect-indication': {
        const ls = this.lmpSockets.get(e.conn)
        if (ls === undefined) { this.feed(e.conn, { type: 'disconnect-indication', reason: e.reason, userData: e.userData }); break }
        this.lmpSockets.delete(e.conn)
        this.accessWaiters.get(e.conn)?.('failure')
        this.accessWaiters.delete(e.conn)
        ls.ended(e.reason)
        break
      }
      case 'link-down':
        for (const w of this.linkDownWaiters.splice(0)) w()
        break
      case 'access-mode-confirm': {
        const w = this.accessWaiters.get(e.conn)
        this.accessWaiters.delete(e.conn)
        w?.(e.status)
        break
      }
      case 'connectionless-indication':
        for (const l of this.connectionlessListeners) l(e.data, e.sourceLsap)
        break
      default:
        break
    }
  }

  private onConnectIndication (now: number, e: Extract<LmEvent, { type: 'connect-indication' }>): void {
    const lmpServer = this.lmpServers.get(e.localLsap)
    if (lmpServer !== undefined) { this.onLmpConnectIndication(now, lmpServer, e); return }
    const server = this.servers.get(e.localLsap)
    if (server === undefined) {
      // Refused at IrLMP level: the client's connect fails with "no available client".
      this.lmp.disconnect(now, e.conn, new Uint8Array(0), DisconnectReason.NO_AVAILABLE_CLIENT)
      return
    }
    const ttp = new TtpConnection(server.ttpOptions)
    ttp.handle({ type: 'connect-indication', userData: e.userData, maxDataSize: this.lmp.maxDataSize(), ...this.lapWindow() })
    if (ttp.state !== 'incoming') {
      // No valid TinyTP connect PDU (a plain IrLMP client such as Winsock's IRLPT mode, or
      // garbage): TinyTP cannot take it, so it is refused on the wire with a reason, and counted.
      this.counters.badTtpConnects++
      this.lmp.disconnect(now, e.conn, new Uint8Array(0), DisconnectReason.UNSPECIFIED)
      return
    }
    if (!server.accept({ deviceAddress: e.deviceAddress, remoteLsap: e.remoteLsap })) {
      // We were listening, so the refusal is ours to state (user request).
      this.lmp.disconnect(now, e.conn, new Uint8Array(0), DisconnectReason.USER_REQUEST)
      return
    }
    const socket = new TtpSocket(ttp, e.localLsap, e.remoteLsap, e.deviceAddress, () => this.pump())
    socket.lmConn = e.conn
    this.sockets.set(e.conn, socket)
    socket.server = server
    ttp.accept()
  }

  private onLmpConnectIndication (now: number, server: LmpServer, e: Extract<LmEvent, { type: 'connect-indication' }>): void {
    if (!server.accept({ deviceAddress: e.deviceAddress, remoteLsap: e.remoteLsap })) {
      this.lmp.disconnect(now, e.conn, new Uint8Array(0), DisconnectReason.USER_REQUEST)
      return
    }
    this.lmp.accept(now, e.conn)
    const socket = this.newLmpSocket(e.conn, e.localLsap, e.remoteLsap, e.deviceAddress)
    socket.state = 'open'
    socket.server = server
    server.emit('connection', socket)
  }

  private newLmpSocket (conn: number, localLsap: number, remoteLsap: number, deviceAddress: number): LmpSocket {
    const socket = new LmpSocket(localLsap, remoteLsap, deviceAddress, () => this.lmp.maxDataSize(), () => this.pump())
    socket.lmConn = conn
    this.lmpSockets.set(conn, socket)
    return socket
  }

  /**
   * Moves one plain IrLMP connection's queued PDUs into IrLMP, one per turn of the step loop
   * (so IrLAP's count of pending frames is current) while IrLAP holds fewer than two windows of
   * them; then reports 'drain', and ends a closing connection once its queue is empty.
   */
  private drainLmp (now: number, s: LmpSocket): boolean {
    if (s.state === 'connecting' || s.state === 'closed') return false
    const window = this.station.link?.txWindowSize ?? 1
    if (s.txQueue.length > 0 && this.station.pendingData < 2 * window) {
      this.lmp.send(now, s.lmConn, s.sent() as Uint8Array)
      return true
    }
    if (s.txQueue.length > 0) return false
    if (s.txBlocked && s.state === 'open') { s.txBlocked = false; s.emit('drain'); return true }
    if (s.state === 'closing') {
      this.lmp.disconnect(now, s.lmConn, new Uint8Array(0), s.closeReason)
      this.lmpSockets.delete(s.lmConn)
      s.ended(undefined)
      return true
    }
    return false
  }

  /** IrLAP local busy (RNR) while a plain IrLMP connection holds too many unread PDUs; cleared at half. */
  private updateLocalBusy (now: number): void {
    let busy = false
    for (const s of this.lmpSockets.values()) {
      if (s.rxQueue.length >= (this.lmpBusy ? LMP_RX_HIGH_WATER / 2 : LMP_RX_HIGH_WATER)) busy = true
    }
    if (busy !== this.lmpBusy) {
      this.lmpBusy = busy
      this.station.setLocalBusy(now, busy)
      this.pump() // the RR/RNR it may queue
    }
  }

  private feed (conn: number, ind: LmIndication): void {
    const s = this.sockets.get(conn)
    if (s !== undefined) s.ttp.handle(ind)
  }

  /** The IrLAP window the peer may send us, for TinyTP's credit rule. */
  private lapWindow (): { lapWindow?: number } {
    const w = this.station.link?.rxWindowSize
    return w === undefined ? {} : { lapWindow: w }
  }

  /**
   * Moves one TinyTP connection's requests into IrLMP and its events to its socket. TinyTP
   * first hears how much IrLAP takes: data while IrLAP holds fewer than two windows of it (one
   * on the air, the next ready, so a turn never waits for TinyTP), and a part-filled stream PDU
   * only when IrLAP holds nothing of ours (all acknowledged): until the peer's next reply a new
   * frame could not leave anyway, so meanwhile stream bytes fill it at no cost in time.
   */
  private drainTtp (now: number, s: TtpSocket): boolean {
    let moved = false
    if (s.ttp.state === 'connected' || s.ttp.state === 'closing') {
      const window = this.station.link?.txWindowSize ?? 1
      // IrLAP's frame size advice (smaller frames while they are being lost), as LM data bytes.
      const link = this.station.link
      const advised = this.station.advisedDataSize
      if (link !== undefined && advised !== undefined) s.ttp.setLmDataSizeAdvice(this.lmp.maxDataSize() - (link.txDataSize - advised))
      s.ttp.setLmFlow(2 * window - this.station.pendingData, this.station.pendingData === 0)
    }
    for (let r = s.ttp.pollLmRequest(); r !== undefined; r = s.ttp.pollLmRequest()) {
      moved = true
      switch (r.type) {
        case 'connect-request': break // sent with lmp.connect in ttpConnect
        case 'connect-response': this.lmp.accept(now, s.lmConn, r.userData); break
        case 'data-request': this.lmp.send(now, s.lmConn, r.pdu, r.headroom); break
        case 'disconnect-request':
          this.lmp.disconnect(now, s.lmConn, r.userData, r.reason ?? (s.resetting ? DisconnectReason.UNSPECIFIED : DisconnectReason.USER_REQUEST))
          // TinyTP cutting a connection itself (a reason given) reports why in the event that follows.
          if (r.reason !== undefined) break
          this.sockets.delete(s.lmConn)
          s.ended(undefined, undefined)
          break
      }
    }
    for (let e = s.ttp.pollEvent(); e !== undefined; e = s.ttp.pollEvent()) {
      moved = true
      switch (e.type) {
        case 'connect-confirm': s.emit('connect'); break
        case 'connect-indication': s.server?.emit('connection', s); break
        case 'readable': s.emit('readable'); break
        case 'writable': s.emit('drain'); break
        case 'disconnect-indication':
          this.sockets.delete(s.lmConn)
          this.accessWaiters.get(s.lmConn)?.('failure')
          this.accessWaiters.delete(s.lmConn)
          s.ended(e.reason, e.lost)
          break
      }
    }
    return moved
  }

  private arm (): void {
    if (this.closedFlag) return
    const lap = this.station.nextDeadline()
    const lmp = this.lmp.nextDeadline()
    const at = lap === undefined ? lmp : lmp === undefined ? lap : Math.min(lap, lmp)
    if (at === this.timerAt) return
    this.cancelTimer()
    this.timerAt = at
    if (at === undefined) return
    if (at > this.now()) { this.timer = this.port.clock.setTimer(at, this.fireTimer); return }
    // Due already: IrLAP's turn (its answer to a poll, or the primary taking the line back).
    // It runs from the next macrotask, so the promise chains of the stack's users have run and
    // what they send in reply (an IrSock connect after its IAS answer) goes in this turn, not
    // after another RR/RR round: a VirtualClock fires a timer set for now before any of them.
    // A clock timer just after is the backstop, so virtual time never runs past the turn.
    // Whichever comes first runs the turn; `turn` tells a stale one (cancelled) from the live one.
    const turn = ++this.turn
    this.turnPending = true
    this.timer = this.port.clock.setTimer(this.now() + TURN_YIELD_MS, this.runTurnNow)
    setImmediate(this.runTurn, turn)
  }

  private cancelTimer (): void {
    this.timer?.cancel()
    this.timer = undefined
    this.turnPending = false
  }

  /** The armed deadline came (bound once: a closure per arm costs more than the arm). */
  private readonly fireTimer = (): void => {
    this.timerAt = undefined
    this.timer = undefined
    if (this.closedFlag) return
    const now = this.now()
    this.station.poll(now)
    this.lmp.poll(now)
    this.pump()
  }

  private readonly runTurn = (turn: number): void => {
    if (turn !== this.turn || !this.turnPending) return
    this.cancelTimer()
    this.fireTimer()
  }

  private readonly runTurnNow = (): void => { this.runTurn(this.turn) }
}
