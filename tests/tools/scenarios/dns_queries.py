"""DNS captures for the DNS decoder (sensor/app/dns).

  dns_udp_queries.pcap  one client and its resolver over UDP: ordinary lookups (A, AAAA, MX)
                        answered NOERROR with compressed answers, then 40 tunnel-like queries
                        (32 hex chars of encoded data under t.exfil-example.net, TXT) answered
                        NXDOMAIN
  dns_tcp_multi.pcap    DNS over TCP: three length-prefixed queries in one segment, then a query
                        whose length prefix is split across two segments, and the responses
                        (several per segment)

Sidecars list every query name (lower-case, no trailing dot) in order, with its qtype.
"""
import hashlib
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402

T0 = 1706176800.0  # 2024-01-25T10:00:00Z
CLIENT = "10.30.0.53"
RESOLVER = "10.30.0.1"


def sidecar(path, **kw):
    with open(path + ".json", "w") as f:
        json.dump(kw, f, indent=2, sort_keys=True)
        f.write("\n")


def qname(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qid, name, qtype):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)


def response(qid, name, qtype, rcode=0, answers=()):
    """answers: rdata bytes; owner names compressed as a pointer to the question (0xC00C)."""
    flags = 0x8180 | rcode
    msg = struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)
    for rdata in answers:
        msg += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(rdata)) + rdata
    return msg


def udp_frame(src, dst, sport, dport, payload):
    return pcapgen.ether(pcapgen.ip_packet(src, dst, pcapgen.PROTO_UDP, pcapgen.udp(src, dst, sport, dport, payload)))


def udp_queries(outdir):
    lookups = [("www.example.fr", 1, [bytes([192, 0, 2, 10])]),
               ("www.example.fr", 28, [bytes(15) + b"\x01"]),
               ("example.fr", 15, [struct.pack("!H", 10) + b"\x02mx\xc0\x0c"]),
               ("api.france-travail.example", 1, [bytes([203, 0, 113, 50]), bytes([203, 0, 113, 51])])]
    tunnel = []
    for i in range(40):
        chunk = hashlib.sha256(b"secret-%d" % i).hexdigest()[:32]
        tunnel.append(("%s.%d.t.exfil-example.net" % (chunk, i), 16, []))
    frames, names, t = [], [], T0
    for i, (name, qtype, answers) in enumerate(lookups + tunnel):
        sport = 33000 + i
        frames.append((t, udp_frame(CLIENT, RESOLVER, sport, 53, query(0x1000 + i, name, qtype)), None))
        rcode = 0 if answers else 3
        frames.append((t + 0.002, udp_frame(RESOLVER, CLIENT, 53, sport,
                                            response(0x1000 + i, name, qtype, rcode, answers)), None))
        names.append([name, qtype])
        t += 0.05
    path = os.path.join(outdir, "dns_udp_queries.pcap")
    pcapgen.write_frames(path, [(ts, fr, len(fr)) for ts, fr, _ in frames])
    sidecar(path, description="DNS over UDP: 4 lookups + 40 tunnel-like TXT queries (NXDOMAIN)",
            client_ips=[CLIENT], resolver=RESOLVER, queries=names,
            responses={"noerror": len(lookups), "nxdomain": len(tunnel)}, tunnel_queries=len(tunnel))


def tcp_multi(outdir):
    names = [("a.example.fr", 1), ("b.example.fr", 28), ("c.example.fr", 16), ("d." + "x" * 50 + ".example.fr", 1)]
    msgs = [query(0x2000 + i, n, q) for i, (n, q) in enumerate(names)]
    framed = [struct.pack("!H", len(m)) + m for m in msgs]
    c = pcapgen.TcpConversation(CLIENT, RESOLVER, 40053, 53, t0=T0 + 10)
    c.handshake()
    c.send(0, b"".join(framed[:3]))
    c.send(0, framed[3][:1])  # the length prefix split across segments
    c.send(0, framed[3][1:])
    resp = [struct.pack("!H", len(r)) + r for r in
            (response(0x2000 + i, n, q, 0 if q == 1 else 3, [bytes([192, 0, 2, i])] if q == 1 else [])
             for i, (n, q) in enumerate(names))]
    c.send(1, b"".join(resp), mss=60)
    c.close()
    path = os.path.join(outdir, "dns_tcp_multi.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="DNS over TCP: 3 queries in one segment, a split length prefix, responses over 60-byte segments",
            client_ips=[CLIENT], resolver=RESOLVER, queries=[[n, q] for n, q in names],
            responses={"noerror": 2, "nxdomain": 2})


def build(outdir):
    udp_queries(outdir)
    tcp_multi(outdir)
