#!/usr/bin/env bash
# Prepares a mirror-port (SPAN/TAP) interface for Vigie. Run as root before the sensor starts
# (vigie.service does it with ExecStartPre). Idempotent: it reads the current state first and
# changes only what differs, so running it twice changes nothing the second time.
#
# What it does, and why:
#   1. link up, promiscuous mode on: a mirror port receives frames addressed to other hosts; without
#      promiscuous mode the NIC filters them out before the kernel sees them.
#   2. receive offloads off: GRO, LRO, rx-gro-hw (hardware GRO), rx-gro-list and
#      rx-udp-gro-forwarding merge consecutive segments into one large "packet" before capture,
#      which hides the real segments, breaks sequence/gap accounting and can exceed the snap length.
#   3. segmentation offloads off: TSO and GSO only act on packets this host sends, which a mirror
#      port should never do; they are turned off too so that anything the host itself emits on
#      that interface is captured as it goes on the wire (and for test setups on veth pairs).
#   4. VLAN tag offloads off (rx-vlan-offload, rx-vlan-stag-hw-parse): with them on, the NIC
#      strips 802.1Q/802.1ad tags into packet metadata. libpcap puts a single tag back, but
#      stacked tags (QinQ) and the outer tag may be lost; keeping tags in the frame lets Vigie's
#      decoder see exactly what was on the wire. --keep-vlan-offload leaves them as they are.
#   5. optionally (--max-ring) the NIC receive ring is raised to its hardware maximum, which
#      absorbs bursts and lowers vigie_capture_interface_drops_total.
# Features the driver does not have are skipped; features the driver cannot change ("[fixed]")
# are reported. It never assigns an address, never touches routing, and needs ethtool and ip.
#
# Usage: nic-setup.sh [--dry-run] [--max-ring] [--keep-vlan-offload] IFACE
# Exit: 0 done (or nothing to do), 1 a change failed, 2 usage / missing interface or tool.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

dry_run=0
max_ring=0
keep_vlan=0
iface=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --max-ring) max_ring=1 ;;
    --keep-vlan-offload) keep_vlan=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "nic-setup: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$iface" ] || { echo "nic-setup: one interface only" >&2; exit 2; }; iface="$1" ;;
  esac
  shift
done
if [ -z "$iface" ]; then
  echo "nic-setup: missing interface" >&2
  usage >&2
  exit 2
fi
if [ ! -e "/sys/class/net/$iface" ]; then
  echo "nic-setup: no interface named '$iface'" >&2
  exit 2
fi
for tool in ip ethtool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "nic-setup: '$tool' is required (apt-get install iproute2 ethtool)" >&2
    exit 2
  fi
done

changes=0
failures=0
run() {
  changes=$((changes + 1))
  if [ "$dry_run" -eq 1 ]; then
    echo "nic-setup: would run: $*"
  else
    echo "nic-setup: $*"
    if ! "$@"; then
      echo "nic-setup: FAILED: $*" >&2
      failures=$((failures + 1))
    fi
  fi
}

# 1. Link up and promiscuous (IFF_UP = 0x1, IFF_PROMISC = 0x100 in /sys/class/net/*/flags).
flags=$(( $(cat "/sys/class/net/$iface/flags") ))
if (( (flags & 0x1) == 0 )); then run ip link set dev "$iface" up; fi
if (( (flags & 0x100) == 0 )); then run ip link set dev "$iface" promisc on; fi

# 2–4. Offloads.
features=(
  generic-receive-offload large-receive-offload rx-gro-hw rx-gro-list rx-udp-gro-forwarding
  tcp-segmentation-offload generic-segmentation-offload
)
if [ "$keep_vlan" -eq 0 ]; then
  features+=(rx-vlan-offload rx-vlan-stag-hw-parse)
fi
state=$(ethtool -k "$iface" 2>/dev/null || true)
for f in "${features[@]}"; do
  line=$(printf '%s\n' "$state" | grep -E "^[[:space:]]*$f: " | head -n1 || true)
  if [ -z "$line" ]; then
    echo "nic-setup: $f: not supported by this driver, skipped"
    continue
  fi
  value=${line#*: }
  case "$value" in
    off*) ;;                                   # already off (fixed or not)
    *"[fixed]"*) echo "nic-setup: $f is on and fixed by the driver: cannot turn it off" >&2 ;;
    on*) run ethtool -K "$iface" "$f" off ;;
    *) echo "nic-setup: $f: unexpected state '$value', left as is" >&2 ;;
  esac
done

# 5. Receive ring at its maximum.
if [ "$max_ring" -eq 1 ]; then
  rings=$(ethtool -g "$iface" 2>/dev/null || true)
  max=$(printf '%s\n' "$rings" | awk '/^Pre-set maximums/{m=1} /^Current hardware/{m=0} m && /^RX:/{print $2; exit}')
  cur=$(printf '%s\n' "$rings" | awk '/^Current hardware/{c=1} c && /^RX:/{print $2; exit}')
  if [[ "$max" =~ ^[0-9]+$ && "$cur" =~ ^[0-9]+$ ]]; then
    if (( cur < max )); then run ethtool -G "$iface" rx "$max"; fi
  else
    echo "nic-setup: ring sizes not reported by this driver, skipped"
  fi
fi

# Verify what we changed actually stuck (some drivers accept and ignore).
if [ "$dry_run" -eq 0 ] && [ "$changes" -gt 0 ]; then
  state=$(ethtool -k "$iface" 2>/dev/null || true)
  for f in "${features[@]}"; do
    if printf '%s\n' "$state" | grep -qE "^[[:space:]]*$f: on( |$)" &&
       ! printf '%s\n' "$state" | grep -qE "^[[:space:]]*$f: on \[fixed\]"; then
      echo "nic-setup: $f is still on after the change" >&2
      failures=$((failures + 1))
    fi
  done
  flags=$(( $(cat "/sys/class/net/$iface/flags") ))
  if (( (flags & 0x100) == 0 )); then
    echo "nic-setup: $iface is still not promiscuous" >&2
    failures=$((failures + 1))
  fi
fi

if [ "$changes" -eq 0 ]; then
  echo "nic-setup: $iface already prepared, nothing to change"
elif [ "$dry_run" -eq 1 ]; then
  echo "nic-setup: dry run, $changes change(s) not applied"
fi
[ "$failures" -eq 0 ] || exit 1
exit 0
