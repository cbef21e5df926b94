/*!
 * `irda dump`: irdadump-like lines from a capture file, or live: from a serial dongle (a passive
 * sniffer that follows the link's speed), from a room served by `irda room serve`, or from an
 * emulated room running the demo's exchange.
 */
import type { Command } from 'commander'
import { DecodeSession, decodeFrame, readPcap, type PcapRecord } from '@irdakit/capture'
import { Output, UserError, oneLine } from '../output.js'
import { toJsonValue } from '../json.js'
import { parseBer, parseCount, parseSeed, parseSpeed } from '../args.js'
import { dumpEmulator, dumpRoom, dumpSerial } from '../dump-live.js'

interface DumpFlags {
  hex?: boolean
  json?: boolean
  port?: string
  dongle: string
  speed?: number
  follow: boolean
  emulator?: boolean
  room?: string
  perspective?: string
  pcap?: string
  ber: number
  bytes: number
  seed: number
  realTime?: boolean
}

export function registerDump (program: Command): void {
  program.command('dump')
    .description('decode IrDA frames into irdadump-like lines: from a pcap file, or live from a dongle or the emulator')
    .argument('[pcap]', 'capture file (LINKTYPE_LINUX_IRDA)')
    .option('--port <path>', 'sniff a serial port with an IrDA dongle (passive: sends nothing), until ^C')
    .option('--dongle <name>', 'the dongle profile (see irda dongles)', 'none')
    .option('--speed <bps>', 'with --port: speed to listen at first (default 9600); with --emulator: top speed offered (default 115200)', parseSpeed)
    .option('--no-follow', 'with --port: stay at one speed instead of following the SNRM/UA negotiation')
    .option('--emulator', 'live from an emulated room running the demo exchange')
    .option('--room <socket>', 'live from the room served by `irda room serve` on this socket, until ^C')
    .option('--perspective <station>', 'with --room: frames this station sent are \'>\' (default: all \'<\')')
    .option('--pcap <file>', 'live modes: also save every frame to this pcap')
    .option('--ber <rate>', 'with --emulator: bit error rate on the medium', parseBer, 0)
    .option('--bytes <n>', 'with --emulator: bytes the demo echoes', parseCount, 256)
    .option('--seed <n>', 'with --emulator: seed for the room and stacks', parseSeed, 1)
    .option('--real-time', 'with --emulator: pace the exchange on the wall clock')
    .option('--hex', 'add each frame\'s bytes')
    .option('--json', 'a pcap: one JSON document; live: one JSON object per line (frames and events), then a summary')
    .action(async (path: string | undefined, flags: DumpFlags) => {
      const sources = [path !== undefined, flags.port !== undefined, flags.emulator === true, flags.room !== undefined].filter(Boolean).length
      if (sources > 1) throw new UserError('choose one source: a pcap file, --port <path>, --room <socket> or --emulator')
      if (sources === 0) throw new UserError('nothing to dump: name a pcap file, or --port <path> --dongle <name>, --room <socket> or --emulator')
      if (path !== undefined) { dump(path, flags); return }
      if (flags.port !== undefined) { await dumpSerial(flags.port, flags); return }
      if (flags.room !== undefined) { await dumpRoom(flags.room, flags); return }
      await dumpEmulator(flags)
    })
}

/** The records of a pcap; a cut-short last record is left out with a warning on stderr, as tshark does. */
function load (path: string, out: Output): { records: PcapRecord[], truncated?: string } {
  let decoded
  let truncated: string | undefined
  try {
    decoded = readPcap(path, {
      onTruncated: message => {
        truncated = message.replace(/^pcap: /, '')
        out.note(`irda: warning: ${path}: ${truncated}; the frames before it are shown`)
      },
    })
  } catch (e) {
    throw new UserError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
  }
  if (!decoded.ok) throw new UserError(`${path} is not an IrDA pcap: ${oneLine(decoded.error)}`)
  return { records: decoded.value, ...(truncated !== undefined ? { truncated } : {}) }
}

function dump (path: string, flags: DumpFlags): void {
  const out = new Output({ json: flags.json === true })
  const { records, truncated } = load(path, out)
  const session = new DecodeSession()
  const t0 = records[0]?.timestampMs ?? 0
  const frames: unknown[] = []
  let malformed = 0
  records.forEach((rec, i) => {
    const d = decodeFrame(rec.frame, session)
    if (d.error !== undefined) malformed++
    const t = (rec.timestampMs - t0) / 1000
    if (out.json) {
      frames.push({
        number: i + 1,
        time: Number(t.toFixed(6)),
        direction: rec.direction,
        length: rec.frame.length,
        summary: d.summary,
        layers: toJsonValue(d.layers),
        ...(d.error !== undefined ? { error: d.error } : {}),
        ...(flags.hex === true ? { hex: toJsonValue(rec.frame) } : {}),
      })
      return
    }
    const dir = rec.direction === 'out' ? out.style('cyan', '>') : out.style('magenta', '<')
    const summary = d.error !== undefined ? out.style('red', d.summary) : d.summary
    out.line(`${out.style('dim', t.toFixed(6).padStart(12))} ${dir} ${summary}`)
    if (flags.hex === true) out.line(out.style('dim', '    ' + [...rec.frame].map(b => b.toString(16).padStart(2, '0')).join(' ')))
  })
  if (out.json) out.emitJson({ command: 'dump', file: path, frames: records.length, malformed, ...(truncated !== undefined ? { truncated } : {}), records: frames })
  else out.note(`${records.length} frames${malformed > 0 ? `, ${malformed} malformed` : ''}`)
}
