/*!
 * How fast virtual time runs: a one-way bulk transfer through the Node IrSock API (two whole
 * stacks, IrLAP to TinyTP, in a virtual room), in simulated seconds per wall second, counted
 * from the connection being up to the server's end of stream. A long simulation runs warm, so
 * one unmeasured transfer of the same size warms the JIT and sizes V8's heap first (the first
 * one runs about a quarter slower), then five are measured and the median is the figure, with
 * the slowest and fastest in the row's text. Two rows a case:
 * per wall second, the measure, which holds the target and means something only on a
 * quiet machine (the row names the load average); and per CPU second of the process, which a
 * busy machine does not inflate but which counts V8's garbage collector and compiler threads
 * working beside the main thread (so it reads lower than wall on a quiet machine). This one IS
 * about time, so it is a bench and never a test. Targets: 1000x at 115200 b/s, 100x at 4 Mb/s.
 *   node --import tsx --conditions=irdakit-source packages/cli/src/bench/virtual-time.ts
 */
import { once } from 'node:events'
import { loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { connect, createServer, type IrSocket } from '@irdakit/irsock'

interface Case { bps: number, bytes: number, target: number }
const CASES: Case[] = [
  { bps: 115200, bytes: 4 * 1024 * 1024, target: 1000 },
  { bps: 4000000, bytes: 16 * 1024 * 1024, target: 100 },
]
const SPEEDS = [9600, 19200, 38400, 57600, 115200, 576000, 1152000, 4000000]

export interface VirtualTimeRow { bps: number, bytes: number, simulatedS: number, cpuS: number, wallS: number, speedup: number, wallSpeedup: number, load: number, target: number }

/** Measured transfers per case (after one warm-up); the median is reported. */
const MEASURED_RUNS = 5

/** What a case's measured runs gave: the median run, and the range of wall speedups. */
export interface VirtualTimeCase extends VirtualTimeRow { runs: number, slowest: number, fastest: number }

/** CPU seconds of this process so far (user + system, every thread). */
function cpuS (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

function drained (s: IrSocket): Promise<void> {
  return new Promise(resolve => {
    const done = (): void => { s.off('drain', done); s.off('close', done); resolve() }
    s.on('drain', done)
    s.on('close', done)
  })
}

async function run (c: Case): Promise<VirtualTimeRow> {
  const speeds = SPEEDS.filter(s => s <= c.bps)
  const room = new Room({ time: 'virtual', seed: 1 })
  const client = IrdaStack.create({ port: room.port('client', { supportedSpeeds: speeds }), nickname: 'client', seed: 11, qos: { speeds } })
  const server = IrdaStack.create({ port: room.port('server', { supportedSpeeds: speeds }), nickname: 'server', seed: 12, qos: { speeds } })
  const data = Buffer.alloc(c.bytes, 0x5A)
  let received = 0
  const serverDone = new Promise<void>((resolve, reject) => {
    createServer(server, s => {
      s.on('data', (chunk: Buffer) => { received += chunk.length })
      s.on('error', reject)
      s.on('end', () => { resolve() })
    }).listen({ service: 'Bench' })
  })
  const sock = connect(client, { service: 'Bench', deviceAddress: server.deviceAddress })
  let t0 = 0
  let wall0 = 0
  let cpu0 = 0
  const load = loadavg()[0]
  await room.run((async () => {
    await once(sock, 'connect')
    t0 = room.clock.now()
    wall0 = performance.now()
    cpu0 = cpuS()
    for (let off = 0; off < data.length; off += 4096) {
      if (!sock.write(data.subarray(off, off + 4096))) await drained(sock)
    }
    sock.end()
    await serverDone
  })())
  const wallS = (performance.now() - wall0) / 1000
  const cpuS1 = cpuS() - cpu0
  const simulatedS = (room.clock.now() - t0) / 1000
  if (received !== c.bytes) throw new Error(`virtual-time: received ${received} of ${c.bytes} bytes`)
  await room.run((async () => { sock.destroy(); await client.close(); await server.close() })())
  await room.close()
  return { bps: c.bps, bytes: c.bytes, simulatedS, cpuS: cpuS1, wallS, speedup: simulatedS / cpuS1, wallSpeedup: simulatedS / wallS, load, target: c.target }
}

/** Every case, measured; `quick` moves a sixteenth of the bytes. */
export async function virtualTime (opts: { quick?: boolean } = {}): Promise<VirtualTimeCase[]> {
  const rows: VirtualTimeCase[] = []
  for (const c of CASES) {
    const bytes = opts.quick === true ? c.bytes / 16 : c.bytes
    await run({ ...c, bytes })
    const runs: VirtualTimeRow[] = []
    for (let i = 0; i < MEASURED_RUNS; i++) runs.push(await run({ ...c, bytes }))
    runs.sort((a, b) => a.wallSpeedup - b.wallSpeedup)
    const median = runs[runs.length >> 1]
    const cpu = [...runs].sort((a, b) => a.speedup - b.speedup)[runs.length >> 1]
    rows.push({ ...median, cpuS: cpu.cpuS, speedup: cpu.speedup, load: runs[0].load, runs: runs.length, slowest: runs[0].wallSpeedup, fastest: runs[runs.length - 1].wallSpeedup })
  }
  return rows
}

/** The rows `npm run bench` records (the runner's BenchRow shape). */
export async function virtualTimeBench (opts: { quick?: boolean } = {}): Promise<Array<{ bench: string, case: string, value: number, unit: string, ratio: number, against: string, target?: number, bps: number, measure?: string }>> {
  return (await virtualTime(opts)).flatMap(r => {
    const what = `bulk IrSock transfer, ${r.bps} b/s, ${r.bytes / 1048576} MiB: ${r.simulatedS.toFixed(1)} s simulated`
    return [
      { bench: 'virtual-time', case: `${what} in ${r.wallS.toFixed(2)} s wall, median of ${r.runs} after a warm-up (${r.slowest.toFixed(0)} to ${r.fastest.toFixed(0)}x; load average ${r.load.toFixed(2)} on 2 cores)`, value: r.wallSpeedup, unit: 'x', ratio: r.wallSpeedup, against: 'real time (1 simulated s per wall s)', target: r.target, bps: r.bps, measure: 'virtual-time' },
      { bench: 'virtual-time', case: `${what} in ${r.cpuS.toFixed(2)} s of process CPU (every thread), median of ${r.runs}`, value: r.speedup, unit: 'x', ratio: r.speedup, against: '1 simulated s per s of CPU (load-proof, GC threads counted)', bps: r.bps },
    ]
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await virtualTime()) {
    console.log(`${String(r.bps).padStart(8)} b/s  ${(r.bytes / 1048576).toFixed(0)} MiB  ${r.simulatedS.toFixed(1)} s simulated in ${r.wallS.toFixed(2)} s wall (${r.cpuS.toFixed(2)} s CPU): ${r.wallSpeedup.toFixed(0)}x wall (${r.slowest.toFixed(0)} to ${r.fastest.toFixed(0)}x over ${r.runs} runs), ${r.speedup.toFixed(0)}x CPU  target ${r.target}x  ${r.wallSpeedup >= r.target ? 'ok' : 'BELOW TARGET'}`)
  }
}
