"""``checks.text``: how every check reads text (CHECKS.md, "Visible content only")."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.page import Page
from checks.text import fold, normalize, squash

DEMO_SITES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "sites"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Médiateur de la Ville", "mediateur de la ville"),
        ("ÉCRIVEZ-NOUS — Œuvres, ÇA, Ærø, Straße", "ecrivez-nous — œuvres, ca, ærø, straße"),
        ("Tiếng Việt ǎ ǹ ḗ", "tieng viet a n e"),
        ("İstanbul ΣΊΣΥΦΟΣ", "istanbul σισυφος"),
        ("€ « guillemets » ’ …", "€ « guillemets » ’ …"),
        ("e\u0301 déjà décomposé", "e deja decompose"),  # combining marks go too
        ("é\u0301 accent doublé", "e accent double"),
        ("é\u0591 marque hébraïque", "e\u0591 marque hebraique"),  # only Latin marks go
        ("", ""),
        ("ASCII only", "ascii only"),
    ],
)
def test_fold_lowers_and_strips_accents(text, folded):
    assert fold(text) == folded


def test_fold_keeps_the_offsets_of_every_demo_page():
    """The checks find a word in ``page.folded`` and quote ``page.text`` at its offset."""
    for path in sorted(DEMO_SITES.rglob("*.html")):
        page = Page.from_bytes(path.read_bytes(), "https://fold.invalid/")
        assert len(page.folded) == len(page.text), path.name


def test_fold_keeps_the_offsets_of_the_real_corpus(shared_dir):
    for path in sorted((shared_dir / "corpus/real").glob("*.html")):
        page = Page.from_bytes(path.read_bytes(), "https://fold.invalid/")
        assert len(page.folded) == len(page.text), path.name


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("ﬁche … ½\nligne\u00a0deux", "fiche ... 1\u20442\nligne deux"),
        ("Tél.\u202f: 01\u200723\u200945", "Tél. : 01 23 45"),
        ("a\u2011b\u2010c", "a-b-c"),
        ("soft\u00adhyphen zero\u200bwidth", "softhyphen zerowidth"),
        ("e\u0301t\u00e9", "\u00e9t\u00e9"),  # composed
        ("\u1100\u1161", "\uac00"),
        ("ｆｕｌｌ\u3000ｗｉｄｔｈ", "full width"),
        ("déjà vu", "déjà vu"),
    ],
)
def test_normalize_is_nfkc_with_special_spaces_and_hyphens_read_as_ascii(text, normalized):
    assert normalize(text) == normalized


def test_squash_normalizes_and_collapses_whitespace():
    assert squash("  Plan\n du\u00a0\u00a0site\t ") == "Plan du site"
