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
 * SOCK_STREAM sockets run over TinyTP. Mapping to the stack:
 * - bind(service) allocates a selector (stack.ttpListen) and registers IAS class = service with
 *   "IrDA:TinyTP:LsapSel"; bind("LSAP-SELxxx") takes selector xxx and registers nothing.
 * - listen only switches the selector's accept predicate on: an incoming connection is taken
 *   while fewer than `backlog` wait for accept, otherwise it is refused at IrLMP level and the
 *   client's connect fails with WSAECONNREFUSED.
 * - connect queries the peer's IAS (or takes LSAP-SELxxx) and opens TinyTP.
 * - WSAENETDOWN is never returned (Windows CE: "not supported"); a lost link surfaces as
 *   WSAECONNABORTED, a link reset as WSAENETRESET, a peer's abort as WSAECONNRESET.
 */
import { ConnectionError, IasQueryError, type IrdaStack, type IasValue, type TtpServer, type TtpSocket } from '@irdakit/stack'
import {
  AF_IRDA, IAS_ATTRIB_INT, IAS_ATTRIB_NO_ATTRIB, IAS_ATTRIB_NO_CLASS, IAS_ATTRIB_OCTETSEQ, IAS_ATTRIB_STR, IAS_MAX_ATTRIBNAME,
  IAS_MAX_CLASSNAME, IAS_QUERY_SIZE, IAS_SET_SIZE, IRDA_DEVICE_INFO_SIZE, IRDA_PROTO_SOCK_STREAM, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY,
  IRLMP_IAS_SET, IRLMP_SEND_PDU_LEN, SOCKADDR_IRDA_SIZE, SOL_IRLMP, addressFromDeviceId, decodeIasSet, decodeSockaddrIrda,
  deviceIdFromAddress, deviceListSize, encodeDeviceList, encodeSockaddrIrda, parseLsapSelName, writeIasQueryResult, type IasAttribute,
} from './af_irda.js'
import {
  FIONBIO, FIONREAD, INVALID_SOCKET, MSG_OOB, SD_BOTH, SD_RECEIVE, SD_SEND, SOCK_STREAM, SOCKET_ERROR, SOL_SOCKET, SO_DONTLINGER,
  SO_LINGER, SOMAXCONN, WSAEADDRINUSE, WSAEADDRNOTAVAIL, WSAEAFNOSUPPORT, WSAEALREADY, WSAECONNABORTED, WSAECONNREFUSED,
  WSAECONNRESET, WSAEFAULT, WSAEINTR, WSAEINVAL, WSAEISCONN, WSAEMFILE, WSAENETRESET, WSAENOPROTOOPT, WSAENOTCONN, WSAENOTSOCK,
  WSAEOPNOTSUPP, WSAEPROTONOSUPPORT, WSAESHUTDOWN, WSAESOCKTNOSUPPORT, WSAETIMEDOUT, WSAEWOULDBLOCK, WSANOTINITIALISED,
  WSAVERNOTSUPPORTED,
} from './winsock.js'

/** The IAS attribute a bound service registers (what Linux and Windows peers look up). */
export const TINYTP_LSAPSEL_ATTRIBUTE = 'IrDA:TinyTP:LsapSel'
/** IrSock silently limits the listen backlog to 2 (Windows CE listen). */
export const IRDA_MAX_BACKLOG = 2
/** Most sockets one IrSock instance hands out at once. */
export const MAX_SOCKETS = 256

/** An in/out length, as Winsock's `int *optlen`: in, the buffer's length; out, the bytes written. */
export interface IntRef { value: number }

/** What WSAStartup fills in (a subset of WSADATA). */
export interface WsaData { wVersion: number, wHighVersion: number, szDescription: string, szSystemStatus: string }

type State = 'open' | 'bound' | 'listening' | 'connecting' | 'connected' | 'closed'

interface Sock {
  readonly id: number
  state: State
  nonBlocking: boolean
  linger: { onoff: number, time: number }
  // server side
  server?: TtpServer
  iasObject?: number
  backlog: number
  readonly pending: TtpSocket[]
  inflight: number
  // connection
  ttp?: TtpSocket
  shutRecv: boolean
  shutSend: boolean
  /** Wakes every call waiting on this socket (closesocket, a new connection). */
  readonly wakers: Set<() => void>
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
  getsockopt: ((s: number, level: number, optname: typeof IRLMP_ENUMDEVICES | typeof IRLMP_IAS_QUERY, optval: Uint8Array, optlen?: IntRef) => Promise<number>)
    & ((s: number, level: number, optname: number, optval: Uint8Array, optlen?: IntRef) => number | Promise<number>)
  setsockopt: (s: number, level: number, optname: number, optval: Uint8Array, optlen?: number) => number
  ioctlsocket: (s: number, cmd: number, argp: IntRef) => number
}

/** WSA error for a connect (or IAS query) that failed, from the stack's cause. */
export function connectFailure (kind: string): number {
  switch (kind) {
    case 'user-request': case 'no-client': case 'unspecified': case 'bad-connect-pdu': return WSAECONNREFUSED
    case 'link-failed': case 'non-responsive': return WSAETIMEDOUT
    case 'link-reset': return WSAENETRESET
    default: return WSAECONNABORTED // link-lost, lm-initiated, stack-closed, ...
  }
}

/** WSA error for an established connection that ended (0: the peer closed it; recv reports end of data). */
export function connectionLost (err: ConnectionError | undefined, sending: boolean): number {
  if (err === undefined) return WSAENOTCONN
  switch (err.kind) {
    case 'user-request': return sending ? WSAECONNRESET : 0
    case 'link-reset': return WSAENETRESET
    case 'link-lost': case 'lm-initiated': case 'stack-closed': return WSAECONNABORTED
    default: return WSAECONNRESET
  }
}

function toIasValue (a: IasAttribute): IasValue | undefined {
  switch (a.type) {
    case IAS_ATTRIB_INT: return { type: 'integer', value: a.value }
    case IAS_ATTRIB_OCTETSEQ: return { type: 'octets', value: a.value }
    case IAS_ATTRIB_STR: return { type: 'string', charset: a.charSet, value: a.value }
    default: return undefined
  }
}

function fromIasValue (v: IasValue): IasAttribute {
  switch (v.type) {
    case 'integer': return { type: IAS_ATTRIB_INT, value: v.value }
    case 'octets': return { type: IAS_ATTRIB_OCTETSEQ, value: v.value }
    case 'string': return { type: IAS_ATTRIB_STR, charSet: v.charset, value: v.value }
    default: return { type: IAS_ATTRIB_NO_ATTRIB }
  }
}

function readChars (b: Uint8Array, off: number, field: number): string {
  let s = ''
  for (let i = 0; i < field && b[off + i] !== 0; i++) s += String.fromCharCode(b[off + i])
  return s
}

/** The Winsock af_irda API over one stack. */
export function createIrSock (stack: IrdaStack): IrSock {
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
   */
  const settle = (work: () => Promise<[number, number]>): Promise<number> => {
    let err = 0
    const p = work().then(([v, e]) => { err = e; return v }, (e: unknown) => { err = WSAECONNABORTED; void e; return SOCKET_ERROR })
    void p.then(() => { lastError = err })
    return p
  }

  const lookup = (s: number): Sock | number => {
    if (started === 0) return WSANOTINITIALISED
    const sock = sockets.get(s)
    return sock === undefined || sock.state === 'closed' ? WSAENOTSOCK : sock
  }

  const wake = (sock: Sock): void => { for (const w of [...sock.wakers]) w() }

  /** Resolves on any of the socket's TinyTP events or on wake. */
  const wait = async (sock: Sock, ts: TtpSocket | undefined, events: Array<'readable' | 'drain' | 'close'>): Promise<void> => {
    await new Promise<void>(resolve => {
      const done = (): void => {
        sock.wakers.delete(done)
        if (ts !== undefined) for (const e of events) ts.off(e, done)
        resolve()
      }
      sock.wakers.add(done)
      if (ts !== undefined) for (const e of events) ts.on(e, done)
    })
  }

  const newSock = (state: State): Sock => {
    const id = nextId
    nextId += 4
    const sock: Sock = { id, state, nonBlocking: false, linger: { onoff: 0, time: 0 }, backlog: 0, pending: [], inflight: 0, shutRecv: false, shutSend: false, wakers: new Set() }
    sockets.set(id, sock)
    return sock
  }

  const admit = (sock: Sock): boolean => {
    if (sock.state !== 'listening' || sock.pending.length + sock.inflight >= sock.backlog) return false
    sock.inflight++
    return true
  }

  const onConnection = (sock: Sock, ts: TtpSocket): void => {
    sock.inflight = Math.max(0, sock.inflight - 1)
    if (sock.state !== 'listening') { ts.close({ flush: false }); return }
    sock.pending.push(ts)
    wake(sock)
  }

  const release = (sock: Sock, hard: boolean): void => {
    const was = sock.state
    sock.state = 'closed'
    sockets.delete(sock.id)
    if (sock.server !== undefined) sock.server.close()
    if (sock.iasObject !== undefined) stack.ias.removeObject(sock.iasObject)
    for (const ts of sock.pending.splice(0)) ts.close({ flush: false })
    if (sock.ttp !== undefined && !sock.ttp.closed && was !== 'connecting') sock.ttp.close({ flush: !hard })
    wake(sock)
  }

  // ---- startup -------------------------------------------------------------------------------

  const WSAStartup = (wVersionRequested = 0x0202, data?: Partial<WsaData>): number => {
    const major = wVersionRequested & 0xFF
    const minor = (wVersionRequested >> 8) & 0xFF
    if (major < 1 || (major === 1 && minor < 1)) return WSAVERNOTSUPPORTED
    const v = major >= 2 ? 0x0202 : 0x0101
    if (data !== undefined) Object.assign(data, { wVersion: v, wHighVersion: 0x0202, szDescription: 'irdakit IrSock', szSystemStatus: 'Running' })
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
    if (sockets.size >= MAX_SOCKETS) return fail(WSAEMFILE, INVALID_SOCKET)
    return ok(newSock('open').id)
  }

  const bind = (s: number, name: Uint8Array, namelen = name.length): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    if (namelen < SOCKADDR_IRDA_SIZE || name.length < SOCKADDR_IRDA_SIZE) return fail(WSAEFAULT)
    const addr = decodeSockaddrIrda(name)
    if (addr.family !== AF_IRDA) return fail(WSAEFAULT)
    if (sock.state !== 'open') return fail(WSAEINVAL)
    if (addr.serviceName === '' || !addr.terminated) return fail(WSAEADDRNOTAVAIL)
    const fixed = parseLsapSelName(addr.serviceName)
    if (fixed === undefined && addr.serviceName.startsWith('LSAP-SEL')) return fail(WSAEADDRNOTAVAIL)
    if (fixed !== undefined && fixed > 0x6F) return fail(WSAEADDRNOTAVAIL) // 0x70.. are connectionless/reserved/broadcast
    if (fixed === undefined) {
      if (addr.serviceName.length > 60) return fail(WSAEINVAL) // IrLMP's class name limit
      const taken = stack.ias.findByClass(addr.serviceName).some(o => o.attributes.has(TINYTP_LSAPSEL_ATTRIBUTE))
      if (taken) return fail(WSAEADDRINUSE)
    }
    let server: TtpServer
    try {
      server = stack.ttpListen({ ...(fixed !== undefined ? { lsap: fixed } : {}), accept: () => admit(sock) })
    } catch {
      return fail(WSAEADDRINUSE)
    }
    server.on('connection', ts => onConnection(sock, ts))
    sock.server = server
    if (fixed === undefined) {
      try {
        sock.iasObject = stack.ias.set(addr.serviceName, TINYTP_LSAPSEL_ATTRIBUTE, { type: 'integer', value: server.lsap })
      } catch {
        server.close()
        sock.server = undefined
        return fail(WSAEINVAL)
      }
    }
    sock.state = 'bound'
    return ok()
  }

  const listen = (s: number, backlog: number): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    if (sock.state === 'connected' || sock.state === 'connecting') return fail(WSAEISCONN)
    if (sock.state === 'open') return fail(WSAEINVAL)
    // Only SOCK_STREAM sockets exist (socket() refuses every other type), so WSAEOPNOTSUPP for a
    // non-connection socket cannot arise here.
    // SOMAXCONN: the provider chooses; below 1 or above 5: the nearest legal value; then IrSock's limit of 2.
    const legal = backlog === SOMAXCONN ? IRDA_MAX_BACKLOG : Math.min(5, Math.max(1, Math.trunc(backlog)))
    sock.backlog = Math.min(legal, IRDA_MAX_BACKLOG)
    sock.state = 'listening'
    // listen again: the new backlog applies, and connections past it are reset and dropped.
    for (const ts of sock.pending.splice(sock.backlog)) ts.close({ flush: false })
    return ok()
  }

  // ---- accept, connect -----------------------------------------------------------------------------

  const accept = (s: number, addr?: Uint8Array, addrlen?: IntRef): Promise<number> => settle(async () => {
    const sock = lookup(s)
    if (typeof sock === 'number') return [INVALID_SOCKET, sock]
    if (sock.state !== 'listening') return [INVALID_SOCKET, WSAEINVAL]
    if (addr !== undefined && (addrlen?.value ?? addr.length) < SOCKADDR_IRDA_SIZE) return [INVALID_SOCKET, WSAEFAULT]
    for (;;) {
      const ts = sock.pending.shift()
      if (ts !== undefined) {
        const conn = newSock('connected')
        conn.ttp = ts
        if (addr !== undefined) {
          addr.set(encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(ts.deviceAddress), serviceName: '' }))
          if (addrlen !== undefined) addrlen.value = SOCKADDR_IRDA_SIZE
        }
        return [conn.id, 0]
      }
      if (sock.nonBlocking) return [INVALID_SOCKET, WSAEWOULDBLOCK]
      await wait(sock, undefined, [])
      if (sock.state !== 'listening') return [INVALID_SOCKET, WSAEINTR]
    }
  })

  const connect = (s: number, name: Uint8Array, namelen = name.length): Promise<number> => settle(async () => {
    const sock = lookup(s)
    if (typeof sock === 'number') return [SOCKET_ERROR, sock]
    if (namelen < SOCKADDR_IRDA_SIZE || name.length < SOCKADDR_IRDA_SIZE) return [SOCKET_ERROR, WSAEFAULT]
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
          const r = await stack.iasQuery(deviceAddress, addr.serviceName, TINYTP_LSAPSEL_ATTRIBUTE)
          const v = r.entries[0]?.value
          if (r.returnCode !== 0 || v?.type !== 'integer') return [SOCKET_ERROR, WSAECONNREFUSED]
          lsap = v.value
        } catch (e) {
          return [SOCKET_ERROR, e instanceof IasQueryError ? connectFailure(e.kind) : WSAECONNABORTED]
        }
        if (sock.state !== 'connecting') return [SOCKET_ERROR, WSAEINTR]
      }
      let ts: TtpSocket
      try {
        ts = await stack.ttpConnect({ deviceAddress, remoteLsap: lsap })
      } catch (e) {
        return [SOCKET_ERROR, e instanceof ConnectionError ? connectFailure(e.kind) : WSAEADDRNOTAVAIL]
      }
      if (sock.state !== 'connecting') { ts.close({ flush: false }); return [SOCKET_ERROR, WSAEINTR] }
      sock.ttp = ts
      sock.state = 'connected'
      return [0, 0]
    })()
    if (result[0] !== 0 && sock.state === 'connecting') sock.state = 'open'
    return result
  })

  // ---- send, recv, shutdown, closesocket ----------------------------------------------------------

  const send = (s: number, buf: Uint8Array, len = buf.length, flags = 0): Promise<number> => settle(async () => {
    const sock = lookup(s)
    if (typeof sock === 'number') return [SOCKET_ERROR, sock]
    if ((flags & MSG_OOB) !== 0) return [SOCKET_ERROR, WSAEOPNOTSUPP]
    if (len < 0 || len > buf.length) return [SOCKET_ERROR, WSAEFAULT]
    const ts = sock.ttp
    if (sock.state !== 'connected' || ts === undefined) return [SOCKET_ERROR, WSAENOTCONN]
    if (sock.shutSend) return [SOCKET_ERROR, WSAESHUTDOWN]
    if (ts.closed) return [SOCKET_ERROR, connectionLost(ts.closeError, true)]
    if (sock.nonBlocking && ts.queuedBytes > 0) return [SOCKET_ERROR, WSAEWOULDBLOCK]
    let flowing: boolean
    try {
      flowing = ts.write(buf.slice(0, len))
    } catch (e) {
      return [SOCKET_ERROR, connectionLost(e instanceof ConnectionError ? e : undefined, true)]
    }
    // A blocking send returns once the data is in the transport: here, handed to IrLMP on credit.
    while (!flowing && !sock.nonBlocking) {
      await wait(sock, ts, ['drain', 'close'])
      if ((sock.state as State) === 'closed') return [SOCKET_ERROR, WSAEINTR]
      if (ts.closed) return ts.closeError === undefined ? [len, 0] : [SOCKET_ERROR, connectionLost(ts.closeError, true)]
      flowing = ts.queuedBytes === 0
    }
    return [len, 0]
  })

  const recv = (s: number, buf: Uint8Array, len = buf.length, flags = 0): Promise<number> => settle(async () => {
    const sock = lookup(s)
    if (typeof sock === 'number') return [SOCKET_ERROR, sock]
    if ((flags & MSG_OOB) !== 0) return [SOCKET_ERROR, WSAEOPNOTSUPP]
    if (flags !== 0) return [SOCKET_ERROR, WSAEOPNOTSUPP] // MSG_PEEK: not implemented
    if (len < 0 || len > buf.length) return [SOCKET_ERROR, WSAEFAULT]
    const ts = sock.ttp
    if (sock.state !== 'connected' || ts === undefined) return [SOCKET_ERROR, WSAENOTCONN]
    if (sock.shutRecv) return [SOCKET_ERROR, WSAESHUTDOWN]
    if (len === 0) return [0, 0]
    for (;;) {
      const chunk = ts.read(len)
      if (chunk !== undefined) { buf.set(chunk, 0); return [chunk.length, 0] }
      if (ts.closed) {
        const e = connectionLost(ts.closeError, false)
        return e === 0 ? [0, 0] : [SOCKET_ERROR, e]
      }
      if (sock.nonBlocking) return [SOCKET_ERROR, WSAEWOULDBLOCK]
      await wait(sock, ts, ['readable', 'close'])
      if ((sock.state as State) === 'closed') return [SOCKET_ERROR, WSAEINTR]
      if (sock.shutRecv) return [SOCKET_ERROR, WSAESHUTDOWN]
    }
  })

  const shutdown = (s: number, how: number): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    if (how !== SD_RECEIVE && how !== SD_SEND && how !== SD_BOTH) return fail(WSAEINVAL)
    if (sock.state !== 'connected') return fail(WSAENOTCONN)
    if (sock.ttp?.closed === true && sock.ttp.closeError !== undefined && sock.ttp.closeError.kind !== 'user-request') {
      return fail(connectionLost(sock.ttp.closeError, true))
    }
    // TinyTP has no half-close: shutdown only stops this side's calls; closesocket disconnects.
    if (how !== SD_SEND) sock.shutRecv = true
    if (how !== SD_RECEIVE) sock.shutSend = true
    wake(sock)
    return ok()
  }

  const closesocket = (s: number): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    const hard = sock.linger.onoff !== 0 && sock.linger.time === 0
    const waiting = sock.ttp !== undefined && sock.ttp.queuedBytes > 0
    if (sock.nonBlocking && sock.linger.onoff !== 0 && sock.linger.time > 0 && waiting) return fail(WSAEWOULDBLOCK)
    // Default (SO_DONTLINGER): queued data still reaches the peer before the disconnect.
    release(sock, hard)
    return ok()
  }

  // ---- options ----------------------------------------------------------------------------------------

  const enumDevices = async (optval: Uint8Array, optlen: IntRef | undefined): Promise<[number, number]> => {
    const room = Math.min(optval.length, optlen?.value ?? optval.length)
    if (room < deviceListSize(1)) return [SOCKET_ERROR, WSAEFAULT]
    const fit = Math.floor((room - 4) / IRDA_DEVICE_INFO_SIZE)
    let found: Awaited<ReturnType<IrdaStack['discover']>> = []
    try { found = await stack.discover() } catch { found = [] } // a closed stack finds nobody
    const seen = new Set<number>()
    const devices = found.filter(d => !seen.has(d.deviceAddress) && seen.add(d.deviceAddress) !== undefined).slice(0, fit).map(d => ({
      deviceId: deviceIdFromAddress(d.deviceAddress),
      deviceName: d.nickname.slice(0, 22),
      hints1: d.hints[0] ?? 0,
      hints2: d.hints[0] !== undefined && (d.hints[0] & 0x80) !== 0 ? d.hints[1] ?? 0 : 0,
      charSet: d.charset,
    }))
    const bytes = encodeDeviceList(devices)
    optval.set(bytes, 0)
    if (optlen !== undefined) optlen.value = bytes.length
    return [0, 0]
  }

  const iasQuery = async (optval: Uint8Array, optlen: IntRef | undefined): Promise<[number, number]> => {
    if (Math.min(optval.length, optlen?.value ?? optval.length) < IAS_QUERY_SIZE) return [SOCKET_ERROR, WSAEFAULT]
    const device = addressFromDeviceId(optval.subarray(0, 4))
    const className = readChars(optval, 4, IAS_MAX_CLASSNAME)
    const attribName = readChars(optval, 68, IAS_MAX_ATTRIBNAME)
    if (className === '' || attribName === '') return [SOCKET_ERROR, WSAEINVAL]
    let answer: IasAttribute
    try {
      const r = await stack.iasQuery(device, className, attribName)
      answer = r.returnCode === 1 ? { type: IAS_ATTRIB_NO_CLASS }
        : r.returnCode !== 0 || r.entries.length === 0 ? { type: IAS_ATTRIB_NO_ATTRIB }
          : fromIasValue(r.entries[0].value)
    } catch (e) {
      return [SOCKET_ERROR, e instanceof IasQueryError ? connectFailure(e.kind) : WSAECONNABORTED]
    }
    writeIasQueryResult(optval, answer)
    if (optlen !== undefined) optlen.value = IAS_QUERY_SIZE
    return [0, 0]
  }

  const getsockopt = ((s: number, level: number, optname: number, optval: Uint8Array, optlen?: IntRef): number | Promise<number> => {
    if (level === SOL_IRLMP && (optname === IRLMP_ENUMDEVICES || optname === IRLMP_IAS_QUERY)) {
      return settle(async () => {
        const sock = lookup(s)
        if (typeof sock === 'number') return [SOCKET_ERROR, sock]
        return optname === IRLMP_ENUMDEVICES ? await enumDevices(optval, optlen) : await iasQuery(optval, optlen)
      })
    }
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    const room = Math.min(optval.length, optlen?.value ?? optval.length)
    const dv = new DataView(optval.buffer, optval.byteOffset, optval.byteLength)
    if (level === SOL_IRLMP) {
      if (optname !== IRLMP_SEND_PDU_LEN) return fail(WSAENOPROTOOPT)
      if (room < 4) return fail(WSAEFAULT)
      if (sock.state !== 'connected' || sock.ttp === undefined) return fail(WSAENOTCONN)
      dv.setUint32(0, sock.ttp.maxSduSize, true)
      if (optlen !== undefined) optlen.value = 4
      return ok()
    }
    if (level === SOL_SOCKET) {
      const name = optname >>> 0
      if (name !== SO_LINGER && name !== SO_DONTLINGER) return fail(WSAENOPROTOOPT)
      if (room < 4) return fail(WSAEFAULT)
      if (name === SO_LINGER) { dv.setUint16(0, sock.linger.onoff, true); dv.setUint16(2, sock.linger.time, true) } else dv.setInt32(0, sock.linger.onoff === 0 ? 1 : 0, true)
      if (optlen !== undefined) optlen.value = 4
      return ok()
    }
    return fail(WSAEINVAL)
  }) as IrSock['getsockopt']

  const setsockopt = (s: number, level: number, optname: number, optval: Uint8Array, optlen = optval.length): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    const room = Math.min(optval.length, optlen)
    const dv = new DataView(optval.buffer, optval.byteOffset, optval.byteLength)
    if (level === SOL_IRLMP) {
      if (optname !== IRLMP_IAS_SET) return fail(WSAENOPROTOOPT)
      if (room < IAS_SET_SIZE) return fail(WSAEFAULT)
      let value: IasValue | undefined
      let set
      try { set = decodeIasSet(optval); value = toIasValue(set.attrib) } catch { return fail(WSAEINVAL) }
      if (value === undefined || set.className === '' || set.attribName === '') return fail(WSAEINVAL)
      try { stack.ias.set(set.className, set.attribName, value) } catch { return fail(WSAEINVAL) }
      return ok()
    }
    if (level === SOL_SOCKET) {
      const name = optname >>> 0
      if (name !== SO_LINGER && name !== SO_DONTLINGER) return fail(WSAENOPROTOOPT)
      if (room < 4) return fail(WSAEFAULT)
      if (name === SO_LINGER) sock.linger = { onoff: dv.getUint16(0, true), time: dv.getUint16(2, true) }
      else sock.linger = { onoff: dv.getInt32(0, true) !== 0 ? 0 : 1, time: sock.linger.time }
      return ok()
    }
    return fail(WSAEINVAL)
  }

  const ioctlsocket = (s: number, cmd: number, argp: IntRef): number => {
    const sock = lookup(s)
    if (typeof sock === 'number') return fail(sock)
    switch (cmd >>> 0) {
      case FIONBIO: sock.nonBlocking = argp.value !== 0; return ok()
      case FIONREAD: argp.value = sock.ttp?.readableBytes ?? 0; return ok()
      default: return fail(WSAEINVAL)
    }
  }

  return {
    WSAStartup,
    WSACleanup,
    WSAGetLastError: () => lastError,
    WSASetLastError: (err: number) => { lastError = err },
    socket, bind, listen, accept, connect, send, recv, shutdown, closesocket, getsockopt, setsockopt, ioctlsocket,
  }
}
