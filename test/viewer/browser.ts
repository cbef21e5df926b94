/*!
 * Debian's chromium, driven headless by playwright-core (no browser download): what the
 * viewer's browser tests and the docs screenshot script open the page in.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_HINT = 'chromium is not installed: apt-get install -y chromium'

/** The headless browser, or undefined when chromium is missing (the caller skips with {@link CHROMIUM_HINT}). */
export async function launchChromium (): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) return undefined
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 120_000,
  })
}

/** What the tests touch of the page's globals (the repository's types have no DOM). */
export interface PageGlobals {
  document: { body: { dataset: Record<string, string | undefined> } }
  irdaView: { state: { t0: number, scale: number }, refresh: () => void }
}

/** Waits until the page has drawn what it was last asked for (its `data-drawn` mark). */
export async function settled (page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => {
    const body = (globalThis as unknown as PageGlobals).document.body
    return body.dataset.drawn !== undefined && body.dataset.ready === 'done'
  }, undefined, { timeout })
}
