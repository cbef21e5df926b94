/*!
 * irda view in a real browser: Debian's chromium, headless, drives the page over a capture of the
 * demo's exchange in an emulated room (discovery, connect, IAS, TinyTP data, one retransmission).
 * Skipped with the install hint when chromium is missing.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import type { Browser, Page } from 'playwright-core'
import { DecodeSession, decodeFrame, readPcap, type PcapRecord } from '@irdakit/capture'
import { SPEEDS } from '@irdakit/phy'
import { openPcapStore, serveViewer, type CaptureStore, type ViewerServer } from '@irdakit/viewer'
import { SpeedFollower } from '../../packages/cli/src/speed-follower.js'
import { writeDemoCapture, type DemoCapture } from './demo-capture.js'
import { CHROMIUM_HINT, launchChromium, settled } from './browser.js'

const count = async (page: Page, selector: string): Promise<number> => await page.locator(selector).count()

describe('irda view in chromium (headless)', function () {
  this.timeout(120_000)
  let browser: Browser | undefined
  let dir: string
  let capture: DemoCapture
  let records: PcapRecord[]
  let store: CaptureStore
  let server: ViewerServer
  let page: Page

  before(async function () {
    browser = await launchChromium()
    if (browser === undefined) { console.log(`    skipped: ${CHROMIUM_HINT}`); this.skip(); return }
    dir = mkdtempSync(join(tmpdir(), 'irda-view-browser-'))
    capture = await writeDemoCapture(join(dir, 'demo.pcap'))
    const read = readPcap(capture.path)
    if (!read.ok) throw new Error(read.error.message)
    records = read.value
    const opened = openPcapStore(capture.path, { speedTracker: new SpeedFollower(SPEEDS) })
    await opened.indexed
    store = opened.store
    server = await serveViewer(store)
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })
    page = await context.newPage()
    await page.goto(server.url)
    await settled(page)
  })

  after(async () => {
    await browser?.close()
    if (browser === undefined) return
    await server.close()
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('shows every frame of the capture, the retransmission in its colour', async () => {
    expect(await page.getAttribute('#count', 'data-total')).to.equal(String(capture.frames))
    expect(await page.getAttribute('#count', 'data-shown')).to.equal(String(capture.frames))
    // Fitted to the whole capture, which is small: every frame is drawn.
    expect(await count(page, '#diagram g.frame')).to.equal(capture.frames)
    expect(await count(page, '#diagram g.frame.retransmission')).to.be.at.least(capture.retransmissions)
    expect(await page.locator('#diagram .lane-label').allTextContents()).to.include.members(['frame (innermost layer last)'])
    expect(await count(page, '#diagram .lane')).to.equal(2)
  })

  it('hides what a filter says, and shows it again', async () => {
    const session = new DecodeSession()
    const linkOnly = records.filter(r => { const d = decodeFrame(r.frame, session); return d.layers[d.layers.length - 1]?.layer === 'LAP' }).length
    expect(linkOnly).to.be.greaterThan(0)
    await page.click('input[data-layer="LAP"]')
    await settled(page)
    expect(await page.getAttribute('#count', 'data-shown')).to.equal(String(capture.frames - linkOnly))
    expect(await count(page, '#diagram g.frame.layer-LAP')).to.equal(0)
    expect(await count(page, '#diagram g.frame')).to.equal(capture.frames - linkOnly)
    await page.click('input[data-layer="LAP"]')
    await settled(page)
    expect(await count(page, '#diagram g.frame')).to.equal(capture.frames)

    // A station: none of its frames stay.
    await page.click('input[data-lane="1"]')
    await settled(page)
    expect(await count(page, '#diagram g.frame[data-lane="1"]')).to.equal(0)
    expect(await count(page, '#diagram g.frame[data-lane="0"]')).to.be.greaterThan(0)
    await page.click('input[data-lane="1"]')
    await settled(page)
    expect(await count(page, '#diagram g.frame')).to.equal(capture.frames)
  })

  it('shows a frame\'s bytes and full decode on a click', async () => {
    const first = await page.locator('#diagram g.frame.retransmission').first().getAttribute('data-i')
    const i = Number(first)
    await page.locator(`#diagram g.frame[data-i="${i}"] .air`).click({ force: true })
    await page.waitForSelector('#detail pre.hex')
    const text = await page.textContent('#detail') ?? ''
    expect(text).to.contain(`Frame #${i + 1}`)
    expect(text).to.contain('retransmission')
    expect(text).to.match(/LAP: i:cmd/)
    const hex = [...records[i].frame.subarray(0, 16)].map(b => b.toString(16).padStart(2, '0')).join(' ')
    expect(await page.textContent('#detail pre.hex')).to.contain(hex)
    expect(await count(page, '#diagram g.frame.selected')).to.equal(1)
  })

  it('exports the view as an SVG file holding the same frames', async () => {
    const drawn = await page.locator('#diagram g.frame').evaluateAll(gs => gs.map(g => g.getAttribute('data-i')))
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')])
    expect(download.suggestedFilename()).to.equal('irda-view.svg')
    const svg = readFileSync(await download.path(), 'utf8')
    expect(svg).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svg).to.contain('.diagram .frame.retransmission') // the colours travel with it
    const exported = [...svg.matchAll(/<g class="frame[^"]*" data-i="(\d+)"/g)].map(m => m[1])
    expect(exported).to.deep.equal(drawn)
    // And it is a picture chromium can open.
    const check = await page.context().newPage()
    await check.setContent(`<img id="x" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`)
    const width = await check.evaluate('new Promise(resolve => { const i = document.getElementById("x"); if (i.complete) resolve(i.naturalWidth); else i.onload = () => resolve(i.naturalWidth) })')
    expect(width as number).to.be.greaterThan(500)
    await check.close()
  })

  it('writes a screenshot of the page', async () => {
    const path = join(dir, 'view.png')
    await page.screenshot({ path })
    expect(statSync(path).size).to.be.greaterThan(20_000)
  })
})
