/*!
 * `irda demo --usb <id>`: once the dongle is open (openUsbMedium, the part only a real dongle
 * can check), the command runs the main job on that port with stackOn and runDemoOn. Here the
 * same two run on each driver over its chip model in a virtual room, against a station running
 * the responder's IrDA:IrCOMM echo: discovery, IAS, TinyTP with 9-wire framing, the echo.
 */
import { expect } from 'chai'
import type { Clock, Port } from '@irdakit/core'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { BridgeModel, KingsunModel, Mcs7780Model, openUsbPort, Stir4200Model, type UsbDeviceModel } from '@irdakit/usb'
import { demoBytes, DEMO_RESPONDER_NICKNAME, listenEcho } from '../../packages/cli/src/demo.js'
import { runDemoOn } from '../../packages/cli/src/demo-link.js'
import { stackOn } from '../../packages/cli/src/transfer.js'

const dongles: Array<{ id: string, make: (clock: Clock, station: Port) => UsbDeviceModel, top: number }> = [
  { id: '1234:4949 (irda-usb)', make: (c, s) => new BridgeModel(c, s), top: 4_000_000 },
  { id: '9710:7780 (mcs7780)', make: (c, s) => new Mcs7780Model(c, s), top: 4_000_000 },
  { id: '066f:4200 (stir4200)', make: (c, s) => new Stir4200Model(c, s), top: 4_000_000 },
  { id: '07c0:4200 (kingsun)', make: (c, s) => new KingsunModel(c, s, 'kingsun'), top: 9600 },
  { id: '07d0:4100 (ksdazzle)', make: (c, s) => new KingsunModel(c, s, 'ksdazzle'), top: 115_200 },
  { id: '07d0:4959 (ks959)', make: (c, s) => new KingsunModel(c, s, 'ks959'), top: 57_600 }
]

describe('irda demo --usb: the main job on each USB driver (chip models, virtual time)', () => {
  for (const { id, make, top } of dongles) {
    it(`usb ${id}: finds the responder, connects to IrDA:IrCOMM through IAS and gets 2000 bytes back identical, at ${top} bit/s`, async () => {
      const room = new Room({ time: 'virtual', seed: 5 })
      const model = make(room.clock, room.port('dongle'))
      const port = await room.run(openUsbPort({ device: model, clock: room.clock }))
      const label = `usb ${id}`
      const stack = stackOn({ kind: 'usb', port, label, run: room.run.bind(room), close: async () => { await port.close() } }, 'laptop', {})
      const responder = IrdaStack.create({ port: room.port('responder'), nickname: DEMO_RESPONDER_NICKNAME, seed: 52 })
      listenEcho(responder)
      const data = demoBytes(2000)
      const result = await room.run(runDemoOn(stack, 'laptop', { data, label }))
      expect(result.peer.nickname).to.equal(DEMO_RESPONDER_NICKNAME)
      expect(result.identical).to.equal(true)
      expect(result.bytes).to.equal(2000)
      expect(result.speed).to.equal(top)
      expect(model.stats.refused, model.stats.lastRefusal).to.equal(0)
      await room.run(responder.close())
      await room.close()
    })
  }
})
