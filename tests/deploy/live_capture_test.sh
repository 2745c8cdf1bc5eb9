#!/usr/bin/env bash
# Live capture, end to end, inside two throw-away network namespaces joined by a veth pair:
#
#   ns vgsrv<pid>: 10.200.S.1 (the "inside" API server)  <== veth ==>  ns vgcli<pid>: 10.200.S.2
#                                                                     vigie --interface vgc<pid>
#   1. HTTP exfiltration: python3 -m http.server serves a JSON list of N (default 150) people with
#      valid NIRs from the server namespace; curl fetches it from the client namespace. vigie,
#      capturing on the client end, must raise pii.bulk_transfer (>= 100 records, src = server,
#      dest = client) in its --alerts file, count the alert in its --metrics-file, and write no
#      clear NIR or e-mail address anywhere.
#   2. Counting: tcpreplay --pps=1000 sends a generated capture (addresses 10.200.S.x) from the
#      server end; vigie_capture_packets_total + vigie_capture_kernel_drops_total must account for
#      every packet tcpreplay sent, with no kernel drop at that rate. A second replay at top
#      speed reports the drop rate (measured, not asserted).
#   3. Least privilege: as uid 65534 with only CAP_NET_RAW + CAP_NET_ADMIN (ambient, as in
#      vigie.service; then as file capabilities, as in the container image) vigie captures;
#      with no capability it exits with an error.
# All traffic stays inside the two namespaces; both (and the veth pair) are deleted on exit.
#
# Usage: tests/deploy/live_capture_test.sh VIGIE
#   env VIGIE_ARGS="--config deploy/vigie.yaml"  extra vigie arguments
#       LIVE_PEOPLE=150  LIVE_PACKETS=3000  LIVE_FAST_PACKETS=30000  KEEP_TMP=1
# Exit 0 pass, 1 fail, 77 SKIP (not root, no `ip netns`, no curl/ethtool, no vigie given).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
HELP="$ROOT/tests/deploy/live_helpers.py"

skip() { echo "SKIP: live_capture_test: $*"; exit 77; }
VIGIE=${1:-}
if [ -z "$VIGIE" ] || [ ! -x "$VIGIE" ]; then skip "no vigie binary given (usage: $0 VIGIE)"; fi
VIGIE=$(readlink -f "$VIGIE")
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, veth, capture)"
for t in ip curl python3 ethtool; do
  command -v "$t" >/dev/null 2>&1 || skip "$t not installed (scripts/install-deps.sh)"
done
PEOPLE=${LIVE_PEOPLE:-150}
PACKETS=${LIVE_PACKETS:-3000}
FAST_PACKETS=${LIVE_FAST_PACKETS:-30000}

id=$$
sub=$((id % 200 + 20))
SRV_IP=10.200.$sub.1
CLI_IP=10.200.$sub.2
NS_SRV=vgsrv$id
NS_CLI=vgcli$id
V_SRV=vgs$id
V_CLI=vgc$id
tmp=$(mktemp -d /tmp/vigie-live.XXXXXX)
chmod 0755 "$tmp"  # part 3 runs vigie as an unprivileged user
pids=()

cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  ip netns del "$NS_SRV" 2>/dev/null
  ip netns del "$NS_CLI" 2>/dev/null
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_SRV" 2>/dev/null || skip "ip netns not usable here"
ip netns add "$NS_CLI" || skip "ip netns not usable here"
srv() { ip netns exec "$NS_SRV" "$@"; }
cli() { ip netns exec "$NS_CLI" "$@"; }

passed=0 failed=0 skipped=0
ok() { passed=$((passed + 1)); echo "PASS $*"; }
ko() { failed=$((failed + 1)); echo "FAIL $*"; }
sk() { skipped=$((skipped + 1)); echo "SKIP $*"; }
show() { sed 's/^/    /' "$@" 2>/dev/null | tail -n 20; }

# ------------------------------------------------------------------ network
ip link add "$V_SRV" netns "$NS_SRV" type veth peer name "$V_CLI" netns "$NS_CLI" || skip "cannot create a veth pair"
for ns in "$NS_SRV" "$NS_CLI"; do
  # No IPv6: keeps router/neighbour solicitations off the link, so packet counts are exact.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
done
srv ip addr add "$SRV_IP/24" dev "$V_SRV"
cli ip addr add "$CLI_IP/24" dev "$V_CLI"
# What a real mirror port needs (promiscuous, no GRO/TSO/GSO), via the shipped script; plus, on
# a veth only, tx checksum offload off so captured segments carry real checksums, as on a wire.
prepare_nic() {  # prepare_nic NAMESPACE IFACE
  if ! ip netns exec "$1" bash "$ROOT/deploy/nic-setup.sh" "$2" >"$tmp/nic-$2.log" 2>&1; then
    ko "deploy/nic-setup.sh $2"; show "$tmp/nic-$2.log"
  fi
  ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1
}
prepare_nic "$NS_SRV" "$V_SRV"
prepare_nic "$NS_CLI" "$V_CLI"

VPID=""
start_vigie() {  # start_vigie TAG: vigie on the client end of the veth, inside its namespace
  local tag=$1 i
  mkdir -p "$tmp/$tag.state"
  # Started with `ip netns exec` directly (not through a shell function) so that $! is vigie
  # itself and SIGTERM reaches it.
  # shellcheck disable=SC2086  # VIGIE_ARGS is a list of words on purpose
  ip netns exec "$NS_CLI" "$VIGIE" --interface "$V_CLI" --home-net "$SRV_IP/32" \
      --alerts "$tmp/$tag.alerts.json" --metrics-file "$tmp/$tag.metrics.prom" \
      --metrics-listen 127.0.0.1:9899 --state-dir "$tmp/$tag.state" ${VIGIE_ARGS:-} \
      >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
  VPID=$!
  pids+=("$VPID")
  for i in $(seq 100); do
    if ! kill -0 "$VPID" 2>/dev/null; then
      ko "$tag: vigie exited at start"; show "$tmp/$tag.err"; VPID=""; return 1
    fi
    # Loopback of the client namespace: the probe is not on the captured veth.
    if cli curl -sf -o /dev/null --max-time 1 http://127.0.0.1:9899/metrics; then break; fi
    sleep 0.1
  done
  [ "$i" -lt 100 ] || echo "note: $tag: metrics endpoint never answered; going on after 10 s"
  sleep 1  # the endpoint can come up a moment before the capture ring is live
  return 0
}
stop_vigie() {  # stop_vigie TAG: SIGTERM, 20 s to flush alerts and write the metrics file
  local tag=$1 i rc
  [ -n "$VPID" ] || return 1
  kill -TERM "$VPID" 2>/dev/null
  for i in $(seq 200); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$VPID" 2>/dev/null; then
    ko "$tag: vigie still running 20 s after SIGTERM"; kill -KILL "$VPID" 2>/dev/null
  fi
  wait "$VPID"; rc=$?
  if [ $rc -eq 0 ]; then ok "$tag: vigie stopped cleanly on SIGTERM"; else ko "$tag: vigie exit code $rc after SIGTERM"; show "$tmp/$tag.err"; fi
  VPID=""
}
metric() { python3 "$HELP" metric "$@" 2>/dev/null || echo -1; }

# ------------------------------------------------------------------ 1. HTTP exfiltration
mkdir -p "$tmp/www"
python3 "$HELP" people "$tmp/www" "$PEOPLE" | sed 's/^/    /'
ip netns exec "$NS_SRV" python3 -m http.server 8080 --bind "$SRV_IP" --directory "$tmp/www" >"$tmp/http.log" 2>&1 &
pids+=("$!")
reachable=0
for _ in $(seq 50); do
  if cli curl -sf -o /dev/null --max-time 1 "http://$SRV_IP:8080/"; then reachable=1; break; fi
  sleep 0.1
done
[ $reachable -eq 1 ] || ko "the client namespace cannot reach the HTTP server at $SRV_IP:8080"
if start_vigie http; then
  if cli curl -sf --max-time 10 -u "capemploi-0042:not-a-secret" -o "$tmp/got.json" "http://$SRV_IP:8080/people.json" &&
     cmp -s "$tmp/got.json" "$tmp/www/people.json"; then
    ok "curl fetched $(wc -c <"$tmp/got.json") bytes of personal data across the veth"
  else
    ko "curl could not fetch people.json"
  fi
  sleep 2
  stop_vigie http
  if python3 "$HELP" alerts "$tmp/http.alerts.json" pii.bulk_transfer 100 "$SRV_IP" "$CLI_IP" >"$tmp/alerts-check.log" 2>&1; then
    ok "pii.bulk_transfer raised for >= 100 records from $SRV_IP to $CLI_IP"
  else
    ko "no pii.bulk_transfer alert with >= 100 records from $SRV_IP to $CLI_IP"
  fi
  show "$tmp/alerts-check.log"
  n=$(metric "$tmp/http.metrics.prom" vigie_alerts_total rule=pii.bulk_transfer)
  if [ "$n" -ge 1 ]; then ok "metrics file counts vigie_alerts_total{rule=\"pii.bulk_transfer\"} = $n"
  else ko "metrics file: vigie_alerts_total{rule=\"pii.bulk_transfer\"} = $n (want >= 1)"; fi
  n=$(metric "$tmp/http.metrics.prom" vigie_capture_packets_total)
  if [ "$n" -gt 0 ]; then ok "metrics file: vigie_capture_packets_total = $n"; else ko "metrics file: vigie_capture_packets_total = $n"; fi
  if python3 "$HELP" leaks "$tmp/www/secrets.txt" "$tmp/http.alerts.json" "$tmp/http.metrics.prom" \
       "$tmp/http.out" "$tmp/http.err" "$tmp/http.state"/* >"$tmp/leaks.log" 2>&1; then
    ok "no clear NIR or e-mail in alerts, metrics, logs or state"
  else
    ko "clear personal data written by vigie"; show "$tmp/leaks.log"
  fi
fi

# ------------------------------------------------------------------ 2. packet accounting
if ! command -v tcpreplay >/dev/null 2>&1; then
  sk "packet accounting: tcpreplay not installed"
else
  replay() {  # replay TAG PACKETS TCPREPLAY_RATE_OPTION
    local tag=$1 n=$2 rate=$3 pcap sent pk kd nd out pps
    pcap="$tmp/$tag.pcap"
    n=$(python3 "$HELP" pcap "$pcap" "$sub" "$n") || { ko "$tag: cannot generate a capture"; return; }
    start_vigie "$tag" || return
    out=$(srv tcpreplay --intf1="$V_SRV" "$rate" "$pcap" 2>&1)
    sent=$(sed -n 's/^[[:space:]]*Successful packets:[[:space:]]*\([0-9]*\).*/\1/p' <<<"$out" | head -n1)
    pps=$(sed -n 's/^[[:space:]]*Rated:.*, *\([0-9.]*\) pps.*/\1/p' <<<"$out" | head -n1)
    sleep 2
    stop_vigie "$tag"
    pk=$(metric "$tmp/$tag.metrics.prom" vigie_capture_packets_total)
    kd=$(metric "$tmp/$tag.metrics.prom" vigie_capture_kernel_drops_total)
    nd=$(metric "$tmp/$tag.metrics.prom" vigie_capture_interface_drops_total)
    echo "    $tag: capture $n packets; tcpreplay $rate sent ${sent:-?} at ${pps:-?} pps; vigie packets=$pk kernel_drops=$kd interface_drops=$nd"
    if [ -z "$sent" ]; then ko "$tag: cannot read tcpreplay's count"; printf '%s\n' "$out" | sed 's/^/    /'; return; fi
    REPLAY_RESULT="$sent $pk $kd $nd"
  }
  REPLAY_RESULT=""
  replay paced "$PACKETS" --pps=1000
  if [ -n "$REPLAY_RESULT" ]; then
    read -r sent pk kd _ <<<"$REPLAY_RESULT"
    # Exact up to a few stray frames (ARP) the namespaces may still emit.
    if [ "$pk" -ge 0 ] && [ "$kd" -ge 0 ] && [ $((pk + kd)) -ge "$sent" ] && [ "$pk" -le $((sent + 20)) ]; then
      ok "1000 pps: packets ($pk) + kernel drops ($kd) account for the $sent packets sent"
    else
      ko "1000 pps: packets ($pk) + kernel drops ($kd) do not match the $sent packets sent"
    fi
    if [ "$kd" -eq 0 ]; then ok "1000 pps: no kernel drop"; else ko "1000 pps: $kd kernel drops"; fi
  fi
  REPLAY_RESULT=""
  replay fast "$FAST_PACKETS" --topspeed
  if [ -n "$REPLAY_RESULT" ]; then
    read -r sent pk kd nd <<<"$REPLAY_RESULT"
    echo "    measured: top speed over veth: sent=$sent seen=$pk kernel_drops=$kd interface_drops=$nd" \
         "($(awk -v s="$sent" -v k="$kd" 'BEGIN{printf "%.3f", s ? 100*k/s : 0}') % kernel drops)"
    # Not an exact count (the veth itself may drop at top speed), but nothing may be invented.
    if [ "$pk" -ge 0 ] && [ "$pk" -le $((sent + 20)) ]; then ok "top speed: vigie counted no more packets than were sent"
    else ko "top speed: vigie counted $pk packets for $sent sent"; fi
  fi
fi

# ------------------------------------------------------------------ 3. least privilege
# vigie.service runs vigie as user `vigie` with exactly CAP_NET_RAW + CAP_NET_ADMIN (ambient);
# the container image grants the same two through file capabilities. Both must be enough for a
# live capture, and without them vigie must refuse with an error instead of capturing nothing.
unpriv() {  # unpriv TAG MODE: MODE = ambient | filecaps | none
  local tag=$1 mode=$2 bin pid i n rc
  install -d -m 0755 "$tmp/bin"
  bin="$tmp/bin/vigie-$mode"
  install -m 0755 "$VIGIE" "$bin"
  install -d -m 1777 "$tmp/$tag"
  local caps=(--inh-caps=-all --bounding-set=-all)
  case "$mode" in
    ambient) caps=("--inh-caps=-all,+net_raw,+net_admin" "--ambient-caps=-all,+net_raw,+net_admin"
                   "--bounding-set=-all,+net_raw,+net_admin") ;;
    filecaps) setcap cap_net_raw,cap_net_admin+ep "$bin" || { sk "$tag: setcap failed on $tmp"; return; }
              caps=(--inh-caps=-all "--bounding-set=-all,+net_raw,+net_admin") ;;
  esac
  ip netns exec "$NS_CLI" setpriv --reuid=65534 --regid=65534 --clear-groups "${caps[@]}" \
      "$bin" --interface "$V_CLI" --alerts "$tmp/$tag/alerts.json" --metrics-file "$tmp/$tag/metrics.prom" \
      --metrics-listen 127.0.0.1:9899 >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
  pid=$!
  pids+=("$pid")
  for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if [ "$mode" = none ]; then
    wait "$pid"; rc=$?
    if [ $rc -ne 0 ] && grep -q "error" "$tmp/$tag.err"; then
      ok "$tag: without the capabilities vigie refuses to start (exit $rc: $(head -c 120 "$tmp/$tag.err"))"
    else
      ko "$tag: without capabilities vigie exit $rc; stderr: $(head -c 200 "$tmp/$tag.err")"
      kill -KILL "$pid" 2>/dev/null
    fi
    return
  fi
  sleep 1
  for i in $(seq 20); do cli curl -sf -o /dev/null --max-time 1 "http://$SRV_IP:8080/" && break; sleep 0.1; done
  cli curl -sf -o /dev/null --max-time 5 "http://$SRV_IP:8080/people.json"
  sleep 1
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"; rc=$?
  n=$(metric "$tmp/$tag/metrics.prom" vigie_capture_packets_total)
  if [ $rc -eq 0 ] && [ "$n" -gt 0 ]; then ok "$tag: as uid 65534 with only CAP_NET_RAW+CAP_NET_ADMIN ($mode) vigie captured $n packets"
  else ko "$tag: as uid 65534 ($mode) exit $rc, packets $n"; show "$tmp/$tag.err"; fi
}
if command -v setpriv >/dev/null 2>&1; then
  unpriv unpriv-ambient ambient
  if command -v setcap >/dev/null 2>&1; then unpriv unpriv-filecaps filecaps; else sk "file capabilities: setcap not installed"; fi
  unpriv unpriv-none none
else
  sk "least privilege: setpriv not installed (util-linux)"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
