/*!
 * The fuzz corpus: every distinct IrLAP frame of the real sessions in `corpus/README.md`, and
 * the layers inside them (IrLMP PDUs, IAS bodies, TinyTP PDUs, IrCOMM cooked frames), found by
 * decoding the sessions the way `irda dump` does.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodePcap } from '@irdakit/capture'
import { parseFrame } from '@irdakit/lap'
import { parseLmpPdu, LSAP } from '@irdakit/lmp'
import { TtpDataPdu } from '@irdakit/ttp'
import { linuxSession } from '../helpers/linux-session.js'

export const PCAP_FILES = ['demo-115200.pcap', 'demo-4m-ber.pcap']
  .map(name => fileURLToPath(new URL(`./corpus/${name}`, import.meta.url)))

export interface Corpus {
  /** Whole IrLAP frames (A + C + I, no FCS). */
  frames: Uint8Array[]
  /** Information fields of XID frames; of SNRM and UA frames, the QoS parameter lists. */
  xidInfos: Uint8Array[]
  qosLists: Uint8Array[]
  /** IrLMP PDUs (the information field of I and UI frames). */
  lmpPdus: Uint8Array[]
  /** IAS frames (control byte + body) sent to IAS, and sent by it. */
  iasRequests: Uint8Array[]
  iasResponses: Uint8Array[]
  /** TinyTP connect PDUs (IrLMP connect user data) and data PDUs. */
  ttpConnects: Uint8Array[]
  ttpData: Uint8Array[]
  /** TinyTP SDUs on IrCOMM selectors: IrCOMM cooked frames. */
  ircommFrames: Uint8Array[]
  /** Whole pcap files. */
  pcaps: Uint8Array[]
}

let cached: Corpus | undefined

export function loadCorpus (): Corpus {
  if (cached !== undefined) return cached
  const pcaps = PCAP_FILES.map(p => new Uint8Array(readFileSync(p)))
  const frames = distinct([
    ...linuxSession().map(f => f.frame),
    ...pcaps.flatMap(p => { const r = decodePcap(p); if (!r.ok) throw r.error; return r.value.map(rec => rec.frame) }),
  ])
  const c: Corpus = { frames, xidInfos: [], qosLists: [], lmpPdus: [], iasRequests: [], iasResponses: [], ttpConnects: [], ttpData: [], ircommFrames: [], pcaps }
  // Selectors carrying TinyTP: every selector that sent or took an IrLMP connect with user data.
  const ttpLsaps = new Set<number>()
  for (const bytes of frames) {
    const f = parseFrame(bytes)
    if (!f.ok) continue
    const frame = f.value
    if (frame.kind === 'XID') c.xidInfos.push(bytes.subarray(2))
    if ((frame.kind === 'SNRM' || frame.kind === 'UA') && frame.info !== undefined) c.qosLists.push(bytes.subarray(frame.kind === 'SNRM' ? 11 : 10))
    if (frame.kind !== 'I' && frame.kind !== 'UI') continue
    c.lmpPdus.push(frame.info)
    const p = parseLmpPdu(frame.info)
    if (!p.ok) continue
    const pdu = p.value
    if ((pdu.kind === 'connect' || pdu.kind === 'connect-confirm') && pdu.userData.length > 0) {
      c.ttpConnects.push(pdu.userData)
      ttpLsaps.add(pdu.slsap).add(pdu.dlsap)
    }
    if (pdu.kind !== 'data') continue
    if (pdu.dlsap === LSAP.IAS) c.iasRequests.push(pdu.data)
    else if (pdu.slsap === LSAP.IAS) c.iasResponses.push(pdu.data)
    else if (ttpLsaps.has(pdu.slsap) && pdu.data.length > 0) {
      c.ttpData.push(pdu.data)
      const t = TtpDataPdu.parse(pdu.data)
      // The demo's echo runs on IrDA:IrCOMM (9-wire cooked frames); the Linux session's does not.
      if (t.ok && t.value.data.length > 0 && pdu.slsap !== 0x10 && pdu.slsap !== 0x12) c.ircommFrames.push(t.value.data)
    }
  }
  for (const k of ['xidInfos', 'qosLists', 'lmpPdus', 'iasRequests', 'iasResponses', 'ttpConnects', 'ttpData', 'ircommFrames'] as const) {
    c[k] = distinct(c[k]).filter(b => b.length > 0).map(b => b.slice())
    if (c[k].length === 0) throw new Error(`fuzz corpus: no ${k} in the sessions`)
  }
  cached = c
  return c
}

function distinct (list: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>()
  return list.filter(b => { const k = Buffer.from(b).toString('hex'); if (seen.has(k)) return false; seen.add(k); return true })
}
