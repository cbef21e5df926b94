/*!
 * SNRM and UA information fields (IrLAP 1.1 sections 6.3.1, 6.3.2, 6.6):
 *
 *   SNRM: source(4, LE) destination(4, LE) connection-address(1, caddr << 1) parameters...
 *   UA:   source(4, LE) destination(4, LE) parameters...
 *
 * Both may be empty (a UA answering DISC carries only the two addresses, as the Linux session
 * shows, and a bare UA or SNRM is legal); `qos` is absent when no parameter was sent.
 */
import { ok, type Decoded } from '@irdakit/core'
import type { SnrmInfo, UaInfo } from '../frame.js'
import { AddressPairRepr, ADDR_FIELD } from './addresses.js'
import { TruncatedFrameError, InvalidReprError, failWith } from './errors.js'
import { isIntIn } from './bytes.js'
import { parseParams, paramsLen, emitParams, type Param } from '../qos/params.js'
import { qosFromParams, qosParams } from '../qos/codec.js'

export const SNRM_FIELD = { CONN_ADDR: ADDR_FIELD.END, PARAMS: ADDR_FIELD.END + 1 } as const
export const UA_FIELD = { PARAMS: ADDR_FIELD.END } as const

interface ParamsPart { qos?: SnrmInfo['qos'], unknownParams?: Param[], qosQuirks?: SnrmInfo['qosQuirks'] }

function parseParamsPart (bytes: Uint8Array): Decoded<ParamsPart> {
  const params = parseParams(bytes)
  if (!params.ok) return params
  if (params.value.length === 0) return ok({})
  const parsed = qosFromParams(params.value)
  const part: ParamsPart = { qos: parsed.qos }
  if (parsed.unknown.length > 0) part.unknownParams = parsed.unknown
  if (parsed.quirks.length > 0) part.qosQuirks = parsed.quirks
  return ok(part)
}

function paramsOf (r: ParamsPart): Param[] {
  return [...(r.qos !== undefined ? qosParams(r.qos) : []), ...(r.unknownParams ?? [])]
}

export const SnrmInfoRepr = {
  /** Parses a non-empty SNRM information field. */
  parse (info: Uint8Array): Decoded<SnrmInfo> {
    const addrs = AddressPairRepr.parse(info, 'SNRM information')
    if (!addrs.ok) return addrs
    if (info.length < SNRM_FIELD.PARAMS) return failWith(new TruncatedFrameError('SNRM information', SNRM_FIELD.PARAMS, info.length))
    const part = parseParamsPart(info.subarray(SNRM_FIELD.PARAMS))
    if (!part.ok) return part
    return ok({ ...addrs.value, connAddr: info[SNRM_FIELD.CONN_ADDR] >> 1, ...part.value })
  },
  bufferLen: (r: SnrmInfo): number => SNRM_FIELD.PARAMS + paramsLen(paramsOf(r)),
  emit (r: SnrmInfo, out: Uint8Array): void {
    if (!isIntIn(r.connAddr, 0, 0x7F)) throw new InvalidReprError(`SNRM connection address ${r.connAddr} is not 7 bits`)
    AddressPairRepr.emit(r, out)
    out[SNRM_FIELD.CONN_ADDR] = r.connAddr << 1
    emitParams(paramsOf(r), out.subarray(SNRM_FIELD.PARAMS))
  },
}

export const UaInfoRepr = {
  /** Parses a non-empty UA information field. */
  parse (info: Uint8Array): Decoded<UaInfo> {
    const addrs = AddressPairRepr.parse(info, 'UA information')
    if (!addrs.ok) return addrs
    const part = parseParamsPart(info.subarray(UA_FIELD.PARAMS))
    if (!part.ok) return part
    return ok({ ...addrs.value, ...part.value })
  },
  bufferLen: (r: UaInfo): number => UA_FIELD.PARAMS + paramsLen(paramsOf(r)),
  emit (r: UaInfo, out: Uint8Array): void {
    AddressPairRepr.emit(r, out)
    emitParams(paramsOf(r), out.subarray(UA_FIELD.PARAMS))
  },
}
