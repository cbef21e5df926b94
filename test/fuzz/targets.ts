/*!
 * The decoders under fuzz, one target each: where its corpus comes from, how to generate an
 * input from nothing, and how to run one input, returning `true` (accepted) or the reason it
 * was refused. A decoder that throws where it promised a result, a describer that fails, an
 * unwrapper that cannot receive a clean frame after an input, or a stateful decoder holding
 * more than its bound are defects: the target throws {@link FuzzDefect} (or lets the decoder's
 * own exception escape) and the runner records it.
 */
import fc from 'fast-check'
import type { SeededRandom, Decoded } from '@irdakit/core'
import { sirWrap, SirUnwrapper, mirWrap, MirUnwrapper, firWrap, FirUnwrapper, type FrameUnwrapper, type SirEvent } from '@irdakit/phy'
import { parseFrame, emitFrame, XidInfoRepr, parseDiscoveryInfo, parseQos, negotiate, defaultQos, encodeQos } from '@irdakit/lap'
import { lapFrame, qosFields } from '../../packages/lap/src/wire/test-arbitraries.js'
import {
  parseLmpPdu, emitLmpPdu, parseIapControl, parseGetValueByClass, parseGetValueByClassResponse,
  encodeGetValueByClass, encodeGetValueByClassResponse, type IasValue,
} from '@irdakit/lmp'
import { TtpConnectPdu, TtpDataPdu, Reassembler } from '@irdakit/ttp'
import { decodeCookedFrame } from '@irdakit/irsock'
import {
  decodeSockaddrIrda, encodeSockaddrIrda, decodeDeviceList, encodeDeviceList, decodeIasSet, encodeIasSet,
  decodeIasQuery, encodeIasQuery, StructError, AF_IRDA, type IasAttribute,
} from '@irdakit/irsock/af_irda'
import { decodeFrame, decodePcap, encodePcap, DecodeSession, PcapParser, PCAP_MAX_RECORD, type PcapRecord } from '@irdakit/capture'
import { decodeParams, encodeParams, type IrcommParam } from '@irdakit/ircomm'
import {
  PacketReader, decodeRequest, encodeRequest, decodeResponse, encodeResponse, header, HeaderId, Opcode, ResponseCode,
  type ObexHeader,
} from '@irdakit/obex'
import { loadCorpus } from './corpus.js'
import { randomBytes } from './mutate.js'

/** `true`: the input was accepted; a string: why it was refused. */
export type Verdict = true | string

/** An invariant a decoder broke (as opposed to a refusal, which is normal). */
export class FuzzDefect extends Error {
  static override name = 'FuzzDefect'
  constructor (message: string) { super(message); this.name = 'FuzzDefect' }
}

export interface FuzzTarget {
  name: string
  /** The corpus inputs mutations start from. */
  seeds: Uint8Array[]
  /** Longest input to try. */
  maxLength: number
  /** An input from nothing (random or built by the codec's encoder from random values). */
  generate: (rng: SeededRandom) => Uint8Array
  run: (input: Uint8Array, rng: SeededRandom) => Verdict
  /** Bytes a stateful decoder holds between inputs, and the most it may. */
  retained?: () => number
  retainedLimit?: number
}

/** A refusal reason with the input-specific parts (numbers, names) taken out, so reasons count up. */
export function reasonOf (e: { name?: string, message: string }): string {
  const msg = e.message.replace(/"[^"]*"/g, '"…"').replace(/0x[0-9a-f]+|\d+/gi, m => m.startsWith('0x') ? '0x…' : 'N')
  return `${e.name !== undefined && e.name !== 'Error' ? e.name + ': ' : ''}${msg}`.slice(0, 100)
}

const verdict = (d: Decoded<unknown>): Verdict => d.ok ? true : reasonOf(d.error)
const pick = <T>(rng: SeededRandom, list: readonly T[]): T => list[rng.int(list.length)]
const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

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

/**
 * What a decoder accepted must encode again, and decode to the same value: a value the
 * decoder lets through but the encoder refuses, or that changes on the way, is a codec bug.
 */
function roundTrip<T> (d: Decoded<T>, emit: (v: T) => Uint8Array, parse: (b: Uint8Array) => Decoded<T>): Verdict {
  if (!d.ok) return verdict(d)
  let again: Decoded<T>
  try { again = parse(emit(d.value)) } catch (e) { throw new FuzzDefect(`an accepted value does not encode: ${e instanceof Error ? e.message : String(e)}`) }
  if (!again.ok) throw new FuzzDefect(`an accepted value, encoded, is refused: ${again.error.message}`)
  const a = JSON.stringify(plain(d.value))
  const b = JSON.stringify(plain(again.value))
  if (a !== b) throw new FuzzDefect(`decode(encode(v)) differs from v: ${a.slice(0, 200)} vs ${b.slice(0, 200)}`)
  return true
}

/**
 * A JSON-comparable copy (byte arrays as hex), without `qosQuirks`: those note how the input
 * deviated (a duplicate or missing QoS parameter), which a correct encoder does not repeat.
 */
function plain (v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (Array.isArray(v)) return v.map(plain)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'qosQuirks').map(([k, x]) => [k, plain(x)]))
  return v
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

/** IrCOMM control parameters (PI PL PV), as they arrive on a cooked connection's control channel. */
function ircommParamsTarget (): FuzzTarget {
  const lines: IrcommParam[][] = [
    [{ type: 'service-type', value: 0x04 }, { type: 'data-rate', bps: 115200 }, { type: 'data-format', value: 0x03 }, { type: 'flow-control', value: 0 }],
    [{ type: 'dte', value: 0x0F }], [{ type: 'dce', value: 0xBB }], [{ type: 'port-name', name: 'COM1' }, { type: 'xon-xoff', xon: 0x11, xoff: 0x13 }, { type: 'poll' }],
  ]
  const seeds = lines.map(encodeParams)
  return {
    name: 'ircomm/control parameters',
    seeds,
    maxLength: 300,
    generate: rng => randomBytes(rng, rng.int(24)),
    run: input => {
      const d = decodeParams(input)
      if (d.error !== undefined) return reasonOf({ message: d.error })
      // Every byte was a good tuple: encoding the tuples gives the very same bytes.
      let again: Uint8Array
      try { again = encodeParams(d.params) } catch (e) { throw new FuzzDefect(`decoded parameters do not encode: ${e instanceof Error ? e.message : String(e)}`) }
      if (!equal(again, input)) throw new FuzzDefect(`parameters re-encode as ${Buffer.from(again).toString('hex')}`)
      return true
    },
  }
}

/**
 * OBEX: a persistent PacketReader (a fresh one after it loses framing, which is final by
 * design) cutting each input into packets, every packet parsed as a request and round-tripped;
 * and responses, with and without Connect fields.
 */
function obexTargets (): FuzzTarget[] {
  const MAX_PACKET = 0x2000
  const headers: ObexHeader[] = [header(HeaderId.name, 'photo.jpg'), header(HeaderId.length, 5), header(HeaderId.type, Uint8Array.from(Buffer.from('image/jpeg\0'))), header(HeaderId.body, Uint8Array.of(1, 2, 3, 4, 5))]
  const requests = [
    encodeRequest({ opcode: Opcode.connect, final: true, headers: [], connect: { version: 0x10, flags: 0, maxPacket: MAX_PACKET } }),
    encodeRequest({ opcode: Opcode.put, final: false, headers }),
    encodeRequest({ opcode: Opcode.get, final: true, headers: [header(HeaderId.type, Uint8Array.from(Buffer.from('x-obex/folder-listing\0')))] }),
    encodeRequest({ opcode: Opcode.setPath, final: true, headers: [header(HeaderId.name, 'Inbox')], setPath: { flags: 2, constants: 0 } }),
    encodeRequest({ opcode: Opcode.disconnect, final: true, headers: [header(HeaderId.connectionId, 1)] }),
  ]
  const responses = [
    encodeResponse({ code: ResponseCode.success, headers: [], connect: { version: 0x10, flags: 0, maxPacket: 0x400 } }),
    encodeResponse({ code: ResponseCode.continue, headers: [header(HeaderId.body, Uint8Array.from({ length: 40 }, (_, i) => i))] }),
    encodeResponse({ code: ResponseCode.success, headers: [header(HeaderId.endOfBody, Uint8Array.of(9)), header(HeaderId.description, 'done')] }),
    encodeResponse({ code: ResponseCode.notFound, headers: [] }),
  ]
  let reader = new PacketReader(MAX_PACKET)
  // Connect, Disconnect, SetPath and Abort are always final: the encoder sets the bit a sloppy
  // peer may leave out, so compare them as final.
  const alwaysFinal = new Set<number>([Opcode.connect, Opcode.disconnect, Opcode.setPath, Opcode.abort])
  const request = (b: Uint8Array): Verdict => {
    const d = decodeRequest(b)
    if (d.ok && alwaysFinal.has(d.value.opcode)) d.value.final = true
    return roundTrip(d, encodeRequest, decodeRequest)
  }
  return [
    {
      name: 'obex/PacketReader+request',
      seeds: [...requests, Buffer.concat(requests)],
      maxLength: 3 * MAX_PACKET,
      generate: rng => rng.int(2) === 0 ? requests[rng.int(requests.length)].subarray(0, rng.int(64)) : randomBytes(rng, rng.int(64)),
      run: input => {
        const r = reader.push(input)
        if (!r.ok) { reader = new PacketReader(MAX_PACKET); return verdict(r) }
        if (reader.pending > MAX_PACKET) throw new FuzzDefect(`the reader holds ${reader.pending} bytes, over its ${MAX_PACKET}-byte packet limit`)
        for (const packet of r.value) { const v = request(packet); if (v !== true) return v }
        return r.value.length > 0 ? true : 'no whole packet yet'
      },
      retained: () => reader.pending,
      retainedLimit: MAX_PACKET,
    },
    {
      name: 'obex/response',
      seeds: responses,
      maxLength: 600,
      generate: rng => responses[rng.int(responses.length)].subarray(0, rng.int(60)),
      run: (input, rng) => {
        const connect = rng.int(2) === 0
        return roundTrip(decodeResponse(input, { connect }), encodeResponse, b => decodeResponse(b, { connect }))
      },
    },
  ]
}

function iasFrame (input: Uint8Array, parseBody: (body: Uint8Array) => Verdict): Verdict {
  if (input.length === 0) return 'empty IAP frame'
  const ctl = parseIapControl(input[0])
  if (ctl.ack) return true
  return parseBody(input.subarray(1))
}

function afIrdaTargets (): FuzzTarget[] {
  const structs: Array<{ name: string, decode: (b: Uint8Array) => unknown, seeds: Uint8Array[], generate: (rng: SeededRandom) => Uint8Array }> = [
    {
      name: 'af_irda/SOCKADDR_IRDA',
      decode: decodeSockaddrIrda,
      seeds: [encodeSockaddrIrda({ family: AF_IRDA, deviceId: Uint8Array.of(0xcd, 0xb0, 0x15, 0x97), serviceName: 'IrDA:IrCOMM' }), encodeSockaddrIrda({ family: AF_IRDA, deviceId: new Uint8Array(4), serviceName: 'LSAP-SEL16' })],
      generate: rng => encodeSockaddrIrda({ family: rng.int(0x10000), deviceId: randomBytes(rng, 4), serviceName: text(rng, 30) }),
    },
    {
      name: 'af_irda/DEVICELIST',
      decode: decodeDeviceList,
      seeds: [encodeDeviceList([]), encodeDeviceList([{ deviceId: Uint8Array.of(1, 2, 3, 4), deviceName: 'Aladin Smart', hints1: 0x84, hints2: 0x04, charSet: 0 }, { deviceId: Uint8Array.of(0xe8, 0xeb, 0x09, 0xc7), deviceName: 'guestB', hints1: 0x04, hints2: 0, charSet: 0xFF }])],
      generate: rng => encodeDeviceList(Array.from({ length: rng.int(4) }, () => ({ deviceId: randomBytes(rng, 4), deviceName: text(rng, 30), hints1: rng.int(256), hints2: rng.int(256), charSet: rng.int(256) }))),
    },
    {
      name: 'af_irda/IAS_SET',
      decode: decodeIasSet,
      seeds: [encodeIasSet({ className: 'IrDA:IrCOMM', attribName: 'Parameters', attrib: { type: 2, value: Uint8Array.of(0, 1, 4) } }), encodeIasSet({ className: 'Echo', attribName: 'IrDA:TinyTP:LsapSel', attrib: { type: 1, value: 16 } })],
      generate: rng => encodeIasSet({ className: text(rng, 70), attribName: text(rng, 70), attrib: randomAttrib(rng) }),
    },
    {
      name: 'af_irda/IAS_QUERY',
      decode: decodeIasQuery,
      seeds: [encodeIasQuery({ deviceId: Uint8Array.of(1, 2, 3, 4), className: 'IrDA:IrCOMM', attribName: 'IrDA:TinyTP:LsapSel', attrib: { type: 0x10 } }), encodeIasQuery({ deviceId: new Uint8Array(4), className: 'Device', attribName: 'DeviceName', attrib: { type: 3, charSet: 0, value: Uint8Array.from(Buffer.from('laptop')) } })],
      generate: rng => encodeIasQuery({ deviceId: randomBytes(rng, 4), className: text(rng, 70), attribName: text(rng, 70), attrib: randomAttrib(rng) }),
    },
  ]
  // The af_irda decoders throw StructError for a structure they cannot read (Winsock's
  // WSAEFAULT / WSAEINVAL): that is their refusal. Any other exception escapes.
  return structs.map(s => ({
    name: s.name,
    seeds: s.seeds,
    maxLength: 1500,
    generate: s.generate,
    run: input => {
      try { s.decode(input); return true } catch (e) {
        if (e instanceof StructError) return reasonOf(e)
        throw e
      }
    },
  }))
}

function pcapTarget (files: Uint8Array[], frames: Uint8Array[]): FuzzTarget {
  const small = (rng: SeededRandom): Uint8Array => encodePcap(Array.from({ length: 1 + rng.int(3) }, (_, i) => ({ timestampMs: i * 10, direction: rng.int(2) === 0 ? 'in' as const : 'out' as const, frame: pick(rng, frames) })))
  return {
    name: 'capture/decodePcap',
    seeds: [...files, ...frames.slice(0, 40).map(f => encodePcap([{ timestampMs: 0, direction: 'out', frame: f }]))],
    maxLength: 40000,
    generate: small,
    run: input => {
      const r = decodePcap(input)
      if (!r.ok) return verdict(r)
      let bytes = 0
      for (const rec of r.value) bytes += 32 + rec.frame.length
      if (24 + bytes !== input.length) throw new FuzzDefect(`records account for ${24 + bytes} of ${input.length} bytes`)
      return true
    },
  }
}

/**
 * The streaming pcap parser (what `forEachPcapRecord` and live dumps use), fed each input in
 * random pieces the way a file or pipe delivers them, the unused rest passed again with the next
 * piece: it must find exactly what `decodePcap` finds in the whole input, and the rest it asks
 * the caller to keep must stay under one record.
 */
function pcapStreamTarget (files: Uint8Array[], frames: Uint8Array[]): FuzzTarget {
  const base = pcapTarget(files, frames)
  const text = (r: PcapRecord): string => `${r.timestampMs}/${r.direction}/${Buffer.from(r.frame).toString('hex')}`
  return {
    ...base,
    name: 'capture/PcapParser (pieces)',
    run: (input, rng) => {
      const parser = new PcapParser()
      const got: string[] = []
      let rest = new Uint8Array(0)
      for (let at = 0; at < input.length && parser.error === undefined;) {
        const n = 1 + rng.int(Math.min(4096, input.length - at))
        const buf = new Uint8Array(rest.length + n)
        buf.set(rest); buf.set(input.subarray(at, at + n), rest.length)
        at += n
        const used = parser.feed(buf, rec => got.push(text(rec)))
        rest = buf.slice(used)
        if (rest.length > 16 + PCAP_MAX_RECORD + 24) throw new FuzzDefect(`the parser left ${rest.length} bytes to keep`)
      }
      const whole = decodePcap(input)
      const problem = parser.error ?? parser.truncation(rest.length)
      if (whole.ok !== (problem === undefined)) throw new FuzzDefect(`in pieces: ${problem ?? 'ok'}; whole: ${whole.ok ? 'ok' : whole.error.message}`)
      if (!whole.ok) return verdict(whole)
      const want = whole.value.map(text)
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new FuzzDefect(`in pieces ${got.length} records, whole ${want.length}, or they differ`)
      return true
    },
  }
}

/** The capture describer with one session for the whole run, as `irda dump` keeps one per capture. */
function captureTarget (frames: Uint8Array[], generated: Uint8Array[]): FuzzTarget {
  const session = new DecodeSession()
  return {
    name: 'capture/decodeFrame',
    seeds: frames,
    maxLength: 2100,
    generate: rng => rng.int(2) === 0 ? pick(rng, generated) : randomBytes(rng, rng.int(64)),
    run: input => {
      const d = decodeFrame(input, session)
      if (d.error?.startsWith('describer failed') === true) throw new FuzzDefect(d.error)
      if (d.summary === '') throw new FuzzDefect('empty summary')
      return d.error === undefined ? true : reasonOf({ message: d.error })
    },
    // IAS reassembly is bounded per direction and client selector (2 x 128 keys).
    retained: () => session.retainedIasBytes(),
    retainedLimit: 2 * 128 * 4096,
  }
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

function randomAttrib (rng: SeededRandom): IasAttribute {
  switch (rng.int(5)) {
    case 0: return { type: 1, value: rng.u32() | 0 }
    case 1: return { type: 2, value: randomBytes(rng, rng.int(1100)) }
    case 2: return { type: 3, charSet: rng.int(256), value: randomBytes(rng, rng.int(300)) }
    case 3: return { type: 0x10 }
    default: return { type: 0x00 }
  }
}

function text (rng: SeededRandom, max: number): string {
  let s = ''
  for (let i = rng.int(max); i > 0; i--) s += String.fromCharCode(32 + rng.int(95))
  return s
}
