/*!
 * Periodic discovery for `irda attach --discover`: which devices came into range and which
 * left. One missed round does not make a device gone (two stations can pick the same slot, and
 * a busy medium postpones a round), so a device leaves after MISSES_TO_LEAVE rounds without it,
 * as Linux expires its discovery log after a few discovery periods.
 */
import type { Clock, TimerHandle } from '@irdakit/core'
import type { DeviceInfo } from '@irdakit/lmp'

export const MISSES_TO_LEAVE = 2

export type DeviceChange = { change: 'appeared' | 'disappeared', device: DeviceInfo }

/** What DeviceWatch needs from a stack. */
export interface Discoverer {
  discover(opts: { slots: 1 | 6 | 8 | 16 }): Promise<DeviceInfo[]>
  readonly closed: boolean
}

/** Compares one round's answers with the devices present so far. Pure. */
export class PresenceTable {
  private readonly present = new Map<number, { device: DeviceInfo, misses: number }>()

  round (found: readonly DeviceInfo[]): DeviceChange[] {
    const changes: DeviceChange[] = []
    const seen = new Set(found.map(d => d.deviceAddress))
    for (const [addr, p] of this.present) {
      if (seen.has(addr)) continue
      if (++p.misses >= MISSES_TO_LEAVE) {
        this.present.delete(addr)
        changes.push({ change: 'disappeared', device: p.device })
      }
    }
    for (const d of found) {
      const p = this.present.get(d.deviceAddress)
      if (p !== undefined) { p.misses = 0; p.device = d; continue }
      this.present.set(d.deviceAddress, { device: d, misses: 0 })
      changes.push({ change: 'appeared', device: d })
    }
    return changes
  }
}

/** Runs a discovery every `periodMs` on `clock` until stopped; reports changes as they happen. */
export class DeviceWatch {
  readonly table = new PresenceTable()
  rounds = 0
  private timer: TimerHandle | undefined
  private stopped = false
  private running: Promise<void> | undefined

  constructor (
    private readonly stack: Discoverer,
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly onChange: (c: DeviceChange) => void,
    private readonly onError: (e: unknown) => void
  ) {}

  start (): void { this.schedule(this.clock.now()) }

  /** Stops after the round in progress, if any (it ends when the stack closes). */
  stop (): void {
    this.stopped = true
    this.timer?.cancel()
  }

  private schedule (at: number): void {
    if (this.stopped) return
    this.timer = this.clock.setTimer(at, () => {
      this.timer = undefined
      this.running = this.round()
    })
  }

  private async round (): Promise<void> {
    if (this.stopped || this.stack.closed) return
    const started = this.clock.now()
    let found: DeviceInfo[]
    try {
      found = await this.stack.discover({ slots: 6 })
    } catch (e) {
      if (!this.stopped) this.onError(e)
      return
    }
    if (this.stopped) return
    this.rounds++
    for (const c of this.table.round(found)) this.onChange(c)
    this.schedule(started + this.periodMs)
  }

  /** Resolves when no round is in progress. */
  async idle (): Promise<void> { await this.running }
}
