/*!
 * Every distinct IrLAP frame of the Linux 4.9 session (shared/reference/linux-4.9-session.md),
 * FCS removed, with the Repr it must decode to. Test-only (excluded from the build).
 */
import type { LapFrame, XidInfo } from '../frame.js'
import { fromHex } from './bytes.js'

const A = 0x9715b0cd // guestA
const B = 0xc709ebe8 // guestB
const LINUX_QOS = { baudRate: 0x3e, maxTurnaround: 0x01, dataSize: 0x3f, windowSize: 0x7f, additionalBofs: 0xff, minTurnaround: 0x03, linkDisconnect: 0x07 }
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'))
const xidInfo = (slot: number): XidInfo => ({ format: 1, source: A, destination: 0xffffffff, slots: 6, newAddress: false, slot, version: 0 })
const xidCmd = (slot: number): LapFrame => ({ caddr: 0x7f, command: true, pf: true, kind: 'XID', info: xidInfo(slot) })
const xidRsp = (slot: number): LapFrame => ({ caddr: 0x7f, command: false, pf: true, kind: 'XID', info: { format: 1, source: B, destination: A, slots: 6, newAddress: false, slot, version: 0, discoveryInfo: fromHex('0400677565737442') } })
const i = (command: boolean, ns: number, nr: number, pf: boolean, info: string): LapFrame => ({ caddr: 0x43, command, pf, kind: 'I', ns, nr, info: fromHex(info) })
const rr = (command: boolean, nr: number): LapFrame => ({ caddr: 0x43, command, pf: true, kind: 'RR', nr })

export const LINUX_FRAMES: Array<{ hex: string, frame: LapFrame, note: string }> = [
  ...[0, 1, 2, 3, 4, 5].map(s => ({ hex: `ff3f01cdb01597ffffffff01${s.toString(16).padStart(2, '0')}00`, frame: xidCmd(s), note: `XID cmd slot ${s}` })),
  { hex: 'ff3f01cdb01597ffffffff01ff000400677565737441', frame: { ...xidCmd(0xff), info: { ...xidInfo(0xff), discoveryInfo: fromHex('0400677565737441') } } as LapFrame, note: 'XID cmd final slot with discovery info' },
  ...[2, 3, 4].map(s => ({ hex: `febf01e8eb09c7cdb0159701${s.toString(16).padStart(2, '0')}000400677565737442`, frame: xidRsp(s), note: `XID rsp slot ${s}` })),
  { hex: 'ff93e8eb09c7cdb015978601013e82010183013f84017f8501ff860103080107', frame: { caddr: 0x7f, command: true, pf: true, kind: 'SNRM', info: { source: B, destination: A, connAddr: 0x43, qos: LINUX_QOS } }, note: 'SNRM with QoS' },
  { hex: '8673cdb01597e8eb09c701013e82010183013f84017f8501ff860103080107', frame: { caddr: 0x43, command: false, pf: true, kind: 'UA', info: { source: A, destination: B, qos: LINUX_QOS } }, note: 'UA with QoS' },
  { hex: '8711', frame: rr(true, 0), note: 'RR cmd nr=0' },
  { hex: '8611', frame: rr(false, 0), note: 'RR rsp nr=0' },
  { hex: '871080110100', frame: i(true, 0, 0, true, '80110100'), note: 'I cmd (LM connect)' },
  { hex: '863091008100', frame: i(false, 0, 1, true, '91008100'), note: 'I rsp' },
  { hex: '8732001184044563686f13497244413a54696e7954503a4c73617053656c', frame: i(true, 1, 1, true, '001184044563686f13497244413a54696e7954503a4c73617053656c'), note: 'I cmd (IAS query)' },
  { hex: '86521100840000018b7c0100000010', frame: i(false, 1, 2, true, '1100840000018b7c0100000010'), note: 'I rsp (IAS answer)' },
  { hex: '875480110201', frame: i(true, 2, 2, true, '80110201'), note: 'I cmd (TTP connect)' },
  { hex: '8671', frame: rr(false, 3), note: 'RR rsp nr=3' },
  { hex: '875690120100', frame: i(true, 3, 2, true, '90120100'), note: 'I cmd' },
  { hex: '8691', frame: rr(false, 4), note: 'RR rsp nr=4' },
  { hex: '8751', frame: rr(true, 2), note: 'RR cmd nr=2' },
  { hex: '869492108100', frame: i(false, 2, 4, true, '92108100'), note: 'I rsp' },
  { hex: '8771', frame: rr(true, 3), note: 'RR cmd nr=3' },
  { hex: '8778101200' + Buffer.from('pristine 4.9.337 test').toString('hex'), frame: { ...i(true, 4, 3, true, ''), info: Uint8Array.of(0x10, 0x12, 0x00, ...bytes('pristine 4.9.337 test')) } as LapFrame, note: 'I cmd (data)' },
  { hex: '86b1', frame: rr(false, 5), note: 'RR rsp nr=5' },
  { hex: '86b6121001' + Buffer.from('pristine 4.9.337 test').toString('hex'), frame: { ...i(false, 3, 5, true, ''), info: Uint8Array.of(0x12, 0x10, 0x01, ...bytes('pristine 4.9.337 test')) } as LapFrame, note: 'I rsp (echo)' },
  { hex: '8791', frame: rr(true, 4), note: 'RR cmd nr=4' },
  { hex: '879a90120201', frame: i(true, 5, 4, true, '90120201'), note: 'I cmd (disconnect)' },
  { hex: '86d1', frame: rr(false, 6), note: 'RR rsp nr=6' },
  { hex: '8753', frame: { caddr: 0x43, command: true, pf: true, kind: 'DISC' }, note: 'DISC' },
  { hex: '8673cdb01597e8eb09c7', frame: { caddr: 0x43, command: false, pf: true, kind: 'UA', info: { source: A, destination: B } }, note: 'UA to DISC (addresses only)' },
]
