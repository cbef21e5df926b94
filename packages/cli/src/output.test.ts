import { Writable } from 'node:stream'
import { expect } from 'chai'
import { LineBatch, Output } from './output.js'

describe('cli output', () => {
  it('makes a producer wait while stdout holds what its reader has not taken (a pipe to a pager)', async () => {
    // A stream whose reader takes nothing until told to: what a full pipe looks like to Node.
    let take: () => void = () => {}
    const stdout = new Writable({ highWaterMark: 1024, write (_chunk, _enc, cb) { take = cb } }) as unknown as NodeJS.WriteStream
    const out = new Output({ json: false, stdout, stderr: stdout, env: {} })
    expect(out.drain()).to.equal(undefined) // nothing held: no waiting
    const batch = new LineBatch(text => out.raw(text), 512)
    for (let i = 0; i < 100; i++) batch.add(`line ${i} ${'x'.repeat(20)}`)
    const wait = out.drain()
    expect(wait).to.be.instanceOf(Promise)
    let drained = false
    void wait?.then(() => { drained = true })
    await new Promise(resolve => setImmediate(resolve))
    expect(drained).to.equal(false)
    // The reader takes everything: the producer may go on.
    for (let i = 0; i < 100 && !drained; i++) { take(); await new Promise(resolve => setImmediate(resolve)) }
    expect(drained).to.equal(true)
    expect(out.drain()).to.equal(undefined)
  })
})
