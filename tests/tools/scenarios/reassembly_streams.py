"""TCP reassembly captures: reordered, tiny, duplicated, overlapping, wrapped, lossy, cut.

Each capture has a .json sidecar describing, per flow and direction, the SHA-256 of the bytes
the sender meant to send (`payload_sha256`) and of what a correct reassembler delivers
(`delivered_sha256`, per overlap policy when it matters, gaps removed) plus `gap_bytes`.
tests/flow/check_reassembly_pcaps.py checks the captures against tshark and, later, against
Vigie's own stream output.
"""
import json
import os
import random

from pcapgen import (ACK, FIN, PSH, RST, SYN, TcpConversation, SegmentScript, sha256_hex, write_frames)


def _text(n, seed):
    rng = random.Random(seed)
    words = [b"nir", b"email", b"adresse", b"telephone", b"identifiant", b"naissance", b"ville", b"{", b"}", b":"]
    out = bytearray()
    while len(out) < n:
        out += rng.choice(words) + b" "
    return bytes(out[:n])


def _dir(data, delivered=None, gap_bytes=0):
    delivered = data if delivered is None else delivered
    d = {
        "payload_bytes": len(data),
        "payload_sha256": sha256_hex(data),
        "delivered_bytes": len(delivered) if not isinstance(delivered, dict) else None,
        "gap_bytes": gap_bytes,
    }
    if isinstance(delivered, dict):
        d["delivered_sha256"] = {k: sha256_hex(v) for k, v in delivered.items()}
        d["delivered_bytes"] = {k: len(v) for k, v in delivered.items()}
    else:
        d["delivered_sha256"] = sha256_hex(delivered)
    return d


def _flow(conv, to_server, to_client, note, tshark_comparable=True):
    return {
        "proto": 6, "client": conv.c, "cport": conv.cp, "server": conv.s, "sport": conv.sp,
        "packets": conv.packets, "wire_bytes": conv.wire,
        "to_server": to_server, "to_client": to_client,
        "note": note, "tshark_comparable": tshark_comparable,
    }


def _write(outdir, name, frames, flows, snaplen=262144):
    path = os.path.join(outdir, name)
    write_frames(path, frames, snaplen=snaplen)
    with open(path + ".json", "w") as f:
        json.dump({"pcap": name, "snaplen": snaplen, "flows": flows}, f, indent=1, sort_keys=True)
        f.write("\n")


def build_reorder(outdir):
    """Tiny shuffled request segments with duplicates; response with swapped pairs and
    overlapping same-bytes retransmissions."""
    rng = random.Random(2024)
    c = TcpConversation("192.0.2.10", "198.51.100.20", 41000, 80)
    c.handshake()
    req = b"POST /api/v1/demandeurs HTTP/1.1\r\nHost: api.example\r\nContent-Length: 512\r\n\r\n" + _text(512, 1)
    s = SegmentScript(c, 0, req)
    segs = []
    off = 0
    while off < len(req):
        n = rng.randint(1, 7)
        segs.append((off, min(n, len(req) - off)))
        off += n
    segs += rng.sample(segs, 20)  # duplicates
    rng.shuffle(segs)
    for o, n in segs:
        s.seg(o, n)
    s.finish()
    resp = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + _text(20000, 2)
    s = SegmentScript(c, 1, resp)
    mss = 1400
    chunks = [(o, min(mss, len(resp) - o)) for o in range(0, len(resp), mss)]
    for i in range(0, len(chunks) - 1, 2):
        s.seg(*chunks[i + 1])
        s.seg(*chunks[i])
        if i % 6 == 0:
            s.seg(*chunks[i])  # plain retransmission
        if i % 4 == 0:
            o, n = chunks[i]
            s.seg(o + 700, n)  # overlaps the next chunk too, same bytes
    if len(chunks) % 2:
        s.seg(*chunks[-1])
    s.finish()
    c.close()
    _write(outdir, "reassembly_reorder.pcap", c.frames,
           [_flow(c, _dir(req), _dir(resp), "1-7 byte shuffled request with duplicates; swapped, retransmitted and overlapping response")])


def build_wrap_v6(outdir):
    """IPv6, both ISNs just below 2^32, segments reversed in windows of five."""
    c = TcpConversation("2001:db8::10", "2001:db8:1::20", 50123, 443, isn_c=0xFFFFFF00, isn_s=0xFFFFFFF0)
    c.handshake()
    for d, size, seed in ((0, 3000, 3), (1, 9000, 4)):
        data = _text(size, seed)
        s = SegmentScript(c, d, data)
        chunks = [(o, min(500, size - o)) for o in range(0, size, 500)]
        for i in range(0, len(chunks), 5):
            for ch in reversed(chunks[i:i + 5]):
                s.seg(*ch)
        s.finish()
    c.close()
    sent = c.sent
    _write(outdir, "reassembly_wrap_v6.pcap", c.frames,
           [_flow(c, _dir(sent[0]), _dir(sent[1]), "sequence numbers wrap at 2^32 in both directions")])


def build_overlap_conflict(outdir):
    """A response segment is buffered behind a hole, then a copy with different bytes arrives
    over exactly the same range: `first`/`bsd`/`windows`/`linux` keep the original bytes,
    `last` takes the new ones."""
    c = TcpConversation("192.0.2.11", "198.51.100.21", 41001, 8080)
    c.handshake()
    req = b"GET /dossier/42 HTTP/1.1\r\nHost: api.example\r\n\r\n"
    s = SegmentScript(c, 0, req)
    s.seg(0, len(req))
    s.finish()
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + _text(2000, 5)
    s = SegmentScript(c, 1, resp)
    fake = b"X" * 600
    s.seg(600, 600)               # held behind the hole [0, 600)
    s.seg(600, 600, override=fake)  # conflicting copy, same range
    s.seg(0, 600)                 # fills the hole
    s.seg(1200, len(resp) - 1200)
    s.finish()
    c.close()
    last = resp[:600] + fake + resp[1200:]
    delivered = {p: resp for p in ("first", "bsd", "windows", "linux")}
    delivered["last"] = last
    _write(outdir, "reassembly_overlap_conflict.pcap", c.frames,
           [_flow(c, _dir(req), _dir(resp, delivered), "same-range overlap with different bytes", False)])


def build_loss(outdir):
    """One response segment never captured: a 1400-byte gap, data after it still delivered;
    then a RST from the server with one more hole before it."""
    c = TcpConversation("192.0.2.12", "198.51.100.22", 41002, 80)
    c.handshake()
    req = b"GET /export.csv HTTP/1.1\r\nHost: api.example\r\n\r\n"
    s = SegmentScript(c, 0, req)
    s.seg(0, len(req))
    s.finish()
    resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n\r\n" + _text(14000, 6)
    s = SegmentScript(c, 1, resp)
    chunks = [(o, min(1400, len(resp) - o)) for o in range(0, len(resp), 1400)]
    lost = {3}
    for i, ch in enumerate(chunks):
        if i not in lost:
            s.seg(*ch)
    s.finish()
    delivered = b"".join(resp[o:o + n] for i, (o, n) in enumerate(chunks) if i not in lost)
    gap = sum(n for i, (o, n) in enumerate(chunks) if i in lost)
    c.frame(1, RST | ACK)
    _write(outdir, "reassembly_loss.pcap", c.frames,
           [_flow(c, _dir(req), _dir(resp, delivered, gap), "segment 3 of the response lost, then RST", False)])


def build_snaplen(outdir):
    """Captured with a 128-byte snaplen: every data segment loses its tail. Volume (payload
    bytes per IP lengths) is intact; content is the captured prefix of each segment."""
    snaplen = 128
    c = TcpConversation("192.0.2.13", "198.51.100.23", 41003, 80)
    c.handshake()
    req = b"GET /big HTTP/1.1\r\nHost: api.example\r\n\r\n"
    s = SegmentScript(c, 0, req)
    s.seg(0, len(req))
    s.finish()
    resp = _text(5000, 7)
    s = SegmentScript(c, 1, resp)
    chunks = [(o, min(1000, len(resp) - o)) for o in range(0, len(resp), 1000)]
    for ch in chunks:
        s.seg(*ch)
    s.finish()
    c.close()
    hdr = 14 + 20 + 20  # Ethernet + IPv4 + TCP
    keep = snaplen - hdr
    delivered = b"".join(resp[o:o + min(n, keep)] for o, n in chunks)
    gap = sum(max(0, n - keep) for o, n in chunks)
    _write(outdir, "reassembly_snaplen.pcap", c.frames,
           [_flow(c, _dir(req), _dir(resp, delivered, gap), "snaplen 128: each response segment cut", False)],
           snaplen=snaplen)


def build(outdir):
    build_reorder(outdir)
    build_wrap_v6(outdir)
    build_overlap_conflict(outdir)
    build_loss(outdir)
    build_snaplen(outdir)
