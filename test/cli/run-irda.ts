/*! Runs the `irda` command as a user would, from source: node --import tsx packages/cli/src/main.ts. */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

export interface IrdaRun { status: number | null, stdout: string, stderr: string }

export function runIrda (args: string[], opts: { env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): IrdaRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    env: { ...process.env, FORCE_COLOR: '', ...opts.env },
  })
  if (r.error !== undefined) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** stderr as lines, without the trailing newline. */
export const stderrLines = (r: IrdaRun): string[] => r.stderr.trimEnd().split('\n').filter(l => l !== '')
