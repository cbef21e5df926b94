import { expect } from 'chai'
import { decodePcap, encodePcap, type PcapRecord } from '@irdakit/capture'

const records: PcapRecord[] = [1, 2, 3].map(n => ({ timestampMs: n, direction: 'out', frame: Uint8Array.of(0xFF, 0x93, n) }))

describe('capture/pcap: a capture cut short in its last record', () => {
  const bytes = encodePcap(records)

  it('fails the whole read by default', () => {
    const d = decodePcap(bytes.subarray(0, -1))
    expect(d.ok).to.equal(false)
  })

  it('with onTruncated gives the records before the cut one and says why', () => {
    for (const [cut, why] of [[1, 'record 2 data truncated'], [bytes.length - encodePcap(records.slice(0, 2)).length - 3, 'record 2 header truncated']] as const) {
      const heard: string[] = []
      const d = decodePcap(bytes.subarray(0, bytes.length - cut), { onTruncated: m => heard.push(m) })
      expect(d).to.deep.equal({ ok: true, value: records.slice(0, 2) })
      expect(heard).to.deep.equal([`pcap: ${why}`])
    }
  })

  it('a whole capture never calls it', () => {
    const heard: string[] = []
    expect(decodePcap(bytes, { onTruncated: m => heard.push(m) })).to.deep.equal({ ok: true, value: records })
    expect(heard).to.deep.equal([])
  })
})
