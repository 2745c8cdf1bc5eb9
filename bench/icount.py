#!/usr/bin/env python3
"""Instructions per byte of one bench_match benchmark, counted by valgrind (callgrind): the same
count on every run, where time on a shared machine swings by 15 % between two runs of one binary
(bench/README.md). One iteration (--benchmark_min_time=0); the instructions run inside the
functions matching TOGGLE (a callgrind --toggle-collect pattern; their callees included), minus
the inclusive count of the first function matching the regex EXCLUDE (the signature set's
compilation when the benchmark loads it).

Usage: bench/icount.py BENCH_MATCH BM_NAME/ARG BYTES TOGGLE [EXCLUDE]
  whole scan of an 8 MiB corpus:
    bench/icount.py build/bench/bench_match BM_GenericJson/65536 8388608 '*testing*Run*' '.*DefaultEngine'
  one finder on its 256 KiB corpus:
    bench/icount.py build/bench/bench_match BM_TokenizerGenericJsonInCache/65536 262144 '*FeedAvx2*'
Instructions are not time (a cache miss or a mispredicted branch costs no instruction): use it to
compare two builds of the same code path, next to bench/ab_match.sh. Needs valgrind (AVX2 and
valgrind emulates no AVX-512: on an AVX-512 CPU it counts the AVX2 paths)."""
import os, re, subprocess, sys, tempfile
b, name, nbytes, toggle = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
exclude = sys.argv[5] if len(sys.argv) > 5 else None
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, 'cg.out')
    subprocess.run(['valgrind', '--tool=callgrind', f'--callgrind-out-file={out}', f'--toggle-collect={toggle}',
                    b, f'--benchmark_filter=^{name}$', '--benchmark_min_time=0'],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    ann = subprocess.run(['callgrind_annotate', '--inclusive=yes', '--threshold=100', out], capture_output=True, text=True).stdout
num = lambda s: int(s.replace(',', ''))
total = re.search(r'([\d,]+)\s+\([\d.]+%\)\s+PROGRAM TOTALS', ann)
ir = num(total.group(1)) if total else 0
if ir == 0:
    sys.exit(f'icount: no instruction ran inside {toggle} (a function inlined away? see callgrind_annotate)')
if exclude:
    for line in ann.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\([\d.]+%\)\s+\S*?' + exclude, line)
        if m:
            ir -= num(m.group(1))
            break
print(f'{name:40s} {b:16s} {ir / nbytes:8.3f} instructions/byte')
