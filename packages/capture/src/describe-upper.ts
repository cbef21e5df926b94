/*!
 * The IrLMP, IAS and TinyTP layers of the describer. IrLMP and IAS frames describe themselves;
 * TinyTP does not (a TTP header is one byte anyone could misread), so, like Wireshark, a
 * {@link DecodeSession} learns which LSAP selectors carry TinyTP from IAS answers for
 * `IrDA:TinyTP:LsapSel` seen earlier in the same capture, and, when the class was `IrDA:IrCOMM`,
 * reads each TinyTP SDU as an IrCOMM cooked frame, as Wireshark does.
 */
import {
  parseLmpPdu, parseIapControl, parseGetValueByClass, parseGetValueByClassResponse, decodeText, IAP_OPCODE, LSAP,
  type IasValue, type LmpPdu,
} from '@irdakit/lmp'
import { TtpConnectPdu, TtpDataPdu } from '@irdakit/ttp'
import type { LayerDescription } from './describe.js'

const TTP_ATTRIBUTE = 'IrDA:TinyTP:LsapSel'
const IRCOMM_CLASS = 'IrDA:IrCOMM'
/** The most an IAS operation may span, as in the stack's IAS client (IrLMP's multiplexer). */
export const IAS_REASSEMBLY_LIMIT = 4096
const hex8 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`

const IAS_OPS: Record<number, string> = {
  [IAP_OPCODE.GET_INFO_BASE_DETAILS]: 'GetInfoBaseDetails',
  [IAP_OPCODE.GET_OBJECTS]: 'GetObjects',
  [IAP_OPCODE.GET_VALUE]: 'GetValue',
  [IAP_OPCODE.GET_VALUE_BY_CLASS]: 'GetValueByClass',
  [IAP_OPCODE.GET_OBJECT_INFO]: 'GetObjectInfo',
  [IAP_OPCODE.GET_ATTRIBUTE_NAMES]: 'GetAttributeNames',
}
const IAS_RETURNS: Record<number, string> = { 0: 'success', 1: 'no-such-class', 2: 'no-such-attribute', 3: 'attribute-list-too-long', 10: 'disconnect', 0xFF: 'unsupported' }
const LMP_REASONS: Record<number, string> = {
  1: 'user-request', 2: 'lap-disconnect', 3: 'lap-connect-failed', 4: 'lap-reset', 5: 'lm-initiated',
  6: 'data-on-closed-lsap', 7: 'non-responsive', 8: 'no-available-client', 9: 'half-open', 10: 'illegal-source', 0xFF: 'unspecified',
}

/** What a capture has taught us so far: which selectors speak TinyTP, and which IAS queries await answers. */
export class DecodeSession {
  /** LSAP selectors known to carry TinyTP. */
  readonly ttpLsaps = new Set<number>()
  /** Of those, the ones announced as `IrDA:IrCOMM`: their SDUs are IrCOMM cooked frames. */
  readonly ircommLsaps = new Set<number>()
  /** IAS queries by the querying selector, waiting for their answer. */
  private readonly pendingIas = new Map<number, { className: string, attributeName: string }>()
  /** Bytes of IAS requests/responses that span frames, by direction and client selector. */
  private readonly iasParts = new Map<string, { bytes: number[], frames: number }>()
  /** What the session refused: IAS operations dropped for running past {@link IAS_REASSEMBLY_LIMIT}. */
  readonly stats = { iasOverflows: 0 }

  constructor (ttpLsaps: Iterable<number> = []) { for (const s of ttpLsaps) this.ttpLsaps.add(s) }

  /** @internal */ noteQuery (slsap: number, className: string, attributeName: string): void {
    this.pendingIas.set(slsap, { className, attributeName })
  }

  /** Bytes held for IAS operations still waiting for their Lst frame. */
  retainedIasBytes (): number {
    let n = 0
    for (const p of this.iasParts.values()) n += p.bytes.length
    return n
  }

  /**
   * @internal Collects the body of a multi-frame IAS operation. Returns the whole body on the
   * frame with Lst set, undefined while more frames are to come, or 'overflow' when the body
   * ran past the limit (it is then dropped, as the stack's IAS client drops it).
   */
  collectIas (key: string, body: Uint8Array, last: boolean): { body: Uint8Array, frames: number } | 'overflow' | undefined {
    const parts = this.iasParts.get(key) ?? { bytes: [], frames: 0 }
    for (const b of body) parts.bytes.push(b)
    parts.frames++
    if (parts.bytes.length > IAS_REASSEMBLY_LIMIT) {
      this.iasParts.delete(key)
      this.stats.iasOverflows++
      return 'overflow'
    }
    if (!last) { this.iasParts.set(key, parts); return undefined }
    this.iasParts.delete(key)
    return { body: Uint8Array.from(parts.bytes), frames: parts.frames }
  }

  /** @internal */ noteAnswer (dlsap: number, entries: Array<{ value: IasValue }>): { className: string, attributeName: string } | undefined {
    const q = this.pendingIas.get(dlsap)
    this.pendingIas.delete(dlsap)
    if (q?.attributeName === TTP_ATTRIBUTE) {
      for (const e of entries) {
        if (e.value.type !== 'integer') continue
        this.ttpLsaps.add(e.value.value & 0x7F)
        if (q.className === IRCOMM_CLASS) this.ircommLsaps.add(e.value.value & 0x7F)
      }
    }
    return q
  }
}

/** Describes the LM-MUX PDU inside an I or UI frame, and the IAS or TinyTP PDU inside it. */
export function describeUpper (info: Uint8Array, session: DecodeSession | undefined): { layers: LayerDescription[], error?: string } {
  const p = parseLmpPdu(info)
  if (!p.ok) return { layers: [], error: `IrLMP: ${p.error.message}` }
  const pdu = p.value
  const layers: LayerDescription[] = [describeLmp(pdu)]
  const ttp = session !== undefined && pdu.dlsap !== LSAP.IAS && pdu.slsap !== LSAP.IAS &&
    (session.ttpLsaps.has(pdu.dlsap) || session.ttpLsaps.has(pdu.slsap))
  let error: string | undefined
  if (pdu.kind === 'data' && pdu.dlsap === LSAP.IAS) error = pushIas(layers, pdu.data, 'request', pdu.slsap, session)
  else if (pdu.kind === 'data' && pdu.slsap === LSAP.IAS) error = pushIas(layers, pdu.data, 'response', pdu.dlsap, session)
  else if (ttp && pdu.kind === 'data') {
    const ircomm = session.ircommLsaps.has(pdu.dlsap) || session.ircommLsaps.has(pdu.slsap)
    error = pushTtpData(layers, pdu.data, ircomm)
  }
  else if (ttp && (pdu.kind === 'connect' || pdu.kind === 'connect-confirm') && pdu.userData.length > 0) error = pushTtpConnect(layers, pdu.userData)
  return error === undefined ? { layers } : { layers, error }
}

function describeLmp (pdu: LmpPdu): LayerDescription {
  const fields: Record<string, unknown> = { kind: pdu.kind, dlsap: pdu.dlsap, slsap: pdu.slsap }
  const route = `${hex8(pdu.slsap)} > ${hex8(pdu.dlsap)}`
  let what: string
  switch (pdu.kind) {
    case 'data':
      fields.length = pdu.data.length
      what = pdu.dlsap === LSAP.CONNECTIONLESS ? `connectionless len=${pdu.data.length}` : `data len=${pdu.data.length}`
      break
    case 'connect': case 'connect-confirm':
      fields.userDataLength = pdu.userData.length
      what = pdu.kind === 'connect' ? 'connect' : 'connect-confirm'
      break
    case 'disconnect':
      Object.assign(fields, { reason: pdu.reason, reasonName: LMP_REASONS[pdu.reason] ?? 'unknown' })
      what = `disconnect reason=${LMP_REASONS[pdu.reason] ?? hex8(pdu.reason)}`
      break
    case 'access-mode':
      fields.mode = pdu.mode
      what = `access-mode ${pdu.mode}`
      break
    case 'access-mode-confirm':
      Object.assign(fields, { mode: pdu.mode, status: pdu.status })
      what = `access-mode-confirm ${pdu.mode} ${pdu.status}`
      break
  }
  return { layer: 'LMP', summary: `lmp: ${route} ${what}`, fields }
}

function pushIas (layers: LayerDescription[], frame: Uint8Array, dir: 'request' | 'response', clientLsap: number, session: DecodeSession | undefined): string | undefined {
  if (frame.length === 0) return 'IAS: empty frame'
  const ctl = parseIapControl(frame[0])
  const op = IAS_OPS[ctl.opcode] ?? `op${ctl.opcode}`
  const fields: Record<string, unknown> = { opcode: ctl.opcode, operation: op, lst: ctl.lst, ack: ctl.ack, direction: dir }
  if (ctl.ack) { layers.push({ layer: 'IAS', summary: `ias: ${op} ack`, fields }); return undefined }
  let body = frame.subarray(1)
  if (session !== undefined) {
    const whole = session.collectIas(`${dir}:${clientLsap}`, body, ctl.lst)
    if (whole === 'overflow') { layers.push({ layer: 'IAS', summary: `ias: ${op} ${dir}`, fields }); return `IAS: ${dir} runs past ${IAS_REASSEMBLY_LIMIT} bytes without Lst, dropped` }
    if (whole === undefined) { layers.push({ layer: 'IAS', summary: `ias: ${op} ${dir} (more frames follow, ${body.length} bytes)`, fields }); return undefined }
    body = whole.body
    fields.frames = whole.frames
  } else if (!ctl.lst) {
    layers.push({ layer: 'IAS', summary: `ias: ${op} ${dir} (more frames follow, ${body.length} bytes)`, fields })
    return undefined
  }
  if (ctl.opcode !== IAP_OPCODE.GET_VALUE_BY_CLASS) { layers.push({ layer: 'IAS', summary: `ias: ${op} ${dir}`, fields }); return undefined }
  if (dir === 'request') {
    const r = parseGetValueByClass(body)
    if (!r.ok) { layers.push({ layer: 'IAS', summary: `ias: ${op}`, fields }); return `IAS: ${r.error.message}` }
    Object.assign(fields, r.value)
    session?.noteQuery(clientLsap, r.value.className, r.value.attributeName)
    layers.push({ layer: 'IAS', summary: `ias: ${op} "${r.value.className}" "${r.value.attributeName}"`, fields })
    return undefined
  }
  const r = parseGetValueByClassResponse(body)
  if (!r.ok) { layers.push({ layer: 'IAS', summary: `ias: ${op} result`, fields }); return `IAS: ${r.error.message}` }
  const q = session?.noteAnswer(clientLsap, r.value.entries)
  const values = r.value.entries.map(e => `${e.objectId.toString(16)}:${valueText(e.value)}`)
  Object.assign(fields, { returnCode: r.value.returnCode, entries: r.value.entries.map(e => ({ objectId: e.objectId, value: valueText(e.value) })) })
  if (q !== undefined) Object.assign(fields, q)
  const ret = IAS_RETURNS[r.value.returnCode] ?? hex8(r.value.returnCode)
  layers.push({ layer: 'IAS', summary: `ias: ${op} ${ret}${values.length > 0 ? ' ' + values.join(' ') : ''}`, fields })
  return undefined
}

function pushTtpData (layers: LayerDescription[], bytes: Uint8Array, ircomm: boolean): string | undefined {
  const r = TtpDataPdu.parse(bytes)
  if (!r.ok) return `TTP: ${r.error.message}`
  layers.push({
    layer: 'TTP',
    summary: `ttp: credit=${r.value.credit}${r.value.more ? ' M' : ''} len=${r.value.data.length}`,
    fields: { credit: r.value.credit, more: r.value.more, length: r.value.data.length },
  })
  // IrCOMM runs TinyTP without SAR, so each data PDU is one cooked frame: clen, control, data.
  if (ircomm && r.value.data.length > 0 && !r.value.more) return pushIrcomm(layers, r.value.data)
  return undefined
}

/** An IrCOMM cooked frame (IrCOMM 1.0 section 3): clen, clen bytes of control parameters, data. */
function pushIrcomm (layers: LayerDescription[], frame: Uint8Array): string | undefined {
  const clen = frame[0]
  if (1 + clen > frame.length) return `IrCOMM: clen ${clen} runs past the ${frame.length}-byte frame`
  const dataLength = frame.length - 1 - clen
  layers.push({ layer: 'IrCOMM', summary: `ircomm: clen=${clen} len=${dataLength}`, fields: { clen, length: dataLength } })
  return undefined
}

function pushTtpConnect (layers: LayerDescription[], bytes: Uint8Array): string | undefined {
  const r = TtpConnectPdu.parse(bytes)
  if (!r.ok) return `TTP: ${r.error.message}`
  const sdu = r.value.maxSduSize === undefined ? '' : ` maxsdu=${r.value.maxSduSize}`
  layers.push({
    layer: 'TTP',
    summary: `ttp: connect credit=${r.value.credit}${sdu}`,
    fields: { credit: r.value.credit, maxSduSize: r.value.maxSduSize ?? 0, userDataLength: r.value.userData.length },
  })
  return undefined
}

function valueText (v: IasValue): string {
  switch (v.type) {
    case 'missing': return 'missing'
    case 'integer': return `int(${v.value})`
    case 'octets': return `octets(${v.value.length})`
    case 'string': return JSON.stringify(decodeText(v.value, v.charset))
  }
}
