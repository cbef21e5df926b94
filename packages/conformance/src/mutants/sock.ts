/*!
 * IrSock mutants: the SOCK cases drive the device's socket API, so their bugs wrap that API
 * (as Windows CE's IR port test judges the API, not the frames). Only the SOCK cases reach it.
 */
import { decodeSockaddrIrda, encodeSockaddrIrda, INVALID_SOCKET, SOCKET_ERROR, WSAECONNRESET, WSAEINVAL, WSAEOPNOTSUPP, type IrSock } from '@irdakit/irsock'
import type { IrdaStack } from '@irdakit/stack'
import type { Mutant } from './types.js'

/** A mutant that wraps the API: `wrap` gets the real one and returns the calls it changes. */
const api = (name: string, bug: string, wrap: (S: IrSock, stack: IrdaStack) => Partial<IrSock>): Mutant => ({
  name,
  bug,
  plant: () => ({ irsock: (S, stack) => ({ ...S, ...wrap(S, stack) }) }),
})
const failWith = (S: IrSock, err: number, value = SOCKET_ERROR): number => { S.WSASetLastError(err); return value }

/** Which sockets are bound and listening, as the wrapper saw the calls succeed. */
function tracked (S: IrSock): { bound: Set<number>, listening: Set<number>, bind: IrSock['bind'], listen: IrSock['listen'] } {
  const bound = new Set<number>()
  const listening = new Set<number>()
  return {
    bound,
    listening,
    bind: (s, name, len) => { const r = S.bind(s, name, len); if (r === 0) bound.add(s); return r },
    listen: (s, backlog) => { const r = S.listen(s, backlog); if (r === 0) listening.add(s); return r },
  }
}

export const SOCK_MUTANTS: readonly Mutant[] = [
  api('listen-unbound', 'listen on a socket that is not bound succeeds', S => {
    const t = tracked(S)
    return { bind: t.bind, listen: (s, b) => t.bound.has(s) ? t.listen(s, b) : 0 }
  }),
  api('bind-name-lowercased', 'bind registers the service in IAS under its name in lower case', S => ({
    bind: (s, name, len) => {
      const a = decodeSockaddrIrda(name)
      return S.bind(s, encodeSockaddrIrda({ ...a, serviceName: a.serviceName.toLowerCase() }), len)
    },
  })),
  api('backlog-uncapped', 'does not cap the listen backlog at 2 (listen(s, 5) takes a third connection)', S => {
    const extra: Array<Promise<number>> = []
    return {
      listen: (s, b) => {
        const r = S.listen(s, b)
        // One more connection than the capped backlog holds: an accept nobody asked for.
        if (r === 0 && b > 2) extra.push(S.accept(s))
        return r
      },
      WSACleanup: () => { for (const p of extra.splice(0)) void p.then(a => { if (a !== INVALID_SOCKET) S.closesocket(a) }); return S.WSACleanup() },
    }
  }),
  api('backlog-zero', 'takes listen(s, 0) as the default backlog (2) instead of raising it to 1', S => ({
    listen: (s, b) => S.listen(s, b < 1 ? 2 : b),
  })),
  api('relisten-fails', 'a second listen on a listening socket fails with WSAEINVAL', S => {
    const t = tracked(S)
    return { listen: (s, b) => t.listening.has(s) ? failWith(S, WSAEINVAL) : t.listen(s, b) }
  }),
  api('rebind-allowed', 'bind on a socket that is already bound succeeds (the first name stays)', S => {
    const t = tracked(S)
    return { bind: (s, name, len) => t.bound.has(s) ? 0 : t.bind(s, name, len) }
  }),
  api('addrinuse-as-einval', 'a service name in use fails bind with WSAEINVAL instead of WSAEADDRINUSE', S => ({
    bind: (s, name, len) => { const r = S.bind(s, name, len); return r === SOCKET_ERROR && S.WSAGetLastError() === 10048 ? failWith(S, WSAEINVAL) : r },
  })),
  api('accept-not-listening', 'accept on a socket that is not listening fails with WSAEOPNOTSUPP instead of WSAEINVAL', S => {
    const t = tracked(S)
    return { listen: t.listen, accept: async (s, addr, len) => t.listening.has(s) ? await S.accept(s, addr, len) : failWith(S, WSAEOPNOTSUPP, INVALID_SOCKET) }
  }),
  api('recv-drops-byte', 'recv loses the first byte of what it reads', S => ({
    recv: async (s, buf, len, flags) => {
      const n = await S.recv(s, buf, len, flags)
      if (n <= 0) return n
      buf.copyWithin(0, 1, n)
      return n - 1
    },
  })),
  api('recv-reset-on-close', 'recv fails with WSAECONNRESET when the peer closed gracefully (0 is due)', S => ({
    recv: async (s, buf, len, flags) => { const n = await S.recv(s, buf, len, flags); return n === 0 ? failWith(S, WSAECONNRESET) : n },
  })),
  api('send-drops-byte', 'send reports every byte sent but leaves the last one out', S => ({
    send: async (s, buf, len, flags) => {
      const n = len ?? buf.length
      const r = await S.send(s, buf.subarray(0, Math.max(0, n - 1)), n - 1, flags)
      return r === SOCKET_ERROR ? r : r + 1
    },
  })),
  api('close-accepted-late', 'closesocket on an accepted socket returns 0 but the connection stays until WSACleanup', S => {
    const t = tracked(S)
    const held: number[] = []
    return {
      bind: t.bind,
      closesocket: s => { if (t.bound.has(s)) return S.closesocket(s); held.push(s); return 0 },
      WSACleanup: () => { for (const s of held.splice(0)) S.closesocket(s); return S.WSACleanup() },
    }
  }),
  api('close-keeps-ias', 'closesocket on a listening socket leaves its service in IAS (until WSACleanup)', (S, stack) => {
    const names = new Map<number, string>()
    const stale: number[] = []
    return {
      bind: (s, name, len) => { const r = S.bind(s, name, len); if (r === 0) names.set(s, decodeSockaddrIrda(name).serviceName); return r },
      closesocket: s => {
        const name = names.get(s)
        const was = name !== undefined ? stack.ias.getValueByClass(name, 'IrDA:TinyTP:LsapSel') : undefined
        const r = S.closesocket(s)
        const v = was?.entries?.[0]?.value
        if (name !== undefined && v !== undefined) stale.push(stack.ias.set(name, 'IrDA:TinyTP:LsapSel', v))
        return r
      },
      WSACleanup: () => { for (const id of stale.splice(0)) stack.ias.removeObject(id); return S.WSACleanup() },
    }
  }),
]
