/*! Typed errors of @irdakit/serial. Misuse is Local, a dongle that misbehaves is a LinkError. */
import { IrdaError, LinkError, LocalProtocolError } from '@irdakit/core'

/** No profile with that name in `hardware/dongles/`. */
export class UnknownDongleError extends LocalProtocolError {
  static override name = 'UnknownDongleError'
  constructor (readonly dongle: string, known: readonly string[]) {
    super(`unknown dongle "${dongle}"; known: ${known.join(', ')}`)
  }
}

/** A profile file is missing or does not validate. */
export class ProfileError extends IrdaError {
  static override name = 'ProfileError'
  constructor (readonly file: string, readonly problems: readonly string[]) {
    super(`bad dongle profile ${file}:\n  ${problems.join('\n  ')}`)
  }
}

/** The requested speed is not one the port and its dongle support. */
export class UnsupportedSpeedError extends LocalProtocolError {
  static override name = 'UnsupportedSpeedError'
  constructor (readonly bps: number, readonly supported: readonly number[]) {
    super(`speed ${bps} bit/s is not supported here; supported: ${supported.join(', ')}`)
  }
}

/** The dongle did not answer as its profile says (no reply, wrong reply). */
export class DongleReplyError extends LinkError {
  static override name = 'DongleReplyError'
  constructor (message: string, readonly got?: Uint8Array) {
    super(message)
  }
}

/** The port is closed (by request or because the device vanished). */
export class PortClosedError extends LinkError {
  static override name = 'PortClosedError'
}

/**
 * The port would not take the DTR/RTS levels a dongle's profile needs (a pty, a 3-wire adapter):
 * says which lines, why, and that only a dongle driven by control lines needs them.
 */
export class ControlLinesError extends LinkError {
  static override name = 'ControlLinesError'
  constructor (readonly port: string, readonly dtr: boolean, readonly rts: boolean, reason: string) {
    super(`${port}: cannot set the control lines DTR=${dtr ? 1 : 0} RTS=${rts ? 1 : 0} (${reason}); this dongle is driven through them, which a pseudo-terminal or a 3-wire adapter does not have (dongle 'none' needs no control lines)`)
  }
}
