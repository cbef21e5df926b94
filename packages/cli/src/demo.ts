/*!
 * The main job, as functions with no output of their own. {@link runDemo}: two stations in an
 * emulated IR room find each other; the dive computer runs an IrSock server, an IrCOMM echo; the
 * laptop looks it up in IAS, connects over TinyTP, sends a block of data and gets it back. Every
 * frame on the medium is reported decoded to `onFrame` and, if asked, written to a pcap. `irda
 * demo` prints what this reports. The same echo server ({@link listenEcho}) and the same echo
 * routine ({@link echo}) run the demo on a dongle or in a served room (`demo-link.ts`).
 *
 * The service is `IrDA:IrCOMM` with 9-wire framing, as real devices offer it, rather than a
 * made-up class: Wireshark learns TinyTP selectors only from IAS answers for classes it knows,
 * so only then does a capture of the demo show TinyTP and IrCOMM in Wireshark too.
 */
import { once } from 'node:events'
import { Room, type TapRecord } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import type { Clock } from '@irdakit/core'
import { connect, createServer, type IrServer, type IrSocket } from '@irdakit/irsock'
import { DecodeSession, decodeFrame, type FrameDescription } from '@irdakit/capture'
import { SPEEDS } from '@irdakit/phy'
import { oneLine } from './output.js'
import { lostOnTheWay } from './lost.js'
import { idealScheduleMs, lineBytesPerSecond, type AirFrame } from './ideal-schedule.js'

export const DEMO_INITIATOR = 'laptop'
export const DEMO_RESPONDER = 'divecomputer'
export const DEMO_RESPONDER_NICKNAME = 'Aladin Smart'
export const DEMO_SERVICE_CLASS = 'IrDA:IrCOMM'
export const DEMO_SERVICE_ATTRIBUTE = 'IrDA:TinyTP:LsapSel'

export interface DemoOptions {
  /** Top speed both stations offer (bit/s, one of SPEEDS). Default 4000000. */
  speed?: number
  /** Bit error rate on the medium. Default 0. */
  ber?: number
  /** The bytes to echo. */
  data: Uint8Array
  /** Write the medium to this pcap (LINKTYPE_LINUX_IRDA, seen from the initiator). */
  pcap?: string
  /** 'virtual' (instant, deterministic; default) or 'real' (wall-clock time). */
  time?: 'virtual' | 'real'
  /** Seeds the room (faults) and both stacks. Default 1. */
  seed?: number
  /** Called for every finished transmission, in order. */
  onFrame?: (frame: TraceFrame) => void
  /** Called as echoed bytes come back. */
  onProgress?: (echoed: number, total: number) => void
  /** Stops the demo (^C): it then rejects with {@link DemoStopped}, the capture closed. */
  signal?: AbortSignal
}

/** The demo was stopped before it finished: how far it got. */
export class DemoStopped extends Error {
  static override name = 'DemoStopped'
  constructor (readonly reason: string, readonly partial: { frames: number, lostFrames: number, echoed: number, bytes: number, ms: number, pcap?: string }) {
    super(`the demo did not finish: stopped by ${reason}`)
    this.name = 'DemoStopped'
  }
}

/** One frame on the medium, decoded. */
export interface TraceFrame {
  /** End of its airtime, ms on the room clock. */
  timeMs: number
  sender: string
  /** 'out' when the initiator sent it, 'in' otherwise. */
  direction: 'in' | 'out'
  speed: number
  /** True when some station in range did not receive it intact (known in the emulated room only). */
  lost?: boolean
  decoded: FrameDescription
  frame: Uint8Array
}

export interface DemoResult {
  peer: { nickname: string, deviceAddress: number }
  /** The echo service's selector, from IAS. */
  lsap: number
  bytes: number
  /** Link time from the first write to the last echoed byte. */
  ms: number
  identical: boolean
  /** The line rate: the top speed in the emulated room, the negotiated one on a port or in a served room. */
  speed: number
  /** Payload bits per second, both directions together (IrDA is half duplex: they share the line). */
  throughputBps: number
  /** Payload bytes per second (both ways) over the line's byte rate: speed/10 for SIR, speed/8 for MIR and FIR. */
  efficiency: number
  /** Emulated room only: the ideal schedule of the echo on the negotiated link (ms; see ideal-schedule.ts). */
  idealMs?: number
  /** Emulated room only: idealMs / ms, how close the echo came to the ideal schedule. */
  ofIdeal?: number
  retransmissions: number
  rxErrors: number
  /** Frames some station did not receive intact (emulated room only). */
  lostFrames?: number
  frames: number
  pcap?: string
}

/** Deterministic filler bytes, the same for every run. */
export function demoBytes (n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xFF)
}

export async function runDemo (opts: DemoOptions): Promise<DemoResult> {
  const speed = opts.speed ?? 4_000_000
  if (!SPEEDS.includes(speed as never)) throw new RangeError(`speed must be one of ${SPEEDS.join(', ')}`)
  const speeds = SPEEDS.filter(s => s <= speed)
  const seed = opts.seed ?? 1
  const room = new Room({ time: opts.time ?? 'virtual', seed })
  const pc = IrdaStack.create({ port: room.port(DEMO_INITIATOR, { supportedSpeeds: speeds }), nickname: 'laptop', hints: [0x84, 0x04], seed: seed * 10 })
  const dive = IrdaStack.create({ port: room.port(DEMO_RESPONDER, { supportedSpeeds: speeds }), nickname: DEMO_RESPONDER_NICKNAME, hints: [0x01], seed: seed * 10 + 1 })
  if ((opts.ber ?? 0) > 0) room.faults({ ber: opts.ber ?? 0 })

  const capture = opts.pcap !== undefined ? room.capture(opts.pcap, { perspective: DEMO_INITIATOR }) : undefined
  const session = new DecodeSession()
  let frames = 0
  let lostFrames = 0
  const air: AirFrame[] = []
  room.tap((rec: TapRecord) => {
    frames++
    air.push({ sender: rec.sender, start: rec.start, end: rec.end, frame: rec.frame })
    const lost = lostOnTheWay(rec.receptions)
    if (lost) lostFrames++
    opts.onFrame?.({
      timeMs: rec.end,
      sender: rec.sender,
      direction: rec.sender === DEMO_INITIATOR ? 'out' : 'in',
      speed: rec.speed,
      lost,
      decoded: decodeFrame(rec.frame, session),
      frame: rec.frame,
    })
  })

  let echoedSoFar = 0

  // The "dive computer" runs an IrSock server: bound in its IAS, it echoes whatever comes.
  listenEcho(dive)

  async function main (): Promise<Omit<DemoResult, 'frames' | 'lostFrames'>> {
    let target
    for (let attempt = 0; attempt < 3 && target === undefined; attempt++) {
      const devices = await pc.discover()
      target = devices.find(d => d.nickname === DEMO_RESPONDER_NICKNAME)
    }
    if (target === undefined) throw new Error('the dive computer did not answer discovery')
    // IrSock's connect asks the device's IAS for the class's selector, then opens TinyTP.
    const sock = connect(pc, { service: DEMO_SERVICE_CLASS, deviceAddress: target.deviceAddress, nineWire: true })
    sock.on('error', () => {}) // reported by once() and echo(); also when ^C closes the room under it
    await once(sock, 'connect')
    const t0 = room.clock.now()
    const { ms, identical } = await echo(sock, opts.data, room.clock, (got, total) => { echoedSoFar = got; opts.onProgress?.(got, total) })
    const lsap = sock.remoteLsap ?? 0
    // The negotiated link, read while it is up: its speed and each side's minimum turnaround.
    const mtt = new Map([[DEMO_INITIATOR, pc.station.link?.txMinTurnaroundMs ?? 0], [DEMO_RESPONDER, dive.station.link?.txMinTurnaroundMs ?? 0]])
    const linkSpeed = pc.station.link?.baudRate ?? speed
    const idealMs = idealScheduleMs(air, t0, t0 + ms, sender => mtt.get(sender) ?? 0)
    sock.end()
    await once(sock, 'close')
    await pc.close()
    await dive.close()
    const link = pc.station.stats
    return {
      peer: { nickname: target.nickname, deviceAddress: target.deviceAddress },
      lsap,
      bytes: opts.data.length,
      ms,
      identical,
      ...throughput(opts.data.length, ms, linkSpeed),
      idealMs: Number(idealMs.toFixed(3)),
      ofIdeal: ms > 0 ? idealMs / ms : 0,
      retransmissions: link.retransmissions,
      rxErrors: link.rxErrors + dive.station.stats.rxErrors,
      ...(opts.pcap !== undefined ? { pcap: opts.pcap } : {}),
    }
  }

  const started = room.clock.now()
  const stopped = new Promise<never>((_resolve, reject) => {
    const stop = (): void => {
      const ms = room.clock.now() - started
      reject(new DemoStopped(String(opts.signal?.reason ?? 'abort'), { frames, lostFrames, echoed: echoedSoFar, bytes: opts.data.length, ms, ...(opts.pcap !== undefined ? { pcap: opts.pcap } : {}) }))
    }
    if (opts.signal?.aborted === true) stop()
    else opts.signal?.addEventListener('abort', stop, { once: true })
  })
  const work = main()
  work.catch(() => {}) // once stopped, whatever main() still does is dropped with the room
  try {
    const r = await room.run(Promise.race([work, stopped]))
    return { ...r, frames, lostFrames }
  } catch (e) {
    // Stopped: both stacks close at once (no waiting for the link to go down), so no timer of theirs keeps the process alive.
    if (e instanceof DemoStopped) {
      await room.run(Promise.allSettled([pc.close(0), dive.close(0)])).catch(() => {})
      Object.assign(e.partial, { frames, lostFrames }) // the trace and the pcap hold these too
    }
    throw e
  } finally {
    capture?.close()
    await room.close()
  }
}

/** One connection the echo server served, reported when it has closed. */
export interface EchoSession {
  deviceAddress: number | undefined
  /** Bytes received (and so echoed). */
  bytes: number
  /** Why the connection ended abnormally (reset, link lost), if it did. */
  error?: string
}

/**
 * The dive computer's side: an IrSock server bound as `IrDA:IrCOMM` (9-wire framing) in the
 * stack's IAS that sends back whatever comes. `onSession` hears of each connection once it closed.
 */
export function listenEcho (stack: IrdaStack, onSession?: (s: EchoSession) => void): IrServer {
  const server = createServer(stack, { nineWire: true }, s => {
    s.pipe(s)
    s.on('error', () => {}) // a lost or reset connection ends that session only
    if (onSession === undefined) return
    let bytes = 0
    let error: string | undefined
    s.on('data', (chunk: Buffer) => { bytes += chunk.length })
    s.on('error', (e: Error) => { error = oneLine(e) })
    s.once('close', () => { onSession({ deviceAddress: s.deviceAddress, bytes, ...(error !== undefined ? { error } : {}) }) })
  })
  return server.listen({ service: DEMO_SERVICE_CLASS })
}

/** Sends `data` on a connected socket and reads it back: link time (on `clock`) and whether it came back identical. */
export async function echo (sock: IrSocket, data: Uint8Array, clock: Clock, onProgress?: (echoed: number, total: number) => void): Promise<{ ms: number, identical: boolean }> {
  const t0 = clock.now()
  sock.write(data)
  onProgress?.(0, data.length)
  const back = await echoed(sock, data.length, got => onProgress?.(got, data.length))
  const ms = clock.now() - t0
  return { ms, identical: Buffer.compare(back, Buffer.from(data.buffer, data.byteOffset, data.byteLength)) === 0 }
}

/**
 * Payload bits per second of an echo (both directions share the half-duplex line) and its share
 * of what the line can carry: bytes a second against the line's byte rate (SIR: speed/10).
 */
export function throughput (bytes: number, ms: number, speed: number): { speed: number, throughputBps: number, efficiency: number } {
  const throughputBps = ms > 0 ? 2 * bytes * 8 / (ms / 1000) : 0
  return { speed, throughputBps, efficiency: throughputBps / 8 / lineBytesPerSecond(speed) }
}

/** Reads `n` bytes from `sock`, reporting progress; rejects if the connection ends first. */
async function echoed (sock: IrSocket, n: number, progress: (got: number) => void): Promise<Buffer> {
  const parts: Buffer[] = []
  let got = 0
  return await new Promise<Buffer>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      parts.push(chunk)
      got += chunk.length
      progress(got)
      if (got >= n) { done(); resolve(Buffer.concat(parts)) }
    }
    const onEnd = (err?: Error): void => { done(); reject(new Error(`the connection closed after ${got} of ${n} bytes${err !== undefined ? `: ${err.message}` : ''}`)) }
    const onClose = (): void => { onEnd() }
    const done = (): void => { sock.off('data', onData); sock.off('error', onEnd); sock.off('close', onClose); sock.pause() }
    sock.on('data', onData)
    sock.once('error', onEnd)
    sock.once('close', onClose)
  })
}
