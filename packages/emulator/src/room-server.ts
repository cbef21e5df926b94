/*!
 * A room served over a local (Unix) socket, so stacks in separate processes share one medium.
 *
 * The server owns the {@link Medium} and a {@link RealClock}: its clock is the only one that
 * decides when a transmission starts (when the `transmit` line arrives), how long it is on air,
 * and what overlaps what. Each station connection carries the messages an in-process
 * {@link EmulatedPort} would post to its room (see `room-wire.ts` for the lines); watchers get
 * every transmission's record, as a {@link Room.tap} would.
 *
 * Receivers decode their bytes in their own process, so the server works out the tap's
 * `result` (good, bad, undetected) by decoding each receiver's bytes with its own unwrapper at
 * that receiver's speed: the same bytes through the same decoder.
 */
import { existsSync, lstatSync, unlinkSync } from 'node:fs'
import { dirname } from 'node:path'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { LinkError, LocalProtocolError, RealClock } from '@irdakit/core'
import { createUnwrapper, type FrameUnwrapper } from '@irdakit/phy'
import { startCapture, type CaptureOptions, type RoomCapture } from './capture.js'
import type { FaultConfig } from './faults.js'
import { Medium } from './medium.js'
import { MediumTimer } from './medium-timer.js'
import type { MediumOutput, StationMessage, TransmissionSummary } from './messages.js'
import type { ReceiveResult, TapListener, TapReception, TapRecord } from './room.js'
import {
  encodeLine, LineReader, parseHello, parseStationMessage, ROOM_PROTOCOL, ROOM_PROTOCOL_VERSION,
} from './room-wire.js'

/** Options for {@link serveRoom}. */
export interface ServeRoomOptions {
  /** The Unix socket path to listen on. A stale socket file left by a dead server is replaced. */
  path: string
  /** Seed for the medium's random choices (faults, noise). Default 1. */
  seed?: number
  /** Faults from the start (see `room.faults`). */
  faults?: FaultConfig
  /** Joins, leaves, watchers and dropped input, as they happen (for a log). */
  onEvent?: (event: RoomServerEvent) => void
  /** How long (ms) a new connection may take to say hello before it is dropped. Default 5000. */
  helloTimeoutMs?: number
}

export type RoomServerEvent =
  | { type: 'join', station: string, at: number }
  | { type: 'leave', station: string, at: number }
  | { type: 'watch', at: number }
  | { type: 'unwatch', at: number }
  /** A line (or a connection) the server could not use; it was dropped and counted. */
  | { type: 'bad-input', station?: string, reason: string, at: number }

export interface RoomServerStats {
  /** Distinct station names that attached since the server started. */
  stationsSeen: number
  /** Transmissions that finished on the medium. */
  frames: number
  /** Lines and connections dropped as malformed, unexpected or refused. */
  badInput: number
  /** Connections accepted (stations, watchers and strangers). */
  connections: number
}

interface Connection {
  socket: Socket
  role?: 'station' | 'watch'
  station?: string
  attached: boolean
  helloTimer?: ReturnType<typeof setTimeout>
}

/** sun_path holds 108 bytes on Linux, the last for the terminating NUL. */
const MAX_SOCKET_PATH = 107

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** A served room. Create it with {@link serveRoom}. */
export class RoomServer {
  /** The medium's clock (real time): transmissions are stamped with it. */
  readonly clock = new RealClock()
  private readonly medium: Medium
  private readonly connections = new Set<Connection>()
  private readonly byStation = new Map<string, Connection>()
  /** Per attached station, a decoder for what its receiver got (tap results). */
  private readonly shadows = new Map<string, FrameUnwrapper>()
  /** Frames each receiver's decoder made of a transmission, until its summary is reported. */
  private readonly decoded = new Map<string, Uint8Array[]>()
  private readonly seen = new Set<string>()
  private readonly taps = new Set<TapListener>()
  private readonly captures = new Set<RoomCapture>()
  private readonly counters = { frames: 0, badInput: 0, connections: 0 }
  private readonly timer: MediumTimer
  private firstStation: string | undefined
  private closing: Promise<void> | undefined

  /** @internal Use {@link serveRoom}. */
  constructor (readonly address: string, private readonly server: Server, private readonly opts: ServeRoomOptions) {
    this.medium = new Medium(opts.seed ?? 1)
    this.timer = new MediumTimer(this.medium, this.clock, out => { this.dispatch(out) })
    if (opts.faults !== undefined) this.medium.setFaults(opts.faults)
    server.on('connection', s => { this.accept(s) })
  }

  /** Names of the stations attached now, in the order they attached. */
  stations (): string[] { return this.medium.stationNames }

  stats (): RoomServerStats { return { stationsSeen: this.seen.size, ...this.counters } }

  /** The first station that attached: captures see its frames as outgoing. */
  get defaultPerspective (): string | undefined { return this.firstStation }

  /** Replaces the room's faults, as `room.faults` does. */
  faults (config: FaultConfig): void { this.medium.setFaults(config) }

  /** Reports every finished transmission, with each receiver's result. Returns an unsubscribe function. */
  tap (listener: TapListener): () => void {
    this.taps.add(listener)
    return () => { this.taps.delete(listener) }
  }

  /** Records every frame on the medium to pcap (link type 144), as `room.capture` does. */
  capture (path: string, opts: CaptureOptions = {}): RoomCapture {
    const cap = startCapture(this, path, opts, () => { this.captures.delete(cap) })
    this.captures.add(cap)
    return cap
  }

  /** Stops listening, disconnects every station and watcher, closes captures. Idempotent. */
  async close (): Promise<void> {
    this.closing ??= (async () => {
      this.timer.stop()
      const stopped = new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
      for (const c of [...this.connections]) c.socket.destroy()
      await stopped
      for (const cap of [...this.captures]) cap.close()
    })()
    await this.closing
  }

  private event (e: RoomServerEvent): void { this.opts.onEvent?.(e) }

  private accept (socket: Socket): void {
    const conn: Connection = { socket, attached: false }
    this.counters.connections++
    this.connections.add(conn)
    socket.setEncoding('utf8')
    const reader = new LineReader(line => { this.onLine(conn, line) }, () => {
      this.bad(conn, 'a line longer than 1 MiB: not a room client')
      socket.destroy()
    })
    socket.on('data', (chunk: string) => { reader.push(chunk) })
    socket.on('error', () => { /* 'close' follows and detaches */ })
    socket.on('close', () => { this.drop(conn) })
    conn.helloTimer = setTimeout(() => { this.refuse(conn, 'no hello in time') }, this.opts.helloTimeoutMs ?? 5000)
  }

  private onLine (conn: Connection, line: string): void {
    if (conn.role === undefined) { this.hello(conn, line); return }
    if (conn.role === 'watch') { this.bad(conn, 'watchers send nothing after hello'); return }
    const parsed = parseStationMessage(line)
    if (!parsed.ok) { this.bad(conn, parsed.error); return }
    const msg = parsed.value
    if (msg.station !== conn.station) { this.bad(conn, `a message for station ${msg.station} on ${conn.station ?? '?'}'s connection`); return }
    if ((msg.type === 'attach') === conn.attached) { this.bad(conn, conn.attached ? 'attach twice' : `${msg.type} before attach`); return }
    try {
      this.medium.handle(msg, this.clock.now())
    } catch (e) {
      if (!(e instanceof LocalProtocolError)) throw e
      this.bad(conn, e.message)
      return
    }
    this.track(conn, msg)
    this.timer.arm()
  }

  private hello (conn: Connection, line: string): void {
    clearTimeout(conn.helloTimer)
    const parsed = parseHello(line)
    if (!parsed.ok) { this.refuse(conn, parsed.error); return }
    const h = parsed.value
    if (h.version !== ROOM_PROTOCOL_VERSION) { this.refuse(conn, `protocol version ${h.version} is not supported (this server speaks ${ROOM_PROTOCOL_VERSION})`); return }
    if (h.role === 'station') {
      if (this.byStation.has(h.station)) { this.refuse(conn, `a station named ${h.station} is already in the room`); return }
      conn.station = h.station
      this.byStation.set(h.station, conn)
    } else {
      this.event({ type: 'watch', at: this.clock.now() })
    }
    conn.role = h.role
    const now = this.clock.now()
    this.write(conn, { type: 'welcome', protocol: ROOM_PROTOCOL, version: ROOM_PROTOCOL_VERSION, now, epochMs: Date.now() - now, stations: this.stations() })
  }

  /** Keeps the per-station bookkeeping in step with what the medium accepted. */
  private track (conn: Connection, msg: StationMessage): void {
    const now = this.clock.now()
    switch (msg.type) {
      case 'attach':
        conn.attached = true
        this.seen.add(msg.station)
        this.firstStation ??= msg.station
        this.shadows.set(msg.station, createUnwrapper(msg.speed))
        this.event({ type: 'join', station: msg.station, at: now })
        return
      case 'speed':
        this.shadows.set(msg.station, createUnwrapper(msg.speed))
        return
      case 'detach':
        conn.attached = false
        this.shadows.delete(msg.station)
        this.event({ type: 'leave', station: msg.station, at: now })
    }
  }

  private refuse (conn: Connection, reason: string): void {
    this.bad(conn, `refused: ${reason}`)
    this.write(conn, { type: 'refused', protocol: ROOM_PROTOCOL, version: ROOM_PROTOCOL_VERSION, reason })
    conn.socket.end()
  }

  private bad (conn: Connection, reason: string): void {
    this.counters.badInput++
    this.event({ type: 'bad-input', ...(conn.station !== undefined ? { station: conn.station } : {}), reason, at: this.clock.now() })
  }

  /** A connection ended: its station leaves the room (its transmission on air still completes). */
  private drop (conn: Connection): void {
    clearTimeout(conn.helloTimer)
    if (!this.connections.delete(conn)) return
    if (conn.station !== undefined) {
      this.byStation.delete(conn.station)
      if (conn.attached) {
        const msg: StationMessage = { type: 'detach', station: conn.station }
        this.medium.handle(msg, this.clock.now())
        this.track(conn, msg)
        this.timer.arm()
      }
    }
    if (conn.role === 'watch') this.event({ type: 'unwatch', at: this.clock.now() })
  }

  private write (conn: Connection, msg: object): void {
    if (!conn.socket.destroyed && conn.socket.writable) conn.socket.write(encodeLine(msg))
  }

  private dispatch (out: MediumOutput): void {
    if (out.type === 'summary') { this.report(out.summary); return }
    const conn = this.byStation.get(out.station)
    if (conn === undefined || !conn.attached) return
    if (out.type === 'receive') this.judge(out.station, out.txId, out.bytes)
    this.write(conn, out)
  }

  /** Decodes a receiver's bytes as its port will, to tell taps whether the frame got through. */
  private judge (station: string, txId: number, bytes: Uint8Array): void {
    const unwrapper = this.shadows.get(station)
    if (unwrapper === undefined) return
    this.decoded.set(`${txId}/${station}`, unwrapper.push(bytes).flatMap(e => e.type === 'frame' ? [e.frame] : []))
  }

  private report (summary: TransmissionSummary): void {
    this.counters.frames++
    const receptions = summary.receptions.map((r): TapReception => {
      const key = `${summary.id}/${r.station}`
      const frames = this.decoded.get(key) ?? []
      this.decoded.delete(key)
      let result: ReceiveResult = 'missed'
      if (r.heard) result = frames.some(f => sameBytes(f, summary.frame)) ? 'good' : frames.length > 0 ? 'undetected' : 'bad'
      return { ...r, result }
    })
    const record: TapRecord = { ...summary, receptions }
    for (const l of [...this.taps]) l(record)
    for (const conn of this.connections) if (conn.role === 'watch') this.write(conn, { type: 'summary', record })
  }
}

/**
 * Serves a new real-time room on the Unix socket `opts.path`. Rejects with a {@link LinkError}
 * when the path is in use by a live room, is not a socket, or cannot be created.
 */
export async function serveRoom (opts: ServeRoomOptions): Promise<RoomServer> {
  const cannot = (why: string): LinkError => new LinkError(`cannot serve a room at ${opts.path}: ${why}`)
  // What the kernel would say less clearly (EACCES for a missing directory, or a silent truncation).
  if (Buffer.byteLength(opts.path) > MAX_SOCKET_PATH) throw cannot(`longer than the ${MAX_SOCKET_PATH} bytes a Unix socket path may have`)
  if (!existsSync(dirname(opts.path))) throw cannot(`no directory ${dirname(opts.path)}`)
  const server = createServer()
  const room = new RoomServer(opts.path, server, opts)
  try {
    await listen(server, opts.path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'EADDRINUSE') throw new LinkError(`cannot serve a room at ${opts.path}: ${code ?? (e as Error).message}`, { cause: e })
    if (await answers(opts.path)) throw new LinkError(`a room is already served at ${opts.path}`, { cause: e })
    if (!isSocket(opts.path)) throw new LinkError(`cannot serve a room at ${opts.path}: the path exists and is not a socket`, { cause: e })
    // A socket file left behind by a server that died: nobody answers it, take it over.
    unlinkSync(opts.path)
    await listen(server, opts.path)
  }
  return room
}

async function listen (server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => { server.off('error', reject); resolve() })
  })
}

async function answers (path: string): Promise<boolean> {
  return await new Promise<boolean>(resolve => {
    const s = createConnection(path)
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => { resolve(false) })
  })
}

function isSocket (path: string): boolean {
  try { return lstatSync(path).isSocket() } catch { return false }
}
