"""SMTP captures for the mail decoder (sensor/app/smtp, sensor/app/mime).

  smtp_attachment_csv.pcap  submission (587), AUTH PLAIN, PIPELINING, one message with a text
                            part and a base64 CSV attachment of 40 fictitious people
  smtp_bdat_chunking.pcap   port 25, CHUNKING: the message is sent in three BDAT chunks, the
                            CSV (20 people) is quoted-printable; no AUTH (account empty)
  smtp_starttls.pcap        EHLO, STARTTLS accepted (220), then TLS records: no message visible

Each has a .json sidecar with what a correct decoder + scanner reports.
"""
import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402
import people  # noqa: E402

T0 = 1706090400.0  # 2024-01-24T10:00:00Z
CLIENT = "10.30.0.21"
SERVER = "198.51.100.25"
FIELDS = ("nir", "email", "phone", "iban", "birth_date", "address")


def sidecar(path, **kw):
    with open(path + ".json", "w") as f:
        json.dump(kw, f, indent=2, sort_keys=True)
        f.write("\n")


def csv(persons):
    lines = ["nom;prenom;nir;date_naissance;email;telephone;adresse;iban"]
    for p in persons:
        lines.append(";".join([p["last_name"], p["first_name"], p["nir"], p["birth_date"], p["email"], p["phone"],
                               p["address"], p["iban"]]))
    return ("\n".join(lines) + "\n").encode()


def by_type(persons):
    return {f: len({p[f] for p in persons}) for f in FIELDS}


def b64_lines(data):
    enc = base64.b64encode(data)
    return b"\r\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + b"\r\n"


def qp(data):
    """Quoted-printable, soft breaks at 70 columns ('=' and ';' escaped as =3D / =3B)."""
    out, line = [], b""
    for ch in data:
        if ch == 0x0A:
            out.append(line + b"\r\n")
            line = b""
            continue
        tok = b"=%02X" % ch if ch in (0x3D, 0x3B) or ch > 126 else bytes([ch])
        if len(line) + len(tok) > 70:
            out.append(line + b"=\r\n")
            line = b""
        line += tok
    if line:
        out.append(line + b"\r\n")
    return b"".join(out)


def stuff(msg):
    return b"\r\n".join((b"." + l if l.startswith(b".") else l) for l in msg.split(b"\r\n"))


def attachment_csv(outdir):
    persons = people.people(301, 40)
    data = csv(persons)
    msg = (b"From: Agent <agent.0042@example.fr>\r\nTo: boite@exemple.org\r\nSubject: export demandeurs\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"----=_Part_0_42\"\r\n\r\n"
           b"------=_Part_0_42\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCi-joint l'export.\r\n"
           b".signature line starting with a dot\r\n"
           b"------=_Part_0_42\r\nContent-Type: text/csv; name=\"export.csv\"\r\n"
           b"Content-Disposition: attachment; filename=\"export.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + b64_lines(data) + b"------=_Part_0_42--\r\n")
    c = pcapgen.TcpConversation(CLIENT, SERVER, 51000, 587, t0=T0)
    c.handshake()
    c.send(1, b"220 smtp.exemple.org ESMTP\r\n")
    c.send(0, b"EHLO poste-0042.example.fr\r\n")
    c.send(1, b"250-smtp.exemple.org\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
    c.send(0, b"AUTH PLAIN " + base64.b64encode(b"\0capemploi-0042\0motdepasse") + b"\r\n")
    c.send(1, b"235 2.7.0 Authentication successful\r\n")
    c.send(0, b"MAIL FROM:<agent.0042@example.fr>\r\nRCPT TO:<boite@exemple.org>\r\nRCPT TO:<copie@exemple.org>\r\nDATA\r\n")
    c.send(1, b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
    c.send(0, stuff(msg) + b".\r\n", mss=536)
    c.send(1, b"250 2.0.0 Ok: queued\r\n")
    c.send(0, b"QUIT\r\n")
    c.send(1, b"221 2.0.0 Bye\r\n")
    c.close()
    path = os.path.join(outdir, "smtp_attachment_csv.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="SMTP submission, AUTH PLAIN, base64 CSV attachment of 40 people", flows=1,
            accounts=["capemploi-0042"], client_ips=[CLIENT], smtp={"messages": 1, "attachments": 1},
            detail="mail from a***@example.fr to 2 rcpt; attachments: export.csv (%d B)" % len(data),
            decoded_bytes=len(b"Ci-joint l'export.\r\n.signature line starting with a dot") + len(data),
            people=len(persons), by_type=by_type(persons))


def bdat_chunking(outdir):
    persons = people.people(302, 20)
    data = csv(persons)
    msg = (b"From: x@example.fr\r\nSubject: lot 2\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/csv; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
           b"Content-Disposition: attachment;\r\n filename*0*=utf-8''lot%202;\r\n filename*1=\".csv\"\r\n\r\n" + qp(data))
    cuts = [0, len(msg) // 3, 2 * len(msg) // 3, len(msg)]
    c = pcapgen.TcpConversation(CLIENT, SERVER, 51001, 25, t0=T0 + 60)
    c.handshake()
    c.send(1, b"220 mx.exemple.org ESMTP\r\n")
    c.send(0, b"EHLO relais.example.fr\r\n")
    c.send(1, b"250-mx.exemple.org\r\n250-CHUNKING\r\n250 PIPELINING\r\n")
    c.send(0, b"MAIL FROM:<x@example.fr>\r\nRCPT TO:<y@exemple.org>\r\n")
    c.send(1, b"250 Ok\r\n250 Ok\r\n")
    for i in range(3):
        chunk = msg[cuts[i]:cuts[i + 1]]
        last = b" LAST" if i == 2 else b""
        c.send(0, b"BDAT %d%s\r\n" % (len(chunk), last) + chunk, mss=700)
        c.send(1, b"250 Ok %d octets\r\n" % len(chunk))
    c.send(0, b"QUIT\r\n")
    c.send(1, b"221 Bye\r\n")
    c.close()
    path = os.path.join(outdir, "smtp_bdat_chunking.pcap")
    pcapgen.write_conversations(path, [c])
    # QP hard line breaks are CRLF; the break after the entity's last line is not content.
    decoded = len(data.replace(b"\n", b"\r\n")) - 2
    sidecar(path, description="SMTP CHUNKING (3 BDAT), quoted-printable CSV of 20 people, RFC 2231 filename",
            flows=1, accounts=[], client_ips=[CLIENT], smtp={"messages": 1, "attachments": 1},
            detail="mail from x***@example.fr to 1 rcpt; attachments: lot 2.csv (%d B)" % decoded,
            decoded_bytes=decoded, people=len(persons), by_type=by_type(persons))


def starttls(outdir):
    c = pcapgen.TcpConversation(CLIENT, SERVER, 51002, 25, t0=T0 + 120)
    c.handshake()
    c.send(1, b"220 mx.exemple.org ESMTP\r\n")
    c.send(0, b"EHLO relais.example.fr\r\n")
    c.send(1, b"250-mx.exemple.org\r\n250 STARTTLS\r\n")
    c.send(0, b"STARTTLS\r\n")
    c.send(1, b"220 2.0.0 Ready to start TLS\r\n")
    # Opaque records standing for the TLS session (content must not be parsed as SMTP).
    c.send(0, b"\x16\x03\x01\x00\x20" + bytes(range(32)) + b"MAIL FROM:<z@z.z>\r\nDATA\r\n")
    c.send(1, b"\x16\x03\x03\x00\x10" + bytes(16))
    c.send(0, b"\x17\x03\x03\x04\x00" + bytes((i * 7) & 0xFF for i in range(1024)))
    c.close()
    path = os.path.join(outdir, "smtp_starttls.pcap")
    pcapgen.write_conversations(path, [c])
    sidecar(path, description="SMTP STARTTLS accepted: volume only, no message", flows=1, accounts=[],
            client_ips=[CLIENT], smtp={"messages": 0, "attachments": 0, "starttls": 1}, people=0, by_type={})


def build(outdir):
    attachment_csv(outdir)
    bdat_chunking(outdir)
    starttls(outdir)
