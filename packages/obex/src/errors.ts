/*!
 * OBEX errors. Codecs return {@link ObexWireError} values (never throw them through a session).
 * Every failure response code has its own class, so callers can catch `NotFoundError` or test
 * `e.name === 'ForbiddenError'`; {@link responseError} picks the class for a code.
 */
import { IrdaError, LinkError, LocalProtocolError, RemoteProtocolError, WireError } from '@irdakit/core'
import { responseText } from './constants.js'

export type ObexWireReason =
  | 'short-packet' | 'packet-too-large' | 'length-mismatch' | 'header-overrun' | 'bad-header-length'
  | 'bad-unicode' | 'bad-fields' | 'name-too-long' | 'buffer-overflow'

/** Bytes that are not a well-formed OBEX packet; `reason` says which rule they broke. */
export class ObexWireError extends WireError {
  static override name = 'ObexWireError'
  constructor (message: string, readonly reason: ObexWireReason) { super(message) }
}

/** The peer answered a request with a failure response code. */
export class ObexResponseError extends RemoteProtocolError {
  static override name = 'ObexResponseError'
  constructor (readonly code: number, readonly detail?: string) {
    super(`${responseText(code)}${detail !== undefined && detail !== '' ? `: ${detail}` : ''}`)
  }
}

export class BadRequestError extends ObexResponseError { static override name = 'BadRequestError' }
export class UnauthorizedError extends ObexResponseError { static override name = 'UnauthorizedError' }
export class PaymentRequiredError extends ObexResponseError { static override name = 'PaymentRequiredError' }
export class ForbiddenError extends ObexResponseError { static override name = 'ForbiddenError' }
export class NotFoundError extends ObexResponseError { static override name = 'NotFoundError' }
export class MethodNotAllowedError extends ObexResponseError { static override name = 'MethodNotAllowedError' }
export class NotAcceptableError extends ObexResponseError { static override name = 'NotAcceptableError' }
export class ProxyAuthRequiredError extends ObexResponseError { static override name = 'ProxyAuthRequiredError' }
export class RequestTimeoutError extends ObexResponseError { static override name = 'RequestTimeoutError' }
export class ConflictError extends ObexResponseError { static override name = 'ConflictError' }
export class GoneError extends ObexResponseError { static override name = 'GoneError' }
export class LengthRequiredError extends ObexResponseError { static override name = 'LengthRequiredError' }
export class PreconditionFailedError extends ObexResponseError { static override name = 'PreconditionFailedError' }
export class EntityTooLargeError extends ObexResponseError { static override name = 'EntityTooLargeError' }
export class UrlTooLargeError extends ObexResponseError { static override name = 'UrlTooLargeError' }
export class UnsupportedMediaTypeError extends ObexResponseError { static override name = 'UnsupportedMediaTypeError' }
export class InternalServerError extends ObexResponseError { static override name = 'InternalServerError' }
export class NotImplementedError extends ObexResponseError { static override name = 'NotImplementedError' }
export class BadGatewayError extends ObexResponseError { static override name = 'BadGatewayError' }
export class ServiceUnavailableError extends ObexResponseError { static override name = 'ServiceUnavailableError' }
export class GatewayTimeoutError extends ObexResponseError { static override name = 'GatewayTimeoutError' }
export class VersionNotSupportedError extends ObexResponseError { static override name = 'VersionNotSupportedError' }
export class DatabaseFullError extends ObexResponseError { static override name = 'DatabaseFullError' }
export class DatabaseLockedError extends ObexResponseError { static override name = 'DatabaseLockedError' }
/** A response that is neither success nor a known failure (redirections 0xB0..0xB5, unknown codes). */
export class UnexpectedResponseError extends ObexResponseError { static override name = 'UnexpectedResponseError' }

const BY_CODE: Record<number, new (code: number, detail?: string) => ObexResponseError> = {
  0xC0: BadRequestError, 0xC1: UnauthorizedError, 0xC2: PaymentRequiredError, 0xC3: ForbiddenError, 0xC4: NotFoundError,
  0xC5: MethodNotAllowedError, 0xC6: NotAcceptableError, 0xC7: ProxyAuthRequiredError, 0xC8: RequestTimeoutError,
  0xC9: ConflictError, 0xCA: GoneError, 0xCB: LengthRequiredError, 0xCC: PreconditionFailedError, 0xCD: EntityTooLargeError,
  0xCE: UrlTooLargeError, 0xCF: UnsupportedMediaTypeError, 0xD0: InternalServerError, 0xD1: NotImplementedError,
  0xD2: BadGatewayError, 0xD3: ServiceUnavailableError, 0xD4: GatewayTimeoutError, 0xD5: VersionNotSupportedError,
  0xE0: DatabaseFullError, 0xE1: DatabaseLockedError,
}

/** The typed error for a failure response code (with or without the final bit). */
export function responseError (code: number, detail?: string): ObexResponseError {
  const Cls = BY_CODE[code | 0x80] ?? UnexpectedResponseError
  return new Cls(code, detail)
}

/** The peer sent bytes that are not OBEX, or a response that does not fit the request. */
export class ObexProtocolError extends RemoteProtocolError { static override name = 'ObexProtocolError' }

/** The peer did not answer within the request timeout. */
export class ObexTimeoutError extends IrdaError { static override name = 'ObexTimeoutError' }

/** A Get brought more than the caller's limit; it was aborted (OBEX Abort) before the rest came. */
export class ObexLimitError extends IrdaError { static override name = 'ObexLimitError' }

/** The operation was aborted (by us, with an Abort request, or by the peer). */
export class ObexAbortedError extends IrdaError { static override name = 'ObexAbortedError' }

/** The transport underneath ended. */
export class ObexConnectionError extends LinkError { static override name = 'ObexConnectionError' }

/** The API was used out of order (a request while another is running, a put body after the end). */
export class ObexStateError extends LocalProtocolError { static override name = 'ObexStateError' }
