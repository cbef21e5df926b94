/*! `irda room serve`: one emulated IR room on a Unix socket, shared by commands in other processes (`--room`). */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { serveRoom, type RoomCapture, type RoomServer, type RoomServerEvent } from '@irdakit/emulator'
import { parseBer, parseSeed } from '../args.js'
import { Output, UserError, oneLine } from '../output.js'
import { jsonLine, untilStopped } from '../live.js'

interface RoomServeFlags { socket?: string, ber: number, seed: number, pcap?: string, json?: boolean }

/** Where `irda room serve` listens unless told: the user's runtime directory, else the temp directory. */
export function defaultRoomSocket (env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_RUNTIME_DIR ?? tmpdir(), 'irdakit-room.sock')
}

export function registerRoom (program: Command): void {
  const room = program.command('room').description('an emulated IR room shared by several processes')
  room.command('serve')
    .description('serve an emulated room on a Unix socket until ^C; other commands join it with --room <socket>')
    .option('--socket <path>', `the socket to listen on (default ${defaultRoomSocket()})`)
    .option('--ber <rate>', 'bit error rate on the medium', parseBer, 0)
    .option('--seed <n>', 'seed for the medium\'s faults and noise', parseSeed, 1)
    .option('--pcap <file>', 'write every frame on the medium to a pcap (link type 144)')
    .option('--json', 'one JSON object per line: listening, join, leave, bad-input, and last summary')
    .action(async (flags: RoomServeFlags) => { await serve(flags) })
  room.exitOverride()
}

function describe (e: RoomServerEvent): string {
  switch (e.type) {
    case 'join': return `+ ${e.station} joined`
    case 'leave': return `- ${e.station} left`
    case 'watch': return '+ a watcher joined'
    case 'unwatch': return '- a watcher left'
    case 'bad-input': return `! dropped input${e.station !== undefined ? ` from ${e.station}` : ''}: ${e.reason}`
  }
}

async function serve (flags: RoomServeFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const path = flags.socket ?? defaultRoomSocket()
  const started = Date.now()
  let t0 = 0
  const log = (e: RoomServerEvent): void => {
    const time = Number(((e.at - t0) / 1000).toFixed(3))
    if (out.json) { jsonLine({ event: e.type, time, ...eventFields(e) }); return }
    out.line(`${out.style('dim', time.toFixed(3).padStart(9))} ${e.type === 'bad-input' ? out.style('yellow', describe(e)) : describe(e)}`)
  }
  // Listen for ^C before the socket exists, so a quick one still closes it cleanly.
  const stop = untilStopped()
  let server: RoomServer
  let capture: RoomCapture | undefined
  try {
    try {
      server = await serveRoom({ path, seed: flags.seed, ...(flags.ber > 0 ? { faults: { ber: flags.ber } } : {}), onEvent: log })
    } catch (e) {
      throw new UserError(oneLine(e))
    }
    t0 = server.clock.now()
    if (flags.pcap !== undefined) {
      try {
        capture = server.capture(flags.pcap)
      } catch (e) {
        await server.close()
        throw new UserError(`cannot write --pcap ${flags.pcap}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
      }
    }
  } catch (e) {
    stop.dispose()
    throw e
  }
  if (out.json) jsonLine({ event: 'listening', address: path, seed: flags.seed, ber: flags.ber, ...(flags.pcap !== undefined ? { pcap: flags.pcap } : {}) })
  else {
    out.line(`serving an emulated room on ${path}${flags.ber > 0 ? ` (ber ${flags.ber})` : ''}`)
    out.line(out.style('dim', `join it with --room ${path}; stop with ^C`))
  }
  const stopped = await stop.stopped
  const pcapFrames = capture?.frames
  await server.close()
  stop.dispose()
  const s = server.stats()
  const summary = {
    stationsSeen: s.stationsSeen, frames: s.frames, badInput: s.badInput, connections: s.connections,
    seconds: Number(((Date.now() - started) / 1000).toFixed(3)), stoppedBy: typeof stopped === 'string' ? stopped : stopped.error,
  }
  if (out.json) { jsonLine({ event: 'summary', ...summary, ...(pcapFrames !== undefined ? { pcapFrames } : {}) }); return }
  out.line(`${s.stationsSeen} station${s.stationsSeen === 1 ? '' : 's'} seen, ${s.frames} frames, ${s.badInput} bad input${pcapFrames !== undefined ? `, ${pcapFrames} frames in ${flags.pcap ?? ''}` : ''}`)
}

function eventFields (e: RoomServerEvent): Record<string, unknown> {
  switch (e.type) {
    case 'join': case 'leave': return { station: e.station }
    case 'bad-input': return { ...(e.station !== undefined ? { station: e.station } : {}), reason: e.reason }
    default: return {}
  }
}
