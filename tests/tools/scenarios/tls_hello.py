"""TLS capture for the TLS decoder (sensor/app/tls).

  tls_client_hello_split.pcap  HTTPS to api.example.fr:443: a browser-like ClientHello (GREASE,
                               SNI, ALPN h2/http1.1, supported_versions 1.3/1.2) split into two
                               TLS records and sent in 40-byte TCP segments, then opaque
                               server records and application data (volume only)

The sidecar gives sni, alpn and the JA4 fingerprint, computed here independently of the sensor
(FoxIO JA4 definition: GREASE ignored, sorted ciphers, sorted extensions without SNI/ALPN
followed by signature algorithms in order, sha256 truncated to 12 hex).
"""
import hashlib
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402

T0 = 1706263200.0  # 2024-01-26T10:00:00Z
CLIENT = "10.30.0.80"
SERVER = "203.0.113.50"
SNI = "api.example.fr"
ALPN = [b"h2", b"http/1.1"]
CIPHERS = [0x2A2A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014,
           0x009C, 0x009D, 0x002F, 0x0035]
SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]


def sidecar(path, **kw):
    with open(path + ".json", "w") as f:
        json.dump(kw, f, indent=2, sort_keys=True)
        f.write("\n")


def is_grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


def ext(t, data):
    return struct.pack("!HH", t, len(data)) + data


def extensions():
    sni = b"\0" + struct.pack("!H", len(SNI)) + SNI.encode()
    alpn = b"".join(bytes([len(p)]) + p for p in ALPN)
    versions = b"".join(struct.pack("!H", v) for v in (0x5A5A, 0x0304, 0x0303))
    sig = b"".join(struct.pack("!H", s) for s in SIGALGS)
    groups = b"".join(struct.pack("!H", g) for g in (0x6A6A, 0x001D, 0x0017, 0x0018))
    keyshare = struct.pack("!HH", 0x001D, 32) + bytes(range(32))
    return [
        (0x8A8A, b""),
        (0x0000, struct.pack("!H", len(sni)) + sni),
        (0x0017, b""),
        (0xFF01, b"\0"),
        (0x000A, struct.pack("!H", len(groups)) + groups),
        (0x000B, b"\x01\x00"),
        (0x0023, b""),
        (0x0010, struct.pack("!H", len(alpn)) + alpn),
        (0x0005, b"\x01\x00\x00\x00\x00"),
        (0x000D, struct.pack("!H", len(sig)) + sig),
        (0x0012, b""),
        (0x0033, struct.pack("!H", len(keyshare)) + keyshare),
        (0x002D, b"\x01\x01"),
        (0x002B, bytes([len(versions)]) + versions),
        (0x001B, b"\x02\x00\x02"),
        (0x9A9A, b"\0"),
        (0x0015, bytes(120)),  # padding
    ]


def client_hello():
    exts = b"".join(ext(t, d) for t, d in extensions())
    body = (struct.pack("!H", 0x0303) + bytes(range(32)) + b"\x20" + bytes(range(32, 64)) +
            struct.pack("!H", 2 * len(CIPHERS)) + b"".join(struct.pack("!H", c) for c in CIPHERS) + b"\x01\x00" +
            struct.pack("!H", len(exts)) + exts)
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def ja4():
    ciphers = sorted(c for c in CIPHERS if not is_grease(c))
    types = [t for t, _ in extensions() if not is_grease(t)]
    rest = sorted(t for t in types if t not in (0x0000, 0x0010))
    a = "t13d%02d%02d%s" % (min(len(ciphers), 99), min(len(types), 99), chr(ALPN[0][0]) + chr(ALPN[0][-1]))
    b = hashlib.sha256(",".join("%04x" % c for c in ciphers).encode()).hexdigest()[:12]
    c_text = ",".join("%04x" % t for t in rest) + "_" + ",".join("%04x" % s for s in SIGALGS)
    c = hashlib.sha256(c_text.encode()).hexdigest()[:12]
    return "%s_%s_%s" % (a, b, c)


def records(hs, cut):
    out = b""
    for piece in (hs[:cut], hs[cut:]):
        out += b"\x16\x03\x01" + struct.pack("!H", len(piece)) + piece
    return out


def client_hello_split(outdir):
    hs = client_hello()
    c = pcapgen.TcpConversation(CLIENT, SERVER, 52443, 443, t0=T0)
    c.handshake()
    c.send(0, records(hs, 100), mss=40)
    c.send(1, b"\x16\x03\x03\x00\x40" + bytes(64) + b"\x14\x03\x03\x00\x01\x01" + b"\x17\x03\x03\x00\x30" + bytes(48))
    c.send(0, b"\x17\x03\x03\x01\x00" + bytes((i * 13) & 0xFF for i in range(256)))
    c.send(1, b"\x17\x03\x03\x08\x00" + bytes((i * 31) & 0xFF for i in range(2048)))
    c.close()
    path = os.path.join(outdir, "tls_client_hello_split.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="TLS ClientHello in 2 records over 40-byte segments, GREASE, SNI + ALPN",
            client_ips=[CLIENT], sni=SNI, alpn=[p.decode() for p in ALPN], ja4=ja4(), version="0x0304",
            client_payload_bytes=len(c.sent[0]), server_payload_bytes=len(c.sent[1]))


def build(outdir):
    client_hello_split(outdir)
