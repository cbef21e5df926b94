/*!
 * Issue 13, defect 8, as a property: whatever a JavaScript caller passes to any IrSock function
 * (any value fast-check can make, plus the special ones below), the call returns a Winsock
 * result, never throws or rejects, and its result agrees with WSAGetLastError(): SOCKET_ERROR
 * with an error, or success with none. Seeded, virtual time.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import type { IrSock } from '@irdakit/irsock'
import { AF_IRDA, IRLMP_9WIRE_MODE, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY, IRLMP_IAS_SET, IRLMP_SEND_PDU_LEN, SOL_IRLMP, encodeSockaddrIrda, deviceIdFromAddress } from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair, type Pair } from '../helpers/irsock.js'

/** Values a C signature could never carry but a JavaScript caller can. */
const special = fc.constantFrom<unknown>(
  undefined, null, NaN, -0, 0.5, -1, Infinity, -Infinity, 2 ** 53, 2 ** 32, -(2 ** 31), '', '0', '26', true, 3n, Symbol('s'),
  {}, [], Object.freeze({ value: 4 }), { value: NaN }, { value: 4 }, { value: -1 }, { value: 2 ** 40 }, () => 0,
  new Uint8Array(0), new Uint8Array(3), new Uint8Array(32), new Uint8Array(1356), new Uint16Array(16), new ArrayBuffer(32), new DataView(new ArrayBuffer(8)),
  W.SOCKET_ERROR, W.INVALID_SOCKET, W.FIONBIO, W.FIONREAD, W.SOL_SOCKET, W.SO_LINGER, W.SO_DONTLINGER, W.MSG_OOB, W.MSG_PEEK,
  SOL_IRLMP, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY, IRLMP_IAS_SET, IRLMP_9WIRE_MODE, IRLMP_SEND_PDU_LEN, AF_IRDA, W.SOCK_STREAM,
)
const value = fc.oneof(
  { weight: 3, arbitrary: special },
  { weight: 1, arbitrary: fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withDate: true, withSparseArray: true }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 1400 }) },
  { weight: 1, arbitrary: fc.integer() },
)

type Fn = keyof Pick<IrSock, 'WSAStartup' | 'WSACleanup' | 'WSAGetLastError' | 'WSASetLastError' | 'socket' | 'bind' | 'listen' | 'accept' | 'connect' | 'send' | 'recv' | 'shutdown' | 'closesocket' | 'getsockopt' | 'setsockopt' | 'ioctlsocket' | 'socketStats'>
const FUNCTIONS: Fn[] = ['WSAStartup', 'WSACleanup', 'WSAGetLastError', 'WSASetLastError', 'socket', 'bind', 'listen', 'accept', 'connect', 'send', 'recv', 'shutdown', 'closesocket', 'getsockopt', 'setsockopt', 'ioctlsocket', 'socketStats']
/** Functions whose first argument is a socket. */
const TAKES_SOCKET = new Set<Fn>(['bind', 'listen', 'accept', 'connect', 'send', 'recv', 'shutdown', 'closesocket', 'getsockopt', 'setsockopt', 'ioctlsocket', 'socketStats'])

/** A pair where A holds a connected socket `c` (data waiting) and a fresh socket `f`. */
async function setup (seed: number): Promise<{ p: Pair, c: number, f: number }> {
  const p = pair(seed)
  const ls = p.B.socket(AF_IRDA, W.SOCK_STREAM, 0)
  p.B.bind(ls, encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(0), serviceName: 'Svc' }))
  p.B.listen(ls, 2)
  const c = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
  const [acc] = await p.room.run(Promise.all([p.B.accept(ls), p.A.connect(c, encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(p.b.deviceAddress), serviceName: 'Svc' }))]))
  await p.room.run(p.B.send(acc, Uint8Array.of(1, 2, 3)))
  return { p, c, f: p.A.socket(AF_IRDA, W.SOCK_STREAM, 0) }
}

/** What went wrong with one call, or undefined when its result is a proper Winsock result. */
async function misbehaviour (p: Pair, fn: Fn, args: unknown[]): Promise<string | undefined> {
  const S = p.A
  let result: unknown
  try {
    const r = (S[fn] as (...a: unknown[]) => unknown)(...args)
    if (r instanceof Promise) {
      const tagged = r.then(v => ({ v }), (e: unknown) => ({ e }))
      let out: { v: unknown } | { e: unknown }
      try { out = await p.room.run(tagged, { limitMs: 30_000 }) } catch { return undefined } // a blocking call still waiting: fine
      if ('e' in out) return `rejected: ${String(out.e)}`
      result = out.v
    } else result = r
  } catch (e) {
    return `threw: ${String(e)}`
  }
  const err = S.WSAGetLastError()
  if (fn === 'WSASetLastError') return result === undefined ? undefined : `returned ${String(result)}`
  if (fn === 'socketStats') return result === undefined || typeof result === 'object' ? undefined : `returned ${String(result)}`
  if (typeof result !== 'number' || !Number.isInteger(result)) return `returned ${String(result)}`
  if (fn === 'WSAStartup' || fn === 'WSAGetLastError') return undefined // they return an error code
  const failed = result === W.SOCKET_ERROR || ((fn === 'socket' || fn === 'accept') && result === W.INVALID_SOCKET)
  if (failed && err === 0) return 'failed without an error'
  if (!failed && err !== 0) return `returned ${result} with error ${err} set`
  if (!failed && (fn === 'send' || fn === 'recv')) {
    const buf = args[1] as Uint8Array
    if (result < 0 || result > buf.length) return `${fn} reported ${result} bytes of a ${buf.length}-byte buffer`
  }
  return undefined
}

describe('irsock/any value for any argument: a Winsock result, never an exception (issue 13, defect 8)', () => {
  for (const fn of FUNCTIONS) {
    it(`${fn}(anything...)`, async () => {
      let seed = 700
      await fc.assert(fc.asyncProperty(
        fc.constantFrom<'connected' | 'fresh' | 'any'>('connected', 'fresh', 'any'),
        fc.array(value, { maxLength: 5 }),
        async (which, rest) => {
          const { p, c, f } = await setup(seed++)
          const args = TAKES_SOCKET.has(fn) && which !== 'any' ? [which === 'connected' ? c : f, ...rest] : rest
          const bad = await misbehaviour(p, fn, args)
          if (bad !== undefined) expect.fail(`${fn}(${fc.stringify(args).slice(1, -1)}): ${bad}`)
        },
      ), { seed: 13, numRuns: 40 })
    })
  }
})
