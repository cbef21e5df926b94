/*!
 * Line speeds and what each costs on the air (IrPHY 1.4; IrLAP 1.1 section 6.6.1 for the QoS bits).
 *
 * - SIR (2400 to 115200 b/s): asynchronous bytes, 10 bit times each (start + 8 + stop).
 * - MIR (576000, 1152000 b/s): synchronous HDLC bits, see `mir.ts`; 8 bit times per wire byte.
 * - FIR (4000000 b/s): 4PPM chips at 8 Mchip/s, see `fir.ts`; one wire byte = 8 chips = 1 us.
 */
import { LocalProtocolError } from '@irdakit/core'
import type { FrameUnwrapper } from './events.js'
import { firWrap, FirUnwrapper } from './fir.js'
import { mirWrap, MirUnwrapper } from './mir.js'
import { sirWrap, SirUnwrapper, type SirWrapOptions, type UnwrapperOptions } from './sir.js'

export type Modulation = 'SIR' | 'MIR' | 'FIR'

export interface SpeedInfo {
  /** Data rate in bit/s. */
  readonly bps: number
  readonly modulation: Modulation
  /** Bit index in the IrLAP baud-rate parameter (PI 0x01): bit0 = 2400 ... bit8 = 4000000. */
  readonly qosBit: number
  /** Time one wire byte (as returned by {@link wrapForSpeed}) occupies the air, in ms. */
  readonly wireByteMs: number
}

const info = (bps: number, modulation: Modulation, qosBit: number): SpeedInfo => {
  // SIR: 10 bits per byte; MIR: 8 bits per byte; FIR: 8 chips at twice the bit rate.
  const bitsPerWireByte = modulation === 'SIR' ? 10 : modulation === 'MIR' ? 8 : 4
  return Object.freeze({ bps, modulation, qosBit, wireByteMs: (bitsPerWireByte * 1000) / bps })
}

/** Every speed irdakit supports, ascending, with its modulation. */
export const SPEED_TABLE: readonly SpeedInfo[] = Object.freeze([
  info(2400, 'SIR', 0),
  info(9600, 'SIR', 1),
  info(19200, 'SIR', 2),
  info(38400, 'SIR', 3),
  info(57600, 'SIR', 4),
  info(115200, 'SIR', 5),
  info(576000, 'MIR', 6),
  info(1152000, 'MIR', 7),
  info(4000000, 'FIR', 8),
])

/** The supported speeds in bit/s, ascending. */
export const SPEEDS: readonly number[] = Object.freeze(SPEED_TABLE.map(s => s.bps))

/** The speed every IrDA link starts at (IrLAP 1.1 section 6.6.1: contention and NDM run at 9600 b/s). */
export const DEFAULT_SPEED = 9600

/** Thrown for a speed IrDA does not define (or irdakit does not support). */
export class UnsupportedSpeedError extends LocalProtocolError {
  static override name = 'UnsupportedSpeedError'
  constructor (readonly bps: number) {
    super(`unsupported IrDA speed ${bps} b/s (supported: ${SPEEDS.join(', ')})`)
  }
}

export function isSupportedSpeed (bps: number): boolean {
  return SPEED_TABLE.some(s => s.bps === bps)
}

/** The table by speed: every frame asks (airtime, framing), so one lookup, not a search. */
const BY_BPS = new Map(SPEED_TABLE.map(s => [s.bps, s]))

/** Facts about a supported speed; throws {@link UnsupportedSpeedError} otherwise. */
export function speedInfo (bps: number): SpeedInfo {
  const s = BY_BPS.get(bps)
  if (s === undefined) throw new UnsupportedSpeedError(bps)
  return s
}

/**
 * The bytes that go on the air for one IrLAP frame (A + C + I) at `bps`: SIR {@link sirWrap}
 * (with `xbofs`), MIR {@link mirWrap}, FIR {@link firWrap}. `xbofs` only exists in SIR; at MIR and
 * FIR a station honours the turnaround time by waiting, so it is ignored there.
 */
export function wrapForSpeed (frame: Uint8Array, bps: number, opts: SirWrapOptions = {}): Uint8Array {
  const m = speedInfo(bps).modulation
  if (m === 'SIR') return sirWrap(frame, opts)
  return m === 'MIR' ? mirWrap(frame) : firWrap(frame)
}

/** A receiver matching {@link wrapForSpeed} at `bps`. */
export function createUnwrapper (bps: number, opts: UnwrapperOptions = {}): FrameUnwrapper {
  const m = speedInfo(bps).modulation
  if (m === 'SIR') return new SirUnwrapper(opts)
  return m === 'MIR' ? new MirUnwrapper(opts) : new FirUnwrapper(opts)
}

/**
 * Exact time on air (ms) of `wire` (or of that many wire bytes) as returned by
 * {@link wrapForSpeed} at `bps`: SIR 10 bit times per byte; MIR 8 bit times per byte (flags,
 * stuffing and idle fill included, they are in the bytes); FIR 1 us per wire byte at 4 Mb/s
 * (preamble and flags included).
 */
export function airtimeMs (wire: Uint8Array | number, bps: number): number {
  const n = typeof wire === 'number' ? wire : wire.length
  return n * speedInfo(bps).wireByteMs
}
