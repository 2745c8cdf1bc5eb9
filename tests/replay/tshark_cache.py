"""A cache of tshark results shared by the replay tests of every build directory.

scripts/test.sh runs the suite twice (release, then ASan+UBSan); tshark's view of a public
capture is the same both times and costs as much as the whole release run of these tests. A
result is keyed by the tshark version, the command and the capture's path, size and mtime, and
stored as JSON under $VIGIE_TSHARK_CACHE (default: build/tshark-cache in the source tree).
"""
import hashlib
import json
import os
import subprocess

_HERE = os.path.dirname(os.path.abspath(__file__))
_DIR = os.environ.get("VIGIE_TSHARK_CACHE", os.path.join(_HERE, "..", "..", "build", "tshark-cache"))
_VERSION = None


def _version():
    global _VERSION
    if _VERSION is None:
        r = subprocess.run(["tshark", "--version"], capture_output=True, text=True, timeout=60)
        _VERSION = r.stdout.splitlines()[0] if r.stdout else "unknown"
    return _VERSION


def cached(kind, capture, args, compute):
    """compute() -> JSON-serialisable result, cached for (kind, capture, args)."""
    st = os.stat(capture)
    key = json.dumps([kind, _version(), list(args), os.path.abspath(capture), st.st_size, st.st_mtime_ns])
    path = os.path.join(_DIR, hashlib.sha256(key.encode()).hexdigest() + ".json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    result = compute()
    try:
        os.makedirs(_DIR, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            json.dump(result, f)
        os.replace(tmp, path)  # atomic: concurrent tests never read half a file
    except OSError:
        pass  # read-only tree: just no cache
    return result
