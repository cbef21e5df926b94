/*!
 * The viewer's web server: the page's three files from this package's `assets/` and a small
 * JSON API over a {@link CaptureStore}. Listens on 127.0.0.1 only, on a port the system picks,
 * answers only requests addressed to that host (a page elsewhere cannot reach it through DNS
 * rebinding), and the page's Content-Security-Policy lets it load nothing from elsewhere.
 *
 *   GET /api/info                      the capture: frames, duration, lanes, LSAPs, codes
 *   GET /api/range?from=&to=[&filter]  frames ending in [from, to] ms (or counts per bucket)
 *   GET /api/frame?i=N                 one frame: bytes and full decode
 * Filter parameters: hide=LAP,IAS (innermost layers), stations=0,2 (sender lanes), lsap=N,
 * problems=1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { CaptureStore, ViewFilter } from './store.js'

const ASSETS: Record<string, { file: string, type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
}
const assetDir = new URL('../assets/', import.meta.url)
const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'"

export interface ViewerServer {
  /** http://127.0.0.1:PORT/ */
  url: string
  port: number
  close: () => Promise<void>
}

/** Serves `store` on 127.0.0.1 (port 0: any free port). */
export async function serveViewer (store: CaptureStore, opts: { port?: number } = {}): Promise<ViewerServer> {
  let port = 0
  const server = createServer((req, res) => {
    try {
      handle(store, port, req, res)
    } catch (e) {
      send(res, 500, { error: e instanceof Error ? e.message : String(e) })
    }
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    },
  }
}

function handle (store: CaptureStore, port: number, req: IncomingMessage, res: ServerResponse): void {
  const host = req.headers.host ?? ''
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) { send(res, 421, { error: 'this viewer answers 127.0.0.1 only' }); return }
  if (req.method !== 'GET' && req.method !== 'HEAD') { send(res, 405, { error: 'GET only' }); return }
  const url = new URL(req.url ?? '/', `http://${host}`)
  const asset = ASSETS[url.pathname]
  if (asset !== undefined) {
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' })
    res.end(readFileSync(new URL(asset.file, assetDir)))
    return
  }
  if (url.pathname === '/favicon.ico') { res.writeHead(204); res.end(); return }
  const q = url.searchParams
  switch (url.pathname) {
    case '/api/info':
      send(res, 200, store.info())
      return
    case '/api/range': {
      const from = number(q.get('from'))
      const to = number(q.get('to'))
      if (from === undefined || to === undefined || to < from) { send(res, 400, { error: 'range needs numbers from <= to (ms)' }); return }
      const filter = parseFilter(q)
      if (typeof filter === 'string') { send(res, 400, { error: filter }); return }
      const max = number(q.get('max'))
      const buckets = number(q.get('buckets'))
      send(res, 200, store.range(filter, from, to, { ...(max !== undefined ? { max } : {}), ...(buckets !== undefined ? { buckets: Math.floor(buckets) } : {}) }))
      return
    }
    case '/api/frame': {
      const i = number(q.get('i'))
      const d = i === undefined ? undefined : store.detail(i)
      if (d === undefined) { send(res, 404, { error: `no frame ${q.get('i') ?? ''}` }); return }
      send(res, 200, d)
      return
    }
    default:
      send(res, 404, { error: `nothing at ${url.pathname}` })
  }
}

/** The filter in a query string, or what is wrong with it. */
export function parseFilter (q: URLSearchParams): ViewFilter | string {
  const f: ViewFilter = {}
  const hide = q.get('hide')
  if (hide !== null && hide !== '') f.hideLayers = hide.split(',')
  const stations = q.get('stations')
  if (stations !== null) {
    const lanes = stations === '' ? [] : stations.split(',').map(Number)
    if (lanes.some(n => !Number.isInteger(n) || n < 0)) return 'stations must be lane numbers'
    f.stations = lanes
  }
  const lsap = q.get('lsap')
  if (lsap !== null && lsap !== '') {
    const n = Number(lsap)
    if (!Number.isInteger(n) || n < 0 || n > 0x7F) return 'lsap must be a selector 0..127'
    f.lsap = n
  }
  if (q.get('problems') === '1') f.problems = true
  return f
}

const number = (s: string | null): number | undefined => {
  if (s === null || s === '') return undefined
  const n = Number(s)
  return Number.isFinite(n) ? n : undefined
}

function send (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
