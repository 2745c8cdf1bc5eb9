#!/usr/bin/env bash
# Runs deploy/nic-setup.sh for real on a veth pair inside a throw-away network namespace and
# checks: promiscuous mode on, the offloads it manages off, a second run changes nothing,
# --dry-run changes nothing. Needs root, `ip netns` and ethtool; exits 77 (SKIP) otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
SCRIPT=$PWD/deploy/nic-setup.sh

[ "$(id -u)" -eq 0 ] || { echo "SKIP: nic_setup_test: needs root"; exit 77; }
command -v ethtool >/dev/null || { echo "SKIP: nic_setup_test: ethtool not installed"; exit 77; }
ns=vgnic$$
ip netns add "$ns" 2>/dev/null || { echo "SKIP: nic_setup_test: ip netns not usable here"; exit 77; }
trap 'ip netns del "$ns" 2>/dev/null' EXIT
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link add vgx0 type veth peer name vgx1 || { echo "SKIP: nic_setup_test: cannot create veth"; exit 77; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "PASS $*"; }
ko() { failed=$((failed + 1)); echo "FAIL $*"; }
feature() { in_ns ethtool -k vgx0 | sed -n "s/^[[:space:]]*$1: \([a-z]*\).*/\1/p"; }
promisc() { (( ($(in_ns cat /sys/class/net/vgx0/flags) & 0x100) != 0 )) && echo on || echo off; }

# veth starts with TSO/GSO and VLAN parsing on; GRO is turned on here: the script has work to do.
in_ns ethtool -K vgx0 generic-receive-offload on >/dev/null 2>&1
before_tso=$(feature tcp-segmentation-offload)
out=$(in_ns bash "$SCRIPT" --dry-run vgx0); rc=$?
if [ $rc -eq 0 ] && grep -q "would run: ethtool -K vgx0 tcp-segmentation-offload off" <<<"$out" &&
   [ "$(feature tcp-segmentation-offload)" = "$before_tso" ] && [ "$(promisc)" = off ]; then
  ok "--dry-run lists the changes and applies none"
else ko "--dry-run (rc=$rc, tso $before_tso→$(feature tcp-segmentation-offload), promisc $(promisc))"; echo "$out"; fi

out=$(in_ns bash "$SCRIPT" vgx0); rc=$?
if [ $rc -eq 0 ]; then ok "first run exits 0"; else ko "first run exited $rc"; echo "$out"; fi
if [ "$(promisc)" = on ]; then ok "promiscuous mode on"; else ko "promiscuous mode still off"; fi
for f in generic-receive-offload tcp-segmentation-offload generic-segmentation-offload rx-vlan-offload rx-gro-list; do
  v=$(feature "$f")
  if [ -z "$v" ] || [ "$v" = off ]; then ok "$f ${v:-absent}"; else ko "$f still $v"; fi
done

out=$(in_ns bash "$SCRIPT" vgx0); rc=$?
if [ $rc -eq 0 ] && grep -q "nothing to change" <<<"$out" && ! grep -q "ethtool -K" <<<"$out"; then
  ok "second run is a no-op (idempotent)"
else ko "second run changed something (rc=$rc)"; echo "$out"; fi

in_ns ethtool -K vgx0 rx-vlan-offload on >/dev/null 2>&1
out=$(in_ns bash "$SCRIPT" --keep-vlan-offload vgx0); rc=$?
if [ $rc -eq 0 ] && [ "$(feature rx-vlan-offload)" = on ]; then ok "--keep-vlan-offload leaves VLAN offload on"
else ko "--keep-vlan-offload (rc=$rc, rx-vlan-offload $(feature rx-vlan-offload))"; fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
