"""``checks.text.fold`` against its definition: lower case, NFD, combining marks removed."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from checks._links import fold_label, fold_labels
from checks.page import Page
from checks.text import _COMBINING, _replace_special, fold, normalize, squash

DEMO_SITES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites"


def _definition(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFD", text.lower()))


@pytest.mark.parametrize(
    "text",
    [
        "Médiateur de la Ville",
        "ÉCRIVEZ-NOUS — Œuvres, ÇA, Ærø, Straße",
        "e\u0301 déjà décomposé",
        "é\u0301 accent doublé",
        "é\u0591 marque hébraïque",
        "Tiếng Việt ǎ ǹ ḗ",
        "İstanbul ΣΊΣΥΦΟΣ",
        "€ « guillemets » ’ …",
        "",
        "ascii only",
    ],
)
def test_fold_equals_its_definition(text):
    assert fold(text) == _definition(text)


def test_fold_equals_its_definition_on_every_demo_page():
    for path in sorted(DEMO_SITES.rglob("*.html")):
        page = Page.from_bytes(path.read_bytes(), "https://fold.invalid/")
        assert fold(page.text) == _definition(page.text), path.name


def test_fold_equals_its_definition_on_the_real_corpus(shared_dir):
    for path in sorted((shared_dir / "corpus/real").glob("*.html")):
        page = Page.from_bytes(path.read_bytes(), "https://fold.invalid/")
        assert fold(page.text) == _definition(page.text), path.name


def test_fold_labels_equals_fold_label_of_each_label():
    texts = [
        squash(t) for t in ("  Nous  ÉCRIRE ", "Aide `en ligne`", "Σ", "", "l’Accès", "é\u0301")
    ]
    for path in sorted(DEMO_SITES.rglob("*.html")):
        texts += [link.text for link in Page.from_bytes(path.read_bytes(), "https://f/").links]
    assert fold_labels(texts) == [fold_label(text) for text in texts]
    assert fold_labels([]) == []


def _normalize_definition(text: str) -> str:
    return _replace_special(unicodedata.normalize("NFKC", _replace_special(text)))


@pytest.mark.parametrize(
    "text",
    ["ﬁche … ½\nligne\u00a0deux", "e\u0301\ne\u0301", "Tél.\u202f: 01 23", "\u1100\n\u1161", "ok"],
)
def test_normalize_equals_its_definition(text):
    assert normalize(text) == _normalize_definition(text)


def test_normalize_equals_its_definition_on_every_demo_page():
    from checks.page import _VISIBLE_TEXT

    for path in sorted(DEMO_SITES.rglob("*.html")):
        page = Page.from_bytes(path.read_bytes(), "https://n.invalid/")
        raw = str(_VISIBLE_TEXT(page.root)) + "\n\ufb01 \u2026"
        assert normalize(raw) == _normalize_definition(raw), path.name


@pytest.mark.parametrize("where", [0, 1, 2500, 4999, 5000])
@pytest.mark.parametrize("ending", ["", "\n", "\n\n"])
def test_normalize_of_long_texts_cut_at_line_breaks(where, ending):
    lines = [f"ligne {n} déjà vue" for n in range(5000)]
    lines.insert(where, "ﬁche … e\u0301 ½")
    text = "\n".join(lines) + ending
    assert normalize(text) == _normalize_definition(text)
    one_line = "x" * 5000 + "…" + "y" * 5000 + ending  # nowhere to cut: normalised whole
    assert normalize(one_line) == _normalize_definition(one_line)
    decomposed = "\n".join(f"ligne {n} de\u0301ja\u0300 vue" for n in range(3000)) + ending
    assert normalize(decomposed) == _normalize_definition(decomposed)  # written in NFD


def test_normalize_equals_its_definition_on_the_real_corpus(shared_dir):
    from checks.page import _VISIBLE_TEXT

    for path in sorted((shared_dir / "corpus/real").glob("*.html")):
        page = Page.from_bytes(path.read_bytes(), "https://n.invalid/")
        raw = str(_VISIBLE_TEXT(page.root))
        assert normalize(raw) == _normalize_definition(raw), path.name
