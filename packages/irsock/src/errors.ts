/*! How the stack's connection failures read as WSA errors. WSAENETDOWN never appears: Windows CE documents it as "not supported". */
import { LocalProtocolError } from '@irdakit/core'
import { LmLinkBusyError, StackClosedError, type ConnectionError } from '@irdakit/stack'
import { WSAEADDRINUSE, WSAEADDRNOTAVAIL, WSAECONNABORTED, WSAECONNREFUSED, WSAECONNRESET, WSAENETRESET, WSAENOTCONN, WSAETIMEDOUT } from './winsock.js'

/** WSA error for a connect (or IAS query) that failed, from the stack's cause. */
export function connectFailure (kind: string): number {
  switch (kind) {
    case 'user-request': case 'no-client': case 'unspecified': case 'bad-connect-pdu': return WSAECONNREFUSED
    case 'link-failed': case 'non-responsive': return WSAETIMEDOUT
    case 'link-reset': return WSAENETRESET
    default: return WSAECONNABORTED // link-lost, lm-initiated, stack-closed, ...
  }
}

/**
 * WSA error for an established connection that ended (0: the peer closed it; recv reports end
 * of data). A reset (IrLMP reason 0xFF, or any reason not listed) is WSAECONNRESET.
 */
export function connectionLost (err: ConnectionError | undefined, sending: boolean): number {
  if (err === undefined) return WSAENOTCONN
  switch (err.kind) {
    case 'user-request': return sending ? WSAECONNRESET : 0
    case 'link-reset': return WSAENETRESET
    case 'link-lost': case 'lm-initiated': case 'stack-closed': return WSAECONNABORTED
    default: return WSAECONNRESET
  }
}

/**
 * WSA error for an exception the stack threw while connecting or querying IAS, `mapped` when the
 * caller already knows it. Only the stack's documented refusals have one; anything else is an
 * irdakit bug and is thrown on, never reported as a plausible WSA error.
 */
export function stackFailure (e: unknown, mapped?: number): number {
  if (mapped !== undefined) return mapped
  if (e instanceof LmLinkBusyError) return WSAEADDRINUSE // the link is up with another device or held exclusively
  if (e instanceof StackClosedError) return WSAECONNABORTED // as a stack closed under a connection
  if (e instanceof LocalProtocolError) return WSAEADDRNOTAVAIL // the stack refused the address or selector asked for
  throw e
}
