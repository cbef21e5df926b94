/*!
 * Nothing a peer sends through OBEX is taken without end: a server streaming more than its
 * Length header or the caller's limit is stopped with an Abort, and the emulated phone's
 * in-memory store fills up (Database Full) instead of growing the process.
 */
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import {
  DatabaseFullError, emulatedPhone, ENTRY_BYTES, listenObex, MemoryStore, ObexClient, ObexLimitError, ObexProtocolError, OBEX_HINTS,
  PHONE_CAPACITY, phoneStore, type GetSource, type ObexStore,
} from '@irdakit/obex'

interface World { room: Room, laptop: IrdaStack, phone: IrdaStack, close: () => Promise<void> }

function world (serve: (phone: IrdaStack) => { close: () => void }, seed = 1): World {
  const room = new Room({ time: 'virtual', seed })
  const laptop = IrdaStack.create({ port: room.port('laptop', { supportedSpeeds: [9600, 115200] }), nickname: 'laptop', seed: seed * 10 + 1 })
  const phone = IrdaStack.create({ port: room.port('phone', { supportedSpeeds: [9600, 115200] }), nickname: 'phone', hints: [...OBEX_HINTS], seed: seed * 10 + 2 })
  const server = serve(phone)
  return { room, laptop, phone, close: async () => { server.close(); await room.run(Promise.all([laptop.close(), phone.close()])); await room.close() } }
}

/** A store whose object `endless` never ends and claims `size` bytes (or none); `pb.vcf` is an honest small object. */
function hostileStore (size: number | undefined, reads: { n: number }): ObexStore {
  const honest = new MemoryStore().add('pb.vcf', 'BEGIN:VCARD\r\nEND:VCARD\r\n')
  return {
    put: async (f, i) => await honest.put(f, i),
    delete: async (f, n) => { await honest.delete(f, n) },
    list: async f => await honest.list(f),
    enter: async (f, n, c) => { await honest.enter(f, n, c) },
    get: async (f, name): Promise<GetSource> => {
      if (name !== 'endless') return await honest.get(f, name)
      return { ...(size !== undefined ? { size } : {}), read: async max => { reads.n++; return new Uint8Array(Math.min(max, 4096)).fill(0x41) }, close: async () => {} }
    },
  }
}

describe('obex/bounds: what a peer sends is bounded', function () {
  this.timeout(60_000)

  it('a server sending more than its Length announced is stopped with an Abort (ObexProtocolError), and the session goes on', async () => {
    const reads = { n: 0 }
    const w = world(phone => listenObex(phone, { store: hostileStore(1000, reads) }))
    try {
      const r = await w.room.run((async () => {
        const c = await ObexClient.connect(w.laptop)
        let taken = 0
        const err = await c.get('endless', chunk => { taken += chunk.length }).then(() => undefined, (e: unknown) => e)
        const after = new TextDecoder().decode(await c.getBytes('pb.vcf'))
        await c.close()
        return { err, taken, after }
      })())
      expect(r.err).to.be.instanceOf(ObexProtocolError)
      expect((r.err as Error).message).to.match(/more than the 1000 bytes its Length header announced/)
      expect(r.taken).to.be.at.most(1000)
      expect(r.after).to.equal('BEGIN:VCARD\r\nEND:VCARD\r\n')
      expect(reads.n).to.be.below(10) // the server stopped reading at the Abort
    } finally { await w.close() }
  })

  it('a server streaming without a Length is stopped at the caller\'s limit (ObexLimitError); getBytes has one by default', async () => {
    const reads = { n: 0 }
    const w = world(phone => listenObex(phone, { store: hostileStore(undefined, reads) }))
    try {
      const r = await w.room.run((async () => {
        const c = await ObexClient.connect(w.laptop)
        let taken = 0
        const err = await c.get('endless', chunk => { taken += chunk.length }, { limit: 20_000 }).then(() => undefined, (e: unknown) => e)
        const readsAtLimit = reads.n
        const err2 = await c.getBytes('endless').then(() => undefined, (e: unknown) => e)
        await c.close()
        return { err, taken, err2, readsAtLimit }
      })())
      expect(r.err).to.be.instanceOf(ObexLimitError)
      expect(r.taken).to.be.at.most(20_000)
      expect(r.readsAtLimit).to.be.below(20)
      expect(r.err2).to.be.instanceOf(ObexLimitError)
      expect((r.err2 as Error).message).to.match(/limit of 1048576 bytes/)
    } finally { await w.close() }
  })

  it('the emulated phone fills up: a push past its capacity is Database Full and nothing of it is kept', async () => {
    const store = phoneStore({ capacity: 60_000 })
    const before = store.used
    const w = world(phone => emulatedPhone(phone, { store }).server)
    try {
      const r = await w.room.run((async () => {
        const c = await ObexClient.connect(w.laptop)
        // No Length header: the phone only learns the size as the bytes come.
        const big = await c.put('big.bin', (async function * () { for (let i = 0; i < 40; i++) yield new Uint8Array(2000) })()).then(() => undefined, (e: unknown) => e)
        const small = await c.put('small.txt', new TextEncoder().encode('ok')).then(() => 'stored', (e: unknown) => e)
        await c.close()
        return { big, small }
      })())
      expect(r.big).to.be.instanceOf(DatabaseFullError)
      expect(r.small).to.equal('stored')
      expect(store.read('big.bin')).to.equal(undefined)
      expect(store.used).to.equal(before + ENTRY_BYTES + 2)
    } finally { await w.close() }
    expect(phoneStore().used).to.be.below(PHONE_CAPACITY)
  })

  it('counts every file and folder, Puts still arriving, overwrites once and deletes', async () => {
    const s = new MemoryStore({ capacity: 10 * ENTRY_BYTES + 100 })
    expect(s.used).to.equal(0)
    s.add('a/b.txt', 'xyz') // a folder and a file
    expect(s.used).to.equal(2 * ENTRY_BYTES + 3)
    s.add('a/b.txt', 'xy') // replaced, not added
    expect(s.used).to.equal(2 * ENTRY_BYTES + 2)
    // Empty objects and folders fill it too: 9 more fit in the 610 bytes left.
    let made = 0
    for (;;) {
      try { await s.enter([], `f${made}`, true); made++ } catch (e) { expect(e).to.be.instanceOf(DatabaseFullError); break }
    }
    expect(made).to.equal(9)
    for (const f of ['f0', 'f1', 'f2']) await s.delete([], f)
    expect(s.used).to.equal(8 * ENTRY_BYTES + 2)
    // Two Puts at once: the second is refused while the first's bytes are still arriving.
    const first = await s.put([], { name: 'p1' })
    await first.write(new Uint8Array(50))
    const refused = await s.put([], { name: 'p2', length: 120 }).then(() => undefined, (e: unknown) => e)
    expect(refused).to.be.instanceOf(DatabaseFullError)
    await first.discard()
    const second = await s.put([], { name: 'p2', length: 120 })
    await second.write(new Uint8Array(120))
    await second.finish()
    expect(s.used).to.equal(9 * ENTRY_BYTES + 122)
  })
})
