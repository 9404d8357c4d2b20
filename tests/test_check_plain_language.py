"""``plain_language`` (CHECKS.md, engagement 7): figures computed by hand on test texts."""

from __future__ import annotations

import pytest

from checks.plain_language import (
    count_sentences,
    count_words,
    kandel_moles_band,
    lix_band,
    main_text,
    plain_language,
    readability,
    syllables,
)
from checks.rendered import RENDERED_REGISTRY, RenderMetrics

NO_METRICS = RenderMetrics()

#: 5 words, 5 syllables, no long word.
SHORT = "Le chat mange la soupe."
#: 5 words (the elided "L'" is not one): administration 5 syllables, départementale 5,
#: accompagne 3, les 1, usagers 3 = 17; long words (> 6 letters): all but "les" = 4.
HARD = "L'administration départementale accompagne les usagers."
#: 13 words: les 1, usagers 3, pourront 2, consulter 3, les 1, informations 4,
#: administratives 5, sur 1, le 1, portail 2, départemental 5, chaque 1, semaine 2 = 31
#: syllables; long words: usagers, pourront, consulter, informations, administratives,
#: portail, départemental, semaine = 8 ("chaque" has 6 letters: not long).
MIXED = (
    "Les usagers pourront consulter les informations administratives sur le portail "
    "départemental chaque semaine."
)


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("ami", 2),
        ("été", 2),
        ("le", 1),
        ("des", 1),
        ("table", 1),
        ("démarches", 2),
        ("horaires", 2),
        ("accueil", 2),
        ("administration", 5),
        ("accessibilité", 6),
        ("rendez-vous", 3),
        ("aujourd'hui", 3),
        ("question", 2),
        ("guide", 1),
        ("naïf", 2),
        ("Noël", 2),
        ("aéroport", 4),
        ("poète", 2),
        ("réunion", 3),
        ("théâtre", 2),
        ("réel", 2),
        ("idée", 2),
        ("créée", 2),
        ("payer", 2),
        ("citoyen", 3),
        ("oiseau", 2),
        ("lieu", 1),
        ("hôpital", 3),
        ("numérique", 3),
        ("SNCF", 1),
    ],
)
def test_french_syllables(word, count):
    assert syllables(word) == count


def test_words_drop_elisions_and_numbers():
    text = "L'État d'accueil, aujourd'hui, qu'il s'agisse de 12 rendez-vous jusqu'à 17h."
    assert count_words(text) == [
        "État",
        "accueil",
        "aujourd'hui",
        "il",
        "agisse",
        "de",
        "rendez-vous",
        "à",
        "h",
    ]


def test_sentences_end_at_punctuation_before_a_capital_and_at_each_block():
    text = "Bonjour. Voici M. Martin ! Il arrive… Le 3. mai ? oui.\nTitre sans point\n12 €"
    # "Bonjour." | "Voici M. Martin !" | "Il arrive…" | "Le 3. mai ? oui." | "Titre…"
    assert count_sentences(text) == 5


def test_figures_of_a_very_easy_text():
    figures = readability(" ".join([SHORT] * 20))
    assert (figures["words"], figures["sentences"], figures["syllables"]) == (100, 20, 100)
    assert figures["long_words"] == 0
    # 207 − 1.015 × 5 − 73.6 × 1 = 128.325 ; LIX = 5 + 0
    assert figures["kandel_moles"] == pytest.approx(128.325)
    assert figures["lix"] == pytest.approx(5)
    assert (figures["band"], figures["lix_band"]) == ("très facile", "très facile")


def test_figures_of_a_very_hard_text():
    figures = readability(" ".join([HARD] * 20))
    assert (figures["words"], figures["sentences"], figures["syllables"]) == (100, 20, 340)
    assert figures["long_words"] == 80
    # 207 − 1.015 × 5 − 73.6 × 3.4 = −48.315 ; LIX = 5 + 100 × 0.8 = 85
    assert figures["kandel_moles"] == pytest.approx(-48.315)
    assert figures["lix"] == pytest.approx(85)
    assert (figures["band"], figures["lix_band"]) == ("très difficile", "très difficile")


def test_figures_of_a_middling_text():
    figures = readability("\n".join([MIXED] * 5 + [SHORT] * 7))
    # 5 × 13 + 7 × 5 = 100 words, 12 sentences, 5 × 31 + 7 × 5 = 190 syllables, 40 long
    assert (figures["words"], figures["sentences"], figures["syllables"]) == (100, 12, 190)
    assert figures["long_words"] == 40
    assert figures["words_per_sentence"] == pytest.approx(100 / 12)
    assert figures["syllables_per_word"] == pytest.approx(1.9)
    assert figures["long_word_share"] == pytest.approx(0.4)
    # 207 − 1.015 × 8.333… − 73.6 × 1.9 = 58.7017 ; LIX = 8.333… + 40 = 48.33
    assert figures["kandel_moles"] == pytest.approx(58.70167, abs=1e-4)
    assert figures["lix"] == pytest.approx(48.33333, abs=1e-4)
    assert (figures["band"], figures["lix_band"]) == ("assez difficile", "standard")


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (128, "très facile"),
        (90, "très facile"),
        (89.9, "facile"),
        (80, "facile"),
        (70, "assez facile"),
        (65, "standard"),
        (50, "assez difficile"),
        (30, "difficile"),
        (29.9, "très difficile"),
        (-48, "très difficile"),
    ],
)
def test_kandel_moles_bands(value, band):
    assert kandel_moles_band(value) == band


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (5, "très facile"),
        (30, "facile"),
        (45, "standard"),
        (59.9, "difficile"),
        (60, "très difficile"),
    ],
)
def test_lix_bands(value, band):
    assert lix_band(value) == band


def _page(make_page, body: str):
    return make_page(f"<html><body>{body}</body></html>")


def test_the_check_measures_the_main_element(make_page):
    body = (
        "<header><nav><ul><li>Accueil</li><li>Démarches administratives</li></ul></nav>"
        "</header>"
        f"<main><h1>Consultations</h1><p>{' '.join([MIXED] * 5)}</p>"
        f"<ul>{''.join(f'<li>{SHORT}</li>' for _ in range(7))}</ul>"
        "<div hidden><p>Texte caché anticonstitutionnellement.</p></div></main>"
        "<footer><p>Mentions légales</p></footer>"
    )
    result = plain_language(_page(make_page, body), NO_METRICS)
    assert result.found and result.error is None
    value = result.value
    # The heading is one more sentence of one word, "Consultations" (con-sul-ta-tions: 4
    # syllables, long); the hidden paragraph, the header, nav and footer are not read.
    assert value["source"] == "main"
    assert (value["words"], value["sentences"], value["syllables"]) == (101, 13, 194)
    assert value["long_words"] == 41
    assert value["kandel_moles"] == round(207 - 1.015 * 101 / 13 - 73.6 * 194 / 101, 2)
    assert value["lix"] == round(101 / 13 + 100 * 41 / 101, 2)
    assert result.evidence[0].xpath == "/html/body/main"


def test_without_main_the_body_less_header_footer_and_nav(make_page):
    body = (
        '<div role="banner">Ville de Saint-Exemple, portail administratif</div>'
        "<nav>Démarches Actualités Contact</nav>"
        f"<div class='contenu'><p>{' '.join([SHORT] * 20)}</p></div>"
        "<footer>Plan du site, accessibilité, mentions légales</footer>"
    )
    result = plain_language(_page(make_page, body), NO_METRICS)
    assert result.value["source"] == "body"
    assert result.value["words"] == 100
    assert result.value["kandel_moles"] == round(207 - 1.015 * 5 - 73.6 * 1, 2)


def test_role_main(make_page):
    body = f"<nav>Menu</nav><div role='main'><p>{' '.join([HARD] * 20)}</p></div>"
    text, _, source = main_text(_page(make_page, body))
    assert source == "main"
    assert "Menu" not in text


def test_too_little_text_is_not_measured(make_page):
    result = plain_language(_page(make_page, f"<main><p>{SHORT}</p></main>"), NO_METRICS)
    assert not result.found and result.error is None
    assert result.value["words"] == 5
    assert "trop court" in result.value["reason"]


def test_registered():
    assert RENDERED_REGISTRY["plain_language"] is plain_language
