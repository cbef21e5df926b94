/*!
 * Fuzz targets for the decoders a host uses beside the protocol layers: the af_irda
 * structures, pcap files and streams, the capture describer, IrCOMM control parameters and OBEX.
 */
import type { SeededRandom } from '@irdakit/core'
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
import { randomBytes } from './mutate.js'
import { FuzzDefect, reasonOf, verdict, pick, equal, roundTrip, text, type FuzzTarget, type Verdict } from './target-kit.js'

/** IrCOMM control parameters (PI PL PV), as they arrive on a cooked connection's control channel. */
export function ircommParamsTarget (): FuzzTarget {
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
export function obexTargets (): FuzzTarget[] {
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

export function afIrdaTargets (): FuzzTarget[] {
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

export function pcapTarget (files: Uint8Array[], frames: Uint8Array[]): FuzzTarget {
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
export function pcapStreamTarget (files: Uint8Array[], frames: Uint8Array[]): FuzzTarget {
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
export function captureTarget (frames: Uint8Array[], generated: Uint8Array[]): FuzzTarget {
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

function randomAttrib (rng: SeededRandom): IasAttribute {
  switch (rng.int(5)) {
    case 0: return { type: 1, value: rng.u32() | 0 }
    case 1: return { type: 2, value: randomBytes(rng, rng.int(1100)) }
    case 2: return { type: 3, charSet: rng.int(256), value: randomBytes(rng, rng.int(300)) }
    case 3: return { type: 0x10 }
    default: return { type: 0x00 }
  }
}
