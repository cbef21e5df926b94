/*!
 * OBEX end to end between two stacks in an emulated room, in virtual time: push, pull and browse
 * an emulated phone, a large file under bit errors compared byte for byte, abort in the middle,
 * the OBEX:IrXfer fallback, a refusing server, path tricks, and a client silent mid-push.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import {
  ConflictError, DatabaseFullError, DirectoryStore, ForbiddenError, FOLDER_BROWSING_UUID, listenObex, MemoryStore, NotFoundError,
  ObexAbortedError, ObexClient, readFileChunks, findObexService, emulatedPhone, IRMC_SYNC_TARGET, ObexTimeoutError, ObexConnectionError, OBEX_HINTS, UrlTooLargeError, type ObexActivity, type ObexStore, BadRequestError,
} from '@irdakit/obex'

function noise (n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  let x = seed | 1
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xFF }
  return b
}

interface World { room: Room, laptop: IrdaStack, phone: IrdaStack, activity: ObexActivity[], close: () => Promise<void> }

function world (store: ObexStore, opts: { seed?: number, speeds?: number[], iasClasses?: string[], timeoutMs?: number } = {}): World {
  const seed = opts.seed ?? 1
  const speeds = opts.speeds ?? [9600, 115200]
  const room = new Room({ time: 'virtual', seed })
  const laptop = IrdaStack.create({ port: room.port('laptop', { supportedSpeeds: speeds }), nickname: 'laptop', seed: seed * 10 + 1 })
  const phone = IrdaStack.create({ port: room.port('phone', { supportedSpeeds: speeds }), nickname: 'phone', hints: [...OBEX_HINTS], seed: seed * 10 + 2 })
  const activity: ObexActivity[] = []
  const server = listenObex(phone, {
    store,
    targets: [FOLDER_BROWSING_UUID],
    onActivity: a => { if (a.type !== 'put-progress') activity.push(a) },
    ...(opts.iasClasses !== undefined ? { iasClasses: opts.iasClasses } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  })
  return {
    room, laptop, phone, activity,
    close: async () => { server.close(); await room.run(Promise.all([laptop.close(), phone.close()])); await room.close() },
  }
}

const phoneStore = (): MemoryStore => new MemoryStore()
  .add('telecom/pb.vcf', 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nEND:VCARD\r\n', 'text/x-vcard')
  .add('Pictures/cat.jpg', noise(3000, 9), 'image/jpeg')
  .mkdir('Inbox')

describe('obex/e2e: an emulated phone in a virtual room', function () {
  this.timeout(120_000)

  it('push, pull and browse: folder listing parsed, bytes identical, Folder Browsing connection id', async () => {
    const store = phoneStore()
    const w = world(store)
    const vcard = new TextEncoder().encode('BEGIN:VCARD\r\nVERSION:2.1\r\nN:Smith;John\r\nTEL:+15551234\r\nEND:VCARD\r\n')
    const result = await w.room.run((async () => {
      const c = await ObexClient.connect(w.laptop, { target: FOLDER_BROWSING_UUID })
      expect(c.peer.iasClass).to.equal('OBEX')
      expect(c.connectionId).to.equal(1)
      expect(c.maxPacket).to.equal(7 * 2039)
      const root = await c.list()
      await c.setPath({ name: 'Inbox' })
      const put = await c.put('john.vcf', vcard, { type: 'text/x-vcard' })
      const inbox = await c.list()
      await c.setPath({ parent: true })
      await c.setPath({ name: 'Pictures' })
      const cat = await c.getBytes('cat.jpg')
      await c.setPath({})
      const missing = await c.getBytes('nothing.txt').catch((e: unknown) => e)
      await c.close()
      return { root, put, inbox, cat, missing }
    })())
    expect(result.root.entries.map(e => `${e.kind}:${e.name}`)).to.deep.equal(['folder:telecom', 'folder:Pictures', 'folder:Inbox'])
    expect(result.root.parent).to.equal(false)
    expect(result.root.xml).to.contain('<!DOCTYPE folder-listing SYSTEM "obex-folder-listing.dtd">')
    expect(result.put).to.deep.equal({ bytes: vcard.length, code: 0xA0 })
    expect(result.inbox.parent).to.equal(true)
    expect(result.inbox.entries).to.deep.equal([{ kind: 'file', name: 'john.vcf', size: vcard.length, modified: '20010101T000000Z', type: 'text/x-vcard' }])
    expect(Buffer.from(store.read('Inbox/john.vcf') ?? []).equals(Buffer.from(vcard))).to.equal(true)
    expect(Buffer.from(result.cat).equals(Buffer.from(noise(3000, 9)))).to.equal(true)
    expect(result.missing).to.be.instanceOf(NotFoundError)
    await w.close()
  })

  it('finds a phone that offers only OBEX:IrXfer', async () => {
    const w = world(phoneStore(), { iasClasses: ['OBEX:IrXfer'] })
    const got = await w.room.run((async () => {
      const c = await ObexClient.connect(w.laptop)
      const data = await c.getBytes('pb.vcf').catch(async () => { await c.setPath({ name: 'telecom' }); return await c.getBytes('pb.vcf') })
      await c.close()
      return { cls: c.peer.iasClass, data }
    })())
    expect(got.cls).to.equal('OBEX:IrXfer')
    expect(new TextDecoder().decode(got.data)).to.contain('N:Doe;Jane')
    await w.close()
  })

  it('a 10 MiB file both ways under BER 1e-6 at 115200 b/s, streamed from and to disk, byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obex-e2e-'))
    try {
      const size = Number(process.env.OBEX_BIG_BYTES ?? 10 << 20)
      const data = noise(size, 7)
      const src = join(dir, 'src.bin')
      writeFileSync(src, data)
      const served = join(dir, 'served')
      mkdirSync(served)
      const w = world(new DirectoryStore(served), { seed: 3 })
      w.room.faults({ ber: 1e-6 })
      const t0 = w.laptop.clock.now()
      const r = await w.room.run((async () => {
        const c = await ObexClient.connect(w.laptop)
        const put = await c.put('big.bin', readFileChunks(src), { length: size })
        const back: Uint8Array[] = []
        let maxChunk = 0
        const got = await c.get('big.bin', chunk => { maxChunk = Math.max(maxChunk, chunk.length); back.push(chunk) })
        await c.close()
        return { put, got, back, maxChunk }
      })())
      const seconds = (w.laptop.clock.now() - t0) / 1000
      expect(r.put.bytes).to.equal(size)
      expect(r.got.bytes).to.equal(size)
      expect(r.got.length).to.equal(size)
      expect(r.maxChunk).to.be.at.most(7 * 2039)
      expect(Buffer.from(readFileSync(join(served, 'big.bin'))).equals(Buffer.from(data))).to.equal(true)
      expect(Buffer.concat(r.back).equals(Buffer.from(data))).to.equal(true)
      expect(w.laptop.stats().lap.rxErrors + w.phone.stats().lap.rxErrors).to.be.greaterThan(0)
      console.log(`      ${size} bytes each way in ${seconds.toFixed(1)} s of link time, ${Math.round(2 * size / seconds)} B/s`)
      if (process.env.OBEX_BIG_BYTES === undefined) {
        // The run is deterministic (virtual time, seeded), so the docs must quote what it measures.
        const rate = Math.round(2 * size / seconds)
        const ofLine = Math.round(100 * rate / 11520)
        const text = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8').replace(/\s+/g, ' ')
        expect(text('../../docs/obex.md'), 'docs/obex.md "Measured" is stale').to.contain(`${seconds.toFixed(1)} s of link time for 20 MiB, ${rate} B/s, ${ofLine}% of the 11520 B/s`)
        expect(text('../../README.md'), 'the README\'s OBEX figure is stale').to.contain(`${rate} B/s over both directions, ${ofLine}% of the line's 11520 B/s`)
      }
      await w.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('backpressure end to end: a push reads its source at most about two packets ahead of what the server stored, a pull reads the object as the sink takes it', async () => {
    const inner = new MemoryStore()
    let read = 0
    let stored = 0
    let served = 0
    let taken = 0
    let pushAhead = 0
    let pullAhead = 0
    const store: ObexStore = {
      put: async (folder, info) => {
        const sink = await inner.put(folder, info)
        return { write: async c => { await sink.write(c); stored += c.length }, finish: async () => { await sink.finish() }, discard: async () => { await sink.discard() } }
      },
      get: async (folder, name) => {
        const source = await inner.get(folder, name)
        return { size: source.size, read: async max => { const c = await source.read(max); served += c?.length ?? 0; pullAhead = Math.max(pullAhead, served - taken); return c }, close: async () => { await source.close() } }
      },
      delete: async (folder, name) => { await inner.delete(folder, name) },
      list: async folder => await inner.list(folder),
      enter: async (folder, name, create) => { await inner.enter(folder, name, create) },
    }
    const size = 40 * 16384
    async function * chunks (): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 40; i++) { read += 16384; pushAhead = Math.max(pushAhead, read - stored); yield noise(16384, i + 1) }
    }
    const w = world(store)
    const r = await w.room.run((async () => {
      const c = await ObexClient.connect(w.laptop)
      const put = await c.put('flow.bin', chunks(), { length: size })
      const got = await c.get('flow.bin', chunk => { taken += chunk.length })
      await c.close()
      return { put, got }
    })())
    expect(r.put.bytes).to.equal(size)
    expect(r.got.bytes).to.equal(size)
    // One packet in flight, one being filled, and the 16 KiB chunk that filled it.
    expect(pushAhead).to.be.at.most(2 * 7 * 2039 + 16384)
    // The chunk being sent and the one read ahead to know whether it is the last.
    expect(pullAhead).to.be.at.most(2 * 7 * 2039)
    await w.close()
  })

  it('abort in the middle of a push: the client gets ObexAbortedError, nothing is stored, the session goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obex-abort-'))
    try {
      const w = world(new DirectoryStore(dir))
      const r = await w.room.run((async () => {
        const c = await ObexClient.connect(w.laptop)
        const data = noise(200_000, 3)
        const err = await c.put('half.bin', data, { onProgress: n => { if (n > 50_000) c.abort() } }).catch((e: unknown) => e)
        const after = await c.put('after.txt', new TextEncoder().encode('still here'))
        await c.close()
        return { err, after }
      })())
      expect(r.err).to.be.instanceOf(ObexAbortedError)
      expect(r.after.code).to.equal(0xA0)
      expect(readdirSync(dir).sort()).to.deep.equal(['after.txt'])
      expect(w.activity.some(a => a.type === 'abort' && a.op === 'put')).to.equal(true)
      await w.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('abort in the middle of a pull', async () => {
    const w = world(new MemoryStore().add('big.bin', noise(100_000, 1)))
    const r = await w.room.run((async () => {
      const c = await ObexClient.connect(w.laptop)
      let n = 0
      const err = await c.get('big.bin', chunk => { n += chunk.length; if (n > 20_000) c.abort() }).catch((e: unknown) => e)
      const again = await c.getBytes('big.bin')
      await c.close()
      return { err, n, again }
    })())
    expect(r.err).to.be.instanceOf(ObexAbortedError)
    expect(r.n).to.be.lessThan(100_000)
    expect(r.again.length).to.equal(100_000)
    await w.close()
  })

  it('a refusing server: full, existing name, path tricks and huge names get typed errors and nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obex-refuse-'))
    try {
      writeFileSync(join(dir, 'exists.txt'), 'old')
      const w = world(new DirectoryStore(dir))
      const full = world(new MemoryStore({ capacity: 1000 }), { seed: 5 })
      const one = new TextEncoder().encode('x')
      const r = await w.room.run((async () => {
        const c = await ObexClient.connect(w.laptop)
        const tries: Record<string, unknown> = {}
        for (const name of ['../escape.txt', '/etc/passwd', 'a/b', 'nul\u0000.txt', '..', 'C:evil', 'x'.repeat(300), 'exists.txt']) {
          tries[name] = await c.put(name, one).catch((e: unknown) => e)
        }
        tries.get = await c.getBytes('../../etc/passwd').catch((e: unknown) => e)
        tries.cd = await c.setPath({ name: '..' }).catch((e: unknown) => e)
        tries.up = await c.setPath({ parent: true }).catch((e: unknown) => e)
        await c.close()
        return tries
      })())
      expect(r['../escape.txt']).to.be.instanceOf(ForbiddenError)
      expect(r['/etc/passwd']).to.be.instanceOf(ForbiddenError)
      expect(r['a/b']).to.be.instanceOf(ForbiddenError)
      // A NUL inside a Unicode header is refused by the codec: the packet is malformed (Bad Request, counted).
      expect(r['nul\u0000.txt']).to.be.instanceOf(BadRequestError)
      expect(w.activity.filter(a => a.type === 'malformed')).to.have.length(1)
      expect(r['..']).to.be.instanceOf(ForbiddenError)
      expect(r['C:evil']).to.be.instanceOf(ForbiddenError)
      expect(r['x'.repeat(300)]).to.be.instanceOf(UrlTooLargeError)
      expect(r['exists.txt']).to.be.instanceOf(ConflictError)
      expect(r.get).to.be.instanceOf(ForbiddenError)
      expect(r.cd).to.be.instanceOf(ForbiddenError)
      expect(r.up).to.be.instanceOf(NotFoundError)
      expect(readdirSync(dir)).to.deep.equal(['exists.txt'])
      expect(readFileSync(join(dir, 'exists.txt'), 'utf8')).to.equal('old')
      const f = await full.room.run((async () => {
        const c = await ObexClient.connect(full.laptop)
        const e = await c.put('big', noise(5000, 1)).catch((x: unknown) => x)
        const unnamed = await c.get(undefined, () => {}).catch((x: unknown) => x)
        await c.close()
        return { e, unnamed }
      })())
      expect(f.e).to.be.instanceOf(DatabaseFullError)
      expect(f.unnamed).to.be.instanceOf(BadRequestError)
      await w.close()
      await full.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a refused SetPath leaves the folder where it was (up one level, then into a folder that is not there)', async () => {
    const w = world(phoneStore())
    const r = await w.room.run((async () => {
      const c = await ObexClient.connect(w.laptop)
      await c.setPath({ name: 'telecom' })
      const sideways = await c.setPath({ parent: true, name: 'nothere' }).catch((e: unknown) => e)
      const tricky = await c.setPath({ parent: true, name: '..' }).catch((e: unknown) => e)
      const vcard = await c.getBytes('pb.vcf') // still in telecom
      await c.setPath({ parent: true, name: 'Pictures' })
      const cat = await c.getBytes('cat.jpg')
      await c.close()
      return { sideways, tricky, vcard, cat }
    })())
    expect(r.sideways).to.be.instanceOf(NotFoundError)
    expect(r.tricky).to.be.instanceOf(ForbiddenError)
    expect(new TextDecoder().decode(r.vcard)).to.contain('N:Doe;Jane')
    expect(r.cat.length).to.equal(3000)
    expect(w.activity.filter(a => a.type === 'setpath').map(a => a.type === 'setpath' && `${a.folder} ${a.code.toString(16)}`)).to.deep.equal(['/telecom a0', '/telecom c4', '/telecom c3', '/Pictures a0'])
    await w.close()
  })

  it('hostile packets over TinyTP: a header past its packet is answered Bad Request, a lying length closes the connection, nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obex-hostile-'))
    try {
      const w = world(new DirectoryStore(dir))
      const r = await w.room.run((async () => {
        const [dev] = await w.laptop.discover()
        const svc = await findObexService(w.laptop, dev.deviceAddress)
        const ttp = await w.laptop.ttpConnect({ deviceAddress: dev.deviceAddress, remoteLsap: svc?.lsap ?? 0, maxSduSize: 0 })
        const answers: number[] = []
        ttp.on('readable', () => { for (let b; (b = ttp.read()) !== undefined;) answers.push(b[0]) })
        const wait = async (ms: number): Promise<void> => { await new Promise<void>(resolve => w.laptop.clock.setTimer(w.laptop.clock.now() + ms, resolve)) }
        ttp.write(Uint8Array.from([0x80, 0x00, 0x07, 0x10, 0x00, 0x04, 0x00]))
        await wait(500)
        // Put whose Name says 200 bytes inside an 11-byte packet.
        ttp.write(Uint8Array.from([0x82, 0x00, 0x0B, 0x01, 0x00, 0xC8, 0x00, 0x61, 0x00, 0x62, 0x00]))
        await wait(500)
        // A packet claiming 65535 bytes: more than we announced, the framing is lost.
        const closed = new Promise<void>(resolve => ttp.once('close', () => { resolve() }))
        ttp.write(Uint8Array.from([0x82, 0xFF, 0xFF, 0x01, 0x00, 0x05, 0x00, 0x61]))
        await closed
        return answers
      })())
      expect(r).to.deep.equal([0xA0, 0xC0])
      expect(w.activity.filter(a => a.type === 'malformed').map(a => a.type === 'malformed' && a.error)).to.deep.equal([
        'header 0x01 says 200 bytes, only 8 left in the packet',
        'packet 0x82 says 65535 bytes; this side takes 3 to 14273',
      ])
      expect(readdirSync(dir)).to.deep.equal([])
      await w.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('symbolic links never lead out of a served directory', async () => {
    const base = mkdtempSync(join(tmpdir(), 'obex-links-'))
    try {
      const served = join(base, 'served')
      const outside = join(base, 'outside')
      mkdirSync(served); mkdirSync(outside)
      writeFileSync(join(outside, 'secret.txt'), 'secret')
      symlinkSync(outside, join(served, 'out'))
      symlinkSync(join(outside, 'secret.txt'), join(served, 'secret.txt'))
      const w = world(new DirectoryStore(served))
      const r = await w.room.run((async () => {
        const c = await ObexClient.connect(w.laptop)
        const cd = await c.setPath({ name: 'out' }).catch((e: unknown) => e)
        const get = await c.getBytes('secret.txt').catch((e: unknown) => e)
        const put = await c.put('secret.txt', new TextEncoder().encode('overwritten?')).catch((e: unknown) => e)
        const listing = await c.list()
        await c.close()
        return { cd, get, put, listing }
      })())
      expect(r.cd).to.be.instanceOf(ForbiddenError)
      expect(r.get).to.be.instanceOf(NotFoundError)
      expect(r.put).to.be.instanceOf(ConflictError)
      expect(r.listing.entries).to.deep.equal([])
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).to.equal('secret')
      expect(readdirSync(outside)).to.deep.equal(['secret.txt'])
      await w.close()
    } finally {
      rmSync(base, { recursive: true, force: true })
    }
  })

  it('IrMC: a Connect with the IRMC-SYNC target gets Who and its own Connection-ID, and objects by path ("telecom/pb.vcf")', async () => {
    const room = new Room({ time: 'virtual', seed: 8 })
    const laptop = IrdaStack.create({ port: room.port('laptop'), nickname: 'laptop', seed: 81 })
    const phone = IrdaStack.create({ port: room.port('phone'), nickname: 'phone', hints: [...OBEX_HINTS], seed: 82 })
    const { store } = emulatedPhone(phone)
    const vcf = new TextEncoder().encode('BEGIN:VCARD\r\nVERSION:2.1\r\nN:Roe;Rick\r\nEND:VCARD\r\n')
    const r = await room.run((async () => {
      // IrMC sync clients (multisync's irmc plugin) Get and Put by a path relative to the root, never SetPath.
      const a = await ObexClient.connect(laptop, { target: IRMC_SYNC_TARGET })
      const id = a.connectionId
      const who = new TextDecoder().decode(a.who)
      const devinfo = new TextDecoder().decode(await a.getBytes('telecom/devinfo.txt'))
      const vcard = await a.getBytes('telecom/pb.vcf')
      const put = await a.put('Inbox/rick.vcf', vcf)
      const tricks: unknown[] = []
      for (const name of ['/telecom/pb.vcf', 'telecom/../../etc/passwd', 'telecom//pb.vcf', 'telecom/.', 'telecom\\pb.vcf', 'C:/x']) {
        tricks.push(await a.getBytes(name).catch((e: unknown) => e))
      }
      const missing = await a.getBytes('telecom/pb/luid/cc.log').catch((e: unknown) => e)
      await a.close()
      // Folder Browsing keeps one plain component per name.
      const b = await ObexClient.connect(laptop, { target: FOLDER_BROWSING_UUID })
      const browsing = await b.getBytes('telecom/pb.vcf').catch((e: unknown) => e)
      await b.close()
      return { id, who, devinfo, vcard, put, tricks, missing, browsing }
    })())
    expect(r.id).to.equal(1)
    expect(r.who).to.equal('IRMC-SYNC')
    expect(r.devinfo).to.match(/^MANU:.+\r\nMOD:.+\r\nSN:.+\r\nIRMC-VERSION:1\.1\r\nPB-TYPE-TX:VCARD2\.1\r\n/)
    expect(Buffer.from(r.vcard).equals(Buffer.from(store.read('telecom/pb.vcf') ?? []))).to.equal(true)
    expect(r.put.code).to.equal(0xA0)
    expect(Buffer.from(store.read('Inbox/rick.vcf') ?? []).equals(Buffer.from(vcf))).to.equal(true)
    for (const t of r.tricks) expect(t).to.be.instanceOf(ForbiddenError)
    expect(r.missing).to.be.instanceOf(NotFoundError)
    expect(r.browsing).to.be.instanceOf(ForbiddenError)
    await room.run(Promise.all([laptop.close(), phone.close()]))
    await room.close()
  })

  it('a server that never answers: the request fails at its deadline with ObexTimeoutError, in virtual time', async () => {
    const room = new Room({ time: 'virtual', seed: 9 })
    const laptop = IrdaStack.create({ port: room.port('laptop'), nickname: 'laptop', seed: 91 })
    const mute = IrdaStack.create({ port: room.port('mute'), nickname: 'mute', seed: 92 })
    const ttp = mute.ttpListen({ maxSduSize: 0 })
    mute.ias.set('OBEX', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: ttp.lsap })
    const t0 = laptop.clock.now()
    const err = await room.run(ObexClient.connect(laptop, { timeoutMs: 10_000 }).catch((e: unknown) => e))
    expect(err).to.be.instanceOf(ObexTimeoutError)
    expect((err as Error).message).to.equal('no answer to connect within 10000 ms')
    expect(laptop.clock.now() - t0).to.be.within(10_000, 15_000)
    await room.run(Promise.all([laptop.close(), mute.close()]))
    await room.close()
  })

  it('the beam blocked in the middle of a push: the link drops, the client gets ObexConnectionError, the server keeps nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obex-blocked-'))
    try {
      const w = world(new DirectoryStore(dir), { seed: 6 })
      const r = await w.room.run((async () => {
        const c = await ObexClient.connect(w.laptop)
        const now = w.laptop.clock.now()
        w.room.faults({ obstructions: [{ from: now + 2000, to: now + 600_000 }] })
        const err = await c.put('cut.bin', noise(400_000, 2)).catch((e: unknown) => e)
        await c.close()
        return err
      })())
      expect(r).to.be.instanceOf(ObexConnectionError)
      expect(readdirSync(dir)).to.deep.equal([])
      await w.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
