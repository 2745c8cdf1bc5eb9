#!/usr/bin/env python3
"""Full-pipeline throughput: the real `vigie` binary replaying a mixed capture (TLS bulk, JSON
APIs with and without personal data, DNS) from the page cache, one worker, one core.

Prints, per run: Gbit/s of wire traffic per core (CPU time of the process, start-up excluded),
packets/s, and peak RSS. Start-up (signature compilation) is measured on a one-packet capture
and subtracted. Usage: bench/pipeline_bench.py VIGIE[,VIGIE2...] [MEGABYTES=256] [RUNS=3]
With several binaries (comma-separated), each run replays the same capture with each of them in
turn (A/B comparisons on a noisy machine: alternate, then compare medians and bests).
"""
import os
import re
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(vigie, pcap, workdir):
    prom = os.path.join(workdir, "m.prom")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([vigie, "--read", pcap, "--alerts", "/dev/null", "--home-net", "10.0.0.0/8",
                        "--metrics-file", prom], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    metrics = {}
    for line in open(prom):
        if line.startswith("#") or not line.strip():
            continue
        k, _, v = line.rpartition(" ")
        metrics[k] = float(v)
    return cpu, metrics, r.stderr


def total(metrics, name):
    return sum(v for k, v in metrics.items() if k == name or k.startswith(name + "{"))


def main():
    vigies = sys.argv[1].split(",")
    mb = float(sys.argv[2]) if len(sys.argv) > 2 else 256
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, "mixed.pcap")
        subprocess.run([sys.executable, os.path.join(HERE, "mixed_capture.py"), pcap, str(mb)], check=True,
                       capture_output=True)
        tiny = os.path.join(d, "tiny.pcap")
        with open(pcap, "rb") as f:
            head = f.read(24 + 16)
            incl = int.from_bytes(head[32:36], "little")
            open(tiny, "wb").write(head + f.read(incl))
        startup = {}
        for vigie in vigies:
            startup[vigie] = min(run(vigie, tiny, d)[0] for _ in range(3))
            print(f"{vigie}: start-up (signature compilation etc.): {startup[vigie]:.3f} s CPU")
        rates = {v: [] for v in vigies}
        for i in range(runs):
            for vigie in vigies:
                cpu, m, _ = run(vigie, pcap, d)
                wire = total(m, "vigie_capture_bytes_total")
                pkts = total(m, "vigie_capture_packets_total")
                scanned = total(m, "vigie_pii_scanned_bytes_total")
                rss = m.get("vigie_process_peak_resident_memory_bytes", 0) / 2**20
                busy = max(cpu - startup[vigie], 1e-9)
                rates[vigie].append(wire * 8 / busy / 1e9)
                who = f"{vigie} " if len(vigies) > 1 else ""
                print(f"{who}run {i + 1}: {wire / 1e6:.0f} MB wire, {pkts:.0f} packets, {scanned / 1e6:.0f} MB scanned for "
                      f"PII; {busy:.3f} s CPU -> {wire * 8 / busy / 1e9:.2f} Gbit/s per core, "
                      f"{pkts / busy / 1e6:.2f} Mpackets/s, peak RSS {rss:.0f} MiB")
        if len(vigies) > 1 or runs > 1:
            for vigie, r in rates.items():
                r = sorted(r)
                print(f"{vigie}: median {r[len(r) // 2]:.2f}, best {r[-1]:.2f} Gbit/s per core over {len(r)} runs")

if __name__ == "__main__":
    main()
