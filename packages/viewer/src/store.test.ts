import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:http'
import { expect } from 'chai'
import { writePcap, type PcapRecord } from '@irdakit/capture'
import { emitFrame, QOS_FALLBACK_BITS } from '@irdakit/lap'
import { FLAG, LAYERS } from './schema.js'
import { CaptureStore } from './store.js'
import { LiveCapture, openPcapStore, pcapHeaderProblem } from './sources.js'
import { parseFilter, serveViewer } from './server.js'

const PC = 0x11111111
const DEV = 0x22222222
const CA = 0x31
const rr = (command: boolean, nr: number): Uint8Array => Uint8Array.of((CA << 1) | (command ? 1 : 0), (nr << 5) | 0x10 | 0x01)
/** An I frame carrying an IrLMP data PDU from `slsap` to `dlsap`. */
const iFrame = (command: boolean, ns: number, nr: number, slsap: number, dlsap: number, data: number[]): Uint8Array =>
  Uint8Array.of((CA << 1) | (command ? 1 : 0), (nr << 5) | 0x10 | (ns << 1), dlsap, slsap, ...data)

/** A small link: SNRM, UA, an RR exchange, I frames both ways (one sent again after a REJ), a malformed frame. */
function smallCapture (): PcapRecord[] {
  const frames: Array<[number, 'in' | 'out', Uint8Array]> = [
    [10, 'out', emitFrame({ kind: 'SNRM', caddr: 0x7F, command: true, pf: true, info: { source: PC, destination: DEV, connAddr: CA, qos: QOS_FALLBACK_BITS } })],
    [30, 'in', emitFrame({ kind: 'UA', caddr: CA, command: false, pf: true, info: { source: DEV, destination: PC, qos: QOS_FALLBACK_BITS } })],
    [50, 'out', rr(true, 0)],
    [60, 'in', rr(false, 0)],
    [70, 'out', iFrame(true, 0, 0, 0x10, 0x20, [1, 2, 3])],
    [75, 'out', iFrame(true, 1, 0, 0x10, 0x20, [4, 5, 6])],
    [90, 'in', Uint8Array.of((CA << 1), (1 << 5) | 0x10 | 0x09)], // REJ nr=1
    [100, 'out', iFrame(true, 1, 0, 0x10, 0x20, [4, 5, 6])],
    [120, 'in', iFrame(false, 0, 2, 0x20, 0x10, [7])],
    [140, 'out', Uint8Array.of((CA << 1) | 1)], // no control byte: malformed
  ]
  return frames.map(([timestampMs, direction, frame]) => ({ timestampMs, direction, frame }))
}

/** The status of GET /api/info sent with this Host header (a page on another site reaching us through DNS rebinding). */
async function statusWithHost (port: number, host: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/info', headers: { host } }, res => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('error', reject)
    req.end()
  })
}

describe('viewer: the capture store and its server', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'irda-viewer-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  async function load (records: PcapRecord[], opts: { maxFrames?: number } = {}): Promise<CaptureStore> {
    const path = join(dir, 'c.pcap')
    writePcap(path, records)
    const { store, indexed } = openPcapStore(path, opts)
    await indexed
    return store
  }

  it('indexes every frame with its lanes, airtime at 9600 bit/s, turnaround and flags', async () => {
    const store = await load(smallCapture())
    expect(store.status).to.include({ done: true })
    expect(store.count).to.equal(10)
    const info = store.info()
    expect(info.lanes).to.deep.equal([{ id: 0, label: '0x11111111' }, { id: 1, label: '0x22222222' }])
    expect(info.lsaps).to.deep.equal([0x10, 0x20])
    const r = store.range({}, -100, 1000)
    expect(r.frames.map(f => f.lane)).to.deep.equal([0, 1, 0, 1, 0, 0, 1, 0, 1, 0])
    // An RR at 9600 bit/s: BOF, A, C, two FCS bytes, EOF = 6 bytes of 10 bits: 6.25 ms on air.
    const rrOut = r.frames[2]
    expect(rrOut.end - rrOut.start).to.be.closeTo(6.25, 1e-6)
    expect(rrOut.end).to.equal(40) // ms after the first frame's end
    // The secondary's RR starts 60 - 6.25 ms in; the primary's ended at 50: 3.75 ms of turnaround.
    expect(r.frames[3].turnaround).to.be.closeTo(3.75, 1e-6)
    expect(r.frames[5].flags & FLAG.resent).to.equal(FLAG.resent)
    expect(r.frames[6].flags & FLAG.rej).to.equal(FLAG.rej)
    expect(r.frames[7].flags & FLAG.retransmission).to.equal(FLAG.retransmission)
    expect(r.frames[9].flags & FLAG.error).to.equal(FLAG.error)
    expect(r.frames[9].summary).to.match(/error/)
    expect(r.frames.map(f => f.layer)).to.deep.equal(['LAP', 'LAP', 'LAP', 'LAP', 'LMP', 'LMP', 'LAP', 'LMP', 'LMP', 'LAP'])
  })

  it('answers a time range with the frames on screen only', async () => {
    const store = await load(smallCapture())
    // Ends are 0, 20, 40, 50, 60, 65, 80 ... ms after the first frame's; the REJ ending at 80 started at 73.75.
    const r = store.range({}, 55, 75)
    expect(r.frames.map(f => f.i)).to.deep.equal([4, 5, 6])
    expect(r).to.include({ total: 10, inRange: 3 })
  })

  it('filters by innermost layer, sender lane, LSAP and problems', async () => {
    const store = await load(smallCapture())
    const idx = (f: Parameters<CaptureStore['range']>[0]): number[] => store.range(f, -100, 1000).frames.map(x => x.i)
    expect(idx({ hideLayers: ['LAP'] })).to.deep.equal([4, 5, 7, 8])
    expect(idx({ stations: [1] })).to.deep.equal([1, 3, 6, 8])
    expect(idx({ lsap: 0x20 })).to.deep.equal([4, 5, 7, 8])
    expect(idx({ lsap: 0x33 })).to.deep.equal([])
    expect(idx({ problems: true })).to.deep.equal([5, 6, 7, 9])
    expect(store.range({ stations: [1] }, -100, 1000).total).to.equal(4)
  })

  it('answers a range denser than asked with counts per bucket and lane', async () => {
    const store = await load(smallCapture())
    const r = store.range({}, -100, 1000, { max: 3, buckets: 11 })
    expect(r.frames).to.deep.equal([])
    expect(r.density?.counts.map(row => row.reduce((a, b) => a + b, 0))).to.deep.equal([6, 4])
    expect(r.density?.problems.flat().reduce((a, b) => a + b, 0)).to.equal(4)
  })

  it('gives one frame\'s bytes and full decode', async () => {
    const store = await load(smallCapture())
    const d = store.detail(4)
    expect(d?.hex).to.equal('63102010010203')
    expect(d?.layers.map(l => l.layer)).to.deep.equal(['LAP', 'LMP'])
    expect(d?.flags).to.deep.equal(['out'])
    expect(d?.laneLabel).to.equal('0x11111111')
    expect(store.detail(5)?.flags).to.deep.equal(['resent', 'out'])
    expect(store.detail(7)?.flags).to.deep.equal(['retransmission', 'out'])
    expect(store.detail(99)).to.equal(undefined)
    expect(store.detail(-1)).to.equal(undefined)
    expect(store.detail(1.5)).to.equal(undefined)
  })

  it('keeps at most maxFrames rows and counts the rest', async () => {
    const records = Array.from({ length: 50 }, (_, k) => ({ timestampMs: k, direction: 'in' as const, frame: rr(true, k & 7) }))
    const store = await load(records, { maxFrames: 20 })
    expect(store.count).to.equal(20)
    expect(store.status.dropped).to.equal(30)
  })

  it('takes hostile bytes as frames with errors: random frames never throw, and the lanes stay bounded', async () => {
    let seed = 7
    const rand = (): number => { seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF; return seed }
    const records = Array.from({ length: 3000 }, (_, k) => ({ timestampMs: k * 2, direction: (k & 1) === 1 ? 'in' as const : 'out' as const, frame: Uint8Array.from({ length: rand() % 40 }, () => rand() & 0xFF) }))
    const store = await load(records)
    expect(store.count).to.equal(3000)
    expect((store.info().lanes as unknown[]).length).to.be.at.most(32)
    const r = store.range({}, 0, 200)
    expect(r.frames.length).to.be.at.least(101) // and those ending later that started by 200 ms
    for (const f of r.frames) expect(f.start <= 200 && f.end >= 0, `frame ${f.i}`).to.equal(true)
    for (let i = 0; i < 3000; i += 97) expect(store.detail(i)?.i).to.equal(i)
  })

  it('reads what is there of a capture cut short, and says so', async () => {
    const path = join(dir, 'c.pcap')
    writePcap(path, smallCapture())
    const whole = readFileSync(path)
    writeFileSync(path, whole.subarray(0, whole.length - 3))
    const { store, indexed } = openPcapStore(path)
    await indexed
    expect(store.count).to.equal(9)
    expect(store.status.truncated).to.match(/record 9 data truncated/)
  })

  it('keeps the frames before a damaged record and says what was wrong with it', async () => {
    const path = join(dir, 'c.pcap')
    writePcap(path, smallCapture())
    const bytes = readFileSync(path)
    // Record 3's pseudo-header protocol field: past the global header and three records.
    let o = 24
    for (let n = 0; n < 3; n++) o += 16 + bytes.readUInt32LE(o + 8)
    bytes.writeUInt16BE(0x0800, o + 16 + 14)
    writeFileSync(path, bytes)
    const { store, indexed } = openPcapStore(path)
    await indexed
    expect(store.count).to.equal(3)
    expect(store.status).to.include({ done: true, error: 'record 3 protocol 0x800, expected 0x0017' })
  })

  it('says why a file is not an IrDA capture before serving it', () => {
    const path = join(dir, 'x.pcap')
    writeFileSync(path, 'not a capture at all, really not')
    expect(pcapHeaderProblem(path)).to.match(/is not an IrDA pcap: unknown magic/)
    expect(pcapHeaderProblem(join(dir, 'missing.pcap'))).to.match(/cannot read .*ENOENT/)
  })

  it('indexes a live source as it goes, reading the bytes back from the pcap it writes', () => {
    const live = new LiveCapture(join(dir, 'live.pcap'), { source: 'test' })
    live.frame({ timeMs: 5, direction: 'in', frame: rr(true, 0), sender: 'a', speed: 115200, lost: true })
    live.frame({ timeMs: 6, direction: 'in', frame: rr(false, 0), sender: 'b', speed: 115200 })
    expect(live.store.info()).to.include({ frames: 2, live: true, done: false })
    expect(live.store.detail(1)?.hex).to.equal('6211')
    expect(live.store.detail(0)?.flags).to.include('lost')
    expect(live.store.detail(0)?.laneLabel).to.equal('a')
    live.end()
    expect(live.store.status.done).to.equal(true)
    live.store.close()
  })

  it('parses the filter of a query string and refuses nonsense', () => {
    expect(parseFilter(new URLSearchParams('hide=LAP,IAS&stations=0,2&lsap=3&problems=1'))).to.deep.equal({ hideLayers: ['LAP', 'IAS'], stations: [0, 2], lsap: 3, problems: true })
    expect(parseFilter(new URLSearchParams('stations='))).to.deep.equal({ stations: [] })
    expect(parseFilter(new URLSearchParams('lsap=200'))).to.be.a('string')
    expect(parseFilter(new URLSearchParams('stations=a'))).to.be.a('string')
    expect(LAYERS).to.include('OBEX')
  })

  it('serves the page and the API on 127.0.0.1 only, refusing other hosts and bad ranges', async () => {
    const store = await load(smallCapture())
    const server = await serveViewer(store)
    try {
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      const page = await fetch(server.url)
      expect(page.status).to.equal(200)
      expect(page.headers.get('content-security-policy')).to.match(/default-src 'self'/)
      expect(await page.text()).to.match(/<script src="\/app.js"/)
      for (const asset of ['app.js', 'style.css']) expect((await fetch(server.url + asset)).status).to.equal(200)
      const info = await (await fetch(server.url + 'api/info')).json() as { frames: number }
      expect(info.frames).to.equal(10)
      const range = await (await fetch(server.url + 'api/range?from=0&to=1000&hide=LAP')).json() as { total: number }
      expect(range.total).to.equal(4)
      expect((await fetch(server.url + 'api/range?from=5&to=1')).status).to.equal(400)
      expect((await fetch(server.url + 'api/range?from=x&to=1')).status).to.equal(400)
      expect((await fetch(server.url + 'api/frame?i=3')).status).to.equal(200)
      expect((await fetch(server.url + 'api/frame?i=300')).status).to.equal(404)
      expect((await fetch(server.url + '../../etc/passwd')).status).to.equal(404)
      expect(await statusWithHost(server.port, 'evil.example')).to.equal(421)
      expect(await statusWithHost(server.port, `localhost:${server.port}`)).to.equal(200)
    } finally {
      await server.close()
      store.close()
    }
  })
})
