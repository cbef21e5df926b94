/*! @irdakit/stack: One host's IrDA stack: composes IrLAP, IrLMP, IAS and TinyTP over a Port. */
export {}
