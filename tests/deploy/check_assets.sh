#!/usr/bin/env bash
# Static checks of everything under deploy/ (no root, no network, a few seconds):
#   Prometheus   promtool check config / check rules, and the alert unit tests
#                (promtool test rules tests/deploy/alerts_test.yml)
#   systemd      systemd-analyze verify of vigie.service (on a temp copy whose ExecStart paths
#                point at existing files), required hardening directives, exposure score
#   nic-setup    bash -n, --help, refuses a missing interface
#   Grafana      dashboard JSON valid, unique panel ids, datasource uid = provisioned uid,
#                every query listed in deploy/promql-queries.tsv
#   container    compose.yaml parses (when python3-yaml is there), host network + the two
#                capabilities, every mounted file exists; with a vigie binary, the Dockerfile's
#                runtime packages cover every shared library it links
#
# Usage: tests/deploy/check_assets.sh [VIGIE_BINARY]
# Exit 0 all ran checks passed, 1 a check failed, 77 nothing could be checked.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
VIGIE=${1:-}
tmp=$(mktemp -d /tmp/vigie-assets.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIP $*"; }
have() { command -v "$1" >/dev/null 2>&1; }
# check NAME CMD...: passes when CMD exits 0; prints its output on failure.
check() {
  local name=$1; shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name"; printf '%s\n' "$out" | sed 's/^/    /'; fi
}

# ---------------------------------------------------------------- Prometheus
if have promtool; then
  check "promtool check config deploy/prometheus/prometheus.yml" promtool check config deploy/prometheus/prometheus.yml
  check "promtool check rules deploy/prometheus/alerts.yml" promtool check rules deploy/prometheus/alerts.yml
  check "promtool test rules tests/deploy/alerts_test.yml" bash -c 'cd tests/deploy && promtool test rules alerts_test.yml'
else
  skip "promtool checks: promtool not installed (apt-get install prometheus)"
fi

# ---------------------------------------------------------------- systemd
unit=deploy/systemd/vigie.service
if have systemd-analyze; then
  mkdir -p "$tmp/sd"
  if [ -n "$VIGIE" ] && [ -x "$VIGIE" ]; then cp "$VIGIE" "$tmp/sd/vigie"; else cp /bin/true "$tmp/sd/vigie"; fi
  cp deploy/nic-setup.sh "$tmp/sd/nic-setup"
  cp deploy/systemd/vigie.default "$tmp/sd/default"
  sed -e "s#/usr/local/bin/vigie#$tmp/sd/vigie#g" \
      -e "s#/usr/local/sbin/vigie-nic-setup#$tmp/sd/nic-setup#g" \
      -e "s#EnvironmentFile=/etc/default/vigie#EnvironmentFile=$tmp/sd/default#" "$unit" > "$tmp/sd/vigie.service"
  # verify exits 0 on many problems (unknown values are "ignored"): any output is a failure.
  out=$(systemd-analyze verify "$tmp/sd/vigie.service" 2>&1); rc=$?
  if [ $rc -eq 0 ] && [ -z "$out" ]; then pass "systemd-analyze verify $unit"
  else fail "systemd-analyze verify $unit (rc=$rc)"; printf '%s\n' "$out" | sed 's/^/    /'; fi
  score=$(systemd-analyze security --offline=yes "$tmp/sd/vigie.service" 2>/dev/null |
          sed -n 's/.*Overall exposure level for vigie.service: \([0-9.]*\).*/\1/p')
  if [ -z "$score" ]; then skip "systemd-analyze security: no score (systemd too old for --offline?)"
  elif awk -v s="$score" 'BEGIN{exit !(s <= 3.0)}'; then pass "systemd exposure score $score <= 3.0"
  else fail "systemd exposure score $score > 3.0 (hardening regressed)"; fi
else
  skip "systemd-analyze verify: systemd-analyze not installed (apt-get install systemd)"
fi
missing=()
while IFS= read -r want; do
  grep -qxF -- "$want" "$unit" || missing+=("$want")
done <<'WANT'
User=vigie
CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN
AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
StateDirectory=vigie
LogsDirectory=vigie
Restart=on-failure
ExecReload=/bin/kill -HUP $MAINPID
WANT
grep -q -- '--state-dir /var/lib/vigie' "$unit" || missing+=("--state-dir /var/lib/vigie")
if [ ${#missing[@]} -eq 0 ]; then pass "vigie.service has the required privilege/sandbox directives"
else fail "vigie.service lacks: ${missing[*]}"; fi

# ---------------------------------------------------------------- nic-setup
check "bash -n deploy/nic-setup.sh" bash -n deploy/nic-setup.sh
check "nic-setup.sh --help" bash deploy/nic-setup.sh --help
bash deploy/nic-setup.sh --dry-run vigie-no-such-if0 >/dev/null 2>&1; rc=$?
if [ $rc -eq 2 ]; then pass "nic-setup.sh refuses a missing interface (exit 2)"
else fail "nic-setup.sh on a missing interface exited $rc, expected 2"; fi
if have shellcheck; then
  check "shellcheck deploy/nic-setup.sh tests/deploy/*.sh" shellcheck -S warning deploy/nic-setup.sh tests/deploy/*.sh
fi

# ---------------------------------------------------------------- Grafana + queries
check "dashboard JSON and provisioning" python3 - <<'PY'
import json, re, sys
d = json.load(open("deploy/grafana/dashboards/vigie.json"))
ds_uid = re.search(r"^\s*uid:\s*(\S+)", open("deploy/grafana/provisioning/datasources/vigie-prometheus.yaml").read(), re.M).group(1)
errors = []
def walk(ps):
    for p in ps:
        yield p
        yield from walk(p.get("panels", []))
panels = list(walk(d["panels"]))
ids = [p["id"] for p in panels]
if len(ids) != len(set(ids)):
    errors.append("duplicate panel ids")
for p in panels:
    if p["type"] == "row":
        continue
    if p.get("datasource", {}).get("uid") != ds_uid:
        errors.append("panel %r does not use datasource uid %s" % (p["title"], ds_uid))
    if not p.get("targets"):
        errors.append("panel %r has no query" % p["title"])
    for t in p.get("targets", []):
        if t.get("datasource", {}).get("uid") != ds_uid:
            errors.append("panel %r target %s: datasource uid" % (p["title"], t.get("refId")))
        if re.search(r"\b(src_ip|dest_ip|ip|account|flow)\s*=", t.get("expr", "")):
            errors.append("panel %r filters on a per-host/account label" % p["title"])
cells = {}
for p in d["panels"]:  # top-level grid: rows and panels must not overlap
    g = p["gridPos"]
    for x in range(g["x"], g["x"] + g["w"]):
        for y in range(g["y"], g["y"] + g["h"]):
            if (x, y) in cells:
                errors.append("panel %r overlaps %r" % (p["title"], cells[(x, y)]))
                break
            cells[(x, y)] = p["title"]
    if g["x"] + g["w"] > 24:
        errors.append("panel %r is wider than the grid" % p["title"])
titles = " ".join(p["title"].lower() for p in panels)
for topic in ("packets", "drops", "flows", "reassembly", "pii", "alerts", "direction", "cpu", "memory"):
    if topic not in titles:
        errors.append("no panel about %s" % topic)
prov = open("deploy/grafana/provisioning/dashboards/vigie.yaml").read()
path = re.search(r"^\s*path:\s*(\S+)", prov, re.M).group(1)
compose = open("deploy/container/compose.yaml").read()
if "../grafana/dashboards:%s" % path not in compose:
    errors.append("compose.yaml does not mount the dashboards at the provider path %s" % path)
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
check "deploy/promql-queries.tsv up to date" python3 tests/deploy/promql_queries.py --check
# Every vigie_* metric a query uses should be registered somewhere in the sensor sources.
if [ -d sensor ]; then
  unknown=()
  for m in $(python3 tests/deploy/promql_queries.py | grep -o 'vigie_[a-z0-9_]*' | sort -u); do
    grep -rqF "\"$m\"" sensor/ || unknown+=("$m")
  done
  if [ ${#unknown[@]} -eq 0 ]; then pass "every metric the queries use is named in sensor/"
  else echo "WARN metrics used by dashboard/alerts but not (yet) found as a string in sensor/: ${unknown[*]}"; fi
fi

# ---------------------------------------------------------------- container
if python3 -c 'import yaml' 2>/dev/null; then
  check "compose.yaml lint" python3 - <<'PY'
import os, sys, yaml
base = "deploy/container"
c = yaml.safe_load(open(os.path.join(base, "compose.yaml")))
errors = []
s = c.get("services", {})
for name in ("vigie", "prometheus", "grafana"):
    if name not in s:
        errors.append("missing service " + name)
v = s.get("vigie", {})
if v.get("network_mode") != "host":
    errors.append("vigie must use network_mode: host")
if sorted(v.get("cap_add", [])) != ["NET_ADMIN", "NET_RAW"]:
    errors.append("vigie cap_add must be exactly NET_RAW, NET_ADMIN")
if "ALL" not in v.get("cap_drop", []):
    errors.append("vigie should cap_drop ALL")
if any("no-new-privileges" in o for o in v.get("security_opt", [])):
    errors.append("vigie must not set no-new-privileges (it disables the file capabilities)")
b = v.get("build", {})
ctx = os.path.normpath(os.path.join(base, b.get("context", ".")))
if not os.path.isfile(os.path.join(ctx, b.get("dockerfile", "Dockerfile"))):
    errors.append("vigie build dockerfile not found")
for name, svc in s.items():
    for vol in svc.get("volumes", []):
        src = vol.split(":")[0]
        if src.startswith((".", "/")):
            p = os.path.normpath(os.path.join(base, src))
            if not os.path.exists(p):
                # deploy/vigie.yaml is written by another change; report, do not fail, until it lands
                (print if p.endswith("vigie.yaml") else errors.append)("%s: mounted path %s does not exist" % (name, p))
        elif src not in c.get("volumes", {}):
            errors.append("%s: named volume %s not declared" % (name, src))
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
else
  skip "compose.yaml lint: python3 yaml module not installed (apt-get install python3-yaml)"
fi
df=deploy/container/Dockerfile
if grep -q '^FROM debian:12 AS build' "$df" && grep -q '^FROM debian:12-slim AS runtime' "$df" &&
   grep -q '^USER vigie' "$df" && grep -q 'setcap cap_net_raw,cap_net_admin+ep' "$df"; then
  pass "Dockerfile: Debian 12 multi-stage, non-root, file capabilities"
else
  fail "Dockerfile: expected Debian 12 build/runtime stages, USER vigie and setcap"
fi
if [ -n "$VIGIE" ] && [ -x "$VIGIE" ] && have ldd && have dpkg && have readelf; then
  # Packages owning each library vigie links directly (DT_NEEDED; apt brings their own
  # dependencies). dpkg may know a file under /lib or /usr/lib (merged /usr): try both.
  direct=$(readelf -d "$VIGIE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  need=$(ldd "$VIGIE" | awk -v want=" ${direct//$'\n'/ } " 'index(want, " " $1 " ") && $3 ~ /^\// {print $3}' | while read -r lib; do
           real=$(readlink -f "$lib")
           for p in "$lib" "$real" "${lib#/usr}" "/usr$lib" "${real#/usr}" "/usr$real"; do
             dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1 && break
           done
         done | sort -u)
  runtime=$(sed -n '/^FROM debian:12-slim AS runtime/,$p' "$df")
  absent=()
  for p in $need; do
    case "$p" in libc6|libgcc-s1|libstdc++6) continue ;; esac  # in the base image
    case "$p" in libasan*|libubsan*|liblsan*|libtsan*) continue ;; esac  # sanitizer test builds only
    grep -qw -- "$p" <<<"$runtime" || absent+=("$p")
  done
  if [ ${#absent[@]} -eq 0 ]; then pass "Dockerfile runtime packages cover ldd $VIGIE ($(wc -w <<<"$need") packages)"
  else fail "Dockerfile runtime stage lacks packages for: ${absent[*]}"; fi
else
  skip "Dockerfile runtime libraries vs ldd: pass the vigie binary as \$1"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -gt 0 ] && exit 1
[ $passed -eq 0 ] && { echo "SKIP: check_assets: no check could run"; exit 77; }
exit 0
