/*!
 * Dongle profiles: one JSON file per dongle in `hardware/dongles/`, read by both the driver
 * (host side: which lines to set, which bytes to write, what to read back) and the dongle
 * emulator (dongle side: what each line state means, which command bytes change speed).
 * One file is the truth for both, so a test of the emulator is also a test of the profile.
 *
 * The JSON form allows bytes as numbers or "0xNN" strings and per-speed tables keyed by the
 * speed in bit/s; `validateProfile` turns it into the normalised types below.
 */

/** A modem-control line the host drives. */
export type LineName = 'dtr' | 'rts'

/** Both control lines; dongles are powered and steered through them. */
export interface Lines { dtr: boolean, rts: boolean }

/** A value chosen by the requested speed (keys are speeds in bit/s). */
export type SpeedTable<T> = Readonly<Record<number, T>>

/** A value that is either fixed or chosen by the requested speed. */
export type PerSpeed<T> = { fixed: T } | { bySpeed: SpeedTable<T> }

/**
 * One step of a host-side procedure. Steps run in order against a {@link DongleIo}; waits run on
 * the port's clock, so emulated runs are virtual-time and deterministic.
 */
export type Step =
  /** Drive DTR and RTS (both, always: the serialport `set` call sets every flag). */
  | { kind: 'set', lines: PerSpeed<Lines>, why?: string }
  /** Wait this many milliseconds (fractions allowed: many dongles need microseconds). */
  | { kind: 'wait', ms: number, why?: string }
  /** Write bytes at the current host baud rate and wait until they have left the UART. */
  | { kind: 'write', bytes: PerSpeed<readonly number[]>, why?: string }
  /**
   * Read exactly `count` bytes (with `@serialport/parser-byte-length`); fail after `timeoutMs`.
   * `expect: 'echo'` means the bytes of the previous write step.
   */
  | { kind: 'read', count: number, expect?: 'echo' | PerSpeed<readonly number[]>, timeoutMs: number, why?: string }
  /** Pulse a line low then high `count` times (ACTiSYS and LiteLink speed stepping). */
  | { kind: 'pulse', line: LineName, count: PerSpeed<number>, lowMs: number, highMs: number, why?: string }
  /** Set the host UART baud rate: a number, the requested speed, or the dongle's default speed. */
  | { kind: 'baud', to: number | 'target' | 'default', why?: string }

/**
 * What a line state means to the dongle (emulator side).
 * - `data`: pass data at the dongle's current speed;
 * - `command`: bytes from the host are commands (see {@link CommandSet});
 * - `reset`: the dongle returns to its default speed while this state holds;
 * - `off`: unpowered; on power-up the dongle starts at its default speed;
 * - `step`: returning from this state to `data` steps the speed along `stepCycle`;
 * - `{ speed }`: data mode at this fixed speed (speed chosen by the lines alone).
 */
export type LineMode = 'data' | 'command' | 'reset' | 'off' | 'step' | { speed: number }

/** The four line states, named `dtr<0|1>rts<0|1>`. */
export interface LineModes {
  dtr0rts0: LineMode
  dtr0rts1: LineMode
  dtr1rts0: LineMode
  dtr1rts1: LineMode
}

/** How a dongle decodes command-mode bytes. */
export interface CommandSet {
  /** Byte sequences that select a pending speed. */
  speeds: ReadonlyArray<{ bytes: readonly number[], speed: number }>
  /** When the pending speed takes effect: on leaving command mode, or on one of these bytes. */
  commit: 'exit' | readonly number[]
  /** Bytes the dongle accepts without changing speed (other registers). */
  accept: readonly number[]
  /** True when the dongle echoes every command byte back to the host. */
  echo: boolean
}

/** The dongle side of a profile: how the emulator behaves. */
export interface DongleEmulation {
  /**
   * Where the IR speed comes from: `host` = the host UART's own bit rate (a plain transceiver has
   * no clock of its own), `fixed` = always `defaultSpeed`, `programmed` = set by lines or commands.
   */
  speedSource: 'host' | 'fixed' | 'programmed'
  lines: LineModes
  command?: CommandSet
  /** Speeds visited by successive `step` pulses, starting from `defaultSpeed`. */
  stepCycle?: readonly number[]
  /** Whether stepping past the end of `stepCycle` wraps to its start (else it stays at the end). */
  stepWrap?: boolean
}

/** A fact about the dongle and where it comes from. */
export interface SourcedFact { fact: string, source: string }

/** A dongle profile, validated and normalised. See `hardware/README.md` for the file format. */
export interface DongleProfile {
  /** The file name without `.json`; what `openSerialPort({ dongle })` takes. */
  name: string
  /** Product name(s). */
  model: string
  /** The name `irattach -d` used for this dongle, if any. */
  irattach?: string
  /** `emulated`: an emulator test covers it; `documented`: profile only. */
  status: 'emulated' | 'documented'
  /** Speeds in bit/s, ascending. */
  speeds: readonly number[]
  /** Speed after power-up and reset. */
  defaultSpeed: number
  /** The minimum turnaround time this dongle's receiver needs, in ms (advertise it in the QoS). */
  minTurnaroundMs: number
  /** True when the dongle echoes transmitted data back to the host in data mode. */
  echo: boolean
  /** Run once after open, before the first reset. */
  powerOn: readonly Step[]
  /** Bring the dongle to `defaultSpeed` in data mode; must end with the host at the default baud. */
  reset: readonly Step[]
  /** Run after `reset` to reach the requested speed; must end with the host at the target baud. */
  setSpeed: readonly Step[]
  /** Run before close. */
  powerOff: readonly Step[]
  emulation: DongleEmulation
  /** Known oddities and driver bugs, in words. */
  quirks: readonly string[]
  /** Where each fact comes from. */
  sources: readonly SourcedFact[]
}
