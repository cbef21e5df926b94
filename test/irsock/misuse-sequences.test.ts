/*!
 * Issue 13, API misuse as sequences: random programs of IrSock calls on two stacks (sockets
 * closed under pending calls, listen and shutdown at odd moments, WSACleanup with everything
 * open, calls on stale handles), seeded, in virtual time. No call throws or rejects, every
 * result is a Winsock result, every pending call ends once its socket is gone, and afterwards
 * the two stacks still connect and carry data: misuse never wedges them.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import type { IrSock } from '@irdakit/irsock'
import {
  AF_IRDA, IAS_ATTRIB_NO_ATTRIB, IRLMP_9WIRE_MODE, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY, SOL_IRLMP, deviceIdFromAddress, deviceListSize,
  encodeIasQuery, encodeSockaddrIrda,
} from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'

const OPS = ['socket', 'bind', 'listen', 'accept', 'connect', 'send', 'recv', 'shutdown', 'closesocket', 'nineWire', 'linger', 'enum', 'ias', 'fionbio', 'cleanup', 'step'] as const
type Op = [typeof OPS[number], side: number, slot: number, variant: number]
/** How often each call comes up: mostly the ones that move data and connections. */
const WEIGHTS: Record<typeof OPS[number], number> = {
  socket: 6, bind: 3, listen: 3, accept: 6, connect: 12, send: 9, recv: 9, shutdown: 3, closesocket: 6, nineWire: 2, linger: 2, enum: 3, ias: 3, fionbio: 3, cleanup: 1, step: 12,
}
const opName = fc.oneof(...OPS.map(name => ({ weight: WEIGHTS[name], arbitrary: fc.constant(name) })))
const op: fc.Arbitrary<Op> = fc.tuple(opName, fc.nat(1), fc.nat(7), fc.nat(7))
/** Every program starts from sockets on both sides and a listener on B's "Svc" with an accept waiting. */
const PROLOGUE: Op[] = [['socket', 0, 0, 0], ['socket', 0, 0, 0], ['socket', 1, 0, 0], ['socket', 1, 0, 0], ['bind', 1, 0, 0], ['listen', 1, 0, 2], ['accept', 1, 0, 0]]

const SERVICES = ['Svc', 'Other', 'LSAP-SEL5', 'Nope']
const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })
const sleep = async (p: Pair, ms: number): Promise<void> => { await new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + ms, resolve)) }

/** Runs one program; returns what went wrong (empty when nothing did). */
async function runProgram (seed: number, ops: Op[]): Promise<string[]> {
  const p = pair(seed)
  const sides: Array<{ S: IrSock, slots: number[], peer: number }> = [
    { S: p.A, slots: [], peer: p.b.deviceAddress },
    { S: p.B, slots: [], peer: p.a.deviceAddress },
  ]
  const problems: string[] = []
  const pending: Array<Promise<unknown>> = []
  const check = (what: string, r: unknown): void => { if (typeof r !== 'number' || !Number.isInteger(r)) problems.push(`${what} returned ${String(r)}`) }
  const track = (what: string, r: Promise<number>): void => { pending.push(r.then(v => check(what, v), (e: unknown) => { problems.push(`${what} rejected: ${String(e)}`) })) }

  for (const [name, sideIndex, slot, variant] of [...PROLOGUE, ...ops]) {
    const side = sides[sideIndex]
    const S = side.S
    const s = side.slots.length > 0 ? side.slots[slot % side.slots.length] : 0x4242
    const what = `${'AB'[sideIndex]}.${name}(${s}, ${variant})`
    try {
      switch (name) {
        case 'socket': { const n = S.socket(AF_IRDA, W.SOCK_STREAM, 0); check(what, n); if (n !== W.INVALID_SOCKET) side.slots.push(n); break }
        case 'bind': check(what, S.bind(s, addr(0, SERVICES[variant % 3]))); break
        case 'listen': check(what, S.listen(s, [0, 1, 2, 5][variant % 4])); break
        case 'accept': { const r = S.accept(s); track(what, r); void r.then(n => { if (n !== W.INVALID_SOCKET) side.slots.push(n) }); break }
        case 'connect': track(what, S.connect(s, addr(side.peer, SERVICES[variant < 5 ? 0 : variant - 4]))); break // mostly the listener
        case 'send': track(what, S.send(s, new Uint8Array(variant * 40).fill(variant))); break
        case 'recv': track(what, S.recv(s, new Uint8Array(64))); break
        case 'shutdown': check(what, S.shutdown(s, variant % 3)); break
        case 'closesocket': check(what, S.closesocket(s)); break
        case 'nineWire': check(what, S.setsockopt(s, SOL_IRLMP, IRLMP_9WIRE_MODE, Uint8Array.of(1, 0, 0, 0))); break
        case 'linger': check(what, S.setsockopt(s, W.SOL_SOCKET, W.SO_LINGER, Uint8Array.of(1, 0, variant % 2, 0))); break
        case 'enum': track(what, S.getsockopt(s, SOL_IRLMP, IRLMP_ENUMDEVICES, new Uint8Array(deviceListSize(4)))); break
        case 'ias': track(what, S.getsockopt(s, SOL_IRLMP, IRLMP_IAS_QUERY, encodeIasQuery({ deviceId: deviceIdFromAddress(side.peer), className: SERVICES[variant % 4], attribName: 'IrDA:TinyTP:LsapSel', attrib: { type: IAS_ATTRIB_NO_ATTRIB } }))); break
        case 'fionbio': check(what, S.ioctlsocket(s, W.FIONBIO, { value: variant % 2 })); break
        case 'cleanup': check(what, S.WSACleanup()); check(what, S.WSAStartup(0x0202)); side.slots.length = 0; break
        case 'step': await p.room.run(sleep(p, [10, 100, 500, 3000][variant % 4])); break
      }
    } catch (e) {
      problems.push(`${what} threw: ${String(e)}`)
    }
  }
  // Everything closes: every pending call must end (a call on a closed socket ends with WSAEINTR).
  for (const { S } of sides) { S.WSACleanup() }
  try { await p.room.run(Promise.all(pending), { limitMs: 120_000 }) } catch (e) { problems.push(`pending calls never ended: ${String(e)}`) }
  // Not wedged: a fresh listener and client still connect and carry data. A connect may still
  // lose a race with the end of a link the programme left idle (WSAECONNABORTED), so the client
  // tries up to three times, as an application would.
  try {
    for (const { S } of sides) S.WSAStartup(0x0202)
    const ls = p.B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    if (p.B.bind(ls, addr(0, 'Final')) !== 0 || p.B.listen(ls, 2) !== 0) problems.push(`final listen failed: ${p.B.WSAGetLastError()}`)
    const accepted = p.B.accept(ls)
    let c = W.INVALID_SOCKET
    const errors: number[] = []
    for (let i = 0; i < 3 && c === W.INVALID_SOCKET; i++) {
      const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
      if (await p.room.run(p.A.connect(s, addr(p.b.deviceAddress, 'Final')), { limitMs: 120_000 }) === 0) c = s
      else { errors.push(p.A.WSAGetLastError()); p.A.closesocket(s) }
    }
    if (c === W.INVALID_SOCKET) problems.push(`final connect failed three times: ${errors.join(', ')}`)
    else {
      const acc = await p.room.run(accepted, { limitMs: 60_000 })
      await p.room.run(p.A.send(c, Uint8Array.of(1, 2, 3)), { limitMs: 60_000 })
      const buf = new Uint8Array(8)
      const n = await p.room.run(p.B.recv(acc, buf), { limitMs: 60_000 })
      if (n !== 3) problems.push(`final recv returned ${n} (${p.B.WSAGetLastError()})`)
    }
  } catch (e) {
    problems.push(`final exchange: ${String(e)}`)
  }
  return problems
}

describe('irsock/random sequences of calls on two stacks never throw, hang or wedge them (issue 13)', () => {
  it('60 seeded programs of up to 40 calls', async () => {
    let seed = 900
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async ops => {
      const problems = await runProgram(seed++, ops)
      expect(problems, problems.join('\n')).to.deep.equal([])
    }), { seed: 13, numRuns: 60 })
  })
})
