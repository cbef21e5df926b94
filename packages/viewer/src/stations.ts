/*!
 * Who sent each frame, and to whom, read off the frames themselves: a pcap of link type 144
 * only says 'in' or 'out'. XID, SNRM, UA and TEST carry the sender's 32-bit device address;
 * after an SNRM/UA pair, a command on its connection address comes from the primary and a
 * response from the secondary (IrLAP 1.1 section 5.2: the C/R bit). Rooms name the sender
 * outright, and then those names are the lanes.
 *
 * Also spots retransmissions: an I frame whose N(S) the sender already sent and the peer has
 * not yet acknowledged (IrLAP 1.1 section 5.6: N(S) in [V(A), V(S)) modulo 8) is one, and the
 * earlier copy is marked as resent.
 *
 * Bounded whatever the capture holds: at most {@link MAX_LANES} lanes (more stations share
 * the last one), and per connection address (7 bits) a few numbers.
 */
import { BROADCAST } from './schema.js'

/** Lanes drawn at most; hostile captures with a new device address per frame share the last. */
export const MAX_LANES = 32
const OTHERS = 'other stations'
const BROADCAST_ADDR = 0xFFFFFFFF

/** What the station tracker needs of a frame: its IrLAP fields as the capture decoder gives them. */
export interface LapFields {
  kind?: unknown
  caddr?: unknown
  command?: unknown
  ns?: unknown
  nr?: unknown
  source?: unknown
  destination?: unknown
  connAddr?: unknown
  nickname?: unknown
}

interface Sender { vs: number | undefined, va: number | undefined, last: Int32Array }
interface Connection { primary?: number, secondary?: number, sent: [Sender, Sender] }

const newSender = (): Sender => ({ vs: undefined, va: undefined, last: new Int32Array(8).fill(-1) })
const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`
const num = (v: unknown): number | undefined => typeof v === 'number' ? v : undefined

export interface StationResult {
  lane: number
  /** The receiver's lane, or {@link BROADCAST} for every station / not known. */
  peer: number
  retransmission: boolean
  /** The index of the earlier copy of a retransmitted frame. */
  resentIndex?: number
}

export class StationTracker {
  /** Lane labels, by lane number. */
  readonly labels: string[] = []
  private readonly byKey = new Map<string, number>()
  private readonly byAddress = new Map<number, number>()
  private readonly conns = new Map<number, Connection>()
  private named = false
  /** The lane of the last frame the capturing station sent. */
  private outLane: number | undefined

  /**
   * Places frame `index`. `sender`: the station's name when the source knows it (rooms).
   * `direction`: from the pcap, used for a sender nothing else identifies.
   */
  frame (index: number, lap: LapFields | undefined, direction: 'in' | 'out', sender?: string): StationResult {
    if (sender !== undefined) this.named = true
    const kind = typeof lap?.kind === 'string' ? lap.kind : undefined
    const caddr = num(lap?.caddr)
    const command = lap?.command === true
    const source = num(lap?.source)
    const destination = num(lap?.destination)
    if (lap === undefined || kind === undefined || caddr === undefined) {
      // Not even a header: the capturing station's lane when it sent it, else an unknown one.
      const lane = sender !== undefined ? this.lane(sender) : direction === 'out' ? this.outLane ?? this.lane('this station') : this.lane('unknown station')
      return { lane, peer: BROADCAST, retransmission: false }
    }
    // Who sent it.
    let lane: number | undefined
    if (sender !== undefined) lane = this.lane(sender)
    else if (source !== undefined && (kind === 'XID' || kind === 'SNRM' || kind === 'UA' || kind === 'TEST')) lane = this.addressLane(source)
    const conn = this.conn(kind === 'SNRM' ? num(lap.connAddr) ?? caddr : caddr)
    const role = command ? 0 : 1
    if (lane === undefined) {
      lane = command ? conn.primary : conn.secondary
      lane ??= this.lane(`ca 0x${caddr.toString(16).padStart(2, '0')} ${command ? 'primary' : 'secondary'}`)
    }
    if (direction === 'out') this.outLane = lane
    if (source !== undefined && this.named && !this.byAddress.has(source) && this.byAddress.size < 4 * MAX_LANES) this.byAddress.set(source, lane)
    if (typeof lap.nickname === 'string' && kind === 'XID') this.nameLane(lane, lap.nickname, source)
    // To whom.
    let peer = BROADCAST
    if (destination !== undefined && destination !== BROADCAST_ADDR) peer = this.byAddress.get(destination) ?? (this.named ? BROADCAST : this.addressLane(destination))
    // The connection's roles, learned from SNRM (primary) and its UA (secondary).
    if (kind === 'SNRM' && command) { conn.primary = lane; if (peer !== BROADCAST) conn.secondary = peer; this.resetWindows(conn) }
    if (kind === 'UA' && !command) { conn.secondary = lane; if (peer !== BROADCAST) conn.primary ??= peer; this.resetWindows(conn) }
    if (kind === 'DISC' || kind === 'DM') this.resetWindows(conn)
    if (peer === BROADCAST && caddr !== 0x7F && kind !== 'XID') {
      const other = command ? conn.secondary : conn.primary
      if (other !== undefined) peer = other
    }
    // Retransmissions: N(S) against what the peer acknowledged so far.
    const me = conn.sent[role]
    const nr = num(lap.nr)
    if (nr !== undefined && kind !== 'SREJ') conn.sent[1 - role].va = nr
    const ns = num(lap.ns)
    if (kind !== 'I' || ns === undefined) return { lane, peer, retransmission: false }
    let result: StationResult = { lane, peer, retransmission: false }
    if (me.va !== undefined && me.vs !== undefined && ((ns - me.va) & 7) < ((me.vs - me.va) & 7)) {
      result = { lane, peer, retransmission: true, ...(me.last[ns] >= 0 ? { resentIndex: me.last[ns] } : {}) }
    } else {
      me.vs = (ns + 1) & 7
      me.va ??= ns
    }
    me.last[ns] = index
    return result
  }

  private resetWindows (conn: Connection): void { conn.sent = [newSender(), newSender()] }

  private conn (caddr: number): Connection {
    const key = caddr & 0x7F
    let c = this.conns.get(key)
    if (c === undefined) { c = { sent: [newSender(), newSender()] }; this.conns.set(key, c) }
    return c
  }

  private addressLane (address: number): number {
    const known = this.byAddress.get(address)
    if (known !== undefined) return known
    const lane = this.lane(hex32(address))
    if (this.byAddress.size < 4 * MAX_LANES) this.byAddress.set(address, lane)
    return lane
  }

  private nameLane (lane: number, nickname: string, source: number | undefined): void {
    const label = this.labels[lane]
    if (label === OTHERS || this.named || source === undefined) return
    const clean = nickname.replace(/[\u0000-\u001f]/g, '').slice(0, 40)
    if (clean !== '') this.labels[lane] = `${clean} (${hex32(source)})`
  }

  /** The lane for `key`, made if there is room, else the shared last lane. */
  lane (key: string): number {
    const known = this.byKey.get(key)
    if (known !== undefined) return known
    if (this.labels.length >= MAX_LANES - 1) {
      const others = this.byKey.get(OTHERS) ?? this.labels.length
      if (others === this.labels.length) { this.labels.push(OTHERS); this.byKey.set(OTHERS, others) }
      return others
    }
    const lane = this.labels.length
    this.labels.push(key.slice(0, 60))
    this.byKey.set(key, lane)
    return lane
  }
}
