#!/usr/bin/env python3
"""Lists every PromQL query Vigie's deployment uses: Grafana dashboard targets and alert rules.

The list is the contract between the dashboard/alerts and the sensor's metric names:
tests/deploy/prometheus_scrape_test.py runs each of these against a real Prometheus scraping a
real vigie. deploy/promql-queries.tsv is a committed copy (source, name, expression) so a reader
or another tool can see every query without parsing Grafana JSON; check_assets.sh fails when it is
stale.

Usage:
  promql_queries.py                 print the TSV on stdout
  promql_queries.py --write         rewrite deploy/promql-queries.tsv
  promql_queries.py --check         exit 1 when deploy/promql-queries.tsv is stale

Python standard library only: alerts.yml is read with a small line parser that understands the
subset it is written in (`- alert: NAME` then `expr: ONE LINE` or a `|`/`>` block).
"""
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "dashboards", "vigie.json")
ALERTS = os.path.join(ROOT, "deploy", "prometheus", "alerts.yml")
TSV = os.path.join(ROOT, "deploy", "promql-queries.tsv")


def _walk_panels(panels):
    for p in panels:
        yield p
        yield from _walk_panels(p.get("panels", []))


def dashboard_queries(path=DASHBOARD):
    """[(panel title + refId, expr)] for every target that has an expr, in dashboard order."""
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)
    out = []
    for p in _walk_panels(dash.get("panels", [])):
        for t in p.get("targets", []):
            expr = t.get("expr", "").strip()
            if expr:
                out.append(("%s [%s]" % (p.get("title", "?"), t.get("refId", "?")), expr))
    return out


def dashboard_variables(path=DASHBOARD):
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)
    return [v["name"] for v in dash.get("templating", {}).get("list", [])]


def alert_queries(path=ALERTS):
    """[(alert name, expr)] from alerts.yml (recording rules are listed as `record:NAME`)."""
    out = []
    name = None
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^\s*-?\s*(alert|record):\s*(\S.*?)\s*$", line)
        if m:
            name = m.group(2) if m.group(1) == "alert" else "record:" + m.group(2)
        m = re.match(r"^(\s*)expr:\s*(.*?)\s*$", line)
        if m:
            indent, value = len(m.group(1)), m.group(2)
            if value[:1] in ("|", ">"):
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i].strip())
                    i += 1
                value = " ".join(b for b in block if b)
                out.append((name, value))
                continue
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            out.append((name, value))
        i += 1
    return out


_THRESHOLD = re.compile(r"\s*(==|!=|>=|<=|>|<)\s*(bool\s+)?-?[0-9.]+(e[-+]?[0-9]+)?\s*$", re.I)


def strip_threshold(expr):
    """`q > 0.001` → `q`: the value an alert compares, to query on its own."""
    return _THRESHOLD.sub("", expr).strip()


def substitute(expr, rate_interval="30s", interval="5s", range_="5m", variables=None):
    """Replaces Grafana's built-in and dashboard variables so Prometheus can run the query."""
    variables = dict(variables or {})
    builtins = {"__rate_interval": rate_interval, "__interval": interval, "__range": range_,
                "__range_s": str(_seconds(range_)), "__interval_ms": str(_seconds(interval) * 1000)}
    builtins.update(variables)

    def repl(m):
        key = m.group(1) or m.group(2)
        return builtins.get(key, m.group(0))

    # Longest names first is implicit: the regex takes the whole identifier.
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", repl, expr)


def _seconds(d):
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d)", d)
    if not m:
        return 0
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def all_queries():
    """[(source, name, expr)]: dashboard first, then alerts."""
    return ([("dashboard", n, e) for n, e in dashboard_queries()] +
            [("alert", n, e) for n, e in alert_queries()])


def tsv():
    rows = ["source\tname\texpr"]
    for s, n, e in all_queries():
        rows.append("%s\t%s\t%s" % (s, n.replace("\t", " "), " ".join(e.split())))
    return "\n".join(rows) + "\n"


def main(argv):
    text = tsv()
    if "--write" in argv:
        with open(TSV, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote", os.path.relpath(TSV, ROOT), "(%d queries)" % (text.count("\n") - 1))
        return 0
    if "--check" in argv:
        try:
            current = open(TSV, encoding="utf-8").read()
        except OSError:
            current = ""
        if current != text:
            print("FAIL: deploy/promql-queries.tsv is stale: run tests/deploy/promql_queries.py --write")
            return 1
        print("ok: deploy/promql-queries.tsv lists all %d queries" % (text.count("\n") - 1))
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
