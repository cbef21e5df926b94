/*!
 * tshark judges the OBEX packets we send. An OBEX session between two stacks in a virtual room
 * is captured on the air (pcap link type 144); its IrLAP, IrLMP and IAS frames must decode
 * cleanly. Wireshark's IrDA plugin hands an LSAP to an application dissector only for the IAS
 * classes it lists (Device, IrDA:IrCOMM, IrLPT: CLASS_DISSECTORS in plugins/epan/irda/irda-appl.h,
 * tshark 4.0), so the OBEX selector's payload shows as plain data there. The OBEX packets are
 * therefore cut out of the capture's TinyTP data PDUs (reassembled by their length field, as a
 * receiver does) and written as "upper PDU" records (link type 252) naming Wireshark's `obex`
 * dissector, with the direction, so it pairs each response with its request; every one must
 * decode as OBEX with nothing malformed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { readPcap } from '@irdakit/capture'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { decodeRequest, emulatedPhone, FOLDER_BROWSING_UUID, IRMC_SYNC_TARGET, OBEX_HINTS, ObexClient, PacketReader } from '@irdakit/obex'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'

/** A pcap of Wireshark "upper PDU" records (LINKTYPE_WIRESHARK_UPPER_PDU, 252) for the `obex` dissector. */
function obexPduPcap (packets: Array<{ data: Uint8Array, sent: boolean }>): Uint8Array {
  const tag = (t: number, v: Uint8Array): Buffer => {
    const pad = (4 - v.length % 4) % 4
    const b = Buffer.alloc(4 + v.length + pad)
    b.writeUInt16BE(t, 0); b.writeUInt16BE(v.length, 2); b.set(v, 4)
    return b
  }
  const head = Buffer.alloc(24)
  head.writeUInt32LE(0xA1B2C3D4, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6); head.writeUInt32LE(65535, 16); head.writeUInt32LE(252, 20)
  const records = packets.map((p, i) => {
    const dir = Buffer.alloc(4)
    dir.writeInt32BE(p.sent ? 0 : 1) // P2P_DIR_SENT (client to server) / P2P_DIR_RECV
    // Tags: 12 dissector name, 35 P2P direction, 0 end of options (epan/exported_pdu.h).
    const body = Buffer.concat([tag(12, Buffer.from('obex')), tag(35, dir), Buffer.alloc(4), p.data])
    const rec = Buffer.alloc(16)
    rec.writeUInt32LE(i, 0); rec.writeUInt32LE(body.length, 8); rec.writeUInt32LE(body.length, 12)
    return Buffer.concat([rec, body])
  })
  return Buffer.concat([head, ...records])
}

describe('obex/tshark: Wireshark decodes every OBEX packet we send', function () {
  this.timeout(60_000)
  let dir: string
  let airPcap: string
  let obex: Array<{ data: Uint8Array, sent: boolean }>

  before(async function () {
    requireTshark(this)
    dir = mkdtempSync(join(tmpdir(), 'obex-tshark-'))
    airPcap = join(dir, 'air.pcap')
    const room = new Room({ time: 'virtual', seed: 4 })
    const laptop = IrdaStack.create({ port: room.port('laptop', { supportedSpeeds: [9600, 115200] }), nickname: 'laptop', seed: 41 })
    const phone = IrdaStack.create({ port: room.port('phone', { supportedSpeeds: [9600, 115200] }), nickname: 'phone', hints: [...OBEX_HINTS], seed: 42 })
    const { server } = emulatedPhone(phone)
    room.capture(airPcap)
    await room.run((async () => {
      const c = await ObexClient.connect(laptop, { target: FOLDER_BROWSING_UUID, maxPacket: 1024 })
      await c.list()
      await c.setPath({ name: 'telecom' })
      await c.getBytes('pb.vcf')
      await c.setPath({ parent: true })
      await c.setPath({ name: 'Inbox' })
      await c.put('memo.txt', new Uint8Array(3000).fill(0x61), { type: 'text/plain' })
      await c.put('empty.txt', new Uint8Array(0))
      await c.delete('empty.txt')
      await c.getBytes('missing.txt').catch(() => {})
      await c.put('half.bin', new Uint8Array(5000), { onProgress: n => { if (n > 1500) c.abort() } }).catch(() => {})
      await c.setPath({})
      await c.setPath({ parent: true }).catch(() => {})
      await c.getBytes('Pictures/reef.jpg').catch(() => {})
      await c.setPath({ name: 'Pictures' })
      await c.getBytes('reef.jpg') // 24000 bytes: a Get answered in many Continue packets
      await c.close()
      // IrMC: its own target, Who and Connection-ID, an object by path; an unknown target refused.
      const irmc = await ObexClient.connect(laptop, { target: IRMC_SYNC_TARGET, maxPacket: 1024 })
      await irmc.getBytes('telecom/pb.vcf')
      await irmc.close()
      await ObexClient.connect(laptop, { target: new Uint8Array(16).fill(0x42) }).catch(() => {})
    })())
    await room.run(Promise.all([laptop.close(), phone.close()]))
    await room.close()

    // Cut the OBEX packets out of the TinyTP data PDUs on the server's selector.
    const read = readPcap(airPcap)
    if (!read.ok) throw read.error
    const readers = { toServer: new PacketReader(65535), toClient: new PacketReader(65535) }
    obex = []
    for (const { frame } of read.value) {
      const iFrame = frame.length > 5 && (frame[1] & 0x01) === 0
      if (!iFrame || (frame[2] & 0x80) !== 0) continue // not data, or an IrLMP control PDU
      const dst = frame[2] & 0x7F
      const src = frame[3] & 0x7F
      if (dst !== server.lsap && src !== server.lsap) continue
      const sent = dst === server.lsap
      const r = (sent ? readers.toServer : readers.toClient).push(frame.subarray(5)) // after the TinyTP header
      if (!r.ok) throw r.error
      for (const data of r.value) obex.push({ data, sent })
    }
  })

  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('the air capture of the session decodes cleanly (IrLAP, IrLMP, IAS)', () => {
    const frames = expectCleanDecode(airPcap)
    expect(frames.some(f => f.fields['iap.classname']?.includes('OBEX'))).to.equal(true)
  })

  it('every OBEX packet decodes as OBEX, requests and responses paired, nothing malformed', () => {
    const path = process.env.OBEX_PCAP_KEEP ?? join(dir, 'obex.pcap')
    writeFileSync(path, obexPduPcap(obex))
    const frames = expectCleanDecode(path, { frames: obex.length, noWarnings: true })
    expect(frames.every(f => f.protocols.includes('obex'))).to.equal(true)
    const requests = obex.filter(p => p.sent).map(p => { const d = decodeRequest(p.data); return d.ok ? d.value.opcode | (d.value.final ? 0x80 : 0) : -1 })
    // Connect, Get (listing), SetPath x3, Get (vCard), Put x2 (memo in 1024-byte packets), Put (empty), Put (delete), Get (missing),
    // Put then Abort, SetPath to the root and above it, Get (a name with a slash), SetPath, Get (a picture in many parts), Disconnect;
    // then an IrMC Connect, Get, Disconnect, and a Connect with a target nobody serves.
    expect(requests[0]).to.equal(0x80)
    expect(requests.filter(op => op === 0x80)).to.have.length(3)
    expect(requests.filter(op => op === 0x81)).to.have.length(2)
    expect(requests).to.include(0xFF)
    expect(requests.filter(op => op === 0x02).length).to.be.greaterThan(2)
    expect(requests.filter(op => op === 0x83).length).to.be.greaterThan(20)
    const opcodes = frames.filter((_, i) => obex[i].sent).map(f => Number(f.fields['obex.opcode']?.[0]))
    expect(opcodes).to.deep.equal(requests.map(op => op & 0x7F))
    const responses = frames.filter((_, i) => !obex[i].sent).map(f => Number(f.fields['obex.resp_code']?.[0]))
    expect(responses).to.include.members([0x44, 0x43, 0x53, 0x10]) // Not Found, Forbidden, Service Unavailable, Continue: without the final bit as Wireshark shows them
    expect(frames[1].fields['obex.max_pkt_len']).to.deep.equal(['14273'])
    expect(frames[0].fields['obex.max_pkt_len']).to.deep.equal(['1024'])
    expect(frames.flatMap(f => f.fields['obex.name'] ?? [])).to.include.members(['telecom', 'pb.vcf', 'memo.txt', 'missing.txt'])
  })
})
