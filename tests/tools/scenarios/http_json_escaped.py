"""JSON API responses written with the escapes serializers use by default.

  http_json_escaped.pcap (+ .json, .values.json)  one HTTP Basic session (`conseiller-0123`), two GETs:
    - a PHP API (json_encode defaults, as Laravel / Symfony JsonResponse send it): every '/' is
      written "\\/" (birth dates "12\\/05\\/1985"), every non-ASCII character "\\u00e9"
      (lower-case hex); Content-Length; 20 people;
    - a .NET API (System.Text.Json default encoder, as ASP.NET Core / Kestrel send it): every
      non-ASCII character "\\u00E9" (upper-case hex) and the HTML-sensitive + < > & ' as
      "\\u002B" …, so the international phone "+33 6 …" reads "\\u002B33 6 …"; birth dates as a
      DateTime, "1985-05-12T00:00:00"; chunked in 100-byte chunks and 64-byte TCP segments, so
      escapes are cut; 20 people;
    - a legacy PHP script echoing json_encode() without a header: the same escapes, served as PHP's
      default `text/html; charset=UTF-8` (a UTF-8 byte-order mark and a newline before the '['),
      Content-Length; 20 people.

The people are fictitious (tests/tools/people.py); their street, city and names are given the
accents French spells them with, so most addresses carry an escaped character. The sidecar's
by_type counts are the distinct values the generator wrote, i.e. what a sensor that undoes the
escapes must find; a sensor that scans the bytes as sent misses the PHP birth dates, the .NET
phones and the accented addresses, and one that reads no midnight datetime the .NET birth dates.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402
from scenarios.http_exfil import SERVER, T0, basic, chunked, counts, request, response, sidecar  # noqa: E402

ACCENTS = {"rue de la Republique": "rue de la R\u00e9publique", "avenue Jean Jaures": "avenue Jean Jaur\u00e8s",
           "place de la Liberte": "place de la Libert\u00e9", "allee des Tilleuls": "all\u00e9e des Tilleuls",
           "Lea": "L\u00e9a", "Chloe": "Chlo\u00e9", "Ines": "In\u00e8s", "Lefebvre": "Lef\u00e8bvre"}


def accented(p):
    p = dict(p)
    for field in ("address", "first_name", "last_name"):
        for plain, acc in ACCENTS.items():
            p[field] = p[field].replace(plain, acc)
    p["phone_intl"] = "+33 " + p["phone"][1:]  # "06 12 …" → "+33 6 12 …"
    return p


def php_json(persons, escaped=True, wrapped=True):
    """json_encode($data) with default flags: '/' → '\\/', non-ASCII → \\u00xx. With
    escaped=False: the same document with every value as text (what a decoder must yield).
    wrapped=False: the bare list of people."""
    items = [{"id": i + 1, "nom": p["last_name"], "prenom": p["first_name"], "nir": p["nir"],
              "date_naissance": p["birth_date"], "email": p["email"], "telephone": p["phone"],
              "adresse": p["address"]} for i, p in enumerate(persons)]
    data = {"data": items, "links": {"next": "https://api.example.fr/api/php/demandeurs?page=2"}} if wrapped else items
    if not escaped:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


def dotnet_string(s, escaped=True):
    """System.Text.Json with JavaScriptEncoder.Default: non-ASCII and HTML-sensitive characters
    as \\uXXXX (upper-case hex). (The generated values hold no '"', '\\' nor control character.)"""
    if not escaped:
        return '"' + s + '"'
    return '"' + "".join("\\u%04X" % ord(c) if ord(c) > 0x7E or c in "+<>&'`" else c for c in s) + '"'


def datetime_midnight(ddmmyyyy):
    """A birth date as System.Text.Json writes a DateTime: "1985-05-12T00:00:00"."""
    d, m, y = ddmmyyyy.split("/")
    return "%s-%s-%sT00:00:00" % (y, m, d)


def dotnet_json(persons, escaped=True):
    q = lambda s: dotnet_string(s, escaped)  # noqa: E731
    items = []
    for i, p in enumerate(persons):
        fields = [("id", str(1000 + i)), ("nom", q(p["last_name"])), ("pr\u00e9nom", q(p["first_name"])),
                  ("nir", q(p["nir"])), ("dateNaissance", q(datetime_midnight(p["birth_date"]))), ("email", q(p["email"])),
                  ("t\u00e9l\u00e9phone", q(p["phone_intl"])), ("adresse", q(p["address"]))]
        items.append("{" + ",".join("%s:%s" % (q(k), v) for k, v in fields) + "}")
    return '{"items":[' + ",".join(items) + '],"total":%d}' % len(persons)


def build(outdir):
    php_people = [accented(p) for p in people.people(700, 20)]
    net_people = [accented(p) for p in people.people(701, 20)]
    legacy_people = [accented(p) for p in people.people(702, 20)]
    php_body = php_json(php_people).encode()
    net_body = dotnet_json(net_people).encode()
    legacy_body = b"\xef\xbb\xbf\n" + php_json(legacy_people, wrapped=False).encode()
    c = pcapgen.TcpConversation("10.20.0.23", SERVER, 50770, 80, t0=T0 + 360)
    c.handshake()
    auth = basic("conseiller-0123", "Hiver2024")
    c.send(0, request("GET", "/api/php/demandeurs?page=1", [("Authorization", auth)]))
    c.send(1, response(php_body, headers=(("Content-Type", "application/json"), ("X-Powered-By", "PHP/8.2.12"))))
    c.send(0, request("GET", "/api/v2/beneficiaires?agence=31000", [("Authorization", auth)]))
    c.send(1, response(b"", headers=(("Content-Type", "application/json; charset=utf-8"),
                                     ("Transfer-Encoding", "chunked")), length=False) + chunked(net_body, 100), mss=64)
    c.send(0, request("GET", "/legacy/liste_demandeurs.php?agence=31000", [("Authorization", auth)]))
    c.send(1, response(legacy_body, headers=(("Content-Type", "text/html; charset=UTF-8"), ("X-Powered-By", "PHP/5.6.40"))))
    c.close()
    allp = php_people + net_people + legacy_people
    # Phones are written national in the PHP body and international in the .NET one: count the
    # distinct numbers as written.
    phones = {p["phone"] for p in php_people + legacy_people} | {p["phone_intl"] for p in net_people}
    by_type = counts(allp, ("nir", "email", "birth_date", "address"))
    by_type["phone"] = len(phones)
    path = os.path.join(outdir, "http_json_escaped.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="PHP-style and .NET-style escaped JSON listings, and a legacy PHP one served as text/html "
            "(20 people each), HTTP Basic",
            flows=1, accounts=["conseiller-0123"], client_ips=["10.20.0.23"], http={"requests": 3, "responses": 3},
            people=len(allp), people_by_response=[len(php_people), len(net_people), len(legacy_people)],
            by_type=by_type,
            escapes={"php_slash": php_body.count(b"\\/") + legacy_body.count(b"\\/"),
                     "php_unicode": php_body.count(b"\\u") + legacy_body.count(b"\\u"),
                     "dotnet_unicode": net_body.count(b"\\u"),
                     "accented_addresses": sum(1 for p in allp if any(ord(ch) > 0x7E for ch in p["address"]))},
            # vigie_http_body_bytes_total{stage="decoded"}: the bodies once unescaped (UTF-8).
            decoded_body_bytes=len(php_json(php_people, False).encode()) + len(dotnet_json(net_people, False).encode()) +
            4 + len(php_json(legacy_people, False, wrapped=False).encode()),
            # vigie_http_body_bytes_total{stage="wire"}: de-chunked, before unescaping.
            wire_body_bytes=len(php_body) + len(net_body) + len(legacy_body))
    # Clear values (as they read once decoded) that must never appear in any output.
    with open(path + ".values.json", "w") as f:
        json.dump(sorted({v for p in allp for v in (p["nir"], p["email"], p["phone"], p["phone_intl"], p["address"])}),
                  f, ensure_ascii=False)
