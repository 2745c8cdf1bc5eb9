"""Link layers and L2.5 for the decoder: VLAN, QinQ, MPLS, PPPoE, SLL, SLL2, raw IP, NULL/LOOP.

Each capture has a .json sidecar (expected decoder counts and per-flow packets/bytes).
"""
import os

from pcapgen import (ACK, ETH_ARP, ETH_IPV4, ETH_IPV6, ETH_MPLS, ETH_PPPOE_SESSION, ETH_QINQ, ETH_VLAN,
                     LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
                     LINKTYPE_NULL, LINKTYPE_RAW, PROTO_TCP, PROTO_UDP, PSH, SYN, DecodeExpect, arp_request,
                     ether, ether_vlan, ip_packet, mpls, null_loop, pppoe_session, sll, sll2, tcp, udp, ethertype_of)

C4, S4 = "192.0.2.10", "198.51.100.20"
C6, S6 = "2001:db8::10", "2001:db8:1::20"


def tcp_ip(src, dst, sp, dp, flags, payload=b"", seq=1000, ack=0):
    return ip_packet(src, dst, PROTO_TCP, tcp(src, dst, sp, dp, seq, ack, flags, payload))


def udp_ip(src, dst, sp, dp, payload):
    return ip_packet(src, dst, PROTO_UDP, udp(src, dst, sp, dp, payload))


def flow(proto, src, sp, dst, dp, vlan=0):
    return (proto, src, sp, dst, dp, vlan)


def build_vlan(outdir):
    e = DecodeExpect()
    for i in range(3):
        ip = tcp_ip(C4, S4, 40000, 80, PSH | ACK, b"GET /%d HTTP/1.1\r\n\r\n" % i, seq=1000 + i * 20)
        e.add(ether_vlan(ip, [100]), "tcp", flow(6, C4, 40000, S4, 80, 100))
    # A bare ACK padded to the 60-byte Ethernet minimum: the padding is not payload.
    ack = ether_vlan(tcp_ip(S4, C4, 80, 40000, ACK), [100])
    ack += b"\0" * (60 - len(ack))
    e.add(ack, "tcp", flow(6, S4, 80, C4, 40000, 100))
    e.add(ether_vlan(arp_request(C4, S4), [100], ethertype=ETH_ARP), "not_ip")
    e.add(ether_vlan(udp_ip(C6, S6, 5353, 53, b"q" * 30), [4095], ethertype=ETH_IPV6), "udp",
          flow(17, C6, 5353, S6, 53, 4095))
    # Truncated tag: the frame ends inside the VLAN header.
    e.add(ether_vlan(b"", [100])[:16], "anomaly:vlan_header_truncated")
    e.write_pcap(os.path.join(outdir, "decode_vlan.pcap"), LINKTYPE_ETHERNET)


def build_qinq(outdir):
    e = DecodeExpect()
    ip = udp_ip(C4, S4, 1111, 2222, b"qinq")
    e.add(ether_vlan(ip, [200, 300], outer_tpid=ETH_QINQ), "udp", flow(17, C4, 1111, S4, 2222, 300))
    e.add(ether_vlan(ip, [201, 301], outer_tpid=0x9100), "udp", flow(17, C4, 1111, S4, 2222, 301))
    ip6 = tcp_ip(C6, S6, 50000, 443, SYN)
    e.add(ether_vlan(ip6, [10, 20, 30], ethertype=ETH_IPV6, outer_tpid=ETH_QINQ), "tcp",
          flow(6, C6, 50000, S6, 443, 30))
    e.add(ether_vlan(arp_request(C4, S4), [200, 300], ethertype=ETH_ARP, outer_tpid=ETH_QINQ), "not_ip")
    e.write_pcap(os.path.join(outdir, "decode_qinq.pcap"), LINKTYPE_ETHERNET)


def build_mpls(outdir):
    e = DecodeExpect()
    ip = tcp_ip(C4, S4, 40001, 80, PSH | ACK, b"mpls two labels")
    e.add(ether(mpls(ip, [16, 17]), ETH_MPLS), "tcp", flow(6, C4, 40001, S4, 80))
    ip6 = udp_ip(C6, S6, 4000, 53, b"v6 over one label")
    e.add(ether(mpls(ip6, [1000]), ETH_MPLS), "udp", flow(17, C6, 4000, S6, 53))
    # Ethernet pseudowire with a control word (RFC 4385) and a VLAN-tagged inner frame.
    inner = ether_vlan(udp_ip(C4, S4, 7, 9, b"pw"), [55])
    e.add(ether(mpls(b"\0\0\0\0" + inner, [20, 21]), ETH_MPLS), "udp", flow(17, C4, 7, S4, 9, 55))
    e.add(ether(mpls(b"\x90" + b"\0" * 30, [22]), ETH_MPLS), "anomaly:mpls_unknown_payload")
    e.add(ether(mpls(b"", [16, 17])[:6], ETH_MPLS), "anomaly:mpls_header_truncated")
    e.write_pcap(os.path.join(outdir, "decode_mpls.pcap"), LINKTYPE_ETHERNET)


def build_pppoe(outdir):
    e = DecodeExpect()
    ip = tcp_ip(C4, S4, 40002, 443, PSH | ACK, b"\x16\x03\x01" + b"x" * 40)
    e.add(ether_vlan(pppoe_session(ip), [10, 20], ethertype=ETH_PPPOE_SESSION, outer_tpid=ETH_QINQ), "tcp",
          flow(6, C4, 40002, S4, 443, 20))
    ip6 = udp_ip(C6, S6, 546, 547, b"dhcpv6-ish")
    e.add(ether(pppoe_session(ip6), ETH_PPPOE_SESSION), "udp", flow(17, C6, 546, S6, 547))
    lcp = bytes([0x11, 0, 0x12, 0x34, 0, 6, 0xC0, 0x21, 1, 1, 0, 4])
    e.add(ether(lcp, ETH_PPPOE_SESSION), "not_ip")
    e.add(ether(bytes([0x11, 0x09, 0, 0, 0, 0]), 0x8863), "not_ip")  # PADI (discovery)
    e.add(ether(lcp[:5], ETH_PPPOE_SESSION), "anomaly:pppoe_header_truncated")
    e.write_pcap(os.path.join(outdir, "decode_pppoe.pcap"), LINKTYPE_ETHERNET)


def build_cooked(outdir):
    for name, lt, wrap in (("decode_sll.pcap", LINKTYPE_LINUX_SLL, sll),
                           ("decode_sll2.pcap", LINKTYPE_LINUX_SLL2, sll2)):
        e = DecodeExpect()
        e.add(wrap(tcp_ip(C4, S4, 40003, 80, SYN)), "tcp", flow(6, C4, 40003, S4, 80))
        e.add(wrap(udp_ip(C6, S6, 1234, 53, b"dns?")), "udp", flow(17, C6, 1234, S6, 53))
        e.add(wrap(arp_request(C4, S4), proto=ETH_ARP), "not_ip")
        e.add(wrap(tcp_ip(C4, S4, 40003, 80, ACK))[:12], "anomaly:link_header_truncated")
        e.write_pcap(os.path.join(outdir, name), lt)


def build_raw(outdir):
    e = DecodeExpect()
    e.add(tcp_ip(C4, S4, 40004, 25, PSH | ACK, b"EHLO x\r\n"), "tcp", flow(6, C4, 40004, S4, 25))
    e.add(udp_ip(C6, S6, 9999, 53, b"raw v6"), "udp", flow(17, C6, 9999, S6, 53))
    e.add(b"\x50" + b"\0" * 39, "anomaly:raw_bad_version")
    e.write_pcap(os.path.join(outdir, "decode_raw.pcap"), LINKTYPE_RAW)
    e = DecodeExpect()
    e.add(tcp_ip(C4, S4, 40005, 25, SYN), "tcp", flow(6, C4, 40005, S4, 25))
    e.add(tcp_ip(C4, S4, 40005, 25, SYN)[:19], "anomaly:ipv4_header_truncated")
    e.write_pcap(os.path.join(outdir, "decode_raw_ipv4.pcap"), LINKTYPE_IPV4)


def build_loopback(outdir):
    e = DecodeExpect()
    e.add(null_loop(tcp_ip("127.0.0.1", "127.0.0.1", 40006, 8080, SYN)), "tcp",
          flow(6, "127.0.0.1", 40006, "127.0.0.1", 8080))
    e.add(null_loop(udp_ip("::1", "::1", 5000, 5001, b"lo6")), "udp", flow(17, "::1", 5000, "::1", 5001))
    # Written by a big-endian host: the family is in the other byte order.
    e.add(null_loop(udp_ip("127.0.0.1", "127.0.0.2", 5002, 5003, b"be"), big_endian=True), "udp",
          flow(17, "127.0.0.1", 5002, "127.0.0.2", 5003))
    e.add(null_loop(b"\0" * 20, family=17), "not_ip")
    e.write_pcap(os.path.join(outdir, "decode_null.pcap"), LINKTYPE_NULL)
    e = DecodeExpect()
    e.add(null_loop(tcp_ip("10.1.1.1", "10.1.1.2", 1, 2, SYN), big_endian=True), "tcp", flow(6, "10.1.1.1", 1, "10.1.1.2", 2))
    e.write_pcap(os.path.join(outdir, "decode_loop.pcap"), LINKTYPE_LOOP)


def build(outdir):
    build_vlan(outdir)
    build_qinq(outdir)
    build_mpls(outdir)
    build_pppoe(outdir)
    build_cooked(outdir)
    build_raw(outdir)
    build_loopback(outdir)
