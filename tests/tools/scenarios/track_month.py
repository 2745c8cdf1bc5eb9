"""A month of API traffic (issue scenario 2), made at test time with --large:

track_month.pcap: 30 days. Ten advisors (conseiller-0001..0010, 10.20.1.1-10) each open three
single job-seeker files a day. conseiller-0666 (10.20.1.66) reads 40 new people every hour, day
and night: 960 a day (under the 5 000 / 24 h threshold), 28 800 in the month. Expected with
default thresholds: exfil.entity_records for conseiller-0666 and 10.20.1.66 (30 d threshold
10 000 reached on day 11; 24 h peer outlier: > 20 x the peers' median and >= 500), nothing for
the ten advisors, no pii.bulk_transfer (40 < 100 per response).
"""
import base64
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402

SERVER = "10.1.2.3"
T0 = 1709251200.0  # 2024-03-01T00:00:00Z
HEAVY = ("conseiller-0666", "10.20.1.66")


def exchange(frames, client, user, t, cport, path, body):
    c = pcapgen.TcpConversation(client, SERVER, cport, 8080, t0=t, isn_c=cport * 7, isn_s=cport * 11)
    c.handshake()
    auth = base64.b64encode(("%s:pw" % user).encode())
    c.send(0, b"GET %s HTTP/1.1\r\nHost: api.francetravail.example\r\nAuthorization: Basic %s\r\n\r\n"
           % (path.encode(), auth))
    c.send(1, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    c.close()
    frames.extend(c.frames)


def record(p):
    return {"identifiant": p["ft_id"], "nom": p["last_name"], "nir": p["nir"], "email": p["email"],
            "telephone": p["phone"], "date_naissance": p["birth_date"]}


def build(outdir):
    """Nothing small enough for pcaps/: see build_large."""


def build_large(outdir):
    rng = random.Random(66)
    folks = people.people(4242, 30 * 24 * 40 + 500)
    pool, heavy = folks[:500], folks[500:]
    frames = []
    port = 10000
    for hour in range(30 * 24):
        t = T0 + hour * 3600 + 120
        batch = heavy[hour * 40:(hour + 1) * 40]
        port = 10000 + (port - 9999) % 50000
        exchange(frames, HEAVY[1], HEAVY[0], t, port, "/api/v1/demandeurs?offset=%d" % (hour * 40),
                 json.dumps([record(p) for p in batch]).encode())
        if hour % 24 in (9, 11, 15):
            for i in range(1, 11):
                p = rng.choice(pool)
                port = 10000 + (port - 9999) % 50000
                exchange(frames, "10.20.1.%d" % i, "conseiller-%04d" % i, t + 60 * i, port,
                         "/api/v1/demandeurs/%s" % p["ft_id"], json.dumps(record(p)).encode())
    frames.sort(key=lambda f: f[0])
    with pcapgen.PcapWriter(os.path.join(outdir, "track_month.pcap")) as w:
        for ts, fr, wire in frames:
            w.add(ts, fr, wire)
