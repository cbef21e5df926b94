/*!
 * Live `irda dump`: frames printed as they pass, from a serial dongle (a passive sniffer: no
 * stack, nothing is ever sent) or from an emulated room running the demo's exchange.
 */
import type { TimerHandle } from '@irdakit/core'
import { watchRoom, type RoomWatch, type TapRecord } from '@irdakit/emulator'
import { SPEEDS } from '@irdakit/phy'
import { SpeedFollower, type SpeedChange } from './speed-follower.js'
import { LiveTrace, openDongle, untilStopped, jsonLine, type StopReason } from './live.js'
import { demoBytes, runDemo, DEMO_INITIATOR } from './demo.js'
import { Output, UserError, oneLine } from './output.js'
import { lostOnTheWay } from './lost.js'
import { openUsbListening } from './usb-medium.js'

export interface LiveDumpFlags {
  dongle: string
  /** Sniff through this USB dongle (`--usb`) instead of the serial `path`. */
  usb?: string
  firmware?: string
  speed?: number
  follow: boolean
  pcap?: string
  hex?: boolean
  json?: boolean
  /** With --room: whose frames are 'out' (default: none, every frame is 'in', as for a sniffer). */
  perspective?: string
  // emulator only
  ber: number
  bytes: number
  seed: number
  realTime?: boolean
}

const reasonText = (r: StopReason): string => typeof r === 'string' ? r : r.error

/** Sniffs a serial dongle until SIGINT/SIGTERM (or the device vanishes). */
export async function dumpSerial (path: string, flags: LiveDumpFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const port = flags.usb !== undefined ? await openUsbListening(flags.usb, flags.firmware, flags.speed) : await openDongle(path, flags.dongle, flags.speed)
  const clock = port.clock
  const t0 = clock.now()
  const rel = (at: number): number => at - t0
  let trace: LiveTrace
  try {
    trace = new LiveTrace(out, { hex: flags.hex, pcap: flags.pcap, epochMs: Date.now() })
  } catch (e) {
    await port.close()
    throw e
  }
  const follower = flags.follow ? new SpeedFollower(port.supportedSpeeds, port.speed) : undefined
  const rxErrors: Record<string, number> = {}
  let speedChanges = 0
  let pollTimer: TimerHandle | undefined
  const run = untilStopped()

  // Announced once the port listens at the new speed: frames after the event are heard at it.
  const applyChange = (at: number, c: SpeedChange): void => {
    const ev = { event: 'speed', bps: c.bps, reason: c.reason, follow: c.follow }
    if (!c.follow) {
      trace.event(rel(at), ev, `the link runs at ${c.bps} bit/s, which dongle ${flags.dongle} cannot receive: frames are lost until it ends`, 'red')
      return
    }
    speedChanges++
    port.setSpeed(c.bps).then(() => {
      trace.event(rel(clock.now()), ev, `speed ${c.bps} bit/s (${c.reason})`)
    }, (e: unknown) => {
      trace.event(rel(clock.now()), { event: 'speed-error', bps: c.bps, error: oneLine(e) }, `could not switch to ${c.bps} bit/s: ${oneLine(e)}`, 'red')
    })
  }
  // The follower's only timer: a connected link that stays silent for its disconnect time is over.
  const armFollower = (): void => {
    pollTimer?.cancel()
    const at = follower?.nextDeadline()
    pollTimer = at === undefined ? undefined : clock.setTimer(at, () => {
      const c = follower?.poll(clock.now())
      if (c !== undefined) applyChange(clock.now(), c)
      armFollower()
    })
  }

  port.listen(ev => {
    switch (ev.type) {
      case 'frame': {
        trace.frame({ timeMs: rel(ev.at), direction: 'in', frame: ev.frame, speed: port.speed })
        const c = follower?.frame(ev.at, ev.frame)
        if (c !== undefined) applyChange(ev.at, c)
        armFollower()
        break
      }
      case 'rx-error':
        rxErrors[ev.reason] = (rxErrors[ev.reason] ?? 0) + 1
        trace.event(rel(ev.at), { event: 'rx-error', reason: ev.reason }, `receive error: ${ev.reason}`, 'red')
        break
      case 'closed':
        if (ev.error !== undefined) run.stop({ error: oneLine(ev.error) })
        break
      default:
        break
    }
  })

  const speed = port.speed
  if (out.json) jsonLine({ event: 'listening', time: 0, port: path, dongle: flags.dongle, speed, follow: flags.follow })
  else out.note(`listening on ${path} (dongle ${flags.dongle}) at ${speed} bit/s${flags.follow ? ', following speed changes' : ''}; ^C to stop`)

  const reason = await run.stopped
  run.dispose()
  pollTimer?.cancel()
  await port.close().catch(() => {})
  trace.close()
  const errors = Object.values(rxErrors).reduce((a, b) => a + b, 0)
  if (out.json) {
    jsonLine({ event: 'summary', time: Number((rel(clock.now()) / 1000).toFixed(6)), stoppedBy: reasonText(reason), frames: trace.frames, malformed: trace.malformed, rxErrors: errors, rxErrorsByReason: rxErrors, speedChanges, ...(flags.pcap !== undefined ? { pcap: flags.pcap } : {}) })
  } else {
    const by = Object.entries(rxErrors).map(([k, n]) => `${k} ${n}`).join(', ')
    out.note(`${trace.frames} frames, ${errors} receive errors${by !== '' ? ` (${by})` : ''}${trace.malformed > 0 ? `, ${trace.malformed} malformed` : ''}` +
      `${speedChanges > 0 ? `, ${speedChanges} speed changes` : ''}${flags.pcap !== undefined ? `; saved to ${flags.pcap}` : ''}`)
  }
  if (typeof reason !== 'string') throw new UserError(reason.error, 1)
}

/**
 * The demo's exchange (discovery, IAS lookup, TinyTP echo, disconnect) in an emulated room, shown
 * as a sniffer beside the laptop would show it: the output `irda dump --port` gives for real
 * traffic, without hardware. Virtual time unless `--real-time`.
 */
export async function dumpEmulator (flags: LiveDumpFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const trace = new LiveTrace(out, { hex: flags.hex, pcap: flags.pcap })
  const follower = new SpeedFollower(SPEEDS)
  let lost = 0
  let speedChanges = 0
  let lastMs = 0
  const topSpeed = flags.speed ?? 115200
  if (out.json) jsonLine({ event: 'listening', time: 0, emulator: true, perspective: DEMO_INITIATOR, speed: topSpeed, seed: flags.seed })
  else out.note(`emulated room: "${DEMO_INITIATOR}" runs the demo exchange up to ${topSpeed} bit/s; '>' = sent by ${DEMO_INITIATOR}`)
  let result
  try {
    result = await runDemo({
      speed: topSpeed,
      ber: flags.ber,
      data: demoBytes(flags.bytes),
      seed: flags.seed,
      time: flags.realTime === true ? 'real' : 'virtual',
      onFrame: f => {
        if (f.lost) lost++
        lastMs = f.timeMs
        trace.frame({ timeMs: f.timeMs, direction: f.direction, frame: f.frame, speed: f.speed, sender: f.sender, lost: f.lost })
        // The same reading of SNRM/UA as on a port, so both modes print the same events.
        const c = f.lost ? undefined : follower.frame(f.timeMs, f.frame)
        if (c !== undefined) {
          speedChanges++
          trace.event(f.timeMs, { event: 'speed', bps: c.bps, reason: c.reason, follow: c.follow }, `speed ${c.bps} bit/s (${c.reason})`)
        }
      },
    })
  } catch (e) {
    throw new UserError(`the emulated exchange failed: ${oneLine(e)}`, 1)
  } finally {
    trace.close()
  }
  if (out.json) {
    jsonLine({ event: 'summary', time: Number((lastMs / 1000).toFixed(6)), frames: trace.frames, malformed: trace.malformed, lost, speedChanges, echoed: result.bytes, identical: result.identical, ...(flags.pcap !== undefined ? { pcap: flags.pcap } : {}) })
  } else {
    out.note(`${trace.frames} frames, ${lost} lost or damaged${trace.malformed > 0 ? `, ${trace.malformed} malformed` : ''}, ${speedChanges} speed changes; ` +
      `${result.bytes} bytes echoed ${result.identical ? 'intact' : 'DIFFERENT'}${flags.pcap !== undefined ? `; saved to ${flags.pcap}` : ''}`)
  }
  if (!result.identical) process.exitCode = 1
}

/**
 * Watches a room served by `irda room serve` until SIGINT/SIGTERM (or the server goes away):
 * every transmission in it, as it ends, with its sender and whether every station got it.
 */
export async function dumpRoom (address: string, flags: LiveDumpFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const follower = new SpeedFollower(SPEEDS)
  const run = untilStopped()
  let trace: LiveTrace | undefined
  let lost = 0
  let speedChanges = 0
  const onRecord = (rec: TapRecord): void => {
    if (trace === undefined) return
    // Room time, as `irda room serve` prints it; the pcap adds the room's epoch (wall time).
    const timeMs = rec.end
    const damaged = lostOnTheWay(rec.receptions) // a bystander at another speed hears garbage: not a loss
    if (damaged) lost++
    trace.frame({ timeMs, direction: rec.sender === flags.perspective ? 'out' : 'in', frame: rec.frame, speed: rec.speed, sender: rec.sender, lost: damaged })
    const c = damaged ? undefined : follower.frame(rec.end, rec.frame)
    if (c !== undefined) {
      speedChanges++
      trace.event(timeMs, { event: 'speed', bps: c.bps, reason: c.reason, follow: c.follow }, `speed ${c.bps} bit/s (${c.reason})`)
    }
  }
  let watch: RoomWatch
  try {
    watch = await watchRoom(address, onRecord)
  } catch (e) {
    run.dispose()
    throw new UserError(`cannot watch the room: ${oneLine(e)}`)
  }
  try {
    trace = new LiveTrace(out, { hex: flags.hex, pcap: flags.pcap, epochMs: watch.epochMs })
  } catch (e) {
    run.dispose()
    await watch.close()
    throw e
  }
  void watch.ended.then(err => { if (err !== undefined) run.stop({ error: oneLine(err) }) })
  if (out.json) jsonLine({ event: 'listening', time: 0, room: address, stations: watch.stations })
  else out.note(`watching the room on ${address} (${watch.stations.length === 0 ? 'no stations yet' : `stations: ${watch.stations.join(', ')}`}); ^C to stop`)

  const reason = await run.stopped
  run.dispose()
  await watch.close()
  const t = trace
  trace = undefined
  t.close()
  if (out.json) {
    jsonLine({ event: 'summary', stoppedBy: reasonText(reason), frames: t.frames, malformed: t.malformed, lost, speedChanges, ...(flags.pcap !== undefined ? { pcap: flags.pcap } : {}) })
  } else {
    out.note(`${t.frames} frames, ${lost} lost or damaged${t.malformed > 0 ? `, ${t.malformed} malformed` : ''}, ${speedChanges} speed changes${flags.pcap !== undefined ? `; saved to ${flags.pcap}` : ''}`)
  }
  if (typeof reason !== 'string') throw new UserError(reason.error, 1)
}
