/*!
 * The IrLMP multiplexer (LM-MUX) and link manager for one IrLAP station (IrLMP 1.1 sections
 * 3 and 4), sans-I/O:
 *
 * - `handleLapEvent(now, ev)` feeds what IrLAP reported; requests from above are methods
 *   (`connect`, `accept`, `send`, `disconnect`, `iasQuery`, ...);
 * - `poll(now)` fires due timers, `nextDeadline()` says when;
 * - `pollLapRequest()` drains what IrLAP must do, `pollEvent()` what the user must hear.
 *
 * Many LSAP connections share the one IrLAP connection. The link opens on the first LSAP
 * connect and closes `linkIdleMs` after the last one ends (Linux waits 2 s, as the reference
 * session shows). A link failure ends every LSAP connection on it with the matching reason.
 * Selector 0x00 is served by the built-in IAS server; IAS queries run as short-lived client
 * connections, as Linux and Windows do.
 */
import { LocalProtocolError, type Random } from '@irdakit/core'
import { emitDiscoveryInfo, parseDiscoveryInfo, type DiscoveryInfo, type LapEvent } from '@irdakit/lap'
import { DisconnectReason, emitLmpPdu, LSAP, parseLmpPdu, type AccessMode, type LmpPdu } from './pdu.js'
import { causeOf, type DeviceInfo, type IasQueryResult, type LapRequest, type LmEvent } from './service.js'
import { IasDatabase } from './ias/database.js'
import {
  encodeGetValueByClass, encodeGetValueByClassResponse, iapAck, IAP_OPCODE, IasReturn, parseGetValueByClass,
  parseGetValueByClassResponse, parseIapControl, segmentIap,
} from './ias/iap.js'

export interface LmpConfig {
  /** Hints, charset and nickname we announce in discovery. */
  discoveryInfo: DiscoveryInfo
  /** The local IAS database (a new one with the Device object by default). */
  ias?: IasDatabase
  random: Random
  /** Keep the IrLAP link this long after the last LSAP connection closes. Default 2000 ms. */
  linkIdleMs?: number
  /** Give up on an LSAP connect the peer does not answer. Default 5000 ms (Linux' LSAP watchdog). */
  connectTimeoutMs?: number
  /** Forget discovered devices not seen for this long. Default 10000 ms. */
  discoveryExpiryMs?: number
  /** Most devices the discovery log holds; the longest unseen goes first. Default 64. */
  discoveryLogLimit?: number
}

type Owner = 'user' | 'ias-server' | 'ias-client'
type ConnState = 'awaiting-link' | 'connecting' | 'incoming' | 'open'

interface Conn {
  id: number
  local: number
  remote: number
  state: ConnState
  owner: Owner
  connectUserData: Uint8Array
  deadline?: number
  exclusive: boolean
  /** IAP exchange state for IAS connections. */
  iap?: IapExchange
}

interface IapExchange {
  query?: number
  /** The request a client sends once its connection is open (segmented then, to the link's size). */
  requestBody?: Uint8Array
  /** Body bytes received so far for the operation in progress. */
  rxBody: number[]
  /** Frames still to send after the peer acknowledges the one in flight. */
  txQueue: Uint8Array[]
  awaitingAck: boolean
  opcode: number
}

type LinkState = 'down' | 'connecting' | 'up' | 'closing'

export interface LmpStats {
  pdusSent: number
  pdusReceived: number
  malformed: number
  iasQueriesServed: number
  /** Devices in the discovery log now. */
  discoveryLogSize: number
  /** Log entries dropped to make room (a flood of spoofed discovery answers shows here). */
  discoveryLogEvicted: number
}

export class IrlmpMultiplexer {
  readonly ias: IasDatabase
  readonly stats: LmpStats = { pdusSent: 0, pdusReceived: 0, malformed: 0, iasQueriesServed: 0, discoveryLogSize: 0, discoveryLogEvicted: 0 }
  private readonly cfg: Required<Omit<LmpConfig, 'ias'>>
  private readonly lapOut: LapRequest[] = []
  private readonly events: LmEvent[] = []
  private readonly conns = new Map<number, Conn>()
  private readonly listening = new Set<number>()
  private readonly log = new Map<number, DeviceInfo>()
  private nextConn = 1
  private nextQuery = 1
  private link: { state: LinkState, deviceAddress?: number, txDataSize: number, idleDeadline?: number } = { state: 'down', txDataSize: 64 }

  constructor (cfg: LmpConfig) {
    this.ias = cfg.ias ?? new IasDatabase(cfg.discoveryInfo.nickname)
    this.cfg = {
      discoveryInfo: cfg.discoveryInfo,
      random: cfg.random,
      linkIdleMs: cfg.linkIdleMs ?? 2000,
      connectTimeoutMs: cfg.connectTimeoutMs ?? 5000,
      discoveryExpiryMs: cfg.discoveryExpiryMs ?? 10000,
      discoveryLogLimit: cfg.discoveryLogLimit ?? 64,
    }
  }

  /** Most devices the discovery log holds. */
  get discoveryLogLimit (): number { return this.cfg.discoveryLogLimit }

  // ---- outputs -------------------------------------------------------------------------

  pollLapRequest (): LapRequest | undefined { return this.lapOut.shift() }
  pollEvent (): LmEvent | undefined { return this.events.shift() }

  /** Discovery info bytes for the IrLAP station's XID frames. */
  discoveryInfoBytes (): Uint8Array { return emitDiscoveryInfo(this.cfg.discoveryInfo) }

  /** The IrLAP link: who it is with and how many bytes one LM-MUX PDU may hold. */
  linkState (): { state: LinkState, deviceAddress?: number, maxPdu: number } {
    return { state: this.link.state, deviceAddress: this.link.deviceAddress, maxPdu: this.link.txDataSize }
  }

  /** Largest user data of one LM data PDU on the current link. */
  maxDataSize (): number { return this.link.txDataSize - 2 }

  nextDeadline (): number | undefined {
    let t = this.link.idleDeadline
    for (const c of this.conns.values()) if (c.deadline !== undefined && (t === undefined || c.deadline < t)) t = c.deadline
    return t
  }

  poll (now: number): void {
    for (const c of [...this.conns.values()]) {
      if (c.deadline !== undefined && c.deadline <= now) {
        c.deadline = undefined
        // The peer's LM-MUX client never answered: tell it we gave up, and our user why.
        this.sendPdu({ kind: 'disconnect', dlsap: c.remote, slsap: c.local, reason: DisconnectReason.NON_RESPONSIVE_CLIENT, userData: new Uint8Array(0) })
        this.end(now, c, DisconnectReason.NON_RESPONSIVE_CLIENT, new Uint8Array(0))
      }
    }
    if (this.link.idleDeadline !== undefined && this.link.idleDeadline <= now) {
      this.link.idleDeadline = undefined
      if (this.conns.size === 0 && this.link.state === 'up') {
        this.link.state = 'closing'
        this.lapOut.push({ type: 'disconnect' })
      }
    }
  }

  // ---- discovery -----------------------------------------------------------------------

  discover (slots: 1 | 6 | 8 | 16 = 6): void { this.lapOut.push({ type: 'discovery', slots }) }

  /** The discovery log, newest first, without expired entries; optionally only devices with one of the hint bits in `hintMask` (byte 0 in bits 0..7, byte 1 in bits 8..15). */
  discoveryLog (now: number, hintMask?: number): DeviceInfo[] {
    const out: DeviceInfo[] = []
    for (const [addr, d] of this.log) {
      if (now - d.lastSeen > this.cfg.discoveryExpiryMs && this.link.deviceAddress !== addr) { this.log.delete(addr); this.stats.discoveryLogSize = this.log.size; continue }
      if (hintMask !== undefined && (hintBits(d.hints) & hintMask) === 0) continue
      out.push(d)
    }
    return out.sort((a, b) => b.lastSeen - a.lastSeen)
  }

  // ---- LSAPs and connections -----------------------------------------------------------

  /** Binds a selector for incoming connections; `undefined` allocates a free one (0x01-0x6F). */
  listen (lsap?: number): number {
    const sel = lsap ?? this.allocateLsap()
    if (sel < LSAP.FIRST || sel > LSAP.LAST) throw new LocalProtocolError(`LSAP selector 0x${sel.toString(16)} is not in 0x01-0x6F`)
    if (this.listening.has(sel)) throw new LocalProtocolError(`LSAP selector 0x${sel.toString(16)} is already bound`)
    this.listening.add(sel)
    return sel
  }

  unlisten (lsap: number): void { this.listening.delete(lsap) }

  isBound (lsap: number): boolean { return this.listening.has(lsap) || [...this.conns.values()].some(c => c.local === lsap) }

  /** Allocates a free selector in 0x01-0x6F. */
  allocateLsap (): number {
    const start = LSAP.FIRST + this.cfg.random.int(LSAP.LAST - LSAP.FIRST + 1)
    for (let i = 0; i <= LSAP.LAST - LSAP.FIRST; i++) {
      const sel = LSAP.FIRST + ((start - LSAP.FIRST + i) % (LSAP.LAST - LSAP.FIRST + 1))
      if (!this.isBound(sel)) return sel
    }
    throw new LocalProtocolError('no free LSAP selector (0x01-0x6F all in use)')
  }

  /**
   * LM-Connect.request: opens an LSAP connection to `remoteLsap` on `deviceAddress`, bringing
   * the IrLAP link up first if needed. Returns the connection handle; a `connect-confirm` or
   * `disconnect-indication` event follows.
   */
  connect (now: number, req: { deviceAddress: number, remoteLsap: number, localLsap?: number, userData?: Uint8Array }): number {
    return this.open(now, req, 'user')
  }

  private open (now: number, req: { deviceAddress: number, remoteLsap: number, localLsap?: number, userData?: Uint8Array }, owner: Owner): number {
    const a = req.deviceAddress
    if (!Number.isInteger(a) || a <= 0 || a >= 0xFFFFFFFF) {
      throw new InvalidDeviceAddressError(`device address ${Number.isInteger(a) && a >= 0 && a <= 0xFFFFFFFF ? `0x${hex32(a)}` : String(a)} is not a station's: 0 and 0xFFFFFFFF are reserved, and an address is a 32-bit integer`)
    }
    if (this.link.state === 'up' && this.conns.size === 0 && this.link.deviceAddress !== a) {
      // The link is only held for the idle time, for nobody: release it for the new device
      // (the DISC waits for IrLAP to deliver what it holds; the connect follows, see onLinkDown).
      this.link.idleDeadline = undefined
      this.link.state = 'closing'
      this.lapOut.push({ type: 'disconnect' })
    }
    if (this.link.state !== 'down' && this.link.state !== 'closing' && this.link.deviceAddress !== req.deviceAddress) {
      throw new LmLinkBusyError(`an IrLAP link to 0x${hex32(this.link.deviceAddress ?? 0)} is up; IrLMP has one link at a time`)
    }
    if ([...this.conns.values()].some(c => c.exclusive)) throw new LmLinkBusyError('the link is in exclusive mode')
    const userData = req.userData ?? new Uint8Array(0)
    if (userData.length > 60) throw new LocalProtocolError(`connect user data of ${userData.length} bytes exceeds 60`)
    const local = req.localLsap ?? this.allocateLsap()
    const c: Conn = { id: this.nextConn++, local, remote: req.remoteLsap & 0x7F, state: 'awaiting-link', owner, connectUserData: userData, exclusive: false }
    this.conns.set(c.id, c)
    this.link.idleDeadline = undefined
    if (this.link.state === 'up' && this.link.deviceAddress === req.deviceAddress) {
      this.sendConnect(now, c)
    } else if (this.link.state === 'down') {
      this.link = { state: 'connecting', deviceAddress: req.deviceAddress, txDataSize: 64 }
      this.lapOut.push({ type: 'connect', deviceAddress: req.deviceAddress })
    } else if (this.link.state === 'closing') {
      // Reopened once the closing link has gone (see onLinkDown).
      this.link.deviceAddress = req.deviceAddress
    }
    return c.id
  }

  /** LM-Connect.response: accepts an indicated connection. */
  accept (now: number, conn: number, userData: Uint8Array = new Uint8Array(0)): void {
    const c = this.conns.get(conn)
    if (c === undefined || c.state !== 'incoming') throw new LocalProtocolError(`connection ${conn} is not waiting to be accepted`)
    c.state = 'open'
    this.sendPdu({ kind: 'connect-confirm', dlsap: c.remote, slsap: c.local, userData })
    void now
  }

  /**
   * LM-Data.request. The data must fit one LM-MUX PDU ({@link maxDataSize}); TinyTP segments above.
   * `headroom`, if given, is `data` with two free bytes in front: the header goes there, no copy
   * (the caller hands the array over).
   */
  send (now: number, conn: number, data: Uint8Array, headroom?: Uint8Array): void {
    const c = this.conns.get(conn)
    if (c === undefined || c.state !== 'open') throw new LmNotConnectedError(`connection ${conn} is not open`)
    if (data.length > this.maxDataSize()) throw new LocalProtocolError(`${data.length} bytes exceed the ${this.maxDataSize()}-byte LM-MUX data size of this link`)
    if (headroom !== undefined && headroom.buffer === data.buffer && headroom.length === data.length + 2 && headroom.byteOffset + 2 === data.byteOffset) {
      // The caller left our two header bytes free in front of its data: no copy.
      headroom[0] = c.remote & 0x7F
      headroom[1] = c.local & 0x7F
      this.stats.pdusSent++
      this.lapOut.push({ type: 'data', data: headroom })
      return
    }
    this.sendPdu({ kind: 'data', dlsap: c.remote, slsap: c.local, data })
    void now
  }

  /** LM-Disconnect.request (also refuses an indicated connection). No event follows for the caller. */
  disconnect (now: number, conn: number, userData: Uint8Array = new Uint8Array(0), reason: number = DisconnectReason.USER_REQUEST): void {
    const c = this.conns.get(conn)
    if (c === undefined) return
    if (c.state !== 'awaiting-link') this.sendPdu({ kind: 'disconnect', dlsap: c.remote, slsap: c.local, reason, userData })
    this.remove(now, c)
  }

  /** LM-AccessMode.request: exclusive mode succeeds only for the link's only connection. */
  accessMode (now: number, conn: number, mode: AccessMode): void {
    const c = this.conns.get(conn)
    if (c === undefined || c.state !== 'open') throw new LmNotConnectedError(`connection ${conn} is not open`)
    if (mode === 'exclusive' && this.conns.size > 1) {
      this.events.push({ type: 'access-mode-confirm', conn, status: 'failure', mode })
      return
    }
    this.sendPdu({ kind: 'access-mode', dlsap: c.remote, slsap: c.local, mode })
    void now
  }

  /** LM-UnitData.request on the connectionless selector 0x70: one UI frame, delivered at most once. */
  sendConnectionless (data: Uint8Array): void {
    if (data.length > this.maxDataSize()) throw new LocalProtocolError(`${data.length} bytes exceed the ${this.maxDataSize()}-byte connectionless data size`)
    this.lapOut.push({ type: 'unitdata', data: emitLmpPdu({ kind: 'data', dlsap: LSAP.CONNECTIONLESS, slsap: LSAP.CONNECTIONLESS, data }) })
  }

  /** Open LSAP connections, for statistics and tests. */
  connections (): Array<{ conn: number, localLsap: number, remoteLsap: number, state: string, exclusive: boolean }> {
    return [...this.conns.values()].filter(c => c.owner === 'user').map(c => ({ conn: c.id, localLsap: c.local, remoteLsap: c.remote, state: c.state, exclusive: c.exclusive }))
  }

  // ---- IAS client ----------------------------------------------------------------------

  /** Queries the peer's IAS (GetValueByClass); an `ias-result` event with this id follows. */
  iasQuery (now: number, deviceAddress: number, className: string, attributeName: string): number {
    const body = encodeGetValueByClass({ className, attributeName })
    if (!body.ok) throw new LocalProtocolError(body.error.message)
    const query = this.nextQuery++
    const id = this.open(now, { deviceAddress, remoteLsap: LSAP.IAS }, 'ias-client')
    const c = this.conns.get(id) as Conn
    c.iap = { query, requestBody: body.value, rxBody: [], txQueue: [], awaitingAck: false, opcode: IAP_OPCODE.GET_VALUE_BY_CLASS }
    return query
  }

  // ---- IrLAP events --------------------------------------------------------------------

  handleLapEvent (now: number, ev: LapEvent): void {
    switch (ev.type) {
      case 'discovery-confirm': {
        const devices = ev.devices.map(d => this.remember(now, d.deviceAddress, d.info))
        // Refused (link up, medium busy): the log is the best answer we have, with the devices
        // that discovered us; the status tells the caller it is not a fresh one.
        if (ev.status !== 'ok') devices.push(...this.discoveryLog(now))
        this.events.push({ type: 'discovery-confirm', status: ev.status, devices })
        break
      }
      case 'discovery-indication':
        this.events.push({ type: 'discovery-indication', device: this.remember(now, ev.device.deviceAddress, ev.device.info) })
        break
      case 'connect-indication':
        // A primary wants a link. IrLMP accepts; IrLAP confirms with the negotiated parameters.
        this.lapOut.push({ type: 'connect-response' })
        if (this.link.state === 'down') this.link = { state: 'connecting', deviceAddress: ev.deviceAddress, txDataSize: 64 }
        break
      case 'connect-confirm':
        this.linkUp(now, ev.deviceAddress, ev.params.txDataSize)
        break
      case 'disconnect-indication':
        this.onLinkDown(now, ev.reason)
        break
      case 'data-indication':
        this.onPdu(now, ev.data)
        break
      case 'unitdata-indication': {
        const p = parseLmpPdu(ev.data)
        if (!p.ok || p.value.kind !== 'data' || p.value.dlsap !== LSAP.CONNECTIONLESS) { this.stats.malformed++; break }
        this.events.push({ type: 'connectionless-indication', sourceLsap: p.value.slsap, data: p.value.data })
        break
      }
      case 'status-indication':
        this.events.push({ type: 'link-status', status: ev.status })
        break
      case 'reset-indication':
      case 'reset-confirm':
        // Unacknowledged data may be gone: no LSAP connection can vouch for its byte stream.
        for (const c of [...this.conns.values()]) this.end(now, c, DisconnectReason.LAP_RESET, new Uint8Array(0))
        // IrLAP waits for us to accept or refuse a reset; we accept, as Linux does: the link is
        // sound, only the connections on it had to go (reason 0x04).
        if (ev.type === 'reset-indication') this.lapOut.push({ type: 'reset-response' })
        break
      default:
        break
    }
  }

  private linkUp (now: number, deviceAddress: number, txDataSize: number): void {
    const wasUp = this.link.state === 'up'
    this.link.state = 'up'
    this.link.deviceAddress = deviceAddress
    this.link.txDataSize = txDataSize
    if (!wasUp) this.events.push({ type: 'link-up', deviceAddress, txDataSize: this.link.txDataSize })
    for (const c of this.conns.values()) if (c.state === 'awaiting-link') this.sendConnect(now, c)
    if (this.conns.size === 0) this.link.idleDeadline = now + this.cfg.linkIdleMs
  }

  private onLinkDown (now: number, lapReason: string): void {
    const wasConnecting = this.link.state === 'connecting'
    const pendingAddress = this.link.state === 'closing' ? this.link.deviceAddress : undefined
    this.link = { state: 'down', txDataSize: 64 }
    this.events.push({ type: 'link-down', reason: lapReason })
    const reason = wasConnecting ? DisconnectReason.LAP_CONNECT_FAILED : DisconnectReason.UNEXPECTED_LAP_DISCONNECT
    for (const c of [...this.conns.values()]) {
      // Connects made while the old link was closing wait for a new link instead of failing.
      if (c.state === 'awaiting-link' && pendingAddress !== undefined) continue
      this.end(now, c, reason, new Uint8Array(0), lapReason)
    }
    if (this.conns.size > 0 && pendingAddress !== undefined) {
      this.link = { state: 'connecting', deviceAddress: pendingAddress, txDataSize: 64 }
      this.lapOut.push({ type: 'connect', deviceAddress: pendingAddress })
    }
  }

  private onPdu (now: number, bytes: Uint8Array): void {
    const p = parseLmpPdu(bytes)
    if (!p.ok) { this.stats.malformed++; return }
    this.stats.pdusReceived++
    const pdu = p.value
    if (pdu.kind !== 'data' && (pdu.dlsap >= LSAP.CONNECTIONLESS || pdu.slsap >= LSAP.CONNECTIONLESS)) {
      // 0x70 carries connectionless data only and 0x71-0x7f are reserved (IrLMP 1.1 3.3): no
      // connection can use them, so their control PDUs are dropped, not confirmed or answered.
      this.stats.malformed++
      return
    }
    const c = this.find(pdu.dlsap, pdu.slsap)
    switch (pdu.kind) {
      case 'connect': {
        if (c !== undefined) return // a repeated connect for a connection we already have
        if ([...this.conns.values()].some(x => x.exclusive)) return this.refuse(pdu, DisconnectReason.LM_INITIATED)
        if (pdu.dlsap === LSAP.IAS) {
          const s: Conn = { id: this.nextConn++, local: LSAP.IAS, remote: pdu.slsap, state: 'open', owner: 'ias-server', connectUserData: pdu.userData, exclusive: false, iap: { rxBody: [], txQueue: [], awaitingAck: false, opcode: 0 } }
          this.conns.set(s.id, s)
          this.link.idleDeadline = undefined
          this.sendPdu({ kind: 'connect-confirm', dlsap: pdu.slsap, slsap: LSAP.IAS, userData: new Uint8Array(0) })
          return
        }
        if (!this.listening.has(pdu.dlsap)) return this.refuse(pdu, DisconnectReason.NO_AVAILABLE_CLIENT)
        const n: Conn = { id: this.nextConn++, local: pdu.dlsap, remote: pdu.slsap, state: 'incoming', owner: 'user', connectUserData: pdu.userData, exclusive: false }
        this.conns.set(n.id, n)
        this.link.idleDeadline = undefined
        this.events.push({ type: 'connect-indication', conn: n.id, localLsap: n.local, remoteLsap: n.remote, deviceAddress: this.link.deviceAddress ?? 0, userData: pdu.userData })
        return
      }
      case 'connect-confirm':
        if (c === undefined || c.state !== 'connecting') return
        c.state = 'open'
        c.deadline = undefined
        if (c.owner === 'user') this.events.push({ type: 'connect-confirm', conn: c.id, userData: pdu.userData })
        else if (c.owner === 'ias-client') this.startIasRequest(c)
        return
      case 'disconnect':
        if (c !== undefined) this.end(now, c, pdu.reason, pdu.userData)
        return
      case 'data':
        if (c === undefined || c.state !== 'open') {
          // IrLMP 1.1 section 4.1.4: tell the sender its connection does not exist here.
          if (pdu.dlsap !== LSAP.CONNECTIONLESS) this.refuse(pdu, DisconnectReason.DATA_ON_DISCONNECTED_LSAP)
          return
        }
        if (c.owner === 'user') this.events.push({ type: 'data-indication', conn: c.id, data: pdu.data })
        else this.onIap(now, c, pdu.data)
        return
      case 'access-mode': {
        if (c === undefined || c.state !== 'open') return
        const ok = pdu.mode === 'multiplexed' || this.conns.size === 1
        if (ok) c.exclusive = pdu.mode === 'exclusive'
        this.sendPdu({ kind: 'access-mode-confirm', dlsap: c.remote, slsap: c.local, status: ok ? 'success' : 'failure', mode: pdu.mode })
        if (ok) this.events.push({ type: 'access-mode-indication', conn: c.id, mode: pdu.mode })
        return
      }
      case 'access-mode-confirm':
        if (c === undefined) return
        if (pdu.status === 'success') c.exclusive = pdu.mode === 'exclusive'
        this.events.push({ type: 'access-mode-confirm', conn: c.id, status: pdu.status, mode: pdu.mode })
    }
  }

  // ---- IAP (IAS over LSAP 0) -----------------------------------------------------------

  private startIasRequest (c: Conn): void {
    const x = c.iap as IapExchange
    x.txQueue = segmentIap(x.opcode, x.requestBody ?? new Uint8Array(0), this.link.txDataSize - 2)
    this.sendIapNext(c)
  }

  private sendIapNext (c: Conn): void {
    const x = c.iap as IapExchange
    const f = x.txQueue.shift()
    if (f === undefined) return
    x.awaitingAck = x.txQueue.length > 0
    this.sendPdu({ kind: 'data', dlsap: c.remote, slsap: c.local, data: f })
  }

  private onIap (now: number, c: Conn, frame: Uint8Array): void {
    const x = c.iap as IapExchange
    if (frame.length === 0) { this.stats.malformed++; return }
    const ctl = parseIapControl(frame[0])
    if (ctl.ack) {
      if (x.awaitingAck) this.sendIapNext(c)
      return
    }
    x.opcode = ctl.opcode
    for (let i = 1; i < frame.length; i++) x.rxBody.push(frame[i])
    if (x.rxBody.length > 4096) { this.stats.malformed++; x.rxBody = []; return }
    if (!ctl.lst) {
      this.sendPdu({ kind: 'data', dlsap: c.remote, slsap: c.local, data: iapAck(ctl.opcode) })
      return
    }
    const body = Uint8Array.from(x.rxBody)
    x.rxBody = []
    if (c.owner === 'ias-server') this.serveIas(c, ctl.opcode, body)
    else this.finishIasQuery(now, c, body)
  }

  private serveIas (c: Conn, opcode: number, body: Uint8Array): void {
    const x = c.iap as IapExchange
    let response: Uint8Array
    if (opcode !== IAP_OPCODE.GET_VALUE_BY_CLASS) {
      response = Uint8Array.of(IasReturn.UNSUPPORTED)
    } else {
      const req = parseGetValueByClass(body)
      if (!req.ok) { this.stats.malformed++; response = Uint8Array.of(IasReturn.NO_SUCH_CLASS) } else {
        response = encodeGetValueByClassResponse(this.ias.getValueByClass(req.value.className, req.value.attributeName))
      }
    }
    this.stats.iasQueriesServed++
    x.txQueue = segmentIap(opcode, response, this.link.txDataSize - 2)
    this.sendIapNext(c)
  }

  private finishIasQuery (now: number, c: Conn, body: Uint8Array): void {
    const query = (c.iap as IapExchange).query as number
    const res = parseGetValueByClassResponse(body)
    const result: IasQueryResult = res.ok
      ? { ok: true, returnCode: res.value.returnCode, entries: res.value.entries }
      : { ok: false, cause: 'malformed', message: res.error.message }
    ;(c.iap as IapExchange).query = undefined
    this.events.push({ type: 'ias-result', query, result })
    this.disconnect(now, c.id)
  }

  // ---- helpers -------------------------------------------------------------------------

  private sendConnect (now: number, c: Conn): void {
    c.state = 'connecting'
    c.deadline = now + this.cfg.connectTimeoutMs
    this.sendPdu({ kind: 'connect', dlsap: c.remote, slsap: c.local, userData: c.connectUserData })
  }

  private refuse (pdu: LmpPdu, reason: number): void {
    this.sendPdu({ kind: 'disconnect', dlsap: pdu.slsap, slsap: pdu.dlsap, reason, userData: new Uint8Array(0) })
  }

  private sendPdu (pdu: LmpPdu): void {
    this.stats.pdusSent++
    this.lapOut.push({ type: 'data', data: emitLmpPdu(pdu) })
  }

  private find (local: number, remote: number): Conn | undefined {
    for (const c of this.conns.values()) if (c.local === local && c.remote === remote && c.state !== 'awaiting-link') return c
    return undefined
  }

  /** Ends a connection because of the peer or the link, telling its owner. */
  private end (now: number, c: Conn, reason: number, userData: Uint8Array, lapReason?: string): void {
    this.remove(now, c)
    if (c.owner === 'user') {
      this.events.push({ type: 'disconnect-indication', conn: c.id, reason, cause: causeOf(reason), userData, ...(lapReason !== undefined ? { lapReason } : {}) })
    } else if (c.owner === 'ias-client' && c.iap?.query !== undefined) {
      this.events.push({ type: 'ias-result', query: c.iap.query, result: { ok: false, cause: causeOf(reason), message: `IAS connection ended: ${causeOf(reason)}${lapReason !== undefined ? ` (${lapReason})` : ''}` } })
    }
  }

  private remove (now: number, c: Conn): void {
    this.conns.delete(c.id)
    if (this.conns.size === 0 && this.link.state === 'up') this.link.idleDeadline = now + this.cfg.linkIdleMs
  }

  private remember (now: number, deviceAddress: number, info: Uint8Array): DeviceInfo {
    const parsed = parseDiscoveryInfo(info)
    const d: DeviceInfo = parsed.ok
      ? { deviceAddress, ...parsed.value, lastSeen: now }
      : { deviceAddress, hints: new Uint8Array(0), charset: 0, nickname: '', lastSeen: now }
    // Delete then set: the Map stays in order of last sight, so the oldest entries come first.
    this.log.delete(deviceAddress)
    this.log.set(deviceAddress, d)
    for (const [addr, old] of this.log) {
      const expired = now - old.lastSeen > this.cfg.discoveryExpiryMs
      if (!expired && this.log.size <= this.cfg.discoveryLogLimit) break
      if (addr === this.link.deviceAddress && addr !== deviceAddress) continue
      this.log.delete(addr)
      if (!expired) this.stats.discoveryLogEvicted++
    }
    this.stats.discoveryLogSize = this.log.size
    return d
  }
}

/** The link is busy with another device, or held in exclusive mode (Winsock maps it to WSAEADDRINUSE). */
export class LmLinkBusyError extends LocalProtocolError { static override name = 'LmLinkBusyError' }
/** A device address no station can have: 0, 0xFFFFFFFF (broadcast), or not a 32-bit integer (Winsock: WSAEADDRNOTAVAIL). */
export class InvalidDeviceAddressError extends LocalProtocolError { static override name = 'InvalidDeviceAddressError' }
/** The connection is not open (Winsock: WSAENOTCONN). */
export class LmNotConnectedError extends LocalProtocolError { static override name = 'LmNotConnectedError' }

function hintBits (hints: Uint8Array): number { return (hints[0] ?? 0) | ((hints[1] ?? 0) << 8) }
function hex32 (n: number): string { return (n >>> 0).toString(16).padStart(8, '0') }
