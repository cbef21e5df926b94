import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import fc from 'fast-check'
import { LocalProtocolError } from '@irdakit/core'
import {
  encodePcap, encodePcapHeader, encodePcapRecord, decodePcap, readPcap, writePcap, PcapWriter,
  LINKTYPE_LINUX_IRDA, DEFAULT_PCAP_EPOCH_MS, type PcapRecord,
} from './index.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('capture/pcap', () => {
  it('writes the classic little-endian global header with link type 144', () => {
    expect(LINKTYPE_LINUX_IRDA).to.equal(144)
    expect(hex(encodePcapHeader())).to.equal('d4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + '90000000')
  })

  it('writes one record: timestamps from the fixed epoch, the 16-byte big-endian pseudo-header, the frame', () => {
    const rec = encodePcapRecord({ timestampMs: 1500.25, direction: 'out', frame: Uint8Array.of(0x86, 0x11) })
    // 2000-01-01T00:00:01.500250Z = 946684801 s, 500250 us; 18 bytes captured.
    expect(hex(rec)).to.equal(
      '81436d38' + '1aa20700' + '12000000' + '12000000' +
      '0004' + '030f' + '0000' + '0000000000000000' + '0017' + '8611')
    const received = encodePcapRecord({ timestampMs: 0, direction: 'in', frame: Uint8Array.of(0x87) }, { epochMs: 0 })
    expect(hex(received.subarray(0, 8))).to.equal('0000000000000000')
    expect(hex(received.subarray(16, 18))).to.equal('0000')
  })

  it('round-trips records through bytes and through a file', () => {
    const records: PcapRecord[] = [
      { timestampMs: 0, direction: 'out', frame: Uint8Array.of(0xFF, 0x3F, 1, 2) },
      { timestampMs: 12.345, direction: 'in', frame: Uint8Array.of(0x86, 0x11) },
    ]
    const decoded = decodePcap(encodePcap(records))
    expect(decoded).to.deep.equal({ ok: true, value: records })
    const dir = mkdtempSync(join(tmpdir(), 'irdakit-pcap-'))
    try {
      const path = join(dir, 'a.pcap')
      writePcap(path, records, { epochMs: 1_700_000_000_000 })
      expect(readPcap(path, { epochMs: 1_700_000_000_000 })).to.deep.equal({ ok: true, value: records })
      const w = new PcapWriter(join(dir, 'b.pcap'))
      w.write(records[0])
      // Synchronous appends: what was written is on disk before close.
      expect(readPcap(join(dir, 'b.pcap'))).to.deep.equal({ ok: true, value: [records[0]] })
      w.write(records[1])
      w.close()
      w.close()
      expect(readFileSync(join(dir, 'b.pcap'))).to.deep.equal(Buffer.from(encodePcap(records)))
      expect(() => w.write(records[0])).to.throw(LocalProtocolError)
    } finally { rmSync(dir, { recursive: true, force: true }) }
  })

  it('reads byte-swapped and nanosecond captures', () => {
    const le = encodePcap([{ timestampMs: 1.5, direction: 'in', frame: Uint8Array.of(1, 2, 3) }], { epochMs: 0 })
    const be = le.slice()
    const v = new DataView(be.buffer)
    const swap32 = (o: number): void => v.setUint32(o, new DataView(le.buffer).getUint32(o, true), false)
    const swap16 = (o: number): void => v.setUint16(o, new DataView(le.buffer).getUint16(o, true), false)
    swap32(0); swap16(4); swap16(6); swap32(8); swap32(12); swap32(16); swap32(20)
    for (const o of [24, 28, 32, 36]) swap32(o)
    expect(decodePcap(be, { epochMs: 0 })).to.deep.equal(decodePcap(le, { epochMs: 0 }))
    const ns = le.slice()
    const nv = new DataView(ns.buffer)
    nv.setUint32(0, 0xA1B23C4D, true)
    nv.setUint32(28, 1_500_000, true) // 1.5 ms in ns
    expect(decodePcap(ns, { epochMs: 0 })).to.deep.equal(decodePcap(le, { epochMs: 0 }))
  })

  it('fails (without throwing) on bad magic, wrong link type, truncation and a foreign pseudo-header', () => {
    const good = encodePcap([{ timestampMs: 0, direction: 'in', frame: Uint8Array.of(1, 2) }])
    const bad = (mutate: (b: Uint8Array) => Uint8Array): string => {
      const r = decodePcap(mutate(good.slice()))
      expect(r.ok).to.equal(false)
      return r.ok ? '' : r.error.message
    }
    expect(bad(b => { b[0] = 0; return b })).to.match(/magic/)
    expect(bad(b => { b[20] = 1; return b })).to.match(/link type/)
    expect(bad(b => b.subarray(0, b.length - 1))).to.match(/truncated/)
    expect(bad(b => { b[24 + 16 + 15] = 0x00; return b })).to.match(/protocol/)
    expect(bad(b => { b[24 + 16 + 1] = 7; return b })).to.match(/packet type/)
    expect(decodePcap(new Uint8Array(3)).ok).to.equal(false)
  })

  it('property: any records round-trip (timestamps to the microsecond)', () => {
    const record = fc.record({
      timestampMs: fc.integer({ min: 0, max: 10 ** 10 }).map(us => us / 1000),
      direction: fc.constantFrom<'in' | 'out'>('in', 'out'),
      frame: fc.uint8Array({ maxLength: 2050 }),
    })
    fc.assert(fc.property(fc.array(record, { maxLength: 20 }), fc.integer({ min: 0, max: 2 * 10 ** 12 }), (records, epochMs) => {
      expect(decodePcap(encodePcap(records, { epochMs }), { epochMs })).to.deep.equal({ ok: true, value: records })
    }))
    expect(DEFAULT_PCAP_EPOCH_MS).to.equal(Date.UTC(2000, 0, 1))
  })

  it('property: decoding arbitrary bytes never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (tail, withHeader) => {
      const bytes = withHeader ? Buffer.concat([encodePcapHeader(), tail]) : tail
      const r = decodePcap(bytes)
      expect(r.ok === true || r.error.name === 'WireError').to.equal(true)
    }))
  })
})
