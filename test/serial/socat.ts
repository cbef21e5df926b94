/*! A pair of linked pseudo-terminals from socat, for the real serial path. Bounded waits only. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Message for `this.skip()` when socat is missing (the test is then pending, never passed). */
export const SOCAT_MISSING = 'socat not found: install it with `apt-get install -y socat`'

/** True when a socat binary runs here. */
export function haveSocat (): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0
}

let warned = false

/**
 * In a `beforeEach`: skips the current test (pending, never passed) when socat is missing, with
 * {@link SOCAT_MISSING} in its title and, once, on stderr (mocha's `skip()` takes no message).
 */
export function skipWithoutSocat (ctx: Mocha.Context): void {
  if (haveSocat()) return
  if (ctx.currentTest !== undefined) ctx.currentTest.title += ` (${SOCAT_MISSING})`
  if (!warned) { warned = true; console.warn(SOCAT_MISSING) }
  ctx.skip()
}

/** Two ptys joined back to back by socat: bytes written to one come out of the other. */
export interface PtyPair { a: string, b: string, proc: ChildProcess, kill: () => void }

/** Starts socat and waits (at most `timeoutMs`) for both pty links to appear. */
export async function ptyPair (timeoutMs = 3000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-pty-'))
  const a = join(dir, 'a')
  const b = join(dir, 'b')
  const proc = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' })
  const kill = (): void => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + timeoutMs
  while (!(existsSync(a) && existsSync(b))) {
    if (Date.now() > deadline || proc.exitCode !== null) { kill(); throw new Error(`socat did not create ${a} and ${b} within ${timeoutMs} ms`) }
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return { a, b, proc, kill }
}

/** Resolves with `p`, or rejects after `ms` of real time: a socat test may fail, never hang. */
export async function within<T> (ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms) })
  try { return await Promise.race([p, limit]) } finally { clearTimeout(timer) }
}
