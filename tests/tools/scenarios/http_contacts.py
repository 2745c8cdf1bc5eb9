"""People holding several phones and e-mails, as real job-seeker APIs and exports list them.

  http_contacts.pcap (+ .json, .values.json)  one HTTP Basic session (`conseiller-0456`), two GETs:
    - a JSON listing of 30 people, each object holding its NIR, two phones (`telephone`, then
      `portable`), two e-mails (`email`, `email_pro`), an address object, an object with the
      advisor following the person (`conseiller`: name and e-mail, the same for all) and the
      IBAN; Content-Length;
    - a CSV export of 30 other people (text/csv, `;`): France Travail id, name, NIR, birth date,
      e-mail, phone, registration date, a comment holding a second phone ("Rappel au 07 …"),
      IBAN; chunked;
    - a SOAP (XML, pretty-printed) listing of 20 other people, each element holding the NIR, two
      phones (`telephone`, `portable`), the e-mail, the advisor's element with its e-mail, and
      the IBAN; Content-Length;
    - a JSON listing of 20 other people shaped as DTOs: a civil-status object (NIR, name, birth
      date), then a contact object holding an array of contact means (`{"type":"MOBILE",
      "valeur":…}`, a landline, the e-mail), then the IBAN; Content-Length;
    - the same kind of listing as compact SOAP (one line, no newline nor bracket between two
      people) for 20 other people, the birth date first in the civil-status element, then the
      NIR, a list of contact elements (mobile, e-mail) and the IBAN; Content-Length.

Each person is one record: 120 records, keyed by the NIR. A sensor that starts the next person
where a type repeats counts the JSON people four times each (the second phone, the work e-mail
and the advisor's e-mail each start a group that the following fields make a record), the CSV
people twice (the comment's phone and the IBAN after it) and most XML people twice: 191
records instead of 80, and an alert. One that ends a person's group at each `},{` counts the
DTO people twice (the landline and the e-mail after it make a record keyed by the e-mail): 120
records instead of 100; one that drops a second birth date in a group that is a record, where
nothing but element names separates two people, loses compact-SOAP birth dates (the session-13
sensor read 140 records and 69 birth dates on this capture, for 120 and 70).

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
from scenarios.http_exfil import SERVER, T0, basic, exchange, sidecar  # noqa: E402

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


def soap_listing(persons):
    rows = []
    for i, p in enumerate(persons):
        rows.append("      <demandeur>\n        <nir>%s</nir>\n        <nom>%s</nom>\n        <telephone>%s</telephone>\n"
                    "        <portable>%s</portable>\n        <email>%s</email>\n        <conseiller>\n"
                    "          <nom>%s</nom>\n          <email>%s</email>\n        </conseiller>\n"
                    "        <iban>%s</iban>\n      </demandeur>" %
                    (p["nir"], p["last_name"], p["phone"], mobile(200 + i), p["email"], ADVISOR["nom"], ADVISOR["email"],
                     p["iban"].replace(" ", "")))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
            "  <soap:Body>\n    <listeDemandeursResponse>\n" + "\n".join(rows) +
            "\n    </listeDemandeursResponse>\n  </soap:Body>\n</soap:Envelope>\n")


def landline(i):
    return "01 45 %02d %02d %02d" % (60 + i % 30, (i * 11) % 100, (i * 17) % 100)


def dto_listing(persons):
    items = []
    for i, p in enumerate(persons):
        items.append({"etatCivil": {"nir": p["nir"], "nom": p["last_name"], "prenom": p["first_name"],
                                    "dateNaissance": p["birth_date"]},
                      "coordonnees": {"contacts": [{"type": "MOBILE", "valeur": p["phone"]},
                                                   {"type": "FIXE", "valeur": landline(i)},
                                                   {"type": "MAIL", "valeur": p["email"]}]},
                      "iban": p["iban"].replace(" ", "")})
    return json.dumps({"fiches": items}, separators=(",", ":"), ensure_ascii=False)


def compact_soap_listing(persons):
    rows = []
    for p in persons:
        rows.append("<demandeur><etatCivil><dateNaissance>%s</dateNaissance><nir>%s</nir><nom>%s</nom></etatCivil>"
                    "<contacts><contact><type>MOBILE</type><valeur>%s</valeur></contact><contact><type>MAIL</type>"
                    "<valeur>%s</valeur></contact></contacts><iban>%s</iban></demandeur>" %
                    (p["birth_date"], p["nir"], p["last_name"], p["phone"], p["email"], p["iban"].replace(" ", "")))
    return ('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            "<soap:Body><fichesResponse>" + "".join(rows) + "</fichesResponse></soap:Body></soap:Envelope>")


def build(outdir):
    api_people = people.people(710, 30)
    csv_people = people.people(711, 30)
    soap_people = people.people(712, 20)
    json_body = json_listing(api_people).encode()
    csv_body = csv_export(csv_people).encode()
    soap_body = soap_listing(soap_people).encode()
    dto_people = people.people(713, 20)
    dto_body = dto_listing(dto_people).encode()
    xml_people = people.people(714, 20)
    xml_body = compact_soap_listing(xml_people).encode()
    c = pcapgen.TcpConversation("10.20.0.31", SERVER, 50810, 80, t0=T0 + 420)
    c.handshake()
    auth = basic("conseiller-0456", "Printemps2024")
    exchange(c, "GET", "/api/v1/demandeurs?agence=69003", [("Authorization", auth)], json_body,
             "application/json; charset=utf-8")
    exchange(c, "GET", "/api/v1/exports/demandeurs.csv?agence=69003", [("Authorization", auth)], csv_body,
             "text/csv; charset=utf-8", chunk=512)
    exchange(c, "POST", "/soap/DemandeurService", [("Content-Type", "text/xml; charset=utf-8"),
                                                   ("SOAPAction", '"listeDemandeurs"'), ("Authorization", auth)],
             soap_body, "text/xml; charset=utf-8")
    exchange(c, "GET", "/api/v2/fiches?agence=69003", [("Authorization", auth)], dto_body, "application/json")
    exchange(c, "POST", "/soap/FicheService", [("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", '"fiches"'),
                                               ("Authorization", auth)], xml_body, "text/xml; charset=utf-8")
    c.close()
    path = os.path.join(outdir, "http_contacts.pcap")
    pcapgen.write_conversations(path, [c])
    n_api, n_csv, n_soap, n_dto = len(api_people), len(csv_people), len(soap_people), len(dto_people)
    n_xml = len(xml_people)
    n_all = n_api + n_csv + n_soap + n_dto + n_xml
    sidecar(path, description="people with two phones and two e-mails: a JSON listing (30, advisor object), a "
            "CSV export (30, a phone in a comment), a SOAP listing (20, advisor element), a JSON listing of "
            "DTOs (20, an array of contact objects) and a compact SOAP listing (20), HTTP Basic", flows=1,
            accounts=["conseiller-0456"], client_ips=["10.20.0.31"], http={"requests": 5, "responses": 5},
            records=n_all,
            findings={"nir": n_all, "phone": 2 * (n_all - n_xml) + n_xml,
                      "email": 3 * n_api + n_csv + 2 * n_soap + n_dto + n_xml,
                      "iban": n_all, "address": n_api, "birth_date": n_csv + n_dto + n_xml, "france_travail_id": n_csv})
    values = set()
    for i, p in enumerate(api_people):
        values |= {p["nir"], p["email"], p["phone"], p["address"], p["iban"].replace(" ", ""), mobile(i)}
    for i, p in enumerate(csv_people):
        values |= {p["nir"], p["email"], p["phone"], p["iban"].replace(" ", ""), p["ft_id"], mobile(100 + i)}
    for i, p in enumerate(soap_people):
        values |= {p["nir"], p["email"], p["phone"], p["iban"].replace(" ", ""), mobile(200 + i)}
    for i, p in enumerate(dto_people):
        values |= {p["nir"], p["email"], p["phone"], p["iban"].replace(" ", ""), landline(i)}
    for p in xml_people:
        values |= {p["nir"], p["email"], p["phone"], p["iban"].replace(" ", "")}
    with open(path + ".values.json", "w") as f:
        json.dump(sorted(values), f, ensure_ascii=False)
