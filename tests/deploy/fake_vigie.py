#!/usr/bin/env python3
"""Test double for the `vigie` binary, for checking the deployment test harness itself.

It accepts vigie's command line, serves the metric names the dashboard and alerts rely on at
--metrics-listen with values that grow with time, "replays" for (capture duration / speed)
seconds, then exits (writing --metrics-file if asked). It reads no packets: it only lets
prometheus_scrape_test.py be exercised before the real sensor exists, and proves that test can
fail (`--omit NAME` leaves a metric out; the test must then report the queries using it).

Never use it to judge the sensor: run the scrape test with the real binary for that.
"""
import argparse
import http.server
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcap_info import capture_span  # noqa: E402

START = time.time()
LIVE = {"packets": None, "drops": 0}


def exposition(omit):
    t = time.time() - START
    n = int(t * 100)
    live = LIVE["packets"] is not None
    rows = [
        ("vigie_build_info", 'version="0.0.0-fake"', 1, "gauge"),
        ("vigie_process_start_time_seconds", "", START, "gauge"),
        ("vigie_process_cpu_seconds_total", "", time.process_time(), "counter"),
        ("vigie_process_resident_memory_bytes", "", 50 << 20, "gauge"),
        ("vigie_capture_packets_total", 'iface="file"', LIVE["packets"] if live else n, "counter"),
        ("vigie_capture_bytes_total", 'iface="file"', n * 600, "counter"),
        ("vigie_capture_kernel_drops_total", 'iface="file"', LIVE["drops"], "counter"),
        ("vigie_capture_interface_drops_total", 'iface="file"', 0, "counter"),
        ("vigie_decode_anomalies_total", 'reason="ipv4_bad_checksum"', n // 50, "counter"),
        ("vigie_flow_active", "", 12, "gauge"),
        ("vigie_flow_created_total", 'proto="tcp"', n // 10, "counter"),
        ("vigie_flow_created_total", 'proto="udp"', n // 20, "counter"),
        ("vigie_flow_evicted_total", "", 0, "counter"),
        ("vigie_reassembly_gaps_total", "", n // 100, "counter"),
        ("vigie_reassembly_overlap_conflicts_total", "", 0, "counter"),
        ("vigie_reassembly_memcap_drops_total", "", 0, "counter"),
        ("vigie_reassembly_memory_bytes", "", 123456, "gauge"),
        ("vigie_http_transactions_total", "", n // 10, "counter"),
        ("vigie_http_decompression_bombs_total", "", 0, "counter"),
        ("vigie_pii_matches_total", 'type="nir"', n, "counter"),
        ("vigie_pii_matches_total", 'type="email"', n, "counter"),
        ("vigie_pii_rejected_total", 'type="nir"', n // 7, "counter"),
        ("vigie_pii_records_total", "", n, "counter"),
        ("vigie_alerts_total", 'rule="pii.bulk_transfer"', n // 300, "counter"),
        ("vigie_track_entities", "", 3, "gauge"),
        ("vigie_track_snapshot_age_seconds", "", 2, "gauge"),
        ("vigie_stage_seconds_total", 'stage="decode"', t / 10, "counter"),
        ("vigie_stage_seconds_total", 'stage="match"', t / 5, "counter"),
        ("vigie_app_volume_bytes_total", 'direction="outbound"', n * 400, "counter"),
        ("vigie_app_volume_bytes_total", 'direction="inbound"', n * 100, "counter"),
    ]
    out, typed = [], set()
    for name, labels, value, kind in rows:
        if name in omit:
            continue
        if name not in typed:
            out.append("# TYPE %s %s" % (name, kind))
            typed.add(name)
        out.append("%s%s %s" % (name, "{%s}" % labels if labels else "", repr(float(value))))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--read", action="append", default=[])
    ap.add_argument("--interface")
    ap.add_argument("--metrics-listen", default="127.0.0.1:9899")
    ap.add_argument("--metrics-file")
    ap.add_argument("--replay-speed", type=float, default=0.0)
    ap.add_argument("--omit", action="append", default=[])
    args, _ = ap.parse_known_args()

    host, port = args.metrics_listen.rsplit(":", 1)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = exposition(set(args.omit)).encode()
            self.send_response(200 if self.path == "/metrics" else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    if args.interface:
        # Counts what an AF_PACKET socket sees on the interface, like the real capture would, and
        # reports socket drops as kernel drops (PACKET_STATISTICS).
        import socket
        import struct
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        sock.bind((args.interface, 0))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 24)
        sock.settimeout(0.2)
        drops = 0
        LIVE["packets"] = 0
        while not stop.is_set():
            try:
                sock.recv(65535)
                LIVE["packets"] += 1
            except socket.timeout:
                pass
            except InterruptedError:
                pass
        _, d = struct.unpack("II", sock.getsockopt(263, 6, 8))  # SOL_PACKET, PACKET_STATISTICS
        drops += d
        LIVE["drops"] = drops
    elif args.read:
        span = sum(capture_span(p)[1] for p in args.read)
        stop.wait(span / args.replay_speed if args.replay_speed > 0 else 0.5)
    else:
        stop.wait()
    if args.metrics_file:
        with open(args.metrics_file, "w") as f:
            f.write(exposition(set(args.omit)))
    srv.shutdown()


if __name__ == "__main__":
    main()
