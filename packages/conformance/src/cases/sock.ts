/*!
 * IrSock API cases (as Windows CE's own IR port test checks the socket API, not the frames): the
 * device's server sockets, driven through its API, judged by what the tester sees on the wire.
 * They run where the suite has the device's API: loopback.
 */
import { AF_IRDA, createIrSock, deviceIdFromAddress, encodeSockaddrIrda, INVALID_SOCKET, SOCK_STREAM, SOCKET_ERROR, WSAEADDRINUSE, WSAEINVAL, type IrSock } from '@irdakit/irsock'
import { TtpConnectPdu } from '@irdakit/ttp'
import type { CaseContext, CaseDef } from '../case.js'
import type { PrimaryLink } from '../link.js'
import { expectPdu, iasQuery, lmConnect, ttpLsapOf, ascii, TtpSession } from '../upper.js'

const SERVICE = 'ConformanceSvc'
const EMPTY = new Uint8Array(0)

/** WSAStartup on the device's stack; the case's `use` runs, then every socket it made is closed. */
async function withIrSock (ctx: CaseContext, use: (S: IrSock, sockets: number[]) => Promise<void>): Promise<void> {
  const control = ctx.control as NonNullable<CaseContext['control']>
  const real = createIrSock(control.stack)
  const S = control.wrapIrSock?.(real) ?? real
  ctx.must(S.WSAStartup(0x0202) === 0, 'WSAStartup failed')
  const sockets: number[] = []
  try { await use(S, sockets) } finally {
    for (const s of sockets) S.closesocket(s)
    S.WSACleanup()
  }
}

function listening (S: IrSock, sockets: number[], backlog: number): number {
  const s = S.socket(AF_IRDA, SOCK_STREAM, 0)
  sockets.push(s)
  if (S.bind(s, encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(0), serviceName: SERVICE })) !== 0) throw new Error(`harness: bind failed (${S.WSAGetLastError()})`)
  if (S.listen(s, backlog) !== 0) throw new Error(`harness: listen failed (${S.WSAGetLastError()})`)
  return s
}

/** The selector IAS gives for the listening service: a MUST of IrSock's bind. */
async function serviceLsap (ctx: CaseContext, link: PrimaryLink): Promise<number> {
  const lsap = await ttpLsapOf(link, SERVICE)
  ctx.must(lsap !== undefined, `IAS has no ${SERVICE} IrDA:TinyTP:LsapSel for the listening socket`)
  return lsap as number
}

/**
 * A listening IrSock service, an accept waiting on it, and the tester's TinyTP connection to it:
 * the accepted socket (not yet in `sockets`), the tester's link, selector and session. The
 * tester's first turn sends `firstData`, or just polls.
 */
async function acceptOne (ctx: CaseContext, S: IrSock, sockets: number[], firstData?: Uint8Array): Promise<{ a: number, link: PrimaryLink, lsap: number, t: TtpSession }> {
  const s = listening(S, sockets, 2)
  const accepted = S.accept(s)
  const link = await ctx.connect()
  const lsap = await serviceLsap(ctx, link)
  const t = await TtpSession.connect(link, lsap, { credit: 4 })
  if (firstData !== undefined) await t.send(firstData)
  else await link.exchange()
  return { a: await accepted, link, lsap, t }
}

/** How many of `n` TinyTP connects from the tester the service takes (nobody calls accept). */
async function admitted (link: PrimaryLink, lsap: number, n: number): Promise<number> {
  let ok = 0
  for (let i = 0; i < n; i++) {
    const c = await lmConnect(link, lsap, 0x40 + i, TtpConnectPdu.emit({ credit: 4, userData: EMPTY }))
    if (c.kind === 'connect-confirm') ok++
  }
  return ok
}

export const SOCK: CaseDef[] = [
  {
    id: 'SOCK/SRV/LSN/BI-01', level: 'MUST', needs: ['api'], clause: 'Winsock listen: WSAEINVAL, the socket is not bound',
    title: 'listen on a socket that is not bound fails with WSAEINVAL',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const s = S.socket(AF_IRDA, SOCK_STREAM, 0)
        sockets.push(s)
        const r = S.listen(s, 2)
        const err = S.WSAGetLastError()
        ctx.must(r === SOCKET_ERROR && err === WSAEINVAL, `listen returned ${r}, error ${err}; want SOCKET_ERROR, WSAEINVAL (${WSAEINVAL})`)
      })
    },
  },
  {
    id: 'SOCK/SRV/LSN/BV-01', level: 'MUST', needs: ['api'], clause: 'IrSock bind: the service name becomes an IAS class with IrDA:TinyTP:LsapSel',
    title: 'A bound, listening IrSock service is found in IAS by its name, on the selector the tester then connects to',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        listening(S, sockets, 2)
        const link = await ctx.connect()
        const lsap = await ttpLsapOf(link, SERVICE)
        ctx.must(lsap !== undefined, `IAS has no ${SERVICE} IrDA:TinyTP:LsapSel`)
        const c = await lmConnect(link, lsap as number, 0x40, TtpConnectPdu.emit({ credit: 4, userData: EMPTY }))
        ctx.must(c.kind === 'connect-confirm', `a TinyTP connect to the service got ${c.kind}`)
        await link.disconnect()
      })
    },
  },
  {
    id: 'SOCK/SRV/LSN/BV-02', level: 'MUST', needs: ['api'], clause: 'Windows CE listen: IrSock silently limits the backlog to 2',
    title: 'listen(s, 5) with nobody accepting takes 2 connections and refuses the third',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        listening(S, sockets, 5)
        const link = await ctx.connect()
        const lsap = await serviceLsap(ctx, link)
        const n = await admitted(link, lsap, 3)
        ctx.must(n === 2, `${n} of 3 connections taken with backlog 5; IrSock limits the backlog to 2`)
        await link.disconnect()
      })
    },
  },
  {
    id: 'SOCK/SRV/LSN/BV-03', level: 'MUST', needs: ['api'], clause: 'Windows CE listen: backlog values below 1 are replaced by 1',
    title: 'listen(s, 0) with nobody accepting takes 1 connection and refuses the second',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        listening(S, sockets, 0)
        const link = await ctx.connect()
        const lsap = await serviceLsap(ctx, link)
        const n = await admitted(link, lsap, 2)
        ctx.must(n === 1, `${n} of 2 connections taken with backlog 0 (raised to 1)`)
        await link.disconnect()
      })
    },
  },
  {
    id: 'SOCK/SRV/LSN/BV-04', level: 'MUST', needs: ['api'], clause: 'Winsock listen: calling listen again on a listening socket succeeds',
    title: 'A second listen on a listening socket returns 0',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const s = listening(S, sockets, 2)
        ctx.must(S.listen(s, 2) === 0, `the second listen failed with ${S.WSAGetLastError()}`)
      })
    },
  },
  {
    id: 'SOCK/SRV/ACC/BV-01', level: 'MUST', needs: ['api'], clause: 'Winsock accept, recv',
    title: 'accept returns a socket whose recv returns the bytes the tester sent',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const { a, link, t } = await acceptOne(ctx, S, sockets, ascii('hello, irsock'))
        ctx.must(a !== SOCKET_ERROR && a > 0, `accept returned ${a}`)
        sockets.push(a)
        const buf = new Uint8Array(64)
        const n = await S.recv(a, buf)
        ctx.must(new TextDecoder().decode(buf.subarray(0, Math.max(0, n))) === 'hello, irsock', `recv returned ${n} bytes`)
        await link.disconnect()
      })
    },
  },
  {
    id: 'SOCK/SRV/CLS/BV-01', level: 'MUST', needs: ['api'], clause: 'Winsock closesocket; IrLMP 1.1 4.1.4 (disconnect)',
    title: 'closesocket on an accepted socket sends the tester an LM disconnect for that connection',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const { a, link, lsap, t } = await acceptOne(ctx, S, sockets)
        ctx.must(S.closesocket(a) === 0, 'closesocket failed')
        const d = await expectPdu(link, p => p.kind === 'disconnect' && p.slsap === lsap && p.dlsap === t.slsap, 'an LM disconnect after closesocket')
        ctx.must(d.kind === 'disconnect', 'no disconnect')
        await link.disconnect()
      })
    },
  },
  {
    id: 'SOCK/SRV/BND/BI-01', level: 'MUST', needs: ['api'], clause: 'Winsock bind: WSAEINVAL, the socket is already bound',
    title: 'bind on a socket that is already bound fails with WSAEINVAL',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const s = S.socket(AF_IRDA, SOCK_STREAM, 0)
        sockets.push(s)
        const name = (n: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(0), serviceName: n })
        ctx.must(S.bind(s, name('ConfA')) === 0, 'the first bind failed')
        const r = S.bind(s, name('ConfB'))
        const err = S.WSAGetLastError()
        ctx.must(r === SOCKET_ERROR && err === WSAEINVAL, `the second bind returned ${r}, error ${err}; want SOCKET_ERROR, WSAEINVAL`)
      })
    },
  },
  {
    id: 'SOCK/SRV/BND/BI-02', level: 'MUST', needs: ['api'], clause: 'Winsock bind: WSAEADDRINUSE, the name is taken',
    title: 'Binding a second socket to a service name in use fails with WSAEADDRINUSE',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        listening(S, sockets, 2)
        const s = S.socket(AF_IRDA, SOCK_STREAM, 0)
        sockets.push(s)
        const r = S.bind(s, encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(0), serviceName: SERVICE }))
        const err = S.WSAGetLastError()
        ctx.must(r === SOCKET_ERROR && err === WSAEADDRINUSE, `bind returned ${r}, error ${err}; want SOCKET_ERROR, WSAEADDRINUSE (${WSAEADDRINUSE})`)
      })
    },
  },
  {
    id: 'SOCK/SRV/ACC/BI-01', level: 'MUST', needs: ['api'], clause: 'Winsock accept: WSAEINVAL, listen was not called',
    title: 'accept on a bound socket that is not listening fails with WSAEINVAL',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const s = S.socket(AF_IRDA, SOCK_STREAM, 0)
        sockets.push(s)
        S.bind(s, encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(0), serviceName: SERVICE }))
        const r = await S.accept(s)
        const err = S.WSAGetLastError()
        ctx.must(r === INVALID_SOCKET && err === WSAEINVAL, `accept returned ${r}, error ${err}; want INVALID_SOCKET, WSAEINVAL`)
      })
    },
  },
  {
    id: 'SOCK/SRV/LSN/BV-05', level: 'MUST', needs: ['api'], clause: 'IrSock closesocket: the service leaves IAS with its socket',
    title: 'After closesocket on the listening socket, IAS no longer has the service',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const s = listening(S, sockets, 2)
        ctx.must(S.closesocket(s) === 0, 'closesocket failed')
        sockets.splice(sockets.indexOf(s), 1)
        const link = await ctx.connect()
        const a = await iasQuery(link, SERVICE, 'IrDA:TinyTP:LsapSel')
        ctx.must(a.returnCode !== 0, 'IAS still offers the closed service')
        await link.disconnect()
      })
    },
  },
  {
    id: 'SOCK/SRV/RCV/BV-01', level: 'MUST', needs: ['api'], clause: 'Winsock recv: 0 when the peer closed the connection gracefully',
    title: 'When the tester disconnects, recv on the accepted socket returns 0',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const { a, link, t } = await acceptOne(ctx, S, sockets)
        sockets.push(a)
        await t.disconnect()
        const n = await S.recv(a, new Uint8Array(16))
        ctx.must(n === 0, `recv returned ${n} after the peer disconnected (error ${S.WSAGetLastError()})`)
        await link.disconnect()
      })
    },
  },
  {
    id: 'SOCK/SRV/SND/BV-01', level: 'MUST', needs: ['api'], clause: 'Winsock send; TinyTP 1.1 2.2 (data)',
    title: 'send on the accepted socket delivers the bytes to the tester',
    run: async ctx => {
      await withIrSock(ctx, async (S, sockets) => {
        const { a, link, t } = await acceptOne(ctx, S, sockets)
        sockets.push(a)
        const sent = S.send(a, ascii('from the device'))
        const got = await t.receive(1)
        ctx.must(await sent === 15, `send returned ${await sent}`)
        ctx.must(got.length === 1 && new TextDecoder().decode(got[0]) === 'from the device', `the tester got ${got.length} SDUs`)
        await link.disconnect()
      })
    },
  },
]
