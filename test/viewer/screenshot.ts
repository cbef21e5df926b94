/*!
 * `npm run docs:viewer`: regenerates docs/viewer/viewer.png (the whole capture), viewer-zoom.png
 * and its SVG export viewer-zoom.svg (around the retransmission) from a
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
    // Zoomed in on the retransmission: 60 ms before it to 40 ms after, every frame labelled.
    const end = await page.evaluate(async (i) => {
      const r = await fetch(`/api/frame?i=${i}`)
      return (await r.json() as { end: number }).end
    }, Number(retransmitted))
    await page.evaluate((t) => {
      const v = (globalThis as unknown as PageGlobals).irdaView
      v.state.t0 = t - 60
      v.state.scale = 620 / 100
      v.refresh()
    }, end)
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
