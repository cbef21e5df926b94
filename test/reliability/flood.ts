/*!
 * The connection flood (issue 13): `n` connection attempts at a Winsock `listen(backlog = 5)`
 * that nobody accepts, in virtual time. IrSock limits the backlog to 2, so exactly two clients
 * get in and every other attempt must fail with an error; the server's memory must stay flat;
 * then accept drains exactly the two queued connections, each with the data its client sent.
 *
 *   npm run flood -- --n 10000
 *
 * `flood(n)` is also what test/reliability/flood.test.ts runs (300 attempts) in the default run.
 */
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { createIrSock, type IrSock } from '@irdakit/irsock'
import { AF_IRDA, deviceIdFromAddress, encodeSockaddrIrda } from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'

export interface FloodReport {
  attempts: number
  /** Connects that returned 0 (with nobody accepting, each one is a queued connection). */
  admitted: number
  /** The most connections queued at once, as the clients saw it. */
  maxQueued: number
  /** WSA error name -> how many refused attempts saw it. */
  refused: Record<string, number>
  /** Refused attempts that returned SOCKET_ERROR without an error (must be 0). */
  silentFailures: number
  /** What accept took afterwards: the bytes each accepted connection carried, in order. */
  drained: number[][]
  /** One more attempt after draining: 0 when the listener took it (it is not wedged). */
  afterDrain: number
  /** process.memoryUsage().heapUsed before and after the flood (after a GC when --expose-gc is on). */
  heapBefore: number
  heapAfter: number
  /** Server-side state left after the flood: IrLMP connections and IAS objects. */
  serverConnections: number
  serverIasObjects: number
  virtualSeconds: number
  realSeconds: number
}

const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })
const heap = (): number => { (globalThis as { gc?: () => void }).gc?.(); return process.memoryUsage().heapUsed }

/** One client attempt: socket, connect, and on success a send of its number (4 bytes). */
async function attempt (C: IrSock, server: number, i: number): Promise<[number, number, number]> {
  const s = C.socket(AF_IRDA, W.SOCK_STREAM, 0)
  const r = await C.connect(s, addr(server, 'Flood'))
  const err = C.WSAGetLastError()
  if (r === 0) {
    const data = new Uint8Array(4)
    new DataView(data.buffer).setUint32(0, i)
    if (await C.send(s, data) !== 4) throw new Error(`admitted client ${i} could not send: ${C.WSAGetLastError()}`)
    return [s, r, err]
  }
  C.closesocket(s) // a refused attempt leaves nothing behind on the client either
  return [s, r, err]
}

/**
 * Runs `n` attempts at a listen(5) socket nobody accepts, then drains it; see {@link FloodReport}.
 * `concurrency` attempts run at once (their IAS queries and connects interleave on the link).
 */
export async function flood (n: number, { seed = 1, concurrency = 1 } = {}): Promise<FloodReport> {
  const t0 = performance.now()
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: [9600, 115200] }), nickname: 'flooder', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: [9600, 115200] }), nickname: 'server', seed: seed * 10 + 2 })
  const C = createIrSock(a)
  const S = createIrSock(b)
  C.WSAStartup(0x0202)
  S.WSAStartup(0x0202)
  const ls = S.socket(AF_IRDA, W.SOCK_STREAM, 0)
  if (S.bind(ls, addr(0, 'Flood')) !== 0 || S.listen(ls, 5) !== 0) throw new Error(`listen failed: ${S.WSAGetLastError()}`)
  const iasBefore = b.ias.all().length
  const v0 = room.clock.now()

  const refused: Record<string, number> = {}
  let admitted = 0
  let silentFailures = 0
  const heapBefore = heap()
  for (let i = 0; i < n; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, n - i) }, (_, k) => attempt(C, b.deviceAddress, i + k))
    for (const [, r, err] of await room.run(Promise.all(batch))) {
      if (r === 0) { admitted++; continue }
      if (err === 0) silentFailures++
      const name = W.WSA_ERROR_NAMES[err] ?? String(err)
      refused[name] = (refused[name] ?? 0) + 1
    }
  }
  const heapAfter = heap()

  // accept drains the queue: non-blocking, until WSAEWOULDBLOCK says nothing is left
  const drained: number[][] = []
  S.ioctlsocket(ls, W.FIONBIO, { value: 1 })
  for (;;) {
    const s = await room.run(S.accept(ls))
    if (s === W.INVALID_SOCKET) break
    const buf = new Uint8Array(16)
    let got = 0
    S.ioctlsocket(s, W.FIONBIO, { value: 0 })
    while (got < 4) {
      const r = await room.run(S.recv(s, buf.subarray(got)))
      if (r <= 0) break
      got += r
    }
    drained.push(Array.from(buf.subarray(0, got)))
  }
  const afterDrain = (await room.run(attempt(C, b.deviceAddress, n)))[1]
  const report: FloodReport = {
    attempts: n,
    admitted,
    maxQueued: admitted, // nobody accepted during the flood, so every admitted client was still queued
    refused,
    silentFailures,
    drained,
    afterDrain,
    heapBefore,
    heapAfter,
    serverConnections: b.lmp.connections().length,
    serverIasObjects: b.ias.all().length - iasBefore,
    virtualSeconds: (room.clock.now() - v0) / 1000,
    realSeconds: (performance.now() - t0) / 1000,
  }
  await room.close()
  return report
}

const MB = 1024 * 1024

/** Prints a report as the lines docs/reliability.md quotes. */
export function describeFlood (r: FloodReport): string {
  return [
    `attempts ${r.attempts}, admitted ${r.admitted} (max queued ${r.maxQueued}), refused ${JSON.stringify(r.refused)}, silent failures ${r.silentFailures}`,
    `accept drained ${r.drained.length}: ${JSON.stringify(r.drained)}; one more attempt after draining: ${r.afterDrain === 0 ? 'admitted' : 'refused'}`,
    `heap ${(r.heapBefore / MB).toFixed(1)} MB before, ${(r.heapAfter / MB).toFixed(1)} MB after (${((r.heapAfter - r.heapBefore) / MB).toFixed(1)} MB)`,
    `server left with ${r.serverConnections} IrLMP connections, ${r.serverIasObjects} new IAS objects`,
    `${r.virtualSeconds.toFixed(1)} s virtual, ${r.realSeconds.toFixed(1)} s real`,
  ].join('\n')
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const arg = (name: string, dflt: number): number => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt }
  const n = arg('--n', 10_000)
  const concurrency = arg('--concurrency', 1)
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(concurrency) || concurrency < 1) throw new Error('usage: npm run flood -- [--n attempts] [--concurrency k]')
  const r = await flood(n, { concurrency })
  console.log(describeFlood(r))
  const ok = r.maxQueued <= 2 && r.silentFailures === 0 && r.drained.length === r.admitted && r.afterDrain === 0
  process.exitCode = ok ? 0 : 1
}
