/*!
 * `StationDriver`: binds one {@link IrlapStation} to a core `Port`. It feeds port events to the
 * station, performs the station's medium actions in order (send, setSpeed, setMinTurnaround),
 * keeps one timer on `port.clock` for the station's next deadline, and hands the station's
 * events to listeners and promises. No Node I/O, no real timers: only `port.clock`.
 */
import type { Clock, Port, PortEvent, TimerHandle } from '@irdakit/core'
import { LinkError } from '@irdakit/core'
import type { IrlapStation } from './station.js'
import type { LapEvent, LapEventType } from './primitives.js'

export type LapEventOf<T extends LapEventType> = LapEvent & { type: T }

export interface StationDriverOptions {
  /** Accept every connect indication at once (a plain secondary). Default false. */
  autoAccept?: boolean
}

export class StationDriver {
  /** Every event the station reported, in order. */
  readonly events: LapEvent[] = []
  private readonly listeners = new Set<(ev: LapEvent) => void>()
  private readonly waiters: Array<{ from: number, pred: (ev: LapEvent) => boolean, resolve: (ev: LapEvent) => void, reject: (e: Error) => void }> = []
  private timer: { at: number, handle: TimerHandle } | undefined
  private readonly unlisten: () => void
  private pumping = false
  private closedError: Error | undefined

  constructor (readonly station: IrlapStation, readonly port: Port, private readonly opts: StationDriverOptions = {}) {
    this.unlisten = port.listen(ev => { this.onPort(ev) })
    this.pump()
  }

  get clock (): Clock { return this.port.clock }
  get now (): number { return this.port.clock.now() }

  /** Subscribes to the station's events; returns an unsubscribe function. */
  on (listener: (ev: LapEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Calls the station (a request from the layer above) at the clock's time, then performs what it asked for. */
  act (fn: (st: IrlapStation, now: number) => void): void {
    fn(this.station, this.now)
    this.pump()
  }

  /** The first event matching `pred` from event index `from` on (default: events still to come). */
  async waitFor (pred: (ev: LapEvent) => boolean, from = this.events.length): Promise<LapEvent> {
    for (let i = from; i < this.events.length; i++) if (pred(this.events[i])) return this.events[i]
    if (this.closedError !== undefined) throw this.closedError
    return await new Promise((resolve, reject) => { this.waiters.push({ from, pred, resolve, reject }) })
  }

  /** The next event of a type (from `from` on). */
  async next<T extends LapEventType> (type: T, from = this.events.length): Promise<LapEventOf<T>> {
    return await this.waitFor(ev => ev.type === type, from) as LapEventOf<T>
  }

  /** Discovery request; resolves with the confirm. */
  async discover (slots: 1 | 6 | 8 | 16 = 6): Promise<LapEventOf<'discovery-confirm'>> {
    const from = this.events.length
    this.act((st, now) => { st.discoveryRequest(now, { slots }) })
    return await this.next('discovery-confirm', from)
  }

  /** Connect request; resolves with the confirm, or rejects with the disconnect reason. */
  async connect (deviceAddress: number): Promise<LapEventOf<'connect-confirm'>> {
    const from = this.events.length
    this.act((st, now) => { st.connectRequest(now, { deviceAddress }) })
    const ev = await this.waitFor(e => e.type === 'connect-confirm' || e.type === 'disconnect-indication', from)
    if (ev.type === 'disconnect-indication') throw new LinkError(`connect failed: ${ev.reason}`)
    return ev as LapEventOf<'connect-confirm'>
  }

  /** Disconnect request; resolves with the disconnect indication. */
  async disconnect (): Promise<LapEventOf<'disconnect-indication'>> {
    const from = this.events.length
    this.act((st, now) => { st.disconnectRequest(now) })
    return await this.next('disconnect-indication', from)
  }

  /** Stops driving: no more port events or timers. */
  detach (): void {
    this.unlisten()
    this.timer?.handle.cancel()
    this.timer = undefined
  }

  private onPort (ev: PortEvent): void {
    const st = this.station
    const now = Math.max(ev.at, this.now)
    switch (ev.type) {
      case 'frame': st.handleFrame(now, ev.frame); break
      case 'rx-error': st.handleRxError(now, ev.reason); break
      case 'media': st.handleMediaBusy(now, ev.busy); break
      case 'tx-done': st.handleTxDone(now); break
      case 'closed':
        this.detach()
        this.closedError = new LinkError('port closed', { cause: ev.error })
        for (const w of this.waiters.splice(0)) w.reject(this.closedError)
        return
    }
    this.pump()
  }

  /** Performs the station's outputs in order, delivers its events, rearms the deadline timer. */
  private pump (): void {
    if (this.pumping) return
    this.pumping = true
    try {
      for (;;) {
        const a = this.station.pollTransmit()
        if (a !== undefined) {
          if (a.type === 'frame') this.port.send(a.frame, { xbofs: a.xbofs })
          else if (a.type === 'speed') this.port.setSpeed(a.bps).catch(() => {})
          else this.port.setMinTurnaround(a.ms)
          continue
        }
        const ev = this.station.pollEvent()
        if (ev === undefined) break
        this.deliver(ev)
      }
      this.arm()
    } finally {
      this.pumping = false
    }
  }

  private deliver (ev: LapEvent): void {
    this.events.push(ev)
    const index = this.events.length - 1
    if (ev.type === 'connect-indication' && this.opts.autoAccept === true) {
      this.station.connectResponse(this.now)
    }
    for (const l of this.listeners) l(ev)
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i]
      if (index >= w.from && w.pred(ev)) { this.waiters.splice(i--, 1); w.resolve(ev) }
    }
  }

  private arm (): void {
    const at = this.station.nextDeadline()
    if (this.timer !== undefined && this.timer.at === at) return
    this.timer?.handle.cancel()
    this.timer = undefined
    if (at === undefined) return
    this.timer = {
      at,
      handle: this.port.clock.setTimer(at, () => {
        this.timer = undefined
        this.station.poll(this.now)
        this.pump()
      }),
    }
  }
}
