"""People listed by name and NIR alone: the smallest query an intruder with an advisor's account
needs to pull the identities of a whole agency.

  http_nir_listing.pcap (+ .json, .values.json)  one HTTP Basic session (`conseiller-0789`):
    - a JSON listing of 150 people, each object holding only the name, first name and NIR
      (`"nir": "…"`); Content-Length;
    - a CSV export of 60 other people (`nom;prenom;numero_securite_sociale`); chunked;
    - a SOAP listing (XML, pretty-printed) of 30 other people (`<nom>`, `<prenom>`, `<nir>`);
    - a JSON listing of 20 other people by name and France Travail id (`"id_france_travail"`);
    - a JSON listing of 25 other people by name and `"nirAssure"` (the camelCase key French
      health-insurance APIs use: the name as a word of the key, not its end);
    - a device inventory of 40 phones whose 15-digit IMEI-like serials happen to be valid NIRs,
      under `"imei"` (no NIR's name: not people); Content-Length.

Each listed person is one record keyed by the NIR (its name is certain: the `nir` key, the
`numero_securite_sociale` column, the `<nir>` element, the `id_france_travail` and `nirAssure`
keys; signatures' `identifies`): 285 records, and the first JSON
response alone (150 distinct people) raises `pii.bulk_transfer`. The 40 serials count as NIR
matches (the validator accepts them) but make no record. A sensor that needs two kinds of
personal data per person (the session-14 one) reads 0 records and raises nothing here.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402
from scenarios.http_exfil import SERVER, T0, basic, exchange, sidecar  # noqa: E402


def build(outdir):
    api_people = people.people(720, 150)
    csv_people = people.people(721, 60)
    devices = people.people(722, 40)
    soap_people = people.people(723, 30)
    ft_people = people.people(724, 20)
    assure_people = people.people(725, 25)
    assure_body = json.dumps({"assures": [{"nom": p["last_name"], "prenom": p["first_name"], "nirAssure": p["nir"]}
                                          for p in assure_people]}, separators=(",", ":")).encode()
    ft_body = json.dumps({"demandeurs": [{"nom": p["last_name"], "prenom": p["first_name"], "id_france_travail": p["ft_id"]}
                                         for p in ft_people]}, separators=(",", ":")).encode()
    json_body = json.dumps({"demandeurs": [{"nom": p["last_name"], "prenom": p["first_name"], "nir": p["nir"]}
                                           for p in api_people]}, separators=(",", ":")).encode()
    csv_body = ("nom;prenom;numero_securite_sociale\r\n" +
                "".join("%s;%s;%s\r\n" % (p["last_name"], p["first_name"], p["nir"]) for p in csv_people)).encode()
    inventory = json.dumps({"appareils": [{"imei": p["nir"], "modele": "Terminal %d" % i, "agence": "69003"}
                                          for i, p in enumerate(devices)]}, indent=2).encode()
    soap_body = ('<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
                 'envelope/">\n  <soap:Body>\n    <listeIdentitesResponse>\n' +
                 "".join("      <demandeur>\n        <nom>%s</nom>\n        <prenom>%s</prenom>\n        <nir>%s</nir>\n"
                         "      </demandeur>\n" % (p["last_name"], p["first_name"], p["nir"]) for p in soap_people) +
                 "    </listeIdentitesResponse>\n  </soap:Body>\n</soap:Envelope>\n").encode()
    c = pcapgen.TcpConversation("10.20.0.33", SERVER, 50830, 80, t0=T0 + 480)
    c.handshake()
    auth = basic("conseiller-0789", "Automne2024")
    exchange(c, "GET", "/api/v1/demandeurs?agence=69003&champs=nom,prenom,nir", [("Authorization", auth)], json_body,
             "application/json")
    exchange(c, "GET", "/api/v1/exports/nir.csv?agence=69004", [("Authorization", auth)], csv_body,
             "text/csv; charset=utf-8", chunk=700)
    exchange(c, "POST", "/soap/IdentiteService", [("Content-Type", "text/xml; charset=utf-8"),
                                                  ("SOAPAction", '"listeIdentites"'), ("Authorization", auth)],
             soap_body, "text/xml; charset=utf-8")
    exchange(c, "GET", "/api/v1/demandeurs?agence=69005&champs=nom,prenom,id_france_travail", [("Authorization", auth)],
             ft_body, "application/json")
    exchange(c, "GET", "/api/v1/inventaire/telephones?agence=69003", [("Authorization", auth)], inventory,
             "application/json")
    exchange(c, "GET", "/api/v1/assures?agence=69006&champs=nom,prenom,nirAssure", [("Authorization", auth)],
             assure_body, "application/json")
    c.close()
    path = os.path.join(outdir, "http_nir_listing.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="people listed by name and NIR alone: a JSON listing (150), a chunked CSV export "
            "(60, numero_securite_sociale column), a SOAP listing (30, <nir> elements), a JSON listing of 20 by France Travail id, a device inventory whose 40 serials are valid NIRs under "
            "\"imei\" (not people), and a JSON listing of 25 under \"nirAssure\"; HTTP Basic", flows=1,
            accounts=["conseiller-0789"], client_ips=["10.20.0.33"], http={"requests": 6, "responses": 6},
            records=len(api_people) + len(csv_people) + len(soap_people) + len(ft_people) + len(assure_people),
            findings={"nir": len(api_people) + len(csv_people) + len(soap_people) + len(devices) + len(assure_people),
                      "france_travail_id": len(ft_people)})
    values = sorted({p["nir"] for p in api_people + csv_people + soap_people + devices + assure_people} |
                    {p["ft_id"] for p in ft_people})
    with open(path + ".values.json", "w") as f:
        json.dump(values, f)
