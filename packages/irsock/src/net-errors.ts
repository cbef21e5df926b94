/*!
 * The error of the Node-style IrSock API: a Winsock code (as `code`, the name, and `errno`, the
 * number) and the call that met it, shaped like Node's system errors (`err.code === 'ECONNREFUSED'`
 * becomes `err.code === 'WSAECONNREFUSED'`).
 */
import { IrdaError } from '@irdakit/core'
import { WSA_ERROR_NAMES } from './winsock.js'

/** The operation an {@link IrSockError} belongs to, as Node's `err.syscall`. */
export type IrSockSyscall = 'connect' | 'read' | 'write' | 'listen' | 'enumDevices'

/** A failed IrSock operation: `code` 'WSAECONNREFUSED', `errno` 10061, `syscall` 'connect'. */
export class IrSockError extends IrdaError {
  static override name = 'IrSockError'
  /** The WSA error name, e.g. 'WSAECONNREFUSED'. */
  readonly code: string
  /** The WSA error number, e.g. 10061. */
  readonly errno: number

  constructor (errno: number, readonly syscall: IrSockSyscall, detail?: string, options?: { cause?: unknown }) {
    const code = wsaErrorName(errno)
    super(`${syscall} ${code}${detail !== undefined ? `: ${detail}` : ''}`, options)
    this.code = code
    this.errno = errno
  }
}

/** 'WSAECONNREFUSED' for 10061; 'WSA<n>' for a number winsock.ts does not name. */
export function wsaErrorName (errno: number): string {
  return WSA_ERROR_NAMES[errno] ?? `WSA${errno}`
}
