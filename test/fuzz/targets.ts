/*!
 * The decoders under fuzz, one target each: where its corpus comes from, how to generate an
 * input from nothing, and how to run one input, returning `true` (accepted) or the reason it
 * was refused. A decoder that throws where it promised a result, a describer that fails, an
 * unwrapper that cannot receive a clean frame after an input, or a stateful decoder holding
 * more than its bound are defects: the target throws {@link FuzzDefect} (or lets the decoder's
 * own exception escape) and the runner records it. This file has the protocol layers;
 * targets-host.ts the af_irda structures, pcap, the capture describer, IrCOMM and OBEX.
 */
import fc from 'fast-check'
import type { SeededRandom } from '@irdakit/core'
import { sirWrap, SirUnwrapper, mirWrap, MirUnwrapper, firWrap, FirUnwrapper, type FrameUnwrapper, type SirEvent } from '@irdakit/phy'
import { parseFrame, emitFrame, XidInfoRepr, parseDiscoveryInfo, parseQos, negotiate, defaultQos, encodeQos } from '@irdakit/lap'
import { lapFrame, qosFields } from '../../packages/lap/src/wire/test-arbitraries.js'
import {
  parseLmpPdu, emitLmpPdu, parseIapControl, parseGetValueByClass, parseGetValueByClassResponse,
  encodeGetValueByClass, encodeGetValueByClassResponse, type IasValue,
} from '@irdakit/lmp'
import { TtpConnectPdu, TtpDataPdu, Reassembler } from '@irdakit/ttp'
import { decodeCookedFrame } from '@irdakit/irsock'
import { loadCorpus } from './corpus.js'
import { randomBytes } from './mutate.js'
import { FuzzDefect, verdict, pick, equal, roundTrip, text, type FuzzTarget, type Verdict } from './target-kit.js'
import { afIrdaTargets, captureTarget, ircommParamsTarget, obexTargets, pcapStreamTarget, pcapTarget } from './targets-host.js'

export { FuzzDefect, reasonOf, type FuzzTarget, type Verdict } from './target-kit.js'

/** Every target, built for one run (stateful decoders start fresh). */
export function makeTargets (seed: number): FuzzTarget[] {
  const c = loadCorpus()
  // Generated IrLAP frames: every frame kind, from the codec tests' fast-check arbitraries, seeded.
  const generatedFrames = fc.sample(lapFrame, { seed, numRuns: 500 }).map(emitFrame)
  const generatedQos = fc.sample(qosFields, { seed, numRuns: 100 }).map(encodeQos)
  const anyFrame = (rng: SeededRandom): Uint8Array => rng.int(2) === 0 ? pick(rng, generatedFrames) : randomBytes(rng, rng.int(64))
  const small = (rng: SeededRandom, max = 48): Uint8Array => randomBytes(rng, rng.int(max))

  return [
    unwrapperTarget('phy/SirUnwrapper', () => new SirUnwrapper(), f => sirWrap(f, { xbofs: f.length % 11 }), c.frames, generatedFrames),
    unwrapperTarget('phy/MirUnwrapper', () => new MirUnwrapper(), mirWrap, c.frames, generatedFrames),
    unwrapperTarget('phy/FirUnwrapper', () => new FirUnwrapper(), firWrap, c.frames, generatedFrames),
    {
      name: 'lap/parseFrame',
      seeds: [...c.frames, ...generatedFrames],
      maxLength: 2100,
      generate: anyFrame,
      run: input => roundTrip(parseFrame(input), emitFrame, parseFrame),
    },
    {
      name: 'lap/XID+discovery info',
      seeds: c.xidInfos,
      maxLength: 64,
      generate: rng => small(rng, 48),
      run: input => {
        const x = XidInfoRepr.parse(input)
        if (!x.ok || x.value.discoveryInfo === undefined) return verdict(x)
        return verdict(parseDiscoveryInfo(x.value.discoveryInfo))
      },
    },
    {
      name: 'lap/QoS+negotiation',
      seeds: [...c.qosLists, ...generatedQos],
      maxLength: 64,
      generate: rng => rng.int(2) === 0 ? pick(rng, generatedQos) : small(rng, 32),
      run: input => {
        const q = parseQos(input)
        if (!q.ok) return verdict(q)
        const link = negotiate(defaultQos({ speeds: [9600, 115200, 4000000] }), q.value.qos)
        if (!link.ok) return verdict(link)
        checkLink(link.value)
        return true
      },
    },
    {
      name: 'lmp/parseLmpPdu',
      seeds: c.lmpPdus,
      maxLength: 2100,
      generate: rng => rng.int(2) === 0 ? randomLmpPdu(rng) : small(rng, 12),
      run: input => roundTrip(parseLmpPdu(input), emitLmpPdu, parseLmpPdu),
    },
    {
      name: 'ias/request (IAP)',
      seeds: c.iasRequests,
      maxLength: 600,
      generate: rng => {
        const r = encodeGetValueByClass({ className: text(rng, 60), attributeName: text(rng, 60) })
        return r.ok ? Uint8Array.of(0x84, ...r.value) : small(rng)
      },
      // The parser takes any name bytes (IAS answers no-such-class); our encoder only sends
      // printable ASCII. So the round trip applies to the requests we could have sent.
      run: input => iasFrame(input, body => {
        const r = parseGetValueByClass(body)
        if (!r.ok || !encodeGetValueByClass(r.value).ok) return verdict(r)
        return roundTrip(r, v => (encodeGetValueByClass(v) as { value: Uint8Array }).value, parseGetValueByClass)
      }),
    },
    {
      name: 'ias/response (IAP)',
      seeds: c.iasResponses,
      maxLength: 1200,
      generate: rng => Uint8Array.of(0x84, ...encodeGetValueByClassResponse({
        returnCode: pick(rng, [0, 1, 2, 0xFF]),
        entries: Array.from({ length: rng.int(4) }, () => ({ objectId: rng.int(0x10000), value: randomIasValue(rng) })),
      })),
      run: input => iasFrame(input, body => roundTrip(parseGetValueByClassResponse(body), encodeGetValueByClassResponse, parseGetValueByClassResponse)),
    },
    {
      name: 'ttp/connect PDU',
      seeds: [...c.ttpConnects, ...[0, 1, 2048, 0xFFFF, 0xFFFFFFFF].map(m => TtpConnectPdu.emit({ credit: 16, maxSduSize: m, userData: new Uint8Array(0) }))],
      maxLength: 64,
      generate: rng => TtpConnectPdu.emit({ credit: rng.int(128), maxSduSize: rng.u32(), userData: small(rng, 8) }),
      run: input => roundTrip(TtpConnectPdu.parse(input), r => TtpConnectPdu.emit(r), TtpConnectPdu.parse),
    },
    {
      name: 'ttp/data PDU',
      seeds: c.ttpData,
      maxLength: 2100,
      generate: rng => TtpDataPdu.emit({ more: rng.int(2) === 0, credit: rng.int(128), data: small(rng) }),
      run: input => verdict(TtpDataPdu.parse(input)),
    },
    sarTarget(c.ttpData),
    {
      name: 'irsock/IrCOMM cooked frame',
      seeds: c.ircommFrames,
      maxLength: 2100,
      generate: rng => Uint8Array.of(rng.int(8), ...small(rng, 16)),
      run: input => {
        const f = decodeCookedFrame(input)
        if (f === undefined) return input.length === 0 ? 'empty frame' : 'clen runs past the frame'
        if (1 + f.control.length + f.data.length !== input.length) throw new FuzzDefect('cooked frame parts do not add up to the frame')
        return true
      },
    },
    ircommParamsTarget(),
    ...afIrdaTargets(),
    pcapTarget(c.pcaps, c.frames),
    pcapStreamTarget(c.pcaps, c.frames),
    captureTarget(c.frames, generatedFrames),
    ...obexTargets(),
  ]
}

/**
 * A persistent unwrapper fed each input in random chunks, then a clean frame it must receive;
 * and a twin fed the same bytes whole, which must report the very same events (the unwrappers
 * promise to be correct under any chunking).
 */
function unwrapperTarget (name: string, make: () => FrameUnwrapper, wrap: (f: Uint8Array) => Uint8Array, frames: Uint8Array[], generated: Uint8Array[]): FuzzTarget {
  const u = make()
  const whole = make()
  const wires = frames.map(wrap)
  const probe = Uint8Array.of(0x87, 0x11) // RR cmd: what a receiver hears most
  const probeWire = wrap(probe)
  return {
    name,
    seeds: wires,
    maxLength: 20000,
    generate: rng => wrap(rng.int(2) === 0 ? pick(rng, generated) : randomBytes(rng, 2 + rng.int(40))),
    run: (input, rng) => {
      const events: SirEvent[] = []
      for (let at = 0; at < input.length;) {
        const n = 1 + rng.int(input.length - at)
        for (const e of u.push(input.subarray(at, at + n))) events.push(e)
        at += n
      }
      const twin = whole.push(input)
      if (JSON.stringify(events.map(eventText)) !== JSON.stringify(twin.map(eventText))) {
        throw new FuzzDefect(`chunked and whole input gave different events: ${events.map(eventText).join(',')} vs ${twin.map(eventText).join(',')}`.slice(0, 300))
      }
      whole.push(probeWire)
      const after = u.push(probeWire)
      const last = after[after.length - 1]
      if (last?.type !== 'frame' || !equal(last.frame, probe)) throw new FuzzDefect(`a clean frame after this input came out as ${JSON.stringify(after.map(e => e.type === 'frame' ? 'frame' : e.reason))}`)
      const error = events.find(e => e.type === 'error')
      if (error?.type === 'error') return error.reason
      return events.length > 0 ? true : 'no frame (idle or noise only)'
    },
  }
}

const eventText = (e: SirEvent): string => e.type === 'frame' ? Buffer.from(e.frame).toString('hex') : e.reason

/** TinyTP reassembly under a 2048-byte MaxSduSize, one persistent receiver, each input a data PDU. */
function sarTarget (ttpData: Uint8Array[]): FuzzTarget {
  const MAX_SDU = 2048
  const sar = new Reassembler(MAX_SDU)
  return {
    name: 'ttp/SAR reassembly',
    seeds: ttpData,
    maxLength: 2100,
    generate: rng => TtpDataPdu.emit({ more: rng.int(4) !== 0, credit: rng.int(128), data: randomBytes(rng, rng.int(700)) }),
    run: input => {
      const pdu = TtpDataPdu.parse(input)
      if (!pdu.ok) return verdict(pdu)
      const sdu = sar.push(pdu.value.data, pdu.value.more)
      if (sdu === undefined) return true
      if (sdu.data.length > MAX_SDU) throw new FuzzDefect(`an SDU of ${sdu.data.length} bytes passed MaxSduSize ${MAX_SDU}`)
      if (sdu.truncated !== (sdu.discarded > 0)) throw new FuzzDefect('truncated and discarded disagree')
      return sdu.truncated ? 'SDU past MaxSduSize: tail discarded' : true
    },
  }
}

function iasFrame (input: Uint8Array, parseBody: (body: Uint8Array) => Verdict): Verdict {
  if (input.length === 0) return 'empty IAP frame'
  const ctl = parseIapControl(input[0])
  if (ctl.ack) return true
  return parseBody(input.subarray(1))
}

function checkLink (l: object): void {
  for (const [k, v] of Object.entries(l)) {
    if (typeof v !== 'number') continue
    const mayBeZero = k === 'thresholdMs' || k === 'txAdditionalBofs'
    if (!Number.isFinite(v) || v < 0 || (!mayBeZero && v === 0)) throw new FuzzDefect(`negotiated ${k} = ${v}`)
  }
}

function randomLmpPdu (rng: SeededRandom): Uint8Array {
  const sel = { dlsap: rng.int(128), slsap: rng.int(128) }
  const data = randomBytes(rng, rng.int(16))
  switch (rng.int(5)) {
    case 0: return emitLmpPdu({ kind: 'data', ...sel, data })
    case 1: return emitLmpPdu({ kind: 'connect', ...sel, userData: data })
    case 2: return emitLmpPdu({ kind: 'connect-confirm', ...sel, userData: data })
    case 3: return emitLmpPdu({ kind: 'disconnect', ...sel, reason: rng.int(256), userData: data })
    default: return emitLmpPdu({ kind: 'access-mode', ...sel, mode: rng.int(2) === 0 ? 'multiplexed' : 'exclusive' })
  }
}

function randomIasValue (rng: SeededRandom): IasValue {
  switch (rng.int(4)) {
    case 0: return { type: 'missing' }
    case 1: return { type: 'integer', value: rng.u32() | 0 }
    case 2: return { type: 'octets', value: randomBytes(rng, rng.int(40)) }
    default: return { type: 'string', charset: pick(rng, [0, 1, 9, 0xFF]), value: randomBytes(rng, rng.int(40)) }
  }
}
