"""A name with what does not make it another organization set aside: a leading "The", a
trailing "(ACRONYM)", a trailing ", COUNTRY", a parent ("..., CAS", "... of the Chinese Academy
of Sciences"), case, accents and punctuation — the forms the register's matching compares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from anso_desktop.countries import country_code
from anso_desktop.storage.models import normalize_name

#: Parents written after a comma or as "of the ..." ("..., CAS"): acronym -> folded name.
KNOWN_PARENTS = {"cas": "chinese academy of sciences"}
_PARENT_NAMES = {name: acronym for acronym, name in KNOWN_PARENTS.items()}
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9&.\-]{1,14}$")
_TRAILING_PARENTHESES = re.compile(r"\s*\(([^()]*)\)\s*$")
_OF_THE_PARENT = re.compile(
    r",?\s+of\s+(?:the\s+)?("
    + "|".join(
        r"\s+".join(map(re.escape, written.split()))
        for pair in KNOWN_PARENTS.items()
        for written in pair
    )
    + r")\s*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+")
#: The last three letters of the parents a name may end with: the "... of the ..." search is
#: made only for names ending so.
_PARENT_ENDINGS = frozenset(
    written[-3:].casefold() for pair in KNOWN_PARENTS.items() for written in pair
)


def numbers_of(folded: str) -> frozenset[str]:
    """The numbers a name holds: "5th Workshop" and "6th Workshop" are different events."""
    return frozenset(number.lstrip("0") or "0" for number in _NUMBER.findall(folded))


@dataclass(frozen=True)
class NameForm:
    """A name with what does not make it another organization set aside: a leading "The", a
    trailing "(ACRONYM)", a trailing ", COUNTRY", a parent ("..., CAS", "... of the Chinese
    Academy of Sciences"), case, accents and punctuation."""

    folded: str
    core: str
    set_aside: tuple[str, ...] = ()
    acronym: str | None = None
    country: str | None = None
    parent: str | None = None
    #: The numbers the name holds (worked out once: every comparison asks).
    numbers: frozenset[str] = field(default=frozenset(), compare=False)


@lru_cache(maxsize=512)
def _country_of(text: str) -> str | None:
    try:
        return country_code(text)
    except ValueError:
        return None


def looks_like_acronym(text: str) -> bool:
    """ "IAC", "TIBCAS", "ANSO-DataPA": one word, mostly capitals (not "Bishkek")."""
    if not _ACRONYM.match(text):
        return False
    capitals = sum(ch.isupper() for ch in text)
    return capitals >= 2 and capitals * 2 >= sum(ch.isalpha() for ch in text)


def _parent_of(text: str) -> str | None:
    """The folded name of a parent written as `text` ("CAS", "Chinese Academy of Sciences")."""
    folded = normalize_name(text)
    if folded in KNOWN_PARENTS:
        return KNOWN_PARENTS[folded]
    if folded in _PARENT_NAMES:
        return folded
    return None


@lru_cache(maxsize=4096)
def organization_form(name: str) -> NameForm:
    """`name` with its decorations set aside (see `NameForm`)."""
    if is_plain(name):  # nothing to set aside: most names, told without the peeling below
        folded = normalize_name(name)
        core = folded[4:] if folded.startswith("the ") else folded
        return NameForm(folded=folded, core=core or folded, numbers=numbers_of(core))
    text = " ".join(name.split())
    set_aside: list[str] = []
    acronym = country = parent = None
    if text[:4].casefold() == "the " and len(text) > 4:
        set_aside.append(f"'{text[:3]}'")
        text = text[4:]
    for _ in range(3):  # "X (XIEG), CAS" and the like: peel from the end
        parentheses = _TRAILING_PARENTHESES.search(text) if text.endswith(")") else None
        if parentheses and acronym is None and looks_like_acronym(parentheses.group(1).strip()):
            acronym = parentheses.group(1).strip()
            set_aside.append(f"'({acronym})'")
            text = text[: parentheses.start()]
            continue
        head, comma, tail = text.rpartition(",")
        if comma and head.strip():
            tail = tail.strip()
            if parent is None and (found := _parent_of(tail)) is not None:
                parent = found
                set_aside.append(f"', {tail}'")
                text = head.strip()
                continue
            if country is None and (code := _country_of(tail)) is not None:
                country = code
                set_aside.append(f"', {tail}'")
                text = head.strip()
                continue
        of_the = (
            _OF_THE_PARENT.search(text)
            if parent is None and text[-3:].casefold() in _PARENT_ENDINGS
            else None
        )
        if of_the and parent is None and (found := _parent_of(of_the.group(1))) is not None:
            parent = found
            set_aside.append(f"'{of_the.group(0).strip(' ,')}'")
            text = text[: of_the.start()]
            continue
        break
    folded = normalize_name(name)
    core = normalize_name(text) if set_aside else folded  # most names have nothing to set aside
    if core.startswith("the "):
        core = core[4:]
    core = core or folded
    return NameForm(
        folded=folded,
        core=core,
        set_aside=tuple(set_aside),
        acronym=acronym,
        country=country,
        parent=parent,
        numbers=numbers_of(core),
    )


def core_of(name: str, folded: str | None = None) -> str:
    """The core of a name (see `NameForm`), quickly for a name with nothing to set aside
    (`folded`: its `normalize_name`, when the caller has it)."""
    if is_plain(name):
        folded = folded if folded is not None else normalize_name(name)
        return (folded[4:] if folded.startswith("the ") else folded) or folded
    return organization_form(name).core


def is_plain(name: str) -> bool:
    """A name with no "The", parentheses, comma or parent to set aside."""
    text = name.strip()
    return not (
        "(" in text
        or "," in text
        or text[:4].casefold() == "the "
        or text[-3:].casefold() in _PARENT_ENDINGS
    )
