#!/usr/bin/env python3
"""Writes a deterministic mixed-traffic capture for the full-pipeline benchmark.

Mix by bytes (roughly what a data-centre mirror port carries): ~70 % TLS bulk transfers
(encrypted records: volume only, never scanned), ~27 % plaintext JSON API responses (a third of
them listing people with French identifiers, the rest ordinary business JSON), ~3 % DNS
queries and answers. Usage: mixed_capture.py OUT.pcap [MEGABYTES] [--pii]

--pii: every JSON API response lists people with all their identifiers (NIR, France Travail id,
birth date, e-mail, phone, address, IBAN), one in three as a CSV export instead: the PII-dense
side of the traffic (scripts/build-pgo.sh trains on both mixes).
"""
import json
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "tools"))
import pcapgen  # noqa: E402
import people  # noqa: E402


def tls_records(rng, size):
    out = bytearray()
    while len(out) < size:
        n = min(16384, size - len(out))
        out += b"\x17\x03\x03" + struct.pack("!H", n) + rng.randbytes(n)
    return bytes(out)


def people_body(rng, register, n):
    """A PII-dense API response: people with every identifier, as JSON or (one in three) CSV."""
    fields = ("ft_id", "nir", "last_name", "first_name", "birth_date", "email", "phone", "address", "iban")
    rows = rng.sample(register, 50)
    if n % 3 == 0:
        lines = [";".join(("identifiant",) + fields[1:])] + [";".join(p[f] for f in fields) for p in rows]
        return "text/csv", ("\n".join(lines) + "\n").encode()
    items = [{"identifiant": p["ft_id"], "nir": p["nir"], "nom": p["last_name"], "prenom": p["first_name"],
              "date_naissance": p["birth_date"], "email": p["email"], "telephone": p["phone"],
              "adresse": p["address"], "iban": p["iban"], "statut": "inscrit"} for p in rows]
    return "application/json", json.dumps({"resultats": items}).encode()


def main():
    args = [a for a in sys.argv[1:] if a != "--pii"]
    pii = "--pii" in sys.argv[1:]
    out = args[0]
    target = int(float(args[1]) if len(args) > 1 else 64) << 20
    rng = random.Random(10)
    register = people.people(5, 2000)
    t = 1707213600.0
    total = 0
    n = 0
    with pcapgen.PcapWriter(out) as w:
        while total < target:
            n += 1
            kind = n % 10
            client = "10.%d.%d.%d" % (1 + n % 50, (n // 50) % 250, 1 + n % 200)
            if kind < 4:  # TLS bulk upload/download
                c = pcapgen.TcpConversation(client, "198.51.100.%d" % (1 + n % 100), 30000 + n % 30000, 443, t0=t)
                c.handshake()
                c.send(0, pcapgen.tls_client_hello("files%d.example.net" % (n % 7)))
                c.send(1, tls_records(rng, 5000))
                c.send(n % 2, tls_records(rng, 120_000))
                c.close()
            elif kind < 7:  # JSON API
                ctype = "application/json"
                if pii:
                    ctype, body = people_body(rng, register, n)
                elif kind == 4:
                    rows = [{"nom": p["last_name"], "nir": p["nir"], "email": p["email"], "telephone": p["phone"],
                             "date_naissance": p["birth_date"]} for p in rng.sample(register, 50)]
                else:
                    rows = [{"order": rng.randrange(10**6), "sku": "SKU-%06d" % rng.randrange(10**6),
                             "qty": rng.randrange(100), "price": round(rng.random() * 500, 2),
                             "status": rng.choice(["open", "shipped", "closed"]), "note": "standard delivery"}
                            for _ in range(400)]
                if not pii:
                    body = json.dumps({"items": rows}).encode()
                c = pcapgen.TcpConversation(client, "10.1.2.3", 40000 + n % 20000, 8080, t0=t)
                c.handshake()
                c.send(0, b"GET /api/v1/items?page=%d HTTP/1.1\r\nHost: api.example.fr\r\n\r\n" % n)
                c.send(1, b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                       % (ctype.encode(), len(body)) + body)
                c.close()
            else:  # DNS
                c = pcapgen.TcpConversation(client, "10.0.0.53", 0, 0, t0=t)
                c.frames = []
                for k in range(20):
                    name = "host%d.svc%d.example.fr" % (rng.randrange(1000), k)
                    for src, dst, sp, dp, payload in ((client, "10.0.0.53", 50000 + k, 53, pcapgen.dns_query(k, name)),
                                                      ("10.0.0.53", client, 53, 50000 + k,
                                                       pcapgen.dns_answer_a(k, name))):
                        fr = pcapgen.ether(pcapgen.ipv4(src, dst, 17, pcapgen.udp(src, dst, sp, dp, payload)))
                        c.frames.append((t + k * 0.001, fr, len(fr)))
            for ts, fr, wire in c.frames:
                w.add(ts, fr, wire)
                total += wire
            t += 0.05
    print("wrote %s: %.1f MB" % (out, total / 1e6))


if __name__ == "__main__":
    main()
