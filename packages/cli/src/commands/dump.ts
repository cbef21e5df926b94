/*! `irda dump <pcap>`: irdadump-like lines from a capture file. */
import type { Command } from 'commander'
import { DecodeSession, decodeFrame, readPcap, type PcapRecord } from '@irdakit/capture'
import { Output, UserError, oneLine } from '../output.js'
import { toJsonValue } from '../json.js'

interface DumpFlags { hex?: boolean, json?: boolean }

export function registerDump (program: Command): void {
  program.command('dump')
    .description('decode a pcap (LINKTYPE_LINUX_IRDA) into irdadump-like lines')
    .argument('<pcap>', 'capture file')
    .option('--hex', 'add each frame\'s bytes')
    .option('--json', 'one JSON document with every frame decoded')
    .action((path: string, flags: DumpFlags) => { dump(path, flags) })
}

function load (path: string): PcapRecord[] {
  let decoded
  try {
    decoded = readPcap(path)
  } catch (e) {
    throw new UserError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
  }
  if (!decoded.ok) throw new UserError(`${path} is not an IrDA pcap: ${oneLine(decoded.error)}`)
  return decoded.value
}

function dump (path: string, flags: DumpFlags): void {
  const out = new Output({ json: flags.json === true })
  const records = load(path)
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
  if (out.json) out.emitJson({ command: 'dump', file: path, frames: records.length, malformed, records: frames })
  else out.note(`${records.length} frames${malformed > 0 ? `, ${malformed} malformed` : ''}`)
}
