/*!
 * A core `Port` over a serial line (`@serialport/stream` with any binding: the native one for
 * real ttys, `DongleEmulatorBinding` in tests). Frames are SIR-wrapped with `@irdakit/phy` and
 * written in order; speed changes wait for queued frames to leave, then run the dongle's profile
 * procedure and switch the host baud rate; the peer's minimum turnaround is honoured before the
 * first frame after a reception; receive errors become `rx-error` events and counts; echo from
 * the dongle is dropped; a vanished device becomes a `closed` event carrying a `LinkError`.
 */
import { checkMinTurnaround, checkFrameToSend, emptyPortStats, LinkError, type Clock, type Port, type PortEvent, type PortListener, type PortQos, type PortStats, type SendOptions } from '@irdakit/core'
import { sirWrap, SirUnwrapper } from '@irdakit/phy'
import { ByteLengthParser } from '@serialport/parser-byte-length'
import type { SerialPortStream } from '@serialport/stream'
import { DongleDriver } from './dongle-driver.js'
import { sleep, type DongleIo } from './dongle-io.js'
import { EchoFilter } from './echo.js'
import { ControlLinesError, PortClosedError, UnsupportedSpeedError } from './errors.js'
import type { DongleProfile } from './profile-types.js'

type Job =
  | { kind: 'frame', wire: Uint8Array, size: number }
  | { kind: 'speed', bps: number, resolve: () => void, reject: (e: Error) => void }

/** Quiet time after the last received byte before the medium counts as idle again, in byte times. */
const IDLE_AFTER_BYTES = 4

/** Serial-specific counters, next to the core `PortStats`. */
export interface SerialPortExtraStats {
  /** Echo bytes dropped by echo suppression. */
  echoSuppressed: number
  /** Completed dongle speed procedures. */
  speedChanges: number
  /** Frames handed to `send` after the device vanished (dropped, not thrown). */
  droppedAfterVanish: number
}

/** The serial Port. Create it with `openSerialPort`. */
export class SerialIrdaPort implements Port {
  readonly stats: PortStats = emptyPortStats()
  readonly extra: SerialPortExtraStats = { echoSuppressed: 0, speedChanges: 0, droppedAfterVanish: 0 }
  readonly supportedSpeeds: readonly number[]
  /** The dongle's turnaround need (its profile's `minTurnaroundMs`): the stack offers it in its QoS. */
  readonly qos: PortQos
  speed: number
  mediaBusy = false
  /** True once closed (by request or because the device vanished). */
  closed = false
  private readonly listeners = new Set<PortListener>()
  private readonly driver: DongleDriver
  private readonly unwrapper = new SirUnwrapper()
  private readonly echo = new EchoFilter()
  private readonly queue: Job[] = []
  private pumping = false
  private configuring = false
  private tap: ((chunk: Uint8Array) => void) | undefined
  /** Bytes received during a dongle procedure before the driver asked for them (sir_dev keeps them too). */
  private raw: Uint8Array[] = []
  private minTurnaroundMs = 0
  private lastRxAt = Number.NEGATIVE_INFINITY
  /**
   * When the bytes written so far have left the transmitter at the line rate (10 bits a byte).
   * A pty, or a USB-serial bridge with its own buffer, reports them drained long before: IrLAP's
   * F timer must not start until then, nor the baud rate change under them.
   */
  private airEndsAt = Number.NEGATIVE_INFINITY
  private rxSinceTx = false
  private idleTimer: { cancel: () => void } | undefined
  private closing: Promise<void> | undefined
  private closeRequested = false
  /** Rejects when the port closes, so no stream call can outlive it (a closed SerialPortStream never answers drain). */
  private readonly gone: Promise<never>
  private markGone!: (e: Error) => void

  /** @internal use `openSerialPort`. */
  constructor (
    readonly name: string,
    readonly clock: Clock,
    private readonly stream: SerialPortStream,
    /** The dongle profile in use: `minTurnaroundMs` is what to advertise in the QoS. */
    readonly dongle: DongleProfile,
    private readonly echoOn: boolean
  ) {
    this.supportedSpeeds = [...dongle.speeds]
    this.qos = { minTurnaroundMs: dongle.minTurnaroundMs }
    this.speed = dongle.defaultSpeed
    this.driver = new DongleDriver(dongle, this.io(), dongle.defaultSpeed)
    this.gone = new Promise<never>((_resolve, reject) => { this.markGone = reject })
    this.gone.catch(() => {})
    stream.on('data', (chunk: Buffer) => this.onData(chunk))
    // A close we did not ask for is a vanished device, even without an error: with a binding whose
    // read returns 0 bytes on hang-up the stream ends and then closes with no error at all. (Native
    // unix ports would spin on those 0 bytes instead; `openSerialPort` wraps them, see hangup.ts.)
    stream.on('close', (err: Error | null) => this.onStreamClosed(err ?? (this.closeRequested ? undefined : new Error('the line hung up'))))
    stream.on('end', () => { if (!this.closeRequested) this.onStreamClosed(new Error('end of stream: the line hung up')) })
    // Errors of individual calls reach their callbacks; this keeps stray ones from crashing Node.
    stream.on('error', () => {})
  }

  /** Powers the dongle and brings dongle and host to `bps`. Part of opening. */
  async start (bps: number): Promise<void> {
    await this.configure(async () => {
      await this.driver.powerOn()
      await this.driver.setSpeed(bps)
    })
    this.speed = bps
  }

  listen (listener: PortListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  send (frame: Uint8Array, opts: SendOptions = {}): void {
    if (this.closed) {
      // After a vanish the upper layers may still be unwinding (timers firing before they saw
      // `closed`): drop and count. After our own close() it is misuse.
      if (this.closeRequested) throw new PortClosedError(`${this.name}: send on a closed port`)
      this.extra.droppedAfterVanish++
      return
    }
    checkFrameToSend(frame)
    this.queue.push({ kind: 'frame', wire: sirWrap(frame, { xbofs: opts.xbofs ?? 0 }), size: frame.length })
    this.pump()
  }

  async setSpeed (bps: number): Promise<void> {
    if (this.closed) throw new PortClosedError(`${this.name}: setSpeed on a closed port`)
    if (!this.supportedSpeeds.includes(bps)) throw new UnsupportedSpeedError(bps, this.supportedSpeeds)
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ kind: 'speed', bps, resolve, reject })
      this.pump()
    })
  }

  setMinTurnaround (ms: number): void {
    checkMinTurnaround(ms)
    this.minTurnaroundMs = ms
  }

  async close (): Promise<void> {
    this.closing ??= this.shutDown()
    await this.closing
  }

  private async shutDown (): Promise<void> {
    if (this.closed) return
    try {
      await this.configure(async () => await this.driver.powerOff())
    } catch { /* the port is going away either way */ }
    if (this.closed) return
    this.closeRequested = true
    await new Promise<void>(resolve => {
      this.stream.close(err => {
        // Closing an already-vanished port fails; the vanish already reported `closed`.
        if (err !== null && err !== undefined) this.onStreamClosed(undefined)
        resolve()
      })
    })
  }

  private emit (ev: PortEvent): void {
    for (const l of [...this.listeners]) {
      try { l(ev) } catch (e) { queueMicrotask(() => { throw e }) }
    }
  }

  private onStreamClosed (err: Error | undefined): void {
    if (this.closed) return
    this.closed = true
    this.idleTimer?.cancel()
    const error = err === undefined ? undefined : new LinkError(`${this.name}: device vanished: ${err.message}`, { cause: err })
    const gone = error ?? new PortClosedError(`${this.name}: port closed`)
    this.markGone(gone)
    for (const job of this.queue.splice(0)) if (job.kind === 'speed') job.reject(gone)
    this.emit({ type: 'closed', error, at: this.clock.now() })
  }

  private onData (chunk: Uint8Array): void {
    if (this.configuring) {
      if (this.tap !== undefined) this.tap(chunk); else this.raw.push(Uint8Array.from(chunk))
      return
    }
    const before = this.echo.suppressed
    const bytes = this.echoOn ? this.echo.filter(chunk) : chunk
    this.extra.echoSuppressed += this.echo.suppressed - before
    if (bytes.length === 0) return
    const now = this.clock.now()
    this.lastRxAt = now
    this.rxSinceTx = true
    this.markBusy(now)
    const noise = this.unwrapper.noiseBytes
    for (const ev of this.unwrapper.push(bytes)) {
      if (ev.type === 'frame') {
        this.stats.framesReceived++
        this.stats.bytesReceived += ev.frame.length
        this.emit({ type: 'frame', frame: ev.frame, at: now })
      } else {
        this.stats.rxErrors[ev.reason]++
        this.emit({ type: 'rx-error', reason: ev.reason, at: now })
      }
    }
    if (this.unwrapper.noiseBytes > noise) {
      this.stats.rxErrors.garbage++
      this.emit({ type: 'rx-error', reason: 'garbage', at: now })
    }
  }

  /** Busy while bytes arrive; idle after a few quiet byte times. */
  private markBusy (now: number): void {
    if (!this.mediaBusy) {
      this.mediaBusy = true
      this.emit({ type: 'media', busy: true, at: now })
    }
    this.idleTimer?.cancel()
    this.idleTimer = this.clock.setTimer(now + IDLE_AFTER_BYTES * 10_000 / this.speed, () => {
      this.idleTimer = undefined
      if (!this.mediaBusy || this.closed) return
      this.mediaBusy = false
      this.emit({ type: 'media', busy: false, at: this.clock.now() })
    })
  }

  /** Sends queued frames and runs queued speed changes, strictly in order. */
  private pump (): void {
    if (this.pumping) return
    this.pumping = true
    this.drive().catch(() => {}).finally(() => {
      this.pumping = false
      if (this.queue.length > 0 && !this.closed) this.pump()
    })
  }

  private async drive (): Promise<void> {
    let sent = false
    while (this.queue.length > 0 && !this.closed) {
      const job = this.queue.shift()!
      if (job.kind === 'frame') {
        await this.waitTurnaround()
        if (this.echoOn) this.echo.expect(job.wire)
        const start = Math.max(this.airEndsAt, this.clock.now())
        await this.writeRaw(job.wire)
        this.airEndsAt = start + job.wire.length * 10_000 / this.speed
        this.rxSinceTx = false
        this.stats.framesSent++
        // Counted like every Port: frame bytes (A + C + I), not wire bytes.
        this.stats.bytesSent += job.size
        sent = true
        continue
      }
      try {
        await this.drainToAir()
        if (sent) { sent = false; this.emit({ type: 'tx-done', at: this.clock.now() }) }
        await this.changeSpeed(job.bps)
        job.resolve()
      } catch (e) {
        job.reject(e as Error)
      }
    }
    if (sent && !this.closed) {
      await this.drainToAir()
      if (this.closed) return
      this.emit({ type: 'tx-done', at: this.clock.now() })
    }
  }

  private async waitTurnaround (): Promise<void> {
    if (!this.rxSinceTx || this.minTurnaroundMs === 0) return
    const wait = this.lastRxAt + this.minTurnaroundMs - this.clock.now()
    await sleep(this.clock, wait)
  }

  private async changeSpeed (bps: number): Promise<void> {
    if (bps === this.speed) return
    try {
      await this.configure(async () => await this.driver.setSpeed(bps))
      this.speed = bps
      this.extra.speedChanges++
    } catch (e) {
      // Best effort: put the dongle back where it was, so the link can go on at the old speed.
      await this.configure(async () => await this.driver.setSpeed(this.speed)).catch(() => {})
      throw e
    }
  }

  /** Runs a dongle procedure with normal reception off (as sir_dev does): bytes go to `tap`. */
  private async configure (work: () => Promise<void>): Promise<void> {
    this.configuring = true
    try {
      await work()
    } finally {
      this.configuring = false
      this.tap = undefined
      this.raw = []
      this.unwrapper.reset()
      this.echo.forget()
    }
  }

  /** Runs one stream call; it fails at once if the port is (or becomes) closed. */
  private async call (op: (done: (err: Error | null | undefined) => void) => void): Promise<void> {
    if (this.closed) throw new PortClosedError(`${this.name}: port closed`)
    await Promise.race([this.gone, new Promise<void>((resolve, reject) => {
      op(err => { if (err != null) reject(err); else resolve() })
    })])
  }

  private async writeRaw (bytes: Uint8Array): Promise<void> {
    await this.call(done => this.stream.write(Buffer.from(bytes), done))
  }

  /** Waits until what was written has been drained by the tty and has had its time on the line. */
  private async drainToAir (): Promise<void> {
    await this.drain()
    await sleep(this.clock, this.airEndsAt - this.clock.now())
  }

  private async drain (): Promise<void> {
    await this.call(done => { this.stream.drain(done) })
  }

  /** The line as the dongle driver sees it. */
  private io (): DongleIo {
    return {
      clock: this.clock,
      setLines: async (dtr, rts) => {
        await this.call(done => { this.stream.set({ dtr, rts }, done) }).catch((e: unknown) => {
          if (e instanceof PortClosedError) throw e
          // The native binding says only "Error: <strerror>, cannot set".
          const reason = (e instanceof Error ? e.message : String(e)).replace(/^Error: /, '').replace(/, cannot set$/, '')
          throw new ControlLinesError(this.name, dtr, rts, reason)
        })
      },
      write: async bytes => { await this.writeRaw(bytes); await this.drain() },
      setBaud: async bps => { await this.call(done => { this.stream.update({ baudRate: bps }, done) }) },
      read: async (count, timeoutMs) => await this.readReply(count, timeoutMs)
    }
  }

  /** Reads a fixed-length dongle reply with `@serialport/parser-byte-length`. */
  private async readReply (count: number, timeoutMs: number): Promise<Uint8Array | undefined> {
    const parser = new ByteLengthParser({ length: count })
    return await new Promise<Uint8Array | undefined>((resolve, reject) => {
      this.gone.catch(reject)
      const timer = this.clock.setTimer(this.clock.now() + timeoutMs, () => { done(undefined) })
      const done = (v: Uint8Array | undefined): void => {
        timer.cancel()
        this.tap = undefined
        parser.destroy()
        resolve(v)
      }
      parser.once('data', (reply: Buffer) => done(Uint8Array.from(reply)))
      this.tap = chunk => parser.write(Buffer.from(chunk))
      for (const chunk of this.raw.splice(0)) parser.write(Buffer.from(chunk))
    })
  }
}
