/*! The frame-level tester: play one IrLAP station from a script of exact frames at exact virtual times. */
export { FrameTester, TesterError, matchValue, matchFrame, type SeenFrame, type SeenEvent, type FramePattern, type TesterOptions } from './tester.js'
export { runScript, type ScriptStep } from './script.js'
export { stationTarget, type LapTarget } from './target.js'
export { describeFrame, describeBytes } from './describe.js'
