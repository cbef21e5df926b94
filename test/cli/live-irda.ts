/*! Runs a long-lived `irda` command (attach, live dump) in the background and reads its output as it comes. Bounded waits only. */
import { spawn, type ChildProcess } from 'node:child_process'
import { repoRoot } from './run-irda.js'

export interface LiveIrda {
  proc: ChildProcess
  /** Complete stdout lines so far. */
  lines: string[]
  stderr: () => string
  /** Resolves with the first line (already printed or to come) that `match` accepts; rejects after `ms` of real time. */
  waitFor: (match: (line: string) => boolean, ms: number, what: string) => Promise<string>
  /** Sends `signal` (none: null) and resolves with the exit code and all output once the process ended (SIGKILL after `ms`). */
  stop: (signal?: NodeJS.Signals | null, ms?: number) => Promise<{ code: number | null, stdout: string, stderr: string }>
}

export function startIrda (args: string[], env: NodeJS.ProcessEnv = {}): LiveIrda {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, FORCE_COLOR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let partial = ''
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    partial += chunk
    const parts = partial.split('\n')
    partial = parts.pop() ?? ''
    lines.push(...parts)
    for (const w of [...waiters]) w()
  })
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<number | null>(resolve => proc.on('exit', code => { for (const w of [...waiters]) w(); resolve(code) }))

  const waitFor = async (match: (line: string) => boolean, ms: number, what: string): Promise<string> => await new Promise((resolve, reject) => {
    const check = (): void => {
      const hit = lines.find(match)
      if (hit !== undefined) { done(); resolve(hit); return }
      if (proc.exitCode !== null) { done(); reject(new Error(`${what}: irda exited (${proc.exitCode}) first; stderr: ${stderr}`)) }
    }
    const timer = setTimeout(() => { done(); reject(new Error(`${what}: nothing within ${ms} ms; stdout: ${stdout.slice(-2000)} stderr: ${stderr}`)) }, ms)
    const done = (): void => { clearTimeout(timer); waiters.delete(check) }
    waiters.add(check)
    check()
  })

  const stop = async (signal: NodeJS.Signals | null = 'SIGINT', ms = 5000): Promise<{ code: number | null, stdout: string, stderr: string }> => {
    if (proc.exitCode === null && signal !== null) proc.kill(signal)
    const kill = setTimeout(() => proc.kill('SIGKILL'), ms)
    const code = await exited
    clearTimeout(kill)
    return { code, stdout, stderr }
  }

  return { proc, lines, stderr: () => stderr, waitFor, stop }
}

/** The JSON objects among `lines` (one per line in live `--json` output). */
export const jsonEvents = (lines: string[]): Array<Record<string, unknown>> =>
  lines.filter(l => l.startsWith('{')).map(l => JSON.parse(l) as Record<string, unknown>)
