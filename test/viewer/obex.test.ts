/*!
 * The viewer's OBEX layer on a real session: a laptop browses and pushes to the emulated phone
 * in a virtual room, captured on the air. The capture decoder stops at TinyTP; the viewer names
 * each OBEX packet on the selector IAS announced for class OBEX, and its continuations.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { emulatedPhone, FOLDER_BROWSING_UUID, OBEX_HINTS, ObexClient } from '@irdakit/obex'
import { openPcapStore, type CaptureStore } from '@irdakit/viewer'

describe('irda view: OBEX packets named on the OBEX selector', function () {
  this.timeout(60_000)
  let dir: string
  let store: CaptureStore

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'irda-view-obex-'))
    const pcap = join(dir, 'air.pcap')
    const room = new Room({ time: 'virtual', seed: 4 })
    const laptop = IrdaStack.create({ port: room.port('laptop', { supportedSpeeds: [9600, 115200] }), nickname: 'laptop', seed: 41 })
    const phone = IrdaStack.create({ port: room.port('phone', { supportedSpeeds: [9600, 115200] }), nickname: 'phone', hints: [...OBEX_HINTS], seed: 42 })
    emulatedPhone(phone)
    const capture = room.capture(pcap)
    await room.run((async () => {
      const c = await ObexClient.connect(laptop, { target: FOLDER_BROWSING_UUID, maxPacket: 1024 })
      await c.setPath({ name: 'Inbox' })
      await c.put('memo.txt', new Uint8Array(3000).fill(0x61), { type: 'text/plain' })
      await c.close()
    })())
    await room.run(Promise.all([laptop.close(), phone.close()]))
    capture.close()
    await room.close()
    const opened = openPcapStore(pcap)
    await opened.indexed
    store = opened.store
  })

  after(() => {
    store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('shows Connect, SetPath, Put and the phone\'s answers as OBEX, and filters on the layer', () => {
    const all = store.range({}, -1e9, 1e9).frames
    const obex = all.filter(f => f.layer === 'OBEX').map(f => /obex: (.*)$/.exec(f.summary)?.[1] ?? '')
    // 3000 bytes in packets of at most 1024: Put, Continue, Put, Continue, Put final, Success.
    expect(obex.map(s => s.replace(/ len=\d+$/, ''))).to.deep.equal([
      'Connect', 'Success', 'SetPath', 'Success', 'Put', 'Continue', 'Put', 'Continue', 'Put final', 'Success', 'Disconnect', 'Success',
    ])
    expect(obex[4]).to.equal('Put len=1024')
    // Hiding OBEX leaves the rest.
    const shown = store.range({ hideLayers: ['OBEX'] }, -1e9, 1e9).frames
    expect(shown.length).to.equal(all.length - obex.length)
    // A frame's full decode carries the OBEX layer too.
    const first = all.find(f => f.layer === 'OBEX')
    expect(store.detail(first?.i ?? -1)?.layers.map(l => l.layer)).to.deep.equal(['LAP', 'LMP', 'TTP', 'OBEX'])
  })
})
