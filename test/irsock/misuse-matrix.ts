/*!
 * The IrSock misuse matrix (issue 13): every IrSock function, called in every socket state with
 * good and bad arguments, in a virtual room. `runMatrix` makes the calls and reports what each
 * returned, as a cell: `0` or a byte count, `socket` (a new socket), a WSA error name (the call
 * returned SOCKET_ERROR / INVALID_SOCKET and WSAGetLastError() said this), `waits` (a blocking
 * call still waiting after a minute of virtual time) or `THROWS ...` (a defect). `renderMatrix`
 * turns the cells into the Markdown of docs/reliability.md. The test that checks the cells
 * against the expected table is misuse-matrix.test.ts.
 */
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { createIrSock, type IrSock } from '@irdakit/irsock'
import {
  AF_IRDA, IAS_ATTRIB_INT, IAS_ATTRIB_NO_ATTRIB, IRLMP_9WIRE_MODE, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY, IRLMP_IAS_SET, IRLMP_SEND_PDU_LEN,
  SOL_IRLMP, deviceIdFromAddress, deviceListSize, encodeIasQuery, encodeIasSet, encodeSockaddrIrda,
} from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'

/** The socket states of the matrix, in column order. */
export const STATES = ['fresh', 'bound', 'listening', 'connecting', 'connected', 'shut down', 'closed', 'not a socket', 'before WSAStartup'] as const
export type StateName = typeof STATES[number]
/** Functions that take no socket have two columns: after WSAStartup, and before it. */
export const SOCKETLESS_STATES = ['started', 'before WSAStartup'] as const

interface Ctx { S: IrSock, s: number, peer: number, room: Room }
interface Case { args: string, call: (c: Ctx) => unknown }
export interface FunctionCases { fn: string, socketless?: boolean, cases: Case[] }

/** Calls with arguments TypeScript would refuse, as a JavaScript caller can. */
const loose = (f: unknown) => f as (...args: unknown[]) => unknown
const addr = (device: number, service: string, family = AF_IRDA): Uint8Array => encodeSockaddrIrda({ family, deviceId: deviceIdFromAddress(device), serviceName: service })
const unterminated = (device: number): Uint8Array => { const b = addr(device, ''); b.fill(0x41, 6); return b }
const dword = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); return b }
const iasQuery = (device: number, cls: string): Uint8Array => encodeIasQuery({ deviceId: deviceIdFromAddress(device), className: cls, attribName: 'IrDA:TinyTP:LsapSel', attrib: { type: IAS_ATTRIB_NO_ATTRIB } })
const iasSet = (cls: string): Uint8Array => encodeIasSet({ className: cls, attribName: 'Attr', attrib: { type: IAS_ATTRIB_INT, value: 1 } })

/** The calls, per function: first the good arguments, then the bad ones. */
export const MATRIX: FunctionCases[] = [
  {
    fn: 'WSAStartup',
    socketless: true,
    cases: [
      { args: '0x0202', call: c => c.S.WSAStartup(0x0202) },
      { args: '0x0202, {}', call: c => c.S.WSAStartup(0x0202, {}) },
      { args: '0x0001 (1.0)', call: c => c.S.WSAStartup(0x0001) },
      { args: 'NaN', call: c => loose(c.S.WSAStartup)(NaN) },
      { args: "'2.2'", call: c => loose(c.S.WSAStartup)('2.2') },
      { args: '0x0202, null', call: c => loose(c.S.WSAStartup)(0x0202, null) },
      { args: '0x0202, frozen {}', call: c => c.S.WSAStartup(0x0202, Object.freeze({})) },
    ],
  },
  { fn: 'WSACleanup', socketless: true, cases: [{ args: '', call: c => c.S.WSACleanup() }] },
  {
    fn: 'WSAGetLastError',
    socketless: true,
    cases: [
      { args: 'after WSASetLastError(10022)', call: c => { c.S.WSASetLastError(10022); return c.S.WSAGetLastError() } },
      { args: 'after WSASetLastError(NaN)', call: c => { c.S.WSASetLastError(10022); loose(c.S.WSASetLastError)(NaN); return c.S.WSAGetLastError() } },
    ],
  },
  {
    fn: 'socket',
    socketless: true,
    cases: [
      { args: 'AF_IRDA, SOCK_STREAM, 0', call: c => c.S.socket(AF_IRDA, W.SOCK_STREAM, 0) },
      { args: '22 (CE 1-3 AF_IRDA), SOCK_STREAM, 0', call: c => c.S.socket(22, W.SOCK_STREAM, 0) },
      { args: 'AF_IRDA, SOCK_DGRAM, 0', call: c => c.S.socket(AF_IRDA, W.SOCK_DGRAM, 0) },
      { args: 'AF_IRDA, SOCK_STREAM, 6', call: c => c.S.socket(AF_IRDA, W.SOCK_STREAM, 6) },
      { args: "'26', '1', '0'", call: c => loose(c.S.socket)('26', '1', '0') },
      { args: 'undefined x 3', call: c => loose(c.S.socket)() },
    ],
  },
  {
    fn: 'bind',
    cases: [
      { args: '{AF_IRDA, "Mine2"}', call: c => c.S.bind(c.s, addr(0, 'Mine2')) },
      { args: '{AF_IRDA, "LSAP-SEL5"}', call: c => c.S.bind(c.s, addr(0, 'LSAP-SEL5')) },
      { args: '{AF_IRDA, "LSAP-SEL200"}', call: c => c.S.bind(c.s, addr(0, 'LSAP-SEL200')) },
      { args: 'name unterminated', call: c => c.S.bind(c.s, unterminated(0)) },
      { args: '{family 2}', call: c => c.S.bind(c.s, addr(0, 'Mine2', 2)) },
      { args: 'null', call: c => loose(c.S.bind)(c.s, null) },
      { args: '16-byte buffer', call: c => c.S.bind(c.s, new Uint8Array(16)) },
      { args: 'namelen 1.5', call: c => c.S.bind(c.s, addr(0, 'Mine2'), 1.5) },
    ],
  },
  {
    fn: 'listen',
    cases: [
      { args: '2', call: c => c.S.listen(c.s, 2) },
      { args: '-1 (-> 1)', call: c => c.S.listen(c.s, -1) },
      { args: 'Infinity (-> 2)', call: c => c.S.listen(c.s, Infinity) },
      { args: 'NaN', call: c => c.S.listen(c.s, NaN) },
      { args: 'undefined', call: c => loose(c.S.listen)(c.s) },
      { args: '1.5', call: c => c.S.listen(c.s, 1.5) },
      { args: "'3'", call: c => loose(c.S.listen)(c.s, '3') },
    ],
  },
  {
    fn: 'accept',
    cases: [
      { args: '', call: c => c.S.accept(c.s) },
      { args: 'addr[32], {value: 32}', call: c => c.S.accept(c.s, new Uint8Array(32), { value: 32 }) },
      { args: 'null, null', call: c => loose(c.S.accept)(c.s, null, null) },
      { args: 'addr[8]', call: c => c.S.accept(c.s, new Uint8Array(8)) },
      { args: 'addr[32], frozen {value: 32}', call: c => c.S.accept(c.s, new Uint8Array(32), Object.freeze({ value: 32 })) },
      { args: "'addr'", call: c => loose(c.S.accept)(c.s, 'addr') },
    ],
  },
  {
    fn: 'connect',
    cases: [
      { args: '{peer, "Peer"}', call: c => c.S.connect(c.s, addr(c.peer, 'Peer')) },
      { args: '{peer, "Nobody"}', call: c => c.S.connect(c.s, addr(c.peer, 'Nobody')) },
      { args: '{peer, "LSAP-SEL200"}', call: c => c.S.connect(c.s, addr(c.peer, 'LSAP-SEL200')) },
      { args: '{peer, name unterminated}', call: c => c.S.connect(c.s, unterminated(c.peer)) },
      { args: '{peer, "Tab\\t"} (no IAS name)', call: c => c.S.connect(c.s, addr(c.peer, 'Tab\t')) },
      { args: '{family 2, peer, "Peer"}', call: c => c.S.connect(c.s, addr(c.peer, 'Peer', 2)) },
      { args: 'null', call: c => loose(c.S.connect)(c.s, null) },
      { args: 'namelen NaN', call: c => c.S.connect(c.s, addr(c.peer, 'Peer'), NaN) },
    ],
  },
  {
    fn: 'send',
    cases: [
      { args: '[1,2,3]', call: c => c.S.send(c.s, Uint8Array.of(1, 2, 3)) },
      { args: '[1,2,3], len 0', call: c => c.S.send(c.s, Uint8Array.of(1, 2, 3), 0) },
      { args: '[1,2,3], len 1.5', call: c => c.S.send(c.s, Uint8Array.of(1, 2, 3), 1.5) },
      { args: '[1,2,3], len 4', call: c => c.S.send(c.s, Uint8Array.of(1, 2, 3), 4) },
      { args: '[1,2,3], len NaN', call: c => c.S.send(c.s, Uint8Array.of(1, 2, 3), NaN) },
      { args: 'null', call: c => loose(c.S.send)(c.s, null) },
      { args: '[1], 1, MSG_OOB', call: c => c.S.send(c.s, Uint8Array.of(1), 1, W.MSG_OOB) },
      { args: '[1], 1, flags 0x100', call: c => c.S.send(c.s, Uint8Array.of(1), 1, 0x100) },
    ],
  },
  {
    fn: 'recv',
    cases: [
      { args: 'buf[8]', call: c => c.S.recv(c.s, new Uint8Array(8)) },
      { args: 'buf[8], len 0', call: c => c.S.recv(c.s, new Uint8Array(8), 0) },
      { args: 'buf[8], len 9', call: c => c.S.recv(c.s, new Uint8Array(8), 9) },
      { args: 'buf[8], len 0.5', call: c => c.S.recv(c.s, new Uint8Array(8), 0.5) },
      { args: 'undefined', call: c => loose(c.S.recv)(c.s) },
      { args: 'buf[8], 8, MSG_PEEK', call: c => c.S.recv(c.s, new Uint8Array(8), 8, W.MSG_PEEK) },
      { args: "buf[8], 8, flags '0'", call: c => loose(c.S.recv)(c.s, new Uint8Array(8), 8, '0') },
    ],
  },
  {
    fn: 'shutdown',
    cases: [
      { args: 'SD_BOTH', call: c => c.S.shutdown(c.s, W.SD_BOTH) },
      { args: '3', call: c => c.S.shutdown(c.s, 3) },
      { args: "'1'", call: c => loose(c.S.shutdown)(c.s, '1') },
      { args: 'undefined', call: c => loose(c.S.shutdown)(c.s) },
    ],
  },
  { fn: 'closesocket', cases: [{ args: '', call: c => c.S.closesocket(c.s) }] },
  {
    fn: 'getsockopt',
    cases: [
      { args: 'SOL_IRLMP, IRLMP_9WIRE_MODE, [4], {value: 4}', call: c => c.S.getsockopt(c.s, SOL_IRLMP, IRLMP_9WIRE_MODE, new Uint8Array(4), { value: 4 }) },
      { args: 'SOL_IRLMP, IRLMP_SEND_PDU_LEN, [4]', call: c => c.S.getsockopt(c.s, SOL_IRLMP, IRLMP_SEND_PDU_LEN, new Uint8Array(4)) },
      { args: 'SOL_IRLMP, IRLMP_ENUMDEVICES, DEVICELIST for 4', call: c => c.S.getsockopt(c.s, SOL_IRLMP, IRLMP_ENUMDEVICES, new Uint8Array(deviceListSize(4))) },
      { args: 'SOL_IRLMP, IRLMP_ENUMDEVICES, null', call: c => loose(c.S.getsockopt)(c.s, SOL_IRLMP, IRLMP_ENUMDEVICES, null) },
      { args: 'SOL_IRLMP, IRLMP_IAS_QUERY, {peer, "Peer"}', call: c => c.S.getsockopt(c.s, SOL_IRLMP, IRLMP_IAS_QUERY, iasQuery(c.peer, 'Peer')) },
      { args: 'SOL_IRLMP, IRLMP_IAS_QUERY, class of 64 chars, no NUL', call: c => c.S.getsockopt(c.s, SOL_IRLMP, IRLMP_IAS_QUERY, iasQuery(c.peer, 'C'.repeat(64))) },
      { args: 'SOL_IRLMP, IRLMP_9WIRE_MODE, [2]', call: c => c.S.getsockopt(c.s, SOL_IRLMP, IRLMP_9WIRE_MODE, new Uint8Array(2)) },
      { args: 'SOL_IRLMP, IRLMP_9WIRE_MODE, [4], frozen {value: 4}', call: c => c.S.getsockopt(c.s, SOL_IRLMP, IRLMP_9WIRE_MODE, new Uint8Array(4), Object.freeze({ value: 4 })) },
      { args: 'SOL_IRLMP, NaN, [4]', call: c => c.S.getsockopt(c.s, SOL_IRLMP, NaN, new Uint8Array(4)) },
      { args: 'level 0x1234, IRLMP_9WIRE_MODE, [4]', call: c => c.S.getsockopt(c.s, 0x1234, IRLMP_9WIRE_MODE, new Uint8Array(4)) },
    ],
  },
  {
    fn: 'setsockopt',
    cases: [
      { args: 'SOL_IRLMP, IRLMP_9WIRE_MODE, 1', call: c => c.S.setsockopt(c.s, SOL_IRLMP, IRLMP_9WIRE_MODE, dword(1)) },
      { args: 'SOL_SOCKET, SO_LINGER, {1, 0}', call: c => c.S.setsockopt(c.s, W.SOL_SOCKET, W.SO_LINGER, Uint8Array.of(1, 0, 0, 0)) },
      { args: 'SOL_IRLMP, IRLMP_IAS_SET, {"Cls", "Attr", 1}', call: c => c.S.setsockopt(c.s, SOL_IRLMP, IRLMP_IAS_SET, iasSet('Cls')) },
      { args: 'SOL_IRLMP, IRLMP_IAS_SET, class of 64 chars, no NUL', call: c => c.S.setsockopt(c.s, SOL_IRLMP, IRLMP_IAS_SET, iasSet('C'.repeat(64))) },
      { args: 'SOL_IRLMP, IRLMP_9WIRE_MODE, null', call: c => loose(c.S.setsockopt)(c.s, SOL_IRLMP, IRLMP_9WIRE_MODE, null) },
      { args: 'SOL_IRLMP, IRLMP_9WIRE_MODE, [4], optlen 2', call: c => c.S.setsockopt(c.s, SOL_IRLMP, IRLMP_9WIRE_MODE, dword(1), 2) },
      { args: 'SOL_IRLMP, IRLMP_9WIRE_MODE, [4], optlen 1.5', call: c => c.S.setsockopt(c.s, SOL_IRLMP, IRLMP_9WIRE_MODE, dword(1), 1.5) },
      { args: 'level 0x1234, IRLMP_9WIRE_MODE, 1', call: c => c.S.setsockopt(c.s, 0x1234, IRLMP_9WIRE_MODE, dword(1)) },
    ],
  },
  {
    fn: 'ioctlsocket',
    cases: [
      { args: 'FIONBIO, {value: 1}', call: c => c.S.ioctlsocket(c.s, W.FIONBIO, { value: 1 }) },
      { args: 'FIONREAD, {value: 0}', call: c => { const r = { value: 0 }; const v = c.S.ioctlsocket(c.s, W.FIONREAD, r); return v === 0 ? `0, value ${r.value}` : v } },
      { args: 'FIONBIO, null', call: c => loose(c.S.ioctlsocket)(c.s, W.FIONBIO, null) },
      { args: "FIONBIO, {value: '1'}", call: c => loose(c.S.ioctlsocket)(c.s, W.FIONBIO, { value: '1' }) },
      { args: 'FIONREAD, frozen {value: 0}', call: c => c.S.ioctlsocket(c.s, W.FIONREAD, Object.freeze({ value: 0 })) },
      { args: '0x1234, {value: 0}', call: c => c.S.ioctlsocket(c.s, 0x1234, { value: 0 }) },
      { args: 'NaN, {value: 0}', call: c => c.S.ioctlsocket(c.s, NaN, { value: 0 }) },
    ],
  },
]

/** How long a blocking call may wait (virtual ms) before its cell reads `waits`. */
const WAIT_LIMIT_MS = 60_000
const sleep = async (room: Room, ms: number): Promise<void> => { await new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + ms, resolve)) }

/** A pair of stacks with the socket under test on A in `state`; B listens on "Peer". */
async function prepare (state: StateName | 'started', seed: number): Promise<Ctx> {
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: [9600, 115200] }), nickname: 'client', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: [9600, 115200] }), nickname: 'server', seed: seed * 10 + 2 })
  const S = createIrSock(a)
  const B = createIrSock(b)
  B.WSAStartup(0x0202)
  const ls = B.socket(AF_IRDA, W.SOCK_STREAM, 0)
  B.bind(ls, addr(0, 'Peer'))
  B.listen(ls, 2)
  const ctx: Ctx = { S, s: 0x80, peer: b.deviceAddress, room }
  if (state === 'before WSAStartup') return ctx
  S.WSAStartup(0x0202)
  if (state === 'not a socket') { ctx.s = 0x4242; return ctx }
  if (state === 'started') return ctx
  const s = ctx.s = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  if (state === 'bound' || state === 'listening') S.bind(s, addr(0, 'Mine'))
  if (state === 'listening') {
    S.listen(s, 2)
    const c = B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    await room.run(B.connect(c, addr(a.deviceAddress, 'Mine'))) // one connection waits for accept
  }
  if (state === 'connecting') void S.connect(s, addr(b.deviceAddress, 'Peer'))
  if (state === 'connected' || state === 'shut down' || state === 'closed') {
    const [acc] = await room.run(Promise.all([B.accept(ls), S.connect(s, addr(b.deviceAddress, 'Peer'))]))
    await room.run(B.send(acc, Uint8Array.of(0x68, 0x69))) // "hi" waits to be read
    const n = { value: 0 }
    for (let i = 0; i < 50 && n.value < 2; i++) { await room.run(sleep(room, 100)); S.ioctlsocket(s, W.FIONREAD, n) }
  }
  if (state === 'shut down') S.shutdown(s, W.SD_BOTH)
  if (state === 'closed') S.closesocket(s)
  return ctx
}

const errorName = (e: number): string => W.WSA_ERROR_NAMES[e] ?? String(e)
const RETURNS_ERROR_CODE = new Set(['WSAStartup', 'WSAGetLastError'])
const RETURNS_SOCKET = new Set(['socket', 'accept'])

/** Makes one call and describes its result as a cell. */
async function cell (fn: string, call: Case['call'], ctx: Ctx): Promise<string> {
  let value: unknown
  try {
    const r = call(ctx)
    if (r instanceof Promise) {
      const tagged = r.then(v => ({ v }), (e: unknown) => ({ e }))
      let out: { v: unknown } | { e: unknown }
      try { out = await ctx.room.run(tagged, { limitMs: WAIT_LIMIT_MS }) } catch { return 'waits' }
      if ('e' in out) return `THROWS ${String(out.e)}`
      value = out.v
    } else value = r
  } catch (e) {
    return `THROWS ${String(e)}`
  }
  const err = ctx.S.WSAGetLastError()
  if (typeof value === 'string') return value
  if (typeof value !== 'number') return `RETURNED ${String(value)}`
  if (RETURNS_ERROR_CODE.has(fn)) return value === 0 ? '0' : errorName(value)
  if (value === W.SOCKET_ERROR || (RETURNS_SOCKET.has(fn) && value === W.INVALID_SOCKET)) return err === 0 ? 'FAILED WITHOUT ERROR' : errorName(err)
  if (err !== 0) return `${value} (error ${errorName(err)} left set)`
  return RETURNS_SOCKET.has(fn) ? 'socket' : String(value)
}

/** Per function, its rows in order: [arguments, cells in state (column) order]. */
export type MatrixResult = Record<string, Array<[string, string[]]>>

/** Runs every call of the matrix, each on a fresh pair of stacks. */
export async function runMatrix (): Promise<MatrixResult> {
  const out: MatrixResult = {}
  let seed = 1
  for (const { fn, socketless, cases } of MATRIX) {
    const rows: Array<[string, string[]]> = out[fn] = []
    for (const { args, call } of cases) {
      const row: string[] = []
      rows.push([args, row])
      for (const state of socketless === true ? SOCKETLESS_STATES : STATES) row.push(await cell(fn, call, await prepare(state, seed++)))
    }
  }
  return out
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|')

/** The Markdown tables of a matrix result, one per function. */
export function renderMatrix (result: MatrixResult): string {
  const lines: string[] = [
    'Generated by `test/irsock/misuse-matrix.test.ts` (`UPDATE_DOCS=1` rewrites it). Each call runs on a',
    'fresh pair of stacks in a virtual room. A cell is what the call returned: `0` or a byte count,',
    '`socket` (a new socket), or the WSA error of a call that returned `SOCKET_ERROR`',
    '(`INVALID_SOCKET` for socket and accept); `waits` is a blocking call still waiting after',
    `${WAIT_LIMIT_MS / 1000} s of virtual time. States: *fresh* (socket()), *bound*, *listening* (one connection`,
    'queued), *connecting* (connect not finished), *connected* (2 bytes waiting to be read), *shut down*',
    '(shutdown SD_BOTH), *closed* (closesocket), *not a socket*, *before WSAStartup*.',
    '',
  ]
  for (const { fn, socketless } of MATRIX) {
    const states: readonly string[] = socketless === true ? SOCKETLESS_STATES : STATES
    lines.push(`### ${fn}`, '', `| arguments | ${states.join(' | ')} |`, `|---|${states.map(() => '---').join('|')}|`)
    for (const [args, row] of result[fn] ?? []) lines.push(`| ${args === '' ? '()' : mdCell(`\`${args}\``)} | ${row.map(mdCell).join(' | ')} |`)
    lines.push('')
  }
  return lines.join('\n')
}
