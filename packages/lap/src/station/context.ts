/*!
 * The station's working state: everything the handlers in `table.ts` read and change, and the
 * two output queues (transmit actions for the medium, events for the layer above). Handlers
 * are plain functions over this object; only `station.ts` dispatches to them.
 */
import type { Random } from '@irdakit/core'
import { airtimeMs } from '@irdakit/phy'
import type { FrameKind, LapFrame, QosFields } from '../frame.js'
import { emitFrame } from '../wire/index.js'
import { defaultQos } from '../qos/index.js'
import type { NegotiateOptions } from '../qos/index.js'
import type { TxAction } from './actions.js'
import { LAP_DEFAULTS, type LapTiming, type StationConfig } from './config.js'
import type { DiscoveredDevice, DisconnectReason, LapEvent, NegotiatedLink } from './primitives.js'
import type { LapState } from './states.js'
import { TimerTable, type TimerName } from './timers.js'
import { FrameSizer } from './frame-size.js'

/** Counters for everything the station dropped, retried or recovered. */
export interface StationStats {
  framesIn: number
  framesOut: number
  /** Frames that did not decode (dropped). */
  malformed: number
  /** Frames received with a bad FCS or otherwise broken below us (reported by the port). */
  rxErrors: number
  /** Well-formed frames not for us, or not expected in the state they came in (dropped). */
  ignored: number
  iFramesOut: number
  retransmissions: number
  rejSent: number
  srejSent: number
  frmrSent: number
  /** F (primary) or WD (secondary) expiries without an answer. */
  noReply: number
  /**
   * Data and unit data handed down that never went out because the link went down first
   * (queued at the disconnect, or given while it was closing). The layer above learns of the
   * loss from the disconnect indication; this says how much.
   */
  unsent: number
  /**
   * XID and SNRM frames whose source device address is reserved (0, or 0xFFFFFFFF: broadcast),
   * dropped: no station may use them (IrLAP 1.1 section 6.11.1), and such a "device" could
   * never be connected to.
   */
  reservedAddress: number
}

/** A discovery we run (QUERY). */
export interface QueryState {
  slots: 1 | 6 | 8 | 16
  /** Slot whose XID went out last (0..slots-1). */
  slot: number
  newAddressFor?: number
  answers: DiscoveredDevice[]
  /** The slot timer expired while the medium was busy: go on when it is quiet. */
  deferred: boolean
}

/** A discovery we answer (REPLY). */
export interface ReplyState {
  initiator: number
  slots: number
  /** The slot we answer in (IrLAP 1.1 section 6.11.3: random, from the first slot we heard to the last). */
  ourSlot: number
  answered: boolean
  /** The last slot number heard (a lower one starts a new discovery). */
  lastSlot: number
}

/** A request waiting for 500 ms of quiet medium (IrLAP 1.1 section 6.13.3). */
export type PendingNdm =
  | { kind: 'discovery', slots: 1 | 6 | 8 | 16, newAddressFor?: number, since: number }
  | { kind: 'connect', deviceAddress: number, qos: QosFields, since: number }

export class StationContext {
  state: LapState = 'NDM'
  readonly timers = new TimerTable()
  readonly tx: TxAction[] = []
  readonly events: LapEvent[] = []
  readonly stats: StationStats = { framesIn: 0, framesOut: 0, malformed: 0, rxErrors: 0, ignored: 0, iFramesOut: 0, retransmissions: 0, rejSent: 0, srejSent: 0, frmrSent: 0, noReply: 0, unsent: 0, reservedAddress: 0 }

  deviceAddress: number
  readonly random: Random
  qos: QosFields
  discoveryInfo: Uint8Array
  readonly srej: boolean
  readonly timing: LapTiming
  readonly negotiateOptions: NegotiateOptions

  // The medium as we see it.
  speed: number = LAP_DEFAULTS.contentionBps
  xbofs: number
  mediaBusy = false
  /**
   * When a discovery that found someone ended (the time of the last thing heard then). IrLAP
   * 1.1 section 6.13.4 lets a station clear media busy after a successful discovery, so a
   * connect right after it need not listen 500 ms again, until anything is heard (as Linux).
   */
  discoveredAt: number | undefined = undefined
  /** Last time the medium carried anything (a frame, an error, busy). */
  lastActivity: number
  /** When everything we queued so far should have left (an estimate; `tx-done` corrects it). */
  txEndsAt = -Infinity
  /** Timer to (re)start when our queued frames have left. */
  afterTx?: { name: TimerName, ms: number }

  // NDM procedures.
  query?: QueryState
  reply?: ReplyState
  pendingNdm?: PendingNdm
  /** NDM TEST we sent, waiting for its answer (F timer). */
  ndmTest?: { data: Uint8Array }

  // The connection.
  peerAddress = 0
  connAddr = 0
  /** The connection address of the last link, to answer a stray DISC with DM after it ended. */
  lastConnAddr?: number
  peerQos?: QosFields
  link?: NegotiatedLink
  lineCapacity = 0
  tries = 0

  // NRM sequence variables (IrLAP 1.1 section 5.6), modulo 8.
  vs = 0
  vr = 0
  /** Oldest unacknowledged N(S): the last N(R) the peer sent. */
  va = 0
  /** Information of I frames sent and not yet acknowledged, by N(S). */
  readonly unacked = new Map<number, Uint8Array>()
  /** N(S) values to send again at our next turn, in order. */
  retransmit: number[] = []
  readonly txQueue: Uint8Array[] = []
  readonly uiQueue: Uint8Array[] = []
  remoteBusy = false
  localBusy = false
  /** Local busy changed since our last turn: the peer must hear RR or RNR. */
  busyChanged = false
  /** A REJ or SREJ to send at our next turn. */
  pendingReject?: 'REJ' | 'SREJ'
  rejOutstanding = false
  srejOutstanding = false
  /** Frames after a single gap, kept while our SREJ is outstanding, by N(S). */
  readonly srejBuffer = new Map<number, Uint8Array>()
  /** I frames of our last turn (N(S), wire bytes), in order, until the peer's checkpoint judges them. */
  lastTurn: Array<{ ns: number, wire: number }> = []
  /** What our acknowledgements say about the medium: the advised I frame size. */
  readonly sizer = new FrameSizer()
  /** What the peer's current turn told us: its SREJ/REJ N(R), and whether it carried I frames. */
  turn = { srej: undefined as number | undefined, rej: false, gotI: false, heard: false }
  /** F (primary) / WD (secondary) expiries in a row; N1 warns, N2 disconnects. */
  retries = 0
  warned = false
  n1 = 0
  n2 = 0
  /** Idle poll period of the primary (doubles up to the P timer). */
  idlePollMs: number
  disconnectPending = false
  /** What to report when the DISC exchange ends. */
  closeReason: DisconnectReason = 'user-request'
  resetPending = false
  testPending?: { data: Uint8Array, sent: boolean }
  /** The FRMR we keep answering with (ERROR_S). */
  frmr?: LapFrame

  constructor (cfg: StationConfig, now: number) {
    this.random = cfg.random
    this.deviceAddress = cfg.deviceAddress ?? randomDeviceAddress(cfg.random)
    this.qos = cfg.qos ?? defaultQos()
    this.discoveryInfo = cfg.discoveryInfo ?? new Uint8Array(0)
    this.srej = cfg.srej ?? true
    this.timing = { ...LAP_DEFAULTS, ...cfg.timing }
    this.negotiateOptions = cfg.negotiate ?? {}
    this.xbofs = this.timing.contentionXbofs
    this.lastActivity = now
    this.idlePollMs = this.timing.fastPollMs
  }

  emit (ev: LapEvent): void { this.events.push(ev) }

  /** Queues a frame for the medium and moves our estimate of when the line is free again. */
  send (now: number, f: LapFrame): void {
    const bytes = emitFrame(f)
    this.tx.push({ type: 'frame', frame: bytes, xbofs: this.xbofs })
    this.stats.framesOut++
    if (f.kind === 'I') this.stats.iFramesOut++
    const wire = bytes.length + 4 + this.xbofs
    this.txEndsAt = Math.max(now, this.txEndsAt) + estimateAirtime(wire, this.speed)
  }

  setSpeed (bps: number): void {
    if (bps === this.speed) return
    this.tx.push({ type: 'speed', bps })
    this.speed = bps
  }

  /** Starts `name` to run `ms` after our queued frames have left the transmitter. */
  armAfterTx (now: number, name: TimerName, ms: number): void {
    this.timers.set(name, Math.max(now, this.txEndsAt) + ms)
    this.afterTx = { name, ms }
  }

  /** The driver reports our frames have left: restart the timer that counts from there. */
  txDone (now: number): void {
    this.txEndsAt = now
    const a = this.afterTx
    this.afterTx = undefined
    if (a !== undefined && this.timers.running(a.name)) this.timers.set(a.name, now + a.ms)
  }

  enter (state: LapState): void { this.state = state }

  /** Clears the NRM sequence state (connection, reset). */
  resetSequence (): void {
    this.vs = 0; this.vr = 0; this.va = 0
    this.unacked.clear(); this.retransmit = []
    this.remoteBusy = false
    this.pendingReject = undefined; this.rejOutstanding = false; this.srejOutstanding = false
    this.srejBuffer.clear()
    this.lastTurn = []
    this.turn = { srej: undefined, rej: false, gotI: false, heard: false }
    this.retries = 0; this.warned = false
    this.idlePollMs = this.timing.fastPollMs
  }

  /** Back to NDM at 9600 b/s: forget the link (the layer above is told by the caller). */
  toNdm (): void {
    if (this.link !== undefined || this.state !== 'NDM') this.lastConnAddr = this.connAddr
    this.timers.stopAll()
    this.afterTx = undefined
    this.resetSequence()
    this.stats.unsent += this.txQueue.length + this.uiQueue.length
    this.txQueue.length = 0
    this.uiQueue.length = 0
    this.link = undefined
    this.sizer.reset()
    this.peerQos = undefined
    this.disconnectPending = false
    this.resetPending = false
    this.testPending = undefined
    this.frmr = undefined
    this.query = undefined
    this.reply = undefined
    this.tries = 0
    this.xbofs = this.timing.contentionXbofs
    this.setSpeed(this.timing.contentionBps)
    this.tx.push({ type: 'min-turnaround', ms: this.timing.contentionMinTurnaroundMs })
    this.enter('NDM')
  }
}

/** A random device address, never 0 or the broadcast address. */
export function randomDeviceAddress (r: Random): number {
  for (;;) {
    const a = r.u32() >>> 0
    if (a !== 0 && a !== 0xFFFFFFFF) return a
  }
}

/** Airtime of `wireBytes` at `bps` (SIR counts 10 bits a byte; escapes are not known here). */
export function estimateAirtime (wireBytes: number, bps: number): number {
  try {
    return airtimeMs(wireBytes, bps)
  } catch {
    return wireBytes * 10000 / bps
  }
}

/** True for the frame kinds that carry N(R). */
export const carriesNr = (k: FrameKind): boolean => k === 'I' || k === 'RR' || k === 'RNR' || k === 'REJ' || k === 'SREJ'
