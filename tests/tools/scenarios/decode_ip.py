"""IPv6 extension headers and IPv4/IPv6 fragmentation for the decoder and the defragmenter.

decode_ipv6_ext.pcap   hop-by-hop, routing, destination options, no-next-header, atomic fragment,
                       truncated extension chain, payload length past the frame
decode_ipv4_frags.pcap in order, out of order, overlapping (first copy wins), duplicated,
                       never completed (times out), DF-free tiny datagram
decode_ipv6_frags.pcap in order, out of order, duplicated, hop-by-hop before the fragment header,
                       never completed
"""
import os

from pcapgen import (ACK, ETH_IPV6, LINKTYPE_ETHERNET, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, PSH, SYN, DecodeExpect,
                     ether, icmp_echo, ipv4, ipv4_fragments, ipv6, ipv6_ext, ipv6_frag_header, ipv6_fragments,
                     tcp, udp)

C4, S4 = "203.0.113.5", "198.18.0.9"
C6, S6 = "2001:db8:c::5", "2001:db8:d::9"


def e6(ip):
    return ether(ip, ETH_IPV6)


def pattern(n, seed):
    return bytes((i * 7 + seed) & 0xFF for i in range(n))


def build_ipv6_ext(outdir):
    e = DecodeExpect()
    seg = tcp(C6, S6, 45000, 443, 1, 0, SYN)
    e.add(e6(ipv6(C6, S6, 0, seg, ext=ipv6_ext(PROTO_TCP))), "tcp", (6, C6, 45000, S6, 443, 0))
    dg = udp(C6, S6, 45001, 53, b"ext chain")
    chain = ipv6_ext(43, b"\0" * 6) + ipv6_ext(60, b"\0" * 14) + ipv6_ext(PROTO_UDP, b"\0" * 6)
    e.add(e6(ipv6(C6, S6, 0, dg, ext=chain)), "udp", (17, C6, 45001, S6, 53, 0))
    ping = icmp_echo(9, 1, b"opts", v6=True, src=C6, dst=S6)
    e.add(e6(ipv6(C6, S6, 60, ping, ext=ipv6_ext(PROTO_ICMPV6))), "icmp", (58, C6, 0, S6, 0, 0))
    e.add(e6(ipv6(C6, S6, 59, b"")), "other", (59, C6, 0, S6, 0, 0))
    # Atomic fragment (offset 0, M=0): decoded as a whole packet.
    seg2 = tcp(C6, S6, 45002, 80, 1, 0, PSH | ACK, b"atomic")
    e.add(e6(ipv6(C6, S6, 44, ipv6_frag_header(PROTO_TCP, 0, False, 77) + seg2)), "tcp", (6, C6, 45002, S6, 80, 0))
    # Hop-by-hop claiming 16 bytes where only 8 exist.
    e.add(e6(ipv6(C6, S6, 0, b"\x06\x01" + b"\0" * 6)), "anomaly:ipv6_ext_truncated")
    # Payload length larger than what was on the wire.
    full = e6(ipv6(C6, S6, PROTO_UDP, udp(C6, S6, 1, 2, b"x" * 40)))
    e.add(full[:-20], "anomaly:ipv6_bad_length")
    e.write_pcap(os.path.join(outdir, "decode_ipv6_ext.pcap"), LINKTYPE_ETHERNET)


def build_ipv4_frags(outdir):
    e = DecodeExpect()
    # 1. UDP, three fragments in order.
    dg = udp(C4, S4, 46000, 5000, pattern(3000, 1))
    fl = (17, C4, 46000, S4, 5000, 0)
    fr = ipv4_fragments(C4, S4, PROTO_UDP, dg, 1480, ident=0x1001)
    for i, f in enumerate(fr):
        e.add(ether(f), "frag", fl, completes="udp" if i == len(fr) - 1 else None)
    # 2. TCP, three fragments out of order (last, first, middle).
    seg = tcp(C4, S4, 46001, 80, 1, 1, PSH | ACK, pattern(2000, 2))
    fl = (6, C4, 46001, S4, 80, 0)
    fr = ipv4_fragments(C4, S4, PROTO_TCP, seg, 800, ident=0x1002)
    for i, f in enumerate([fr[2], fr[0], fr[1]]):
        e.add(ether(f), "frag", fl, completes="tcp" if i == 2 else None)
    # 3. Overlap: a forged middle fragment arrives before the real one; the first copy wins.
    dg = udp(C4, S4, 46002, 5001, b"A" * 8 + b"B" * 16 + b"C" * 16)  # 48 bytes: 3 fragments of 16
    fl = (17, C4, 46002, S4, 5001, 0)
    fr = ipv4_fragments(C4, S4, PROTO_UDP, dg, 16, ident=0x1003)
    forged = ipv4(C4, S4, PROTO_UDP, b"E" * 16, ident=0x1003, flags_frag=0x2000 | 2)
    e.add(ether(fr[0]), "frag", fl)
    e.add(ether(forged), "frag", fl)
    e.add(ether(fr[1]), "frag", fl, overlap=True)
    e.add(ether(fr[2]), "frag", fl, completes="udp")
    # 4. Duplicated first fragment.
    dg = udp(C4, S4, 46003, 5002, pattern(100, 3))
    fl = (17, C4, 46003, S4, 5002, 0)
    fr = ipv4_fragments(C4, S4, PROTO_UDP, dg, 56, ident=0x1004)
    e.add(ether(fr[0]), "frag", fl)
    e.add(ether(fr[0]), "frag", fl, overlap=True)
    e.add(ether(fr[1]), "frag", fl, completes="udp")
    # 5. Never completed: the last fragment never comes (dropped at the timeout).
    dg = udp(C4, S4, 46004, 5003, pattern(200, 4))
    fr = ipv4_fragments(C4, S4, PROTO_UDP, dg, 64, ident=0x1005)
    for f in fr[:-1]:
        e.add(ether(f), "frag")
    e.defrag["timeouts"] += 1
    # 6. ICMP echo in two fragments; then an ordinary packet of the same hosts.
    ping = icmp_echo(3, 1, pattern(1600, 5))
    fl = (1, C4, 0, S4, 0, 0)
    fr = ipv4_fragments(C4, S4, 1, ping, 1480, ident=0x1006)
    e.add(ether(fr[0]), "frag", fl)
    e.add(ether(fr[1]), "frag", fl, completes="icmp")
    e.add(ether(ipv4(C4, S4, 1, icmp_echo(3, 2, b"small"))), "icmp", fl)
    e.write_pcap(os.path.join(outdir, "decode_ipv4_frags.pcap"), LINKTYPE_ETHERNET)


def build_ipv6_frags(outdir):
    e = DecodeExpect()
    dg = udp(C6, S6, 47000, 6000, pattern(3000, 6))
    fl = (17, C6, 47000, S6, 6000, 0)
    fr = ipv6_fragments(C6, S6, PROTO_UDP, dg, 1232, ident=0x2001)
    for i, f in enumerate(fr):
        e.add(e6(f), "frag", fl, completes="udp" if i == len(fr) - 1 else None)
    ping = icmp_echo(4, 1, pattern(2000, 7), v6=True, src=C6, dst=S6)
    fl = (58, C6, 0, S6, 0, 0)
    fr = ipv6_fragments(C6, S6, PROTO_ICMPV6, ping, 1024, ident=0x2002)
    e.add(e6(fr[1]), "frag", fl)
    e.add(e6(fr[0]), "frag", fl, completes="icmp")
    seg = tcp(C6, S6, 47001, 443, 1, 1, PSH | ACK, pattern(600, 8))
    fl = (6, C6, 47001, S6, 443, 0)
    fr = ipv6_fragments(C6, S6, PROTO_TCP, seg, 320, ident=0x2003)
    assert len(fr) == 2
    e.add(e6(fr[0]), "frag", fl)
    e.add(e6(fr[0]), "frag", fl, overlap=True)
    e.add(e6(fr[1]), "frag", fl, completes="tcp")
    # Hop-by-hop (unfragmentable part) before the fragment header.
    dg = udp(C6, S6, 47002, 6001, pattern(500, 9))
    fl = (17, C6, 47002, S6, 6001, 0)
    fr = ipv6_fragments(C6, S6, PROTO_UDP, dg, 256, ident=0x2004, ext_before=ipv6_ext(44), first_nh=0)
    e.add(e6(fr[0]), "frag", fl)
    e.add(e6(fr[1]), "frag", fl, completes="udp")
    # Never completed.
    dg = udp(C6, S6, 47003, 6002, pattern(500, 10))
    fr = ipv6_fragments(C6, S6, PROTO_UDP, dg, 256, ident=0x2005)
    e.add(e6(fr[0]), "frag")
    e.defrag["timeouts"] += 1
    e.write_pcap(os.path.join(outdir, "decode_ipv6_frags.pcap"), LINKTYPE_ETHERNET)


def build(outdir):
    build_ipv6_ext(outdir)
    build_ipv4_frags(outdir)
    build_ipv6_frags(outdir)
