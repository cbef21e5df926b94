/*!
 * The main job, as a function with no output of its own: two stations in an emulated IR room
 * find each other, one looks up the other's echo service in IAS, connects over TinyTP, sends a
 * block of data and gets it back. Every frame on the medium is reported decoded to `onFrame`
 * and, if asked, written to a pcap. `irda demo` prints what this reports.
 */
import { Room, type TapRecord } from '@irdakit/emulator'
import { IrdaStack, type TtpSocket } from '@irdakit/stack'
import { DecodeSession, decodeFrame, type FrameDescription } from '@irdakit/capture'
import { SPEEDS } from '@irdakit/phy'

export const DEMO_INITIATOR = 'laptop'
export const DEMO_RESPONDER = 'divecomputer'
export const DEMO_RESPONDER_NICKNAME = 'Aladin Smart'
export const DEMO_SERVICE_CLASS = 'Echo'
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
}

/** One frame on the medium, decoded. */
export interface TraceFrame {
  /** End of its airtime, ms on the room clock. */
  timeMs: number
  sender: string
  /** 'out' when the initiator sent it, 'in' otherwise. */
  direction: 'in' | 'out'
  speed: number
  /** True when some station in range did not receive it intact. */
  lost: boolean
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
  speed: number
  /** Payload bits per second, both directions together (IrDA is half duplex: they share the line). */
  throughputBps: number
  /** throughputBps / speed. */
  efficiency: number
  retransmissions: number
  rxErrors: number
  lostFrames: number
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
  const pc = IrdaStack.create({ port: room.port(DEMO_INITIATOR, { supportedSpeeds: speeds }), nickname: 'laptop', hints: [0x84, 0x04], seed: seed * 10 + 1 })
  const dive = IrdaStack.create({ port: room.port(DEMO_RESPONDER, { supportedSpeeds: speeds }), nickname: DEMO_RESPONDER_NICKNAME, hints: [0x01], seed: seed * 10 + 2 })
  if ((opts.ber ?? 0) > 0) room.faults({ ber: opts.ber ?? 0 })

  const capture = opts.pcap !== undefined ? room.capture(opts.pcap, { perspective: DEMO_INITIATOR }) : undefined
  const session = new DecodeSession()
  let frames = 0
  let lostFrames = 0
  room.tap((rec: TapRecord) => {
    frames++
    const lost = rec.receptions.some(r => r.result !== 'good')
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

  // The "dive computer" offers an echo service, announced in IAS like a real device would.
  const service = dive.ttpListen()
  dive.ias.set(DEMO_SERVICE_CLASS, DEMO_SERVICE_ATTRIBUTE, { type: 'integer', value: service.lsap })
  service.on('connection', (s: TtpSocket) => {
    s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) s.write(c) })
  })

  async function main (): Promise<Omit<DemoResult, 'frames' | 'lostFrames'>> {
    let target
    for (let attempt = 0; attempt < 3 && target === undefined; attempt++) {
      const devices = await pc.discover()
      target = devices.find(d => d.nickname === DEMO_RESPONDER_NICKNAME)
    }
    if (target === undefined) throw new Error('the dive computer did not answer discovery')
    const ias = await pc.iasQuery(target.deviceAddress, DEMO_SERVICE_CLASS, DEMO_SERVICE_ATTRIBUTE)
    const lsap = ias.entries[0]?.value
    if (lsap?.type !== 'integer') throw new Error(`no ${DEMO_SERVICE_CLASS} service in the peer's IAS`)
    const sock = await pc.ttpConnect({ deviceAddress: target.deviceAddress, remoteLsap: lsap.value })
    const data = opts.data
    const t0 = room.clock.now()
    sock.write(data)
    const back: Uint8Array[] = []
    let got = 0
    opts.onProgress?.(0, data.length)
    while (got < data.length) {
      const c = sock.read()
      if (c !== undefined) { back.push(c); got += c.length; opts.onProgress?.(got, data.length); continue }
      await new Promise<void>((resolve, reject) => {
        const onReadable = (): void => { sock.off('close', onClose); resolve() }
        const onClose = (): void => { sock.off('readable', onReadable); reject(new Error(`the connection closed after ${got} of ${data.length} bytes`)) }
        sock.once('readable', onReadable)
        sock.once('close', onClose)
      })
    }
    const ms = room.clock.now() - t0
    const same = Buffer.compare(Buffer.concat(back), Buffer.from(data.buffer, data.byteOffset, data.byteLength)) === 0
    sock.close()
    await pc.close()
    await dive.close()
    const link = pc.station.stats
    const throughputBps = ms > 0 ? 2 * data.length * 8 / (ms / 1000) : 0
    return {
      peer: { nickname: target.nickname, deviceAddress: target.deviceAddress },
      lsap: lsap.value,
      bytes: data.length,
      ms,
      identical: same,
      speed,
      throughputBps,
      efficiency: throughputBps / speed,
      retransmissions: link.retransmissions,
      rxErrors: link.rxErrors + dive.station.stats.rxErrors,
      ...(opts.pcap !== undefined ? { pcap: opts.pcap } : {}),
    }
  }

  try {
    const r = await room.run(main())
    return { ...r, frames, lostFrames }
  } finally {
    capture?.close()
    await room.close()
  }
}
