/*!
 * The soak: bulk data through the Node IrSock API between two stacks in a virtual room with
 * faults on the medium (bit errors, error bursts, an obstruction), checked end to end with
 * SHA-256; and the link-loss case, an obstruction that outlasts the negotiated link-disconnect
 * time, which must end both sockets with an error in time, after an exact prefix of the data.
 * Everything runs on the room's virtual clock; wall time is only reported.
 */
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { Room } from '@irdakit/emulator'
import type { FaultConfig } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { connect, createServer, type IrSocket } from '@irdakit/irsock'

export interface SoakOptions {
  /** Bytes to send from the client to the server. */
  bytes: number
  seed?: number
  /** Top speed both stations offer (default 115200). */
  bps?: number
  /** Bit error rate on the medium. */
  ber?: number
  /** Error bursts (see the emulator's FaultConfig). */
  burst?: { rate: number, length: number }
  /** Block the beam for `durationMs`, `afterMs` after the connection is up. */
  obstruction?: { afterMs: number, durationMs: number }
}

/** The faults of issue 13's soak: BER 1e-5, a 64-bit error burst per 10^6 bits on average, a 2 s obstruction 10 s in. */
export const SOAK_FAULTS = {
  ber: 1e-5,
  burst: { rate: 1e-6, length: 64 },
  obstruction: { afterMs: 10_000, durationMs: 2000 },
} as const

export interface SoakReport {
  bytes: number
  receivedBytes: number
  sentSha256: string
  receivedSha256: string
  /** Both sides' error codes, if the transfer failed. */
  errors: string[]
  baudRate: number
  linkDisconnectMs: number
  /** Link time from connect to the server's end of stream. */
  virtualSeconds: number
  wallSeconds: number
  /** Data bits per second of link time. */
  goodputBps: number
  retransmissions: number
  rxErrors: number
  /** Polls that went unanswered (the obstruction shows here). */
  noReply: number
  obstructedFrom?: number
}

export interface LinkLossReport {
  bytes: number
  receivedBytes: number
  /** The server received exactly the first `receivedBytes` bytes that were sent. */
  exactPrefix: boolean
  baudRate: number
  linkDisconnectMs: number
  /** The longest the primary may wait for the secondary's turn: its poll period. */
  pollMs: number
  /** Errors, and link time from the start of the obstruction to each. */
  client: { code: string, afterMs: number }
  server: { code: string, afterMs: number }
}

/** Deterministic bytes (xorshift32), made in one pass. */
export function soakData (n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  let x = seed | 1
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xFF }
  return b
}

interface Setup { room: Room, client: IrdaStack, server: IrdaStack }

function setup (seed: number, bps: number, linkDisconnectMs?: number): Setup {
  const speeds = [9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000].filter(s => s <= bps)
  const room = new Room({ time: 'virtual', seed })
  const qos = { speeds, ...(linkDisconnectMs !== undefined ? { linkDisconnectMs } : {}) }
  const client = IrdaStack.create({ port: room.port('client', { supportedSpeeds: speeds }), nickname: 'client', seed: seed * 10 + 1, qos })
  const server = IrdaStack.create({ port: room.port('server', { supportedSpeeds: speeds }), nickname: 'server', seed: seed * 10 + 2, qos })
  return { room, client, server }
}

/** Resolves on 'drain' or 'close', whichever comes first (errors are the caller's to watch). */
function drained (s: IrSocket): Promise<void> {
  return new Promise(resolve => {
    const done = (): void => { s.off('drain', done); s.off('close', done); resolve() }
    s.on('drain', done)
    s.on('close', done)
  })
}

/** Writes `data` in 4 KiB pieces with backpressure, then ends; stops early if the socket dies. */
async function writeAll (s: IrSocket, data: Buffer): Promise<void> {
  for (let off = 0; off < data.length && !s.destroyed; off += 4096) {
    if (!s.write(data.subarray(off, off + 4096))) await drained(s)
  }
  if (!s.destroyed) s.end()
}

export async function runSoak (opts: SoakOptions): Promise<SoakReport> {
  const seed = opts.seed ?? 1
  const bps = opts.bps ?? 115200
  const { room, client, server } = setup(seed, bps)
  const data = soakData(opts.bytes, seed)
  const faults: FaultConfig = {}
  if (opts.ber !== undefined) faults.ber = opts.ber
  if (opts.burst !== undefined) faults.burst = opts.burst
  room.faults(faults)
  const hash = createHash('sha256')
  let received = 0
  const errors: string[] = []
  const serverDone = new Promise<void>(resolve => {
    createServer(server, s => {
      s.on('data', (chunk: Buffer) => { hash.update(chunk); received += chunk.length })
      s.on('error', (e: Error & { code?: string }) => { errors.push(`server: ${e.code ?? e.message}`); resolve() })
      s.on('end', () => { resolve() })
    }).listen({ service: 'Soak' })
  })
  const wallStart = performance.now()
  const c = connect(client, { service: 'Soak', deviceAddress: server.deviceAddress })
  c.on('error', (e: Error & { code?: string }) => { errors.push(`client: ${e.code ?? e.message}`) })
  let t0 = 0
  let obstructedFrom: number | undefined
  await room.run((async () => {
    await once(c, 'connect')
    t0 = room.clock.now()
    if (opts.obstruction !== undefined) {
      obstructedFrom = t0 + opts.obstruction.afterMs
      room.faults({ ...faults, obstructions: [{ from: obstructedFrom, to: obstructedFrom + opts.obstruction.durationMs }] })
    }
    await writeAll(c, data)
    await serverDone
  })())
  const seconds = (room.clock.now() - t0) / 1000
  const link = client.station.link
  const stats = client.stats()
  const sstats = server.stats()
  const report: SoakReport = {
    bytes: opts.bytes,
    receivedBytes: received,
    sentSha256: createHash('sha256').update(data).digest('hex'),
    receivedSha256: hash.digest('hex'),
    errors,
    baudRate: link?.baudRate ?? 0,
    linkDisconnectMs: link?.linkDisconnectMs ?? 0,
    virtualSeconds: Math.round(seconds * 1000) / 1000,
    wallSeconds: Math.round((performance.now() - wallStart) / 100) / 10,
    goodputBps: Math.round(received * 8 / seconds),
    retransmissions: stats.lap.retransmissions + sstats.lap.retransmissions,
    rxErrors: stats.lap.rxErrors + sstats.lap.rxErrors,
    noReply: stats.lap.noReply + sstats.lap.noReply,
  }
  if (obstructedFrom !== undefined) report.obstructedFrom = obstructedFrom
  await room.run((async () => { c.destroy(); await client.close(); await server.close() })())
  await room.close()
  return report
}

/**
 * Sends `bytes` and blocks the beam for good `afterMs` into the transfer: both sockets must
 * fail (the link-disconnect timer), and what the server got must be exactly a prefix.
 */
export async function runLinkLoss (opts: { bytes: number, afterMs: number, seed?: number, bps?: number, linkDisconnectMs?: number }): Promise<LinkLossReport> {
  const seed = opts.seed ?? 1
  const { room, client, server } = setup(seed, opts.bps ?? 115200, opts.linkDisconnectMs)
  const data = soakData(opts.bytes, seed)
  const parts: Buffer[] = []
  let from = 0
  const failure = (s: IrSocket): Promise<{ code: string, afterMs: number }> => new Promise(resolve => {
    s.once('error', (e: Error & { code?: string }) => { resolve({ code: e.code ?? e.message, afterMs: room.clock.now() - from }) })
    s.once('end', () => { resolve({ code: 'orderly end', afterMs: room.clock.now() - from }) })
  })
  let serverFailed: Promise<{ code: string, afterMs: number }> | undefined
  const accepted = new Promise<void>(resolve => {
    createServer(server, s => {
      s.on('data', (chunk: Buffer) => { parts.push(chunk) })
      serverFailed = failure(s)
      resolve()
    }).listen({ service: 'Soak' })
  })
  const c = connect(client, { service: 'Soak', deviceAddress: server.deviceAddress })
  const clientFailed = failure(c)
  let lastLink = { baudRate: 0, linkDisconnectMs: 0, maxTurnaroundMs: 0 }
  const [clientResult, serverResult] = await room.run((async () => {
    await once(c, 'connect')
    await accepted
    lastLink = { ...(client.station.link as NonNullable<typeof client.station.link>) }
    from = room.clock.now() + opts.afterMs
    room.faults({ obstructions: [{ from, to: from + 3_600_000 }] })
    void writeAll(c, data)
    return await Promise.all([clientFailed, serverFailed as Promise<{ code: string, afterMs: number }>])
  })())
  const got = Buffer.concat(parts)
  const report: LinkLossReport = {
    bytes: opts.bytes,
    receivedBytes: got.length,
    exactPrefix: got.equals(data.subarray(0, got.length)),
    baudRate: lastLink.baudRate,
    linkDisconnectMs: lastLink.linkDisconnectMs,
    pollMs: lastLink.maxTurnaroundMs,
    client: clientResult,
    server: serverResult,
  }
  await room.run((async () => { await client.close(); await server.close() })())
  await room.close()
  return report
}
