/*!
 * IrSock: the Winsock af_irda API bound to one IrdaStack, as Windows CE documents it.
 *
 * Every function returns what Winsock returns (0, SOCKET_ERROR, INVALID_SOCKET, a socket
 * number or a byte count) and sets the error WSAGetLastError() reports. Calls that wait on the
 * link (accept, connect, send, recv, getsockopt IRLMP_ENUMDEVICES / IRLMP_IAS_QUERY) return a
 * Promise of that value instead.
 *
 * WSAGetLastError() is per call, not per process: the error of an asynchronous call is set in
 * a reaction registered on the returned promise before the caller can register its own, so the
 * two run back to back and `const r = await connect(...); WSAGetLastError()` reads that
 * connect's error even when other sockets' calls finish in the same turn. Read it right after
 * awaiting the call's own promise (not after awaiting something that wraps it).
 *
 * SOCK_STREAM sockets run over TinyTP (or plain IrLMP in IRLMP_IRLPT_MODE). Mapping to the stack:
 * - bind(service) allocates a selector (stack.ttpListen) and registers IAS class = service with
 *   "IrDA:TinyTP:LsapSel" ("IrDA:IrLMP:LsapSel" and stack.lmpListen in IrLPT mode);
 *   bind("LSAP-SELxxx") takes selector xxx and registers nothing.
 * - listen only switches the selector's accept predicate on: an incoming connection is taken
 *   while fewer than `backlog` wait for accept and a socket descriptor is free, otherwise it is
 *   refused at IrLMP level and the client's connect fails with WSAECONNREFUSED.
 * - connect queries the peer's IAS (or takes LSAP-SELxxx) and opens TinyTP (IrLMP in IrLPT
 *   mode), then asks for exclusive link access in IRLMP_EXCLUSIVE_MODE.
 * - WSAENETDOWN is never returned (Windows CE: "not supported"); a lost link surfaces as
 *   WSAECONNABORTED, a link reset as WSAENETRESET, a peer's abort as WSAECONNRESET.
 */
import { IrdaError } from '@irdakit/core'
import { ConnectionError, IasQueryError, type IrdaStack, type LmpSocket, type TtpSocket } from '@irdakit/stack'
import {
  AF_IRDA, IRDA_PROTO_SOCK_STREAM, SOCKADDR_IRDA_SIZE, addressFromDeviceId, decodeSockaddrIrda, deviceIdFromAddress,
  encodeSockaddrIrda, parseLsapSelName,
} from './af_irda.js'
import {
  FIONBIO, FIONREAD, INVALID_SOCKET, MSG_DONTROUTE, MSG_OOB, MSG_PEEK, MSG_WAITALL, SD_BOTH, SD_RECEIVE, SD_SEND, SOCK_STREAM, SOCKET_ERROR, SOMAXCONN, WSAEADDRINUSE,
  WSAEADDRNOTAVAIL, WSAEAFNOSUPPORT, WSAEALREADY, WSAECONNREFUSED, WSAEFAULT, WSAEINTR, WSAEINVAL, WSAEISCONN,
  WSAEMFILE, WSAENOTCONN, WSAENOTSOCK, WSAEPROTONOSUPPORT, WSAESHUTDOWN, WSAESOCKTNOSUPPORT, WSAEWOULDBLOCK,
  WSANOTINITIALISED, WSAVERNOTSUPPORTED,
} from './winsock.js'
import { Channel } from './channel.js'
import { byteCount, canWrite, checkFlags, isBuffer, isInt, refValue, roomOf } from './args.js'
import { connectFailure, connectionLost, stackFailure } from './errors.js'
import { makeGetsockopt, makeSetsockopt, type GetSockOpt, type IntRef, type SetSockOpt } from './options.js'
import type { Sock, SockContext, State } from './sock.js'

export { connectFailure, connectionLost } from './errors.js'
export type { IntRef } from './options.js'

/** The IAS attribute a bound service registers (what Linux and Windows peers look up). */
export const TINYTP_LSAPSEL_ATTRIBUTE = 'IrDA:TinyTP:LsapSel'
/** The IAS attribute of a service bound in IrLPT mode (plain IrLMP, no TinyTP), as IrLPT and raw IrCOMM use it. */
export const IRLMP_LSAPSEL_ATTRIBUTE = 'IrDA:IrLMP:LsapSel'
/** IrSock silently limits the listen backlog to 2 (Windows CE listen). */
export const IRDA_MAX_BACKLOG = 2
/** Default descriptor limit: most sockets (open ones plus connections waiting for accept) at once. */
export const MAX_SOCKETS = 256

/** What WSAStartup fills in (a subset of WSADATA). */
export interface WsaData { wVersion: number, wHighVersion: number, szDescription: string, szSystemStatus: string }

export interface IrSockOptions {
  /**
   * The descriptor limit: sockets plus connections queued for accept (each holds a descriptor,
   * as on Windows CE). Default {@link MAX_SOCKETS}.
   */
  maxSockets?: number
}

/** irdakit's view of one socket, beside the Winsock calls (not part of Winsock). */
export interface IrSockSocketStats {
  /** 9-wire: received frames dropped because their clen ran past the frame (as Linux drops them). */
  droppedFrames: number
}

export interface IrSock {
  WSAStartup: (wVersionRequested?: number, data?: Partial<WsaData>) => number
  WSACleanup: () => number
  WSAGetLastError: () => number
  WSASetLastError: (err: number) => void
  socket: (af: number, type: number, protocol: number) => number
  bind: (s: number, name: Uint8Array, namelen?: number) => number
  listen: (s: number, backlog: number) => number
  accept: (s: number, addr?: Uint8Array, addrlen?: IntRef) => Promise<number>
  connect: (s: number, name: Uint8Array, namelen?: number) => Promise<number>
  send: (s: number, buf: Uint8Array, len?: number, flags?: number) => Promise<number>
  recv: (s: number, buf: Uint8Array, len?: number, flags?: number) => Promise<number>
  shutdown: (s: number, how: number) => number
  closesocket: (s: number) => number
  /** Returns a Promise for IRLMP_ENUMDEVICES and IRLMP_IAS_QUERY (they use the link), a number otherwise. */
  getsockopt: GetSockOpt
  setsockopt: SetSockOpt
  ioctlsocket: (s: number, cmd: number, argp: IntRef) => number
  /** Counters of a connected socket (undefined for anything else). An irdakit extension. */
  socketStats: (s: number) => IrSockSocketStats | undefined
}

/** The Winsock af_irda API over one stack. */
export function createIrSock (stack: IrdaStack, opts: IrSockOptions = {}): IrSock {
  const maxSockets = opts.maxSockets ?? MAX_SOCKETS
  let started = 0
  let lastError = 0
  let nextId = 0x80
  const sockets = new Map<number, Sock>()

  /** Ends a sync call: sets the error, returns `value`. */
  const fail = (err: number, value: number = SOCKET_ERROR): number => { lastError = err; return value }
  const ok = (value = 0): number => { lastError = 0; return value }

  /**
   * Runs an asynchronous call. The error is set by a reaction registered on the returned promise
   * before anyone else can register one, so it runs right before the caller's continuation.
   * Every failure a caller or a peer can cause is a [SOCKET_ERROR, WSA error] result; an
   * exception reaching here is an irdakit bug, so the promise rejects with it instead of
   * hiding it behind a plausible WSA error.
   */
  const settle = (work: () => Promise<[number, number]>): Promise<number> => {
    let err = 0
    const p = work().then(([v, e]) => { err = e; return v })
    void p.then(() => { lastError = err }, () => {})
    return p
  }

  const lookup = (s: number): Sock | number => {
    if (started === 0) return WSANOTINITIALISED
    const sock = sockets.get(s)
    return sock === undefined || sock.state === 'closed' ? WSAENOTSOCK : sock
  }

  /** Descriptors in use: open sockets, plus connections queued (or being queued) for accept. */
  const descriptorsInUse = (): number => {
    let n = sockets.size
    for (const sock of sockets.values()) n += sock.pending.length + sock.inflight
    return n
  }

  const wake = (sock: Sock): void => { for (const w of [...sock.wakers]) w() }

  /** Resolves on any of the channel's link events or on wake. */
  const wait = async (sock: Sock, chan: Channel | undefined, events: Array<'readable' | 'drain' | 'close'>): Promise<void> => {
    await new Promise<void>(resolve => {
      let unsubscribe = (): void => {}
      const done = (): void => {
        sock.wakers.delete(done)
        unsubscribe()
        resolve()
      }
      sock.wakers.add(done)
      if (chan !== undefined) unsubscribe = chan.subscribe(events, done)
    })
  }

  const newSock = (state: State): Sock => {
    const id = nextId
    nextId += 4
    const sock: Sock = {
      id, state, nonBlocking: false, linger: { onoff: 0, time: 0 }, irlpt: false, nineWire: false, exclusive: false,
      backlog: 0, pending: [], inflight: 0, starved: false, shutRecv: false, shutSend: false, wakers: new Set(),
    }
    sockets.set(id, sock)
    return sock
  }

  const ttpChannel = (ts: TtpSocket, nineWire: boolean): Channel => new Channel(ts, nineWire, () => ts.maxSegmentSize)

  /** The accept predicate of a bound selector: room in the backlog and a free descriptor. */
  const admit = (sock: Sock): boolean => {
    if (sock.state !== 'listening' || sock.pending.length + sock.inflight >= sock.backlog) return false
    // Windows CE: without a free descriptor listening pauses; a later listen or accept resumes it.
    if (sock.starved || descriptorsInUse() >= maxSockets) { sock.starved = true; return false }
    sock.inflight++
    return true
  }

  const onConnection = (sock: Sock, chan: Channel): void => {
    sock.inflight = Math.max(0, sock.inflight - 1)
    if (sock.state !== 'listening') { chan.reset(); return }
    sock.pending.push(chan)
    wake(sock)
  }

  const release = (sock: Sock, hard: boolean): void => {
    const was = sock.state
    sock.state = 'closed'
    sockets.delete(sock.id)
    if (sock.server !== undefined) sock.server.close()
    if (sock.iasObject !== undefined) {
      // Only our attribute: the class may also carry IRLMP_IAS_SET values or the other kind of service.
      stack.ias.deleteAttribute(sock.iasObject, sock.irlpt ? IRLMP_LSAPSEL_ATTRIBUTE : TINYTP_LSAPSEL_ATTRIBUTE)
      if (stack.ias.get(sock.iasObject)?.attributes.size === 0) stack.ias.removeObject(sock.iasObject)
    }
    // Connections nobody accepted are reset: their clients see WSAECONNRESET, not an orderly end.
    for (const chan of sock.pending.splice(0)) chan.reset()
    const chan = sock.chan
    if (chan !== undefined && !chan.closed && was !== 'connecting') {
      if (hard) chan.reset(); else chan.close(true)
      if (!hard && sock.linger.onoff !== 0 && sock.linger.time > 0 && !chan.closed) lingerThenReset(chan, sock.linger.time)
    }
    wake(sock)
  }

  /**
   * SO_LINGER {1, t}: Winsock's blocking closesocket waits up to t seconds for queued data to
   * go, then resets the connection. Our closesocket returns at once, but the outcome is the
   * same: data still queued after t seconds is dropped and the peer sees a reset.
   */
  const lingerThenReset = (chan: Channel, seconds: number): void => {
    const timer = stack.clock.setTimer(stack.clock.now() + seconds * 1000, () => { off(); chan.reset() })
    const off = chan.subscribe(['close'], () => { off(); timer.cancel() })
  }

  // ---- startup -------------------------------------------------------------------------------

  const WSAStartup = (wVersionRequested: unknown = 0x0202, data?: unknown): number => {
    // A WORD: anything else is no version we support.
    if (!isInt(wVersionRequested) || wVersionRequested < 0 || wVersionRequested > 0xFFFF) return WSAVERNOTSUPPORTED
    const major = wVersionRequested & 0xFF
    const minor = (wVersionRequested >> 8) & 0xFF
    if (major < 1 || (major === 1 && minor < 1)) return WSAVERNOTSUPPORTED
    const v = major >= 2 ? 0x0202 : 0x0101
    // lpWSAData: omitted is fine; null, a primitive or an object that cannot take the fields is WSAEFAULT.
    if (data !== undefined) {
      if (typeof data !== 'object' || data === null) return WSAEFAULT
      try {
        Object.assign(data, { wVersion: v, wHighVersion: 0x0202, szDescription: 'irdakit IrSock', szSystemStatus: 'Running' })
      } catch { return WSAEFAULT } // frozen, sealed or read-only fields
    }
    started++
    return 0
  }

  const WSACleanup = (): number => {
    if (started === 0) return fail(WSANOTINITIALISED)
    started--
    if (started === 0) for (const sock of [...sockets.values()]) release(sock, false)
    return ok()
  }

  // ---- socket, bind, listen --------------------------------------------------------------------

  const socket = (af: number, type: number, protocol: number): number => {
    if (started === 0) return fail(WSANOTINITIALISED, INVALID_SOCKET)
    if (af !== AF_IRDA) return fail(WSAEAFNOSUPPORT, INVALID_SOCKET)
    if (type !== SOCK_STREAM) return fail(WSAESOCKTNOSUPPORT, INVALID_SOCKET)
    if (protocol !== 0 && protocol !== IRDA_PROTO_SOCK_STREAM) return fail(WSAEPROTONOSUPPORT, INVALID_SOCKET)
    if (descriptorsInUse() >= maxSockets) return fail(WSAEMFILE, INVALID_SOCKET)
    return ok(newSock('open').id)
  }

  const bind = (s: number, name: unknown, namelen?: unknown): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    if (!isBuffer(name) || (byteCount(name, namelen) ?? 0) < SOCKADDR_IRDA_SIZE) return fail(WSAEFAULT)
    const addr = decodeSockaddrIrda(name)
    if (addr.family !== AF_IRDA) return fail(WSAEFAULT)
    if (sock.state !== 'open') return fail(WSAEINVAL)
    if (addr.serviceName === '' || !addr.terminated) return fail(WSAEADDRNOTAVAIL)
    const fixed = parseLsapSelName(addr.serviceName)
    if (fixed === undefined && addr.serviceName.startsWith('LSAP-SEL')) return fail(WSAEADDRNOTAVAIL)
    if (fixed !== undefined && fixed > 0x6F) return fail(WSAEADDRNOTAVAIL) // 0x70.. are connectionless/reserved/broadcast
    const attribute = sock.irlpt ? IRLMP_LSAPSEL_ATTRIBUTE : TINYTP_LSAPSEL_ATTRIBUTE
    if (fixed === undefined) {
      if (addr.serviceName.length > 60) return fail(WSAEINVAL) // IrLMP's class name limit
      const taken = stack.ias.findByClass(addr.serviceName).some(o => o.attributes.has(attribute))
      if (taken) return fail(WSAEADDRINUSE)
    }
    const listenOpts = { ...(fixed !== undefined ? { lsap: fixed } : {}), accept: () => admit(sock) }
    try {
      if (sock.irlpt) {
        const server = stack.lmpListen(listenOpts)
        server.on('connection', ls => onConnection(sock, new Channel(ls, false)))
        sock.server = server
      } else {
        // A 9-wire server, like a 9-wire client, offers no MaxSduSize: IrCOMM runs TinyTP without SAR.
        const server = stack.ttpListen({ ...listenOpts, ...(sock.nineWire ? { maxSduSize: 0 } : {}) })
        server.on('connection', ts => onConnection(sock, ttpChannel(ts, sock.nineWire)))
        sock.server = server
      }
    } catch (e) {
      if (!(e instanceof IrdaError)) throw e // a bug, not a refusal
      return fail(WSAEADDRINUSE)
    }
    if (fixed === undefined) {
      try {
        sock.iasObject = stack.ias.set(addr.serviceName, attribute, { type: 'integer', value: sock.server.lsap })
      } catch (e) {
        if (!(e instanceof IrdaError)) throw e
        sock.server.close()
        sock.server = undefined
        return fail(WSAEINVAL)
      }
    }
    sock.state = 'bound'
    return ok()
  }

  const listen = (s: number, backlog: unknown): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    // An int in C; from JavaScript an integer or an infinity (both clamp below). NaN, fractions,
    // undefined, strings and the like are no backlog: WSAEINVAL (left unchecked, NaN lifted the cap).
    if (typeof backlog !== 'number' || !(isInt(backlog) || Math.abs(backlog) === Infinity)) return fail(WSAEINVAL)
    if (sock.state === 'connected' || sock.state === 'connecting') return fail(WSAEISCONN)
    if (sock.state === 'open') return fail(WSAEINVAL)
    // Only SOCK_STREAM sockets exist (socket() refuses every other type), so WSAEOPNOTSUPP for a
    // non-connection socket cannot arise here.
    // SOMAXCONN: the provider chooses; below 1 or above 5: the nearest legal value; then IrSock's limit of 2.
    const legal = backlog === SOMAXCONN ? IRDA_MAX_BACKLOG : Math.min(5, Math.max(1, backlog))
    sock.backlog = Math.min(legal, IRDA_MAX_BACKLOG)
    sock.state = 'listening'
    sock.starved = false
    // listen again: the new backlog applies, and connections past it are reset and dropped.
    for (const chan of sock.pending.splice(sock.backlog)) chan.reset()
    return ok()
  }

  // ---- accept, connect -----------------------------------------------------------------------------

  const accept = (s: number, addrArg?: unknown, addrlen?: unknown): Promise<number> => settle(async () => {
    const sock = lookup(s)
    if (typeof sock === 'number') return [INVALID_SOCKET, sock]
    // addr is optional (undefined or null: no address wanted); given, it and addrlen must hold a SOCKADDR_IRDA.
    const addr = addrArg ?? undefined
    if (addr !== undefined && ((roomOf(addr, addrlen) ?? 0) < SOCKADDR_IRDA_SIZE || (addrlen !== undefined && !canWrite(addrlen)))) return [INVALID_SOCKET, WSAEFAULT]
    if (sock.state !== 'listening') return [INVALID_SOCKET, WSAEINVAL]
    sock.starved = false
    for (;;) {
      const chan = sock.pending.shift()
      if (chan !== undefined) {
        // The queued connection's descriptor becomes the new socket.
        const conn = newSock('connected')
        conn.chan = chan
        conn.irlpt = sock.irlpt
        conn.nineWire = sock.nineWire
        if (addr instanceof Uint8Array) {
          addr.set(encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(chan.deviceAddress), serviceName: '' }))
          if (canWrite(addrlen)) addrlen.value = SOCKADDR_IRDA_SIZE
        }
        return [conn.id, 0]
      }
      if (sock.nonBlocking) return [INVALID_SOCKET, WSAEWOULDBLOCK]
      await wait(sock, undefined, [])
      if (sock.state !== 'listening') return [INVALID_SOCKET, WSAEINTR]
    }
  })

  /** Opens the link a connecting socket runs on; [channel] or [undefined, WSA error]. */
  const openChannel = async (sock: Sock, deviceAddress: number, remoteLsap: number): Promise<[Channel, 0] | [undefined, number]> => {
    let link: TtpSocket | LmpSocket
    let chan: Channel
    try {
      if (sock.irlpt) {
        const ls = await stack.lmpConnect({ deviceAddress, remoteLsap })
        link = ls
        chan = new Channel(ls, false)
      } else {
        // 9-wire (IrCOMM cooked) runs with TinyTP SAR off: MaxSduSize 0, one frame per PDU.
        const ts = await stack.ttpConnect({ deviceAddress, remoteLsap, ...(sock.nineWire ? { maxSduSize: 0 } : {}) })
        link = ts
        chan = ttpChannel(ts, sock.nineWire)
      }
    } catch (e) {
      return [undefined, stackFailure(e, e instanceof ConnectionError ? connectFailure(e.kind) : undefined)]
    }
    if (sock.exclusive && sock.state === 'connecting') {
      // "WSAEISCONN: an exclusive/multiplexed mode change failed" (Windows connect).
      let status: string
      try { status = await stack.accessMode(link, 'exclusive') } catch (e) { if (!(e instanceof IrdaError)) throw e; status = 'failure' }
      if (status !== 'success') { chan.close(false); return [undefined, WSAEISCONN] }
    }
    return [chan, 0]
  }

  const connect = (s: number, name: unknown, namelen?: unknown): Promise<number> => settle(async () => {
    const sock = lookup(s)
    if (typeof sock === 'number') return [SOCKET_ERROR, sock]
    if (!isBuffer(name) || (byteCount(name, namelen) ?? 0) < SOCKADDR_IRDA_SIZE) return [SOCKET_ERROR, WSAEFAULT]
    const addr = decodeSockaddrIrda(name)
    if (addr.family !== AF_IRDA) return [SOCKET_ERROR, WSAEAFNOSUPPORT]
    if (sock.state === 'connected') return [SOCKET_ERROR, WSAEISCONN]
    if (sock.state === 'connecting') return [SOCKET_ERROR, WSAEALREADY]
    if (sock.state !== 'open') return [SOCKET_ERROR, WSAEINVAL] // a client must not bind
    if (addr.serviceName === '' || !addr.terminated) return [SOCKET_ERROR, WSAEINVAL]
    const deviceAddress = addressFromDeviceId(addr.deviceId)
    sock.state = 'connecting'
    const result = await (async (): Promise<[number, number]> => {
      let lsap = parseLsapSelName(addr.serviceName)
      if (lsap === undefined) {
        if (addr.serviceName.startsWith('LSAP-SEL')) return [SOCKET_ERROR, WSAEADDRNOTAVAIL]
        try {
          const r = await stack.iasQuery(deviceAddress, addr.serviceName, sock.irlpt ? IRLMP_LSAPSEL_ATTRIBUTE : TINYTP_LSAPSEL_ATTRIBUTE)
          const v = r.entries[0]?.value
          if (r.returnCode !== 0 || v?.type !== 'integer') return [SOCKET_ERROR, WSAECONNREFUSED]
          lsap = v.value
        } catch (e) {
          return [SOCKET_ERROR, stackFailure(e, e instanceof IasQueryError ? connectFailure(e.kind) : undefined)]
        }
        if (sock.state !== 'connecting') return [SOCKET_ERROR, WSAEINTR]
      }
      const [chan, err] = await openChannel(sock, deviceAddress, lsap)
      if (chan === undefined) return [SOCKET_ERROR, err]
      if (sock.state !== 'connecting') { chan.reset(); return [SOCKET_ERROR, WSAEINTR] }
      sock.chan = chan
      sock.state = 'connected'
      return [0, 0]
    })()
    if (result[0] !== 0 && sock.state === 'connecting') sock.state = 'open'
    return result
  })

  // ---- send, recv, shutdown, closesocket ----------------------------------------------------------

  const send = (s: number, buf: unknown, lenArg?: unknown, flags: unknown = 0): Promise<number> => settle(async () => {
    const sock = lookup(s)
    if (typeof sock === 'number') return [SOCKET_ERROR, sock]
    const flagError = checkFlags(flags, MSG_DONTROUTE, MSG_OOB)
    if (flagError !== 0) return [SOCKET_ERROR, flagError]
    const len = isBuffer(buf) ? byteCount(buf, lenArg) : undefined
    if (!isBuffer(buf) || len === undefined) return [SOCKET_ERROR, WSAEFAULT]
    const chan = sock.chan
    if (sock.state !== 'connected' || chan === undefined) return [SOCKET_ERROR, WSAENOTCONN]
    if (sock.shutSend) return [SOCKET_ERROR, WSAESHUTDOWN]
    if (chan.closed) return [SOCKET_ERROR, connectionLost(chan.closeError, true)]
    if (len === 0) return [0, 0] // nothing to send: no empty SDU on the wire
    if (sock.nonBlocking && chan.sendWaiting) return [SOCKET_ERROR, WSAEWOULDBLOCK]
    let flowing: boolean
    try {
      flowing = chan.write(buf.slice(0, len))
    } catch (e) {
      if (!(e instanceof IrdaError)) throw e // a bug, not a lost connection
      return [SOCKET_ERROR, connectionLost(e instanceof ConnectionError ? e : undefined, true)]
    }
    // A blocking send returns once the data is in the transport: here, handed to IrLMP.
    while (!flowing && !sock.nonBlocking) {
      await wait(sock, chan, ['drain', 'close'])
      if ((sock.state as State) === 'closed') return [SOCKET_ERROR, WSAEINTR]
      if (chan.closed) return chan.closeError === undefined ? [len, 0] : [SOCKET_ERROR, connectionLost(chan.closeError, true)]
      flowing = !chan.sendWaiting
    }
    return [len, 0]
  })

  const recv = (s: number, buf: unknown, lenArg?: unknown, flags: unknown = 0): Promise<number> => settle(async () => {
    const sock = lookup(s)
    if (typeof sock === 'number') return [SOCKET_ERROR, sock]
    // MSG_PEEK and MSG_WAITALL are Winsock flags irdakit does not implement.
    const flagError = checkFlags(flags, 0, MSG_OOB | MSG_PEEK | MSG_WAITALL)
    if (flagError !== 0) return [SOCKET_ERROR, flagError]
    const len = isBuffer(buf) ? byteCount(buf, lenArg) : undefined
    if (!isBuffer(buf) || len === undefined) return [SOCKET_ERROR, WSAEFAULT]
    const chan = sock.chan
    if (sock.state !== 'connected' || chan === undefined) return [SOCKET_ERROR, WSAENOTCONN]
    if (sock.shutRecv) return [SOCKET_ERROR, WSAESHUTDOWN]
    if (len === 0) return [0, 0]
    for (;;) {
      const chunk = chan.read(len)
      if (chunk !== undefined) { buf.set(chunk, 0); return [chunk.length, 0] }
      if (chan.closed) {
        const e = connectionLost(chan.closeError, false)
        return e === 0 ? [0, 0] : [SOCKET_ERROR, e]
      }
      if (sock.nonBlocking) return [SOCKET_ERROR, WSAEWOULDBLOCK]
      await wait(sock, chan, ['readable', 'close'])
      if ((sock.state as State) === 'closed') return [SOCKET_ERROR, WSAEINTR]
      if (sock.shutRecv) return [SOCKET_ERROR, WSAESHUTDOWN]
    }
  })

  const shutdown = (s: number, how: number): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    if (how !== SD_RECEIVE && how !== SD_SEND && how !== SD_BOTH) return fail(WSAEINVAL)
    if (sock.state !== 'connected') return fail(WSAENOTCONN)
    const err = sock.chan?.closeError
    if (sock.chan?.closed === true && err !== undefined && err.kind !== 'user-request') return fail(connectionLost(err, true))
    // TinyTP has no half-close: shutdown only stops this side's calls; closesocket disconnects.
    if (how !== SD_SEND) sock.shutRecv = true
    if (how !== SD_RECEIVE) sock.shutSend = true
    wake(sock)
    return ok()
  }

  const closesocket = (s: number): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    // SO_LINGER {l_onoff 1, l_linger 0}: a hard close, the peer sees a reset (WSAECONNRESET).
    const hard = sock.linger.onoff !== 0 && sock.linger.time === 0
    const waiting = sock.chan !== undefined && sock.chan.queuedBytes > 0
    if (sock.nonBlocking && sock.linger.onoff !== 0 && sock.linger.time > 0 && waiting) return fail(WSAEWOULDBLOCK)
    // Default (SO_DONTLINGER): queued data still reaches the peer before the disconnect.
    release(sock, hard)
    return ok()
  }

  // ---- options ----------------------------------------------------------------------------------------

  const ctx: SockContext = { stack, lookup, fail: err => fail(err), ok: () => ok(), settle }

  const ioctlsocket = (s: number, cmd: unknown, argp: unknown): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    // cmd is a long (FIONBIO read as signed is negative): any other value is an unknown command.
    if (!isInt(cmd)) return fail(WSAEINVAL)
    switch (cmd >>> 0) {
      case FIONBIO: {
        const on = refValue(argp) // u_long *: an object holding an integer
        if (on === undefined) return fail(WSAEFAULT)
        sock.nonBlocking = on !== 0
        return ok()
      }
      case FIONREAD:
        if (!canWrite(argp)) return fail(WSAEFAULT)
        argp.value = sock.chan?.readableBytes ?? 0
        return ok()
      default: return fail(WSAEINVAL)
    }
  }

  const socketStats = (s: number): IrSockSocketStats | undefined => {
    const sock = sockets.get(s)
    return sock?.chan === undefined ? undefined : { droppedFrames: sock.chan.droppedFrames }
  }

  return {
    WSAStartup,
    WSACleanup,
    WSAGetLastError: () => lastError,
    WSASetLastError: (err: unknown) => { if (isInt(err)) lastError = err }, // an int: anything else is ignored
    socket, bind, listen, accept, connect, send, recv, shutdown, closesocket,
    getsockopt: makeGetsockopt(ctx),
    setsockopt: makeSetsockopt(ctx),
    ioctlsocket,
    socketStats,
  }
}
