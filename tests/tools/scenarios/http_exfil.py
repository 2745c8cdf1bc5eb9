"""HTTP captures for the application layer (router, HTTP decoder, decompression, accounts).

Each capture has a .json sidecar: accounts seen, client addresses, number of distinct people
and PII values by type that a correct decoder + scanner must find, HTTP message counts.
All people are fictitious (tests/tools/people.py), all bytes deterministic.

  http_api_gzip_chunked.pcap  JSON API response, gzip + chunked, cut into 48-byte segments
  http_multipart_upload.pcap  multipart/form-data upload of a CSV file (Basic auth)
  http_basic_session.pcap     keep-alive session, paged JSON API, HTTP Basic account
  http_jwt_session.pcap       pipelined requests with a Bearer JWT (sub = account)
  http_proxy_xff.pcap         reverse proxy → API with X-Forwarded-For naming two clients
  http_html_xml_pages.pcap    an advisor's web pages: an HTML table and a SOAP XML listing,
                              pretty-printed (a field per line)
"""
import base64
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402

API_HOST = "api.example.fr"
SERVER = "203.0.113.50"
T0 = 1706004000.0  # 2024-01-23T10:00:00Z


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(sub):
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps({"sub": sub, "iat": 1706000000, "scope": "dossiers:read"}, separators=(",", ":")).encode())
    return "%s.%s.%s" % (head, body, b64url(b"not-a-real-signature"))


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def chunked(data, size):
    out = b""
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def record(p):
    return {"nom": p["last_name"], "prenom": p["first_name"], "nir": p["nir"], "date_naissance": p["birth_date"],
            "email": p["email"], "telephone": p["phone"], "adresse": p["address"], "iban": p["iban"]}


def counts(persons, fields=("nir", "email", "phone", "iban", "birth_date", "address")):
    by_type = {}
    for f in fields:
        by_type[f] = len({p[f] for p in persons})
    return by_type


def request(method, path, headers, body=b""):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: " + API_HOST] + ["%s: %s" % kv for kv in headers]
    if body:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def response(body, headers=(("Content-Type", "application/json"),), status="200 OK", length=True):
    lines = ["HTTP/1.1 " + status, "Server: nginx"] + ["%s: %s" % kv for kv in headers]
    if length:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def exchange(c, method, path, headers, body, content_type, chunk=0):
    """One request on conversation `c` and its 200 response carrying `body`: with Content-Length,
    or chunked in `chunk`-byte pieces."""
    c.send(0, request(method, path, headers))
    if chunk:
        c.send(1, response(b"", headers=(("Content-Type", content_type), ("Transfer-Encoding", "chunked")),
                           length=False) + chunked(body, chunk))
    else:
        c.send(1, response(body, headers=(("Content-Type", content_type),)))


def sidecar(path, **kw):
    with open(path + ".json", "w") as f:
        json.dump(kw, f, indent=2, sort_keys=True)
        f.write("\n")


def api_gzip_chunked(outdir):
    persons = people.people(101, 150)
    body = json.dumps({"page": 1, "demandeurs": [record(p) for p in persons]}, ensure_ascii=False).encode()
    gz = gzip.compress(body, compresslevel=6, mtime=0)
    c = pcapgen.TcpConversation("10.20.0.15", SERVER, 50110, 80, t0=T0)
    c.handshake()
    c.send(0, request("GET", "/v1/demandeurs?page=1&size=150", [("Accept-Encoding", "gzip"),
                                                                 ("Cookie", "JSESSIONID=0f3c9a77e1b24d5c")]))
    resp = response(b"", headers=(("Content-Type", "application/json; charset=utf-8"), ("Content-Encoding", "gzip"),
                                  ("Transfer-Encoding", "chunked")), length=False) + chunked(gz, 333)
    c.send(1, resp, mss=48)
    c.close()
    path = os.path.join(outdir, "http_api_gzip_chunked.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="JSON API response, gzip inside chunked, 48-byte TCP segments", flows=1,
            accounts=[], account_cookie="JSESSIONID (only with account_cookies: [JSESSIONID])",
            client_ips=["10.20.0.15"], http={"requests": 1, "responses": 1},
            response={"decoded_bytes": len(body), "wire_body_bytes": len(chunked(gz, 333)), "encoding": "gzip",
                      "detail": "GET api.example.fr/v1/demandeurs -> 200 application/json"},
            people=len(persons), by_type=counts(persons))


def multipart_upload(outdir):
    persons = people.people(202, 60)
    csv = "nom;prenom;nir;date_naissance;email;telephone\r\n" + "".join(
        "%s;%s;%s;%s;%s;%s\r\n" % (p["last_name"], p["first_name"], p["nir"], p["birth_date"], p["email"], p["phone"])
        for p in persons)
    boundary = "----vigieBoundary7MA4YWxkTrZu0gW"
    body = ("--%s\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nexport hebdo\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n%s\r\n--%s--\r\n") % (boundary, boundary, csv, boundary)
    body = body.encode()
    c = pcapgen.TcpConversation("10.20.0.16", "198.51.100.80", 50220, 80, t0=T0 + 60)
    c.handshake()
    c.send(0, request("POST", "/upload", [("Authorization", basic("agent-lyon-07", "Printemps2024!")),
                                          ("Content-Type", "multipart/form-data; boundary=" + boundary)], body))
    c.send(1, response(b'{"status":"ok"}'))
    c.close()
    path = os.path.join(outdir, "http_multipart_upload.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="multipart/form-data upload of a CSV (client is the source)", flows=1,
            accounts=["agent-lyon-07"], client_ips=["10.20.0.16"], http={"requests": 1, "responses": 1},
            request={"decoded_bytes": len(body), "detail": "POST api.example.fr/upload"},
            people=len(persons), by_type=counts(persons, ("nir", "email", "phone", "birth_date")))


def basic_session(outdir):
    pages = [people.people(300 + i, 25) for i in range(4)]
    c = pcapgen.TcpConversation("10.20.0.17", SERVER, 50330, 8080, t0=T0 + 120)
    c.handshake()
    auth = basic("capemploi-0042", "hunter2")
    for i, persons in enumerate(pages):
        c.send(0, request("GET", "/v1/demandeurs?page=%d" % (i + 1), [("Authorization", auth)]))
        c.send(1, response(json.dumps([record(p) for p in persons]).encode()))
    c.close()
    allp = [p for page in pages for p in page]
    path = os.path.join(outdir, "http_basic_session.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="keep-alive session, 4 pages of 25 people, HTTP Basic", flows=1,
            accounts=["capemploi-0042"], client_ips=["10.20.0.17"], http={"requests": 4, "responses": 4},
            people=len(allp), by_type=counts(allp))


def jwt_session(outdir):
    pages = [people.people(400 + i, 20) for i in range(3)]
    token = jwt("conseiller-7731")
    c = pcapgen.TcpConversation("10.20.0.18", SERVER, 50440, 80, t0=T0 + 180)
    c.handshake()
    reqs = b"".join(request("GET", "/v2/dossiers?offset=%d" % (20 * i), [("Authorization", "Bearer " + token)])
                    for i in range(3))
    c.send(0, reqs)  # pipelined
    c.send(1, b"".join(response(json.dumps({"items": [record(p) for p in persons]}).encode()) for persons in pages))
    c.close()
    allp = [p for page in pages for p in page]
    path = os.path.join(outdir, "http_jwt_session.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="3 pipelined requests with a Bearer JWT; account = JWT sub", flows=1,
            accounts=["conseiller-7731"], client_ips=["10.20.0.18"], http={"requests": 3, "responses": 3},
            people=len(allp), by_type=counts(allp))


def proxy_xff(outdir):
    a, b = people.people(500, 30), people.people(501, 10)
    c = pcapgen.TcpConversation("10.20.0.2", SERVER, 50550, 80, t0=T0 + 240)
    c.handshake()
    for client, persons in (("192.0.2.44", a), ("192.0.2.45", b)):
        c.send(0, request("GET", "/v1/export", [("X-Forwarded-For", client + ", 10.20.0.2"), ("X-Real-IP", client),
                                                ("Authorization", basic("user-" + client.split(".")[-1], "x"))]))
        c.send(1, response(json.dumps([record(p) for p in persons]).encode()))
    c.close()
    path = os.path.join(outdir, "http_proxy_xff.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="one proxy connection carrying two end clients (X-Forwarded-For)", flows=1,
            accounts=["user-44", "user-45"], client_ips=["192.0.2.44", "192.0.2.45"], proxy_ip="10.20.0.2",
            http={"requests": 2, "responses": 2}, people=len(a) + len(b),
            people_by_client={"192.0.2.44": len(a), "192.0.2.45": len(b)}, by_type=counts(a + b))


def html_xml_pages(outdir):
    """An advisor portal's pages, as a browser and a SOAP client get them: an HTML table of 40
    people (the street alone in the address cell) and a SOAP XML listing of 30 (full address),
    both pretty-printed, one field per line (each line ends with a tag's '>'), HTTP Basic
    `conseiller-0099`."""
    rows, listing = people.people(600, 40), people.people(601, 30)
    html = ("<!DOCTYPE html>\n<html lang=\"fr\">\n<head><meta charset=\"utf-8\"><title>Demandeurs</title></head>\n"
            "<body>\n<table class=\"dossiers\">\n  <tr>\n    <th>Nom</th>\n    <th>NIR</th>\n    <th>Date de naissance</th>\n"
            "    <th>Courriel</th>\n    <th>T\u00e9l\u00e9phone</th>\n    <th>Adresse</th>\n  </tr>\n")
    for p in rows:
        html += ("  <tr>\n    <td>%s %s</td>\n    <td>%s</td>\n    <td>%s</td>\n    <td>%s</td>\n    <td>%s</td>\n"
                 "    <td>%s</td>\n  </tr>\n"
                 % (p["last_name"], p["first_name"], p["nir"], p["birth_date"], p["email"], p["phone"],
                    p["address"].split(",")[0]))
    html += "</table>\n</body>\n</html>\n"
    xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">\n"
           "  <soap:Body>\n    <listeDemandeurs>\n")
    for p in listing:
        xml += ("      <demandeur>\n        <nom>%s</nom>\n        <nir>%s</nir>\n        <dateNaissance>%s</dateNaissance>\n"
                "        <email>%s</email>\n        <telephone>%s</telephone>\n        <adresse>%s</adresse>\n"
                "        <iban>%s</iban>\n      </demandeur>\n"
                % (p["last_name"], p["nir"], p["birth_date"], p["email"], p["phone"], p["address"], p["iban"]))
    xml += "    </listeDemandeurs>\n  </soap:Body>\n</soap:Envelope>\n"
    c = pcapgen.TcpConversation("10.20.0.19", SERVER, 50660, 80, t0=T0 + 300)
    c.handshake()
    auth = basic("conseiller-0099", "Automne2024")
    c.send(0, request("GET", "/portail/demandeurs?agence=75011", [("Authorization", auth)]))
    c.send(1, response(html.encode(), headers=(("Content-Type", "text/html; charset=utf-8"),)))
    c.send(0, request("POST", "/soap/DemandeursService", [("Authorization", auth),
                                                          ("Content-Type", "application/soap+xml; charset=utf-8")],
                      b"<soap:Envelope><soap:Body><lister agence=\"75011\"/></soap:Body></soap:Envelope>"))
    c.send(1, response(xml.encode(), headers=(("Content-Type", "application/soap+xml; charset=utf-8"),)))
    c.close()
    allp = rows + listing
    path = os.path.join(outdir, "http_html_xml_pages.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="an HTML table page and a SOAP XML listing, pretty-printed, HTTP Basic", flows=1,
            accounts=["conseiller-0099"], client_ips=["10.20.0.19"], http={"requests": 2, "responses": 2},
            people=len(allp), people_by_response=[len(rows), len(listing)],
            by_type=counts(allp, ("nir", "email", "phone", "birth_date", "address")))


def build(outdir):
    api_gzip_chunked(outdir)
    multipart_upload(outdir)
    basic_session(outdir)
    jwt_session(outdir)
    proxy_xff(outdir)
    html_xml_pages(outdir)
