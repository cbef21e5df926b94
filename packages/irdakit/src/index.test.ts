import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import * as irdakit from 'irdakit'
import * as capture from '@irdakit/capture'
import * as emulator from '@irdakit/emulator'
import * as irsock from '@irdakit/irsock'
import * as phy from '@irdakit/phy'
import * as serial from '@irdakit/serial'
import * as stack from '@irdakit/stack'

describe('irdakit (the umbrella package)', () => {
  it('depends on and re-exports every @irdakit package of the repository, so a new one is not forgotten', () => {
    const packagesDir = fileURLToPath(new URL('../..', import.meta.url))
    const scoped = readdirSync(packagesDir).filter(d => d !== 'irdakit' && existsSync(join(packagesDir, d, 'package.json')))
    const manifest = JSON.parse(readFileSync(join(packagesDir, 'irdakit', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    expect(Object.keys(manifest.dependencies).filter(n => n.startsWith('@irdakit/')).sort()).to.deep.equal(scoped.map(d => `@irdakit/${d}`).sort())
    expect(Object.keys(irdakit).filter(k => typeof (irdakit as Record<string, unknown>)[k] === 'object' && scoped.includes(k)).sort()).to.deep.equal([...scoped].sort())
  })

  it('re-exports every package as a namespace, the same modules', () => {
    for (const name of ['capture', 'cli', 'conformance', 'core', 'emulator', 'ircomm', 'irsock', 'lap', 'lmp', 'obex', 'phy', 'serial', 'stack', 'ttp', 'usb'] as const) {
      expect(irdakit[name], name).to.be.an('object')
      expect(Object.keys(irdakit[name]).length, name).to.be.greaterThan(0)
    }
    expect(irdakit.stack.IrdaStack).to.equal(stack.IrdaStack)
    expect(irdakit.irsock.createIrSock).to.equal(irsock.createIrSock)
  })

  it('puts the public names of DESIGN.md at the top level', () => {
    expect(irdakit.Room).to.equal(emulator.Room)
    expect(irdakit.IrdaStack).to.equal(stack.IrdaStack)
    expect([irdakit.createIrSock, irdakit.createServer, irdakit.connect]).to.deep.equal([irsock.createIrSock, irsock.createServer, irsock.connect])
    expect([irdakit.openSerialPort, irdakit.dongleProfiles]).to.deep.equal([serial.openSerialPort, serial.dongleProfiles])
    expect([irdakit.writePcap, irdakit.PcapWriter, irdakit.readPcap, irdakit.decodeFrame]).to.deep.equal([capture.writePcap, capture.PcapWriter, capture.readPcap, capture.decodeFrame])
    expect([irdakit.fcs16, irdakit.fcs32, irdakit.sirWrap, irdakit.SirUnwrapper]).to.deep.equal([phy.fcs16, phy.fcs32, phy.sirWrap, phy.SirUnwrapper])
  })

  it('its README names every namespace and every top-level name it exports', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ')
    const listed = (label: string, end: string): string[] => [...(new RegExp(`${label}: (.*?)${end}`).exec(readme)?.[1] ?? '').matchAll(/`([A-Za-z0-9]+)`/g)].map(m => m[1]).sort()
    const exported = Object.keys(irdakit)
    const namespaces = exported.filter(k => typeof (irdakit as Record<string, unknown>)[k] === 'object')
    expect(listed('Namespaces', '\\(e\\.g\\.'), 'README "Namespaces:"').to.deep.equal(namespaces.sort())
    expect(listed('Top level', '\\. Each package'), 'README "Top level:"').to.deep.equal(exported.filter(k => !namespaces.includes(k)).sort())
  })

  it('runs a stack from the umbrella alone', async () => {
    const room = new irdakit.Room({ time: 'virtual', seed: 1 })
    const me = irdakit.IrdaStack.create({ port: room.port('me'), nickname: 'laptop' })
    irdakit.IrdaStack.create({ port: room.port('peer'), nickname: 'dive' })
    const devices = await room.run(me.discover())
    expect(devices.map(d => d.nickname)).to.deep.equal(['dive'])
    await room.close()
  })
})
