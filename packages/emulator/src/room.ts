/*!
 * A Room: one emulated IR medium on one clock. It owns the {@link Medium} core, wakes it at its
 * deadlines on `room.clock`, routes its messages to the attached {@link EmulatedPort}s, and
 * reports every finished transmission to taps (and so to pcap captures).
 */
import { LocalProtocolError, RealClock, runVirtual, VirtualClock, type RunVirtualOptions } from '@irdakit/core'
import { startCapture, type CaptureOptions, type RoomCapture } from './capture.js'
import type { FaultConfig } from './faults.js'
import { Medium } from './medium.js'
import { MediumTimer } from './medium-timer.js'
import type { MediumOutput, Reception, StationMessage, TransmissionSummary } from './messages.js'
import { EmulatedPort, type DeliveryResult, type EmulatedPortOptions } from './port.js'

/** Options for {@link Room}. */
export interface RoomOptions {
  /** `virtual`: time jumps to the next event (deterministic, fast). `real`: wall-clock time. */
  time: 'virtual' | 'real'
  /** Seed for every random choice the medium makes (faults, noise). Default 1. */
  seed?: number
}

/**
 * How a receiver fared: `good` (it decoded this very frame), `bad` (bytes arrived, no good frame
 * came of them), `undetected` (damage slipped past the FCS and a wrong frame was delivered),
 * `missed` (nothing arrived: see `missed`).
 */
export type ReceiveResult = 'good' | 'bad' | 'undetected' | 'missed'

/** One receiver's view of a transmission, as reported to taps. */
export interface TapReception extends Reception {
  result: ReceiveResult
}

/** A finished transmission as reported to {@link Room.tap} listeners. */
export interface TapRecord extends Omit<TransmissionSummary, 'receptions'> {
  receptions: TapReception[]
}

export type TapListener = (record: TapRecord) => void

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)
}

/** A shared IR medium that stations attach to with {@link Room.port}. */
export class Room {
  /** The clock everything in this room runs on: a {@link VirtualClock} or a {@link RealClock}. */
  readonly clock: VirtualClock | RealClock
  private readonly medium: Medium
  private readonly ports = new Map<string, EmulatedPort>()
  private readonly taps = new Set<TapListener>()
  private readonly captures = new Set<RoomCapture>()
  private readonly results = new Map<string, DeliveryResult>()
  /** Frames on the air by their wire bytes: a receiver handed those very bytes (unharmed) may skip decoding them. */
  private readonly onAir = new Map<Uint8Array, Uint8Array>()
  private firstStation: string | undefined
  private readonly timer: MediumTimer
  private closed = false

  constructor (opts: RoomOptions) {
    if (opts.time !== 'virtual' && opts.time !== 'real') throw new LocalProtocolError(`time must be 'virtual' or 'real', got ${String(opts.time)}`)
    const seed = opts.seed ?? 1
    if (!Number.isInteger(seed)) throw new LocalProtocolError(`seed must be an integer, got ${seed}`)
    this.clock = opts.time === 'virtual' ? new VirtualClock() : new RealClock()
    this.medium = new Medium(seed)
    this.timer = new MediumTimer(this.medium, this.clock, out => { this.dispatch(out) })
  }

  /** Names of the attached stations, in the order they attached. */
  get stations (): string[] { return this.medium.stationNames }

  /** The station captures see as "us" unless told otherwise: the first one attached. */
  get defaultPerspective (): string | undefined { return this.firstStation }

  /** Attaches a station. Throws {@link LocalProtocolError} for a name already in use or a closed room. */
  port (name: string, opts: EmulatedPortOptions = {}): EmulatedPort {
    if (this.closed) throw new LocalProtocolError('the room is closed')
    if (this.ports.has(name)) throw new LocalProtocolError(`a station named ${name} is already in the room`)
    const port = new EmulatedPort(name, this.clock, { post: msg => { this.post(msg) } }, opts)
    this.ports.set(name, port)
    this.firstStation ??= name
    return port
  }

  /**
   * Replaces the room's faults (an empty object clears them). Range and obstruction are judged
   * when a transmission starts; bit errors, bursts and drops when it is delivered.
   * Throws {@link LocalProtocolError} for out-of-range values.
   */
  faults (config: FaultConfig): void {
    this.medium.setFaults(config)
  }

  /** Puts two stations in or out of each other's range. Applies to transmissions that start afterwards. */
  setInRange (a: string, b: string, inRange: boolean): void {
    this.medium.setInRange(a, b, inRange)
  }

  /** Reports every finished transmission. Returns an unsubscribe function. */
  tap (listener: TapListener): () => void {
    this.taps.add(listener)
    return () => { this.taps.delete(listener) }
  }

  /**
   * Records every frame on the medium to a pcap file (LINKTYPE_LINUX_IRDA), stamped with the
   * room clock at the end of its airtime. Frames sent by `perspective` (default: the first
   * station) are outgoing, all others incoming.
   */
  capture (path: string, opts: CaptureOptions = {}): RoomCapture {
    const cap = startCapture(this, path, opts, () => { this.captures.delete(cap) })
    this.captures.add(cap)
    return cap
  }

  /** Drives virtual time until `p` settles (rejects with `StalledError` if it never can); in a real-time room, awaits `p`. */
  async run<T> (p: Promise<T>, opts: RunVirtualOptions = {}): Promise<T> {
    if (this.clock instanceof VirtualClock) return await runVirtual(this.clock, p, opts)
    return await p
  }

  /** Closes every port and capture. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const port of [...this.ports.values()]) await port.close()
    for (const cap of [...this.captures]) cap.close()
    this.timer.stop()
  }

  private post (msg: StationMessage): void {
    this.medium.handle(msg, this.clock.now())
    if (msg.type === 'transmit') this.onAir.set(msg.wire, msg.frame)
    if (msg.type === 'detach') this.ports.delete(msg.station)
    this.timer.arm()
  }

  private dispatch (out: MediumOutput): void {
    // With nobody tapping, what each receiver made of a frame is not worth remembering.
    if (out.type === 'summary') {
      this.onAir.delete(out.summary.wire)
      if (this.taps.size > 0) this.report(out.summary)
      return
    }
    const port = this.ports.get(out.station)
    if (port === undefined) return
    // The medium shares the sent bytes with a receiver only while nothing damaged them.
    const result = port.deliver(out, out.type === 'receive' ? this.onAir.get(out.bytes) : undefined)
    if (out.type === 'receive' && this.taps.size > 0) this.results.set(`${out.txId}/${out.station}`, result)
  }

  private report (summary: TransmissionSummary): void {
    const receptions = summary.receptions.map((r): TapReception => {
      const key = `${summary.id}/${r.station}`
      const got = this.results.get(key)
      this.results.delete(key)
      let result: ReceiveResult = 'missed'
      if (r.heard) {
        if (got?.frames.some(f => sameBytes(f, summary.frame)) === true) result = 'good'
        else result = (got?.frames.length ?? 0) > 0 ? 'undetected' : 'bad'
      }
      return { ...r, result }
    })
    const record: TapRecord = { ...summary, receptions }
    for (const l of [...this.taps]) l(record)
  }
}
