/*! @irdakit/conformance: IrDA conformance suite: a scripted tester station drives a target stack or device. */
export { CATALOGUE } from './cases/index.js'
export type { CaseDef, CaseContext, Layer, Role, CaseType, Need, TargetControl } from './case.js'
export { runSuite, selectCases, type Report, type CaseResult, type RunOptions } from './runner.js'
export { openTarget, loopbackTarget, TargetError, LOOPBACK_ADDRESS, ECHO_CLASS, type Target, type TargetOptions } from './target.js'
export { sanityProbe, classify, fromQos, ProbeError, type Profile } from './profile.js'
export { TesterStation, type Received } from './station.js'
export { PrimaryLink, TESTER_ADDRESS, testerQos, xidCommand } from './link.js'
export { VERDICTS, worse, formatTrace, CaseVerdict, NoResponse, type Verdict, type TraceLine } from './verdict.js'
