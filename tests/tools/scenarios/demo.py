"""pcaps/demo.pcap — the quick-start capture: a France Travail-like job-seeker API.

Over one hour of packet time, four advisor accounts (HTTP Basic) use the API of
10.1.2.3:8080 from their workstations in 10.20.0.0/24:
  - conseiller-0007, -0013, -0021 each open a handful of single job-seeker files
    (GET /api/v1/demandeurs/<id>, one person per response);
  - conseiller-0042 pages through the whole register, 100 people per page, 12 pages
    (1 200 distinct people), some pages gzip + chunked.
Expected with default thresholds: pii.bulk_transfer for conseiller-0042's pages (throttled:
one alert per doubling) and exfil.entity_records for conseiller-0042 in the 1 h window
(>= 1 000 distinct people); nothing for the other accounts. The sidecar demo.pcap.json says
so, and lists the clear values that must never appear in any output.
"""
import base64
import gzip
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402

SERVER = "10.1.2.3"
T0 = 1707213600.0  # 2024-02-06T10:00:00Z


def record(p):
    return {"identifiant": p["ft_id"], "nom": p["last_name"], "prenom": p["first_name"], "nir": p["nir"],
            "date_naissance": p["birth_date"], "email": p["email"], "telephone": p["phone"],
            "adresse": p["address"]}


def chunked(data, size=1000):
    out = b""
    for i in range(0, len(data), size):
        out += b"%x\r\n" % len(data[i:i + size]) + data[i:i + size] + b"\r\n"
    return out + b"0\r\n\r\n"


def response(body, gz):
    if gz:
        # mtime=0 keeps the gzip bytes deterministic
        body = chunked(gzip.compress(body, mtime=0))
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n" \
               b"Transfer-Encoding: chunked\r\n\r\n"
    else:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    return head + body


def request(path, user):
    auth = base64.b64encode(("%s:secret" % user).encode())
    return (b"GET %s HTTP/1.1\r\nHost: api.francetravail.example\r\nAuthorization: Basic %s\r\n"
            b"Accept: application/json\r\n\r\n" % (path.encode(), auth))


def build(outdir):
    rng = random.Random(2024)
    register = people.people(77, 1300)
    frames = []
    clear_values = []
    conv_id = 0

    def session(client, user, t, exchanges):
        nonlocal conv_id
        conv_id += 1
        c = pcapgen.TcpConversation(client, SERVER, 40000 + conv_id, 8080, t0=t, isn_c=1000 * conv_id,
                                    isn_s=7000 * conv_id)
        c.handshake()
        for path, body, gz in exchanges:
            c.send(0, request(path, user))
            c.send(1, response(body, gz))
        c.close()
        frames.extend(c.frames)

    # Ordinary advisors: a few single files each, spread over the hour.
    for n, user in enumerate(["conseiller-0007", "conseiller-0013", "conseiller-0021"]):
        for k in range(4):
            p = register[rng.randrange(1200, 1300)]
            body = json.dumps(record(p)).encode()
            session("10.20.0.%d" % (10 + n), user, T0 + 300 * k + 60 * n,
                    [("/api/v1/demandeurs/%s" % p["ft_id"], body, False)])
    # The stolen account pages through the register.
    for page in range(12):
        chunk = register[page * 100:(page + 1) * 100]
        body = json.dumps({"page": page + 1, "demandeurs": [record(p) for p in chunk]}).encode()
        session("10.20.0.42", "conseiller-0042", T0 + 240 * page + 30,
                [("/api/v1/demandeurs?page=%d&size=100" % (page + 1), body, page % 3 == 2)])
    for p in register:
        clear_values += [p["nir"], p["email"], p["phone"]]

    frames.sort(key=lambda f: f[0])
    path = os.path.join(outdir, "demo.pcap")
    with pcapgen.PcapWriter(path) as w:
        for ts, fr, wire in frames:
            w.add(ts, fr, wire)
    with open(path + ".json", "w") as f:
        json.dump({"description": __doc__.strip().splitlines()[0],
                   "stolen_account": "conseiller-0042", "distinct_people_stolen": 1200,
                   "normal_accounts": ["conseiller-0007", "conseiller-0013", "conseiller-0021"]}, f, indent=1)
    with open(path + ".values.json", "w") as f:
        json.dump(sorted(set(clear_values)), f)
