/*!
 * Temporary folders for tests that must outlive one test (a pcap a later test reads, a socket a
 * served room keeps): made under the system's temporary folder and removed when the test process
 * exits, so a run leaves nothing in /tmp whichever test failed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []
process.once('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }) })

/** A new empty folder named `prefix` + random letters, removed at exit. */
export function testDir (prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
