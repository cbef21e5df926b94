// irda view: draws the capture the server holds as a sequence diagram, time going down, one
// lane per station. Only the visible time range is fetched and drawn (the server answers a
// dense range with counts per bucket), so a capture of a million frames stays as light as one
// of forty. No dependencies, nothing loaded from elsewhere.
'use strict'

const NS = 'http://www.w3.org/2000/svg'
const HEAD = 44 // px above the first time line: lane labels
const AXIS = 64 // px of time axis on the left
const LANE_MIN = 150 // px per lane at least
const $ = id => document.getElementById(id)

const state = {
  info: null,
  t0: 0, // ms at the top of the view
  scale: 1, // px per ms
  fitted: false,
  selected: -1,
  hideLayers: new Set(),
  hiddenLanes: new Set(),
  lsap: '',
  problems: false,
  seq: 0,
  answer: null,
  drawn: [],
}

async function api (path) {
  const r = await fetch(path, { cache: 'no-store' })
  const body = await r.json()
  if (!r.ok) throw new Error(body.error || r.statusText)
  return body
}

function el (parent, name, attrs, text) {
  const e = document.createElementNS(NS, name)
  for (const k in attrs) e.setAttribute(k, attrs[k])
  if (text !== undefined) e.textContent = text
  if (parent) parent.appendChild(e)
  return e
}

function filterQuery () {
  const q = new URLSearchParams()
  if (state.hideLayers.size > 0) q.set('hide', [...state.hideLayers].join(','))
  if (state.hiddenLanes.size > 0 && state.info) q.set('stations', state.info.lanes.map(l => l.id).filter(id => !state.hiddenLanes.has(id)).join(','))
  if (state.lsap !== '') q.set('lsap', state.lsap)
  if (state.problems) q.set('problems', '1')
  return q
}

function viewHeight () { return Math.max(50, $('diagram').clientHeight - HEAD - 8) }
function duration () { return Math.max(state.info ? state.info.durationMs : 0, 1) }

function fit () {
  const d = duration()
  state.scale = viewHeight() / (d * 1.02)
  state.t0 = -d * 0.01
  state.fitted = true
  refresh()
}

function zoom (factor, atY) {
  const y = atY === undefined ? viewHeight() / 2 : atY
  const t = state.t0 + y / state.scale
  state.scale = Math.min(Math.max(state.scale * factor, viewHeight() / (duration() * 50)), 2000)
  state.t0 = t - y / state.scale
  state.fitted = false
  refresh()
}

function scrollBy (px) {
  state.t0 += px / state.scale
  state.fitted = false
  refresh()
}

let pending = false
function refresh () {
  if (pending) return
  pending = true
  delete document.body.dataset.drawn
  requestAnimationFrame(() => { pending = false; load() })
}

async function load () {
  const seq = ++state.seq
  const from = state.t0
  const to = state.t0 + viewHeight() / state.scale
  const q = filterQuery()
  q.set('from', String(from))
  q.set('to', String(to))
  q.set('buckets', String(Math.max(1, Math.floor(viewHeight() / 3))))
  let answer
  try { answer = await api('/api/range?' + q) } catch (e) { $('status').textContent = e.message; return }
  if (seq !== state.seq) return // a newer view was asked for meanwhile
  state.answer = answer
  draw(answer, from, to)
  showCount()
  await drawOverview()
  if (seq === state.seq) document.body.dataset.drawn = String(seq) // tests wait for this to settle
}

function laneLayout (svg) {
  const lanes = state.info.lanes
  const width = svg.clientWidth
  const lanesWidth = Math.max(LANE_MIN * lanes.length, Math.min(width * 0.45, 420))
  const x = new Map(lanes.map((l, k) => [l.id, AXIS + (k + 0.5) * lanesWidth / Math.max(lanes.length, 1)]))
  return { x, textX: AXIS + lanesWidth + 12, right: AXIS + lanesWidth }
}

function timeText (ms) {
  if (Math.abs(ms) >= 1000) return (ms / 1000).toFixed(3) + ' s'
  return ms.toFixed(ms < 10 ? 3 : 1) + ' ms'
}

function draw (answer, from, to) {
  const svg = $('diagram')
  const width = svg.clientWidth
  const height = svg.clientHeight
  svg.replaceChildren()
  const defs = el(svg, 'defs')
  const marker = el(defs, 'marker', { id: 'head', viewBox: '0 0 8 8', refX: '8', refY: '4', markerWidth: '8', markerHeight: '8', markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' })
  el(marker, 'path', { d: 'M0,0 L8,4 L0,8 z', fill: 'context-stroke' })
  const y = t => HEAD + (t - from) * state.scale
  const { x, textX, right } = laneLayout(svg)

  // Time grid: about one line per 60 px, on a 1-2-5 step.
  const rough = 60 / state.scale
  const p = Math.pow(10, Math.floor(Math.log10(rough)))
  const step = [1, 2, 5, 10].map(m => m * p).find(s => s >= rough) || rough
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    el(svg, 'line', { class: 'tick', x1: AXIS, x2: width, y1: y(t), y2: y(t) })
    el(svg, 'text', { class: 'tick-label', x: 4, y: y(t) + 3 }, timeText(t))
  }
  for (const lane of state.info.lanes) {
    el(svg, 'line', { class: 'lane', x1: x.get(lane.id), x2: x.get(lane.id), y1: HEAD - 6, y2: height })
    el(svg, 'text', { class: 'lane-label', x: x.get(lane.id), y: 16, 'text-anchor': 'middle' }, lane.label)
  }
  el(svg, 'text', { class: 'lane-label', x: textX, y: 16 }, 'frame (innermost layer last)')

  state.drawn = []
  if (answer.density) { drawDensity(svg, answer, x, from, to); return }
  const flagNames = Object.keys(state.info.flags)
  const labelled = chooseLabels(answer.frames, f => y(f.end))
  for (const f of answer.frames) {
    const classes = ['frame', 'layer-' + f.layer, ...flagNames.filter(n => (f.flags & state.info.flags[n]) !== 0)]
    if (f.i === state.selected) classes.push('selected')
    const g = el(svg, 'g', { class: classes.join(' '), 'data-i': f.i, 'data-lane': f.lane })
    const sx = x.get(f.lane)
    const ys = y(f.start)
    const ye = y(f.end)
    if (f.turnaround !== undefined && f.turnaround * state.scale >= 3) {
      el(g, 'line', { class: 'ta', x1: sx - 8, x2: sx - 8, y1: y(f.start - f.turnaround), y2: ys })
      if (f.turnaround * state.scale >= 12) el(g, 'text', { class: 'ta-label', x: sx - 12, y: (y(f.start - f.turnaround) + ys) / 2 + 3, 'text-anchor': 'end' }, 'ta ' + timeText(f.turnaround))
    }
    el(g, 'rect', { class: 'air', x: sx - 3, y: ys, width: 6, height: Math.max(1, ye - ys) })
    const targets = f.peer === 0xFFFF ? state.info.lanes.map(l => l.id).filter(id => id !== f.lane) : [f.peer]
    for (const t of targets) {
      const tx = x.get(t)
      if (tx === undefined) continue
      el(g, 'line', { class: 'arrow', x1: sx, y1: ys, x2: tx, y2: Math.max(ye, ys + 1), 'marker-end': 'url(#head)' })
    }
    if (targets.length === 0) el(g, 'line', { class: 'arrow', x1: sx, y1: ys, x2: right, y2: ye })
    if (labelled.has(f.i)) el(g, 'text', { x: textX, y: ye + 4 }, `#${f.i + 1} ${f.summary}`)
    el(g, 'title', {}, `#${f.i + 1} at ${timeText(f.end)}: ${f.summary}`)
    state.drawn.push(f.i)
  }
  svg.setAttribute('data-drawn', String(state.drawn.length))
}

// Which frames get a text label: no two closer than 12 px, frames with a problem first, then
// the rest in time order where there is still room.
function chooseLabels (frames, yOf) {
  const placed = []
  const chosen = new Set()
  const free = y => placed.every(p => Math.abs(p - y) >= 12)
  const problem = f => (f.flags & state.info.problemFlags) !== 0
  for (const pass of [true, false]) {
    for (const f of frames) {
      if (problem(f) !== pass || !free(yOf(f))) continue
      placed.push(yOf(f))
      chosen.add(f.i)
    }
  }
  return chosen
}

function drawDensity (svg, answer, x, from, to) {
  const d = answer.density
  const h = viewHeight() / d.buckets
  let peak = 1
  for (const row of d.counts) for (const c of row) peak = Math.max(peak, c)
  d.counts.forEach((row, lane) => {
    const lx = x.get(lane)
    if (lx === undefined) return
    row.forEach((c, b) => {
      if (c === 0) return
      const w = 4 + 40 * c / peak
      el(svg, 'rect', { class: 'density', x: lx - w / 2, y: HEAD + b * h, width: w, height: Math.max(h, 1) })
      const bad = d.problems[lane][b]
      if (bad > 0) el(svg, 'rect', { class: 'density problem', x: lx - w / 2, y: HEAD + b * h, width: Math.max(2, w * bad / c), height: Math.max(h, 1) })
    })
  })
  el(svg, 'text', { class: 'note', x: laneLayout(svg).textX, y: HEAD + 14 }, `${answer.inRange} frames here: zoom in to see each (${timeText(to - from)} in view)`)
  svg.setAttribute('data-drawn', '0')
}

async function drawOverview () {
  const c = $('overview')
  const h = c.clientHeight
  if (c.height !== h) c.height = h
  const ctx = c.getContext('2d')
  ctx.clearRect(0, 0, c.width, h)
  const d = duration()
  if (!state.overview || state.overview.key !== overviewKey()) {
    const q = filterQuery()
    q.set('from', '0'); q.set('to', String(d)); q.set('max', '0'); q.set('buckets', String(Math.max(1, Math.floor(h / 2))))
    try { state.overview = { key: overviewKey(), answer: await api('/api/range?' + q) } } catch { return }
  }
  const a = state.overview.answer
  if (a.density) {
    const bh = h / a.density.buckets
    const sums = new Array(a.density.buckets).fill(0)
    const bad = new Array(a.density.buckets).fill(0)
    a.density.counts.forEach((row, lane) => row.forEach((n, b) => { sums[b] += n; bad[b] += a.density.problems[lane][b] }))
    const peak = Math.max(1, ...sums)
    sums.forEach((n, b) => {
      if (n === 0) return
      ctx.fillStyle = bad[b] > 0 ? '#d01010' : '#4a6fa5'
      ctx.fillRect(4, b * bh, 4 + (c.width - 12) * n / peak, Math.max(1, bh))
    })
  }
  ctx.strokeStyle = '#222'
  const top = state.t0 / d * h
  ctx.strokeRect(1, top, c.width - 2, Math.max(2, viewHeight() / state.scale / d * h))
}

function overviewKey () { return filterQuery().toString() + '|' + (state.info ? state.info.frames : 0) }

async function showDetail (i) {
  state.selected = i
  for (const g of document.querySelectorAll('.frame.selected')) g.classList.remove('selected')
  const g = document.querySelector(`.frame[data-i="${i}"]`)
  if (g) g.classList.add('selected')
  const box = $('detail')
  let f
  try { f = await api('/api/frame?i=' + i) } catch (e) { box.textContent = e.message; return }
  box.replaceChildren()
  const h = document.createElement('h4')
  h.textContent = `Frame #${f.i + 1}: ${f.summary}`
  box.appendChild(h)
  const facts = [
    ['time', `${timeText(f.start)} to ${timeText(f.end)} (airtime ${timeText(f.airtimeMs)} at ${f.speed} bit/s)`],
    ['sender', `${f.laneLabel} (${f.direction === 'out' ? 'sent by the capturing station' : 'received'})`],
    ...(f.turnaroundMs !== undefined ? [['turnaround', timeText(f.turnaroundMs)]] : []),
    ...(f.flags.filter(n => n !== 'out').length > 0 ? [['flags', f.flags.filter(n => n !== 'out').join(', ')]] : []),
    ...(f.error !== undefined ? [['error', f.error]] : []),
  ]
  box.appendChild(table(facts))
  for (const layer of f.layers) {
    const lh = document.createElement('h4')
    lh.className = 'layer'
    lh.textContent = `${layer.layer}: ${layer.summary}`
    box.appendChild(lh)
    box.appendChild(table(Object.entries(layer.fields).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])))
  }
  const pre = document.createElement('pre')
  pre.className = 'hex'
  const lines = []
  for (let o = 0; o < f.hex.length / 2; o += 16) {
    const bytes = f.hex.slice(o * 2, (o + 16) * 2).match(/../g) || []
    const ascii = bytes.map(b => { const c = parseInt(b, 16); return c >= 32 && c < 127 ? String.fromCharCode(c) : '.' }).join('')
    lines.push(o.toString(16).padStart(4, '0') + '  ' + bytes.join(' ').padEnd(48) + '  ' + ascii)
  }
  pre.textContent = lines.join('\n')
  box.appendChild(pre)
}

function table (rows) {
  const t = document.createElement('table')
  for (const [k, v] of rows) {
    const tr = t.insertRow()
    tr.insertCell().textContent = k
    tr.insertCell().textContent = v
  }
  return t
}

async function exportSvg () {
  const css = await (await fetch('/style.css')).text()
  const live = $('diagram')
  const svg = live.cloneNode(true)
  svg.removeAttribute('id')
  svg.setAttribute('width', String(live.clientWidth))
  svg.setAttribute('height', String(live.clientHeight))
  svg.setAttribute('viewBox', `0 0 ${live.clientWidth} ${live.clientHeight}`)
  svg.setAttribute('xmlns', NS)
  const style = document.createElementNS(NS, 'style')
  style.textContent = css
  svg.insertBefore(style, svg.firstChild)
  const bg = document.createElementNS(NS, 'rect')
  bg.setAttribute('width', '100%'); bg.setAttribute('height', '100%'); bg.setAttribute('fill', '#fff')
  svg.insertBefore(bg, style.nextSibling)
  const text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg)
  const a = document.createElement('a')
  a.href = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }))
  a.download = 'irda-view.svg'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 10000)
}

function buildFilters () {
  const info = state.info
  const layers = $('layer-filters')
  if (layers.childElementCount === 0) {
    for (const name of info.layers) layers.appendChild(checkbox('layer', name, name, !state.hideLayers.has(name), on => { if (on) state.hideLayers.delete(name); else state.hideLayers.add(name) }))
  }
  const stations = $('station-filters')
  for (const lane of info.lanes.slice(stations.childElementCount)) {
    stations.appendChild(checkbox('lane', String(lane.id), lane.label, true, on => { if (on) state.hiddenLanes.delete(lane.id); else state.hiddenLanes.add(lane.id) }))
  }
  for (const [k, lane] of info.lanes.entries()) { const l = stations.children[k]; if (l) l.lastChild.textContent = ' ' + lane.label }
  const select = $('lsap')
  const have = new Set([...select.options].map(o => o.value))
  for (const s of info.lsaps) {
    if (have.has(String(s))) continue
    const o = document.createElement('option')
    o.value = String(s)
    o.textContent = `0x${s.toString(16).padStart(2, '0')}${s === 0 ? ' (IAS)' : s === 0x70 ? ' (connectionless)' : ''}`
    select.appendChild(o)
  }
}

function checkbox (kind, value, text, checked, onChange) {
  const label = document.createElement('label')
  const box = document.createElement('input')
  box.type = 'checkbox'
  box.checked = checked
  box.dataset[kind] = value
  box.addEventListener('change', () => { onChange(box.checked); refresh() })
  label.appendChild(box)
  label.appendChild(document.createTextNode(' ' + text))
  return label
}

function showCount () {
  const info = state.info
  const a = state.answer
  const shown = a ? a.total : info.frames
  $('count').textContent = `${shown} of ${info.frames} frames`
  $('count').dataset.shown = String(shown)
  $('count').dataset.total = String(info.frames)
  const s = []
  if (!info.done) s.push(info.live ? 'live' : 'reading…')
  if (info.error) s.push('error: ' + info.error)
  if (info.truncated) s.push('cut short: ' + info.truncated)
  if (info.dropped > 0) s.push(`${info.dropped} frames past the viewer's limit not shown`)
  $('status').textContent = s.join(' · ')
}

async function poll () {
  let info
  try { info = await api('/api/info') } catch (e) { $('status').textContent = 'the viewer server went away'; return }
  const grew = !state.info || info.frames !== state.info.frames || info.lanes.length !== state.info.lanes.length || info.done !== state.info.done
  state.info = info
  $('source').textContent = info.source
  document.title = 'irda view: ' + info.source
  buildFilters()
  if (grew) {
    if ($('follow').checked) {
      state.t0 = Math.max(info.durationMs - viewHeight() / state.scale * 0.9, state.t0)
      refresh()
    } else if (state.fitted || !state.answer) fit()
    else refresh()
  }
  showCount()
  document.body.dataset.ready = info.done ? 'done' : 'loading'
  if (!info.done || info.live) setTimeout(poll, 700)
}

function wire () {
  $('fit').addEventListener('click', fit)
  $('zoom-in').addEventListener('click', () => zoom(2))
  $('zoom-out').addEventListener('click', () => zoom(0.5))
  $('export').addEventListener('click', exportSvg)
  $('lsap').addEventListener('change', e => { state.lsap = e.target.value; refresh() })
  $('problems').addEventListener('change', e => { state.problems = e.target.checked; refresh() })
  const svg = $('diagram')
  svg.addEventListener('wheel', e => {
    e.preventDefault()
    if (e.ctrlKey || e.altKey) zoom(e.deltaY < 0 ? 1.25 : 0.8, e.offsetY - HEAD)
    else scrollBy(e.deltaY)
  }, { passive: false })
  svg.addEventListener('click', e => {
    const g = e.target.closest('.frame')
    if (g) showDetail(Number(g.dataset.i))
  })
  $('overview').addEventListener('click', e => {
    state.t0 = e.offsetY / $('overview').clientHeight * duration() - viewHeight() / state.scale / 2
    state.fitted = false
    refresh()
  })
  document.addEventListener('keydown', e => {
    if (e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT') return
    const page = viewHeight() * 0.9
    const keys = { '+': () => zoom(2), '=': () => zoom(2), '-': () => zoom(0.5), f: fit, F: fit, ArrowDown: () => scrollBy(40), ArrowUp: () => scrollBy(-40), PageDown: () => scrollBy(page), PageUp: () => scrollBy(-page), Home: () => { state.t0 = 0; refresh() }, End: () => { state.t0 = duration() - viewHeight() / state.scale; refresh() } }
    if (keys[e.key]) { e.preventDefault(); keys[e.key]() }
  })
  new ResizeObserver(() => { if (state.info) { if (state.fitted) fit(); else refresh() } }).observe(svg)
}

// What the browser tests and the docs script read.
window.irdaView = { state, fit, zoom, scrollBy, showDetail, refresh }

wire()
poll()
