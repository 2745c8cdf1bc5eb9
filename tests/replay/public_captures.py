#!/usr/bin/env python3
"""Runs vigie on every capture of ../shared/pcaps-public (MANIFEST.tsv): each must be processed
with exit 0 (no crash, no sanitizer report), except those the manifest marks EXPECTED-REJECT,
which must be refused with one line on stderr and exit 2. Where tshark is installed, per-flow wire bytes and
packets for TCP and UDP must equal tshark's (computed from `tshark -T fields`), except on the
captures listed in KNOWN_DIFFERENCES with the reason.

Usage: public_captures.py VIGIE PUBLIC_DIR   (exit 77 when PUBLIC_DIR is absent)"""
import collections
import csv
from concurrent.futures import ThreadPoolExecutor
import json
import os
import shutil
import subprocess
import sys
import tempfile

import tshark_cache  # noqa: E402 (tests/replay/)
from verdict import verdict  # noqa: E402 (tests/replay/)

# capture -> why its per-flow counts legitimately differ from tshark's
KNOWN_DIFFERENCES = {
    "zeek/tcp-reassembly-inconsistent-rexmit.pcap":
        "5 frames whose IPv4 total length exceeds the frame's wire length: vigie drops them as "
        "decode anomalies (ipv4_bad_length), tshark still counts them in the conversation",
    "zeek/teredo.pcap": "vigie does not decapsulate Teredo (IPv6 in UDP/3544): it counts the outer UDP flow",
    "tcpdump/tcp_header_heapoverflow.pcap":
        "fuzzer reproducer with a TCP header cut short: vigie counts tcp_header_truncated and drops it",
}


def tshark_flows(path):
    fields = ["frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
              "udp.srcport", "udp.dstport", "ip.flags.mf", "ip.frag_offset", "ipv6.fragment", "frame.protocols"]
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=l"]
    for f in fields:
        cmd += ["-e", f]
    out = tshark_cache.cached("flows", path, cmd[3:],
                              lambda: subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout)
    flows = collections.defaultdict(lambda: [0, 0])
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(fields) - len(v))
        flen, s4, d4, s6, d6, tsp, tdp, usp, udp_, mf, foff, f6, protos = v
        layers = protos.split(":")
        innermost = max((i for i, l in enumerate(layers) if l in ("ip", "ipv6")), default=-1)
        src, dst = (s6, d6) if innermost >= 0 and layers[innermost] == "ipv6" else (s4, d4)
        if not src or "icmp" in layers or "icmpv6" in layers:
            continue  # ICMP errors quote a TCP/UDP header: tshark files them under that flow, vigie under ICMP
        if mf == "1" or (foff and foff != "0") or f6:
            return None  # fragments: tshark attributes them differently (only the last frame carries ports)
        if tsp:
            proto, sp, dp = 6, int(tsp), int(tdp)
        elif usp:
            proto, sp, dp = 17, int(usp), int(udp_)
        else:
            continue
        key = tuple(sorted([(src, sp), (dst, dp)])) + (proto,)
        flows[key][0] += 1
        flows[key][1] += int(flen)
    return flows


def vigie_flows(vigie, path, workdir):
    fl = os.path.join(workdir, "flows.json")
    if os.path.exists(fl):
        os.remove(fl)
    r = subprocess.run([vigie, "--read", path, "--alerts", os.path.join(workdir, "a.json"), "--flow-log", fl,
                        "--metrics-file", os.path.join(workdir, "m.prom")], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return None, f"exit {r.returncode}: {r.stderr.strip()[-500:]}"
    flows = collections.defaultdict(lambda: [0, 0])
    pn = {"TCP": 6, "UDP": 17}
    for line in open(fl):
        f = json.loads(line)
        if f["proto"] not in pn:
            continue
        key = tuple(sorted([(f["src_ip"], f["src_port"]), (f["dest_ip"], f["dest_port"])])) + (pn[f["proto"]],)
        flows[key][0] += f["flow"]["pkts_toserver"] + f["flow"]["pkts_toclient"]
        flows[key][1] += f["flow"]["bytes_toserver"] + f["flow"]["bytes_toclient"]
    return flows, None


def main():
    vigie, public = sys.argv[1], sys.argv[2]
    manifest = os.path.join(public, "MANIFEST.tsv")
    if not os.path.exists(manifest):
        print(f"SKIP: {public} absent")
        return 77
    have_tshark = shutil.which("tshark") is not None
    rows = list(csv.DictReader(open(manifest), delimiter="\t"))

    def check(row, workdir):
        """Returns (failures, 1 if compared with tshark else 0) for one capture."""
        path = os.path.join(public, row["file"])
        if row.get("tshark_status", "ok").startswith("EXPECTED-REJECT"):
            # A damaged capture header: one clear line on stderr and exit 2, never a crash.
            r = subprocess.run([vigie, "--read", path, "--alerts", os.path.join(workdir, "a.json")],
                               capture_output=True, text=True, timeout=60)
            lines = [l for l in r.stderr.splitlines() if l.strip()]
            if r.returncode != 2 or len(lines) != 1 or os.path.basename(path) not in lines[0]:
                return [f"{row['file']}: want a one-line error and exit 2, got exit {r.returncode}: "
                        f"{r.stderr.strip()[:300]}"], 0
            return [], 0
        got, err = vigie_flows(vigie, path, workdir)
        if err:
            return [f"{row['file']}: {err}"], 0
        if not have_tshark or row["file"] in KNOWN_DIFFERENCES:
            return [], 0
        want = tshark_flows(path)
        if want is None:
            return [], 0
        for key, (pk, by) in want.items():
            g = got.get(key)
            if g is None or g != [pk, by]:
                return [f"{row['file']}: flow {key}: vigie {g}, tshark {[pk, by]}"], 1
        return [], 1

    failures, compared = [], 0
    with tempfile.TemporaryDirectory() as top:
        # The time goes to subprocesses (vigie, tshark): one worker per core.
        def task(item):
            i, row = item
            workdir = os.path.join(top, str(i))
            os.makedirs(workdir)
            return check(row, workdir)
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for f, c in pool.map(task, enumerate(rows)):
                failures += f
                compared += c
    print(f"{len(rows)} captures replayed, {compared} compared with tshark")
    return verdict("public_captures", failures)


if __name__ == "__main__":
    sys.exit(main())
