/*!
 * Error base classes. Errors say who is at fault: the local user (API misuse), the remote peer
 * (it broke the protocol), or the medium. Codec errors are returned as values, never thrown
 * through the stack; these classes are for the API surface.
 */

/** Base of every irdakit error. `name` is the class name, stable across versions. */
export class IrdaError extends Error {
  static override name = 'IrdaError'
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The caller used an API wrongly (bad state, bad argument). */
export class LocalProtocolError extends IrdaError {
  static override name = 'LocalProtocolError'
}

/** The peer sent something the protocol does not allow. */
export class RemoteProtocolError extends IrdaError {
  static override name = 'RemoteProtocolError'
}

/** The link or port failed underneath a request (link lost, port closed, device gone). */
export class LinkError extends IrdaError {
  static override name = 'LinkError'
}

/** Bytes that do not decode. Codecs return this (as `{ ok: false, error }`), they do not throw it. */
export class WireError extends IrdaError {
  static override name = 'WireError'
}

/** The result of decoding untrusted bytes: a value, or a typed error. Never an exception. */
export type Decoded<T> = { ok: true, value: T } | { ok: false, error: WireError }

export const ok = <T>(value: T): Decoded<T> => ({ ok: true, value })
export const fail = <T = never>(message: string): Decoded<T> => ({ ok: false, error: new WireError(message) })
