/*!
 * Live sources for `irda view`, as for live `irda dump`: a served room (every transmission with
 * its sender), a serial dongle sniffing (passive, following the link's speed), or the demo's
 * exchange in an emulated room. Frames go to a pcap (`--pcap`, or a temporary one) that the
 * viewer reads their bytes back from, so the server holds no frame bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Port, TimerHandle } from '@irdakit/core'
import { watchRoom, type TapRecord } from '@irdakit/emulator'
import { LiveCapture } from '@irdakit/viewer'
import { UserError, oneLine } from '../output.js'
import { openDongle } from '../live.js'
import { openUsbListening } from '../usb-medium.js'
import { lostOnTheWay } from '../lost.js'
import { SpeedFollower } from '../speed-follower.js'
import { demoBytes, runDemo, DEMO_INITIATOR } from '../demo.js'

export interface LiveView {
  capture: LiveCapture
  /** Resolves when the source ends by itself: with a reason when it failed. */
  ended: Promise<string | undefined>
  /** Stops listening (idempotent). */
  stop: () => Promise<void>
  /** Removes the temporary pcap, if one was used. */
  cleanup: () => void
  /** The pcap the user asked for. */
  savedTo?: string
}

interface LiveFlags { pcap?: string, dongle: string, usb?: string, firmware?: string, speed?: number, ber: number, bytes: number, seed: number }

function openCapture (flags: LiveFlags, source: string, epochMs?: number): { capture: LiveCapture, cleanup: () => void } {
  const dir = flags.pcap === undefined ? mkdtempSync(join(tmpdir(), 'irda-view-')) : undefined
  const file = flags.pcap ?? join(dir as string, 'live.pcap')
  try {
    const capture = new LiveCapture(file, { source, ...(epochMs !== undefined ? { epochMs } : {}) })
    return { capture, cleanup: () => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) } }
  } catch (e) {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    throw new UserError(`cannot write --pcap ${file}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
  }
}

/** Every transmission in a room served by `irda room serve`, with its sender. */
export async function viewRoom (address: string, flags: LiveFlags): Promise<LiveView> {
  let capture: LiveCapture | undefined
  const pending: TapRecord[] = []
  const onRecord = (rec: TapRecord): void => {
    if (capture === undefined) { if (pending.length < 10000) pending.push(rec); return }
    capture.frame({ timeMs: rec.end, direction: 'in', frame: rec.frame, speed: rec.speed, sender: rec.sender, lost: lostOnTheWay(rec.receptions) })
  }
  let watch
  try {
    watch = await watchRoom(address, onRecord)
  } catch (e) {
    throw new UserError(`cannot watch the room: ${oneLine(e)}`)
  }
  let opened
  try {
    opened = openCapture(flags, `room ${address}`, watch.epochMs)
  } catch (e) {
    await watch.close()
    throw e
  }
  capture = opened.capture
  for (const rec of pending.splice(0)) onRecord(rec)
  const w = watch
  const c = capture
  let stopped = false
  const ended = w.ended.then(err => { c.end(err === undefined ? undefined : oneLine(err)); return err === undefined ? undefined : oneLine(err) })
  return {
    capture: c,
    ended,
    stop: async () => { if (stopped) return; stopped = true; await w.close(); c.end() },
    cleanup: opened.cleanup,
    ...(flags.pcap !== undefined ? { savedTo: flags.pcap } : {}),
  }
}

/**
 * A dongle listening passively, following the SNRM/UA speed change as `irda dump --port` does:
 * the serial one at `path`, or with `flags.usb` the USB dongle it names.
 */
export async function viewSerial (path: string, flags: LiveFlags): Promise<LiveView> {
  const port: Port = flags.usb !== undefined ? await openUsbListening(flags.usb, flags.firmware, flags.speed) : await openDongle(path, flags.dongle, flags.speed)
  let opened
  try {
    opened = openCapture(flags, flags.usb !== undefined ? `usb ${flags.usb}` : `${path} (dongle ${flags.dongle})`, Date.now())
  } catch (e) {
    await port.close().catch(() => {})
    throw e
  }
  const capture = opened.capture
  const clock = port.clock
  const t0 = clock.now()
  const follower = new SpeedFollower(port.supportedSpeeds, port.speed)
  let timer: TimerHandle | undefined
  let settle!: (err: string | undefined) => void
  const ended = new Promise<string | undefined>(resolve => { settle = resolve })
  const follow = (change: { bps: number, follow: boolean } | undefined): void => {
    if (change?.follow === true) port.setSpeed(change.bps).catch(() => {})
    timer?.cancel()
    const at = follower.nextDeadline()
    timer = at === undefined ? undefined : clock.setTimer(at, () => follow(follower.poll(clock.now())))
  }
  port.listen(ev => {
    if (ev.type === 'frame') {
      capture.frame({ timeMs: ev.at - t0, direction: 'in', frame: ev.frame, speed: port.speed })
      follow(follower.frame(ev.at, ev.frame))
    } else if (ev.type === 'closed' && ev.error !== undefined) {
      settle(oneLine(ev.error))
    }
  })
  let stopped = false
  return {
    capture,
    ended,
    stop: async () => {
      if (stopped) return
      stopped = true
      timer?.cancel()
      await port.close().catch(() => {})
      capture.end()
      settle(undefined)
    },
    cleanup: opened.cleanup,
    ...(flags.pcap !== undefined ? { savedTo: flags.pcap } : {}),
  }
}

/** The demo's exchange in an emulated room, in virtual time: over at once, then served. */
export async function viewEmulator (flags: LiveFlags): Promise<LiveView> {
  const opened = openCapture(flags, `emulated room (demo exchange, seed ${flags.seed}${flags.ber > 0 ? `, ber ${flags.ber}` : ''})`)
  const capture = opened.capture
  let error: string | undefined
  try {
    await runDemo({
      speed: flags.speed ?? 115200,
      ber: flags.ber,
      data: demoBytes(flags.bytes),
      seed: flags.seed,
      onFrame: f => capture.frame({ timeMs: f.timeMs, direction: f.sender === DEMO_INITIATOR ? 'out' : 'in', frame: f.frame, speed: f.speed, sender: f.sender, lost: f.lost }),
    })
  } catch (e) {
    error = `the emulated exchange failed: ${oneLine(e)}`
  }
  capture.end(error)
  return { capture, ended: Promise.resolve(error), stop: async () => {}, cleanup: opened.cleanup, ...(flags.pcap !== undefined ? { savedTo: flags.pcap } : {}) }
}

