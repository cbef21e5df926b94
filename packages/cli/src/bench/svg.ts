/*!
 * A small SVG line and point plot, enough for docs/benchmarks.md: linear or log axes, given
 * ticks, one polyline or a set of labelled points per series, a legend. The output depends only
 * on the input (fixed decimals), so a test can compare it and git diffs stay small.
 */

export interface Axis {
  label: string
  log?: boolean
  min: number
  max: number
  /** Where to draw grid lines, with their labels. */
  ticks: Array<[number, string]>
}

export interface Series {
  name: string
  color: string
  /** A line through the points in order, or one marker per point. */
  style: 'line' | 'dashed' | 'points'
  points: Array<[number, number]>
}

export interface Plot { title: string, x: Axis, y: Axis, series: Series[] }

const W = 640
const H = 400
const M = { left: 70, right: 20, top: 36, bottom: 56 }

const f = (n: number): string => n.toFixed(1)

/** Escapes text for an SVG text node or attribute. */
function esc (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function scale (a: Axis, from: number, to: number): (v: number) => number {
  const t = (v: number): number => a.log === true ? Math.log10(v) : v
  const lo = t(a.min)
  const hi = t(a.max)
  return v => from + (to - from) * (t(v) - lo) / (hi - lo)
}

/** Whether `v` can be drawn on `a` (inside its range, and positive on a log axis). */
function onAxis (a: Axis, v: number): boolean {
  return Number.isFinite(v) && v >= a.min && v <= a.max && (a.log !== true || v > 0)
}

/** The plot as a standalone SVG document. */
export function renderPlot (p: Plot): string {
  const sx = scale(p.x, M.left, W - M.right)
  const sy = scale(p.y, H - M.bottom, M.top)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(p.title)}</text>`,
  ]
  for (const [v, label] of p.x.ticks) {
    const x = f(sx(v))
    out.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${H - M.bottom}" stroke="#ddd"/>`,
      `<text x="${x}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(label)}</text>`)
  }
  for (const [v, label] of p.y.ticks) {
    const y = f(sy(v))
    out.push(`<line x1="${M.left}" y1="${y}" x2="${W - M.right}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(label)}</text>`)
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="black"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 14}" text-anchor="middle">${esc(p.x.label)}</text>`,
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(p.y.label)}</text>`)
  p.series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => onAxis(p.x, x) && onAxis(p.y, y)).map(([x, y]) => [sx(x), sy(y)])
    if (s.style === 'points') {
      for (const [x, y] of pts) out.push(`<circle cx="${f(x)}" cy="${f(y)}" r="4" fill="${s.color}"><title>${esc(s.name)}</title></circle>`)
    } else if (pts.length > 1) {
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.style === 'dashed' ? ' stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${f(x)},${f(y)}`).join(' ')}"/>`)
    }
    // Legend, bottom left inside the frame (goodput curves live near the top).
    const ly = H - M.bottom - 10 - (p.series.length - 1 - i) * 16
    const lx = M.left + 10
    out.push(s.style === 'points'
      ? `<circle cx="${lx + 10}" cy="${ly - 4}" r="4" fill="${s.color}"/>`
      : `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 20}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.style === 'dashed' ? ' stroke-dasharray="6 4"' : ''}/>`,
    `<text x="${lx + 26}" y="${ly}">${esc(s.name)}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
