/*! @irdakit/phy: IrPHY framing: SIR wrapping with FCS-16, MIR/FIR frame checks, speed and timing tables. */
export {}
