"""Deterministic generator of fictitious French people for test captures.

Every identifier is structurally valid (so Vigie's validators accept it) and fictitious:
NIR with its mod-97 key, FR mobile phone, e-mail, IBAN FR with valid RIB key and IBAN check
digits, birth date consistent with the NIR, postal address, France Travail identifier.

    rng = random.Random(42)
    p = person(rng, i)      # dict with nir, phone, email, iban, birth_date, address, ft_id, ...
"""
import random

FIRST = ["Jean", "Marie", "Pierre", "Sophie", "Luc", "Camille", "Nicolas", "Julie", "Thomas", "Claire",
         "Antoine", "Emma", "Hugo", "Lea", "Louis", "Chloe", "Paul", "Manon", "Arthur", "Ines"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]
STREETS = ["rue de la Republique", "avenue Jean Jaures", "boulevard Victor Hugo", "rue Pasteur",
           "place de la Liberte", "chemin des Vignes", "allee des Tilleuls", "rue Nationale"]
CITIES = [("75011", "Paris"), ("69003", "Lyon"), ("13005", "Marseille"), ("31000", "Toulouse"),
          ("33000", "Bordeaux"), ("59000", "Lille"), ("44000", "Nantes"), ("67000", "Strasbourg")]
DOMAINS = ["example.fr", "mail.example.com", "exemple.org"]


def nir_key(thirteen):
    return 97 - int(thirteen) % 97


def make_nir(rng, sex, yy, mm):
    dept = rng.choice([d for d in range(1, 96) if d != 20])
    commune = rng.randint(1, 990)
    order = rng.randint(1, 999)
    base = "%d%02d%02d%02d%03d%03d" % (sex, yy, mm, dept, commune, order)
    return base + "%02d" % nir_key(base)


def rib_key(bank, branch, account):
    return 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97


def iban_fr(bank, branch, account, key):
    bban = "%s%s%s%02d" % (bank, branch, account, key)
    # Move "FR00" to the end, letters to numbers (F=15, R=27).
    num = int(bban + "152700")
    check = 98 - num % 97
    return "FR%02d%s" % (check, bban)


def group4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def person(rng, index):
    """One fictitious person; `index` makes the e-mail unique within a data set."""
    sex = rng.choice([1, 2])
    year = rng.randint(1950, 2003)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    first = rng.choice(FIRST)
    last = rng.choice(LAST)
    nir = make_nir(rng, sex, year % 100, month)
    bank, branch = "%05d" % rng.randint(10000, 99999), "%05d" % rng.randint(0, 99999)
    account = "%011d" % rng.randint(0, 10 ** 11 - 1)
    iban = iban_fr(bank, branch, account, rib_key(bank, branch, account))
    zipc, city = rng.choice(CITIES)
    phone = "06 %02d %02d %02d %02d" % tuple(rng.randint(0, 99) for _ in range(4))
    return {
        "first_name": first,
        "last_name": last,
        "nir": nir,
        "nir_spaced": "%s %s %s %s %s %s %s" % (nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]),
        "birth_date": "%02d/%02d/%d" % (day, month, year),
        "email": "%s.%s%d@%s" % (first.lower(), last.lower(), index, rng.choice(DOMAINS)),
        "phone": phone,
        "iban": group4(iban),
        "address": "%d %s, %s %s" % (rng.randint(1, 150), rng.choice(STREETS), zipc, city),
        "ft_id": "%07d%s" % (rng.randint(0, 9999999), rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")),
    }


def people(seed, n):
    rng = random.Random(seed)
    return [person(rng, i) for i in range(n)]


if __name__ == "__main__":
    for p in people(1, 3):
        print(p)
