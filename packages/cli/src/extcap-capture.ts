/*!
 * `irda extcap --capture`: frames from a served room or a serial or USB dongle, written live to the
 * fifo Wireshark hands us, as a pcap of link type 144. Each record is one write(2) on the fifo,
 * so Wireshark sees a frame as soon as it has passed. The capture ends cleanly (exit 0) on
 * SIGTERM or SIGINT (Wireshark's stop), when the reader closes the fifo (the next write fails
 * with EPIPE), or when Wireshark itself is gone (we were re-parented); a source that fails ends
 * it with one line on stderr, which Wireshark shows.
 */
import { DEFAULT_PCAP_EPOCH_MS, PcapWriter, type PcapRecord } from '@irdakit/capture'
import type { Port, TimerHandle } from '@irdakit/core'
import { watchRoom, type RoomWatch } from '@irdakit/emulator'
import { UserError, oneLine } from './output.js'
import { openDongle, untilStopped, type StopReason } from './live.js'
import { openUsbListening } from './usb-medium.js'
import { EXTCAP_DONGLE } from './extcap.js'
import { SpeedFollower, type SpeedChange } from './speed-follower.js'

/** How often we look whether Wireshark is still our parent, ms (only matters in a quiet capture). */
const PARENT_CHECK_MS = 1000

/**
 * The fifo as a pcap sink. Opening blocks until Wireshark opens its end for reading, which it
 * does right after starting us. `write` never throws (it runs inside the source's listeners):
 * it is false once the reader has gone, or after a failure, which `failure` then says.
 */
export class FifoPcap {
  private readonly writer: PcapWriter
  closed = false
  failure: string | undefined
  /** Wall time of the source's time zero, known once the source is open. */
  epochMs = Date.now()

  constructor (readonly path: string) {
    try {
      this.writer = new PcapWriter(path)
    } catch (e) {
      throw new UserError(`cannot open the fifo ${path}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`, 1)
    }
  }

  get frames (): number { return this.writer.count }

  write (rec: PcapRecord): boolean {
    if (this.closed) return false
    try {
      // PcapWriter fixes its epoch when it opens, before we know the source's: shift to it.
      this.writer.write({ ...rec, timestampMs: rec.timestampMs + this.epochMs - DEFAULT_PCAP_EPOCH_MS })
      return true
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'EPIPE') this.failure = `cannot write to the fifo ${this.path}: ${code ?? oneLine(e)}`
      this.closed = true
      return false
    }
  }

  /** Why the capture ends after a write returned false. */
  get stopReason (): StopReason | 'fifo closed' { return this.failure !== undefined ? { error: this.failure } : 'fifo closed' }

  close (): void {
    this.closed = true
    try { this.writer.close() } catch { /* the reader's end is already gone */ }
  }
}

/** Runs until a stop: the signal handlers, the fifo's end, and the parent check. */
function captureRun (): { stop: (r: StopReason | 'fifo closed') => void, stopped: Promise<StopReason | 'fifo closed'>, dispose: () => void } {
  const run = untilStopped()
  let fifoClosed: () => void = () => {}
  const closed = new Promise<'fifo closed'>(resolve => { fifoClosed = () => { resolve('fifo closed') } })
  const parent = process.ppid
  const check = setInterval(() => { if (process.ppid !== parent) run.stop('SIGTERM') }, PARENT_CHECK_MS)
  return {
    stop: r => { if (r === 'fifo closed') fifoClosed(); else run.stop(r) },
    stopped: Promise.race([run.stopped, closed]),
    dispose: () => { clearInterval(check); run.dispose() },
  }
}

function endWith (reason: StopReason | 'fifo closed'): void {
  if (typeof reason !== 'string') throw new UserError(reason.error, 1)
}

export interface RoomCaptureOptions { room: string, fifo: string, perspective?: string }

/** Every transmission in the room served at `room`, stamped with the room's time (plus its epoch). */
export async function extcapCaptureRoom (opts: RoomCaptureOptions): Promise<number> {
  // The fifo first: Wireshark blocks opening its end until we open ours, even when we fail.
  const sink = new FifoPcap(opts.fifo)
  const run = captureRun()
  let watch: RoomWatch
  try {
    watch = await watchRoom(opts.room, rec => {
      const dir = rec.sender === opts.perspective ? 'out' : 'in'
      if (!sink.write({ timestampMs: rec.end, direction: dir, frame: rec.frame })) run.stop(sink.stopReason)
    })
  } catch (e) {
    run.dispose()
    sink.close()
    throw new UserError(`cannot watch the room: ${oneLine(e)}`, 1)
  }
  sink.epochMs = watch.epochMs
  void watch.ended.then(err => { if (err !== undefined) run.stop({ error: oneLine(err) }) })
  const reason = await run.stopped
  run.dispose()
  await watch.close()
  sink.close()
  endWith(reason)
  return sink.frames
}

export interface DongleCaptureOptions { port?: string, dongle: string, usb?: string, speed?: number, follow: boolean, fifo: string }

/** A passive sniffer on a serial or USB dongle (nothing is sent), following the link's speed as `irda dump --port` does. */
export async function extcapCaptureDongle (opts: DongleCaptureOptions): Promise<number> {
  const sink = new FifoPcap(opts.fifo)
  const option = `-o extcap.${EXTCAP_DONGLE.replace(/-/g, '_')}`
  if ((opts.port === undefined) === (opts.usb === undefined)) {
    sink.close()
    throw new UserError(`${EXTCAP_DONGLE} needs --port <path> or --usb <vid:pid|index>, one of them (tshark: ${option}.port:/dev/ttyUSB0 or ${option}.usb:9710:7780)`, 1)
  }
  const opening = opts.usb !== undefined ? openUsbListening(opts.usb, undefined, opts.speed) : openDongle(opts.port ?? '', opts.dongle, opts.speed)
  const port: Port = await opening.catch((e: unknown) => { sink.close(); throw new UserError(oneLine(e), 1) })
  const clock = port.clock
  const t0 = clock.now()
  sink.epochMs = Date.now()
  const run = captureRun()
  const follower = opts.follow ? new SpeedFollower(port.supportedSpeeds, port.speed) : undefined
  let pollTimer: TimerHandle | undefined
  const apply = (c: SpeedChange): void => {
    if (c.follow) port.setSpeed(c.bps).catch((e: unknown) => { run.stop({ error: `could not follow the link to ${c.bps} bit/s: ${oneLine(e)}` }) })
  }
  // The follower's one timer: a link silent for its disconnect time is over (back to 9600).
  const arm = (): void => {
    pollTimer?.cancel()
    const at = follower?.nextDeadline()
    pollTimer = at === undefined ? undefined : clock.setTimer(at, () => {
      const c = follower?.poll(clock.now())
      if (c !== undefined) apply(c)
      arm()
    })
  }
  port.listen(ev => {
    if (ev.type === 'frame') {
      if (!sink.write({ timestampMs: ev.at - t0, direction: 'in', frame: ev.frame })) run.stop(sink.stopReason)
      const c = follower?.frame(ev.at, ev.frame)
      if (c !== undefined) apply(c)
      arm()
    } else if (ev.type === 'closed' && ev.error !== undefined) {
      run.stop({ error: oneLine(ev.error) })
    }
  })
  const reason = await run.stopped
  run.dispose()
  pollTimer?.cancel()
  await port.close().catch(() => {})
  sink.close()
  endWith(reason)
  return sink.frames
}
