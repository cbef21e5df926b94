/*! Runs a long-lived `irda` command (a room server, a file server) in the background, as a user would in another terminal. */
import { spawn, type ChildProcess } from 'node:child_process'
import { repoRoot, type IrdaRun } from './run-irda.js'

export class IrdaProcess {
  stdout = ''
  stderr = ''
  private readonly child: ChildProcess
  private readonly exited: Promise<IrdaRun>

  constructor (args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, FORCE_COLOR: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => { this.stdout += d })
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => { this.stderr += d })
    this.exited = new Promise(resolve => {
      this.child.once('close', (status: number | null) => { resolve({ status, stdout: this.stdout, stderr: this.stderr }) })
    })
  }

  /** Resolves once stdout matches `re` (polling); rejects if the process ends first or `limitMs` passes. */
  async waitFor (re: RegExp, limitMs = 20_000): Promise<RegExpExecArray> {
    let done = false
    void this.exited.then(() => { done = true })
    for (let waited = 0; ; waited += 25) {
      const m = re.exec(this.stdout)
      if (m !== null) return m
      if (done) throw new Error(`irda ended before printing ${String(re)}: ${this.stderr || this.stdout}`)
      if (waited > limitMs) throw new Error(`irda did not print ${String(re)} in time: ${this.stdout}`)
      await new Promise(resolve => { setTimeout(resolve, 25) })
    }
  }

  /** Waits for the process to end by itself. */
  async done (): Promise<IrdaRun> { return await this.exited }

  /** Sends `signal` and waits for the process to end. */
  async stop (signal: NodeJS.Signals = 'SIGINT'): Promise<IrdaRun> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    return await this.exited
  }
}
