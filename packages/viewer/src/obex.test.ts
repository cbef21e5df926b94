import { expect } from 'chai'
import type { LayerDescription } from '@irdakit/capture'
import { ObexTracker, describeObexStart, obexOperation } from './obex.js'

const ias: LayerDescription = { layer: 'IAS', summary: '', fields: { className: 'OBEX', attributeName: 'IrDA:TinyTP:LsapSel', entries: [{ objectId: 1, value: 'int(5)' }] } }
const data = (slsap: number, dlsap: number): LayerDescription[] => [
  { layer: 'LAP', summary: '', fields: { kind: 'I' } },
  { layer: 'LMP', summary: '', fields: { kind: 'data', slsap, dlsap } },
  { layer: 'TTP', summary: '', fields: {} },
]
/** LAP (2) + LMP (2) + TTP (1) header bytes, then `body`. */
const frame = (body: number[]): Uint8Array => Uint8Array.from([0x63, 0x10, 0x05, 0x10, 0x00, ...body])

describe('viewer: the OBEX layer', () => {
  it('names opcodes and response codes (IrOBEX 1.2 section 3)', () => {
    expect([0x80, 0x81, 0x02, 0x82, 0x03, 0x83, 0x85, 0xFF, 0x90, 0xA0, 0xC4].map(obexOperation)).to.deep.equal([
      'Connect', 'Disconnect', 'Put', 'Put final', 'Get', 'Get final', 'SetPath', 'Abort', 'Continue', 'Success', 'Not Found',
    ])
    expect(obexOperation(0x10)).to.equal(undefined)
    expect(describeObexStart(Uint8Array.of(0x82, 0x00, 0x02))).to.equal(undefined) // shorter than its own header
  })

  it('follows a packet longer than one TinyTP SDU on the selector IAS announced, and nothing elsewhere', () => {
    const t = new ObexTracker()
    expect(t.frame(frame([0x82, 0x00, 0x03]), data(0x10, 5))).to.equal(undefined) // OBEX not announced yet
    t.frame(Uint8Array.of(0x63, 0x10), [ias])
    const body = new Array<number>(500).fill(0x61)
    expect(t.frame(frame([0x82, 0x03, 0xE8, ...body.slice(3)]), data(0x10, 5))?.summary).to.equal('obex: Put final len=1000')
    expect(t.frame(frame(body), data(0x10, 5))?.summary).to.equal('obex: continued, 500 bytes')
    // The packet is complete: the next SDU starts a packet again.
    expect(t.frame(frame([0xA0, 0x00, 0x03]), data(5, 0x10))?.summary).to.equal('obex: Success len=3')
    expect(t.frame(frame([0xA0, 0x00, 0x03]), data(0x11, 0x12))).to.equal(undefined)
  })
})
