#!/usr/bin/env python3
"""Replay test runner: runs the real `vigie` binary on a capture and compares its alerts,
metrics and flow records with what the capture is known to contain.

Usage: replay.py VIGIE CASE.json [--workdir DIR]

A case file (tests/replay/cases/*.json) holds:
  "pcap":      path relative to the repo root, or "generated/<file>" for captures that
               tests/tools/make_pcaps.py writes into build/generated-pcaps at test time
  "args":      extra vigie arguments (e.g. ["--home-net", "10.0.0.0/8"]); "@path" = a repository file
  "workers":   list of worker counts to run with (default [1]); results must be identical
  "metrics":   {"name{label=\"v\"}": value}   exact values from --metrics-file
  "metrics_min": {...}, "metrics_max": {...}  lower and upper bounds
  "alerts":    [{"rule": R (optional: any rule), "entity": ID (optional), "window": W (optional),
                 "min": n, "max": m}]
  "alerts_total": n                          exact number of alert lines (optional)
  "only_entities": [ID…]                     every alert must be about one of these entities
  "flows":     path of a sidecar JSON (list of {"client":[ip,port],"server":[ip,port],"proto":6,
               "pkts_toserver":..,"bytes_toserver":..,"pkts_toclient":..,"bytes_toclient":..})
  "no_full_values": path of a sidecar JSON list of clear personal values that must not appear
               anywhere in vigie's outputs
  "restart_at": seconds into the capture: also replay it as two runs sharing --state-dir, split at
               that packet time, and require the same alerts as one uninterrupted run
Exit 0 on success, 1 with a readable diff on failure.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_metrics(path):
    out = {}
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def metric_total(metrics, name):
    return sum(v for k, v in metrics.items() if k == name or k.startswith(name + "{"))


def run_vigie(vigie, pcaps, args, workdir, tag):
    alerts = os.path.join(workdir, f"alerts-{tag}.json")
    prom = os.path.join(workdir, f"metrics-{tag}.prom")
    flows = os.path.join(workdir, f"flows-{tag}.json")
    for p in (alerts, prom, flows):
        if os.path.exists(p):
            os.remove(p)
    cmd = [vigie] + sum((["--read", p] for p in pcaps), []) + [
        "--alerts", alerts, "--metrics-file", prom, "--flow-log", flows] + args
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise AssertionError(f"vigie exited {r.returncode}: {' '.join(cmd)}\n{r.stderr}")
    alert_list = [json.loads(l) for l in open(alerts)] if os.path.exists(alerts) else []
    flow_list = [json.loads(l) for l in open(flows)] if os.path.exists(flows) else []
    return alert_list, load_metrics(prom), flow_list, [alerts, prom, flows], r.stderr


def check_metrics(case, metrics, errors):
    for key, want in case.get("metrics", {}).items():
        got = metrics.get(key)
        if got is None and "{" not in key:
            got = metric_total(metrics, key)
        if got != want:
            errors.append(f"metric {key}: got {got}, want {want}")
    for key, want in case.get("metrics_max", {}).items():
        got = metrics.get(key)
        if got is None and "{" not in key:
            got = metric_total(metrics, key)
        if got is None or got > want:
            errors.append(f"metric {key}: got {got}, want <= {want}")
    for key, want in case.get("metrics_min", {}).items():
        got = metrics.get(key)
        if got is None and "{" not in key:
            got = metric_total(metrics, key)
        if got is None or got < want:
            errors.append(f"metric {key}: got {got}, want >= {want}")


def check_alerts(case, alerts, errors):
    if "alerts_total" in case and len(alerts) != case["alerts_total"]:
        errors.append(f"alerts: got {len(alerts)} lines, want {case['alerts_total']}: "
                      + ", ".join(f"{a['rule']}/{a.get('entity', {}).get('id')}/{a.get('window')}" for a in alerts))
    for spec in case.get("alerts", []):
        hits = [a for a in alerts if ("rule" not in spec or a.get("rule") == spec["rule"])
                and ("entity" not in spec or a.get("entity", {}).get("id") == spec["entity"])
                and ("window" not in spec or a.get("window") == spec["window"])]
        lo, hi = spec.get("min", 1), spec.get("max", 10**9)
        if not lo <= len(hits) <= hi:
            errors.append(f"alerts {spec}: got {len(hits)}")
    if "only_entities" in case:
        for a in alerts:
            if a.get("entity", {}).get("id") not in case["only_entities"]:
                errors.append(f"unexpected alert for {a.get('entity')}: {a.get('rule')} {a.get('window')}")
    for a in alerts:
        for k in ("timestamp", "event_type", "rule", "severity", "src_ip", "dest_ip", "entity", "pii", "message"):
            if k not in a:
                errors.append(f"alert missing key {k}: {a}")


def flow_key(client, server, proto):
    return (client[0], int(client[1]), server[0], int(server[1]), int(proto))


def check_flows(case, flows, errors):
    if "flows" not in case:
        return
    expected = json.load(open(resolve(case["flows"])))
    proto_num = {"TCP": 6, "UDP": 17, "ICMP": 1, "IPv6-ICMP": 58}
    got = {}
    for f in flows:
        k = flow_key((f["src_ip"], f["src_port"]), (f["dest_ip"], f["dest_port"]), proto_num.get(f["proto"], f["proto"]))
        got[k] = f["flow"]
    for e in expected:
        k = flow_key(e["client"], e["server"], e["proto"])
        g = got.get(k)
        if g is None:
            errors.append(f"flow {k} not reported (have {list(got)[:5]}...)")
            continue
        for field in ("pkts_toserver", "bytes_toserver", "pkts_toclient", "bytes_toclient"):
            if field in e and g[field] != e[field]:
                errors.append(f"flow {k} {field}: got {g[field]}, want {e[field]}")


def check_no_values(case, files, errors):
    if "no_full_values" not in case:
        return
    values = json.load(open(resolve(case["no_full_values"])))
    for path in files:
        if not os.path.exists(path):
            continue
        text = open(path, errors="replace").read()
        for v in values:
            if v and v in text:
                errors.append(f"full personal value {v[:3]}… found in {os.path.basename(path)}")


def resolve(p):
    if p.startswith("generated/"):
        return os.path.join(REPO, "build", "generated-pcaps", p[len("generated/"):])
    return os.path.join(REPO, p)


def alert_signature(alerts):
    return sorted((a["rule"], a.get("entity", {}).get("id"), a.get("window"), a.get("pii", {}).get("records"))
                  for a in alerts)


def main():
    vigie, case_path = sys.argv[1], sys.argv[2]
    case = json.load(open(case_path))
    # "@path" arguments name files of the repository (the test runs from the build tree).
    case["args"] = [os.path.join(REPO, a[1:]) if a.startswith("@") else a for a in case.get("args", [])]
    pcaps = [resolve(p) for p in (case["pcap"] if isinstance(case["pcap"], list) else [case["pcap"]])]
    for p in pcaps:
        if not os.path.exists(p):
            print(f"SKIP: capture {p} absent (run tests/tools/make_pcaps.py)")
            return 77
    errors = []
    with tempfile.TemporaryDirectory(prefix="vigie-replay-") as workdir:
        results = {}
        for n in case.get("workers", [1]):
            alerts, metrics, flows, files, stderr = run_vigie(vigie, pcaps, case.get("args", []) + ["--workers", str(n)],
                                                              workdir, f"w{n}")
            results[n] = (alerts, metrics, flows)
            errs = []
            check_metrics(case, metrics, errs)
            check_alerts(case, alerts, errs)
            check_flows(case, flows, errs)
            check_no_values(case, files + [os.path.join(workdir, "stderr")], errs)
            if "no_full_values" in case:
                values = json.load(open(resolve(case["no_full_values"])))
                errs += [f"full value in stderr" for v in values if v and v in stderr]
            errors += [f"[workers={n}] {e}" for e in errs]
        ns = sorted(results)
        for n in ns[1:]:
            a0, m0, f0 = results[ns[0]]
            a1, m1, f1 = results[n]
            if alert_signature(a0) != alert_signature(a1):
                errors.append(f"alerts differ between workers={ns[0]} and workers={n}")
            for key in ("vigie_flow_created_total", "vigie_capture_packets_total", "vigie_pii_records_total"):
                if metric_total(m0, key) != metric_total(m1, key):
                    errors.append(f"{key} differs between workers={ns[0]} ({metric_total(m0, key)}) and "
                                  f"workers={n} ({metric_total(m1, key)})")
            if len(f0) != len(f1):
                errors.append(f"flow records differ: {len(f0)} vs {len(f1)}")
        if "restart_at" in case:
            errors += check_restart(vigie, pcaps, case, workdir, results[ns[0]][0])
    if errors:
        print("FAIL " + os.path.basename(case_path))
        for e in errors:
            print("  " + e)
        return 1
    print("PASS " + os.path.basename(case_path))
    return 0


def check_restart(vigie, pcaps, case, workdir, uninterrupted):
    """Splits the replay in two runs at packet time `restart_at` (relative to the first packet),
    sharing a state dir; the alerts of both runs together must equal the uninterrupted run's."""
    state = os.path.join(workdir, "state")
    os.makedirs(state, exist_ok=True)
    split_dir = os.path.join(workdir, "split")
    os.makedirs(split_dir, exist_ok=True)
    first, second = split_pcap(pcaps[0], case["restart_at"], split_dir)
    a1, *_ = run_vigie(vigie, [first], case.get("args", []) + ["--state-dir", state], workdir, "part1")
    a2, *_ = run_vigie(vigie, [second], case.get("args", []) + ["--state-dir", state], workdir, "part2")
    if alert_signature(a1 + a2) != alert_signature(uninterrupted):
        return [f"restart: alerts differ: split run {alert_signature(a1 + a2)} vs one run {alert_signature(uninterrupted)}"]
    return []


def split_pcap(path, at_seconds, outdir):
    """Classic little-endian pcap only (what our generator writes)."""
    import struct
    data = open(path, "rb").read()
    hdr, off = data[:24], 24
    magic = struct.unpack("<I", hdr[:4])[0]
    div = 1e9 if magic == 0xA1B23C4D else 1e6
    t0 = None
    parts = [bytearray(hdr), bytearray(hdr)]
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        t = sec + frac / div
        t0 = t if t0 is None else t0
        parts[0 if t - t0 < at_seconds else 1] += data[off:off + 16 + incl]
        off += 16 + incl
    names = [os.path.join(outdir, "part1.pcap"), os.path.join(outdir, "part2.pcap")]
    for n, p in zip(names, parts):
        open(n, "wb").write(p)
    return names


if __name__ == "__main__":
    sys.exit(main())
