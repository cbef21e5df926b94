/*!
 * A bare IrLAP station on a port, for the commands that work below IrLMP (`irda ping`): it moves
 * frames and events between the station and the port and keeps one timer armed for the
 * station's next deadline, as IrdaStack does for the whole stack.
 */
import { SeededRandom, type Port, type TimerHandle } from '@irdakit/core'
import { defaultQos, emitDiscoveryInfo, IrlapStation, type LapEvent } from '@irdakit/lap'

export interface LapDriverOptions {
  port: Port
  nickname: string
  hints?: number[]
  seed?: number
}

export class LapDriver {
  readonly station: IrlapStation
  private readonly port: Port
  private readonly unlisten: () => void
  private readonly listeners = new Set<(e: LapEvent) => void>()
  private timer: { at: number, handle: TimerHandle } | undefined
  private closed = false

  constructor (opts: LapDriverOptions) {
    this.port = opts.port
    const random = new SeededRandom(opts.seed ?? (Math.random() * 0x100000000) >>> 0)
    this.station = new IrlapStation({
      random,
      qos: defaultQos({ speeds: opts.port.supportedSpeeds }),
      discoveryInfo: emitDiscoveryInfo({ hints: Uint8Array.from(opts.hints ?? [0x04]), charset: 0, nickname: opts.nickname }),
    }, this.now())
    this.unlisten = this.port.listen(ev => {
      if (this.closed) return
      const now = this.now()
      switch (ev.type) {
        case 'frame': this.station.handleFrame(now, ev.frame); break
        case 'rx-error': this.station.handleRxError(now, ev.reason); break
        case 'media': this.station.handleMediaBusy(now, ev.busy); break
        case 'tx-done': this.station.handleTxDone(now); break
        case 'closed': this.close(); return
      }
      this.pump()
    })
    this.pump()
  }

  now (): number { return this.port.clock.now() }

  /** Calls `listener` with every IrLAP event. Returns an unsubscribe function. */
  onEvent (listener: (e: LapEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Runs `fn` on the station (a request), then moves what it produced. */
  request (fn: (station: IrlapStation, now: number) => void): void {
    fn(this.station, this.now())
    this.pump()
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.timer?.handle.cancel()
    this.unlisten()
  }

  private pump (): void {
    if (this.closed) return
    for (let moved = true; moved;) {
      moved = false
      for (let a = this.station.pollTransmit(); a !== undefined; a = this.station.pollTransmit()) {
        moved = true
        if (a.type === 'frame') this.port.send(a.frame, { xbofs: a.xbofs })
        else if (a.type === 'speed') this.port.setSpeed(a.bps).catch(() => {})
        else this.port.setMinTurnaround(a.ms)
      }
      for (let e = this.station.pollEvent(); e !== undefined; e = this.station.pollEvent()) {
        moved = true
        for (const l of [...this.listeners]) l(e)
      }
    }
    const at = this.station.nextDeadline()
    if (at === this.timer?.at) return
    this.timer?.handle.cancel()
    this.timer = at === undefined ? undefined : { at, handle: this.port.clock.setTimer(at, () => { this.timer = undefined; this.station.poll(this.now()); this.pump() }) }
  }
}
