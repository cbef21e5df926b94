/*!
 * The "source, destination" pair that starts the SNRM, UA and NDM TEST information fields
 * (IrLAP 1.1 sections 6.3.1, 6.3.2, 6.10): two 32-bit device addresses, little-endian.
 */
import { ok, type Decoded } from '@irdakit/core'
import { readU32le, writeU32le, isIntIn } from './bytes.js'
import { TruncatedFrameError, InvalidReprError, failWith } from './errors.js'

export const ADDR_FIELD = { SOURCE: 0, DESTINATION: 4, END: 8 } as const

export interface AddressPair { source: number, destination: number }

export const AddressPairRepr = {
  parse (info: Uint8Array, what: string): Decoded<AddressPair> {
    if (info.length < ADDR_FIELD.END) return failWith(new TruncatedFrameError(what, ADDR_FIELD.END, info.length))
    return ok({ source: readU32le(info, ADDR_FIELD.SOURCE), destination: readU32le(info, ADDR_FIELD.DESTINATION) })
  },
  bufferLen: (): number => ADDR_FIELD.END,
  emit (r: AddressPair, out: Uint8Array): void {
    checkDeviceAddress(r.source, 'source')
    checkDeviceAddress(r.destination, 'destination')
    writeU32le(out, ADDR_FIELD.SOURCE, r.source)
    writeU32le(out, ADDR_FIELD.DESTINATION, r.destination)
  },
}

export function checkDeviceAddress (a: number, name: string): void {
  if (!isIntIn(a, 0, 0xFFFFFFFF)) throw new InvalidReprError(`${name} device address ${a} is not a 32-bit unsigned integer`)
}
