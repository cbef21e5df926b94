/*! @irdakit/conformance: IrDA conformance suite: a scripted tester station drives a target stack or device. */
export {}
