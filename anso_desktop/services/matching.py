"""Likely matches: whether a name typed in a spreadsheet is a record the register already holds.

An exact natural key (the folded name, the title and date) finds the same record; a partner's
sheet often spells it another way. The rules here find the likely ones, each with a reason a
person can read, and say whether it is strong (taken as the record) or weak (a person decides).
Plain Python over plain values, so the importer, the duplicate finder and the demo share it.

Look-alikes that are different organizations ("Chinese Academy of Engineering" beside the Chinese
Academy of Sciences) are never strong: only the same name once decorations are set aside, a known
alias, or the same acronym and country with a similar name are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from anso_desktop.services.name_forms import (
    KNOWN_PARENTS,
    NameForm,
    is_plain,
    looks_like_acronym,
    numbers_of,
    organization_form,
)
from anso_desktop.storage.models import normalize_name

#: Token similarity (0-100, rapidfuzz's token sort ratio) above which two names are offered as
#: a weak match, for a person to decide.
SIMILAR_NAME = 85
#: A token found in more names than this says nothing about which one is meant (e.g.
#: "institute"): candidates are gathered through rarer tokens only.
_COMMON_TOKEN = 50
_STOP_WORDS = frozenset("the of and for in on at de la le des du del di da y et und a an".split())
#: Words many organizations' names share: two names alike only in these ("Hungarian Academy of
#: Sciences", "Mongolian Academy of Sciences") are not alike.
_GENERIC_WORDS = frozenset(
    """academy academia academie akademie academies sciences science scientific university
    universiti universidad universidade universite universitat college school institute
    instituto institut institution national international research center centre council
    society foundation association federation union organization organisation agency
    technology technological studies study of""".split()
)


@dataclass(frozen=True)
class RecordRef:
    """A record as a match names it: `{"id", "name"}` in the import report's JSON."""

    id: int
    name: str

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Candidate:
    """One record a row may be: why, how sure (0-100), and whether sure enough to take it."""

    record: RecordRef
    reason: str
    score: int
    strong: bool

    def to_dict(self) -> dict[str, object]:
        return {"record": self.record.to_dict(), "reason": self.reason, "score": self.score}


def decide(candidates: Sequence[Candidate]) -> Candidate | None:
    """The record to take: the one strong candidate, when there is exactly one; None when a
    person must decide (two strong ones, or only weak ones) or there is nothing."""
    strong = [candidate for candidate in candidates if candidate.strong]
    return strong[0] if len(strong) == 1 else None


def best_first(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per record (the best), strongest and likeliest first."""
    best: dict[int, Candidate] = {}
    for candidate in candidates:
        known = best.get(candidate.record.id)
        if known is None or (candidate.strong, candidate.score) > (known.strong, known.score):
            best[candidate.record.id] = candidate
    return sorted(best.values(), key=lambda c: (not c.strong, -c.score, c.record.name))


def _tokens(folded: str) -> list[str]:
    return [token for token in folded.split() if token not in _STOP_WORDS]


def _distinctive(folded: str) -> str:
    """The words of a name that tell it from others of its kind."""
    return " ".join(token for token in _tokens(folded) if not _is_generic(token))


@lru_cache(maxsize=8192)
def _is_generic(token: str) -> bool:
    """A word every academy's name has, or a typing slip of one ("acadamy")."""
    if token in _GENERIC_WORDS:
        return True
    if len(token) < 5:
        return False
    return process.extractOne(token, _GENERIC_WORDS, scorer=fuzz.ratio, score_cutoff=85) is not None


def similarity(first: str, second: str) -> int:
    """Token similarity of two folded names, 0-100 (word order does not matter)."""
    return round(fuzz.token_sort_ratio(first, second))


# --- organizations -------------------------------------------------------------------------


def _joined(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


@dataclass(frozen=True)
class OrganizationEntry:
    """An organization of the register as the matcher sees it."""

    id: int
    name: str
    acronym: str | None
    country: str | None
    form: NameForm


@dataclass
class OrganizationIndex:
    """The register's organizations (and their aliases), indexed to find a name's likely
    matches without comparing it with every record: by core name, by acronym, by rare token."""

    entries: dict[int, OrganizationEntry] = field(default_factory=dict)
    by_core: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_acronym: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_token: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: Folded alias -> (organization id, the alias as written).
    aliases: dict[str, tuple[int, str]] = field(default_factory=dict)
    alias_cores: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    #: How many entries hold each set of numbers: a name with numbers none holds is alike none.
    numbers: dict[frozenset[str], int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def of(
        cls,
        organizations: Iterable[tuple[int, str, str | None, str | None]],
        aliases: Iterable[tuple[int, str]] = (),
    ) -> OrganizationIndex:
        index = cls()
        for organization_id, name, acronym, country in organizations:
            index.add(organization_id, name, acronym, country)
        for organization_id, alias in aliases:
            index.add_alias(organization_id, alias)
        return index

    def add(
        self, organization_id: int, name: str, acronym: str | None, country: str | None
    ) -> None:
        form = organization_form(name)
        entry = OrganizationEntry(organization_id, name, acronym, country, form)
        self.entries[organization_id] = entry
        self.by_core[form.core].append(organization_id)
        self.numbers[form.numbers] += 1
        for written in {acronym, form.acronym} - {None}:
            self.by_acronym[written.casefold()].append(organization_id)  # type: ignore[union-attr]
        for token in set(_tokens(form.core)):
            self.by_token[token].append(organization_id)

    def add_alias(self, organization_id: int, alias: str) -> None:
        self.aliases[normalize_name(alias)] = (organization_id, alias)
        self.alias_cores[organization_form(alias).core].append((organization_id, alias))

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(
        self,
        name: str,
        acronym: str | None = None,
        country: str | None = None,
        *,
        exclude: int | None = None,
        folded: str | None = None,
    ) -> list[Candidate]:
        """The organizations `name` (with the row's acronym and country, if given) may be, best
        first; `exclude` leaves one record out (a record compared with the rest)."""
        if not self.entries or self._surely_none(name, folded):
            return []
        return self.candidates_of(organization_form(name), name, acronym, country, exclude)

    def _surely_none(self, name: str, folded: str | None = None) -> bool:
        """Whether no rule can match `name`, told cheaply: a name with nothing to set aside
        (no "The", parentheses, comma or parent) is its own core, so unless that core, an
        alias, the acronym or the name's numbers are in the index, nothing matches it. An
        import of many new names into a register asks this of every row."""
        text = name.strip()
        if not is_plain(text) or looks_like_acronym(text):
            return False
        folded = folded if folded is not None else normalize_name(text)
        # The acronym and similarity rules compare only names holding the same numbers.
        return not (
            folded in self.by_core
            or folded in self.aliases
            or folded in self.alias_cores
            or self.numbers.get(numbers_of(folded))
        )

    def candidates_of(
        self,
        form: NameForm,
        name: str,
        acronym: str | None,
        country: str | None,
        exclude: int | None = None,
    ) -> list[Candidate]:
        """`candidates` of a name whose form is worked out already (a register entry's)."""
        acronym = acronym or form.acronym
        country = country or form.country
        found: list[Candidate] = []
        alias = self.aliases.get(form.folded)
        if alias is not None and alias[0] != exclude and alias[0] in self.entries:
            entry = self.entries[alias[0]]
            found.append(self._candidate(entry, f"known alias '{alias[1]}'", 100, True))
        for organization_id, written in self.alias_cores.get(form.core, ()):
            if organization_id != exclude and organization_id in self.entries:
                entry = self.entries[organization_id]
                found.append(self._same_core(form, acronym, country, entry, f"alias '{written}'"))
        for organization_id in self.by_core.get(form.core, ()):
            if organization_id != exclude:
                entry = self.entries[organization_id]
                found.append(self._same_core(form, acronym, country, entry, None))
        holders = self.by_acronym.get(acronym.casefold(), ()) if acronym else ()
        if acronym and len(holders) <= _COMMON_TOKEN:  # one shared by many tells nothing
            for organization_id in holders:
                if organization_id == exclude:
                    continue
                candidate = self._same_acronym(
                    form, acronym, country, self.entries[organization_id]
                )
                if candidate is not None:
                    found.append(candidate)
        written = " ".join(name.split()).split(",")[0].strip()
        if looks_like_acronym(written) and normalize_name(written) == form.core:
            found.extend(self._by_acronym_alone(written, country, form.parent, exclude))
        found.extend(self._similar(form, exclude, {c.record.id for c in found}))
        return best_first(found)

    def _by_acronym_alone(
        self, acronym: str, country: str | None, parent: str | None, exclude: int | None
    ) -> list[Candidate]:
        """A name written as an acronym ("XIEG, CAS"): the one organization of that acronym."""
        holders = [
            i for i in dict.fromkeys(self.by_acronym.get(acronym.casefold(), ())) if i != exclude
        ]
        found = []
        for organization_id in holders:
            entry = self.entries[organization_id]
            doubts = self._doubts(None, country, parent or entry.form.parent, entry)
            strong = len(holders) == 1 and not doubts
            reason = f"its acronym '{acronym}'" + (f", but {_joined(doubts)}" if doubts else "")
            found.append(self._candidate(entry, reason, 95 if strong else 70, strong))
        return found

    @staticmethod
    def _candidate(entry: OrganizationEntry, reason: str, score: int, strong: bool) -> Candidate:
        return Candidate(RecordRef(entry.id, entry.name), reason, score, strong)

    def _same_core(
        self,
        form: NameForm,
        acronym: str | None,
        country: str | None,
        entry: OrganizationEntry,
        via: str | None,
    ) -> Candidate:
        other = entry.form
        set_aside = [*form.set_aside, *(p for p in other.set_aside if p not in form.set_aside)]
        if via is not None:
            reason = f"same name as its {via}"
        elif set_aside:
            reason = f"same name without {_joined(set_aside)}"
        else:
            reason = "same name once case, accents and punctuation are set aside"
        doubts = self._doubts(acronym, country, form.parent, entry, form.country is not None)
        if doubts:
            return self._candidate(entry, f"{reason}, but {_joined(doubts)}", 80, False)
        return self._candidate(entry, reason, 100 if via is None else 98, True)

    @staticmethod
    def _doubts(
        acronym: str | None,
        country: str | None,
        parent: str | None,
        entry: OrganizationEntry,
        named_country: bool = False,
    ) -> list[str]:
        """What speaks against two names with the same core being one organization."""
        doubts = []
        theirs = entry.acronym or entry.form.acronym
        if acronym and theirs and acronym.casefold() != theirs.casefold():
            doubts.append(f"the acronyms differ ({acronym}, {theirs})")
        if country and entry.country and country != entry.country:
            doubts.append(f"the countries differ ({country}, {entry.country})")
        elif country and not entry.country and not entry.form.country and named_country:
            doubts.append(f"only one names a country ({country})")
        if parent != entry.form.parent:
            named = parent or entry.form.parent
            doubts.append(f"only one names its parent ({KNOWN_PARENTS.get(named or '', named)})")
        return doubts

    def _same_acronym(
        self, form: NameForm, acronym: str, country: str | None, entry: OrganizationEntry
    ) -> Candidate | None:
        """The same acronym and country with a similar name: sure only when the words that tell
        names apart are alike too ("University of Malaya Medical Centre" is not the university,
        "Chinese Academy of Sciences Beijing Branch" not the academy)."""
        if form.numbers != entry.form.numbers:
            return None
        score = similarity(form.core, entry.form.core)
        ours, theirs = _distinctive(form.core), _distinctive(entry.form.core)
        alike = not ours or not theirs or similarity(ours, theirs) >= SIMILAR_NAME
        same_country = country is not None and country == entry.country
        if same_country and score >= 80 and alike:
            reason = f"same acronym '{acronym}' and country, and a similar name ({score}%)"
            return self._candidate(entry, reason, max(score, 90), True)
        if score >= 60 and (country is None or entry.country is None or same_country):
            reason = f"same acronym '{acronym}', a similar name ({score}%)"
            return self._candidate(entry, reason, score, False)
        return None

    def _similar(self, form: NameForm, exclude: int | None, known: set[int]) -> list[Candidate]:
        """Names whose words are nearly the same: never strong (a person decides)."""
        if not self.numbers.get(form.numbers):
            return []  # names holding other numbers are other records ("No. 12", "5th")
        tokens = sorted(set(_tokens(form.core)), key=lambda t: len(self.by_token.get(t, ())))
        pool: set[int] = set()
        for token in tokens[:3]:
            holders = self.by_token.get(token, ())
            if len(holders) <= _COMMON_TOKEN:
                pool.update(holders)
        pool -= known
        pool.discard(exclude)  # type: ignore[arg-type]
        # Names that hold other numbers are other records ("No. 12", "5th"): not compared.
        ids = [i for i in pool if self.entries[i].form.numbers == form.numbers]
        if not ids:
            return []
        choices = [self.entries[i].form.core for i in ids]
        found = []
        distinctive = _distinctive(form.core)
        for _, score, position in process.extract(
            form.core, choices, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_NAME, limit=5
        ):
            entry = self.entries[ids[position]]
            theirs = _distinctive(entry.form.core)
            if distinctive and theirs and similarity(distinctive, theirs) < SIMILAR_NAME:
                continue  # alike only in the words every academy's name has
            found.append(
                self._candidate(entry, f"a similar name ({round(score)}%)", round(score), False)
            )
        return found


# --- duplicates within the register --------------------------------------------------------


@dataclass(frozen=True)
class DuplicatePair:
    """Two records of one table that look like one: `first` has the lower id."""

    first: RecordRef
    second: RecordRef
    reason: str
    score: int

    def to_dict(self) -> dict[str, object]:
        return {
            "first": self.first.to_dict(),
            "second": self.second.to_dict(),
            "reason": self.reason,
            "score": self.score,
        }


def pairs_of(
    found: Iterable[tuple[RecordRef, Candidate]], distinct: set[tuple[int, int]]
) -> list[DuplicatePair]:
    """Each pair once (the better reason kept), without those a person said are distinct, best
    first."""
    best: dict[tuple[int, int], DuplicatePair] = {}
    for record, candidate in found:
        low, high = sorted((record, candidate.record), key=lambda r: r.id)
        key = (low.id, high.id)
        if key in distinct or low.id == high.id:
            continue
        score = candidate.score + (100 if candidate.strong else 0)
        known = best.get(key)
        if known is None or score > known.score:
            best[key] = DuplicatePair(low, high, candidate.reason, score)
    pairs = [
        DuplicatePair(p.first, p.second, p.reason, p.score - 100 if p.score > 100 else p.score)
        for p in best.values()
    ]
    return sorted(pairs, key=lambda p: (-p.score, p.first.name.casefold(), p.second.id))


def organization_duplicates(
    index: OrganizationIndex,
    distinct: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
) -> list[DuplicatePair]:
    """Every pair of the register's organizations that look like one."""

    def found() -> Iterable[tuple[RecordRef, Candidate]]:
        for entry in index.entries.values():
            record = RecordRef(entry.id, entry.name)
            for candidate in index.candidates_of(
                entry.form, entry.name, entry.acronym, entry.country, exclude=entry.id
            ):
                yield record, candidate

    return pairs_of(found(), distinct)
