/*!
 * tshark as an independent judge of our bytes: write a pcap (link type 144), let Wireshark's
 * IrDA dissector decode it, assert it found nothing malformed, then assert on its fields.
 *
 * One tshark process per pcap: `tshark -r <file> -n -T json --no-duplicate-keys` (tshark 3.x/4.x).
 * JSON gives protocol layers, every field with its filter name, and expert info as `_ws.expert`
 * objects; `--no-duplicate-keys` turns repeated fields (several negotiation parameters) into
 * arrays instead of silently keeping the last. Expert severities are numeric in JSON
 * (0x00800000 = error); we report them by name.
 *
 * Field names worth asserting on (checked with `tshark -G fields` on tshark 4.0):
 * - IrLAP: `irlap.a` (address byte), `irlap.a.address` (7-bit connection address), `irlap.a.cr`,
 *   `irlap.c`, `irlap.c.ftype` (0x00 I, 0x01 S, 0x03 U), `irlap.c.n_r`, `irlap.c.n_s`,
 *   `irlap.c.p` / `irlap.c.f`, `irlap.c.s_ftype`, `irlap.c.u_modifier_cmd` / `_resp`,
 *   `irlap.i` (information field present).
 * - XID: `irlap.xid.fi`, `irlap.xid.saddr`, `irlap.xid.daddr`, `irlap.xid.s`, `irlap.xid.slotnr`,
 *   `irlap.xid.version`, `irlap.xid.conflict`; discovery info: `irlmp.xid.hints`,
 *   `irlmp.xid.charset`, `irlmp.xid.name`.
 * - SNRM / UA: `irlap.snrm.saddr`, `irlap.snrm.daddr`, `irlap.snrm.ca`, `irlap.ua.saddr`,
 *   `irlap.ua.daddr`; QoS: `irlap.negotiation` (one per parameter) with `irlap.pi`, `irlap.pl`,
 *   `irlap.pv` (hex).
 * - IrLMP: `irlmp.dst`, `irlmp.dst.c` (control bit), `irlmp.dst.lsap`, `irlmp.src`,
 *   `irlmp.src.lsap`, `irlmp.opcode` (0x01 connect, 0x81 confirm, 0x02 disconnect, 0x03/0x83
 *   access mode), `irlmp.reason`, `irlmp.mode`, `irlmp.status`.
 * - IAS: `iap.ctl`, `iap.ctl.lst`, `iap.ctl.ack`, `iap.ctl.opcode`, `iap.classname`,
 *   `iap.attrname`, `iap.return`, `iap.listlen`, `iap.objectid`, `iap.attrtype`, `iap.int`,
 *   `iap.octseq`, `iap.charset`, `iap.string`.
 * - TinyTP: `ttp.p`, `ttp.icredit`, `ttp.m`, `ttp.dcredit`. Wireshark only dissects TinyTP on
 *   LSAPs it learned from an IAS answer for a class it knows (IrDA:IrCOMM, IrLPT); other
 *   LSAPs' payload shows as `data.data`.
 * Values are strings as tshark prints them ("0x43", "16", "1"); booleans are "0"/"1".
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { expect } from 'chai'

export interface TsharkExpert { severity: string, message: string }

export interface TsharkFrame {
  /** 1-based frame number. */
  number: number
  /** Dissected layers in order, e.g. ['irlap', 'irlmp', 'iap'] ('frame' and '_ws.*' left out). */
  protocols: string[]
  /** Every field by filter name, all occurrences in order. Subtree-only items map to ['']. */
  fields: Record<string, string[]>
  /** True when Wireshark flagged the frame `_ws.malformed`. */
  malformed: boolean
  expert: TsharkExpert[]
}

export const TSHARK_MISSING = 'tshark not found: install it with `apt-get install -y tshark`'

let cachedPath: string | null | undefined

/** The tshark executable: `$TSHARK` if set, else the first `tshark` on PATH; undefined if none. */
export function tsharkPath (): string | undefined {
  if (cachedPath !== undefined) return cachedPath ?? undefined
  const candidates = process.env.TSHARK !== undefined && process.env.TSHARK !== ''
    ? [process.env.TSHARK]
    : (process.env.PATH ?? '').split(delimiter).filter(d => d !== '').map(d => join(d, 'tshark'))
  cachedPath = candidates.find(isExecutable) ?? null
  return cachedPath ?? undefined
}

function isExecutable (p: string): boolean {
  try { accessSync(p, constants.X_OK); return true } catch { return false }
}

/**
 * Skips the calling test (reported as pending, never as passed) when tshark is missing.
 * Call it first thing in `it` or `before`: `requireTshark(this)`.
 */
export function requireTshark (ctx: Mocha.Context): string {
  const p = tsharkPath()
  if (p === undefined) {
    console.log(`      ${TSHARK_MISSING}`)
    ctx.skip()
  }
  return p as string
}

const SEVERITIES: Array<[number, string]> = [
  [0x00800000, 'error'], [0x00600000, 'warning'], [0x00400000, 'note'], [0x00200000, 'chat'], [0x00100000, 'comment'],
]

function severityName (raw: string): string {
  const n = Number(raw)
  if (!Number.isFinite(n)) return raw
  return SEVERITIES.find(([v]) => n >= v)?.[1] ?? raw
}

/** Decodes a pcap with one tshark run. Throws if tshark is missing or fails (not for malformed frames). */
export function tsharkDecode (pcapPath: string): TsharkFrame[] {
  const tshark = tsharkPath()
  if (tshark === undefined) throw new Error(TSHARK_MISSING)
  const r = spawnSync(tshark, ['-r', pcapPath, '-n', '-T', 'json', '--no-duplicate-keys'], {
    encoding: 'utf8', maxBuffer: 1 << 30,
  })
  if (r.error !== undefined) throw r.error
  if (r.status !== 0) throw new Error(`tshark failed (exit ${r.status}) on ${pcapPath}: ${r.stderr.trim()}`)
  const packets = JSON.parse(r.stdout === '' ? '[]' : r.stdout) as Array<{ _source: { layers: Record<string, unknown> } }>
  return packets.map(toFrame)
}

function toFrame (packet: { _source: { layers: Record<string, unknown> } }): TsharkFrame {
  const layers = packet._source.layers
  const fields: Record<string, string[]> = {}
  const expert: TsharkExpert[] = []
  walk(layers, fields, expert)
  return {
    number: Number(fields['frame.number']?.[0]),
    protocols: Object.keys(layers).filter(k => k !== 'frame' && !k.startsWith('_ws')),
    fields,
    malformed: '_ws.malformed' in fields,
    expert,
  }
}

function walk (node: Record<string, unknown>, fields: Record<string, string[]>, expert: TsharkExpert[]): void {
  for (const [key, value] of Object.entries(node)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string') {
        (fields[key] ??= []).push(v)
      } else if (v !== null && typeof v === 'object') {
        const obj = v as Record<string, unknown>
        if (key === '_ws.expert') {
          expert.push({ severity: severityName(String(obj['_ws.expert.severity'] ?? '')), message: String(obj['_ws.expert.message'] ?? '') })
        }
        // A field with a subtree ("irlap.i", "irlap.negotiation"): record that it is there.
        if (/^[\w-]+(\.[\w-]+)+$/.test(key) && !key.endsWith('_tree')) (fields[key] ??= []).push('')
        walk(obj, fields, expert)
      }
    }
  }
}

export interface CleanDecodeOptions {
  /** Also fail on expert info of severity 'warning'. Default false. */
  noWarnings?: boolean
  /** The number of frames the pcap must hold. */
  frames?: number
}

/**
 * Asserts tshark decodes every frame of `pcapPath` without `_ws.malformed` and without expert
 * info of severity error (and warning, if asked). Returns the frames for further assertions.
 */
export function expectCleanDecode (pcapPath: string, opts: CleanDecodeOptions = {}): TsharkFrame[] {
  const frames = tsharkDecode(pcapPath)
  if (opts.frames !== undefined) expect(frames.length, `frames in ${pcapPath}`).to.equal(opts.frames)
  const bad = new Set(opts.noWarnings === true ? ['error', 'warning'] : ['error'])
  const problems = frames.flatMap(f => [
    ...(f.malformed ? [`frame ${f.number}: malformed (${f.protocols.join('/')})`] : []),
    ...f.expert.filter(e => bad.has(e.severity)).map(e => `frame ${f.number}: ${e.severity}: ${e.message}`),
  ])
  expect(problems, `tshark found problems in ${pcapPath}`).to.deep.equal([])
  return frames
}
