/*! Errors the stack surfaces to applications. Each carries its `kind` so socket layers can map it to their errors. */
import { IrdaError, LinkError } from '@irdakit/core'
import type { LmDisconnectCause } from '@irdakit/lmp'

/** An LSAP or TinyTP connection ended or could not be made; `cause` says why. */
export class ConnectionError extends LinkError {
  static override name = 'ConnectionError'
  constructor (message: string, readonly kind: LmDisconnectCause | 'bad-connect-pdu' | 'lm-data-size' | 'credit-overrun' | 'stack-closed', readonly reason?: number) {
    super(message)
  }
}

/** An IAS query failed below IAS (link, connection, malformed answer). */
export class IasQueryError extends IrdaError {
  static override name = 'IasQueryError'
  constructor (message: string, readonly kind: string) { super(message) }
}

/** The stack was closed. */
export class StackClosedError extends IrdaError {
  static override name = 'StackClosedError'
  constructor () { super('the IrDA stack is closed') }
}
