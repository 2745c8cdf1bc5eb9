#!/usr/bin/env python3
"""The command line's error contract: one clear line on stderr and exit code 2 for unknown
flags, missing files, non-capture files and bad configuration; a truncated capture is processed
up to the damage and counted, not fatal. Usage: cli_errors.py VIGIE"""
import os
import subprocess
import sys
import tempfile

from verdict import verdict  # noqa: E402 (tests/replay/)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []


def run(args):
    return subprocess.run([sys.argv[1]] + args, capture_output=True, text=True, timeout=120)


def expect_error(args, needle):
    r = run(args)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    if r.returncode != 2:
        failures.append(f"{args}: exit {r.returncode}, want 2 (stderr: {r.stderr.strip()[:300]})")
    elif len(lines) != 1:
        failures.append(f"{args}: {len(lines)} stderr lines, want 1: {r.stderr.strip()[:300]}")
    elif needle not in lines[0]:
        failures.append(f"{args}: stderr {lines[0]!r} lacks {needle!r}")


def main():
    with tempfile.TemporaryDirectory() as d:
        text = os.path.join(d, "notes.txt")
        open(text, "w").write("this is not a capture file\n" * 10)
        bad_cfg = os.path.join(d, "bad.yaml")
        open(bad_cfg, "w").write("capture:\n  snaplen: 1514\n  colour: blue\n")
        bad_sig = os.path.join(d, "bad-sigs.yaml")
        open(bad_sig, "w").write("detectors:\n  - id: broken\n    type: nir\n    patterns: ['(unclosed']\n")
        expect_error(["--bogus-flag"], "--bogus-flag")
        expect_error(["--read", os.path.join(d, "missing.pcap")], "missing.pcap")
        expect_error(["--read", text], "notes.txt")
        expect_error(["--read", text, "--config", bad_cfg], "capture.colour")
        expect_error(["--config", bad_cfg, "--check-config"], ":3: capture.colour: unknown key")
        expect_error(["--read", text, "--home-net", "10.0.0.0/40"], "10.0.0.0/40")
        expect_error([], "nothing to read")
        expect_error(["--check-config", "--signatures", bad_sig], "bad-sigs.yaml")

        r = run(["--version"])
        if r.returncode != 0 or "vigie" not in r.stdout:
            failures.append(f"--version: exit {r.returncode} out {r.stdout!r}")
        r = run(["--help"])
        if r.returncode != 0 or "--read" not in r.stdout:
            failures.append(f"--help: exit {r.returncode}")
        r = run(["--check-config", "--config", os.path.join(REPO, "deploy", "vigie.yaml")])
        if r.returncode != 0:
            failures.append(f"deploy/vigie.yaml does not pass --check-config: {r.stderr.strip()}")

        # Truncated last record: processed up to the damage, counted, exit 0.
        src = os.path.join(REPO, "pcaps", "demo.pcap")
        if os.path.exists(src):
            data = open(src, "rb").read()
            cut = os.path.join(d, "cut.pcap")
            open(cut, "wb").write(data[:len(data) - 7])
            prom = os.path.join(d, "m.prom")
            r = run(["--read", cut, "--alerts", os.path.join(d, "a.json"), "--metrics-file", prom])
            if r.returncode != 0:
                failures.append(f"truncated capture: exit {r.returncode}: {r.stderr.strip()}")
            else:
                text = open(prom).read()
                if "vigie_capture_truncated_total" not in text or 'vigie_capture_truncated_total{iface="file"} 1' not in text:
                    failures.append("truncated capture: vigie_capture_truncated_total is not 1")
        # Privilege drop: started as root with --user nobody, outputs opened before the switch
        # still work, and what is written afterwards (the state snapshot) belongs to nobody.
        if os.geteuid() == 0 and os.path.exists(src):
            import pwd
            state = os.path.join(d, "state")
            os.makedirs(state)
            os.chmod(state, 0o1777)
            os.chmod(d, 0o755)
            alerts = os.path.join(d, "drop-alerts.json")
            r = run(["--read", src, "--user", "nobody", "--state-dir", state, "--alerts", alerts,
                     "--home-net", "10.0.0.0/8"])
            snap = os.path.join(state, "vigie-state.bin")
            if r.returncode != 0:
                failures.append(f"--user nobody: exit {r.returncode}: {r.stderr.strip()[:300]}")
            elif not os.path.exists(snap) or os.stat(snap).st_uid != pwd.getpwnam("nobody").pw_uid:
                failures.append("--user nobody: the state snapshot was not written by nobody")
            elif sum(1 for _ in open(alerts)) != 3:
                failures.append("--user nobody: alerts missing after the privilege drop")
            expect_error(["--read", src, "--user", "no-such-user-vigie", "--alerts", os.path.join(d, "x.json")],
                         "no-such-user-vigie")
    return verdict("cli_errors", failures)


if __name__ == "__main__":
    sys.exit(main())
