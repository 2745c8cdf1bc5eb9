#!/usr/bin/env python3
"""The HTTP bodies vigie decodes equal `tshark --export-objects http` on the public captures.

For every capture of ../shared/pcaps-public (MANIFEST.tsv) that contains HTTP (the manifest's
tshark_protocols lists http, or vigie decodes a non-empty HTTP body in it), the multiset of
SHA-256 of the objects written by vigie_http_objects (tests/tools/http_objects.cc: the capture
through the sensor's own pipeline, every decoded body through app::http::BodyObserver) must equal
the multiset of SHA-256 of the files tshark exports, after the alignment rules below, which
mirror what tshark's HTTP dissector exports. Any difference not explained by a rule or by an
entry of KNOWN_DIFFERENCES (exact, per capture) fails the test.

What tshark 4.0 exports (epan/dissectors/packet-http.c, dissect_http_message; preferences at
their defaults, pinned below: http.dechunk_body, http.decompress_body, http.desegment_*):
  - one object per HTTP message, requests AND responses, whose entity body is non-empty on the
    wire (`datalen > 0`): Content-Length 0 and bodiless messages are never exported;
  - the body de-chunked, then decompressed when Content-Encoding is exactly one of gzip,
    deflate, x-gzip, x-deflate, br; the export tap is reached only when that succeeds: a failed
    decompression, any other Content-Encoding value (including a list such as "gzip, gzip"), or
    a Transfer-Encoding coding other than chunked, export nothing;
  - a chunked body made only of the last chunk exports an EMPTY object (the test is on the
    chunked framing's length, not the data);
  - only PDUs that TCP reassembly completes: a body with a missing segment is not exported, and
    the connection's later PDUs in that direction usually neither;
  - HTTP only on its registered TCP ports (80, 8080, 3128, ...; tshark -G decodes): vigie
    detects HTTP by content on any port.
Vigie's side is the message body as the peer meant it (de-chunked, every coding undone; see
sensor/app/http/body_observer.h); vigie_http_objects' index.tsv says for each one whether a
coding failed and how many transport gaps it had.

Calibrated on TShark 4.0 (Debian 12); another major version may export differently (the rules
quote 4.0's code).

Usage: export_objects.py VIGIE_HTTP_OBJECTS PUBLIC_DIR
Exit 77 (skipped) when PUBLIC_DIR or tshark is absent."""
import collections
import csv
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import tshark_cache  # noqa: E402 (tests/replay/)
from verdict import verdict  # noqa: E402 (tests/replay/)

# capture -> (why vigie and tshark legitimately differ there, exact expected difference).
# "vigie_only": objects only vigie exports, as (direction, size); "tshark_only": sizes of the
# objects only tshark exports. The difference must be exactly this, or the test fails.
KNOWN_DIFFERENCES = {
    "suricata-verify/http-evader-119.pcap": (
        "the response's Content-Encoding value is folded onto a continuation line (obs-fold). "
        "Vigie unfolds it (RFC 9112 5.2) and gunzips the 68-byte EICAR body; tshark does not "
        "unfold, sees an empty Content-Encoding it cannot decode and exports nothing",
        {"vigie_only": [("response", 68)], "tshark_only": []}),
    "zeek/http-te-obs-fold.pcap": (
        "request smuggling probe: 'Transfer-Encoding:' folded onto ' chunked'. Vigie unfolds it, "
        "reads an empty chunked body then the smuggled second request (no body); tshark does not "
        "unfold, takes an unknown Transfer-Encoding and exports the rest of the stream (the "
        "last chunk + the smuggled request, 65 bytes) as the POST's body",
        {"vigie_only": [], "tshark_only": [65]}),
    "zeek/mixed-vlan-mpls.pcap": (
        "HTTP/0.9 exchange on 10.20.80.1:50343 ('GET /' without version, response without "
        "status line): vigie decodes the Simple-Response as one 3429-byte body up to the close; "
        "tshark has no HTTP/0.9 framing and exports each of its 3 TCP segments as an object of its "
        "own (their concatenation, in order, is vigie's object)",
        {"vigie_only": [("response", 3429)], "tshark_only": [1428, 1428, 573]}),
    "zeek/ipv6-http-atomic-frag.pcap": (
        "4 HTTP/0.9 exchanges ('GET /bad.html' without version, 88-byte Simple-Response). Vigie "
        "decodes 3 of them like tshark. On 36951 the request segment is captured after the reply "
        "(TCP Spurious Retransmission): vigie classifies the flow from the first bytes it sees, "
        "the reply, which is not HTTP, and scans it as a raw stream (app/raw/); tshark exports "
        "the reply as an object anyway (port 80)",
        {"vigie_only": [], "tshark_only": [88]}),
    "suricata-verify/http-pipeline-files-with-gap.pcap": (
        "the 733-byte response to the 2nd pipelined request is lost in a capture gap. Vigie "
        "resynchronises on the next status line and decodes the whole 34152-byte JPEG (= its "
        "Content-Length, FFD8...FFD9); tshark's reassembly stays stuck behind the hole and "
        "exports nothing after it",
        {"vigie_only": [("response", 34152)], "tshark_only": []}),
}

# tshark's own defaults, pinned so that a user's preference file cannot change the result.
TSHARK_PREFS = ["http.desegment_headers:TRUE", "http.desegment_body:TRUE", "http.dechunk_body:TRUE",
                "http.decompress_body:TRUE", "tcp.desegment_tcp_streams:TRUE",
                "tcp.reassemble_out_of_order:FALSE"]
# Content-Encoding values tshark 4.0 undoes (one coding, compared case-insensitively).
TSHARK_CODINGS = {"gzip", "deflate", "x-gzip", "x-deflate", "br"}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_tool(tool, capture, outdir):
    """Returns (objects, error): objects = list of (sha256, index row) of non-empty bodies."""
    r = subprocess.run([tool, capture, outdir], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return None, f"vigie_http_objects exit {r.returncode}: {r.stderr.strip()[-500:]}"
    objects = []
    with open(os.path.join(outdir, "index.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["file"] != "-":
                objects.append((sha256(os.path.join(outdir, row["file"])), row))
    return objects, None


def run_tshark(capture, outdir):
    def compute():
        os.makedirs(outdir)
        cmd = ["tshark", "-n", "-Q", "-r", capture, "--export-objects", "http," + outdir]
        for p in TSHARK_PREFS:
            cmd += ["-o", p]
        subprocess.run(cmd, capture_output=True, timeout=120)
        return [(sha256(os.path.join(outdir, n)), os.path.getsize(os.path.join(outdir, n))) for n in os.listdir(outdir)]
    return [tuple(x) for x in tshark_cache.cached("export-objects", capture, TSHARK_PREFS, compute)]


def tshark_lost_segments(capture):
    """Directions "src_ip:port>dst_ip:port" in which tshark sees a segment missing."""
    cmd = ["tshark", "-n", "-r", capture, "-Y", "tcp.analysis.lost_segment", "-T", "fields", "-E", "occurrence=l",
           "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport"]
    out = tshark_cache.cached("lost-segments", capture, cmd[3:],
                              lambda: subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout)
    dirs = set()
    for line in out.splitlines():
        s4, s6, sp, d4, d6, dp = (line.split("\t") + [""] * 6)[:6]
        dirs.add(f"{s6 or s4}:{sp}>{d6 or d4}:{dp}")
    return dirs


def tshark_would_decode(codings):
    """tshark 4.0 exports a coded body only for a single Content-Encoding it knows (see top)."""
    if codings == "-":  # index.tsv's empty value: no coding
        return True
    tokens = [t.strip().lower() for t in codings.split(",") if t.strip()]
    return len(tokens) == 0 or tokens == ["identity"] or (len(tokens) == 1 and tokens[0] in TSHARK_CODINGS)


def sender(row):
    """The direction a body travelled in, as tshark prints it: "src_ip:port>dst_ip:port"."""
    client, server = row["flow"].split(">")
    return f"{client}>{server}" if row["direction"] == "request" else f"{server}>{client}"


def compare(capture, name, vigie_objects, workdir, dropped):
    """Returns (number of objects compared equal, failure text or None). Counts the objects each
    rule sets aside in `dropped`."""
    lost = None
    kept = collections.Counter()
    described = {}
    for digest, row in vigie_objects:
        # Rule: tshark skips a body whose decompression fails; vigie passes the raw bytes on (to
        # be scanned) and flags it. Drop it.
        if row["coding_failed"] == "1":
            dropped["coding failed"] += 1
            continue
        # Rule: tshark undoes one known Content-Encoding only, and exports nothing otherwise;
        # vigie undoes up to 4 layers (Content-Encoding lists, Transfer-Encoding codings).
        if not tshark_would_decode(row["codings"]):
            dropped["codings tshark does not undo"] += 1
            continue
        # Rule: a body with a transport hole is never exported by tshark (its reassembly cannot
        # complete the PDU); vigie decodes around the hole and counts it. Dropped only where
        # tshark itself reports a lost segment in that direction of the connection.
        if int(row["gaps"]) > 0:
            if lost is None:
                lost = tshark_lost_segments(capture)
            if sender(row) in lost:
                dropped["transport gap"] += 1
                continue
            return 0, (f"vigie saw a gap in {row['direction']} {row['method']} {row['target'][:80]} "
                       f"({sender(row)}) where tshark reports no lost segment")
        kept[digest] += 1
        described[digest] = (row["direction"], int(row["size"]))
    # Rule: empty objects carry nothing to compare (tshark exports one only for a chunked body
    # made of the last chunk alone; vigie's index lists every empty unit without a file).
    theirs = collections.Counter()
    sizes = {}
    for digest, size in run_tshark(capture, os.path.join(workdir, "tshark")):
        if size > 0:
            theirs[digest] += 1
            sizes[digest] = size
        else:
            dropped["empty tshark object"] += 1
    vigie_only = sorted(described[d] for d in (kept - theirs).elements())
    tshark_only = sorted(sizes[d] for d in (theirs - kept).elements())
    equal = sum((kept & theirs).values())
    known = KNOWN_DIFFERENCES.get(name)
    want = known[1] if known else {"vigie_only": [], "tshark_only": []}
    if vigie_only == sorted(want["vigie_only"]) and tshark_only == sorted(want["tshark_only"]):
        return equal, None
    return equal, (f"{equal} equal; only vigie (direction, size): {vigie_only}; only tshark (size): {tshark_only}"
                   + (f"; documented difference expected {want}" if known else ""))


def check(tool, public, row):
    """Returns (compared?, equal objects, objects set aside by rule, failure or None) for one
    manifest row."""
    name = row["file"]
    dropped = collections.Counter()
    capture = os.path.join(public, name)
    with tempfile.TemporaryDirectory() as workdir:
        objects, err = run_tool(tool, capture, os.path.join(workdir, "vigie"))
        if err:
            return False, 0, dropped, f"{name}: {err}"
        if "http" not in row.get("tshark_protocols", "").split(",") and not objects:
            return False, 0, dropped, None  # no HTTP here for either side
        equal, failure = compare(capture, name, objects, workdir, dropped)
        return True, equal, dropped, (f"{name}: {failure}" if failure else None)


def main():
    tool, public = sys.argv[1], sys.argv[2]
    manifest = os.path.join(public, "MANIFEST.tsv")
    if not os.path.exists(manifest):
        print(f"SKIP: {public} absent")
        return 77
    if shutil.which("tshark") is None:
        print("SKIP: tshark not installed")
        return 77
    with open(manifest, newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")
                if not r.get("tshark_status", "ok").startswith("EXPECTED-REJECT")]  # damaged headers
    with ThreadPoolExecutor(max_workers=2) as pool:  # the time goes to subprocesses
        results = list(pool.map(lambda r: check(tool, public, r), rows))
    failures = [f for _, _, _, f in results if f]
    compared = sum(1 for c, _, _, _ in results if c)
    objects = sum(e for _, e, _, _ in results)
    dropped = sum((d for _, _, d, _ in results), collections.Counter())
    stale = [n for n in KNOWN_DIFFERENCES if not any(r["file"] == n for r in rows)]
    failures += [f"{n}: listed in KNOWN_DIFFERENCES but not in the manifest" for n in stale]
    print(f"{len(rows)} captures read, {compared} with HTTP compared with tshark, {objects} objects equal, "
          f"{len(KNOWN_DIFFERENCES)} documented differences; set aside by rule: "
          + (", ".join(f"{k} {v}" for k, v in sorted(dropped.items())) or "none"))
    return verdict("export_objects", failures)


if __name__ == "__main__":
    sys.exit(main())
