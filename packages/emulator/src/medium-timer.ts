/*!
 * Runs a {@link Medium} on a clock: one timer, always set for the medium's next deadline; when
 * it fires, whatever fell due goes to `dispatch`. The in-process Room and the served room
 * differ only in where they dispatch to.
 */
import type { Clock, TimerHandle } from '@irdakit/core'
import type { Medium } from './medium.js'
import type { MediumOutput } from './messages.js'

export class MediumTimer {
  private armed: { at: number, handle: TimerHandle } | undefined
  private stopped = false
  /** One callback for every timer (arming happens for every frame). */
  private readonly fire = (): void => { this.armed = undefined; this.wake() }

  constructor (
    private readonly medium: Medium,
    private readonly clock: Clock,
    private readonly dispatch: (out: MediumOutput) => void,
  ) {}

  /** Call after every input to the medium: its next deadline may have moved. */
  arm (): void {
    if (this.stopped) return
    const at = this.medium.nextDeadline()
    if (this.armed !== undefined && this.armed.at === at) return
    this.armed?.handle.cancel()
    this.armed = undefined
    if (at === undefined) return
    this.armed = { at, handle: this.clock.setTimer(at, this.fire) }
  }

  /** For good: nothing is dispatched after this. */
  stop (): void {
    this.stopped = true
    this.armed?.handle.cancel()
    this.armed = undefined
  }

  private wake (): void {
    for (const out of this.medium.poll(this.clock.now())) this.dispatch(out)
    this.arm()
  }
}
