/*!
 * @irdakit/irsock/winsock: the Winsock names an IrSock program uses, with their numeric values
 * (winsock2.h; WSABASEERR 10000 + n). Only values; the functions live in `createIrSock`.
 */

/** Base of the WSA error numbers. */
export const WSABASEERR = 10000

/** Every WSA error code IrSock calls are documented to return, by name. */
export const WSAEINTR = 10004
export const WSAEACCES = 10013
export const WSAEFAULT = 10014
export const WSAEINVAL = 10022
export const WSAEMFILE = 10024
export const WSAEWOULDBLOCK = 10035
export const WSAEINPROGRESS = 10036
export const WSAEALREADY = 10037
export const WSAENOTSOCK = 10038
export const WSAEMSGSIZE = 10040
export const WSAEPROTOTYPE = 10041
export const WSAENOPROTOOPT = 10042
export const WSAEPROTONOSUPPORT = 10043
export const WSAESOCKTNOSUPPORT = 10044
export const WSAEOPNOTSUPP = 10045
export const WSAEAFNOSUPPORT = 10047
export const WSAEADDRINUSE = 10048
export const WSAEADDRNOTAVAIL = 10049
/** Never returned by irdakit (Windows CE: "WSAENETDOWN is not supported"); listed for completeness. */
export const WSAENETDOWN = 10050
export const WSAENETUNREACH = 10051
export const WSAENETRESET = 10052
export const WSAECONNABORTED = 10053
export const WSAECONNRESET = 10054
export const WSAENOBUFS = 10055
export const WSAEISCONN = 10056
export const WSAENOTCONN = 10057
export const WSAESHUTDOWN = 10058
export const WSAETIMEDOUT = 10060
export const WSAECONNREFUSED = 10061
export const WSAEHOSTUNREACH = 10065
export const WSAEPROCLIM = 10067
export const WSASYSNOTREADY = 10091
export const WSAVERNOTSUPPORTED = 10092
export const WSANOTINITIALISED = 10093
export const WSAEINVALIDPROCTABLE = 10104
export const WSAEINVALIDPROVIDER = 10105
export const WSAEPROVIDERFAILEDINIT = 10106

/** Name of a WSA error number (for messages), e.g. 10061 -> 'WSAECONNREFUSED'. */
export const WSA_ERROR_NAMES: Readonly<Record<number, string>> = Object.freeze({
  10004: 'WSAEINTR', 10013: 'WSAEACCES', 10014: 'WSAEFAULT', 10022: 'WSAEINVAL', 10024: 'WSAEMFILE',
  10035: 'WSAEWOULDBLOCK', 10036: 'WSAEINPROGRESS', 10037: 'WSAEALREADY', 10038: 'WSAENOTSOCK',
  10040: 'WSAEMSGSIZE', 10041: 'WSAEPROTOTYPE', 10042: 'WSAENOPROTOOPT', 10043: 'WSAEPROTONOSUPPORT',
  10044: 'WSAESOCKTNOSUPPORT', 10045: 'WSAEOPNOTSUPP', 10047: 'WSAEAFNOSUPPORT', 10048: 'WSAEADDRINUSE',
  10049: 'WSAEADDRNOTAVAIL', 10050: 'WSAENETDOWN', 10051: 'WSAENETUNREACH', 10052: 'WSAENETRESET',
  10053: 'WSAECONNABORTED', 10054: 'WSAECONNRESET', 10055: 'WSAENOBUFS', 10056: 'WSAEISCONN',
  10057: 'WSAENOTCONN', 10058: 'WSAESHUTDOWN', 10060: 'WSAETIMEDOUT', 10061: 'WSAECONNREFUSED',
  10065: 'WSAEHOSTUNREACH', 10067: 'WSAEPROCLIM', 10091: 'WSASYSNOTREADY', 10092: 'WSAVERNOTSUPPORTED',
  10093: 'WSANOTINITIALISED', 10104: 'WSAEINVALIDPROCTABLE', 10105: 'WSAEINVALIDPROVIDER',
  10106: 'WSAEPROVIDERFAILEDINIT',
})

/** What failing calls return. */
export const SOCKET_ERROR = -1
/**
 * What a failing `socket`/`accept` returns: `(SOCKET)(~0)`. SOCKET is 32 bits wide on Windows CE
 * (and the handle values irdakit gives out fit 32 bits), so this is 0xFFFFFFFF.
 */
export const INVALID_SOCKET = 0xFFFFFFFF
/** listen backlog "let the provider choose" (winsock2.h). */
export const SOMAXCONN = 0x7FFFFFFF

export const SOCK_STREAM = 1
export const SOCK_DGRAM = 2
export const SOCK_RAW = 3
export const SOCK_RDM = 4
export const SOCK_SEQPACKET = 5

/** shutdown `how`. */
export const SD_RECEIVE = 0
export const SD_SEND = 1
export const SD_BOTH = 2

/** send/recv flags. */
export const MSG_OOB = 0x1
export const MSG_PEEK = 0x2
/** send: the provider may ignore it (irdakit does). */
export const MSG_DONTROUTE = 0x4
/** recv: wait for the whole buffer (irdakit does not implement it: WSAEOPNOTSUPP). */
export const MSG_WAITALL = 0x8

/** ioctlsocket commands: _IOW('f',126,u_long) and _IOR('f',127,u_long). */
export const FIONBIO = 0x8004667E
export const FIONREAD = 0x4004667F

export const SOL_SOCKET = 0xFFFF
/** SO_LINGER takes a LINGER {u_short l_onoff; u_short l_linger} (4 bytes); SO_DONTLINGER a BOOL = ~SO_LINGER. */
export const SO_LINGER = 0x0080
/** `(u_int)(~SO_LINGER)`; passed through an `int` optname it reads -129, which irsock accepts too. */
export const SO_DONTLINGER = 0xFFFFFF7F
/** Size of LINGER. */
export const LINGER_SIZE = 4

/** Winsock 2.2 as a WORD (major in the low byte), for WSAStartup. */
export const WINSOCK_VERSION = 0x0202
