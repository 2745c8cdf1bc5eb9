"""Tunnels for the decoder: GRE (plain, key/seq/checksum, TEB, nested), ERSPAN I/II/III, VXLAN,
IP-in-IP (4in4, 6in4, 4in6), and a tunnel nested deeper than the decoder's limit (8).

The decoder reports the innermost packet; the sidecar's flows are the inner 5-tuples while the
bytes are the outer frames' wire lengths.
"""
import os

from pcapgen import (ACK, ETH_ARP, ETH_IPV4, ETH_IPV6, ETH_TEB, LINKTYPE_ETHERNET, PROTO_GRE, PROTO_ICMP,
                     PROTO_IPIP, PROTO_IPV6, PROTO_TCP, PROTO_UDP, PSH, SYN, DecodeExpect, arp_request, erspan1,
                     erspan2, erspan3, ether, ether_vlan, gre, icmp_echo, ip_packet, ipv4, ipv6, tcp, udp, vxlan)

# Outer (tunnel endpoints) and inner addresses.
T1, T2 = "10.255.0.1", "10.255.0.2"
T61, T62 = "fd00::1", "fd00::2"
C4, S4 = "172.16.1.10", "172.16.2.20"
C6, S6 = "2001:db8:a::10", "2001:db8:b::20"


def tcp_ip(src, dst, sp, dp, flags, payload=b"", seq=1):
    return ip_packet(src, dst, PROTO_TCP, tcp(src, dst, sp, dp, seq, 0, flags, payload))


def udp_ip(src, dst, sp, dp, payload):
    return ip_packet(src, dst, PROTO_UDP, udp(src, dst, sp, dp, payload))


def over_gre(inner_payload, proto, **kw):
    return ether(ipv4(T1, T2, PROTO_GRE, gre(inner_payload, proto, **kw)))


def build_gre(outdir):
    e = DecodeExpect()
    inner = tcp_ip(C4, S4, 41000, 80, PSH | ACK, b"GET / HTTP/1.0\r\n\r\n")
    e.add(over_gre(inner, ETH_IPV4), "tcp", (6, C4, 41000, S4, 80, 0))
    inner6 = udp_ip(C6, S6, 3000, 53, b"inner v6 query")
    e.add(over_gre(inner6, ETH_IPV6, key=42, seq=7, csum=True), "udp", (17, C6, 3000, S6, 53, 0))
    # Transparent Ethernet bridging: a whole (VLAN-tagged) frame inside.
    teb = ether_vlan(udp_ip(C4, S4, 5000, 6000, b"bridged"), [77])
    e.add(over_gre(teb, ETH_TEB, key=1), "udp", (17, C4, 5000, S4, 6000, 77))
    e.add(over_gre(ether(arp_request(C4, S4), ETH_ARP), ETH_TEB), "not_ip")
    # GRE inside GRE.
    mid = ipv4("10.254.0.1", "10.254.0.2", PROTO_GRE, gre(tcp_ip(C4, S4, 41001, 22, SYN), ETH_IPV4))
    e.add(over_gre(mid, ETH_IPV4), "tcp", (6, C4, 41001, S4, 22, 0))
    # Unsupported GRE version 2, and a GRE header cut short.
    e.add(ether(ipv4(T1, T2, PROTO_GRE, b"\x00\x02\x08\x00" + inner)), "anomaly:gre_unsupported")
    e.add(ether(ipv4(T1, T2, PROTO_GRE, b"\x30\x00\x08\x00\x00\x00")), "anomaly:gre_header_truncated")
    e.write_pcap(os.path.join(outdir, "decode_gre.pcap"), LINKTYPE_ETHERNET)


def build_erspan(outdir):
    e = DecodeExpect()
    mirrored = ether_vlan(tcp_ip(C4, S4, 42000, 443, PSH | ACK, b"\x17\x03\x03\x00\x10" + b"e" * 16), [12])
    e.add(ether(ipv4(T1, T2, PROTO_GRE, erspan1(mirrored))), "tcp", (6, C4, 42000, S4, 443, 12))
    e.add(ether(ipv4(T1, T2, PROTO_GRE, erspan2(mirrored, seq=1))), "tcp", (6, C4, 42000, S4, 443, 12))
    plain = ether(udp_ip(C6, S6, 7000, 7001, b"erspan3"), ETH_IPV6)
    e.add(ether(ipv4(T1, T2, PROTO_GRE, erspan3(plain, seq=2))), "udp", (17, C6, 7000, S6, 7001, 0))
    e.add(ether(ipv4(T1, T2, PROTO_GRE, erspan3(plain, seq=3, subheader=True))), "udp", (17, C6, 7000, S6, 7001, 0))
    # Frame type 7 (not Ethernet) is not decoded.
    e.add(ether(ipv4(T1, T2, PROTO_GRE, erspan3(plain, seq=4, frame_type=7))), "anomaly:erspan_unsupported")
    e.add(ether(ipv4(T1, T2, PROTO_GRE, erspan2(mirrored, seq=5)[:12])), "anomaly:erspan_header_truncated")
    e.write_pcap(os.path.join(outdir, "decode_erspan.pcap"), LINKTYPE_ETHERNET)


def build_vxlan(outdir):
    e = DecodeExpect()
    inner = ether(tcp_ip(C4, S4, 43000, 8080, PSH | ACK, b"POST /api HTTP/1.1\r\n\r\n"))
    outer = ether(ipv4(T1, T2, PROTO_UDP, udp(T1, T2, 49152, 4789, vxlan(inner, 5001))))
    e.add(outer, "tcp", (6, C4, 43000, S4, 8080, 0))
    inner6 = ether(udp_ip(C6, S6, 1000, 2000, b"vx6"), ETH_IPV6)
    e.add(ether(ipv6(T61, T62, PROTO_UDP, udp(T61, T62, 49153, 4789, vxlan(inner6, 5002))), ETH_IPV6), "udp",
          (17, C6, 1000, S6, 2000, 0))
    # UDP to 4789 whose first byte lacks the VXLAN I flag stays plain UDP.
    e.add(ether(ipv4(T1, T2, PROTO_UDP, udp(T1, T2, 1, 4789, b"\x00notvxlan"))), "udp", (17, T1, 1, T2, 4789, 0))
    e.add(ether(ipv4(T1, T2, PROTO_UDP, udp(T1, T2, 1, 4789, b"\x08\x00\x00"))), "anomaly:vxlan_header_truncated")
    e.write_pcap(os.path.join(outdir, "decode_vxlan.pcap"), LINKTYPE_ETHERNET)


def build_ipip(outdir):
    e = DecodeExpect()
    e.add(ether(ipv4(T1, T2, PROTO_IPIP, tcp_ip(C4, S4, 44000, 80, SYN))), "tcp", (6, C4, 44000, S4, 80, 0))
    e.add(ether(ipv4(T1, T2, PROTO_IPV6, udp_ip(C6, S6, 44001, 53, b"6in4"))), "udp", (17, C6, 44001, S6, 53, 0))
    e.add(ether(ipv6(T61, T62, PROTO_IPIP, udp_ip(C4, S4, 44002, 53, b"4in6")), ETH_IPV6), "udp",
          (17, C4, 44002, S4, 53, 0))
    e.add(ether(ipv4(T1, T2, PROTO_ICMP, icmp_echo(1, 1, b"ping"))), "icmp", (1, T1, 0, T2, 0, 0))
    # Nine nested IP-in-IP layers: one more than the decoder removes.
    pkt = tcp_ip(C4, S4, 44003, 80, SYN)
    for _ in range(9):
        pkt = ipv4(T1, T2, PROTO_IPIP, pkt)
    e.add(ether(pkt), "anomaly:tunnel_too_deep")
    # Eight layers are fine.
    pkt = tcp_ip(C4, S4, 44004, 80, SYN)
    for _ in range(8):
        pkt = ipv4(T1, T2, PROTO_IPIP, pkt)
    e.add(ether(pkt), "tcp", (6, C4, 44004, S4, 80, 0))
    e.write_pcap(os.path.join(outdir, "decode_ipip.pcap"), LINKTYPE_ETHERNET)


def build(outdir):
    build_gre(outdir)
    build_erspan(outdir)
    build_vxlan(outdir)
    build_ipip(outdir)
