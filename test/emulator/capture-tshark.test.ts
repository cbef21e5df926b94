import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DEFAULT_PCAP_EPOCH_MS, readPcap } from '@irdakit/capture'
import type { Port } from '@irdakit/core'
import { Room, type TapRecord } from '@irdakit/emulator'
import { linuxSession } from '../helpers/linux-session.js'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'

const txDone = async (port: Port): Promise<void> => await new Promise(resolve => {
  const off = port.listen(ev => { if (ev.type === 'tx-done') { off(); resolve() } })
})

describe('emulator/capture: a room capture of the Linux 4.9 session', function () {
  let dir: string
  let path: string
  const taps: TapRecord[] = []
  const session = linuxSession()

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'irdakit-room-capture-'))
    path = join(dir, 'room.pcap')
    const room = new Room({ time: 'virtual', seed: 3 })
    const a = room.port('A'); const b = room.port('B')
    room.tap(r => taps.push(r))
    const cap = room.capture(path) // perspective: the first station, A
    // Replay every frame through the medium, each 1 ms after the previous one left the air.
    await room.run((async () => {
      for (const f of session) {
        const from = f.dir === 'A->B' ? a : b
        from.send(f.frame, { xbofs: 12 })
        await txDone(from)
        await new Promise(resolve => room.clock.setTimer(room.clock.now() + 1, () => { resolve(undefined) }))
      }
    })())
    expect(cap.frames).to.equal(session.length)
    await room.close()
  })

  after(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('holds every frame, in order, stamped with the end of its airtime, out for A and in for B', () => {
    const read = readPcap(path)
    if (!read.ok) throw read.error
    expect(read.value).to.have.length(session.length)
    read.value.forEach((rec, i) => {
      expect(Buffer.from(rec.frame).equals(Buffer.from(session[i].frame)), `frame ${i}`).to.equal(true)
      expect(rec.direction).to.equal(session[i].dir === 'A->B' ? 'out' : 'in')
      expect(rec.timestampMs).to.be.closeTo(taps[i].end, 0.001)
    })
    expect(taps.every(t => t.receptions[0].result === 'good')).to.equal(true)
  })

  it('decodes cleanly in tshark', function () {
    requireTshark(this)
    const frames = expectCleanDecode(path, { frames: session.length, noWarnings: true })
    expect(frames.map(f => f.protocols[0])).to.deep.equal(session.map(() => 'irlap'))
    // The first record is at the end of its airtime after the capture's fixed epoch.
    const first = Number(frames[0].fields['frame.time_epoch'][0]) * 1000
    expect(first).to.be.closeTo(DEFAULT_PCAP_EPOCH_MS + taps[0].end, 0.01)
  })
})
