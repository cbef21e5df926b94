/*!
 * `irda dump`: irdadump-like lines from a capture file, or live: from a serial dongle (a passive
 * sniffer that follows the link's speed), from a room served by `irda room serve`, or from an
 * emulated room running the demo's exchange.
 */
import type { Command } from 'commander'
import { DecodeSession, decodeFrame, forEachPcapRecordAsync } from '@irdakit/capture'
import { LineBatch, Output, UserError, oneLine } from '../output.js'
import { roundFloats, toJsonValue } from '../json.js'
import { parseBer, parseCount, parseSeed, parseSpeed } from '../args.js'
import { dumpEmulator, dumpRoom, dumpSerial } from '../dump-live.js'
import { secondsColumn } from './dump-format.js'
import { FIRMWARE_OPTION, USB_OPTION } from '../medium.js'

interface DumpFlags {
  hex?: boolean
  json?: boolean
  ndjson?: boolean
  port?: string
  usb?: string
  firmware?: string
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
    .option(...USB_OPTION)
    .option(...FIRMWARE_OPTION)
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
    .option('--json', 'a pcap: one JSON document, streamed with a record per line; live: one JSON object per line (frames and events), then a summary')
    .option('--ndjson', 'a pcap: newline-delimited JSON, each line a whole object (a record per line, then the counts), for jq and line-by-line readers')
    .action(async (path: string | undefined, flags: DumpFlags) => {
      if (flags.ndjson === true && path === undefined) throw new UserError('--ndjson is for a pcap file; live sources already print one JSON object per line with --json')
      if (flags.ndjson === true && flags.json === true) throw new UserError('choose --json (one document) or --ndjson (an object per line)')
      const sources = [path !== undefined, flags.port !== undefined, flags.usb !== undefined, flags.emulator === true, flags.room !== undefined].filter(Boolean).length
      if (sources > 1) throw new UserError('choose one source: a pcap file, --port <path>, --usb <vid:pid|index>, --room <socket> or --emulator')
      if (sources === 0) throw new UserError('nothing to dump: name a pcap file, or --port <path> --dongle <name>, --usb <vid:pid|index>, --room <socket> or --emulator')
      if (path !== undefined) { await dump(path, flags); return }
      if (flags.port !== undefined) { await dumpSerial(flags.port, flags); return }
      if (flags.usb !== undefined) { await dumpSerial(`usb ${flags.usb}`, flags); return }
      if (flags.room !== undefined) { await dumpRoom(flags.room, flags); return }
      await dumpEmulator(flags)
    })
}

/**
 * Decodes a capture file as it is read, a megabyte at a time, so a capture of any size dumps
 * in flat memory: lines go out in large batches, and `--json` streams its one document (the
 * header once the file proves to be a capture, then a record per line, then the counts). A
 * cut-short last record is left out with a warning on stderr, as tshark does. `--ndjson` writes
 * the same records as whole objects, one per line, and the counts as the last line.
 */
async function dump (path: string, flags: DumpFlags): Promise<void> {
  const ndjson = flags.ndjson === true
  const out = new Output({ json: flags.json === true || ndjson })
  const batch = new LineBatch(text => out.raw(text))
  const session = new DecodeSession()
  const sent = out.style('cyan', '>')
  const received = out.style('magenta', '<')
  let t0: number | undefined
  let n = 0
  let malformed = 0
  let truncated: string | undefined
  let result
  try {
    // Between reads the event loop runs, so a closed pipe (`| head`) ends the run early.
    result = await forEachPcapRecordAsync(path, rec => {
      const d = decodeFrame(rec.frame, session)
      n++
      if (d.error !== undefined) malformed++
      t0 ??= rec.timestampMs
      const t = (rec.timestampMs - t0) / 1000
      if (out.json) {
        if (n === 1 && !ndjson) out.raw(`{"command":"dump","file":${JSON.stringify(path)},"records":[\n`)
        batch.add((n > 1 && !ndjson ? ',' : '') + JSON.stringify({
          number: n,
          time: Number(t.toFixed(6)),
          direction: rec.direction,
          length: rec.frame.length,
          summary: d.summary,
          layers: toJsonValue(d.layers),
          ...(d.error !== undefined ? { error: d.error } : {}),
          ...(flags.hex === true ? { hex: toJsonValue(rec.frame) } : {}),
        }, roundFloats))
        return
      }
      const summary = d.error !== undefined ? out.style('red', d.summary) : d.summary
      batch.add(`${out.style('dim', secondsColumn(t))} ${rec.direction === 'out' ? sent : received} ${summary}`)
      if (flags.hex === true) batch.add(out.style('dim', '    ' + Buffer.from(rec.frame).toString('hex').replace(/(..)(?!$)/g, '$1 ')))
    }, { onTruncated: message => { truncated = message.replace(/^pcap: /, '') }, beforeRead: () => out.drain() })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === undefined) throw e // not the file: a bug, reported as one
    throw new UserError(`cannot read ${path}: ${code}`)
  } finally {
    batch.flush()
  }
  if (!result.ok) throw new UserError(`${path} is not an IrDA pcap: ${oneLine(result.error)}`)
  if (truncated !== undefined) out.note(`irda: warning: ${path}: ${truncated}; the frames before it are shown`)
  const frames = result.value
  if (out.json) {
    const counts = `"frames":${frames},"malformed":${malformed}${truncated !== undefined ? `,"truncated":${JSON.stringify(truncated)}` : ''}`
    if (ndjson) out.raw(`{"command":"dump","file":${JSON.stringify(path)},${counts}}\n`)
    else out.raw(frames === 0 ? `{"command":"dump","file":${JSON.stringify(path)},${counts},"records":[]}\n` : `],${counts}}\n`)
  } else {
    out.note(`${frames} frames${malformed > 0 ? `, ${malformed} malformed` : ''}`)
  }
}
