/*!
 * The device profile (what the 1995 guidelines call the Compliance Statement, Bluetooth a PICS):
 * what the target can do, declared by the user or probed from its XID answer and its UA. It
 * selects the cases that apply and records the IrDA Lite / full classification.
 */
import { BAUD_RATES, DATA_SIZES, LINK_DISCONNECT_MS, MAX_TURNAROUND_MS, MIN_TURNAROUND_MS, WINDOW_SIZES, ADDITIONAL_BOFS, parseDiscoveryInfo, type QosFields } from '@irdakit/lap'
import { PrimaryLink, TESTER_DISCOVERY_INFO, xidCommand, ANSWER_MS, sirSpeeds, testerQos } from './link.js'
import type { TesterStation } from './station.js'

export interface Profile {
  source: 'probed' | 'declared'
  deviceAddress: number
  nickname: string
  /** Service hint bytes from discovery. */
  hints: number[]
  /** What the target's UA offered (IrLAP 6.6). */
  speeds: number[]
  windowSize: number
  dataSize: number
  maxTurnaroundMs: number
  minTurnaroundMs: number
  additionalBofs: number
  linkDisconnectMs: number
  /** IrDA Lite IrLAP (Minimal IrDA 1.0): 9600 only, 64-byte frames, window 1, 500 ms turnaround. */
  liteLap: boolean
  /** IAS class of a TinyTP echo service on the target (`echosrv Echo` in the Linux guest), if any. */
  echoClass?: string
  /** An IAS attribute whose value spans several IAP frames, if the device is known to have one. */
  longValue?: { className: string, attributeName: string }
}

/** The largest value whose bit is set (tables ascending) or, for the descending tables, the smallest. */
const top = (bits: number, table: readonly number[]): number => table[31 - Math.clz32(bits & ((1 << table.length) - 1))] ?? table[0]
const allSet = (bits: number, table: readonly number[]): number[] => table.filter((_, i) => (bits & (1 << i)) !== 0)

/** Profile fields from the target's UA parameters. */
export function fromQos (q: QosFields): Pick<Profile, 'speeds' | 'windowSize' | 'dataSize' | 'maxTurnaroundMs' | 'minTurnaroundMs' | 'additionalBofs' | 'linkDisconnectMs' | 'liteLap'> {
  const speeds = allSet(q.baudRate, BAUD_RATES)
  const p = {
    speeds,
    windowSize: top(q.windowSize, WINDOW_SIZES),
    dataSize: top(q.dataSize, DATA_SIZES),
    // Descending tables: the highest set bit is the smallest time / fewest BOFs.
    maxTurnaroundMs: top(q.maxTurnaround, MAX_TURNAROUND_MS),
    minTurnaroundMs: top(q.minTurnaround, MIN_TURNAROUND_MS),
    additionalBofs: top(q.additionalBofs, ADDITIONAL_BOFS),
    linkDisconnectMs: top(q.linkDisconnect, LINK_DISCONNECT_MS),
  }
  const liteLap = speeds.length === 1 && speeds[0] === 9600 && p.dataSize === 64 && p.windowSize === 1 && p.maxTurnaroundMs === 500
  return { ...p, liteLap }
}

export class ProbeError extends Error {
  static override name = 'ProbeError'
  constructor (message: string) { super(message); this.name = 'ProbeError' }
}

/**
 * The sanity probe (tlsfuzzer's "sanity" conversation): discover the target with 1-slot XIDs,
 * connect with SNRM, disconnect. Run before the cases (it probes the profile) and after them (a
 * target that died mid-run is reported, not misjudged). Throws {@link ProbeError} with why.
 */
export async function sanityProbe (st: TesterStation, opts: { tries?: number, deviceAddress?: number } = {}): Promise<Profile> {
  const tries = opts.tries ?? 3
  let answer: { address: number, info?: Uint8Array } | undefined
  for (let i = 0; i < tries && answer === undefined; i++) {
    st.send(xidCommand(0), 'sanity: who is there?')
    const got = await st.collect(300)
    for (const r of got) {
      const f = r.frame
      if (f?.kind === 'XID' && !f.command && (opts.deviceAddress === undefined || f.info.source === opts.deviceAddress)) answer ??= { address: f.info.source, ...(f.info.discoveryInfo !== undefined ? { info: f.info.discoveryInfo } : {}) }
    }
    st.send(xidCommand(0xFF, { info: TESTER_DISCOVERY_INFO }))
    await st.wait(50)
  }
  if (answer === undefined) throw new ProbeError(`no device answered ${tries} discoveries`)
  const d = answer.info !== undefined ? parseDiscoveryInfo(answer.info) : undefined
  const offer = testerQos({ speeds: sirSpeeds(st.port.supportedSpeeds), windowSize: 7 })
  const link = await PrimaryLink.connect(st, answer.address, { qos: offer }).catch((e: unknown) => { throw new ProbeError(`the device answered discovery but not SNRM: ${(e as Error).message}`) })
  await link.exchange().catch((e: unknown) => { throw new ProbeError(`the device answered SNRM but not a poll: ${(e as Error).message}`) })
  await link.disconnect().catch((e: unknown) => { throw new ProbeError(`the device did not answer DISC: ${(e as Error).message}`) })
  await st.wait(100)
  const qos = link.ua.qos as QosFields
  return {
    source: 'probed',
    deviceAddress: answer.address,
    nickname: d?.ok === true ? d.value.nickname : '',
    hints: d?.ok === true ? [...d.value.hints] : [],
    ...fromQos(qos),
  }
}

/** Lite or full, in words, from the profile. */
export function classify (p: Profile): string {
  return p.liteLap ? 'IrDA Lite IrLAP (9600 only, 64-byte frames, window 1, 500 ms)' : `full IrLAP (speeds ${p.speeds.join('/')}, window ${p.windowSize}, ${p.dataSize}-byte frames)`
}
