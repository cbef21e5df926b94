/*! @irdakit/ttp: TinyTP 1.1: credit-based flow control and segmentation over IrLMP. */
export {}
