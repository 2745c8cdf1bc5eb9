"""100 000 half-open TCP flows, each holding out-of-order data (issue 4's memory test), made at
test time with --large:

halfopen_100k.pcap: clients 10.50.x.y send a SYN to 192.0.2.80:80, never answered, then one
1 000-byte segment 1 000 bytes ahead of the stream start (a hole in front of it), so every flow
buffers 1 000 bytes of out-of-order data: 100 MB in all. With reassembly.memcap 16M the
reassembler must stay under 16 MiB by flushing the oldest buffers (counted as memcap drops).
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402

FLOWS = 100_000
T0 = 1709300000.0


def build(outdir):
    """Nothing small enough for pcaps/: see build_large."""


def build_large(outdir):
    eth = pcapgen.mac(2) + pcapgen.mac(1) + b"\x08\x00"
    dst = bytes([192, 0, 2, 80])
    payload = bytes(range(250)) * 4
    with pcapgen.PcapWriter(os.path.join(outdir, "halfopen_100k.pcap")) as w:
        for i in range(FLOWS):
            src = bytes([10, 50, (i >> 8) & 0xFF, i & 0xFF])
            sport = 1024 + (i >> 16)
            isn = (i * 7919) & 0xFFFFFFFF
            t = T0 + i * 0.0001
            for seq, flags, data in ((isn, 0x02, b""), (isn + 1 + 1000, 0x18, payload)):
                ip = struct.pack("!BBHHHBBH", 0x45, 0, 40 + len(data), i & 0xFFFF, 0x4000, 64, 6, 0) + src + dst
                tcp = struct.pack("!HHIIBBHHH", sport, 80, seq & 0xFFFFFFFF, 0, 0x50, flags, 65535, 0, 0)
                frame = eth + ip + tcp + data
                w.add(t, frame)
                t += 0.00001
