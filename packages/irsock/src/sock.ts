/*! The state IrSock keeps per socket, shared by the calls (irsock.ts) and the options (options.ts). */
import type { IrdaStack } from '@irdakit/stack'
import type { Channel } from './channel.js'

export type State = 'open' | 'bound' | 'listening' | 'connecting' | 'connected' | 'closed'

export interface Sock {
  readonly id: number
  state: State
  nonBlocking: boolean
  linger: { onoff: number, time: number }
  // modes, chosen before bind or connect
  /** IRLMP_IRLPT_MODE: plain IrLMP, no TinyTP. */
  irlpt: boolean
  /** IRLMP_9WIRE_MODE: IrCOMM cooked framing on TinyTP. */
  nineWire: boolean
  /** IRLMP_EXCLUSIVE_MODE: connect asks the peer for exclusive use of the link. */
  exclusive: boolean
  // server side
  /** The bound selector (a TtpServer, or an LmpServer in IrLPT mode). */
  server?: { readonly lsap: number, close: () => void }
  iasObject?: number
  backlog: number
  /** Connections taken and not yet accepted: each holds a socket descriptor. */
  readonly pending: Channel[]
  inflight: number
  /** A connection was refused for want of a descriptor: listening resumes at the next listen or accept. */
  starved: boolean
  // connection
  chan?: Channel
  shutRecv: boolean
  shutSend: boolean
  /** Wakes every call waiting on this socket (closesocket, a new connection). */
  readonly wakers: Set<() => void>
}

/** What the option calls need from their IrSock instance. */
export interface SockContext {
  readonly stack: IrdaStack
  /** The socket, or the WSA error for `s` (not started, not a socket). */
  lookup: (s: number) => Sock | number
  /** Ends a sync call with an error (returns SOCKET_ERROR). */
  fail: (err: number) => number
  /** Ends a sync call successfully (returns 0). */
  ok: () => number
  /** Runs an asynchronous call, setting its error right before the caller resumes. */
  settle: (work: () => Promise<[number, number]>) => Promise<number>
}
