/*!
 * TinyTP API errors. Each says who is at fault (see `@irdakit/core` errors): these are all
 * local misuse; what the peer does wrong is counted in statistics, never thrown.
 */
import { LocalProtocolError } from '@irdakit/core'

/** The SDU is larger than the peer accepts: its MaxSduSize, or one data PDU when SAR is off. */
export class TtpSduTooLargeError extends LocalProtocolError {
  static override name = 'TtpSduTooLargeError'
  constructor (readonly size: number, readonly limit: number, readonly sar: boolean) {
    super(sar
      ? `SDU of ${size} bytes exceeds the peer's MaxSduSize of ${limit}`
      : `SDU of ${size} bytes does not fit one data PDU (${limit} bytes) and the peer accepts no SAR (MaxSduSize 0)`)
  }
}

/** An empty SDU cannot be sent: on the wire it would be a dataless credit PDU. */
export class TtpEmptySduError extends LocalProtocolError {
  static override name = 'TtpEmptySduError'
  constructor () { super('an SDU must carry at least one byte') }
}

/** The call is not allowed in the connection's current state. */
export class TtpStateError extends LocalProtocolError {
  static override name = 'TtpStateError'
  constructor (readonly operation: string, readonly state: string) {
    super(`${operation} is not allowed in state '${state}'`)
  }
}

/** A constructor or call option is out of range. */
export class TtpOptionError extends LocalProtocolError {
  static override name = 'TtpOptionError'
}
