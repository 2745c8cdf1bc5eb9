#!/usr/bin/env python3
"""Regenerates every capture in pcaps/ from the scenarios in tests/tools/scenarios/.

Each scenario module defines build(outdir) and writes one or more files there (plus, where a
test needs it, a small .json sidecar describing what the capture contains). Deterministic:
running it twice gives identical bytes.

Usage: tests/tools/make_pcaps.py [--large] [OUTDIR] [SCENARIO...]

With --large, modules that define build_large(outdir) also write their big captures (a month of
API traffic, a 1 GB upload cut at snaplen 128, …). Those are made at test time into
build/generated-pcaps and never stored in the repository.
"""
import importlib
import os
import pkgutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main():
    args = sys.argv[1:]
    large = "--large" in args
    args = [a for a in args if a != "--large"]
    outdir = args[0] if args else os.path.join(HERE, "..", "..", "pcaps")
    wanted = set(args[1:])
    os.makedirs(outdir, exist_ok=True)
    import scenarios
    for m in sorted(pkgutil.iter_modules(scenarios.__path__), key=lambda m: m.name):
        if wanted and m.name not in wanted:
            continue
        mod = importlib.import_module("scenarios." + m.name)
        mod.build(outdir)
        if large and hasattr(mod, "build_large"):
            mod.build_large(outdir)
        print("built", m.name)


if __name__ == "__main__":
    main()
