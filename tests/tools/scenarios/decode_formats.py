"""Capture file formats: big-endian and nanosecond classic pcap, pcapng with two interfaces
(µs and ns resolution), pcapng whose second interface has another link type (libpcap 1.10
refuses it), and a pcap whose last record is truncated."""
import os

from pcapgen import (ACK, LINKTYPE_ETHERNET, LINKTYPE_RAW, PROTO_TCP, PROTO_UDP, PSH, SYN, DecodeExpect, PcapWriter,
                     ether, ip_packet, tcp, udp)

C, S = "192.0.2.77", "198.51.100.88"
T0 = 1_700_000_000_123_456_789  # ns


def tcp_frame(i, payload=b""):
    return ether(ip_packet(C, S, PROTO_TCP, tcp(C, S, 48000, 80, 1 + i, 1, PSH | ACK if payload else SYN, payload)))


def conversation(e, nanos):
    for i in range(4):
        ts = T0 + i * 1_000_001 if nanos else (T0 // 1000 + i * 1001) * 1000
        e.add(tcp_frame(i, b"data%d" % i if i else b""), "tcp", (6, C, 48000, S, 80, 0), ts_ns=ts)


def build(outdir):
    for name, be, ns in (("decode_be_usec.pcap", True, False), ("decode_le_nsec.pcap", False, True),
                         ("decode_be_nsec.pcap", True, True)):
        e = DecodeExpect()
        conversation(e, ns)
        e.write_pcap(os.path.join(outdir, name), LINKTYPE_ETHERNET, big_endian=be, nanos=ns)

    # Two Ethernet interfaces: if0 microseconds, if1 nanoseconds.
    e = DecodeExpect()
    for i in range(6):
        iface = i % 2
        ts = T0 + i * 333_333_333 if iface else (T0 // 1000 + i * 1000) * 1000
        fr = ether(ip_packet(C, S, PROTO_UDP, udp(C, S, 48100 + iface, 53, b"if%d" % iface)))
        e.add(fr, "udp", (17, C, 48100 + iface, S, 53, 0), ts_ns=ts, iface=iface)
    e.write_pcapng(os.path.join(outdir, "decode_multi_iface.pcapng"), [(LINKTYPE_ETHERNET, 262144, 6),
                                                                      (LINKTYPE_ETHERNET, 262144, 9)])

    # Ethernet then raw IP: libpcap 1.10 stops at the second IDB. Written by hand so the second
    # IDB comes after two packets (those two are what a libpcap reader delivers).
    from pcapgen import PcapngWriter
    w = PcapngWriter(os.path.join(outdir, "decode_multi_linktype.pcapng"))
    w.add_interface(LINKTYPE_ETHERNET)
    w.add_ns(0, T0, tcp_frame(0))
    w.add_ns(0, T0 + 1000, tcp_frame(1, b"x"))
    w.add_idb_late(LINKTYPE_RAW)
    w.add_ns(1, T0 + 2000, ip_packet(C, S, PROTO_UDP, udp(C, S, 1, 2, b"raw")))
    w.add_ns(0, T0 + 3000, tcp_frame(2, b"y"))
    w.close()

    # Truncated last record: three whole records, then a fourth cut 10 bytes short.
    path = os.path.join(outdir, "decode_truncated.pcap")
    with PcapWriter(path) as w:
        for i in range(4):
            w.add_ns(T0 + i * 1000, tcp_frame(i, b"z" * 20))
    with open(path, "r+b") as f:
        f.seek(0, 2)
        f.truncate(f.tell() - 10)
