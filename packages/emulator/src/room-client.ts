/*!
 * The client side of a served room: {@link connectRoom} gives a {@link Port} whose medium is a
 * {@link RoomServer} in another process, {@link watchRoom} a live tap on it.
 *
 * The port is an {@link EmulatedPort} on this process's {@link RealClock} whose
 * {@link MediumLink} writes lines to the socket; the server's answers are handed to it as they
 * arrive, stamped with the local clock at arrival (the two processes' clocks share no origin,
 * and the server stamped them a socket latency earlier). So pacing, minimum turnaround and
 * speed changes behave exactly as in a local room, while what happens on the air is decided by
 * the server alone.
 */
import { createConnection, type Socket } from 'node:net'
import { LinkError, RealClock, type Port, type PortListener, type PortQos, type PortStats, type SendOptions } from '@irdakit/core'
import { EmulatedPort, type EmulatedPortOptions } from './port.js'
import type { TapRecord } from './room.js'
import type { StationMessage } from './messages.js'
import {
  encodeLine, LineReader, parseGreeting, parseMediumMessage, parseSummaryLine, ROOM_PROTOCOL, ROOM_PROTOCOL_VERSION, type Welcome,
} from './room-wire.js'

/** Options for {@link connectRoom}. */
export interface ConnectRoomOptions extends Omit<EmulatedPortOptions, 'speed'> {
  /** The station's name in the room (unique there). */
  name: string
  /** How long (ms) to wait for the server's welcome. Default 5000. */
  timeoutMs?: number
}

/** A port on a served room. `closed` events carry a {@link LinkError} when the server went away. */
export interface RoomPort extends Port {
  /** The socket path of the room. */
  readonly address: string
  /** Lines from the server that did not decode and were dropped. */
  readonly badInput: number
  close(): Promise<void>
}

/** What {@link watchRoom} gets from the server for every finished transmission. */
export type RoomWatchListener = (record: TapRecord) => void

/** A live tap on a served room. */
export interface RoomWatch {
  readonly address: string
  /** Wall time (ms since 1970) that the room clock's 0 stands for: record times + epochMs = wall time. */
  readonly epochMs: number
  /** Stations in the room when the watch began. */
  readonly stations: string[]
  /** Settles when the watch ends: undefined after {@link RoomWatch.close}, a LinkError if the server went away. */
  readonly ended: Promise<LinkError | undefined>
  close(): Promise<void>
}

interface Session {
  socket: Socket
  welcome: Welcome
  /** Lines that came after the welcome before anyone took them. */
  early: string[]
  onLine: (line: string) => void
}

/** Hands the session's lines, the early ones first, to `onLine`. */
function take (session: Session, onLine: (line: string) => void): void {
  session.onLine = onLine
  for (const line of session.early.splice(0)) onLine(line)
}

/** Connects, says hello, waits for the welcome. Rejects with a one-line {@link LinkError}. */
async function open (address: string, hello: object, timeoutMs: number): Promise<Session> {
  return await new Promise<Session>((resolve, reject) => {
    const socket = createConnection(address)
    socket.setEncoding('utf8')
    let session: Session | undefined
    const fail = (why: string, cause?: unknown): void => {
      clearTimeout(timer)
      socket.destroy()
      reject(new LinkError(`room ${address}: ${why}`, { cause }))
    }
    const timer = setTimeout(() => { fail('no answer from the server') }, timeoutMs)
    const reader = new LineReader(line => {
      if (session !== undefined) { session.onLine(line); return }
      const g = parseGreeting(line)
      if (!g.ok) { fail(`not a room server (${g.error})`); return }
      if (g.value.type === 'refused') { fail(g.value.reason); return }
      if (g.value.version !== ROOM_PROTOCOL_VERSION) { fail(`the server speaks protocol version ${g.value.version}, this client ${ROOM_PROTOCOL_VERSION}`); return }
      clearTimeout(timer)
      const early: string[] = []
      session = { socket, welcome: g.value, early, onLine: l => { early.push(l) } }
      resolve(session)
    }, () => { fail('a line longer than 1 MiB: not a room server') })
    socket.on('data', (chunk: string) => { reader.push(chunk) })
    socket.once('connect', () => { socket.write(encodeLine({ type: 'hello', protocol: ROOM_PROTOCOL, version: ROOM_PROTOCOL_VERSION, ...hello })) })
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (session === undefined) fail(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? `no room is served there (${e.code})` : (e.code ?? e.message), e)
    })
    socket.once('close', () => { if (session === undefined) fail('the server closed the connection') })
  })
}

/** A {@link Port} on the room served at `address` (a Unix socket path), on a {@link RealClock}. */
export async function connectRoom (address: string, opts: ConnectRoomOptions): Promise<RoomPort> {
  const session = await open(address, { role: 'station', station: opts.name }, opts.timeoutMs ?? 5000)
  return new SocketPort(address, session, opts)
}

/** Watches the room served at `address`: `listener` gets every finished transmission, with each receiver's result. */
export async function watchRoom (address: string, listener: RoomWatchListener, opts: { timeoutMs?: number } = {}): Promise<RoomWatch> {
  const session = await open(address, { role: 'watch' }, opts.timeoutMs ?? 5000)
  const { socket, welcome } = session
  let closing = false
  const ended = new Promise<LinkError | undefined>(resolve => {
    socket.on('error', () => {})
    socket.once('close', () => { resolve(closing ? undefined : new LinkError(`room ${address}: the server went away`)) })
  })
  take(session, line => {
    const rec = parseSummaryLine(line)
    if (rec.ok) listener(rec.value)
  })
  return {
    address,
    epochMs: welcome.epochMs,
    stations: welcome.stations,
    ended,
    close: async () => {
      closing = true
      socket.end()
      await ended
    },
  }
}

/** An EmulatedPort whose medium is across a socket; reports the server's loss as a LinkError. */
class SocketPort implements RoomPort {
  readonly clock = new RealClock()
  private readonly inner: EmulatedPort
  private failure: LinkError | undefined
  private dropped = 0
  private readonly gone: Promise<void>

  constructor (readonly address: string, private readonly session: Session, opts: ConnectRoomOptions) {
    const { socket } = session
    const link = { post: (msg: StationMessage) => { if (socket.writable) socket.write(encodeLine(msg)) } }
    const { name: _name, timeoutMs: _timeout, ...portOpts } = opts
    this.inner = new EmulatedPort(opts.name, this.clock, link, portOpts)
    take(session, line => {
      const m = parseMediumMessage(line)
      if (!m.ok || m.value.station !== this.inner.name) { this.dropped++; return }
      this.inner.deliver({ ...m.value, at: this.clock.now() })
    })
    socket.on('error', () => { /* 'close' follows */ })
    this.gone = new Promise(resolve => {
      socket.once('close', () => {
        if (!this.inner.isClosed) {
          this.failure = new LinkError(`room ${address}: the server went away`)
          void this.inner.close()
        }
        resolve()
      })
    })
  }

  get name (): string { return this.inner.name }
  get speed (): number { return this.inner.speed }
  get supportedSpeeds (): readonly number[] { return this.inner.supportedSpeeds }
  get qos (): PortQos { return this.inner.qos }
  get mediaBusy (): boolean { return this.inner.mediaBusy }
  get stats (): PortStats { return this.inner.stats }
  get badInput (): number { return this.dropped }

  listen (listener: PortListener): () => void {
    return this.inner.listen(ev => {
      listener(ev.type === 'closed' && this.failure !== undefined ? { ...ev, error: this.failure } : ev)
    })
  }

  send (frame: Uint8Array, opts?: SendOptions): void { this.inner.send(frame, opts) }
  async setSpeed (bps: number): Promise<void> { await this.inner.setSpeed(bps) }
  setMinTurnaround (ms: number): void { this.inner.setMinTurnaround(ms) }

  /** Leaves the room (the server detaches the station) and closes the socket. */
  async close (): Promise<void> {
    if (!this.inner.isClosed) await this.inner.close()
    this.session.socket.end()
    await this.gone
  }
}
