import { expect } from 'chai'
import { LinkError } from '@irdakit/core'
import { BridgeModel, KingsunModel, Mcs7780Model, openUsbPort, Stir4200Model, UsbPortClosedError, type UsbDeviceModel } from '@irdakit/usb'
import type { Clock, Port } from '@irdakit/core'
import { nextEvent, testFrame, usbWorld } from './helpers.js'

const models: Record<string, (clock: Clock, station: Port) => UsbDeviceModel> = {
  'irda-usb': (c, s) => new BridgeModel(c, s),
  mcs7780: (c, s) => new Mcs7780Model(c, s),
  stir4200: (c, s) => new Stir4200Model(c, s),
  kingsun: (c, s) => new KingsunModel(c, s, 'kingsun'),
  ksdazzle: (c, s) => new KingsunModel(c, s, 'ksdazzle'),
  ks959: (c, s) => new KingsunModel(c, s, 'ks959')
}

describe('usb: every driver and model, the Port contract', () => {
  for (const [name, make] of Object.entries(models)) {
    it(`${name}: pulling the dongle mid-transmission closes the port with a LinkError; send afterwards is counted, not thrown; a new dongle works`, async () => {
      const w = await usbWorld(71, make)
      const peer = w.room.port('listener')
      for (let i = 0; i < 5; i++) w.port.send(testFrame(300, i))
      const closed = nextEvent(w.port, 'closed')
      await w.room.run(nextEvent(peer, 'frame'))
      w.model.unplug()
      const ev = await w.room.run(closed)
      expect(ev.error).to.be.instanceOf(LinkError)
      expect(() => w.port.send(testFrame(10))).to.not.throw()
      let err: unknown
      try { await w.port.setSpeed(9600) } catch (e) { err = e }
      expect(err).to.be.instanceOf(UsbPortClosedError)
      await w.room.run(new Promise<void>(resolve => w.room.clock.setTimer(w.room.clock.now() + 500, resolve)))
      const again = await w.room.run(openUsbPort({ device: make(w.room.clock, w.room.port('dongle-2')), clock: w.room.clock }))
      again.send(testFrame(40, 9))
      const got = await w.room.run(nextEvent(peer, 'frame'))
      expect(got.frame).to.deep.equal(testFrame(40, 9))
    })

    it(`${name}: close() ends with a closed event without error, and send after close is misuse`, async () => {
      const w = await usbWorld(72, make)
      const closed = nextEvent(w.port, 'closed')
      await w.room.run(w.port.close())
      expect((await closed).error).to.equal(undefined)
      expect(w.model.opened).to.equal(false)
      expect(() => w.port.send(testFrame(10))).to.throw(UsbPortClosedError)
    })
  }
})
