/*!
 * `npm run docs:viewer`: regenerates docs/viewer/viewer.png (the whole capture), viewer-zoom.png
 * and its SVG export viewer-zoom.svg (the frames around the retransmission) from a
 * real capture (the demo's exchange in an emulated room: discovery, connect, IAS, TinyTP data
 * with a retransmission), drawn by the real page in headless chromium. Nothing is drawn by hand.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SPEEDS } from '@irdakit/phy'
import { openPcapStore, serveViewer } from '@irdakit/viewer'
import { SpeedFollower } from '../../packages/cli/src/speed-follower.js'
import { writeDemoCapture } from './demo-capture.js'
import { CHROMIUM_HINT, launchChromium, settled, type PageGlobals } from './browser.js'

const out = fileURLToPath(new URL('../../docs/viewer/', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'irda-view-docs-'))
const browser = await launchChromium()
if (browser === undefined) { console.error(`docs:viewer: ${CHROMIUM_HINT}`); process.exit(1) }
try {
  const capture = await writeDemoCapture(join(dir, 'demo.pcap'))
  const { store, indexed } = openPcapStore(capture.path, { speedTracker: new SpeedFollower(SPEEDS), source: `demo.pcap (emulated room, seed ${capture.seed})` })
  await indexed
  const server = await serveViewer(store)
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(server.url)
    await settled(page)
    // The frame sent again, selected: its decode below the diagram.
    const retransmitted = await page.locator('#diagram g.frame.retransmission').first().getAttribute('data-i')
    await page.locator(`#diagram g.frame[data-i="${retransmitted}"] .air`).click({ force: true })
    await page.waitForSelector('#detail pre.hex')
    mkdirSync(out, { recursive: true })
    await page.screenshot({ path: join(out, 'viewer.png') })
    // Zoomed in on the recovery: the poll and its answer before the retransmission, the three frames after it.
    const i = Number(retransmitted)
    // (No named functions inside evaluate: tsx would wrap them in a helper the page lacks.)
    const [first, last] = await page.evaluate(async (ns) => await Promise.all(ns.map(async n => await (await fetch(`/api/frame?i=${n}`)).json() as { start: number, end: number })),
      [Math.max(0, i - 2), Math.min(capture.frames - 1, i + 3)])
    const window = { from: first.start, to: last.end }
    await page.evaluate((w) => {
      const v = (globalThis as unknown as PageGlobals).irdaView
      const span = Math.max(w.to - w.from, 0.5)
      v.state.scale = 560 / span
      v.state.t0 = w.from - span * 0.05
      v.refresh()
    }, window)
    await settled(page)
    await page.screenshot({ path: join(out, 'viewer-zoom.png') })
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')])
    copyFileSync(await download.path(), join(out, 'viewer-zoom.svg'))
    console.log(`docs:viewer: ${capture.frames} frames (seed ${capture.seed}, ${capture.retransmissions} retransmission), frame #${Number(retransmitted) + 1} selected; wrote docs/viewer/viewer.png, viewer-zoom.png and viewer-zoom.svg`)
  } finally {
    await server.close()
    store.close()
  }
} finally {
  await browser.close()
  rmSync(dir, { recursive: true, force: true })
}
