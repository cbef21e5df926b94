/*!
 * The IR medium as a sans-I/O core. Stations talk to it only with {@link StationMessage}s;
 * it answers with {@link MediumOutput}s. Time comes in as `now` and goes out as
 * {@link Medium.nextDeadline}, so whoever drives it (a Room on a clock, later a socket server)
 * owns time.
 *
 * Model (DESIGN.md "The emulator"):
 * - a transmission occupies the air for `airtimeMs(wire, speed)` and is delivered to every
 *   other station in range at the end of its airtime;
 * - stations in range sense it (media busy) for its whole airtime unless the beam is obstructed;
 * - a station is deaf while it transmits: bytes overlapping its own airtime are lost to it;
 * - overlapping signals heard by the same receiver corrupt each other (both frames lost);
 * - a receiver at another speed gets noise for the duration;
 * - random faults (bit errors, bursts, drops) hit each receiver independently, from a seeded RNG.
 */
import { LocalProtocolError, SeededRandom } from '@irdakit/core'
import { airtimeMs, FIR_OVERHEAD_WIRE_BYTES, MIR_START_FLAGS, speedInfo } from '@irdakit/phy'
import { applyCollisions, dropDeafBytes, noiseBytes, type Span } from './damage.js'
import { applyBitErrors, applyBursts, checkFaults, isObstructed, type FaultConfig } from './faults.js'
import type { Effect, MediumOutput, Reception, StationMessage, TransmissionSummary } from './messages.js'

interface StationState { speed: number, busyCount: number }

/** A transmission on the air: what its summary will report, plus what the medium tracks while it lasts. */
interface Transmission extends Omit<TransmissionSummary, 'receptions'> {
  senderState: StationState
  /** Stations attached (other than the sender) when it started, with the attachment they had then. */
  present: Array<{ name: string, state: StationState }>
  /** Of those, the ones in range. */
  audience: string[]
  /** Of those, the ones whose beam is clear: they sense it and it can collide there. */
  sensed: string[]
}

const pairKey = (a: string, b: string): string => a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`

const missed = (station: string, why: Reception['missed']): { reception: Reception } =>
  ({ reception: { station, heard: false, missed: why, effects: [] } })

/** Wire bytes before the frame proper: SIR XBOFs, MIR start flags, FIR preamble and start flag. */
function leadBytes (speed: number, xbofs: number): number {
  const m = speedInfo(speed).modulation
  return m === 'SIR' ? xbofs : m === 'MIR' ? MIR_START_FLAGS : FIR_OVERHEAD_WIRE_BYTES - 4
}

/** The shared medium. See the module note for the model. */
export class Medium {
  private readonly stations = new Map<string, StationState>()
  private readonly blockedPairs = new Set<string>()
  private config: FaultConfig = {}
  private onAir: Transmission[] = []
  /** Finished transmissions that may still overlap one on air. */
  private recent: Transmission[] = []
  private pending: MediumOutput[] = []
  private nextId = 1
  private readonly faultRng: SeededRandom
  private readonly damageRng: SeededRandom

  constructor (seed: number) {
    const root = new SeededRandom(seed)
    this.faultRng = root.fork()
    this.damageRng = root.fork()
  }

  /** Station names in the order they attached. */
  get stationNames (): string[] { return [...this.stations.keys()] }

  /** Replaces the fault configuration. Throws {@link LocalProtocolError} for nonsense values. */
  setFaults (config: FaultConfig): void {
    checkFaults(config)
    this.config = structuredClone(config)
  }

  /** Puts two stations in or out of each other's range (symmetric). */
  setInRange (a: string, b: string, inRange: boolean): void {
    if (inRange) this.blockedPairs.delete(pairKey(a, b)); else this.blockedPairs.add(pairKey(a, b))
  }

  inRange (a: string, b: string): boolean {
    // Asked for every receiver of every frame: with no range limits set, no key string to build.
    if (this.blockedPairs.size > 0 && this.blockedPairs.has(pairKey(a, b))) return false
    const out = this.config.outOfRange
    return out === undefined || !out.some(([x, y]) => (x === a && y === b) || (x === b && y === a))
  }

  /** Feeds one station message at time `now`. Outputs it causes are collected by {@link Medium.poll}. */
  handle (msg: StationMessage, now: number): void {
    switch (msg.type) {
      case 'attach':
        if (this.stations.has(msg.station)) throw new LocalProtocolError(`station ${msg.station} is already attached`)
        speedInfo(msg.speed)
        this.stations.set(msg.station, { speed: msg.speed, busyCount: 0 })
        return
      case 'detach':
        this.stations.delete(msg.station)
        return
      case 'speed':
        speedInfo(msg.speed)
        this.station(msg.station).speed = msg.speed
        return
      case 'transmit':
        this.transmit(msg, now)
    }
  }

  /** The earliest time at which {@link Medium.poll} has output, or undefined. */
  nextDeadline (): number | undefined {
    let t = this.pending.length > 0 ? this.pending[0].at : undefined
    for (const tx of this.onAir) if (t === undefined || tx.end < t) t = tx.end
    return t
  }

  /** Everything due at or before `now`, in order. */
  poll (now: number): MediumOutput[] {
    const out = this.pending
    this.pending = []
    for (;;) {
      let next: Transmission | undefined
      for (const tx of this.onAir) {
        if (tx.end <= now && (next === undefined || tx.end < next.end || (tx.end === next.end && tx.id < next.id))) next = tx
      }
      if (next === undefined) return out
      this.finish(next, out)
    }
  }

  private station (name: string): StationState {
    const s = this.stations.get(name)
    if (s === undefined) throw new LocalProtocolError(`station ${name} is not attached`)
    return s
  }

  private transmit (msg: Extract<StationMessage, { type: 'transmit' }>, now: number): void {
    const senderState = this.station(msg.station)
    const end = now + airtimeMs(msg.wire, msg.speed)
    // Plain loops: this runs for every frame, and closures cost (esbuild names each one).
    const present: Transmission['present'] = []
    const audience: string[] = []
    const sensed: string[] = []
    for (const [name, state] of this.stations) {
      if (name === msg.station) continue
      present.push({ name, state })
      if (!this.inRange(msg.station, name)) continue
      audience.push(name)
      if (!isObstructed(this.config, msg.station, name, now, end)) sensed.push(name)
    }
    const tx: Transmission = {
      id: this.nextId++, sender: msg.station, senderState, start: now, end, speed: msg.speed, xbofs: msg.xbofs,
      wire: msg.wire, frame: msg.frame, present, audience, sensed,
    }
    for (const { name, state } of present) {
      if (sensed.includes(name) && state.busyCount++ === 0) this.pending.push({ type: 'media', station: name, busy: true, at: now })
    }
    this.onAir.push(tx)
  }

  private finish (tx: Transmission, out: MediumOutput[]): void {
    this.onAir.splice(this.onAir.indexOf(tx), 1)
    this.recent.push(tx)
    // Only stations still on the attachment that sensed the start hear the end (a station that
    // left and came back under the same name is a new attachment).
    const current: Transmission['present'] = []
    for (const p of tx.present) if (this.stations.get(p.name) === p.state) current.push(p)
    for (const { name, state } of current) {
      if (tx.sensed.includes(name) && --state.busyCount === 0) out.push({ type: 'media', station: name, busy: false, at: tx.end })
    }
    const receptions: Reception[] = []
    for (const { name } of current) {
      const { reception, bytes } = this.receive(tx, name)
      receptions.push(reception)
      if (bytes !== undefined) out.push({ type: 'receive', station: name, txId: tx.id, bytes, at: tx.end })
    }
    if (this.stations.get(tx.sender) === tx.senderState) out.push({ type: 'tx-end', station: tx.sender, txId: tx.id, at: tx.end })
    const summary: TransmissionSummary = {
      id: tx.id, sender: tx.sender, start: tx.start, end: tx.end, speed: tx.speed, xbofs: tx.xbofs,
      wire: tx.wire, frame: tx.frame, receptions,
    }
    out.push({ type: 'summary', summary, at: tx.end })
    this.prune()
  }

  /** One receiver's share of `tx`: the bytes it gets (undefined when none) and what happened to them. */
  private receive (tx: Transmission, name: string): { reception: Reception, bytes?: Uint8Array } {
    if (!tx.audience.includes(name)) return missed(name, 'out-of-range')
    if (!tx.sensed.includes(name)) return missed(name, 'obstructed')
    const f = this.config
    if (f.dropRate !== undefined && f.dropRate > 0 && this.faultRng.next() < f.dropRate) return missed(name, 'dropped')

    const effects: Effect[] = []
    const rxSpeed = this.station(name).speed
    let bytes: Uint8Array
    let byteMs: number
    if (rxSpeed !== tx.speed) {
      byteMs = speedInfo(rxSpeed).wireByteMs
      bytes = noiseBytes(tx.end - tx.start, byteMs, this.damageRng)
      effects.push('speed-mismatch')
    } else {
      byteMs = speedInfo(tx.speed).wireByteMs
      const others = this.overlapping(tx, u => u !== tx && u.sender !== name && u.sensed.includes(name))
      // Receivers share the sent bytes unless something may damage them (damage is in place).
      const mayDamage = others.length > 0 || (f.ber ?? 0) > 0 || (f.burst?.rate ?? 0) > 0
      bytes = mayDamage ? tx.wire.slice() : tx.wire
      if (applyCollisions(bytes, tx.start, byteMs, leadBytes(tx.speed, tx.xbofs), others, this.damageRng) > 0) effects.push('collision')
      if (f.ber !== undefined && applyBitErrors(bytes, f.ber, this.faultRng) > 0) effects.push('bit-errors')
      if (f.burst !== undefined && applyBursts(bytes, f.burst.rate, f.burst.length, this.faultRng) > 0) effects.push('burst')
    }
    const own = this.overlapping(tx, u => u.sender === name)
    if (own.length > 0) {
      const kept = dropDeafBytes(bytes, tx.start, byteMs, own)
      if (kept.length === 0) return missed(name, 'deaf')
      if (kept.length < bytes.length) effects.push('deaf')
      bytes = kept
    }
    return { reception: { station: name, heard: true, effects }, bytes }
  }

  /** Airtime spans of transmissions (on air or recent) that overlap `tx` and match `which`. */
  private overlapping (tx: Transmission, which: (u: Transmission) => boolean): Span[] {
    const spans: Span[] = []
    for (const list of [this.recent, this.onAir]) {
      for (const u of list) if (u.start < tx.end && tx.start < u.end && which(u)) spans.push({ from: u.start, to: u.end })
    }
    return spans
  }

  private prune (): void {
    if (this.onAir.length === 0) { this.recent.length = 0; return }
    let earliest = Infinity
    for (const t of this.onAir) earliest = Math.min(earliest, t.start)
    this.recent = this.recent.filter(t => t.end > earliest)
  }
}
