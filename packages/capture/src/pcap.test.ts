import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import fc from 'fast-check'
import { LocalProtocolError } from '@irdakit/core'
import {
  encodePcap, encodePcapHeader, encodePcapRecord, decodePcap, readPcap, writePcap, PcapWriter,
  PcapParser, forEachPcapRecord, forEachPcapRecordAsync, PCAP_MAX_RECORD, LINKTYPE_LINUX_IRDA, DEFAULT_PCAP_EPOCH_MS, type PcapRecord,
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

  it('PcapWriter gathers a burst of records into a write per 64 KiB, on disk by the end of the turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irdakit-pcap-'))
    try {
      const path = join(dir, 'burst.pcap')
      const records: PcapRecord[] = Array.from({ length: 1000 }, (_, i) => ({ timestampMs: i, direction: i % 2 === 0 ? 'out' : 'in', frame: new Uint8Array(2 + (i % 300)).fill(i & 0xFF) }))
      const w = new PcapWriter(path)
      for (const r of records) w.write(r)
      const bytes = encodePcap(records).length
      // The header, the burst's first record, then a write per 64 KiB (one record per write before).
      expect(w.writes).to.be.at.most(2 + Math.ceil(bytes / 65536))
      await new Promise(resolve => setImmediate(resolve))
      expect(readPcap(path)).to.deep.equal({ ok: true, value: records }) // all of them, before close
      w.write(records[0]) // a new turn: at once
      const after = readPcap(path)
      expect(after.ok && after.value).to.have.length(1001)
      w.close()
      expect(readFileSync(path)).to.deep.equal(Buffer.from(encodePcap([...records, records[0]])))
    } finally { rmSync(dir, { recursive: true, force: true }) }
  })

  it('PcapWriter writes what a burst gathered when the process exits without closing it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'irdakit-pcap-'))
    try {
      const path = join(dir, 'exit.pcap')
      const script = `import { PcapWriter } from '@irdakit/capture'
        const w = new PcapWriter(${JSON.stringify(path)})
        for (let i = 0; i < 500; i++) w.write({ timestampMs: i, direction: 'in', frame: Uint8Array.of(0x86, 0x11, i & 0xFF) })
        process.exit(3)`
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../..', import.meta.url)), encoding: 'utf8' })
      expect(r.status, r.stderr).to.equal(3)
      const read = readPcap(path)
      expect(read.ok && read.value.map(x => x.frame[2])).to.deep.equal(Array.from({ length: 500 }, (_, i) => i & 0xFF))
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

  describe('streaming', () => {
    const recordsArb = fc.array(fc.record({
      timestampMs: fc.nat({ max: 1e9 }).map(us => us / 1000),
      direction: fc.constantFrom<'in' | 'out'>('in', 'out'),
      frame: fc.uint8Array({ minLength: 2, maxLength: 300 }),
    }), { maxLength: 30 })
    const plain = (r: PcapRecord): unknown => ({ ...r, frame: hex(r.frame) })

    it('property: a parser fed the bytes in any pieces hands out what decodePcap reads whole', () => {
      fc.assert(fc.property(recordsArb, fc.array(fc.nat(), { maxLength: 12 }), fc.nat({ max: 40 }), (records, cuts, chop) => {
        const bytes = encodePcap(records)
        const file = bytes.subarray(0, Math.max(0, bytes.length - chop)) // maybe cut short
        const parser = new PcapParser()
        const got: unknown[] = []
        let pending = new Uint8Array(0)
        let at = 0
        for (const cut of [...cuts.map(c => c % (file.length + 1)), file.length].sort((a, b) => a - b)) {
          const piece = new Uint8Array(pending.length + cut - at)
          piece.set(pending)
          piece.set(file.subarray(at, cut), pending.length)
          at = cut
          const used = parser.feed(piece, r => got.push(plain(r)))
          pending = piece.slice(used)
        }
        let warned: string | undefined
        const whole = decodePcap(file, { onTruncated: m => { warned = m } })
        expect(parser.error).to.equal(undefined)
        if (whole.ok) {
          expect(got).to.deep.equal(whole.value.map(plain))
          expect(parser.truncation(pending.length)).to.equal(warned) // the same words, or both clean
        } else {
          expect(parser.truncation(pending.length)).to.equal(whole.error.message) // shorter than the header
        }
        if (chop === 0) expect(parser.truncation(pending.length)).to.equal(undefined)
      }))
    })

    it('forEachPcapRecord reads a file of several megabytes a piece at a time, records split across reads included', () => {
      const dir = mkdtempSync(join(tmpdir(), 'irdakit-pcap-'))
      try {
        const records: PcapRecord[] = Array.from({ length: 2500 }, (_, i) => ({
          timestampMs: i * 1.5,
          direction: i % 2 === 0 ? 'out' : 'in',
          frame: Uint8Array.from({ length: 2 + (i * 997) % 2049 }, (_, k) => (k * 31 + i) & 0xFF),
        }))
        const path = join(dir, 'big.pcap')
        writePcap(path, records)
        expect(readFileSync(path).length).to.be.greaterThan(2 << 20)
        let n = 0
        let same = true
        const result = forEachPcapRecord(path, rec => {
          const want = records[n++]
          same &&= rec.timestampMs === want.timestampMs && rec.direction === want.direction && hex(rec.frame) === hex(want.frame)
        })
        expect(result).to.deep.equal({ ok: true, value: 2500 })
        expect(same).to.equal(true)

        // Cut short: the good records, then the warning; without onTruncated, a failure.
        const bytes = readFileSync(path)
        writeFileSync(path, bytes.subarray(0, bytes.length - 7))
        const warnings: string[] = []
        let kept = 0
        expect(forEachPcapRecord(path, () => { kept++ }, { onTruncated: m => warnings.push(m) })).to.deep.equal({ ok: true, value: 2499 })
        expect(kept).to.equal(2499)
        expect(warnings).to.deep.equal(['pcap: record 2499 data truncated'])
        expect(forEachPcapRecord(path, () => {}).ok).to.equal(false)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })

    it('forEachPcapRecordAsync reads the same records, the same truncation and the same refusals', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'irdakit-pcap-'))
      try {
        const records: PcapRecord[] = Array.from({ length: 1200 }, (_, i) => ({ timestampMs: i, direction: 'in', frame: new Uint8Array(2 + (i * 613) % 2049).fill(i & 0xFF) }))
        const path = join(dir, 'big.pcap')
        writePcap(path, records)
        const bytes = readFileSync(path)
        writeFileSync(path, bytes.subarray(0, bytes.length - 3))
        const seen: string[] = []
        const warnings: string[] = []
        const result = await forEachPcapRecordAsync(path, rec => seen.push(`${rec.timestampMs}:${rec.frame.length}:${rec.frame[0]}`), { onTruncated: m => warnings.push(m) })
        expect(result).to.deep.equal({ ok: true, value: 1199 })
        expect(seen).to.deep.equal(records.slice(0, 1199).map(r => `${r.timestampMs}:${r.frame.length}:${r.frame[0]}`))
        expect(warnings).to.deep.equal(['pcap: record 1199 data truncated'])
        writeFileSync(path, 'not a capture at all, but long enough')
        const bad = await forEachPcapRecordAsync(path, () => {})
        expect(bad.ok).to.equal(false)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })

    it('forEachPcapRecordAsync reads no further while beforeRead holds it (a consumer waiting for its output to drain)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'irdakit-pcap-'))
      try {
        const path = join(dir, 'big.pcap')
        // 3000 records of 1 KiB: three reads of a megabyte and more.
        writePcap(path, Array.from({ length: 3000 }, (_, i) => ({ timestampMs: i, direction: 'in', frame: new Uint8Array(1024).fill(i & 0xFF) })))
        let seen = 0
        let reads = 0
        let release: () => void = () => {}
        const held: number[] = []
        let heldOnce: () => void = () => {}
        const firstHold = new Promise<void>(resolve => { heldOnce = resolve })
        const done = forEachPcapRecordAsync(path, () => { seen++ }, {
          beforeRead: () => {
            if (reads++ === 0) return undefined // the first read goes at once
            held.push(seen)
            heldOnce()
            return new Promise<void>(resolve => { release = resolve })
          },
        })
        await firstHold
        // Reads of our own, longer than the next one would be, and event-loop turns: still held.
        await readFile(path)
        for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
        expect(held).to.have.length(1)
        expect(seen).to.equal(held[0])
        expect(seen).to.be.greaterThan(0).and.lessThan(3000)
        const finished = done.then(() => true)
        while (!await Promise.race([finished, new Promise(resolve => setImmediate(() => resolve(false)))])) release()
        expect(await done).to.deep.equal({ ok: true, value: 3000 })
        expect(seen).to.equal(3000)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })

    it('refuses a record that claims more than a capture may hold, instead of waiting for it', () => {
      const rec = encodePcapRecord({ timestampMs: 0, direction: 'in', frame: Uint8Array.of(0x86, 0x11) })
      new DataView(rec.buffer).setUint32(8, PCAP_MAX_RECORD + 1, true)
      const parser = new PcapParser()
      const bytes = new Uint8Array(24 + rec.length)
      bytes.set(encodePcapHeader())
      bytes.set(rec, 24)
      expect(parser.feed(bytes, () => { throw new Error('no record expected') })).to.equal(24)
      expect(parser.error).to.match(/claims 262145 bytes, more than the 262144/)
      expect(parser.feed(bytes, () => {})).to.equal(0) // nothing more after an error
    })
  })
})

