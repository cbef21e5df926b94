import { expect } from 'chai'
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
