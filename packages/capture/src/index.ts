/*! @irdakit/capture: pcap writer and reader for LINKTYPE_LINUX_IRDA (144) and a layered frame decoder. */
export {}
