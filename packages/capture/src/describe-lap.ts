/*!
 * The IrLAP layer of the describer: frame kind, direction, connection address, P/F, sequence
 * numbers, and the information fields of XID, SNRM, UA, FRMR and TEST, with QoS bits turned
 * into values. Wording follows irdadump (`i:cmd ca=0x43 pf=1 nr=0 ns=0`).
 */
import {
  parseFrame, parseDiscoveryInfo, nrOf, nsOf, sKindOf, uKindOf, FrmrInfoRepr,
  parseParams, qosFromParams, readU32le, ADDR_FIELD, SNRM_FIELD, UA_FIELD, XidInfoRepr, TestInfoRepr, HEADER_LEN, PF_BIT,
  BAUD_RATES, MAX_TURNAROUND_MS, DATA_SIZES, WINDOW_SIZES, ADDITIONAL_BOFS, MIN_TURNAROUND_MS, LINK_DISCONNECT_MS,
  type FrameKind, type LapFrame, type QosFields, type SnrmInfo, type UaInfo,
} from '@irdakit/lap'
import type { Decoded } from '@irdakit/core'
import type { LayerDescription } from './describe.js'

/** `0x00`..`0xff`, made once: a describer formats a few of them per frame. */
export const HEX8: readonly string[] = Array.from({ length: 256 }, (_, n) => `0x${n.toString(16).padStart(2, '0')}`)
const hex8 = (n: number): string => HEX8[n]
const HEX2 = HEX8.map(h => h.slice(2))
const hex32 = (n: number): string => `0x${HEX2[n >>> 24]}${HEX2[(n >>> 16) & 0xFF]}${HEX2[(n >>> 8) & 0xFF]}${HEX2[n & 0xFF]}`
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

function qosSummary (d: Record<string, number[]>): string {
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
      fields.nr = f.nr; fields.ns = f.ns; fields.infoLength = f.info.length
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
        if (info.qos !== undefined) { const qos = describeQos(info.qos); fields.qos = qos; summary += ` ${qosSummary(qos)}` }
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

/**
 * The frame as `parseFrame` returns it, or undefined where `parseFrame` would fail (the caller
 * then asks `parseFrame` for its error). The same dispatch (IrLAP 1.1 section 5.2.2) but each
 * frame built as one literal: `parseFrame` builds it with an object spread plus fields, which
 * V8 in Node 20 makes cost about 2.5 us a frame, more than everything else `irda dump` does
 * with a frame. describe.test.ts checks the two agree on any bytes.
 * @internal
 */
export function lapFrameOf (bytes: Uint8Array): LapFrame | undefined {
  if (bytes.length < HEADER_LEN) return undefined
  const caddr = bytes[0] >> 1
  const command = (bytes[0] & 0x01) !== 0
  const c = bytes[1]
  const pf = (c & PF_BIT) !== 0
  const info = bytes.subarray(HEADER_LEN)
  if ((c & 0x01) === 0) return { caddr, command, pf, kind: 'I', ns: nsOf(c), nr: nrOf(c), info }
  if ((c & 0x03) === 0x01) return info.length > 0 ? undefined : { caddr, command, pf, kind: sKindOf(c), nr: nrOf(c) }
  const kind = uKindOf(c, command)
  switch (kind) {
    case undefined: return undefined
    case 'DISC': case 'RD': case 'DM': case 'RNRM':
      return info.length > 0 ? undefined : { caddr, command, pf, kind }
    case 'SNRM': case 'UA': {
      if (info.length === 0) return { caddr, command, pf, kind }
      const linkInfo = snrmUaInfoOf(info, kind === 'SNRM')
      return linkInfo === undefined ? undefined : { caddr, command, pf, kind, info: linkInfo } as LapFrame
    }
    case 'FRMR': return withInfo(caddr, command, pf, kind, FrmrInfoRepr.parse(info))
    case 'XID': return withInfo(caddr, command, pf, kind, XidInfoRepr.parse(info))
    case 'TEST': return withInfo(caddr, command, pf, kind, TestInfoRepr.parse(info, caddr))
    case 'UI': return { caddr, command, pf, kind, info }
  }
}

/** SnrmInfoRepr/UaInfoRepr.parse without their spreads (see {@link lapFrameOf}); undefined where they fail. */
function snrmUaInfoOf (info: Uint8Array, snrm: boolean): SnrmInfo | UaInfo | undefined {
  const paramsAt = snrm ? SNRM_FIELD.PARAMS : UA_FIELD.PARAMS
  if (info.length < paramsAt) return undefined
  const params = parseParams(info.subarray(paramsAt))
  if (!params.ok) return undefined
  const source = readU32le(info, ADDR_FIELD.SOURCE)
  const destination = readU32le(info, ADDR_FIELD.DESTINATION)
  const r: SnrmInfo | UaInfo = snrm ? { source, destination, connAddr: info[SNRM_FIELD.CONN_ADDR] >> 1 } : { source, destination }
  if (params.value.length === 0) return r
  const parsed = qosFromParams(params.value)
  r.qos = parsed.qos
  if (parsed.unknown.length > 0) r.unknownParams = parsed.unknown
  if (parsed.quirks.length > 0) r.qosQuirks = parsed.quirks
  return r
}

function withInfo (caddr: number, command: boolean, pf: boolean, kind: FrameKind, r: Decoded<unknown>): LapFrame | undefined {
  return r.ok ? { caddr, command, pf, kind, info: r.value } as LapFrame : undefined
}

/** Describes the IrLAP layer. On a decode error, returns what the header still tells. */
export function describeLap (bytes: Uint8Array): { layer?: LayerDescription, error?: string } {
  const f = lapFrameOf(bytes)
  if (f !== undefined) return { layer: describeParsed(f) }
  const r = parseFrame(bytes, { copyInfo: false })
  if (r.ok) return { layer: describeParsed(r.value) } // not reached while lapFrameOf agrees with parseFrame
  const error = `${r.error.name}: ${r.error.message}`
  if (bytes.length < HEADER_LEN) return { error }
  const caddr = bytes[0] >> 1
  const command = (bytes[0] & 0x01) !== 0
  const control = bytes[1]
  const fields = { caddr, command, control, pf: (control & PF_BIT) !== 0, length: bytes.length }
  return { layer: { layer: 'LAP', summary: `?:${command ? 'cmd' : 'rsp'} ca=${hex8(caddr)} c=${hex8(control)}`, fields }, error }
}
