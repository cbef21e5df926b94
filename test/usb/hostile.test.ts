import { expect } from 'chai'
import fc from 'fast-check'
import { SirUnwrapper } from '@irdakit/phy'
import { createModel, decodeBridgeReceive, decodeMcsReceive, kingsunCodec as K, MODEL_NAMES, stir4200Codec as S, bridgeCodec as B, mcs7780Codec as M } from '@irdakit/usb'
import { Room } from '@irdakit/emulator'

describe('usb: hostile bytes from a device or a host never throw', () => {
  it('every receive decoder takes any bytes and returns frames or counted errors', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom(9600, 115200, 576000, 4000000), (b, bps) => {
      for (const it of [...decodeBridgeReceive(b, 1), ...decodeBridgeReceive(b, 3), ...decodeMcsReceive(b, bps, new SirUnwrapper())]) {
        expect(['frame', 'error', 'media']).to.include(it.type)
      }
      new S.StirFirUnwrapper().push(b)
      K.kingsunReport(b); K.dazzleUnpack(b); K.ks959Deobfuscate(b, b.length & 0xFF); new K.Ks959RxCipher().clear(b)
      B.parseClassDescriptor(b); B.decodeStirTransfer(b); M.decodeMcsTransfer(b); S.decodeStirTransfer(b)
      if (b.length > 0) B.decodeHeader(b[0])
    }), { numRuns: 300 })
  })

  for (const name of MODEL_NAMES) {
    it(`${name} model: random control requests and transfers are refused (counted) or taken, never thrown`, async () => {
      const room = new Room({ time: 'virtual', seed: 3 })
      const model = createModel(name, room.clock, room.port('dongle'))
      await model.open()
      await fc.assert(fc.asyncProperty(
        fc.constantFrom('in', 'out', 'bulk') as fc.Arbitrary<'in' | 'out' | 'bulk'>,
        fc.constantFrom('standard', 'class', 'vendor') as fc.Arbitrary<'standard' | 'class' | 'vendor'>,
        fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0xFFFF }), fc.integer({ min: 0, max: 15 }), fc.uint8Array({ maxLength: 300 }),
        async (kind, requestType, request, value, index, data) => {
          const setup = { requestType, recipient: 'interface' as const, request, value, index }
          const run = kind === 'in'
            ? model.controlTransferIn(setup, 64)
            : kind === 'out' ? model.controlTransferOut(setup, data) : model.transferOut(1 + (index & 1), data)
          const r = await room.run(run)
          expect(['ok', 'stall']).to.include(r.status)
        }), { numRuns: 150 })
      expect(model.stats.refused).to.be.greaterThan(0)
    })
  }
})
