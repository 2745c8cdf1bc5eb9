"""An advisor's web portal read page by page: people listed in HTML tables whose header row names
the columns, the values rows away from it.

  http_html_portal.pcap (+ .json, .values.json)  one HTTP Basic session (`conseiller-0517`):
    - the advisor's caseload: a table of 120 people, a row each (name, first name, France Travail
      id inside a link to the file, birth date, agency), header `Identifiant FT` and `Date de
      naissance`; Content-Length;
    - an agency's identity list: a table of 80 other people by name and NIR (spaced), the
      header written with character references (`N&deg; de s&eacute;curit&eacute; sociale`),
      pretty-printed, chunked;
    - a device inventory page: 30 phones whose IMEI-like serials happen to be valid NIRs, in a
      table whose header says `Num&eacute;ro IMEI` (not people);
    - an "Excel" export of 50 other people (`export.xls`, application/vnd.ms-excel): a sheet saved
      as HTML, no `<th>` at all, its title and a blank row above the row of `<td>` cells naming
      the columns (France Travail id, NIR, birth date);
    - 5 files of one person each (`/dossier?n=…`): a key/value table (`<th>Nom</th><td>…`,
      `<th>N&deg; de s&eacute;curit&eacute; sociale</th><td>…`), the spaced NIR the only identifier.

The France Travail id has no checksum and needs its context, the NIR is a person alone only
where its name is certain: both come from the column's header, rows above (or the row's `<th>`
in a file). Each listed person is one record, keyed by the France Travail id (first page) or
the NIR (second, export, files): 255 records; 170 France Travail ids and 170 birth dates count,
165 NIRs (the 30 serials too: the validator accepts them, no record), and the caseload alone
(120 people in one response) raises `pii.bulk_transfer`. The session-17 sensor, which read no
table header rows away, counts no France Travail id (170 rejected: no context), 50 records (the
export's rows, by NIR and birth date, its header being in the export's first 4 KiB), and raises
nothing. The session-18 sensor, which took only a table's first row of `<td>` cells for a
header and no `<th>` for the name of the cell after it, counts 250 records (not the 5 files)
and raises the alert, but rejects the export's 50 France Travail ids (its title row came first).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402
from scenarios.http_exfil import SERVER, T0, basic, exchange, sidecar  # noqa: E402

HEAD = ('<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>%s</title>'
        '<link rel="stylesheet" href="/static/portail.css"><script src="/static/portail.js"></script>'
        '<script>window.PORTAIL = {"agence": "69003", "seuil": 3};</script></head>\n'
        '<body><nav><a href="/">Accueil</a> &gt; <a href="/portefeuille">Portefeuille</a></nav>\n<h1>%s</h1>\n')
TAIL = '</tbody></table>\n<footer>France Travail &mdash; usage interne</footer></body></html>\n'


def caseload(persons):
    rows = "".join(
        '<tr class="%s"><td>%s</td><td>%s</td><td class="id"><a href="/dossier?n=%d" title="Ouvrir le dossier">%s</a></td>'
        '<td>%s</td><td>Lyon 3e</td><td><button data-n="%d">Relancer</button></td></tr>\n'
        % ("pair" if i % 2 else "impair", p["last_name"], p["first_name"], i, p["ft_id"], p["birth_date"], i)
        for i, p in enumerate(persons))
    return (HEAD % ("Portefeuille", "Mon portefeuille (%d)" % len(persons)) +
            '<table class="table"><thead><tr><th>Nom</th><th>Pr&eacute;nom</th><th>Identifiant FT</th>'
            '<th>Date de naissance</th><th>Agence</th><th></th></tr></thead>\n<tbody>\n' + rows + TAIL).encode()


def identities(persons):
    rows = "".join('    <tr>\n      <td>%s</td>\n      <td>%s</td>\n      <td class="nir">%s</td>\n    </tr>\n'
                   % (p["last_name"], p["first_name"], p["nir_spaced"]) for p in persons)
    return (HEAD % ("Identit\u00e9s", "Agence 69004 : identit\u00e9s") +
            '<table>\n  <thead>\n    <tr>\n      <th>Nom</th>\n      <th>Pr&eacute;nom</th>\n'
            '      <th>N&deg; de s&eacute;curit&eacute; sociale</th>\n    </tr>\n  </thead>\n  <tbody>\n' + rows +
            "  " + TAIL).encode()


def inventory(devices):
    rows = "".join("<tr><td>Terminal %d</td><td>%s</td><td>69003</td></tr>\n" % (i, p["nir"])
                   for i, p in enumerate(devices))
    return (HEAD % ("Parc", "Parc de t\u00e9l\u00e9phones") +
            '<table><tr><th>Mod&egrave;le</th><th>Num&eacute;ro IMEI</th><th>Agence</th></tr>\n<tbody>\n' + rows +
            TAIL).encode()


def dossier(p):
    # One person's file: a key/value table, each <th> naming the <td> after it; the NIR is the
    # only identifier shown (a person alone where its name is certain).
    return (HEAD % ("Dossier", "Dossier de %s %s" % (p["first_name"], p["last_name"])) +
            '<table class="fiche"><tbody>\n<tr><th>Nom</th><td>%s</td></tr>\n<tr><th>Pr&eacute;nom</th><td>%s</td></tr>\n'
            '<tr><th scope="row">N&deg; de s&eacute;curit&eacute; sociale</th><td>%s</td></tr>\n'
            '<tr><th>Statut</th><td>inscrit</td></tr>\n' % (p["last_name"], p["first_name"], p["nir_spaced"]) +
            TAIL).encode()


def sheet(persons):
    rows = "".join('<tr><td>%s</td><td>%s</td><td x:str>%s</td><td x:str>%s</td><td>%s</td></tr>\n'
                   % (p["last_name"], p["first_name"], p["ft_id"], p["nir"], p["birth_date"]) for p in persons)
    return ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
            '<head><meta charset="utf-8"><style>td { mso-number-format: "\\@"; }</style></head><body>\n'
            '<table border=1 cellspacing=0><tr><td colspan=5><b>Export portefeuille - agence 69005</b></td></tr>\n'
            '<tr><td></td><td></td><td></td><td></td><td></td></tr>\n<tr><td><b>Nom</b></td><td><b>Pr\u00e9nom</b></td>'
            '<td><b>Identifiant France Travail</b></td><td><b>NIR</b></td><td><b>Date de naissance</b></td></tr>\n' +
            rows + '</table></body></html>\n').encode()


def build(outdir):
    caseload_people = people.people(730, 120)
    identity_people = people.people(731, 80)
    devices = people.people(732, 30)
    sheet_people = people.people(733, 50)
    file_people = people.people(734, 5)
    c = pcapgen.TcpConversation("10.20.0.41", SERVER, 50840, 80, t0=T0 + 540)
    c.handshake()
    auth = basic("conseiller-0517", "Hiver2024")
    exchange(c, "GET", "/portefeuille?page=1&taille=120", [("Authorization", auth)], caseload(caseload_people),
             "text/html; charset=utf-8")
    exchange(c, "GET", "/agence/69004/identites", [("Authorization", auth)], identities(identity_people),
             "text/html; charset=utf-8", chunk=900)
    exchange(c, "GET", "/parc/telephones", [("Authorization", auth)], inventory(devices), "text/html; charset=utf-8")
    exchange(c, "GET", "/portefeuille/export.xls?agence=69005", [("Authorization", auth)], sheet(sheet_people),
             "application/vnd.ms-excel")
    for i, p in enumerate(file_people):
        exchange(c, "GET", "/dossier?n=%d" % (900 + i), [("Authorization", auth)], dossier(p), "text/html; charset=utf-8")
    c.close()
    path = os.path.join(outdir, "http_html_portal.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="an advisor's web portal: HTML tables whose header row names the columns; a caseload "
            "of 120 (France Travail id in a link, birth date), an identity list of 80 by NIR (chunked, header with "
            "character references), a device inventory whose 30 serials are valid NIRs under 'Numéro IMEI' "
            "(not people), an 'Excel' export of 50 (a sheet saved as HTML: under its title and a blank row, "
            "a row of <td> cells names the columns), 5 files of one person each (key/value tables: the NIR "
            "named by the <th> before it); HTTP Basic", flows=1, accounts=["conseiller-0517"], client_ips=["10.20.0.41"],
            http={"requests": 4 + len(file_people), "responses": 4 + len(file_people)},
            records=len(caseload_people) + len(identity_people) + len(sheet_people) + len(file_people),
            findings={"nir": len(identity_people) + len(devices) + len(sheet_people) + len(file_people),
                      "france_travail_id": len(caseload_people) + len(sheet_people),
                      "birth_date": len(caseload_people) + len(sheet_people)})
    values = sorted({p["nir"] for p in identity_people + devices + sheet_people + file_people} |
                    {p["nir_spaced"] for p in identity_people + file_people} |
                    {p["ft_id"] for p in caseload_people + sheet_people} |
                    {p["birth_date"] for p in caseload_people + sheet_people})
    with open(path + ".values.json", "w") as f:
        json.dump(values, f)
