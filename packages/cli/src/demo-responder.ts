/*!
 * `irda demo --responder`: the dive computer's side of the main job on a dongle or in a served
 * room. A stack announcing "Aladin Smart" (or `--nickname`) runs the demo's echo server
 * ({@link listenEcho}), prints the trace and one line per finished session, until ^C/SIGTERM or,
 * with `--once`, until the first session has ended. With `--json`, one JSON object per line, as
 * `irda serve` prints them.
 */
import { DEMO_SERVICE_CLASS, listenEcho, type EchoSession } from './demo.js'
import { LiveTrace, jsonLine, untilStopped, type StopReason } from './live.js'
import { openMedium, type MediumFlags } from './medium.js'
import { Output, UserError, hex32, oneLine } from './output.js'
import { linkDown, stackOn } from './transfer.js'

export interface ResponderFlags extends MediumFlags {
  nickname: string
  speed?: number
  once?: boolean
  pcap?: string
  quiet?: boolean
  hex?: boolean
  json?: boolean
}

export async function respond (flags: ResponderFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const stop = untilStopped()
  const medium = await openMedium(flags, 'demo', flags.speed !== undefined ? { maxSpeed: flags.speed } : {}).catch((e: unknown) => { stop.dispose(); throw e })
  const sessions: EchoSession[] = []
  const end: { by: StopReason | 'once' } = { by: 'once' }
  let trace: LiveTrace | undefined
  try {
    trace = new LiveTrace(out, { quiet: flags.quiet, hex: flags.hex, pcap: flags.pcap, epochMs: Date.now() })
    const live = trace
    const stack = stackOn(medium, flags.nickname, flags)
    const clock = stack.clock
    const t0 = clock.now()
    stack.onFrame(rec => { live.frame({ timeMs: rec.timestampMs - t0, direction: rec.direction, frame: rec.frame, speed: stack.port.speed }) })
    medium.port.listen(ev => { if (ev.type === 'closed' && ev.error !== undefined) stop.stop({ error: oneLine(ev.error) }) })

    const firstSession = new Promise<void>((resolve, reject) => {
      const server = listenEcho(stack, s => {
        sessions.push(s)
        const peer = s.deviceAddress !== undefined ? hex32(s.deviceAddress) : 'a peer'
        const seconds = Number(((clock.now() - t0) / 1000).toFixed(3))
        if (out.json) jsonLine({ event: 'session', time: seconds, peer, bytes: s.bytes, ...(s.error !== undefined ? { error: s.error } : {}) })
        else out.line(`echoed ${s.bytes} bytes for ${peer}${s.error !== undefined ? out.style('red', ` (ended: ${s.error})`) : ''}`)
        if (flags.once === true) { server.close(); resolve() }
      })
      server.on('error', (e: Error) => { reject(new UserError(`cannot serve ${DEMO_SERVICE_CLASS}: ${oneLine(e)}`)) })
      server.once('listening', () => {
        const lsap = server.address()?.lsap
        const speeds = medium.port.supportedSpeeds.filter(s => s <= (flags.speed ?? Infinity))
        if (out.json) jsonLine({ event: 'listening', service: DEMO_SERVICE_CLASS, lsap, medium: medium.label, nickname: flags.nickname, deviceAddress: hex32(stack.deviceAddress), once: flags.once === true })
        else out.line(`echoing ${DEMO_SERVICE_CLASS} on ${medium.label} as ${JSON.stringify(flags.nickname)} ${hex32(stack.deviceAddress)}, speeds up to ${speeds[speeds.length - 1] ?? '?'} bit/s${flags.once === true ? ', one session' : '; ^C to stop'}`)
      })
    })
    const stopped = stop.stopped.then(r => { end.by = r })
    try {
      await Promise.race([firstSession, stopped])
      // The initiator, the primary, takes the link down; closing first would leave it repeating DISC.
      if (end.by === 'once') await linkDown(stack)
    } finally {
      await stack.close().catch(() => {})
    }
  } finally {
    stop.dispose()
    trace?.close()
    await medium.close()
  }
  const failed = sessions.filter(s => s.error !== undefined).length
  const bytes = sessions.reduce((n, s) => n + s.bytes, 0)
  const by = end.by
  const stoppedBy = typeof by === 'string' ? by : by.error
  if (out.json) jsonLine({ event: 'summary', sessions: sessions.length, failed, bytes, frames: trace.frames, stoppedBy, ...(flags.pcap !== undefined ? { pcap: flags.pcap } : {}) })
  else out.line(`${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${bytes} bytes echoed, ${trace.frames} frames (stopped by ${stoppedBy})`)
  if (typeof by !== 'string') throw new UserError(by.error, 1)
  if (flags.once === true && failed > 0) process.exitCode = 1
}
