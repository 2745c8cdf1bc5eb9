"""Deterministic packet-capture builder for Vigie's test captures.

No third-party modules: frames are assembled with struct, so the bytes depend only on the
inputs (no clock, no randomness unless a seeded random.Random is passed in).

Main pieces:
  PcapWriter / PcapngWriter   write classic pcap (any byte order, us/ns) or pcapng
  ether/vlan/ipv4/ipv6/tcp/udp   header builders returning bytes (checksums filled in)
  TcpConversation              a client/server TCP exchange that yields frames and records
                               what it sent (per-direction payload, packets, wire bytes)
"""
import struct
import ipaddress

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = 0x8100
ETH_QINQ = 0x88A8

PROTO_TCP = 6
PROTO_UDP = 17
PROTO_GRE = 47

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class PcapWriter:
    """Classic pcap. `nanos` selects the nanosecond magic; `big_endian` the byte order."""

    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=262144, nanos=False, big_endian=False):
        self.f = open(path, "wb")
        self.e = ">" if big_endian else "<"
        self.nanos = nanos
        self.snaplen = snaplen
        magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
        self.f.write(struct.pack(self.e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))

    def add(self, ts, frame, wire_len=None):
        """ts in seconds (float or int); frame bytes are cut to snaplen, wire_len kept."""
        wire = len(frame) if wire_len is None else wire_len
        data = frame[: self.snaplen]
        sec = int(ts)
        frac = int(round((ts - sec) * (1e9 if self.nanos else 1e6)))
        self.f.write(struct.pack(self.e + "IIII", sec, frac, len(data), wire))
        self.f.write(data)

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


class PcapngWriter:
    """pcapng with one Section Header Block and any number of interfaces."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.ifaces = []
        shb_body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
        self._block(0x0A0D0D0A, shb_body)

    def _block(self, btype, body):
        pad = (-len(body)) % 4
        total = 12 + len(body) + pad
        self.f.write(struct.pack("<II", btype, total) + body + b"\0" * pad + struct.pack("<I", total))

    def add_interface(self, linktype, snaplen=262144, tsresol=6):
        opts = b""
        if tsresol != 6:
            opts = struct.pack("<HHB", 9, 1, tsresol) + b"\0\0\0" + struct.pack("<HH", 0, 0)
        self._block(0x00000001, struct.pack("<HHI", linktype, 0, snaplen) + opts)
        self.ifaces.append((linktype, snaplen, tsresol))
        return len(self.ifaces) - 1

    def add(self, iface, ts, frame, wire_len=None):
        _, snaplen, tsresol = self.ifaces[iface]
        data = frame[:snaplen]
        units = int(round(ts * (10 ** tsresol)))
        body = struct.pack("<IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data),
                           len(frame) if wire_len is None else wire_len) + data
        self._block(0x00000006, body)

    def close(self):
        self.f.close()


def mac(n):
    return bytes([0x02, 0, 0, 0, (n >> 8) & 0xFF, n & 0xFF])


def ether(payload, ethertype=ETH_IPV4, src=1, dst=2):
    return mac(dst) + mac(src) + struct.pack("!H", ethertype) + payload


def ether_vlan(payload, vids, ethertype=ETH_IPV4, src=1, dst=2, outer_tpid=ETH_VLAN):
    """Ethernet with a stack of VLAN tags (outermost first)."""
    hdr = mac(dst) + mac(src)
    for i, vid in enumerate(vids):
        tpid = outer_tpid if i == 0 else ETH_VLAN
        hdr += struct.pack("!HH", tpid, vid & 0xFFF)
    return hdr + struct.pack("!H", ethertype) + payload


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def _addr(a):
    return ipaddress.ip_address(a).packed


def ipv4(src, dst, proto, payload, ident=0, flags_frag=0, ttl=64, options=b"", total_len=None):
    ihl = 5 + len(options) // 4
    tl = 20 + len(options) + len(payload) if total_len is None else total_len
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tl, ident, flags_frag, ttl, proto, 0, _addr(src), _addr(dst)) + options
    c = checksum(hdr)
    hdr = hdr[:10] + struct.pack("!H", c) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, next_header, payload, hop_limit=64, ext=b""):
    """`ext` is already-encoded extension headers; `next_header` is the first header's type."""
    body = ext + payload
    return struct.pack("!IHBB16s16s", 0x60000000, len(body), next_header, hop_limit, _addr(src), _addr(dst)) + body


def _pseudo(src, dst, proto, length):
    s, d = _addr(src), _addr(dst)
    if len(s) == 4:
        return s + d + struct.pack("!BBH", 0, proto, length)
    return s + d + struct.pack("!IxxxB", length, proto)


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=65535, options=b""):
    off = 5 + len(options) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, window, 0, 0) + options
    c = checksum(_pseudo(src, dst, PROTO_TCP, len(hdr) + len(payload)) + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def udp(src, dst, sport, dport, payload):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = checksum(_pseudo(src, dst, PROTO_UDP, 8 + len(payload)) + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def ip_packet(src, dst, proto, l4, **kw):
    if ":" in src:
        return ipv6(src, dst, proto, l4, **kw)
    return ipv4(src, dst, proto, l4, **kw)


def ipv4_fragments(src, dst, proto, l4, frag_size, ident):
    """Splits an L4 payload into IPv4 fragments of frag_size bytes (multiple of 8)."""
    assert frag_size % 8 == 0
    out = []
    for off in range(0, len(l4), frag_size):
        more = 0x2000 if off + frag_size < len(l4) else 0
        out.append(ipv4(src, dst, proto, l4[off:off + frag_size], ident=ident, flags_frag=more | (off // 8)))
    return out


class TcpConversation:
    """A client/server TCP exchange. Frames are appended to `frames` as (ts, frame, wire_len).

    Records what each direction carried in `sent[0]` (client→server) and `sent[1]`, plus
    packets and wire bytes per direction, so tests can compare Vigie's counts and streams.
    """

    def __init__(self, client, server, cport, sport, t0=1700000000.0, isn_c=1000, isn_s=5000,
                 link=lambda ip: ether(ip, ETH_IPV6 if ip[0] >> 4 == 6 else ETH_IPV4), dt=0.001):
        self.c, self.s, self.cp, self.sp = client, server, cport, sport
        self.t = t0
        self.dt = dt
        self.seq = [isn_c, isn_s]
        self.link = link
        self.frames = []
        self.sent = [bytearray(), bytearray()]
        self.packets = [0, 0]
        self.wire = [0, 0]

    def _ends(self, d):
        return (self.c, self.s, self.cp, self.sp) if d == 0 else (self.s, self.c, self.sp, self.cp)

    def frame(self, d, flags, payload=b"", seq=None, record=True):
        src, dst, sp, dp = self._ends(d)
        s = self.seq[d] if seq is None else seq
        seg = tcp(src, dst, sp, dp, s, self.seq[1 - d], flags, payload)
        fr = self.link(ip_packet(src, dst, PROTO_TCP, seg))
        self.frames.append((self.t, fr, len(fr)))
        self.t += self.dt
        self.packets[d] += 1
        self.wire[d] += len(fr)
        return fr

    def handshake(self):
        self.frame(0, SYN)
        self.seq[0] += 1
        self.frame(1, SYN | ACK)
        self.seq[1] += 1
        self.frame(0, ACK)

    def send(self, d, data, mss=1400):
        for off in range(0, len(data), mss):
            chunk = data[off:off + mss]
            self.frame(d, PSH | ACK, chunk)
            self.seq[d] += len(chunk)
        self.sent[d] += data

    def close(self):
        self.frame(0, FIN | ACK)
        self.seq[0] += 1
        self.frame(1, FIN | ACK)
        self.seq[1] += 1
        self.frame(0, ACK)
