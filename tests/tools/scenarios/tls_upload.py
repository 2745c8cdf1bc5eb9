"""A 1 GB TLS upload to one outside host, captured with snaplen 128 (issue scenario 4), made at
test time with --large:

tls_upload_1g.pcap: 10.30.0.5 opens TLS to 203.0.113.80:443 (SNI uploads.storage-example.net)
and sends 1 GiB of application data in 1448-byte segments over 20 minutes; every frame is cut to
128 bytes, the wire length stays whole. Expected: exfil.entity_bytes for 10.30.0.5 in the 1 h
window (>= 500 MB), with the SNI; no PII (encrypted payload is never scanned).
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402

CLIENT, SERVER = "10.30.0.5", "203.0.113.80"
T0 = 1709280000.0
SNI = "uploads.storage-example.net"



def build(outdir):
    """Nothing small enough for pcaps/: see build_large."""


def build_large(outdir, total=1 << 30, mss=1448):
    c = pcapgen.TcpConversation(CLIENT, SERVER, 51000, 443, t0=T0)
    c.handshake()
    c.send(0, pcapgen.tls_client_hello(SNI))
    c.send(1, b"\x16\x03\x03\x00\x40" + bytes(64))
    path = os.path.join(outdir, "tls_upload_1g.pcap")
    with pcapgen.PcapWriter(path, snaplen=128) as w:
        for ts, fr, wire in c.frames:
            w.add(ts, fr, wire)
        seq = c.seq[0]
        ack = c.seq[1]
        eth = pcapgen.mac(2) + pcapgen.mac(1) + b"\x08\x00"
        src = bytes(map(int, CLIENT.split("."))) + bytes(map(int, SERVER.split(".")))
        filler = bytes(range(74))
        n = total // mss
        dt = 1200.0 / n
        t = c.t
        for i in range(n):
            ip = struct.pack("!BBHHHBBH", 0x45, 0, 40 + mss, i & 0xFFFF, 0x4000, 64, 6, 0) + src
            tcp = struct.pack("!HHIIBBHHH", 51000, 443, seq & 0xFFFFFFFF, ack, 0x50, 0x18, 65535, 0, 0)
            frame = eth + ip + tcp + filler  # 128 bytes captured
            w.add(t, frame, wire_len=14 + 40 + mss)
            seq += mss
            t += dt
