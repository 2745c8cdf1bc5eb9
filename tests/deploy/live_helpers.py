#!/usr/bin/env python3
"""Helpers for live_capture_test.sh (standard library only).

  live_helpers.py people DIR N          DIR/people.json: N job-seeker records with valid NIRs
                                       (tests/tools/people.py is used when it exists and works);
                                       DIR/secrets.txt: the clear values that must never leak
  live_helpers.py pcap FILE SUBNET N   FILE: ~N packets of TCP/UDP between 10.200.SUBNET.1 and .2
                                       (through tests/tools/pcapgen.py); prints the packet count
  live_helpers.py exfil-pcap FILE [TRANSACTIONS SECONDS]
                                       FILE: a capture for prometheus_scrape_test.py: bulk downloads
                                       of 150 people each (outside client, inside API) + other traffic
  live_helpers.py metric FILE NAME [LABEL=VALUE]
                                       sum of NAME's samples in a Prometheus text file (-1 if absent)
  live_helpers.py alerts FILE RULE MIN_RECORDS SRC_IP DEST_IP
                                       exit 0 when FILE has a RULE alert with pii.records >= MIN
                                       and the given src/dest; prints what it found
  live_helpers.py leaks SECRETS FILE...
                                       exit 1 when any clear personal value appears in a FILE
"""
import json
import os
import random
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

FIRST = ["Camille", "Louis", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Nathan", "Inès", "Jules",
         "Sarah", "Théo", "Emma", "Arthur", "Jade", "Gabriel", "Louise", "Raphaël", "Alice", "Adam"]
LAST = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
        "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel"]
CITIES = [("Lyon", "69", "123"), ("Marseille", "13", "055"), ("Lille", "59", "350"),
          ("Nantes", "44", "109"), ("Rennes", "35", "238"), ("Toulouse", "31", "555"),
          ("Bordeaux", "33", "063"), ("Strasbourg", "67", "482"), ("Paris", "75", "056")]


def _ascii(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def nir_for(rng, sex, yy, mm, dep, com):
    order = rng.randint(1, 999)
    base = "%d%02d%02d%s%s%03d" % (sex, yy, mm, dep, com, order)
    return base + "%02d" % (97 - int(base) % 97)


def generate_people(n, seed=20240206):
    rng = random.Random(seed)
    people, seen = [], set()
    while len(people) < n:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, dep, com = rng.choice(CITIES)
        sex, yy, mm, dd = rng.randint(1, 2), rng.randint(45, 99), rng.randint(1, 12), rng.randint(1, 28)
        nir = nir_for(rng, sex, yy, mm, dep, com)
        if nir in seen:
            continue
        seen.add(nir)
        i = len(people)
        people.append({
            "identifiant_ft": "%07d%s" % (rng.randint(0, 9999999), "ABCDEFGHJK"[i % 10]),
            "nom": last.upper(), "prenom": first,
            "date_naissance": "19%02d-%02d-%02d" % (yy, mm, dd), "lieu_naissance": city,
            "nir": nir,
            "email": "%s.%s%d@exemple-mail.fr" % (_ascii(first), _ascii(last), i),
            "telephone": "0%d %02d %02d %02d %02d" % (rng.choice([6, 7]), rng.randint(0, 99), rng.randint(0, 99),
                                                        rng.randint(0, 99), rng.randint(0, 99)),
            "adresse": {"ligne": "%d rue de la République" % rng.randint(1, 200),
                        "code_postal": "%s%03d" % (dep, rng.randint(0, 999)), "ville": city},
        })
    return people


def cmd_people(outdir, n):
    n = int(n)
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "people.json")
    text = None
    tool = os.path.join(ROOT, "tests", "tools", "people.py")
    if os.path.isfile(tool):
        # The project's generator, when present: its output is used as is if it is JSON with at
        # least n records carrying a 15-digit NIR; otherwise fall back to the built-in one.
        for args in (["--count", str(n), "--format", "json"], ["--count", str(n)], [str(n)]):
            try:
                out = subprocess.run([sys.executable, tool] + args, capture_output=True, timeout=60, check=True).stdout
                json.loads(out)
                if len(set(re.findall(rb"(?<!\d)[12]\d{14}(?!\d)", out))) >= n:
                    text = out.decode("utf-8")
                    print("people: %d records from tests/tools/people.py %s" % (n, " ".join(args)))
                    break
            except (subprocess.SubprocessError, ValueError, OSError):
                continue
    if text is None:
        text = json.dumps({"total": n, "resultats": generate_people(n)}, ensure_ascii=False, indent=1)
        print("people: %d records from the built-in generator" % n)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    secrets = set(re.findall(r"(?<!\d)[12]\d{14}(?!\d)", text))
    secrets |= set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text))
    with open(os.path.join(outdir, "secrets.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(secrets)) + "\n")
    print("people: %d distinct clear values to watch for leaks" % len(secrets))


def cmd_pcap(path, subnet, n):
    sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
    import pcapgen as g
    n = int(n)
    a, b = "10.200.%s.1" % subnet, "10.200.%s.2" % subnet
    frames = []
    t = 1700000000.0
    k = 0
    body = (b"x" * 1300)
    while len(frames) < n:
        if k % 4 == 3:
            fr = g.ether(g.ipv4(b, a, g.PROTO_UDP, g.udp(b, a, 40000 + k % 1000, 33334, bytes(range(60)))))
            frames.append((t, fr))
            t += 0.0005
        else:
            c = g.TcpConversation(b, a, 41000 + k % 20000, 80, t0=t, isn_c=1000 + k, isn_s=9000 + k, dt=0.0005)
            c.handshake()
            c.send(0, b"GET /page/%d HTTP/1.1\r\nHost: %s\r\n\r\n" % (k, a.encode()))
            c.send(1, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (len(body) * 3) + body * 3)
            c.close()
            frames.extend((ts, fr) for ts, fr, _ in c.frames)
            t = c.t
        k += 1
    frames = frames[:n]
    with g.PcapWriter(path) as w:
        for ts, fr in frames:
            w.add(ts, fr)
    print(len(frames))


def cmd_exfil_pcap(path, transactions="20", seconds="20"):
    """A capture for prometheus_scrape_test.py: every `seconds / transactions` s an outside client
    (203.0.113.50, account capemploi-0042) downloads 150 people from an inside API (10.10.0.5),
    among ordinary small requests and UDP, so every dashboard panel has something to show."""
    import base64
    sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
    import pcapgen as g
    transactions, seconds = int(transactions), float(seconds)
    server, client, other = "10.10.0.5", "203.0.113.50", "10.10.0.77"
    auth = base64.b64encode(b"capemploi-0042:not-a-secret").decode()
    frames = []
    step = seconds / transactions
    for k in range(transactions):
        t0 = 1707214500.0 + k * step
        body = json.dumps({"total": 150, "resultats": generate_people(150, seed=1000 + k)},
                          ensure_ascii=False).encode("utf-8")
        c = g.TcpConversation(client, server, 50000 + k, 8080, t0=t0, isn_c=100000 * k + 1, isn_s=7000000 + k, dt=0.0002)
        c.handshake()
        c.send(0, ("GET /api/v1/demandeurs?page=%d HTTP/1.1\r\nHost: api.exemple.fr\r\n"
                   "Authorization: Basic %s\r\nAccept: application/json\r\n\r\n" % (k, auth)).encode())
        c.send(1, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        c.close()
        frames.extend((ts, fr) for ts, fr, _ in c.frames)
        # Ordinary traffic: a small internal request and a UDP datagram.
        d = g.TcpConversation(other, server, 40000 + k, 8080, t0=t0 + step / 2, dt=0.0002)
        d.handshake()
        d.send(0, b"GET /health HTTP/1.1\r\nHost: api\r\n\r\n")
        d.send(1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        d.close()
        frames.extend((ts, fr) for ts, fr, _ in d.frames)
        frames.append((t0 + step / 3, g.ether(g.ipv4(other, server, g.PROTO_UDP, g.udp(other, server, 33333, 33334, b"ping")))))
    frames.sort(key=lambda f: f[0])
    with g.PcapWriter(path) as w:
        for ts, fr in frames:
            w.add(ts, fr)
    print("%d packets, %d bulk downloads of 150 people over %.0f s" % (len(frames), transactions, seconds))


def parse_metrics(path):
    out = []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)", line)
        if m:
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
            out.append((m.group(1), labels, float(m.group(4))))
    return out


def cmd_metric(path, name, *selectors):
    want = dict(s.split("=", 1) for s in selectors)
    found = [v for n, l, v in parse_metrics(path) if n == name and all(l.get(k) == x for k, x in want.items())]
    print("%d" % sum(found) if found else "-1")


def cmd_alerts(path, rule, min_records, src_ip, dest_ip):
    min_records = int(min_records)
    alerts = []
    if not os.path.exists(path):
        print("alerts: %s was not written" % path)
        return 1
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.strip()
        if not line:
            continue
        try:
            alerts.append(json.loads(line))
        except ValueError:
            print("alerts: not JSON: %.120s" % line)
            return 1
    print("alerts: %d in file, rules: %s" % (len(alerts), sorted({a.get("rule") for a in alerts})))
    good = []
    for a in alerts:
        if a.get("rule") != rule:
            continue
        records = (a.get("pii") or {}).get("records", 0)
        print("alerts: %s records=%s src=%s:%s dest=%s:%s entity=%s" % (
            rule, records, a.get("src_ip"), a.get("src_port"), a.get("dest_ip"), a.get("dest_port"), a.get("entity")))
        if records >= min_records and a.get("src_ip") == src_ip and a.get("dest_ip") == dest_ip:
            good.append(a)
    return 0 if good else 1


def cmd_leaks(secrets_path, *files):
    secrets = [s for s in open(secrets_path, encoding="utf-8").read().split() if s]
    leaked = 0
    for f in files:
        if not os.path.exists(f):
            continue
        text = open(f, encoding="utf-8", errors="replace").read()
        compact = re.sub(r"[\s.]", "", text)
        for s in secrets:
            if s in text or (s.isdigit() and s in compact):
                print("leak: a clear personal value (%s…) appears in %s" % (s[:3], f))
                leaked += 1
    print("leaks: %d clear values checked in %d files, %d found" % (len(secrets), len(files), leaked))
    return 1 if leaked else 0


def main(argv):
    cmds = {"people": cmd_people, "pcap": cmd_pcap, "exfil-pcap": cmd_exfil_pcap, "metric": cmd_metric, "alerts": cmd_alerts, "leaks": cmd_leaks}
    if not argv or argv[0] not in cmds:
        print(__doc__)
        return 2
    return cmds[argv[0]](*argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
