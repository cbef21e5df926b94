import { expect } from 'chai'
import fc from 'fast-check'
import { VirtualClock, runVirtual, StalledError, SeededRandom } from '@irdakit/core'

describe('core/VirtualClock', () => {
  it('fires timers in time order, then set order, and only when time reaches them', () => {
    const clock = new VirtualClock()
    const fired: string[] = []
    clock.setTimer(20, () => fired.push('b'))
    clock.setTimer(10, () => fired.push('a1'))
    clock.setTimer(10, () => fired.push('a2'))
    const c = clock.setTimer(15, () => fired.push('cancelled'))
    c.cancel()
    clock.advanceTo(19)
    expect(fired).to.deep.equal(['a1', 'a2'])
    expect(clock.now()).to.equal(19)
    clock.advance(1)
    expect(fired).to.deep.equal(['a1', 'a2', 'b'])
    expect(clock.nextTimerAt()).to.equal(undefined)
  })

  it('fires any mix of timers, some cancelled, some set while firing, in (time, set order), each once', () => {
    const op = fc.record({ at: fc.integer({ min: 0, max: 50 }), cancel: fc.boolean(), child: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }) })
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), ops => {
      const clock = new VirtualClock()
      const fired: Array<{ at: number, order: number }> = []
      let order = 0
      const expected: Array<{ at: number, order: number }> = []
      for (const o of ops) {
        const mine = order++
        const h = clock.setTimer(o.at, () => {
          fired.push({ at: clock.now(), order: mine })
          // A timer set while firing, for now or later, fires after every earlier-set one due then.
          if (o.child !== undefined) { const k = order++; const at = clock.now() + o.child; clock.setTimer(at, () => fired.push({ at: clock.now(), order: k })) }
        })
        if (o.cancel) h.cancel()
        else expected.push({ at: o.at, order: mine })
      }
      clock.advanceTo(1000)
      const children = ops.filter(o => !o.cancel && o.child !== undefined).length
      expect(fired.length).to.equal(expected.length + children)
      for (let i = 1; i < fired.length; i++) {
        const a = fired[i - 1]; const b = fired[i]
        expect(a.at < b.at || (a.at === b.at && a.order < b.order), `fired ${JSON.stringify(a)} before ${JSON.stringify(b)}`).to.equal(true)
      }
      const top = fired.filter(f => expected.some(e => e.order === f.order))
      expect(top.map(f => f.order)).to.deep.equal([...expected].sort((x, y) => x.at - y.at || x.order - y.order).map(e => e.order))
      expect(clock.nextTimerAt()).to.equal(undefined)
    }), { numRuns: 300 })
  })

  it('runVirtual jumps over a 40 s timeout at once', async () => {
    const clock = new VirtualClock()
    const p = new Promise<number>(resolve => clock.setTimer(40_000, () => resolve(clock.now())))
    expect(await runVirtual(clock, p)).to.equal(40_000)
  })

  it('runVirtual rejects with StalledError when nothing can ever happen', async () => {
    const clock = new VirtualClock()
    const never = new Promise<void>(() => {})
    let err: unknown
    try { await runVirtual(clock, never) } catch (e) { err = e }
    expect(err).to.be.instanceOf(StalledError)
  })

  it('runVirtual lets promise chains interleave with timers', async () => {
    const clock = new VirtualClock()
    const sleep = async (ms: number): Promise<void> => await new Promise(resolve => clock.setTimer(clock.now() + ms, resolve))
    const steps: number[] = []
    const job = (async () => { for (let i = 0; i < 5; i++) { await sleep(100); steps.push(clock.now()) } })()
    await runVirtual(clock, job)
    expect(steps).to.deep.equal([100, 200, 300, 400, 500])
  })
})

describe('core/SeededRandom', () => {
  it('replays the same sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(42); const b = new SeededRandom(42); const c = new SeededRandom(43)
    const seq = (r: SeededRandom): number[] => Array.from({ length: 8 }, () => r.u32())
    const sa = seq(a)
    expect(sa).to.deep.equal(seq(b))
    expect(sa).to.not.deep.equal(seq(c))
    for (let i = 0; i < 1000; i++) { const x = a.int(6); expect(x).to.be.within(0, 5) }
  })
})
