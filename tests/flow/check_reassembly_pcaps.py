#!/usr/bin/env python3
"""Checks the reassembly captures (pcaps/reassembly_*.pcap) against their JSON sidecars.

Two independent references:
  * tshark (if installed): `follow,tcp,raw` must rebuild, for every flow marked
    tshark_comparable, exactly the bytes whose SHA-256 the sidecar lists (payload_sha256).
    This validates the generator itself.
  * Vigie (optional): --vigie-streams FILE is a JSON lines file with one object per
    direction, {"client": ip, "cport": n, "server": ip, "sport": n, "dir": "to_server"|"to_client",
    "sha256": hex of delivered bytes, "gap_bytes": n}, as a stream-dump debug sink (or a replay
    test) writes it. Each must equal delivered_sha256 (for --policy, default first) and gap_bytes.

Usage: tests/flow/check_reassembly_pcaps.py [--pcaps DIR] [--vigie-streams FILE] [--policy P]
Exit status 0 when everything checked matches; prints one line per check.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def tshark_streams(pcap):
    """{stream index: (node0 "ip:port", {0: bytes from node 0, 1: bytes from node 1})}."""
    out = {}
    idx = 0
    while True:
        r = subprocess.run(["tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw,%d" % idx],
                           capture_output=True, text=True, check=True)
        node0, data, seen = None, {0: bytearray(), 1: bytearray()}, False
        for line in r.stdout.splitlines():
            if line.startswith("Node 0: "):
                node0 = line[8:].strip()
            elif line.startswith("Node 1: "):
                seen = line[8:].strip() not in ("", ":0")
            elif line and not line.startswith(("=", "Follow", "Filter", "Node")):
                side = 1 if line.startswith("\t") else 0
                chunk = bytes.fromhex(line.strip())
                if re.match(rb"^\[\d+ bytes missing in capture file\]\x00?$", chunk):
                    continue  # tshark writes its gap notice into the raw stream
                data[side] += chunk
        if not seen or node0 is None:
            return out
        out[idx] = (node0, data)
        idx += 1


def ep(ip, port):
    return ("[%s]:%d" % (ip, port)) if ":" in ip else ("%s:%d" % (ip, port))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcaps", default=os.path.join(HERE, "..", "..", "pcaps"))
    ap.add_argument("--vigie-streams")
    ap.add_argument("--policy", default="first")
    args = ap.parse_args()
    failures = checks = 0
    vigie = {}
    if args.vigie_streams:
        with open(args.vigie_streams) as f:
            for line in f:
                if line.strip():
                    o = json.loads(line)
                    vigie[(o["client"], o["cport"], o["server"], o["sport"], o["dir"])] = o
    have_tshark = shutil.which("tshark") is not None
    for side in sorted(glob.glob(os.path.join(args.pcaps, "reassembly_*.pcap.json"))):
        meta = json.load(open(side))
        pcap = side[:-5]
        streams = tshark_streams(pcap) if have_tshark else {}
        for fl in meta["flows"]:
            name = "%s %s->%s" % (os.path.basename(pcap), ep(fl["client"], fl["cport"]), ep(fl["server"], fl["sport"]))
            if have_tshark and fl.get("tshark_comparable"):
                match = [d for n0, d in streams.values() if n0 == ep(fl["client"], fl["cport"])]
                for i, dname in enumerate(("to_server", "to_client")):
                    checks += 1
                    got = hashlib.sha256(bytes(match[0][i])).hexdigest() if match else "no stream"
                    ok = got == fl[dname]["payload_sha256"]
                    failures += not ok
                    print("%s tshark %s %s: %s" % ("ok  " if ok else "FAIL", name, dname, got[:16]))
            for dname in ("to_server", "to_client"):
                key = (fl["client"], fl["cport"], fl["server"], fl["sport"], dname)
                if key not in vigie:
                    continue
                want = fl[dname]["delivered_sha256"]
                if isinstance(want, dict):
                    want = want[args.policy]
                got = vigie[key]
                checks += 1
                ok = got["sha256"] == want and got.get("gap_bytes", 0) == fl[dname]["gap_bytes"]
                failures += not ok
                print("%s vigie %s %s" % ("ok  " if ok else "FAIL", name, dname))
    if not have_tshark:
        print("tshark not installed: generator checks skipped")
    print("%d checks, %d failures" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
