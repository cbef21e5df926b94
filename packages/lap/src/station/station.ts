/*!
 * `IrlapStation`: one IrLAP station, primary or secondary, without I/O (sans-I/O, as h11 and
 * quinn-proto). The caller owns the clock and the medium:
 *
 * 1. feed inputs: `handleFrame(now, bytes)`, `handleRxError(now, reason)`,
 *    `handleMediaBusy(now, busy)`, `handleTxDone(now)`, and the service requests
 *    (`discoveryRequest`, `connectRequest`, `dataRequest`, ...);
 * 2. call `poll(now)` whenever `now >= nextDeadline()`;
 * 3. after every call, drain `pollTransmit()` (do each action in order on the medium) and
 *    `pollEvent()` (indications and confirms for the layer above).
 *
 * `now` is in milliseconds and must never decrease. Bad frames never throw: they are counted in
 * `stats` and dropped (or answered with FRMR where IrLAP says so). Requests the current state
 * does not allow throw `InvalidStateError`; bad arguments throw `InvalidRequestError`.
 */
import type { RxErrorReason } from '@irdakit/core'
import { BROADCAST_CADDR, BROADCAST_DEVICE, type LapFrame } from '../frame.js'
import { InfoNotAllowedError, UnknownControlError, mod8, parseFrame } from '../wire/index.js'
import type { TxAction } from './actions.js'
import type { StationConfig } from './config.js'
import { StationContext, type StationStats } from './context.js'
import { onMediaIdle } from './discovery.js'
import { InvalidRequestError, InvalidStateError } from './errors.js'
import { primaryKick } from './primary.js'
import { advisedDataSize } from './transfer.js'
import type { ConnectRequest, DiscoveryRequest, LapEvent, NegotiatedLink } from './primitives.js'
import { secondaryReject } from './secondary.js'
import { CONNECTED_STATES, LAP_STATES, isPrimaryState, type LapState } from './states.js'
import { STATE_TABLE, type RequestArgs, type RequestName } from './table.js'
import type { TimerName } from './timers.js'

/** Largest UI information field before negotiation (the 64-byte NDM data size, IrLAP 1.1 section 6.6.4). */
export const NDM_MAX_UI = 64

export class IrlapStation {
  private readonly c: StationContext
  private lastNow: number

  constructor (config: StationConfig, now = 0) {
    this.c = new StationContext(config, now)
    this.lastNow = now
    this.c.tx.push({ type: 'min-turnaround', ms: this.c.timing.contentionMinTurnaroundMs })
  }

  // ---- inspection -----------------------------------------------------------------------------

  get state (): LapState { return this.c.state }
  get deviceAddress (): number { return this.c.deviceAddress }
  /** The negotiated link while connected. */
  get link (): Readonly<NegotiatedLink> | undefined { return this.c.link }
  get role (): 'primary' | 'secondary' | undefined {
    if (!CONNECTED_STATES.has(this.c.state)) return undefined
    return isPrimaryState(this.c.state) ? 'primary' : 'secondary'
  }
  get stats (): Readonly<StationStats> { return this.c.stats }
  /** Peer's device address of the current (or last) connection. */
  get peerAddress (): number { return this.c.peerAddress }
  /** Data requests not yet acknowledged by the peer (queued plus in flight). */
  get pendingData (): number { return this.c.txQueue.length + this.c.unacked.size }
  /**
   * Information bytes to put in each new I frame while connected: the negotiated data size on
   * a clean link, less while our frames are being lost, growing back when the losses stop
   * (see frame-size.ts). Advice for the layer above, which cuts the data; a data request up to
   * `link.txDataSize` is still taken.
   */
  get advisedDataSize (): number | undefined { return advisedDataSize(this.c) }
  get localBusy (): boolean { return this.c.localBusy }
  /** Running timers and their deadlines (for traces and tests). */
  timers (): Partial<Record<TimerName, number>> { return this.c.timers.snapshot() }

  // ---- outputs --------------------------------------------------------------------------------

  /** The next thing to do on the medium, in order. */
  pollTransmit (): TxAction | undefined { return this.c.tx.shift() }
  /** The next indication or confirm for the layer above. */
  pollEvent (): LapEvent | undefined { return this.c.events.shift() }
  /** The earliest time `poll` has work, or undefined. */
  nextDeadline (): number | undefined { return this.c.timers.next() }
  /** True while `pollTransmit` or `pollEvent` has something: a driver can skip a round that would find nothing. */
  get hasOutput (): boolean { return this.c.tx.length > 0 || this.c.events.length > 0 }

  // ---- inputs from below ----------------------------------------------------------------------

  /** A frame with a good FCS (A + C + I) from the port. */
  handleFrame (now: number, bytes: Uint8Array): void {
    this.advance(now)
    const c = this.c
    c.lastActivity = now
    c.stats.framesIn++
    const d = parseFrame(bytes)
    if (!d.ok) { this.malformed(now, bytes, d.error); return }
    const f = d.value
    if (!this.addressedToUs(f)) { c.stats.ignored++; return }
    const handler = STATE_TABLE[c.state].frames[f.kind] as ((c: StationContext, now: number, f: LapFrame) => void) | undefined
    if (handler === undefined) { c.stats.ignored++; return }
    handler(c, now, f)
  }

  /** A frame the port could not receive (bad FCS, abort, ...): it proves the medium busy, nothing more. */
  handleRxError (now: number, _reason: RxErrorReason): void {
    this.advance(now)
    this.c.lastActivity = now
    this.c.stats.rxErrors++
  }

  /** The medium turned busy (someone transmits) or idle. */
  handleMediaBusy (now: number, busy: boolean): void {
    this.advance(now)
    const c = this.c
    c.lastActivity = now
    const was = c.mediaBusy
    c.mediaBusy = busy
    if (was && !busy) onMediaIdle(c, now)
  }

  /** Everything we queued has left the transmitter: timers that count from there restart now. */
  handleTxDone (now: number): void {
    this.advance(now)
    this.c.txDone(now)
    if (this.c.state === 'XMIT_S') this.c.enter('RECV_S')
  }

  /** Fires every timer due at `now`. Extra calls are harmless. */
  poll (now: number): void {
    this.advance(now)
    const c = this.c
    for (let guard = 0; guard < 64; guard++) {
      const name = c.timers.takeDue(now)
      if (name === undefined) return
      const handler = STATE_TABLE[c.state].timers[name]
      if (handler !== undefined) handler(c, now)
    }
  }

  // ---- requests from above (IrLAP 1.1 section 4) -------------------------------------------------

  /** IRLAP_DISCOVERY.request. While a link is up it is refused at once with a `link-in-use` confirm. */
  discoveryRequest (now: number, req: DiscoveryRequest = {}): void {
    if (req.slots !== undefined && ![1, 6, 8, 16].includes(req.slots)) throw new InvalidRequestError(`discovery slots must be 1, 6, 8 or 16, not ${String(req.slots)}`)
    if (req.newAddressFor !== undefined) checkAddress(req.newAddressFor)
    this.request('discovery', now, req)
  }

  /** IRLAP_CONNECT.request: SNRM to this device (after 500 ms of quiet medium). */
  connectRequest (now: number, req: ConnectRequest): void {
    checkAddress(req.deviceAddress)
    this.request('connect', now, req)
  }

  /** IRLAP_CONNECT.response: accept the connect indication. */
  connectResponse (now: number): void { this.request('connect-response', now, undefined) }

  /** IRLAP_DATA.request: reliable, in order. At most the negotiated data size. */
  dataRequest (now: number, data: Uint8Array): void {
    const max = this.c.link?.txDataSize
    if (max !== undefined && data.length > max) throw new InvalidRequestError(`data of ${data.length} bytes exceeds the negotiated data size ${max}`)
    this.request('data', now, data)
  }

  /** IRLAP_UNITDATA.request: a UI frame, broadcast in NDM or on the link in NRM. */
  unitdataRequest (now: number, data: Uint8Array): void {
    const max = this.c.link?.txDataSize ?? NDM_MAX_UI
    if (data.length > max) throw new InvalidRequestError(`unit data of ${data.length} bytes exceeds ${max}`)
    this.request('unitdata', now, data)
  }

  /** IRLAP_DISCONNECT.request (also refuses a connect indication, and cancels a connect in progress). */
  disconnectRequest (now: number): void { this.request('disconnect', now, undefined) }

  /** IRLAP_RESET.request (primary). */
  resetRequest (now: number): void { this.request('reset', now, undefined) }

  /** IRLAP_RESET.response: agree to a reset indication. */
  resetResponse (now: number): void { this.request('reset-response', now, undefined) }

  /** TEST exchange: in NDM to a device (or all), in NRM (primary) to the peer. Answered by a test confirm. */
  testRequest (now: number, req: { deviceAddress?: number, data: Uint8Array }): void {
    if (req.deviceAddress !== undefined) checkAddress(req.deviceAddress)
    this.request('test', now, req)
  }

  /**
   * Local busy (flow control, IrLAP 1.1 section 5.7.4): while set we answer RNR and drop
   * incoming I frames unacknowledged; clearing it sends RR at our next turn.
   */
  setLocalBusy (now: number, busy: boolean): void {
    this.advance(now)
    const c = this.c
    if (c.localBusy === busy) return
    c.localBusy = busy
    c.busyChanged = true
    primaryKick(c, now)
  }

  // ---- checks -------------------------------------------------------------------------------------

  /** Internal consistency (fuzzing, tests): empty when all is well. */
  checkInvariants (): string[] {
    const c = this.c
    const bad: string[] = []
    if (!LAP_STATES.includes(c.state)) bad.push(`unknown state ${String(c.state)}`)
    for (const [k, v] of Object.entries({ vs: c.vs, vr: c.vr, va: c.va })) if (!Number.isInteger(v) || v < 0 || v > 7) bad.push(`${k}=${v}`)
    if (c.unacked.size !== mod8(c.vs - c.va)) bad.push(`unacked ${c.unacked.size} != V(S)-V(A) ${mod8(c.vs - c.va)}`)
    const connected = CONNECTED_STATES.has(c.state)
    if (connected && c.link === undefined) bad.push(`state ${c.state} without a link`)
    if (!connected && c.state !== 'CONN' && c.state !== 'SETUP' && c.link !== undefined) bad.push(`state ${c.state} with a link`)
    if (c.link !== undefined && c.unacked.size > c.link.txWindowSize) bad.push(`unacked ${c.unacked.size} > window ${c.link.txWindowSize}`)
    for (const name of Object.keys(c.timers.snapshot()) as TimerName[]) {
      if (STATE_TABLE[c.state].timers[name] === undefined) bad.push(`timer ${name} runs in ${c.state}, which has no row for it`)
    }
    if (c.srejBuffer.size > 6) bad.push(`SREJ buffer holds ${c.srejBuffer.size}`)
    if (c.connAddr < 0 || c.connAddr > 0x7F) bad.push(`connection address ${c.connAddr}`)
    return bad
  }

  // ---- internals ----------------------------------------------------------------------------------

  private advance (now: number): void {
    if (!Number.isFinite(now)) throw new InvalidRequestError(`time must be a finite number of ms, got ${now}`)
    if (now < this.lastNow) throw new InvalidRequestError(`time went backwards: ${now} < ${this.lastNow}`)
    this.lastNow = now
  }

  private request<R extends RequestName> (name: R, now: number, arg: RequestArgs[R]): void {
    this.advance(now)
    const handler = STATE_TABLE[this.c.state].requests[name] as ((c: StationContext, now: number, a: RequestArgs[R]) => void) | undefined
    if (handler === undefined) throw new InvalidStateError(name, this.c.state)
    handler(this.c, now, arg)
  }

  /** Which frames concern this station in its state: the connection address and the direction (C/R) must fit. */
  private addressedToUs (f: LapFrame): boolean {
    const c = this.c
    switch (c.state) {
      case 'NDM': case 'QUERY': case 'REPLY':
        return f.caddr === BROADCAST_CADDR || f.kind === 'DISC'
      case 'CONN':
        return f.command && (f.caddr === BROADCAST_CADDR || f.caddr === c.connAddr)
      case 'SETUP':
        return f.kind === 'SNRM' ? f.command && f.caddr === BROADCAST_CADDR : !f.command && (f.caddr === c.connAddr || f.caddr === BROADCAST_CADDR)
      default:
        if (f.caddr !== c.connAddr && f.caddr !== BROADCAST_CADDR) return false
        if (f.kind === 'XID') return false
        // A broadcast TEST on a link is another station's NDM TEST, not for this connection:
        // answering it would transmit out of turn (a secondary speaks only when polled).
        if (f.kind === 'TEST' && f.caddr === BROADCAST_CADDR) return false
        return isPrimaryState(c.state) ? !f.command : f.command
    }
  }

  /**
   * A frame that does not decode. Counted and dropped; a secondary in NRM answers a command on
   * its connection address with an undefined control field, or with an information field it
   * must not have, with FRMR (W, W+X: IrLAP 1.1 section 5.3.3).
   */
  private malformed (now: number, bytes: Uint8Array, err: Error): void {
    const c = this.c
    c.stats.malformed++
    if ((c.state !== 'RECV_S' && c.state !== 'XMIT_S') || bytes.length < 2) return
    if ((bytes[0] >> 1) !== c.connAddr || (bytes[0] & 1) !== 1) return
    const pf = (bytes[1] & 0x10) !== 0
    if (err instanceof UnknownControlError) secondaryReject(c, now, pf, bytes[1], { w: true })
    else if (err instanceof InfoNotAllowedError) secondaryReject(c, now, pf, bytes[1], { w: true, x: true })
  }
}

function checkAddress (a: number): void {
  if (!Number.isInteger(a) || a <= 0 || a >= BROADCAST_DEVICE) throw new InvalidRequestError(`device address must be a 32-bit value other than 0 and 0xFFFFFFFF, got ${a}`)
}
