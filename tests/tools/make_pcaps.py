#!/usr/bin/env python3
"""Regenerates every capture in pcaps/ from the scenarios in tests/tools/scenarios/.

Each scenario module defines build(outdir) and writes one or more files there (plus, where a
test needs it, a small .json sidecar describing what the capture contains). Deterministic:
running it twice gives identical bytes.

Usage: tests/tools/make_pcaps.py [OUTDIR] [SCENARIO...]
"""
import importlib
import os
import pkgutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "pcaps")
    wanted = set(sys.argv[2:])
    os.makedirs(outdir, exist_ok=True)
    import scenarios
    for m in sorted(pkgutil.iter_modules(scenarios.__path__), key=lambda m: m.name):
        if wanted and m.name not in wanted:
            continue
        mod = importlib.import_module("scenarios." + m.name)
        mod.build(outdir)
        print("built", m.name)


if __name__ == "__main__":
    main()
