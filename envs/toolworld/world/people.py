"""The people of a world and what every app shares about them.

Core tables (no app prefix): people, addresses, payment_cards, relations and
app_accounts (one password per person per app). Apps key their own rows by
`person_id`, so one person is the same user everywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

CORE_SCHEMA = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE, phone_number TEXT NOT NULL UNIQUE, birthday TEXT NOT NULL,
    sex TEXT NOT NULL
);
CREATE TABLE addresses (
    id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES people(id), name TEXT NOT NULL,
    street_address TEXT NOT NULL, city TEXT NOT NULL, state TEXT NOT NULL, zip_code TEXT NOT NULL
);
CREATE TABLE payment_cards (
    id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES people(id), card_name TEXT NOT NULL,
    owner_name TEXT NOT NULL, card_number TEXT NOT NULL UNIQUE, expiry_year INTEGER NOT NULL,
    expiry_month INTEGER NOT NULL, cvv_number TEXT NOT NULL
);
CREATE TABLE relations (
    id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES people(id),
    other_id INTEGER NOT NULL REFERENCES people(id), kind TEXT NOT NULL
);
CREATE TABLE app_accounts (
    id INTEGER PRIMARY KEY, app TEXT NOT NULL, person_id INTEGER NOT NULL REFERENCES people(id),
    password TEXT NOT NULL, UNIQUE(app, person_id)
);
"""

FIRST_NAMES = {
    "female": """Ada Bela Cora Dina Edie Faye Gwen Hana Iris June Kira Lena Mira Nora Opal Pia Rhea Sana
        Tess Una Vera Wren Xena Yara Zola Alba Bria Cleo Dara Elsa Flor Gita""".split(),
    "male": """Abel Bram Cyrus Dax Eli Finn Gus Hugo Ivo Jude Kai Leon Milo Nico Otto Pavel Quin Rafe
        Silas Theo Umar Vik Wade Xavi Yuri Zane Arlo Bo Cato Dev Emil Femi""".split(),
}
LAST_NAMES = """Abara Bellamy Castillo Dunmore Ekwueme Farrow Gallo Hargreave Ishikawa Janssen Kowal
    Lindqvist Moreau Nakashima Okafor Petrov Quintana Rasmussen Sandoval Thorne Ueda Varga Whitlock
    Xiong Yilmaz Zielinski Albright Brennan Cardoso Delacroix""".split()
CITIES = [("Ashford", "WA"), ("Brookvale", "OR"), ("Cedar Falls", "CA"), ("Dunmore", "NY"), ("Elmstead", "TX")]
STREETS = "Maple Birch Harbor Lantern Quarry Willow Summit Orchard Meadow Granite".split()
RELATION_KINDS = ("friend", "family", "coworker", "roommate")


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    last_name: str
    email: str
    phone_number: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def make_people(rng: random.Random, count: int, today: date) -> list[tuple]:
    """Rows for `people`: unique names, emails and phone numbers."""
    rows: list[tuple] = []
    used: set[tuple[str, str]] = set()
    while len(rows) < count:
        sex = rng.choice(("female", "male"))
        first, last = rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES)
        if (first, last) in used:
            continue
        used.add((first, last))
        pid = len(rows) + 1
        email = f"{first.lower()}.{last.lower()}@{rng.choice(('mailbox.com', 'postly.net', 'inkwell.org'))}"
        phone = f"{rng.randint(200, 989)}{rng.randint(200, 989)}{pid:04d}"
        birthday = today - timedelta(days=rng.randint(18 * 365, 70 * 365))
        rows.append((pid, first, last, email, phone, birthday.isoformat(), sex))
    return rows


def make_relations(rng: random.Random, person_ids: list[int]) -> list[tuple[int, int, str]]:
    """Symmetric relations: small households of roommates/family, coworkers, friends."""
    pairs: dict[tuple[int, int], str] = {}
    ids = list(person_ids)
    rng.shuffle(ids)
    for start in range(0, len(ids) - 1, 3):  # households of 2-3 people
        house = ids[start : start + rng.choice((2, 3))]
        kind = rng.choice(("family", "roommate"))
        for a in house:
            for b in house:
                if a < b:
                    pairs[(a, b)] = kind
    for pid in person_ids:
        for kind, k in (("coworker", 2), ("friend", 5)):
            for other in rng.sample(person_ids, k):
                if other != pid:
                    pairs.setdefault((min(pid, other), max(pid, other)), kind)
    rows = []
    for (a, b), kind in sorted(pairs.items()):
        rows.append((a, b, kind))
        rows.append((b, a, kind))
    return rows


def make_cards_and_addresses(rng: random.Random, people: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    addresses, cards = [], []
    for pid, first, last, *_ in people:
        city, state = rng.choice(CITIES)
        addresses.append(
            (
                pid,
                "Home",
                f"{rng.randint(10, 999)} {rng.choice(STREETS)} St",
                city,
                state,
                f"{rng.randint(10000, 99999)}",
            )
        )
        if rng.random() < 0.5:
            addresses.append(
                (
                    pid,
                    "Work",
                    f"{rng.randint(10, 999)} {rng.choice(STREETS)} Ave",
                    city,
                    state,
                    f"{rng.randint(10000, 99999)}",
                )
            )
        for card_name in rng.sample(("Everyday Visa", "Travel Mastercard", "Cashback Card"), rng.randint(1, 2)):
            number = "4" + "".join(str(rng.randint(0, 9)) for _ in range(11)) + f"{pid:04d}"
            cards.append(
                (
                    pid,
                    card_name,
                    f"{first} {last}",
                    number,
                    rng.randint(2027, 2031),
                    rng.randint(1, 12),
                    f"{rng.randint(100, 999)}",
                )
            )
    return addresses, cards


def make_password(rng: random.Random) -> str:
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(rng.choice(alphabet) for _ in range(10))
