"""The bundled arXiv taxonomy: names as arXiv prints them, archives, aliases, feed names."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from paperfeed.core import taxonomy
from paperfeed.core.taxonomy import (
    ALL_ARCHIVES,
    ARCHIVES,
    archive_categories,
    archive_name,
    archive_of,
    canonical_category,
    category_name,
    equivalent_categories,
    is_known_feed,
    normalize_code,
    parse_subject_label,
    subject_label,
)
from tests.support import FIXTURES

TAXONOMY = FIXTURES / "taxonomy"


def _lines(name: str) -> list[str]:
    return (TAXONOMY / name).read_text(encoding="utf-8").splitlines()


def _bundled() -> dict[str, object]:
    text = (resources.files("paperfeed") / "data" / "taxonomy.json").read_text(encoding="utf-8")
    data: dict[str, object] = json.loads(text)
    return data


# --- the example digests ---------------------------------------------------------------------


@pytest.mark.parametrize("label", _lines("subject_labels.txt"))
def test_example_digest_labels_round_trip(label: str) -> None:
    name, code = parse_subject_label(label)
    assert category_name(code) == name, "the bundled name differs from what the digest printed"
    assert subject_label(code) == label


def test_example_digest_subject_lines_are_rebuilt_byte_for_byte() -> None:
    lines = _lines("subject_lines.txt")
    assert len(lines) == 44
    for line in lines:
        codes = [parse_subject_label(label)[1] for label in line.split("; ")]
        assert "; ".join(subject_label(code) for code in codes) == line


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("cs.LG", "Machine Learning"),
        ("stat.ML", "Machine Learning"),
        ("eess.SY", "Systems and Control"),
        ("cs.SY", "Systems and Control"),
        ("physics.space-ph", "Space Physics"),
        ("cs.CE", "Computational Engineering, Finance, and Science"),
        ("cs.DC", "Distributed, Parallel, and Cluster Computing"),
        ("hep-th", "High Energy Physics - Theory"),
        ("astro-ph.CO", "Cosmology and Nongalactic Astrophysics"),
        ("cond-mat.mes-hall", "Mesoscale and Nanoscale Physics"),
        ("math.CA", "Classical Analysis and ODEs"),
        ("math.ST", "Statistics Theory"),
        ("stat.TH", "Statistics Theory"),
        ("math.MP", "Mathematical Physics"),
        ("math-ph", "Mathematical Physics"),
        ("q-fin.EC", "Economics"),
        ("econ.GN", "General Economics"),
        ("q-bio.NC", "Neurons and Cognition"),
        ("nlin.AO", "Adaptation and Self-Organizing Systems"),
        ("physics.data-an", "Data Analysis, Statistics and Probability"),
        ("eess.IV", "Image and Video Processing"),
        ("quant-ph", "Quantum Physics"),
        ("gr-qc", "General Relativity and Quantum Cosmology"),
        # legacy codes still found on old papers
        ("solv-int", "Exactly Solvable and Integrable Systems"),
        ("cond-mat", "Condensed Matter"),
        ("astro-ph", "Astrophysics"),
    ],
)
def test_spot_checked_names(code: str, name: str) -> None:
    assert category_name(code) == name
    assert subject_label(code) == f"{name} ({code})"


def test_unknown_codes() -> None:
    assert category_name("xx.YY") is None
    assert category_name("cs.XX") is None
    assert category_name("") is None
    assert subject_label("xx.YY") == "xx.YY (xx.YY)"


def test_code_case_is_forgiven_and_printed_as_arxiv_spells_it() -> None:
    assert category_name("cs.lg") == "Machine Learning"
    assert subject_label("cs.lg") == "Machine Learning (cs.LG)"
    assert normalize_code("PHYSICS.SPACE-PH") == "physics.space-ph"
    assert normalize_code("Hep-Th") == "hep-th"
    assert normalize_code("cs") == "cs"
    assert normalize_code("nope.XX") is None


def test_extra_names_fill_only_what_the_taxonomy_lacks() -> None:
    extra = {"cs.ZZ": "Zeta Studies", "cs.LG": "Wrong Name"}
    assert subject_label("cs.ZZ", extra) == "Zeta Studies (cs.ZZ)"
    assert subject_label("cs.LG", extra) == "Machine Learning (cs.LG)"
    assert subject_label("cs.QQ", extra) == "cs.QQ (cs.QQ)"
    assert subject_label("cs.QQ", {}) == "cs.QQ (cs.QQ)"


def test_every_active_category_has_a_clean_name() -> None:
    for archive in ALL_ARCHIVES:
        for code in archive_categories(archive):
            name = category_name(code)
            assert name, code
            assert name == name.strip() and "  " not in name and "\n" not in name, code
            assert parse_subject_label(subject_label(code)) == (name, code)


# --- labels ----------------------------------------------------------------------------------


def test_parse_splits_on_the_last_parenthesis() -> None:
    assert parse_subject_label("Machine Learning (stat.ML)") == ("Machine Learning", "stat.ML")
    assert parse_subject_label("Some (Odd) Name (cs.XX)") == ("Some (Odd) Name", "cs.XX")
    assert parse_subject_label("  Robotics (cs.RO) ") == ("Robotics", "cs.RO")


@pytest.mark.parametrize(
    "label",
    [
        "Machine Learning",
        "Machine Learning cs.LG",
        "(cs.LG)",
        "Machine Learning ()",
        "Machine Learning (cs LG)",
        "Machine Learning (cs.LG",
        "",
    ],
)
def test_parse_rejects_what_is_not_a_label(label: str) -> None:
    with pytest.raises(ValueError, match="Name \\(code\\)"):
        parse_subject_label(label)


# --- archives --------------------------------------------------------------------------------


def test_all_archives_is_exactly_the_active_archives_cs_first() -> None:
    archives = _bundled()["archives"]
    assert isinstance(archives, dict)
    active = {a for a, info in archives.items() if info["active"]}
    assert set(ALL_ARCHIVES) == active
    assert len(ALL_ARCHIVES) == len(active) == 20
    assert ALL_ARCHIVES[0] == "cs"
    assert "test" not in active


def test_archive_categories() -> None:
    cs = archive_categories("cs")
    assert len(cs) == 40
    assert {"cs.LG", "cs.AI", "cs.CL", "cs.CV"} <= set(cs)
    # aliases living in cs are part of what the cs feed covers, as arXiv's error page lists them
    assert {"cs.SY", "cs.NA"} <= set(cs)
    assert all(archive_of(c) == "cs" for c in cs)
    assert archive_categories("hep-th") == ("hep-th",)
    assert archive_categories("quant-ph") == ("quant-ph",)
    physics = archive_categories("physics")
    assert len(physics) == 22 and "physics.space-ph" in physics
    assert all(c.startswith("physics.") for c in physics)
    assert set(archive_categories("eess")) == {"eess.AS", "eess.IV", "eess.SP", "eess.SY"}
    assert set(archive_categories("econ")) == {"econ.EM", "econ.GN", "econ.TH"}
    assert "math.IT" in archive_categories("math") and "math.MP" in archive_categories("math")
    assert "stat.TH" in archive_categories("stat")
    # the legacy bare archive category is not an active category of its archive
    assert "astro-ph" not in archive_categories("astro-ph")
    assert archive_categories("CS") == cs


def test_archive_categories_matches_arxivs_own_error_listing() -> None:
    # rss.arxiv.org's answer to /rss/cs.XX, as recorded in the shared upstream fixture
    # arxiv_rss_error_bad_category.xml ("Valid subject classes for the archive 'cs' are: ...")
    listed = (
        "cs.AI, cs.AR, cs.CC, cs.CE, cs.CG, cs.CL, cs.CR, cs.CV, cs.CY, cs.DB, cs.DC, cs.DL, "
        "cs.DM, cs.DS, cs.ET, cs.FL, cs.GL, cs.GR, cs.GT, cs.HC, cs.IR, cs.IT, cs.LG, cs.LO, "
        "cs.MA, cs.MM, cs.MS, cs.NA, cs.NE, cs.NI, cs.OH, cs.OS, cs.PF, cs.PL, cs.RO, cs.SC, "
        "cs.SD, cs.SE, cs.SI, cs.SY"
    )
    assert ", ".join(archive_categories("cs")) == listed


@pytest.mark.parametrize("bad", ["cs.LG", "solv-int", "test", "nope", ""])
def test_archive_categories_rejects_non_archives(bad: str) -> None:
    with pytest.raises(ValueError, match="not an arXiv archive"):
        archive_categories(bad)


def test_archives_mapping() -> None:
    assert list(ARCHIVES) == list(ALL_ARCHIVES)
    assert len(ARCHIVES) == 20
    assert ARCHIVES["hep-th"] == ("hep-th",)
    assert ARCHIVES["cs"] == archive_categories("cs")
    assert "nope" not in ARCHIVES
    every = [c for a in ARCHIVES for c in ARCHIVES[a]]
    assert len(every) == len(set(every)) == 155


@pytest.mark.parametrize(
    ("code", "archive"),
    [
        ("cs.LG", "cs"),
        ("hep-th", "hep-th"),
        ("physics.space-ph", "physics"),
        ("astro-ph.CO", "astro-ph"),
        ("q-fin.TR", "q-fin"),
        ("math-ph", "math-ph"),
        ("xx.YY", "xx"),
    ],
)
def test_archive_of(code: str, archive: str) -> None:
    assert archive_of(code) == archive


def test_archive_names() -> None:
    assert archive_name("cs") == "Computer Science"
    assert archive_name("eess") == "Electrical Engineering and Systems Science"
    assert archive_name("hep-ph") == "High Energy Physics - Phenomenology"
    assert archive_name("solv-int") == "Exactly Solvable and Integrable Systems"
    assert archive_name("nope") is None


# --- aliases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("cs.SY", "eess.SY"),
        ("math.IT", "cs.IT"),
        ("math.MP", "math-ph"),
        ("stat.TH", "math.ST"),
        ("cs.NA", "math.NA"),
        ("q-fin.EC", "econ.GN"),
    ],
)
def test_aliases(alias: str, canonical: str) -> None:
    assert canonical_category(alias) == canonical
    assert canonical_category(canonical) == canonical
    assert equivalent_categories(alias) == (alias, canonical)
    assert equivalent_categories(canonical) == (canonical, alias)
    assert category_name(alias) is not None and category_name(canonical) is not None


def test_non_aliases_are_their_own_canonical() -> None:
    assert canonical_category("cs.LG") == "cs.LG"
    assert canonical_category("cs.lg") == "cs.LG"
    assert equivalent_categories("cs.LG") == ("cs.LG",)
    assert canonical_category("xx.YY") == "xx.YY"


# --- feed names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        "cs",
        "hep-th",
        "physics",
        "q-bio",
        "cs.LG",
        "cs.lg",
        "CS.LG",
        "stat.ML",
        "eess.SY",
        "cs.SY",
        "physics.space-ph",
        "PHYSICS.SPACE-PH",
        "math-ph",
        "math.MP",
        " cs.LG ",
    ],
)
def test_known_feeds(spec: str) -> None:
    assert is_known_feed(spec)


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "cs.XX",
        "cs.LG+stat.ML",
        "xx",
        "test",
        "solv-int",
        "cs.",
        "cs.LG.x",
        ".LG",
        "machine learning",
        "hep-th.XX",
    ],
)
def test_unknown_feeds(spec: str) -> None:
    assert not is_known_feed(spec)


def test_every_active_archive_and_category_is_a_known_feed() -> None:
    for archive in ALL_ARCHIVES:
        assert is_known_feed(archive)
        for code in archive_categories(archive):
            assert is_known_feed(code) and is_known_feed(code.lower()), code


# --- the data file ---------------------------------------------------------------------------


def test_data_file_records_its_origin() -> None:
    source = _bundled()["_source"]
    assert isinstance(source, dict)
    assert source["repository"] == "https://github.com/arXiv/arxiv-base"
    assert source["path"] == "arxiv/taxonomy/definitions.py"
    assert len(source["commit"]) == 40


def test_data_is_loaded_once() -> None:
    taxonomy._taxonomy.cache_clear()
    category_name("cs.LG")
    category_name("cs.AI")
    assert taxonomy._taxonomy.cache_info().misses == 1
