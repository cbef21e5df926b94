/*!
 * A one-way bulk transfer between two IrLAP stations in a virtual room with bit errors, the
 * sender cutting its byte stream at the size IrLAP advises (`station.advisedDataSize`), as
 * TinyTP does above it. Records the size of every I frame sent, for the adaptive frame size
 * tests.
 */
import { SeededRandom } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { IrlapStation, StationDriver, defaultQos, parseFrame } from '@irdakit/lap'

export interface LossyRun {
  /** Data bytes delivered, in order, and whether they equal what was sent. */
  delivered: number
  intact: boolean
  /** Link time from the first I frame to the last delivery, ms. */
  ms: number
  /** Data bytes per byte time of the line (baud / 10 bytes a second). */
  ratio: number
  /** Information size of every I frame A sent, with its time. */
  frames: Array<{ at: number, size: number }>
  retransmissions: number
  noReply: number
  /** With `trace`: every frame A sent (A + C + I), in order, with its airtime (ms). */
  trace: Array<{ frame: Uint8Array, start: number, end: number }>
}

export interface LossyOptions {
  bytes: number
  bps?: number
  seed?: number
  /** The room's faults as time goes: BER from `at` (ms after the link is up) on. */
  ber: Array<{ at: number, ber: number }>
  /** Keep every frame A sends. */
  trace?: boolean
}

export async function lossyTransfer (o: LossyOptions): Promise<LossyRun> {
  const bps = o.bps ?? 115200
  const room = new Room({ time: 'virtual', seed: o.seed ?? 1 })
  const make = (name: string, addr: number, seed: number): { st: IrlapStation, drv: StationDriver } => {
    const st = new IrlapStation({ deviceAddress: addr, random: new SeededRandom(seed), qos: defaultQos({ speeds: [9600, bps] }) }, room.clock.now())
    return { st, drv: new StationDriver(st, room.port(name, { supportedSpeeds: [9600, bps] }), { autoAccept: true }) }
  }
  const a = make('A', 0xA, 1)
  const b = make('B', 0xB, 2)
  await room.run(a.drv.connect(0xB))
  const link = a.st.link
  if (link === undefined) throw new Error('no link')
  const t0 = room.clock.now()
  for (const step of o.ber) room.clock.setTimer(t0 + step.at, () => { room.faults({ ber: step.ber }) })

  const data = Uint8Array.from({ length: o.bytes }, (_, i) => (i * 7 + (i >> 8)) & 0xFF)
  let sent = 0
  const frames: LossyRun['frames'] = []
  // Two windows in IrLAP's hands (as the stack keeps them), each frame cut at the size it advises now.
  const feed = (st: IrlapStation, now: number): void => {
    while (sent < data.length && st.pendingData < 2 * link.txWindowSize) {
      const size = Math.min(st.advisedDataSize ?? link.txDataSize, data.length - sent)
      st.dataRequest(now, data.subarray(sent, sent + size))
      sent += size
    }
  }
  a.drv.port.listen(ev => { if (ev.type === 'frame' || ev.type === 'tx-done') a.drv.act(feed) })
  const trace: LossyRun['trace'] = []
  room.tap(r => {
    if (r.sender !== 'A') return
    if (o.trace === true) trace.push({ frame: r.frame, start: r.start, end: r.end })
    const f = parseFrame(r.frame)
    if (f.ok && f.value.kind === 'I') frames.push({ at: r.start - t0, size: f.value.info.length })
  })
  let got = 0
  let intact = true
  let lastAt = t0
  const done = new Promise<void>(resolve => b.drv.on(ev => {
    if (ev.type !== 'data-indication') return
    for (let i = 0; i < ev.data.length; i++) if (ev.data[i] !== data[got + i]) intact = false
    got += ev.data.length
    lastAt = room.clock.now()
    if (got >= data.length) resolve()
  }))
  a.drv.act(feed)
  await room.run(done)
  const ms = lastAt - t0
  const stats = a.st.stats
  await room.close()
  return { delivered: got, intact, ms, ratio: got / (ms * bps / 10000), frames, retransmissions: stats.retransmissions, noReply: stats.noReply, trace }
}
