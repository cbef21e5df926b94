import { expect } from 'chai'
import { demoBytes, runDemo, type TraceFrame } from './demo.js'
import { SpeedFollower, type SpeedChange } from './speed-follower.js'

const SIR = [2400, 9600, 19200, 38400, 57600, 115200]

async function demoFrames (speed: number): Promise<TraceFrame[]> {
  const frames: TraceFrame[] = []
  await runDemo({ speed, data: demoBytes(64), seed: 3, onFrame: f => frames.push(f) })
  return frames
}

/** Feeds every frame; returns each change with the index of the frame that caused it. */
function follow (frames: TraceFrame[], supported: number[]): Array<SpeedChange & { at: number }> {
  const f = new SpeedFollower(supported)
  const changes: Array<SpeedChange & { at: number }> = []
  frames.forEach((fr, i) => {
    const c = f.frame(fr.timeMs, fr.frame)
    if (c !== undefined) changes.push({ ...c, at: i })
  })
  return changes
}

describe('cli/SpeedFollower: a sniffer reads the negotiated speed off SNRM and UA', () => {
  it('switches exactly when the stations do: after the UA, and back to 9600 after the disconnect', async () => {
    const frames = await demoFrames(115200)
    const changes = follow(frames, SIR)
    expect(changes.map(c => [c.bps, c.reason, c.follow])).to.deep.equal([[115200, 'connected', true], [9600, 'disconnected', true]])
    // The room reports each frame's real speed: the follower's speed must match it frame by frame.
    const ua = changes[0].at
    expect(frames[ua].decoded.summary).to.match(/^ua:rsp/)
    expect(frames[ua].speed).to.equal(9600)
    expect(frames[ua + 1].speed).to.equal(115200)
    expect(frames[changes[1].at].speed).to.equal(115200)
  })

  it('says it cannot follow a speed its port lacks, and then has nothing to undo', async () => {
    const frames = await demoFrames(4_000_000)
    const changes = follow(frames, SIR)
    expect(changes.map(c => [c.bps, c.follow])).to.deep.equal([[4_000_000, false]])
  })

  it('drops back to 9600 when the link goes silent for its link-disconnect time', async () => {
    const frames = await demoFrames(115200)
    const f = new SpeedFollower(SIR)
    const ua = frames.findIndex(fr => fr.decoded.summary.startsWith('ua:rsp'))
    for (const fr of frames.slice(0, ua + 1)) f.frame(fr.timeMs, fr.frame)
    expect(f.speed).to.equal(115200)
    const deadline = f.nextDeadline()
    expect(deadline).to.be.a('number')
    expect(f.poll(deadline! - 1)).to.equal(undefined)
    expect(f.poll(deadline!)).to.deep.equal({ bps: 9600, reason: 'link-lost', follow: true })
    expect(f.speed).to.equal(9600)
    expect(f.nextDeadline()).to.equal(undefined)
  })

  it('ignores garbage and frames of no interest', () => {
    const f = new SpeedFollower(SIR)
    expect(f.frame(0, Uint8Array.of(0x01))).to.equal(undefined)
    expect(f.frame(0, Uint8Array.of(0xFF, 0x93, 1, 2, 3))).to.equal(undefined)
    expect(f.speed).to.equal(9600)
  })
})
