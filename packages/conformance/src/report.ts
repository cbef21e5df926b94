/*!
 * Reports of a run: a text table with the evidence of every finding, JSON (everything, traces
 * included), JUnit XML for CI, and a self-contained HTML page with the traces.
 */
import type { CaseResult, Report } from './runner.js'
import { formatTrace, VERDICTS } from './verdict.js'

/** Exit status of a run: 1 on any FAIL or ERROR, or when the target could not be reached. */
export function exitStatus (r: Report): number {
  return r.counts.FAIL > 0 || r.counts.ERROR > 0 || r.sanity.before !== 'ok' ? 1 : 0
}

export function summaryLine (r: Report): string {
  return VERDICTS.filter(v => r.counts[v] > 0).map(v => `${r.counts[v]} ${v}`).join(', ') + ` of ${r.results.length} cases`
}

/** Lines for people: a row per case, then the findings with their traces. */
export function textReport (r: Report, opts: { traces?: boolean } = {}): string[] {
  const out: string[] = []
  out.push(`target ${r.target}: sanity before ${r.sanity.before}, after ${r.sanity.after}`)
  if (r.profile !== undefined) out.push(`device 0x${r.profile.deviceAddress.toString(16).padStart(8, '0')} "${r.profile.nickname}": ${r.classification ?? ''}`)
  out.push('')
  for (const c of r.results) out.push(`${c.verdict.padEnd(9)} ${c.id.padEnd(20)} ${c.title}`)
  const findings = r.results.filter(c => c.verdict !== 'PASS' && c.verdict !== 'N/A')
  if (findings.length > 0 && opts.traces !== false) {
    out.push('', 'Findings:')
    for (const c of findings) {
      out.push('', `${c.verdict} ${c.id} (${c.clause}${c.legacy !== undefined ? `; 1995 ${c.legacy}` : ''})`)
      for (const why of c.reasons) out.push(`  ${why}`)
      if (c.verdict !== 'INFO') out.push(...formatTrace(c.trace).map(l => `  ${l}`))
    }
  }
  out.push('', summaryLine(r))
  return out
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** JUnit XML: a testcase per case; FAIL is a failure, ERROR an error, N/A and INCONC skipped. */
export function junitReport (r: Report): string {
  const failures = r.counts.FAIL
  const errors = r.counts.ERROR + (r.sanity.before !== 'ok' ? 1 : 0)
  const skipped = r.counts['N/A'] + r.counts.INCONC
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuite name="irda-conformance ${esc(r.target)}" tests="${r.results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`]
  for (const c of r.results) {
    const cls = c.id.split('/').slice(0, 3).join('.')
    const body = esc([...c.reasons, ...formatTrace(c.trace)].join('\n'))
    const msg = esc(c.reasons[0] ?? c.verdict)
    lines.push(`  <testcase classname="${esc(cls)}" name="${esc(`${c.id} ${c.title}`)}" time="${(c.durationMs / 1000).toFixed(3)}">`)
    if (c.verdict === 'FAIL') lines.push(`    <failure message="${msg}" type="FAIL">${body}</failure>`)
    else if (c.verdict === 'ERROR') lines.push(`    <error message="${msg}" type="ERROR">${body}</error>`)
    else if (c.verdict === 'N/A' || c.verdict === 'INCONC') lines.push(`    <skipped message="${esc(c.verdict)}: ${msg}"/>`)
    else if (c.verdict !== 'PASS') lines.push(`    <system-out>${esc(c.verdict)}: ${body}</system-out>`)
    lines.push('  </testcase>')
  }
  if (r.sanity.before !== 'ok') lines.push(`  <testcase classname="sanity" name="sanity probe"><error message="${esc(r.sanity.before)}"/></testcase>`)
  lines.push('</testsuite>', '')
  return lines.join('\n')
}

const COLOR: Record<string, string> = { PASS: '#2a2', INFO: '#28c', NONSTRICT: '#c80', INCONC: '#888', FAIL: '#c22', ERROR: '#a0a', 'N/A': '#999' }

/** One HTML page, no external resources: the verdict table with each case's trace folded under it. */
export function htmlReport (r: Report): string {
  const row = (c: CaseResult): string => `<tr><td style="color:${COLOR[c.verdict]};font-weight:bold">${c.verdict}</td><td><code>${esc(c.id)}</code></td><td>${esc(c.legacy ?? '')}</td><td><details><summary>${esc(c.title)}</summary><p>${esc(c.clause)}</p><p>${c.reasons.map(esc).join('<br>')}</p><pre>${esc(formatTrace(c.trace).join('\n'))}</pre></details></td></tr>`
  return `<!doctype html><html><head><meta charset="utf-8"><title>IrDA conformance: ${esc(r.target)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td{border-bottom:1px solid #ddd;padding:4px 8px;vertical-align:top}pre{font-size:12px;background:#f6f6f6;padding:8px;overflow:auto}</style></head><body>
<h1>IrDA conformance: ${esc(r.target)}</h1>
<p>Sanity probe before: ${esc(r.sanity.before)}; after: ${esc(r.sanity.after)}.</p>
<p>${r.profile !== undefined ? `Device 0x${r.profile.deviceAddress.toString(16)} "${esc(r.profile.nickname)}": ${esc(r.classification ?? '')}` : ''}</p>
<p><b>${esc(summaryLine(r))}</b></p>
<table><tr><th>Verdict</th><th>Case</th><th>1995</th><th>What</th></tr>
${r.results.map(row).join('\n')}
</table></body></html>
`
}

/** Markdown: the verdict table, then every FAIL, NONSTRICT and INCONC with its reasons and trace (for published results). */
export function markdownReport (r: Report): string {
  const out: string[] = []
  out.push(`Target \`${r.target}\`; sanity probe before: ${r.sanity.before}, after: ${r.sanity.after}.`, '')
  if (r.profile !== undefined) {
    const p = r.profile
    out.push(`Device 0x${p.deviceAddress.toString(16).padStart(8, '0')} "${p.nickname}": ${r.classification ?? ''}; max turnaround ${p.maxTurnaroundMs} ms, min turnaround ${p.minTurnaroundMs} ms, additional BOFs ${p.additionalBofs}, link disconnect ${p.linkDisconnectMs / 1000} s.`, '')
  }
  out.push(`**${summaryLine(r)}**`, '', '| Verdict | Case | 1995 | What | Why |', '|---|---|---|---|---|')
  for (const c of r.results) out.push(`| ${c.verdict} | \`${c.id}\` | ${c.legacy ?? ''} | ${c.title.replace(/\|/g, '\\|')} | ${(c.reasons[0] ?? '').replace(/\|/g, '\\|')} |`)
  for (const c of r.results.filter(x => x.verdict === 'FAIL' || x.verdict === 'NONSTRICT' || x.verdict === 'INCONC' || x.verdict === 'ERROR')) {
    out.push('', `### ${c.verdict} \`${c.id}\``, '', `${c.title}. Clause: ${c.clause}${c.legacy !== undefined ? `; 1995 guideline ${c.legacy}` : ''}.`, '')
    for (const why of c.reasons) out.push(`- ${why}`)
    out.push('', '```', ...formatTrace(c.trace.slice(0, 60)), ...(c.trace.length > 60 ? [`... ${c.trace.length - 60} more lines`] : []), '```')
  }
  return out.join('\n') + '\n'
}
