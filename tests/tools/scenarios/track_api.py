"""Tracker scenario 1 as a capture: an HTTP JSON API read by 25 advisors, one of whom pages
through the whole file (the France Travail 2024 pattern).

Plain HTTP, one keep-alive TCP connection per advisor workstation, HTTP Basic auth per account.
  - 25 normal accounts (capemploi-0000 … 0024, workstations 10.20.0.10 …) each read a few single
    records (GET /api/v1/demandeurs/<id>) spread over the hour;
  - capemploi-0042 (10.20.0.52) pages through `heavy_records` people, 100 per page, at an even
    pace over the hour (GET /api/v1/demandeurs?page=N&size=100).
API server: 10.10.0.5:8080 (Host api.francetravail.example). Home net: 10.0.0.0/8.

build(outdir) writes the SMALL variant only (track_api_small.pcap, 1 200 records for the
heavy account, < 2 MB) with a sidecar track_api_small.json; generate(path, scale) writes
bigger ones at test time (scale 1.0 = 12 000 records in one hour, 3.3 MB).
Deterministic: same arguments → identical bytes. All people are fictitious (people.py).
"""
import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402

SERVER = "10.10.0.5"
SERVER_PORT = 8080
HOST = "api.francetravail.example"
T0 = 1707224400.0  # 2024-02-06T13:00:00Z
HOUR = 3600.0
NORMAL_ACCOUNTS = 25
NORMAL_READS = 3  # single records per normal account in the hour
HEAVY_ACCOUNT = "capemploi-0042"
HEAVY_CLIENT = "10.20.0.52"
PAGE = 100


def account(i):
    return "capemploi-%04d" % i


def workstation(i):
    return "10.20.0.%d" % (10 + i)


def basic(user):
    return "Basic " + base64.b64encode(("%s:%s" % (user, "s3cret-" + user[-4:])).encode()).decode()


def record(p):
    return {"identifiant_ft": p["ft_id"], "nom": p["last_name"], "prenom": p["first_name"], "nir": p["nir"],
            "date_naissance": p["birth_date"], "email": p["email"], "telephone": p["phone"],
            "adresse": p["address"]}


def request(path, user):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nAccept: application/json\r\n"
            "User-Agent: portail-conseiller/3.2\r\n\r\n" % (path, HOST, basic(user))).encode()


def response(body):
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\n\r\n"
            % len(body)) + body


def _exchange(conv, t, path, user, body):
    conv.t = t
    conv.send(0, request(path, user))
    conv.send(1, response(body))


def generate(path, scale=1.0):
    """Writes the capture to `path`; returns the facts a replay test checks (also the sidecar)."""
    heavy_records = max(PAGE, int(round(12000 * scale / PAGE)) * PAGE)
    pages = heavy_records // PAGE
    normal_total = NORMAL_ACCOUNTS * NORMAL_READS
    folks = people.people(seed=20240206, n=heavy_records + normal_total)
    heavy_people, normal_people = folks[:heavy_records], folks[heavy_records:]

    convs = []
    # Normal advisors: a few single-record reads each, spread over the hour.
    for i in range(NORMAL_ACCOUNTS):
        c = pcapgen.TcpConversation(workstation(i), SERVER, 40000 + i, SERVER_PORT, t0=T0 + 7 * i)
        c.handshake()
        for k in range(NORMAL_READS):
            p = normal_people[i * NORMAL_READS + k]
            t = T0 + 60 + i * 11 + k * (HOUR - 300) / NORMAL_READS
            _exchange(c, t, "/api/v1/demandeurs/%s" % p["ft_id"], account(i),
                      json.dumps(record(p), ensure_ascii=False).encode())
        c.t = T0 + HOUR - 30 + i * 0.1
        c.close()
        convs.append(c)
    # The stolen account pages through the file.
    c = pcapgen.TcpConversation(HEAVY_CLIENT, SERVER, 45042, SERVER_PORT, t0=T0 + 30)
    c.handshake()
    step = (HOUR - 120) / pages
    for n in range(pages):
        chunk = heavy_people[n * PAGE:(n + 1) * PAGE]
        body = json.dumps({"page": n + 1, "size": PAGE, "total": heavy_records,
                           "demandeurs": [record(p) for p in chunk]}, ensure_ascii=False).encode()
        _exchange(c, T0 + 60 + n * step, "/api/v1/demandeurs?page=%d&size=%d" % (n + 1, PAGE), HEAVY_ACCOUNT, body)
    c.t = T0 + HOUR - 20
    c.close()
    convs.append(c)

    frames = sorted((f for conv in convs for f in conv.frames), key=lambda f: f[0])
    with pcapgen.PcapWriter(path) as w:
        for ts, fr, wire in frames:
            w.add(ts, fr, wire)

    facts = {
        "home_net": "10.0.0.0/8",
        "server": "%s:%d" % (SERVER, SERVER_PORT),
        "start": T0,
        "duration_s": HOUR,
        "heavy_account": HEAVY_ACCOUNT,
        "heavy_client": HEAVY_CLIENT,
        "heavy_records": heavy_records,
        "heavy_distinct_nir": len({p["nir"] for p in heavy_people}),
        "heavy_pages": pages,
        "page_size": PAGE,
        "normal_accounts": [account(i) for i in range(NORMAL_ACCOUNTS)],
        "normal_records_each": NORMAL_READS,
        # With the default thresholds (1000 / 1 h) scale ≥ 0.1 makes exactly the heavy account
        # (and its workstation) alert on exfil.entity_records; each page (100 records) also
        # reaches pii.bulk_transfer's default minimum.
        "expected_alert_entities": [{"kind": "account", "id": HEAVY_ACCOUNT}, {"kind": "ip", "id": HEAVY_CLIENT}],
        "http_messages": 2 * (pages + NORMAL_ACCOUNTS * NORMAL_READS),
    }
    return facts


def build(outdir):
    path = os.path.join(outdir, "track_api_small.pcap")
    facts = generate(path, scale=0.1)
    with open(os.path.join(outdir, "track_api_small.json"), "w") as f:
        json.dump(facts, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) >= 2:
        print(json.dumps(generate(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0), indent=2))
    else:
        build(os.path.join(HERE, "..", "..", "..", "pcaps"))


def build_large(outdir):
    """Issue scenario (1) at full scale: 12 000 records in one hour for one account."""
    facts = generate(os.path.join(outdir, "track_api_full.pcap"), scale=1.0)
    with open(os.path.join(outdir, "track_api_full.json"), "w") as f:
        json.dump(facts, f, indent=2, sort_keys=True)
