/*!
 * A core `Port` over a USB IrDA driver. Frames leave in order; a speed change waits until every
 * earlier frame was taken by the device; the peer's minimum turnaround is waited on the port's
 * clock before the first frame after a reception (unless the chip times it); what the receive
 * loop brings becomes `frame` / `rx-error` / `media` events and counts; a transfer that fails
 * (the dongle was pulled) closes the port with a `LinkError`, and a new `openUsbPort` on the
 * re-plugged device carries on.
 */
import { checkMinTurnaround, checkFrameToSend, emptyPortStats, LinkError, type Clock, type Port, type PortEvent, type PortListener, type PortStats, type SendOptions } from '@irdakit/core'
import { airtimeMs } from '@irdakit/phy'
import { sleep, type DongleQos, type RxItem, type UsbIrdaDriver } from './driver.js'
import { UsbPortClosedError, UsbUnsupportedSpeedError } from './errors.js'
import type { UsbDevice } from './usb-device.js'

type Job =
  | { kind: 'frame', frame: Uint8Array, xbofs: number }
  | { kind: 'speed', bps: number, resolve: () => void, reject: (e: Error) => void }

/** Quiet time after the last reception before the medium counts as idle again, in byte times. */
const IDLE_AFTER_BYTES = 4

export interface UsbPortExtraStats {
  speedChanges: number
  /** Frames handed to `send` after the device vanished (dropped, not thrown). */
  droppedAfterVanish: number
}

export class UsbIrdaPort implements Port {
  readonly stats: PortStats = emptyPortStats()
  readonly extra: UsbPortExtraStats = { speedChanges: 0, droppedAfterVanish: 0 }
  speed = 9600
  mediaBusy = false
  closed = false
  private readonly listeners = new Set<PortListener>()
  private readonly queue: Job[] = []
  private pumping = false
  private minTurnaroundMs = 0
  private lastRxAt = Number.NEGATIVE_INFINITY
  private rxSinceTx = false
  /**
   * When the frames handed to the dongle have had their time on the air (a floor: framing bytes
   * counted, escapes not). A transfer completes when the dongle has the frame, not when it has
   * sent it; IrLAP's F timer must not start before, nor the speed change under it.
   */
  private airEndsAt = Number.NEGATIVE_INFINITY
  private idleTimer: { cancel: () => void } | undefined
  private closeRequested = false
  private closing: Promise<void> | undefined
  private unDisconnect: (() => void) | undefined

  /** @internal use `openUsbPort`. */
  constructor (readonly name: string, readonly clock: Clock, readonly driver: UsbIrdaDriver, device: UsbDevice) {
    this.unDisconnect = device.onDisconnect?.(e => this.gone(e))
  }

  get supportedSpeeds (): readonly number[] { return this.driver.speeds }

  /** The chip's limits for IrLAP's QoS: `IrdaStack.create({ port, qos: port.qos })`. */
  get qos (): DongleQos { return this.driver.qos }

  /** Opens the driver and starts receiving. Part of `openUsbPort`. */
  async start (): Promise<void> {
    await this.driver.open()
    void this.receiveLoop()
  }

  listen (listener: PortListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  send (frame: Uint8Array, opts: SendOptions = {}): void {
    if (this.closed) {
      if (this.closeRequested) throw new UsbPortClosedError(`${this.name}: send on a closed port`)
      this.extra.droppedAfterVanish++
      return
    }
    checkFrameToSend(frame)
    this.queue.push({ kind: 'frame', frame: Uint8Array.from(frame), xbofs: opts.xbofs ?? 0 })
    this.pump()
  }

  async setSpeed (bps: number): Promise<void> {
    if (this.closed) throw new UsbPortClosedError(`${this.name}: setSpeed on a closed port`)
    if (!this.supportedSpeeds.includes(bps)) throw new UsbUnsupportedSpeedError(bps, this.supportedSpeeds)
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
    this.closing ??= (async () => {
      if (this.closed) return
      this.closeRequested = true
      try { await this.driver.close() } catch { /* going away either way */ }
      this.finish(undefined)
    })()
    await this.closing
  }

  private emit (ev: PortEvent): void {
    for (const l of [...this.listeners]) {
      try { l(ev) } catch (e) { queueMicrotask(() => { throw e }) }
    }
  }

  /** The device failed or vanished under us. */
  private gone (cause: unknown): void {
    if (this.closed || this.closeRequested) return
    const msg = cause instanceof Error ? cause.message : String(cause)
    this.finish(new LinkError(`${this.name}: USB device vanished: ${msg}`, { cause }))
    this.driver.close().catch(() => {})
  }

  private finish (error: LinkError | undefined): void {
    if (this.closed) return
    this.closed = true
    this.idleTimer?.cancel()
    this.unDisconnect?.()
    const reason = error ?? new UsbPortClosedError(`${this.name}: port closed`)
    for (const job of this.queue.splice(0)) if (job.kind === 'speed') job.reject(reason)
    this.emit({ type: 'closed', error, at: this.clock.now() })
  }

  private async receiveLoop (): Promise<void> {
    while (!this.closed) {
      let items: RxItem[]
      try {
        items = await this.driver.receive()
      } catch (e) {
        this.gone(e)
        return
      }
      if (this.closed) return
      this.onReceived(items)
    }
  }

  private onReceived (items: RxItem[]): void {
    const now = this.clock.now()
    for (const it of items) {
      if (it.type === 'media') {
        if (it.busy) this.markBusy(now)
        continue
      }
      this.lastRxAt = now
      this.rxSinceTx = true
      this.markBusy(now)
      if (it.type === 'frame') {
        this.stats.framesReceived++
        this.stats.bytesReceived += it.frame.length
        this.emit({ type: 'frame', frame: it.frame, at: now })
      } else {
        this.stats.rxErrors[it.reason]++
        this.emit({ type: 'rx-error', reason: it.reason, at: now })
      }
    }
  }

  /** Busy while receptions arrive; idle after a few quiet byte times. */
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

  private pump (): void {
    if (this.pumping) return
    this.pumping = true
    this.drive().catch(e => this.gone(e)).finally(() => {
      this.pumping = false
      if (this.queue.length > 0 && !this.closed) this.pump()
    })
  }

  private async drive (): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const job = this.queue.shift()!
      if (job.kind === 'frame') {
        await this.waitTurnaround()
        if (this.closed) return
        const start = Math.max(this.airEndsAt, this.clock.now())
        await this.driver.sendFrame(job.frame, { xbofs: job.xbofs, minTurnaroundMs: this.rxSinceTx ? this.minTurnaroundMs : 0 })
        // BOF, FCS and EOF (SIR's two-byte FCS; the longer FIR CRC only adds to the floor's margin).
        this.airEndsAt = start + airtimeMs(job.xbofs + job.frame.length + 4, this.speed)
        this.rxSinceTx = false
        this.stats.framesSent++
        this.stats.bytesSent += job.frame.length
        if (this.queue.some(j => j.kind === 'frame')) continue
        await sleep(this.clock, this.airEndsAt - this.clock.now())
        if (!this.queue.some(j => j.kind === 'frame') && !this.closed) this.emit({ type: 'tx-done', at: this.clock.now() })
        continue
      }
      try {
        if (job.bps !== this.speed) {
          await sleep(this.clock, this.airEndsAt - this.clock.now())
          await this.driver.setSpeed(job.bps)
          this.speed = job.bps
          this.extra.speedChanges++
        }
        job.resolve()
      } catch (e) {
        job.reject(e as Error)
        throw e
      }
    }
  }

  private async waitTurnaround (): Promise<void> {
    if (this.driver.timesTurnaround || !this.rxSinceTx || this.minTurnaroundMs === 0) return
    await sleep(this.clock, this.lastRxAt + this.minTurnaroundMs - this.clock.now())
  }
}
