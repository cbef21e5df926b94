/*! How the stack's connection failures read as WSA errors. WSAENETDOWN never appears: Windows CE documents it as "not supported". */
import type { ConnectionError } from '@irdakit/stack'
import { WSAECONNABORTED, WSAECONNREFUSED, WSAECONNRESET, WSAENETRESET, WSAENOTCONN, WSAETIMEDOUT } from './winsock.js'

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
