#!/usr/bin/env python3
"""End-to-end check of the metrics contract: real vigie → real Prometheus → every query we ship.

  prometheus_scrape_test.py VIGIE [PCAP] [options]

Without PCAP, a capture is generated (live_helpers.py exfil-pcap: 20 bulk downloads of 150
people each over 20 s, plus ordinary traffic), so every panel has something to show.

1. Starts VIGIE replaying PCAP at a --replay-speed chosen so the replay lasts about
   --replay-seconds (default 45 s), with --metrics-listen on a free loopback port.
2. Starts the real `prometheus` on another free loopback port, with a temporary copy of
   deploy/prometheus/prometheus.yml pointing at that port (scrape and rule evaluation every
   1 s instead of 5 s, to keep the test short) and deploy/prometheus/alerts.yml beside it.
3. Once Prometheus has scraped vigie at least 3 times, runs every query of
   deploy/grafana/dashboards/vigie.json and deploy/prometheus/alerts.yml (see promql_queries.py)
   through /api/v1/query, with Grafana's variables substituted ($__rate_interval=15s,
   $__range=5m, $instance=.+):
     - dashboard query: must succeed and return at least one series;
     - alert rule: the full expression must evaluate without error, and so must the expression
       without its threshold (`q > 0.001` → `q`); an empty result there is only reported;
     - every alerting rule loaded by Prometheus must report health "ok".
   Queries that are not yet satisfied are retried every 2 s while vigie is still running (a
   labelled counter such as vigie_alerts_total{rule} only exists once something happened).
4. Kills both processes, always, within --timeout seconds (default 90).

Exit 0 when everything passed, 1 when something failed, 77 (SKIP) when a prerequisite is
missing. Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcap_info  # noqa: E402
import promql_queries as pq  # noqa: E402

ROOT = pq.ROOT
PROM_DIR = os.path.join(ROOT, "deploy", "prometheus")
SKIP = 77


def skip(msg):
    print("SKIP: prometheus_scrape_test: " + msg)
    sys.exit(SKIP)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=3.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


def prom_query(base, expr, timeout=5.0):
    """→ (ok, result list or error string). HTTP 400/422 carry Prometheus's error message."""
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = json.loads(r.read())
    except urllib.error.HTTPError as e:
        try:
            body = json.loads(e.read())
        except ValueError:
            return False, "HTTP %d" % e.code
    except (urllib.error.URLError, OSError, ValueError) as e:
        return False, str(e)
    if body.get("status") != "success":
        return False, "%s: %s" % (body.get("errorType"), body.get("error"))
    data = body["data"]
    result = data["result"]
    if data["resultType"] == "scalar":
        result = [{"value": result}]
    return True, result


def temp_prometheus_config(tmp, vigie_port, prom_port):
    """Copy of the shipped config, retargeted; everything else (job name, labels, rule file) kept."""
    text = open(os.path.join(PROM_DIR, "prometheus.yml"), encoding="utf-8").read()
    if "127.0.0.1:9899" not in text:
        raise SystemExit("FAIL: deploy/prometheus/prometheus.yml no longer scrapes 127.0.0.1:9899")
    text = text.replace("127.0.0.1:9899", "127.0.0.1:%d" % vigie_port)
    text = text.replace("127.0.0.1:9090", "127.0.0.1:%d" % prom_port)
    text = re.sub(r"(scrape_interval|evaluation_interval):\s*\S+", r"\1: 1s", text)
    text = re.sub(r"scrape_timeout:\s*\S+", "scrape_timeout: 900ms", text)
    path = os.path.join(tmp, "prometheus.yml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    shutil.copy(os.path.join(PROM_DIR, "alerts.yml"), os.path.join(tmp, "alerts.yml"))
    return path


def stop(proc, name, grace=5.0):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        print("note: %s ignored SIGTERM for %.0f s, killing" % (name, grace))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def tail(path, n=15):
    try:
        return "".join(open(path, errors="replace").readlines()[-n:])
    except OSError:
        return ""


def metric_names(expr):
    return sorted(set(re.findall(r"\b(vigie_[a-z0-9_]+|up)\b", expr)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vigie", nargs="?")
    ap.add_argument("pcap", nargs="?")
    ap.add_argument("--replay-seconds", type=float, default=45.0,
                    help="how long the replay should last (sets --replay-speed)")
    ap.add_argument("--replay-speed", type=float, help="override the computed speed")
    ap.add_argument("--timeout", type=float, default=90.0, help="hard limit for the whole test")
    ap.add_argument("--prometheus", default=shutil.which("prometheus"))
    ap.add_argument("--allow-empty", action="append", default=[], metavar="REGEX",
                    help="dashboard queries matching REGEX may return no series (e.g. a metric this capture cannot trigger)")
    ap.add_argument("--vigie-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for vigie (repeat), e.g. --vigie-arg=--home-net=10.0.0.0/8")
    ap.add_argument("--keep-tmp", action="store_true")
    args = ap.parse_args()
    t0 = time.monotonic()
    deadline = t0 + args.timeout

    if not args.vigie or not (os.path.isfile(args.vigie) and os.access(args.vigie, os.X_OK)):
        skip("no vigie binary given or not executable (usage: %s VIGIE [PCAP])" % sys.argv[0])
    if args.pcap and not os.path.isfile(args.pcap):
        skip("capture %s not readable (usage: %s VIGIE [PCAP])" % (args.pcap, sys.argv[0]))
    if not args.prometheus or not os.access(args.prometheus, os.X_OK):
        skip("prometheus not installed (apt-get install prometheus, or scripts/install-deps.sh)")
    tmp = tempfile.mkdtemp(prefix="vigie-prom-test-")
    if not args.pcap:
        args.pcap = os.path.join(tmp, "exfil.pcap")
        out = subprocess.run([sys.executable, os.path.join(HERE, "live_helpers.py"), "exfil-pcap", args.pcap],
                             capture_output=True, text=True)
        if out.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise SystemExit("FAIL: cannot generate a capture: " + out.stderr[-500:])
        print("generated capture:", out.stdout.strip())

    packets, span = pcap_info.capture_span(args.pcap)
    speed = args.replay_speed
    if speed is None:
        if span <= 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise SystemExit("FAIL: %s spans 0 s: pass --replay-speed or a longer capture" % args.pcap)
        speed = span / args.replay_seconds
    print("capture: %d packets over %.3f s; replay speed %.5g (≈ %.0f s)" %
          (packets, span, speed, span / speed if speed > 0 else 0))

    vport, pport = free_port(), free_port()
    while pport == vport:
        pport = free_port()
    vigie = prom = None
    results = {}  # key → (passed, detail)
    try:
        vigie_cmd = [args.vigie, "--read", args.pcap, "--replay-speed", "%.6g" % speed,
                     "--metrics-listen", "127.0.0.1:%d" % vport,
                     "--alerts", os.path.join(tmp, "alerts.json"),
                     "--state-dir", os.path.join(tmp, "state")] + args.vigie_arg
        os.makedirs(os.path.join(tmp, "state"))
        print("start:", " ".join(vigie_cmd))
        vigie = subprocess.Popen(vigie_cmd, stdout=open(os.path.join(tmp, "vigie.out"), "w"),
                                 stderr=open(os.path.join(tmp, "vigie.err"), "w"), start_new_session=True)
        metrics_url = "http://127.0.0.1:%d/metrics" % vport
        exposition = None
        while time.monotonic() < min(deadline, t0 + 20):
            if vigie.poll() is not None:
                break
            try:
                status, exposition = http_get(metrics_url, 1.0)
                if status == 200:
                    break
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        if exposition is None:
            print("FAIL: vigie never served %s (exit code %s)\n%s" % (metrics_url, vigie.poll(), tail(os.path.join(tmp, "vigie.err"))))
            print("0 passed, 1 failed")
            return 1

        config = temp_prometheus_config(tmp, vport, pport)
        prom_cmd = [args.prometheus, "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                    "--web.listen-address=127.0.0.1:%d" % pport, "--log.level=warn"]
        print("start:", " ".join(prom_cmd))
        prom = subprocess.Popen(prom_cmd, stdout=open(os.path.join(tmp, "prometheus.out"), "w"),
                                stderr=open(os.path.join(tmp, "prometheus.err"), "w"), start_new_session=True)
        base = "http://127.0.0.1:%d" % pport
        ready = False
        while time.monotonic() < deadline and prom.poll() is None:
            try:
                ready = http_get(base + "/-/ready", 1.0)[0] == 200
            except (urllib.error.URLError, OSError):
                pass
            if ready:
                break
            time.sleep(0.3)
        if not ready:
            print("FAIL: prometheus did not become ready\n" + tail(os.path.join(tmp, "prometheus.err")))
            print("0 passed, 1 failed")
            return 1

        # Wait for 3 successful scrapes: rate() needs 2 samples, and one more for margin.
        scrapes = 0
        while time.monotonic() < deadline and vigie.poll() is None:
            ok, res = prom_query(base, 'sum_over_time(up{job="vigie"}[1m])')
            scrapes = float(res[0]["value"][1]) if ok and res else 0
            if scrapes >= 3:
                break
            time.sleep(0.5)
        print("prometheus scraped vigie %d times after %.1f s" % (scrapes, time.monotonic() - t0))

        variables = {v: ".+" for v in pq.dashboard_variables()}
        checks = []  # (key, kind, expr to run, must be non-empty)
        for name, expr in pq.dashboard_queries():
            q = pq.substitute(expr, rate_interval="15s", interval="1s", range_="5m", variables=variables)
            must = not any(re.search(rx, expr) for rx in args.allow_empty)
            checks.append(("dashboard: " + name, q, must))
        for name, expr in pq.alert_queries():
            checks.append(("alert: %s (full expression)" % name, expr, False))
            stripped = pq.strip_threshold(expr)
            if stripped != expr:
                checks.append(("alert: %s (without threshold)" % name, stripped, False))
        empty_notes = {}
        pending = list(checks)
        rules_ok = None
        while pending and time.monotonic() < deadline - 8:
            still = []
            for key, q, must in pending:
                ok, res = prom_query(base, q)
                if ok and (res or not must):
                    results[key] = (True, "%d series" % len(res))
                    if not res and ("without threshold" in key or key.startswith("dashboard")):
                        empty_notes[key] = q
                else:
                    results[key] = (False, res if not ok else "no series (metrics: %s)" % ", ".join(metric_names(q)))
                    still.append((key, q, must))
            pending = still
            # Alerting rules must have been evaluated without error at least once.
            try:
                rules = json.loads(http_get(base + "/api/v1/rules", 3.0)[1])["data"]["groups"]
                bad = [(r["name"], r.get("lastError", "")) for g in rules for r in g["rules"] if r.get("health") != "ok"]
                n_rules = sum(len(g["rules"]) for g in rules)
                rules_ok = (not bad and n_rules == len(pq.alert_queries()), bad, n_rules)
            except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
                rules_ok = (False, [("?", str(e))], 0)
            if not pending and rules_ok[0]:
                break
            if vigie.poll() is not None:
                print("note: vigie exited (code %s) before every query was satisfied: "
                      "once its target is down Prometheus marks its series stale; use a longer capture "
                      "or a lower --replay-speed" % vigie.returncode)
                break
            time.sleep(2)

        # Diagnose failures against what vigie itself exposes.
        exposed = set()
        try:
            exposed = set(re.findall(r"^(vigie_[a-z0-9_]+?)(?:_bucket|_sum|_count)?[{ ]", http_get(metrics_url, 2.0)[1], re.M))
        except (urllib.error.URLError, OSError):
            exposed = set(re.findall(r"^(vigie_[a-z0-9_]+)[{ ]", exposition, re.M))

        passed = failed = 0
        for key, q, must in checks:
            ok, detail = results.get(key, (False, "not run (timeout)"))
            if ok:
                passed += 1
                print("PASS %s — %s" % (key, detail))
            else:
                failed += 1
                missing = [m for m in metric_names(q) if m.startswith("vigie_") and m not in exposed]
                hint = ("; vigie does not expose: " + ", ".join(missing)) if missing else ""
                print("FAIL %s — %s%s\n     query: %s" % (key, detail, hint, q))
        for key, q in sorted(empty_notes.items()):
            print("note: %s returned no series (allowed): %s" % (key, q))
        if rules_ok is None:
            rules_ok = (False, [("?", "rules never read")], 0)
        if rules_ok[0]:
            passed += 1
            print("PASS prometheus loaded %d alerting rules, all healthy" % rules_ok[2])
        else:
            failed += 1
            print("FAIL alerting rules: %d loaded (expected %d), unhealthy: %s" %
                  (rules_ok[2], len(pq.alert_queries()), rules_ok[1]))
        print("elapsed %.1f s" % (time.monotonic() - t0))
        print("%d passed, %d failed" % (passed, failed))
        return 0 if failed == 0 else 1
    finally:
        stop(prom, "prometheus")
        stop(vigie, "vigie")
        if args.keep_tmp:
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
