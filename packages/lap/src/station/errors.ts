/*! Errors the station throws at its user: only for API misuse. Bad frames from the peer are counted, never thrown. */
import { LocalProtocolError } from '@irdakit/core'
import type { LapState } from './states.js'

/** A request that the current state does not allow (connect while connected, data while disconnected, ...). */
export class InvalidStateError extends LocalProtocolError {
  static override name = 'InvalidStateError'
  constructor (readonly request: string, readonly state: LapState) {
    super(`${request} is not allowed in state ${state}`)
  }
}

/** A request with a bad argument (data longer than the negotiated size, a bad address, ...). */
export class InvalidRequestError extends LocalProtocolError {
  static override name = 'InvalidRequestError'
}
