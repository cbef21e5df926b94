/*!
 * The data-driven dongle driver: a small interpreter that runs a profile's host-side steps
 * (set lines, wait, write, read back, pulse, baud) against a {@link DongleIo}. A speed change
 * follows the Linux sir_dev order: reset the dongle to its default speed (host at the default
 * baud), run the dongle's speed procedure, end with the host at the new baud.
 */
import { DongleReplyError, UnsupportedSpeedError } from './errors.js'
import { sleep, type DongleIo } from './dongle-io.js'
import type { DongleProfile, Lines, PerSpeed, Step } from './profile-types.js'

/** Looks a per-speed value up for `speed` (validated profiles cover every speed). */
export function pick<T> (v: PerSpeed<T>, speed: number): T {
  if ('fixed' in v) return v.fixed
  const found = v.bySpeed[speed]
  if (found === undefined) throw new UnsupportedSpeedError(speed, Object.keys(v.bySpeed).map(Number))
  return found
}

const hex = (b: Uint8Array | readonly number[]): string => Array.from(b, x => x.toString(16).padStart(2, '0')).join(' ')

/** Runs profile procedures for one dongle on one port, tracking the line state it set. */
export class DongleDriver {
  /** The line state last set (the OS raises both lines on open). */
  lines: Lines = { dtr: true, rts: true }
  /** The host baud rate last set. */
  baud: number

  constructor (readonly profile: DongleProfile, private readonly io: DongleIo, initialBaud: number) {
    this.baud = initialBaud
  }

  /** Powers the dongle up (once after open). */
  async powerOn (): Promise<void> { await this.run(this.profile.powerOn, this.profile.defaultSpeed) }

  /** Powers the dongle down (before close). */
  async powerOff (): Promise<void> { await this.run(this.profile.powerOff, this.profile.defaultSpeed) }

  /** Resets the dongle: afterwards it and the host run at the default speed. */
  async reset (): Promise<void> { await this.run(this.profile.reset, this.profile.defaultSpeed) }

  /** Reset, then the speed procedure: afterwards dongle and host run at `bps`. */
  async setSpeed (bps: number): Promise<void> {
    if (!this.profile.speeds.includes(bps)) throw new UnsupportedSpeedError(bps, this.profile.speeds)
    await this.reset()
    await this.run(this.profile.setSpeed, bps)
  }

  /** Runs `steps` for the requested speed `target`. */
  async run (steps: readonly Step[], target: number): Promise<void> {
    let lastWrite: Uint8Array = new Uint8Array(0)
    for (const step of steps) {
      switch (step.kind) {
        case 'set': {
          const l = pick(step.lines, target)
          await this.setLines(l.dtr, l.rts)
          break
        }
        case 'wait':
          await sleep(this.io.clock, step.ms)
          break
        case 'write':
          lastWrite = Uint8Array.from(pick(step.bytes, target))
          await this.io.write(lastWrite)
          break
        case 'read': {
          const got = await this.io.read(step.count, step.timeoutMs)
          if (got === undefined) throw new DongleReplyError(`${this.profile.name}: no ${step.count}-byte reply within ${step.timeoutMs} ms`)
          if (step.expect === undefined) break
          const want = step.expect === 'echo' ? lastWrite : Uint8Array.from(pick(step.expect, target))
          if (hex(got) !== hex(want)) throw new DongleReplyError(`${this.profile.name}: bad reply ${hex(got)}, expected ${hex(want)}`, got)
          break
        }
        case 'pulse': {
          const n = pick(step.count, target)
          for (let i = 0; i < n; i++) {
            await this.setLines(step.line === 'dtr' ? false : this.lines.dtr, step.line === 'rts' ? false : this.lines.rts)
            await sleep(this.io.clock, step.lowMs)
            await this.setLines(step.line === 'dtr' ? true : this.lines.dtr, step.line === 'rts' ? true : this.lines.rts)
            await sleep(this.io.clock, step.highMs)
          }
          break
        }
        case 'baud': {
          const bps = step.to === 'target' ? target : step.to === 'default' ? this.profile.defaultSpeed : step.to
          if (bps !== this.baud) await this.io.setBaud(bps)
          this.baud = bps
          break
        }
      }
    }
  }

  private async setLines (dtr: boolean, rts: boolean): Promise<void> {
    await this.io.setLines(dtr, rts)
    this.lines = { dtr, rts }
  }
}
