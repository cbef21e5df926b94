/*!
 * The IrLAP layer of the describer: frame kind, direction, connection address, P/F, sequence
 * numbers, and the information fields of XID, SNRM, UA, FRMR and TEST, with QoS bits turned
 * into values. Wording follows irdadump (`i:cmd ca=0x43 pf=1 nr=0 ns=0`).
 */
import {
  parseFrame, parseDiscoveryInfo, FrameView,
  BAUD_RATES, MAX_TURNAROUND_MS, DATA_SIZES, WINDOW_SIZES, ADDITIONAL_BOFS, MIN_TURNAROUND_MS, LINK_DISCONNECT_MS,
  type LapFrame, type QosFields,
} from '@irdakit/lap'
import type { LayerDescription } from './describe.js'

const hex8 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`
const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`
const bit = (b: boolean): string => (b ? '1' : '0')

/** The values a bit field allows, lowest bit first. */
function valuesOf (bits: number, table: readonly number[]): number[] {
  return table.filter((_, i) => (bits & (1 << i)) !== 0)
}

/** QoS bit fields as the values they allow. */
export function describeQos (q: QosFields): Record<string, number[]> {
  return {
    baudRate: valuesOf(q.baudRate, BAUD_RATES),
    maxTurnaroundMs: valuesOf(q.maxTurnaround, MAX_TURNAROUND_MS),
    dataSize: valuesOf(q.dataSize, DATA_SIZES),
    windowSize: valuesOf(q.windowSize, WINDOW_SIZES),
    additionalBofs: valuesOf(q.additionalBofs, ADDITIONAL_BOFS),
    minTurnaroundMs: valuesOf(q.minTurnaround, MIN_TURNAROUND_MS),
    linkDisconnectMs: valuesOf(q.linkDisconnect, LINK_DISCONNECT_MS),
  }
}

function qosSummary (q: QosFields): string {
  const d = describeQos(q)
  const last = (a: number[]): number | string => a.length > 0 ? a[a.length - 1] : '?'
  return `baud=${d.baudRate.join(',')} maxturn=${last(d.maxTurnaroundMs)}ms data=${last(d.dataSize)} win=${last(d.windowSize)} xbofs=${last(d.additionalBofs)} minturn=${last(d.minTurnaroundMs)}ms disc=${Number(last(d.linkDisconnectMs)) / 1000}s`
}

function discoverySummary (info: Uint8Array | undefined, fields: Record<string, unknown>): string {
  if (info === undefined) return ''
  const d = parseDiscoveryInfo(info)
  if (!d.ok) { fields.discoveryError = d.error.message; return ' [bad discovery info]' }
  let hints = ''
  for (const b of d.value.hints) hints += b.toString(16).padStart(2, '0')
  Object.assign(fields, { hints, charset: d.value.charset, nickname: d.value.nickname })
  return ` ${JSON.stringify(d.value.nickname)} hint=${hints}`
}

function describeParsed (f: LapFrame): LayerDescription {
  const dir = f.command ? 'cmd' : 'rsp'
  const fields: Record<string, unknown> = { kind: f.kind, caddr: f.caddr, command: f.command, pf: f.pf }
  const head = `${f.kind.toLowerCase()}:${dir}`
  const ca = `ca=${hex8(f.caddr)} pf=${bit(f.pf)}`
  let summary: string
  switch (f.kind) {
    case 'I':
      Object.assign(fields, { nr: f.nr, ns: f.ns, infoLength: f.info.length })
      summary = `${head} ${ca} nr=${f.nr} ns=${f.ns} len=${f.info.length}`
      break
    case 'RR': case 'RNR': case 'REJ': case 'SREJ':
      fields.nr = f.nr
      summary = `${head} ${ca} nr=${f.nr}`
      break
    case 'XID': {
      const x = f.info
      Object.assign(fields, { format: x.format, source: x.source, destination: x.destination, slots: x.slots, slot: x.slot, newAddress: x.newAddress, version: x.version })
      summary = `${head} ${hex32(x.source)} > ${hex32(x.destination)} S=${x.slots} s=${x.slot}${x.newAddress ? ' new-addr' : ''}${discoverySummary(x.discoveryInfo, fields)}`
      break
    }
    case 'SNRM': case 'UA': {
      summary = `${head} ${ca}`
      const info = f.info
      if (info !== undefined) {
        Object.assign(fields, { source: info.source, destination: info.destination })
        if ('connAddr' in info) { fields.connAddr = info.connAddr; summary = `${head} ca=${hex8(info.connAddr)} pf=${bit(f.pf)}` }
        summary += ` ${hex32(info.source)} > ${hex32(info.destination)}`
        if (info.qos !== undefined) { fields.qos = describeQos(info.qos); summary += ` ${qosSummary(info.qos)}` }
        if (info.unknownParams !== undefined) fields.unknownParams = info.unknownParams.map(p => p.pi)
        if (info.qosQuirks !== undefined) fields.qosQuirks = info.qosQuirks
      }
      break
    }
    case 'FRMR': {
      const r = f.info
      Object.assign(fields, { ...r })
      const flags = (['w', 'x', 'y', 'z'] as const).filter(k => r[k]).map(k => k.toUpperCase()).join('')
      summary = `${head} ${ca} rejected=${hex8(r.rejectedControl)}:${r.rejectedCommand ? 'cmd' : 'rsp'} vs=${r.vs} vr=${r.vr}${flags !== '' ? ` ${flags}` : ''}`
      break
    }
    case 'TEST': {
      const t = f.info
      Object.assign(fields, { dataLength: t.data.length })
      const addrs = t.source !== undefined && t.destination !== undefined ? ` ${hex32(t.source)} > ${hex32(t.destination)}` : ''
      if (addrs !== '') Object.assign(fields, { source: t.source, destination: t.destination })
      summary = `${head} ${ca}${addrs} len=${t.data.length}`
      break
    }
    case 'UI':
      fields.infoLength = f.info.length
      summary = `${head} ${ca} len=${f.info.length}`
      break
    default:
      summary = `${head} ${ca}`
  }
  return { layer: 'LAP', summary, fields }
}

/** Describes the IrLAP layer. On a decode error, returns what the header still tells. */
export function describeLap (bytes: Uint8Array): { layer?: LayerDescription, error?: string } {
  const r = parseFrame(bytes, { copyInfo: false }) // only lengths of I and UI information are kept
  if (r.ok) return { layer: describeParsed(r.value) }
  const error = `${r.error.name}: ${r.error.message}`
  const v = FrameView.checked(bytes)
  if (!v.ok) return { error }
  const h = v.value
  const fields = { caddr: h.caddr, command: h.command, control: h.control, pf: h.pf, length: bytes.length }
  return { layer: { layer: 'LAP', summary: `?:${h.command ? 'cmd' : 'rsp'} ca=${hex8(h.caddr)} c=${hex8(h.control)}`, fields }, error }
}
