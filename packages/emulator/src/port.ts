/*!
 * A station's Port on an emulated medium. It does what a real SIR/MIR/FIR port does around the
 * air: encodes frames with `wrapForSpeed`, paces them (back to back, after the minimum
 * turnaround following a reception), changes speed in order with the frames, and runs received
 * bytes through the speed's unwrapper (each delivery whole, or in receiver-sized chunks). It reaches the medium only
 * through plain {@link StationMessage}s and learns from it only through {@link MediumMessage}s.
 */
import { checkMinTurnaround, checkFrameToSend, emptyPortStats, LinkError, LocalProtocolError, type Clock, type Port, type PortEvent, type PortListener, type PortQos, type PortStats, type SendOptions, type TimerHandle } from '@irdakit/core'
import { createUnwrapper, DEFAULT_SPEED, pooledCopy, SPEEDS, wrapForSpeed, type FrameUnwrapper } from '@irdakit/phy'
import type { MediumMessage, StationMessage } from './messages.js'

/** Options for {@link Room.port}. */
export interface EmulatedPortOptions {
  /** Speeds this station's transceiver supports. Default: every IrDA speed up to 4 Mb/s. */
  supportedSpeeds?: readonly number[]
  /** Speed at open. Default 9600. */
  speed?: number
  /**
   * The transceiver's limits the stack offers in its QoS. Default {@link DEFAULT_EMULATED_QOS}:
   * a fast transceiver, not the 10 ms IrLAP allows the slowest one.
   */
  qos?: PortQos
  /**
   * Received bytes reach the unwrapper in pieces of at most this many bytes (a UART FIFO, a USB
   * packet). Default: each delivery in one piece; the unwrapper is incremental, so the frames
   * and errors are the same either way, only the per-call cost differs.
   */
  rxChunkSize?: number
}

/** Where a port sends its messages (the room, or later a socket). */
export interface MediumLink {
  post(msg: StationMessage): void
}

/** What a port made of one delivery, for the room's tap. */
export interface DeliveryResult {
  /** Good frames the unwrapper produced from these bytes. */
  frames: Uint8Array[]
  /** Error events it produced. */
  errors: number
}

type QueueItem =
  | { kind: 'frame', frame: Uint8Array, xbofs: number }
  | { kind: 'speed', bps: number, resolve: () => void, reject: (e: Error) => void }

/**
 * An emulated transceiver needs 0.01 ms of quiet after it transmitted before it can receive,
 * as the fast dongles in hardware/dongles state (actisys, actisys-plus, litelink), and the least
 * IrLAP lets a station honour (Linux's 10 µs floor).
 */
export const DEFAULT_EMULATED_QOS: Readonly<PortQos> = Object.freeze({ minTurnaroundMs: 0.01 })

const DEFAULT_SUPPORTED = SPEEDS.filter(s => s <= 4_000_000)

/** A {@link Port} attached to an emulated room. Create it with `room.port(name)`. */
export class EmulatedPort implements Port {
  readonly supportedSpeeds: readonly number[]
  readonly qos: PortQos
  private currentSpeed: number
  private busy = false
  private readonly counters: PortStats = emptyPortStats()
  private readonly listeners = new Set<PortListener>()
  private readonly queue: QueueItem[] = []
  private inFlight: Uint8Array | undefined
  private waiting: TimerHandle | undefined
  private sentSinceDone = false
  private minTurnaround = 0
  private lastRxEnd: number | undefined
  private heardSinceTx = false
  private unwrapper: FrameUnwrapper
  private readonly rxChunk: number
  private closed = false

  /** @internal Rooms construct ports; use `room.port(name)`. */
  constructor (readonly name: string, readonly clock: Clock, private readonly link: MediumLink, opts: EmulatedPortOptions = {}) {
    const supported = [...(opts.supportedSpeeds ?? DEFAULT_SUPPORTED)].sort((a, b) => a - b)
    for (const s of supported) {
      if (!SPEEDS.includes(s)) throw new LocalProtocolError(`station ${name}: unsupported speed ${s} (IrDA speeds: ${SPEEDS.join(', ')})`)
    }
    const speed = opts.speed ?? DEFAULT_SPEED
    if (!supported.includes(speed)) throw new LocalProtocolError(`station ${name}: initial speed ${speed} is not among its supported speeds`)
    const chunk = opts.rxChunkSize ?? Number.POSITIVE_INFINITY
    if (opts.rxChunkSize !== undefined && (!Number.isInteger(chunk) || chunk < 1)) throw new LocalProtocolError(`rxChunkSize must be a positive integer, got ${chunk}`)
    this.supportedSpeeds = Object.freeze(supported)
    this.qos = opts.qos ?? DEFAULT_EMULATED_QOS
    this.currentSpeed = speed
    this.rxChunk = chunk
    this.unwrapper = createUnwrapper(speed)
    link.post({ type: 'attach', station: name, speed })
  }

  get speed (): number { return this.currentSpeed }
  get mediaBusy (): boolean { return this.busy }
  get stats (): PortStats { return { ...this.counters, rxErrors: { ...this.counters.rxErrors } } }
  /** True once {@link EmulatedPort.close} was called. */
  get isClosed (): boolean { return this.closed }

  listen (listener: PortListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  send (frame: Uint8Array, opts: SendOptions = {}): void {
    this.checkOpen()
    checkFrameToSend(frame)
    const xbofs = opts.xbofs ?? 0
    if (!Number.isInteger(xbofs) || xbofs < 0) throw new LocalProtocolError(`xbofs must be a non-negative integer, got ${xbofs}`)
    // A copy of its own (the caller may reuse its array), pooled: a fresh 2 KiB array costs microseconds.
    this.queue.push({ kind: 'frame', frame: pooledCopy(frame, frame.length), xbofs })
    this.pump()
  }

  async setSpeed (bps: number): Promise<void> {
    this.checkOpen()
    if (!this.supportedSpeeds.includes(bps)) {
      throw new LocalProtocolError(`station ${this.name} does not support ${bps} b/s (supported: ${this.supportedSpeeds.join(', ')})`)
    }
    const done = new Promise<void>((resolve, reject) => { this.queue.push({ kind: 'speed', bps, resolve, reject }) })
    this.pump()
    await done
  }

  setMinTurnaround (ms: number): void {
    checkMinTurnaround(ms)
    this.minTurnaround = ms
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.waiting?.cancel()
    this.waiting = undefined
    for (const item of this.queue.splice(0)) {
      if (item.kind === 'speed') item.reject(new LinkError(`port ${this.name} closed before the speed change`))
    }
    this.link.post({ type: 'detach', station: this.name })
    this.emit({ type: 'closed', at: this.clock.now() })
    this.listeners.clear()
  }

  /**
   * @internal The room hands over what the medium says to this station; with a reception of
   * the sender's own wire bytes, unharmed, it names the frame they encode (`sentFrame`).
   */
  deliver (msg: MediumMessage, sentFrame?: Uint8Array): DeliveryResult {
    const none: DeliveryResult = { frames: [], errors: 0 }
    if (this.closed) return none
    switch (msg.type) {
      case 'media':
        if (this.busy !== msg.busy) { this.busy = msg.busy; this.emit({ type: 'media', busy: msg.busy, at: msg.at }) }
        return none
      case 'tx-end':
        this.inFlight = undefined
        this.pump()
        return none
      case 'receive':
        return this.receive(msg.bytes, msg.at, sentFrame)
    }
  }

  private receive (bytes: Uint8Array, at: number, sentFrame: Uint8Array | undefined): DeliveryResult {
    this.lastRxEnd = at
    this.heardSinceTx = true
    const result: DeliveryResult = { frames: [], errors: 0 }
    if (sentFrame !== undefined && this.unwrapper.idle === true) {
      // Untouched wire bytes of a known frame into an idle receiver: decoding them gives that
      // frame and leaves the receiver idle (wrap then unwrap is the identity, property-tested
      // in phy), so skip the decode, the costliest step of a 4 Mb/s frame.
      const frame = pooledCopy(sentFrame, sentFrame.length)
      result.frames.push(frame)
      this.counters.framesReceived++
      this.counters.bytesReceived += frame.length
      this.emit({ type: 'frame', frame, at })
      return result
    }
    const noiseBefore = this.unwrapper.noiseBytes
    for (let i = 0; i < bytes.length && !this.closed; i += this.rxChunk) {
      for (const ev of this.unwrapper.push(this.rxChunk >= bytes.length ? bytes : bytes.subarray(i, i + this.rxChunk))) {
        if (ev.type === 'frame') {
          result.frames.push(ev.frame)
          this.counters.framesReceived++
          this.counters.bytesReceived += ev.frame.length
          this.emit({ type: 'frame', frame: ev.frame, at })
        } else {
          result.errors++
          this.counters.rxErrors[ev.reason]++
          this.emit({ type: 'rx-error', reason: ev.reason, at })
        }
      }
    }
    // Energy that never formed a frame (wrong speed, a lost start): IrLAP still wants to know.
    if (result.frames.length === 0 && result.errors === 0 && this.unwrapper.noiseBytes > noiseBefore && !this.closed) {
      result.errors++
      this.counters.rxErrors.garbage++
      this.emit({ type: 'rx-error', reason: 'garbage', at })
    }
    return result
  }

  /** Starts the next queued item if the transmitter is free. */
  private pump (): void {
    if (this.closed || this.inFlight !== undefined || this.waiting !== undefined) return
    const now = this.clock.now()
    for (;;) {
      const head = this.queue[0]
      if (head === undefined) break
      if (head.kind === 'speed') {
        this.queue.shift()
        this.applySpeed(head.bps)
        head.resolve()
        continue
      }
      const readyAt = this.heardSinceTx && this.lastRxEnd !== undefined ? this.lastRxEnd + this.minTurnaround : now
      if (readyAt > now) {
        this.waiting = this.clock.setTimer(readyAt, () => { this.waiting = undefined; this.pump() })
        return
      }
      this.queue.shift()
      this.transmit(head.frame, head.xbofs)
      return
    }
    if (this.sentSinceDone) {
      this.sentSinceDone = false
      this.emit({ type: 'tx-done', at: now })
    }
  }

  private transmit (frame: Uint8Array, xbofs: number): void {
    const wire = wrapForSpeed(frame, this.currentSpeed, { xbofs })
    this.inFlight = wire
    this.heardSinceTx = false
    this.sentSinceDone = true
    this.counters.framesSent++
    this.counters.bytesSent += frame.length
    this.link.post({ type: 'transmit', station: this.name, speed: this.currentSpeed, xbofs, wire, frame })
  }

  private applySpeed (bps: number): void {
    if (bps === this.currentSpeed) return
    this.currentSpeed = bps
    this.unwrapper = createUnwrapper(bps)
    this.link.post({ type: 'speed', station: this.name, speed: bps })
  }

  private checkOpen (): void {
    if (this.closed) throw new LinkError(`port ${this.name} is closed`)
  }

  private emit (ev: PortEvent): void {
    // A copy, so a listener may unsubscribe (or subscribe) while we call them; the usual single
    // listener (the stack) needs none.
    if (this.listeners.size === 1) { (this.listeners.values().next().value as PortListener)(ev); return }
    for (const l of [...this.listeners]) l(ev)
  }
}
