/*!
 * The dongle side of a profile, as a pure state machine: what the dongle does with the control
 * lines and with the bytes the host writes. It knows nothing of time or I/O; the emulator
 * binding feeds it and moves bytes. Behaviour comes from `profile.emulation`:
 * line states mean data / command / reset / off / step / a fixed speed; command bytes select a
 * pending speed that takes effect on a commit byte or on leaving command mode; bytes the dongle
 * cannot decode (wrong baud, unknown command) are rejected and counted.
 */
import type { CommandSet, DongleProfile, LineMode } from '../profile-types.js'
import { resampleUart } from '../uart.js'

/** Counters a test can assert on. */
export interface DongleModelStats {
  /** Command bytes decoded (at the dongle's speed) in command mode. */
  commandBytes: number
  /** Command bytes that matched nothing the dongle understands. */
  rejectedBytes: number
  /** Times the programmed speed changed. */
  speedChanges: number
  /** Line changes seen. */
  lineChanges: number
}

/** What one chunk of host bytes produced. */
export interface HostBytesResult {
  /** Bytes the dongle sends on IR (data mode only), at {@link DongleModel.irSpeed}. */
  toIr: Uint8Array
  /** Bytes the dongle sends back to the host (echo), already as the host's UART decodes them. */
  toHost: Uint8Array
}

const EMPTY = new Uint8Array(0)

type ModeName = 'data' | 'command' | 'reset' | 'off' | 'step'

const modeName = (m: LineMode): ModeName => typeof m === 'object' ? 'data' : m

/** One dongle's state: lines, current speed, pending command. */
export class DongleModel {
  readonly stats: DongleModelStats = { commandBytes: 0, rejectedBytes: 0, speedChanges: 0, lineChanges: 0 }
  /** The programmed speed (what a data-mode line state runs at, unless the lines fix it). */
  speed: number
  /** Lines start low: the host port is closed (opening it raises both, as the OS does). */
  dtr = false
  rts = false
  private pending: number | undefined
  private cmd: number[] = []

  /** `echo` overrides the profile's data-mode echo (a bare transceiver that hears its own LED). */
  constructor (readonly profile: DongleProfile, readonly echo: boolean = profile.echo) {
    this.speed = profile.defaultSpeed
  }

  /** What the current line state means. */
  lineMode (): LineMode {
    return this.profile.emulation.lines[`dtr${this.dtr ? 1 : 0}rts${this.rts ? 1 : 0}` as const]
  }

  /** The current mode name. */
  get mode (): ModeName { return modeName(this.lineMode()) }

  /**
   * The speed of the dongle's UART and IR side in data mode given the host's baud rate, or
   * undefined when the dongle is not passing data (command, reset, off, step).
   */
  irSpeed (hostBaud: number): number | undefined {
    const m = this.lineMode()
    if (typeof m === 'object') return m.speed
    if (m !== 'data') return undefined
    const source = this.profile.emulation.speedSource
    return source === 'host' ? hostBaud : source === 'fixed' ? this.profile.defaultSpeed : this.speed
  }

  /** The host drives DTR/RTS. */
  setLines (dtr: boolean, rts: boolean): void {
    if (dtr === this.dtr && rts === this.rts) return
    const before = this.lineMode()
    this.dtr = dtr
    this.rts = rts
    this.stats.lineChanges++
    this.leave(before, this.lineMode())
    this.enter(this.lineMode(), modeName(before))
  }

  private leave (from: LineMode, to: LineMode): void {
    const commit = this.profile.emulation.command?.commit
    if (from === 'command' && to !== 'command') {
      if (commit === 'exit' && this.pending !== undefined) this.changeSpeed(this.pending)
      this.pending = undefined
      this.cmd = []
    }
    if (from === 'step' && modeName(to) === 'data') this.step()
  }

  private enter (to: LineMode, from: ModeName): void {
    if (to === 'off' || to === 'reset' || from === 'off') {
      // Power loss, reset, or power-up: back to the default speed, nothing pending.
      this.changeSpeed(this.profile.defaultSpeed)
      this.pending = undefined
      this.cmd = []
    }
    if (typeof to === 'object') this.changeSpeed(to.speed)
  }

  private changeSpeed (bps: number): void {
    if (bps !== this.speed) this.stats.speedChanges++
    this.speed = bps
  }

  private step (): void {
    const cycle = this.profile.emulation.stepCycle ?? []
    const i = cycle.indexOf(this.speed)
    const next = i < 0 ? 0 : i + 1 < cycle.length ? i + 1 : this.profile.emulation.stepWrap === true ? 0 : i
    if (cycle.length > 0) this.changeSpeed(cycle[next])
  }

  /** Bytes from the host UART at `hostBaud`. */
  fromHost (bytes: Uint8Array, hostBaud: number): HostBytesResult {
    const mode = this.mode
    if (mode === 'command') return this.commandBytes(bytes, hostBaud)
    const ir = this.irSpeed(hostBaud)
    if (ir === undefined) return { toIr: EMPTY, toHost: EMPTY }
    const decoded = resampleUart(bytes, hostBaud, ir)
    return { toIr: decoded, toHost: this.echo ? resampleUart(decoded, ir, hostBaud) : EMPTY }
  }

  /** Bytes received on IR, as the host's UART decodes them; nothing unless in data mode. */
  toHost (irBytes: Uint8Array, hostBaud: number): Uint8Array {
    const ir = this.irSpeed(hostBaud)
    return ir === undefined ? EMPTY : resampleUart(irBytes, ir, hostBaud)
  }

  private commandBytes (bytes: Uint8Array, hostBaud: number): HostBytesResult {
    const set = this.profile.emulation.command as CommandSet
    // Command mode runs at the dongle's current speed: at another baud the bytes are garbage.
    const uart = this.speed
    const decoded = resampleUart(bytes, hostBaud, uart)
    for (const b of decoded) this.command(set, b)
    return { toIr: EMPTY, toHost: set.echo ? resampleUart(decoded, uart, hostBaud) : EMPTY }
  }

  private command (set: CommandSet, b: number): void {
    this.stats.commandBytes++
    this.cmd.push(b)
    const seq = this.cmd
    const same = (a: readonly number[]): boolean => a.length === seq.length && a.every((x, i) => x === seq[i])
    const prefix = (a: readonly number[]): boolean => a.length > seq.length && seq.every((x, i) => x === a[i])
    const selected = set.speeds.find(s => same(s.bytes))
    if (selected !== undefined) {
      this.pending = selected.speed
      this.cmd = []
    } else if (seq.length === 1 && set.commit !== 'exit' && set.commit.includes(b)) {
      if (this.pending !== undefined) this.changeSpeed(this.pending)
      this.pending = undefined
      this.cmd = []
    } else if (seq.length === 1 && set.accept.includes(b)) {
      this.cmd = []
    } else if (!set.speeds.some(s => prefix(s.bytes))) {
      this.stats.rejectedBytes += seq.length
      this.cmd = []
    }
  }
}
