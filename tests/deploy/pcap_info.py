#!/usr/bin/env python3
"""Packet count and time span of a pcap or pcapng file (standard library only).

Used by the deployment tests to pick a --replay-speed that makes a capture last a chosen
number of seconds, and to know how many packets tcpreplay should send.
Usage: pcap_info.py FILE  →  prints "packets=N span=SECONDS"
"""
import struct
import sys


def _classic(f, head):
    magic = struct.unpack("<I", head[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
        magic = struct.unpack(">I", head[:4])[0]
    div = 1e9 if magic == 0xA1B23C4D else 1e6
    f.read(20)
    first = last = None
    n = 0
    while True:
        rec = f.read(16)
        if len(rec) < 16:
            break
        sec, frac, incl, _ = struct.unpack(e + "IIII", rec)
        f.seek(incl, 1)
        ts = sec + frac / div
        first = ts if first is None else first
        last = ts
        n += 1
    return n, (last - first) if n else 0.0


def _pcapng(f):
    first = last = None
    n = 0
    e = "<"
    resol = []
    while True:
        hdr = f.read(8)
        if len(hdr) < 8:
            break
        btype, blen = struct.unpack(e + "II", hdr)
        if btype == 0x0A0D0D0A:
            bom = f.read(4)
            e = "<" if struct.unpack("<I", bom)[0] == 0x1A2B3C4D else ">"
            blen = struct.unpack(e + "I", hdr[4:])[0]
            resol = []
            f.seek(blen - 12, 1)
            continue
        body = f.read(blen - 8)
        if btype == 1:  # interface description: look for if_tsresol (option 9)
            r = 1e-6
            opts = body[8:-4]
            i = 0
            while i + 4 <= len(opts):
                code, olen = struct.unpack(e + "HH", opts[i:i + 4])
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    v = opts[i + 4]
                    r = 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0 ** -v
                i += 4 + olen + ((-olen) % 4)
            resol.append(r)
        elif btype in (6, 3):
            if btype == 6:
                iface, hi, lo = struct.unpack(e + "III", body[:12])
                ts = ((hi << 32) | lo) * (resol[iface] if iface < len(resol) else 1e-6)
                first = ts if first is None else first
                last = ts
            n += 1
    return n, (last - first) if first is not None else 0.0


def capture_span(path):
    """(packets, seconds between first and last timestamp)."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head == b"\x0a\x0d\x0d\x0a":
            f.seek(0)
            return _pcapng(f)
        return _classic(f, head)


if __name__ == "__main__":
    n, span = capture_span(sys.argv[1])
    print("packets=%d span=%.6f" % (n, span))
