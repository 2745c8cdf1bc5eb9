"""People holding several phones and e-mails, as real job-seeker APIs and exports list them.

  http_contacts.pcap (+ .json, .values.json)  one HTTP Basic session (`conseiller-0456`), two GETs:
    - a JSON listing of 30 people, each object holding its NIR, two phones (`telephone`, then
      `portable`), two e-mails (`email`, `email_pro`), an address object, an object with the
      advisor following the person (`conseiller`: name and e-mail, the same for all) and the
      IBAN; Content-Length;
    - a CSV export of 30 other people (text/csv, `;`): France Travail id, name, NIR, birth date,
      e-mail, phone, registration date, a comment holding a second phone ("Rappel au 07 …"),
      IBAN; chunked.

Each person is one record: 60 records, keyed by the NIR. A sensor that starts the next person
where a type repeats counts the JSON people four times each (the second phone, the work e-mail
and the advisor's e-mail each start a group that the following fields make a record) and the
CSV people twice (the comment's phone and the IBAN after it).

The sidecar's `findings` are the values a sensor must count (every occurrence, so the advisor's
e-mail 30 times; the registration dates are not birth dates); `records` is the people count.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402
from scenarios.http_exfil import SERVER, T0, basic, chunked, request, response, sidecar  # noqa: E402

ADVISOR = {"nom": "DURAND", "email": "c.durand@francetravail.fr"}


def mobile(i):
    return "07 %02d %02d %02d %02d" % (11, 20 + i % 70, (i * 7) % 100, (i * 13) % 100)


def json_listing(persons):
    items = []
    for i, p in enumerate(persons):
        items.append({"nir": p["nir"], "nom": p["last_name"], "prenom": p["first_name"], "telephone": p["phone"],
                      "portable": mobile(i), "email": p["email"],
                      "email_pro": "%s.%s.pro%d@entreprise.fr" % (p["first_name"].lower(), p["last_name"].lower(), i),
                      "adresse": {"ligne": p["address"]}, "conseiller": ADVISOR, "iban": p["iban"].replace(" ", "")})
    return json.dumps({"demandeurs": items, "total": len(items)}, separators=(",", ":"), ensure_ascii=False)


def csv_export(persons):
    rows = ["id_france_travail;nom;nir;date_naissance;email;telephone;date_inscription;commentaire;iban"]
    for i, p in enumerate(persons):
        rows.append(";".join([p["ft_id"], p["last_name"], p["nir"], p["birth_date"], p["email"], p["phone"],
                              "12/09/2023", "Rappel au %s le matin" % mobile(100 + i), p["iban"].replace(" ", "")]))
    return "\r\n".join(rows) + "\r\n"


def build(outdir):
    api_people = people.people(710, 30)
    csv_people = people.people(711, 30)
    json_body = json_listing(api_people).encode()
    csv_body = csv_export(csv_people).encode()
    c = pcapgen.TcpConversation("10.20.0.31", SERVER, 50810, 80, t0=T0 + 420)
    c.handshake()
    auth = basic("conseiller-0456", "Printemps2024")
    c.send(0, request("GET", "/api/v1/demandeurs?agence=69003", [("Authorization", auth)]))
    c.send(1, response(json_body, headers=(("Content-Type", "application/json; charset=utf-8"),)))
    c.send(0, request("GET", "/api/v1/exports/demandeurs.csv?agence=69003", [("Authorization", auth)]))
    c.send(1, response(b"", headers=(("Content-Type", "text/csv; charset=utf-8"), ("Transfer-Encoding", "chunked")),
                       length=False) + chunked(csv_body, 512))
    c.close()
    path = os.path.join(outdir, "http_contacts.pcap")
    pcapgen.write_conversations(path, [c])
    n_api, n_csv = len(api_people), len(csv_people)
    sidecar(path, description="people with two phones and two e-mails: a JSON listing (30, advisor object) and a "
            "CSV export (30, a phone in a comment), HTTP Basic", flows=1, accounts=["conseiller-0456"],
            client_ips=["10.20.0.31"], http={"requests": 2, "responses": 2}, records=n_api + n_csv,
            findings={"nir": n_api + n_csv, "phone": 2 * (n_api + n_csv), "email": 3 * n_api + n_csv,
                      "iban": n_api + n_csv, "address": n_api, "birth_date": n_csv, "france_travail_id": n_csv})
    values = set()
    for i, p in enumerate(api_people):
        values |= {p["nir"], p["email"], p["phone"], p["address"], p["iban"].replace(" ", ""), mobile(i)}
    for i, p in enumerate(csv_people):
        values |= {p["nir"], p["email"], p["phone"], p["iban"].replace(" ", ""), p["ft_id"], mobile(100 + i)}
    with open(path + ".values.json", "w") as f:
        json.dump(sorted(values), f, ensure_ascii=False)
