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

    def add_ns(self, ts_ns, frame, wire_len=None):
        """Exact integer timestamp in nanoseconds (floats cannot hold ns at today's epoch)."""
        wire = len(frame) if wire_len is None else wire_len
        data = frame[: self.snaplen]
        sec, ns = divmod(ts_ns, 1_000_000_000)
        frac = ns if self.nanos else ns // 1000
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

    def add_ns(self, iface, ts_ns, frame, wire_len=None):
        """Exact integer timestamp in nanoseconds, converted to the interface's resolution."""
        _, snaplen, tsresol = self.ifaces[iface]
        data = frame[:snaplen]
        units = ts_ns * (10 ** tsresol) // 1_000_000_000
        body = struct.pack("<IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data),
                           len(frame) if wire_len is None else wire_len) + data
        self._block(0x00000006, body)

    def add_idb_late(self, linktype, snaplen=262144, tsresol=6):
        """An Interface Description Block written after packets (same as add_interface)."""
        return self.add_interface(linktype, snaplen, tsresol)

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


# ---------------------------------------------------------------------------------------------
# Link layers, L2.5 and tunnels (added for the decoder's captures).

LINKTYPE_LOOP = 108
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229

ETH_MPLS = 0x8847
ETH_PPPOE_SESSION = 0x8864
ETH_ARP = 0x0806
ETH_TEB = 0x6558
ETH_ERSPAN2 = 0x88BE
ETH_ERSPAN3 = 0x22EB

PROTO_ICMP = 1
PROTO_IPIP = 4
PROTO_IPV6 = 41
PROTO_ICMPV6 = 58


def ethertype_of(ip):
    return ETH_IPV6 if ip[0] >> 4 == 6 else ETH_IPV4


def sll(payload, proto=None, pkttype=0, src=1):
    """Linux cooked v1 header (16 bytes)."""
    proto = ethertype_of(payload) if proto is None else proto
    return struct.pack("!HHH8sH", pkttype, 1, 6, mac(src) + b"\0\0", proto) + payload


def sll2(payload, proto=None, ifindex=2, pkttype=0, src=1):
    """Linux cooked v2 header (20 bytes)."""
    proto = ethertype_of(payload) if proto is None else proto
    return struct.pack("!HHIHBB8s", proto, 0, ifindex, 1, pkttype, 6, mac(src) + b"\0\0") + payload


def null_loop(payload, big_endian=False, family=None):
    """BSD loopback: 4-byte address family (AF_INET 2, AF_INET6 24 on BSD) in the writer's order."""
    if family is None:
        family = 24 if payload[0] >> 4 == 6 else 2
    return struct.pack(">I" if big_endian else "<I", family) + payload


def mpls(payload, labels, ttl=64):
    """MPLS label stack (outermost first); bottom-of-stack set on the last label."""
    out = b""
    for i, label in enumerate(labels):
        bos = 1 if i == len(labels) - 1 else 0
        out += struct.pack("!I", (label << 12) | (bos << 8) | ttl)
    return out + payload


def pppoe_session(ip, session=0x1234):
    """PPPoE session header + PPP protocol (0x0021 IPv4 / 0x0057 IPv6); use with ETH_PPPOE_SESSION."""
    ppp_proto = 0x0057 if ip[0] >> 4 == 6 else 0x0021
    return struct.pack("!BBHHH", 0x11, 0, session, len(ip) + 2, ppp_proto) + ip


def gre(payload, proto, key=None, seq=None, csum=False):
    flags = 0
    opt = b""
    if csum:
        flags |= 0x8000
    if key is not None:
        flags |= 0x2000
    if seq is not None:
        flags |= 0x1000
    hdr_wo = struct.pack("!HH", flags, proto)
    if csum:
        opt += b"\0\0\0\0"
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    out = hdr_wo + opt + payload
    if csum:
        c = checksum(out)
        out = out[:4] + struct.pack("!HH", c, 0) + out[8:]
    return out


def erspan2(frame, seq, session=7, vlan=0, index=0):
    """GRE (with sequence number) + ERSPAN type II header + mirrored Ethernet frame."""
    hdr = struct.pack("!HHI", (1 << 12) | (vlan & 0xFFF), session & 0x3FF, index & 0xFFFFF)
    return gre(hdr + frame, ETH_ERSPAN2, seq=seq)


def erspan1(frame):
    """ERSPAN type I: GRE 0x88BE without sequence number and without ERSPAN header."""
    return gre(frame, ETH_ERSPAN2)


def erspan3(frame, seq, session=9, timestamp=0, frame_type=0, subheader=False):
    """GRE + ERSPAN type III header (+ optional 8-byte platform sub-header) + frame."""
    word3 = (0 << 16) | (frame_type << 10) | (1 if subheader else 0)
    hdr = struct.pack("!HHII", (2 << 12), session & 0x3FF, timestamp, word3)
    if subheader:
        hdr += struct.pack("!II", (3 << 26), 0)
    return gre(hdr + frame, ETH_ERSPAN3, seq=seq)


def vxlan(frame, vni):
    """VXLAN header (I flag) + inner Ethernet frame; carry it in UDP to port 4789."""
    return struct.pack("!BBHI", 0x08, 0, 0, vni << 8) + frame


def ipv6_ext(next_header, body=b"\0" * 6):
    """A generic 8n-byte extension header (hop-by-hop, routing, destination options)."""
    assert (len(body) + 2) % 8 == 0
    return struct.pack("!BB", next_header, (len(body) + 2) // 8 - 1) + body


def ipv6_frag_header(next_header, offset, more, ident):
    return struct.pack("!BBHI", next_header, 0, (offset & 0xFFF8) | (1 if more else 0), ident)


def ipv6_fragments(src, dst, proto, l4, frag_size, ident, ext_before=b"", first_nh=None):
    """IPv6 fragments of an L4 payload. `ext_before` are unfragmentable headers placed before the
    Fragment header (their first type in `first_nh`); they must end with next header = 44."""
    assert frag_size % 8 == 0
    out = []
    for off in range(0, len(l4), frag_size):
        more = off + frag_size < len(l4)
        fh = ipv6_frag_header(proto, off, more, ident)
        nh = 44 if not ext_before else first_nh
        out.append(ipv6(src, dst, nh, fh + l4[off:off + frag_size], ext=ext_before))
    return out


def icmp_echo(ident, seq, data=b"", v6=False, src=None, dst=None):
    t = 128 if v6 else 8
    hdr = struct.pack("!BBHHH", t, 0, 0, ident, seq)
    if v6:
        c = checksum(_pseudo(src, dst, PROTO_ICMPV6, len(hdr) + len(data)) + hdr + data)
    else:
        c = checksum(hdr + data)
    return hdr[:2] + struct.pack("!H", c) + hdr[4:] + data


def arp_request(sender_ip, target_ip, src=1):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac(src), _addr(sender_ip), b"\0" * 6, _addr(target_ip))


class DecodeExpect:
    """Frames plus what Vigie's decoder must report for them, written as a pcap and a JSON sidecar.

    kind: "tcp" | "udp" | "icmp" | "other" (decoded to L4), "frag" (an IP fragment),
    "not_ip", or "anomaly:<reason>". `flow` = (proto, src, sport, dst, dport, vlan) of the packet
    as decoded (innermost, directional); for fragments give the datagram's flow on every
    fragment (bytes add up) and `completes=<l4 kind>` on the fragment that completes it.
    """

    def __init__(self, t0=1700000000.0, dt=0.001):
        self.records = []
        self.t = t0
        self.dt = dt
        self.counts = {"tcp": 0, "udp": 0, "icmp": 0, "other": 0, "fragments": 0, "not_ip": 0}
        self.anomalies = {}
        self.defrag = {"datagrams": 0, "overlaps": 0, "timeouts": 0}
        self.flows = {}

    def add(self, frame, kind, flow=None, ts=None, wire_len=None, iface=0, completes=None, overlap=False, ts_ns=None):
        ts = self.t if ts is None else ts
        self.t = ts + self.dt
        if ts_ns is None:
            ts_ns = int(round(ts * 1e6)) * 1000
        wire = len(frame) if wire_len is None else wire_len
        self.records.append((ts_ns, frame, wire, iface))
        counted = True
        if kind.startswith("anomaly:"):
            r = kind.split(":", 1)[1]
            self.anomalies[r] = self.anomalies.get(r, 0) + 1
            counted = False
        elif kind == "frag":
            self.counts["fragments"] += 1
            if overlap:
                self.defrag["overlaps"] += 1
            if completes:
                self.defrag["datagrams"] += 1
                self.counts[completes] += 1
            counted = completes is not None
        else:
            self.counts[kind] += 1
            counted = kind != "not_ip"
        if flow is not None:
            k = "%d %s %d %s %d %d" % flow
            f = self.flows.setdefault(k, [0, 0])
            f[1] += wire
            if counted:
                f[0] += 1

    def sidecar(self):
        return {
            "packets": len(self.records),
            "decode": self.counts,
            "anomalies": self.anomalies,
            "defrag": self.defrag,
            "timestamps_ns": [r[0] for r in self.records],
            "flows": [
                dict(zip(("proto", "src", "sport", "dst", "dport", "vlan"), _flow_fields(k)), packets=v[0], bytes=v[1])
                for k, v in sorted(self.flows.items())
            ],
        }

    def write_pcap(self, path, linktype, **kw):
        import json
        with PcapWriter(path, linktype=linktype, **kw) as w:
            for ts_ns, frame, wire, _ in self.records:
                w.add_ns(ts_ns, frame, wire_len=wire)
        side = self.sidecar()
        side["linktype"] = linktype
        self._write_sidecar(path, side)

    def write_pcapng(self, path, ifaces):
        """ifaces: list of (linktype, snaplen, tsresol); records' iface index selects one."""
        w = PcapngWriter(path)
        for lt, snap, res in ifaces:
            w.add_interface(lt, snap, res)
        for ts_ns, frame, wire, iface in self.records:
            w.add_ns(iface, ts_ns, frame, wire_len=wire)
        w.close()
        side = self.sidecar()
        side["linktype"] = ifaces[0][0]
        self._write_sidecar(path, side)

    @staticmethod
    def _write_sidecar(path, side):
        import json
        with open(path + ".json", "w") as f:
            json.dump(side, f, indent=1, sort_keys=True)
            f.write("\n")


def _flow_fields(k):
    p = k.split(" ")
    return int(p[0]), p[1], int(p[2]), p[3], int(p[4]), int(p[5])


# ---------------------------------------------------------------------------------------------
# TCP segment scripts (added for the reassembly captures).

def sha256_hex(data):
    import hashlib
    return hashlib.sha256(bytes(data)).hexdigest()


class SegmentScript:
    """Sends one direction's bytes of a TcpConversation as explicit segments, in any order.

    `seg(off, length)` emits the bytes [off, off+length) of `data` (offsets count from the
    direction's next sequence number when the script was created); `override` replaces the
    bytes (a conflicting retransmission). Offsets never emitted are capture loss. `finish()`
    advances the conversation past the data and records it in conv.sent[d].
    """

    def __init__(self, conv, d, data):
        self.conv, self.d, self.data = conv, d, bytes(data)
        self.base = conv.seq[d]

    def seg(self, off, length, override=None, flags=PSH | ACK):
        payload = self.data[off:off + length] if override is None else bytes(override)
        self.conv.frame(self.d, flags, payload, seq=(self.base + off) & 0xFFFFFFFF)

    def finish(self):
        self.conv.seq[self.d] = (self.base + len(self.data)) & 0xFFFFFFFF
        self.conv.sent[self.d] += self.data


def write_frames(path, frames, snaplen=262144):
    """Writes (ts, frame, wire_len) tuples sorted by nothing: capture order is list order."""
    with PcapWriter(path, snaplen=snaplen) as w:
        for ts, fr, wire in frames:
            w.add(ts, fr, wire_len=wire)


def write_conversations(path, conversations, linktype=LINKTYPE_ETHERNET):
    """Writes the frames of several TcpConversations to one classic pcap, ordered by time
    (stable for equal timestamps), so interleaved sessions replay as they were built."""
    frames = []
    for n, conv in enumerate(conversations):
        for i, (ts, fr, wire) in enumerate(conv.frames):
            frames.append((ts, n, i, fr, wire))
    frames.sort(key=lambda f: (f[0], f[1], f[2]))
    with PcapWriter(path, linktype=linktype) as w:
        for ts, _, _, fr, wire in frames:
            w.add(ts, fr, wire)


def tls_client_hello(sni):
    """A minimal TLS 1.2 record carrying a ClientHello with one cipher suite and an SNI."""
    name = sni.encode()
    ext = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + struct.pack("!H", len(ext)) + ext
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def dns_name(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00"


def dns_query(qid, name, qtype=1):
    """A DNS query message (RD set) for `name`."""
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1)


def dns_answer_a(qid, name, addr=b"\xc6\x33\x64\x07"):
    """The response to dns_query(qid, name): one A record (compression pointer to the question)."""
    return (struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + dns_name(name) + struct.pack("!HH", 1, 1)
            + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + addr)
