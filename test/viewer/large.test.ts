/*!
 * irda view with a million frames: the capture is indexed as it is read (the server answers
 * meanwhile), the store holds a few dozen bytes a frame, ranges come back as frames or as
 * counts, and the page draws only what is in view (chromium, skipped with the install hint when
 * missing). Counts, not wall time, are what the tests check.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { SPEEDS } from '@irdakit/phy'
import { FLAG, MAX_RANGE_FRAMES, openPcapStore, serveViewer, type CaptureStore, type RangeAnswer, type ViewerServer } from '@irdakit/viewer'
import { SpeedFollower } from '../../packages/cli/src/speed-follower.js'
import { writeLargeCapture } from './large-capture.js'
import { CHROMIUM_HINT, launchChromium, settled, type PageGlobals } from './browser.js'

const N = 1_000_000
/** One REJ every 500 rounds of four frames. */
const REJS = N / 4 / 500

describe('irda view with a million frames', function () {
  this.timeout(300_000)
  let dir: string
  let store: CaptureStore
  let server: ViewerServer
  let countAtFirstTurn = 0
  let doneAtFirstTurn = true
  let maxPerTurn = 0
  const api = async (path: string): Promise<RangeAnswer> => await (await fetch(server.url + path)).json() as RangeAnswer

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'irda-view-large-'))
    const path = join(dir, 'large.pcap')
    writeLargeCapture(path, N)
    const opened = openPcapStore(path, { speedTracker: new SpeedFollower(SPEEDS) })
    store = opened.store
    server = await serveViewer(store)
    await new Promise(resolve => setImmediate(resolve))
    countAtFirstTurn = store.count
    doneAtFirstTurn = store.status.done
    // The most frames indexed between two turns of the event loop: what a request may wait behind.
    let last = store.count
    const timer = setInterval(() => { maxPerTurn = Math.max(maxPerTurn, store.count - last); last = store.count }, 1)
    await opened.indexed
    clearInterval(timer)
  })

  after(async () => {
    await server?.close()
    store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads the capture a piece at a time, the event loop running between pieces', () => {
    expect(doneAtFirstTurn).to.equal(false)
    expect(countAtFirstTurn).to.be.lessThan(N / 2)
    // A piece is 128 KiB, about 3,500 of these frames: a request waits behind one piece at most.
    expect(maxPerTurn).to.be.greaterThan(0)
    expect(maxPerTurn).to.be.lessThan(8000)
    expect(store.status).to.include({ done: true, dropped: 0 })
    expect(store.count).to.equal(N)
  })

  it('holds under 48 bytes a frame, and no frame bytes', () => {
    // Ten columns of 36 bytes a row, grown by doubling up to 2^20 rows.
    expect(store.memoryBytes() / N).to.be.lessThan(48)
  })

  it('answers the whole capture with counts per bucket, and a narrow range with its frames', async () => {
    const all = await api('api/range?from=0&to=2000000&buckets=100')
    expect(all.frames).to.deep.equal([])
    expect(all.inRange).to.equal(N)
    expect(all.density?.counts.flat().reduce((a, b) => a + b, 0)).to.equal(N)
    expect(all.density?.problems.flat().reduce((a, b) => a + b, 0)).to.equal(REJS)

    // Frame k ends at 2k ms: [1 000 000, 1 000 040] ms holds frames 500 000 to 500 020, and those that end later but began by then.
    const narrow = await api('api/range?from=1000000&to=1000040')
    const ids = narrow.frames.map(f => f.i)
    expect(ids.slice(0, 21)).to.deep.equal(Array.from({ length: 21 }, (_, k) => 500_000 + k))
    for (const f of narrow.frames) expect(f.start <= 1_000_040 && f.end >= 1_000_000, `frame ${f.i}`).to.equal(true)
    expect(narrow.frames[0].summary).to.match(/^i:cmd ca=0x31/)

    const rejs = await api('api/range?from=0&to=2000000&problems=1')
    expect(rejs.total).to.equal(REJS)
    expect(rejs.frames.length).to.equal(REJS)
    expect(rejs.frames.every(f => (f.flags & FLAG.rej) !== 0)).to.equal(true)
    expect(rejs.frames.length).to.be.at.most(MAX_RANGE_FRAMES)
  })

  it('keeps the page responsive: counts when zoomed out, at most a range\'s worth of frames when zoomed in', async function () {
    const browser = await launchChromium()
    if (browser === undefined) { console.log(`    skipped: ${CHROMIUM_HINT}`); this.skip(); return }
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
      await page.goto(server.url)
      await settled(page)
      expect(await page.getAttribute('#count', 'data-total')).to.equal(String(N))
      expect(await page.getAttribute('#diagram', 'data-drawn')).to.equal('0')
      expect(await page.locator('#diagram .density').count()).to.be.greaterThan(0)
      expect(await page.locator('#diagram *').count()).to.be.lessThan(5000)
      // Zoom in around the middle until single frames show.
      await page.evaluate(() => { const v = (globalThis as unknown as PageGlobals).irdaView; v.state.scale = 2; v.state.t0 = 1_000_000; v.refresh() })
      await settled(page)
      const drawn = Number(await page.getAttribute('#diagram', 'data-drawn'))
      expect(drawn).to.be.greaterThan(100)
      expect(drawn).to.be.at.most(MAX_RANGE_FRAMES)
      expect(await page.locator('#diagram g.frame').count()).to.equal(drawn)
      await page.click('#problems')
      await settled(page)
      expect(await page.getAttribute('#count', 'data-shown')).to.equal(String(REJS))
      expect(await page.evaluate(() => 1 + 1)).to.equal(2)
    } finally {
      await browser.close()
    }
  })
})
