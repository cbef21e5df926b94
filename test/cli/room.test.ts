import { expect } from 'chai'
import { join } from 'node:path'
import { readPcap } from '@irdakit/capture'
import { IrdaProcess } from './irda-process.js'
import { runIrda, stderrLines } from './run-irda.js'
import { testDir } from '../helpers/temp-dir.js'

const dir = testDir('irdakit-cli-room-')

interface RoomEvent { event: string, address?: string, station?: string, stationsSeen?: number, frames?: number, badInput?: number, stoppedBy?: string }
const events = (stdout: string): RoomEvent[] => stdout.trim().split('\n').map(l => JSON.parse(l) as RoomEvent)

describe('irda room serve and --room', function () {
  this.timeout(30_000)

  it('shares one room between processes: discover, ias and ping through it, then a clean ^C with a summary and a pcap', async () => {
    const socket = join(dir, 'shared.sock')
    const pcap = join(dir, 'shared.pcap')
    const room = new IrdaProcess(['room', 'serve', '--socket', socket, '--pcap', pcap, '--json'])
    try {
      await room.waitFor(/"event":"listening"/)
      const server = new IrdaProcess(['serve', 'files', '--room', socket])
      try {
        const [, address] = await server.waitFor(/as (0x[0-9a-f]{8})/)
        const found = runIrda(['discover', '--room', socket, '--json'])
        expect(found.stderr).to.equal('')
        expect(found.status).to.equal(0)
        const doc = JSON.parse(found.stdout) as { medium: string, devices: Array<{ deviceAddress: string, nickname: string }> }
        expect(doc.medium).to.equal(`room ${socket}`)
        expect(doc.devices).to.deep.equal([{ ...doc.devices[0], deviceAddress: address, nickname: 'irda serve' }])

        const ias = runIrda(['ias', 'irda serve', 'files', 'IrDA:TinyTP:LsapSel', '--room', socket, '--json'])
        expect(ias.status, ias.stderr).to.equal(0)
        const answer = JSON.parse(ias.stdout) as { status: string, entries: Array<{ type: string, value: number }> }
        expect(answer.status).to.equal('success')
        expect(answer.entries[0].type).to.equal('integer')

        const ping = runIrda(['ping', '--room', socket, '--device', address, '-c', '2', '-i', '100', '--json'])
        expect(ping.status, ping.stderr).to.equal(0)
        expect(JSON.parse(ping.stdout)).to.include({ sent: 2, received: 2, medium: `room ${socket}` })
      } finally {
        await server.stop('SIGTERM')
      }
    } finally {
      const run = await room.stop('SIGINT')
      expect(run.status).to.equal(0)
      expect(run.stderr).to.equal('')
      const evs = events(run.stdout)
      expect(evs[0]).to.deep.include({ event: 'listening', address: socket })
      expect(evs.filter(e => e.event === 'join').map(e => e.station?.replace(/-\d+$/, ''))).to.deep.equal(['serve', 'discover', 'ias', 'ping'])
      const summary = evs[evs.length - 1]
      expect(summary).to.deep.include({ event: 'summary', stationsSeen: 4, badInput: 0, stoppedBy: 'SIGINT' })
      expect(summary.frames).to.be.greaterThan(10)
      const records = readPcap(pcap)
      expect(records.ok && records.value.length).to.equal(summary.frames)
    }
  })

  it('says in one line, exit 2, when the socket cannot be served or nobody serves it', async () => {
    const bad = runIrda(['room', 'serve', '--socket', join(dir, 'no-such-dir', 'room.sock')])
    expect(bad.status).to.equal(2)
    expect(stderrLines(bad)).to.deep.equal([`irda: cannot serve a room at ${join(dir, 'no-such-dir', 'room.sock')}: no directory ${join(dir, 'no-such-dir')}`])

    const nobody = join(dir, 'nobody.sock')
    for (const args of [['discover', '--room', nobody], ['ping', '--room', nobody], ['send', 'package.json', '--room', nobody]]) {
      const r = runIrda(args)
      expect(r.status, args[0]).to.equal(2)
      expect(stderrLines(r), args[0]).to.deep.equal([`irda: cannot join the room: room ${nobody}: no room is served there (ENOENT)`])
    }
    const both = runIrda(['discover', '--room', nobody, '--port', '/dev/ttyUSB0'])
    expect(both.status).to.equal(2)
    expect(stderrLines(both)).to.deep.equal(['irda: choose one of --emulator, --room and --port, not --room and --port'])
  })

  it('refuses a socket a live room already serves, in one line', async () => {
    const socket = join(dir, 'taken.sock')
    const room = new IrdaProcess(['room', 'serve', '--socket', socket])
    try {
      await room.waitFor(/serving an emulated room on /)
      const second = runIrda(['room', 'serve', '--socket', socket])
      expect(second.status).to.equal(2)
      expect(stderrLines(second)).to.deep.equal([`irda: a room is already served at ${socket}`])
    } finally {
      const run = await room.stop('SIGTERM')
      expect(run.status).to.equal(0)
      // eslint-disable-next-line no-control-regex
      expect(run.stdout).to.not.match(/\u001b\[/)
      expect(run.stdout).to.match(/0 stations seen, 0 frames, 0 bad input\n$/)
    }
  })
})
