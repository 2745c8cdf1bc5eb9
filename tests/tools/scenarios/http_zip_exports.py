"""Exports as ZIP archives: a spreadsheet downloaded from an advisor's portal, a zipped CSV
uploaded to a file-sharing site.

  http_zip_exports.pcap (+ .json, .values.json)  two HTTP conversations:
    - `conseiller-0733` (HTTP Basic) downloads `/portefeuille/export.xlsx`: an Office Open XML
      workbook of 200 people (name, first name, NIR, birth date, e-mail, phone), written as
      streaming writers (Java's ZipOutputStream) write it: every file deflated, its sizes in a
      data descriptor after its data; the people are in `xl/sharedStrings.xml`, a logo in
      `xl/media/image1.png` (skipped unread);
    - the same workstation uploads `export.zip` (multipart/form-data, base64) to an outside
      host: a README and `portefeuille.csv`, 100 other people by France Travail id and birth
      date (a column header gives the id its context), sizes in the local headers.

Each person is one record: 200 keyed by NIR (the workbook), 100 by France Travail id (the
zipped CSV, read by its columns): 300 records; nir 200, email 200, phone 200, birth_date 300,
france_travail_id 100. The session-18 sensor scanned the archives' compressed bytes: no record,
no alert.
"""
import base64
import io
import json
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402
from scenarios.http_exfil import SERVER, T0, basic, exchange, request, response, sidecar  # noqa: E402

OUTSIDE = "198.51.100.23"
DATE = (2024, 1, 23, 10, 30, 0)


class Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in: it writes data descriptors, as streaming writers do."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += b
        return len(b)


def zip_bytes(files, streaming):
    out = Unseekable() if streaming else io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content, compress in files:
            info = zipfile.ZipInfo(name, DATE)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            z.writestr(info, content)
    return bytes(out.data) if streaming else out.getvalue()


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;")


def workbook(persons):
    header = ["Nom", "Pr\u00e9nom", "NIR", "Date de naissance", "Courriel", "T\u00e9l\u00e9phone"]
    strings = list(header)
    for p in persons:
        strings += [p["last_name"], p["first_name"], p["nir"], p["birth_date"], p["email"], p["phone"]]
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
           % (len(strings), len(strings)) + "".join("<si><t>%s</t></si>" % esc(s) for s in strings) + "</sst>")
    cols = "ABCDEF"
    rows = "".join('<row r="%d">' % (r + 1) + "".join('<c r="%s%d" t="s"><v>%d</v></c>' % (cols[c], r + 1, r * 6 + c)
                                                      for c in range(6)) + "</row>"
                   for r in range(len(persons) + 1))
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.'
             'org/spreadsheetml/2006/main"><sheetData>' + rows + "</sheetData></worksheet>")
    files = [
        ("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
         'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>', True),
        ("_rels/.rels", '<?xml version="1.0"?><Relationships/>', True),
        ("xl/workbook.xml", '<?xml version="1.0"?><workbook><sheets><sheet name="Portefeuille" sheetId="1"/>'
         '</sheets></workbook>', True),
        ("xl/worksheets/sheet1.xml", sheet, True),
        ("xl/media/image1.png", bytes(range(256)) * 8, True),
        ("xl/sharedStrings.xml", sst, True),
        ("docProps/app.xml", '<?xml version="1.0"?><Properties><Application>Vigie test</Application></Properties>',
         True),
    ]
    return zip_bytes([(n, c.encode() if isinstance(c, str) else c, z) for n, c, z in files], streaming=True)


def caseload_zip(persons):
    csv = "identifiant_ft;nom;prenom;date_naissance\n" + "".join(
        "%s;%s;%s;%s\n" % (p["ft_id"], p["last_name"], p["first_name"], p["birth_date"]) for p in persons)
    return zip_bytes([("LISEZMOI.txt", b"Export du portefeuille, agence 69003", False),
                      ("portefeuille.csv", csv.encode(), True)], streaming=False)


def build(outdir):
    sheet_people = people.people(740, 200)
    csv_people = people.people(741, 100)
    xlsx = workbook(sheet_people)
    down = pcapgen.TcpConversation("10.20.0.52", SERVER, 51010, 80, t0=T0 + 900)
    down.handshake()
    exchange(down, "GET", "/portefeuille/export.xlsx", [("Authorization", basic("conseiller-0733", "Printemps24"))],
             xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    down.close()
    archive = caseload_zip(csv_people)
    boundary = "----vigieZipUpload7"
    enc = base64.encodebytes(archive)
    form = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.zip\"\r\n"
             "Content-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n" % boundary).encode() +
            enc.replace(b"\n", b"\r\n") + ("--%s--\r\n" % boundary).encode())
    up = pcapgen.TcpConversation("10.20.0.52", OUTSIDE, 51011, 80, t0=T0 + 960)
    up.handshake()
    up.send(0, request("POST", "/upload", [("Content-Type", "multipart/form-data; boundary=" + boundary)], form))
    up.send(1, response(b'{"ok":true}'))
    up.close()
    path = os.path.join(outdir, "http_zip_exports.pcap")
    pcapgen.write_conversations(path, [down, up])
    sidecar(path, description="exports as ZIP archives: an .xlsx of 200 people downloaded by conseiller-0733 (every "
            "file deflated with a data descriptor, the people in xl/sharedStrings.xml, a logo skipped), a zipped CSV "
            "of 100 people by France Travail id uploaded to an outside host (multipart, base64)",
            flows=2, accounts=["conseiller-0733"], client_ips=["10.20.0.52"],
            http={"requests": 2, "responses": 2}, records=len(sheet_people) + len(csv_people),
            archives={"complete": 2, "files_read": 8, "files_skipped": 1},
            findings={"nir": len(sheet_people), "email": len(sheet_people), "phone": len(sheet_people),
                      "birth_date": len(sheet_people) + len(csv_people), "france_travail_id": len(csv_people)})
    values = sorted({p[f] for p in sheet_people for f in ("nir", "email", "phone", "birth_date")} |
                    {p[f] for p in csv_people for f in ("ft_id", "birth_date")})
    with open(path + ".values.json", "w") as f:
        json.dump(values, f)
