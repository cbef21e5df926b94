/*! One-line descriptions of IrLAP frames for tester traces and failure messages (irdadump style). */
import type { LapFrame } from '../frame.js'
import { parseFrame, toHex } from '../wire/index.js'

const hex32 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0')

export function describeFrame (f: LapFrame): string {
  const head = `${f.kind.toLowerCase()}:${f.command ? 'cmd' : 'rsp'} ca=0x${f.caddr.toString(16).padStart(2, '0')}${f.pf ? (f.command ? ' P' : ' F') : ''}`
  switch (f.kind) {
    case 'I': return `${head} ns=${f.ns} nr=${f.nr} len=${f.info.length}`
    case 'RR': case 'RNR': case 'REJ': case 'SREJ': return `${head} nr=${f.nr}`
    case 'XID': return `${head} ${hex32(f.info.source)} > ${hex32(f.info.destination)} S=${f.info.slots} s=${f.info.slot === 0xFF ? 'final' : f.info.slot}${f.info.newAddress ? ' new-address' : ''}`
    case 'SNRM': return f.info === undefined ? head : `${head} ${hex32(f.info.source)} > ${hex32(f.info.destination)} conn=0x${f.info.connAddr.toString(16)}`
    case 'UA': return f.info === undefined ? head : `${head} ${hex32(f.info.source)} > ${hex32(f.info.destination)}`
    case 'FRMR': return `${head} ctl=0x${f.info.rejectedControl.toString(16)} ${['w', 'x', 'y', 'z'].filter(k => f.info[k as 'w']).join('')}`
    case 'UI': return `${head} len=${f.info.length}`
    case 'TEST': return `${head} len=${f.info.data.length}`
    default: return head
  }
}

/** Describes raw bytes: the decoded frame, or why it does not decode. */
export function describeBytes (bytes: Uint8Array): string {
  const d = parseFrame(bytes)
  return d.ok ? describeFrame(d.value) : `malformed (${d.error.message}): ${toHex(bytes.slice(0, 16))}`
}
