import { expect } from 'chai'
import fc from 'fast-check'
import { Duplex, PassThrough } from 'node:stream'
import {
  ByteReader, encodeRequest, encodeResult, FileProtocolError, fileCrc, judge, OP_FILE, OP_PUT, safeFileName,
  type FileRequest, type FileResult,
} from './file-transfer.js'

/** A stream whose readable side yields `bytes` in the given pieces, then ends. */
function feed (bytes: Uint8Array, cuts: number[]): Duplex {
  const s = new PassThrough()
  let at = 0
  for (const c of [...cuts].sort((a, b) => a - b)) { if (c > at && c < bytes.length) { s.write(bytes.subarray(at, c)); at = c } }
  s.end(bytes.subarray(at))
  return s
}

const request = fc.record({ op: fc.constantFrom(1, 2, 3), name: fc.string({ maxLength: 40 }), size: fc.nat({ max: 0xFFFFFFFF }) })
const result = fc.record({ ok: fc.boolean(), bytes: fc.nat({ max: 0xFFFFFFFF }), crc32: fc.nat({ max: 0xFFFFFFFF }), text: fc.string({ maxLength: 80 }) })
const cuts = fc.array(fc.nat({ max: 200 }), { maxLength: 6 })

describe('cli/file protocol (irda serve / send / recv)', () => {
  it('encodes the request byte for byte as documented', () => {
    expect(encodeRequest({ op: OP_PUT, name: 'a.txt', size: 258 }).toString('hex')).to.equal('49524631' + '01' + '0005' + '612e747874' + '00000102')
    expect(encodeResult({ ok: true, bytes: 3, crc32: 0x352441c2, text: 'ok' }).toString('hex')).to.equal('49524131' + '00' + '00000003' + '352441c2' + '0002' + '6f6b')
  })

  it('reads back any request and result, however the stream splits them', async () => {
    await fc.assert(fc.asyncProperty(request, result, cuts, async (req: FileRequest, res: FileResult, at: number[]) => {
      const reader = new ByteReader(feed(Buffer.concat([encodeRequest(req), encodeResult(res)]), at))
      expect(await reader.message()).to.deep.equal({ kind: 'request', request: req })
      expect(await reader.result()).to.deep.equal(res)
    }))
  })

  it('rejects a stream that is not the protocol, and one that ends early', async () => {
    let err: unknown
    try { await new ByteReader(feed(Buffer.from('GET / HTTP/1.1\r\n'), [])).message() } catch (e) { err = e }
    expect(err).to.be.instanceOf(FileProtocolError).with.property('message', 'the peer does not speak the irda file protocol')
    err = undefined
    try { await new ByteReader(feed(encodeRequest({ op: OP_FILE, name: 'x', size: 10 }), [])).take(19) } catch (e) { err = e }
    expect(err).to.be.instanceOf(FileProtocolError)
  })

  it('calls a transfer good only when the receiver has every byte with the same CRC-32', () => {
    const data = Uint8Array.from([1, 2, 3])
    expect(fileCrc(Buffer.from('123456789'))).to.equal(0xCBF43926) // the CRC-32 check value
    expect(judge(data, 'f', { ok: true, bytes: 3, crc32: fileCrc(data), text: '/in/f' })).to.deep.include({ ok: true, text: '/in/f' })
    expect(judge(data, 'f', { ok: true, bytes: 2, crc32: fileCrc(data), text: '/in/f' }).ok).to.equal(false)
    expect(judge(data, 'f', { ok: true, bytes: 3, crc32: 0, text: '/in/f' }).text).to.match(/^the receiver got 3 bytes \(crc32 0\), not 3/)
    expect(judge(data, 'f', { ok: false, bytes: 0, crc32: 0, text: 'exists' })).to.deep.include({ ok: false, text: 'exists' })
  })

  it('stores only plain file names', () => {
    for (const good of ['a.txt', 'photo 1.jpg', '.hidden', 'ü.bin']) expect(safeFileName(good), good).to.equal(true)
    for (const bad of ['', '.', '..', '../etc/passwd', 'a/b', 'a\\b', 'nul\u0000', 'x'.repeat(256)]) expect(safeFileName(bad), bad).to.equal(false)
  })
})
