"""checks.rgaa: axe tags → RGAA tests and criteria, and the per-page audit summary (pure)."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

from checks import rgaa


def _rule(rule_id, impact, tags, n_nodes=1, html="<img src='a.png'>"):
    """An axe-like rule result as ``axe.run`` returns it (only the keys Vigie reads)."""
    return {
        "id": rule_id,
        "impact": impact,
        "tags": tags,
        "help": f"aide {rule_id}",
        "helpUrl": f"https://dequeuniversity.com/rules/axe/4.12/{rule_id}",
        "description": "…",
        "nodes": [
            {"target": [f"#n{i}"], "html": html, "any": [], "all": [], "none": []}
            for i in range(n_nodes)
        ],
    }


IMAGE_ALT = ["cat.text-alternatives", "wcag2a", "wcag111", "RGAAv4", "RGAA-1.1.1"]
LINK_NAME = ["cat.name-role-value", "wcag2a", "wcag244", "wcag412", "RGAAv4", "RGAA-6.2.1"]
LABEL = ["cat.forms", "wcag2a", "wcag412", "RGAAv4", "RGAA-11.1.1"]
CONTRAST = ["cat.color", "wcag2aa", "wcag143", "RGAAv4", "RGAA-3.2.1"]
BEST_PRACTICE = ["cat.semantics", "best-practice"]


def test_criteria_file_is_the_shared_reference_byte_for_byte(shared_dir):
    shipped = resources.files("checks").joinpath("data", rgaa.CRITERIA_FILE).read_bytes()
    reference = (shared_dir / "reference" / "rgaa-4.1.2-criteres.json").read_bytes()
    assert hashlib.sha256(shipped).digest() == hashlib.sha256(reference).digest()


def test_criteria_loaded_once_13_themes_106_criteria():
    table = rgaa.criteria()
    assert len(table) == 106
    assert len(rgaa.themes()) == 13
    assert rgaa.themes()[1] == "Images"
    assert rgaa.criteria() is table  # cached: loaded once
    crit = table["1.1"]
    assert crit["theme"] == 1 and crit["theme_title"] == "Images"
    # Markdown glossary links are removed from titles
    assert crit["title"] == (
        "Chaque image porteuse d’information a-t-elle une alternative textuelle\u00a0?"
    )
    assert "1.1.1" in crit["tests"] and "[" not in crit["tests"]["1.1.1"]
    assert "`" not in crit["tests"]["1.1.1"]


def test_plain_title_strips_links_and_code():
    assert rgaa.plain_title("Chaque [cadre](#cadre)  a-t-il un `title` ?") == (
        "Chaque cadre a-t-il un title ?"
    )


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("RGAA-1.1.1", (1, 1, 1)),
        ("RGAA-11.13.1", (11, 13, 1)),
        ("RGAAv4", None),
        ("wcag2a", None),
        ("RGAA-1.1", None),
        ("RGAA-a.b.c", None),
    ],
)
def test_parse_test_tag(tag, expected):
    assert rgaa.parse_test_tag(tag) == expected


def test_map_rule_gives_test_criterion_titles_and_theme():
    mapped = rgaa.map_rule(IMAGE_ALT)
    assert mapped == [
        {
            "test": "1.1.1",
            "criterion": "1.1",
            "title": rgaa.criteria()["1.1"]["title"],
            "theme": 1,
            "theme_title": "Images",
        }
    ]


def test_map_rule_ignores_other_tags_dedupes_and_keeps_order():
    tags = ["RGAAv4", "RGAA-11.1.1", "wcag2a", "RGAA-8.3.1", "RGAA-11.1.1"]
    assert [m["test"] for m in rgaa.map_rule(tags)] == ["11.1.1", "8.3.1"]
    assert rgaa.map_rule(BEST_PRACTICE) == []
    assert rgaa.map_rule([]) == []


def test_map_rule_keeps_unknown_criterion_without_title():
    (mapped,) = rgaa.map_rule(["RGAA-14.2.1"])
    assert mapped["criterion"] == "14.2" and mapped["title"] is None
    assert mapped["theme"] == 14 and mapped["theme_title"] is None
    (known_theme,) = rgaa.map_rule(["RGAA-1.42.1"])
    assert known_theme["title"] is None and known_theme["theme_title"] == "Images"


def test_summarize_keeps_violations_and_needs_review_apart():
    axe_results = {
        "violations": [_rule("image-alt", "critical", IMAGE_ALT, 3)],
        "incomplete": [_rule("color-contrast", "serious", CONTRAST, 2)],
        "passes": [_rule("document-title", None, ["wcag2a"])],
        "inapplicable": [],
    }
    out = rgaa.summarize(axe_results)
    assert [r["id"] for r in out["violations"]] == ["image-alt"]
    assert [r["id"] for r in out["needs_review"]] == ["color-contrast"]
    assert out["counts"]["violations"]["rules"] == 1
    assert out["counts"]["violations"]["nodes"] == 3
    assert out["counts"]["needs_review"]["nodes"] == 2
    # needs-review never makes a criterion "violated"
    assert [c["criterion"] for c in out["criteria_violated"]] == ["1.1"]
    json.dumps(out)  # JSON-serialisable as is


def test_summarize_same_rule_in_both_lists_stays_in_both():
    out = rgaa.summarize(
        {
            "violations": [_rule("color-contrast", "serious", CONTRAST)],
            "incomplete": [_rule("color-contrast", "serious", CONTRAST)],
        }
    )
    assert out["violations"][0]["id"] == out["needs_review"][0]["id"] == "color-contrast"
    assert out["counts"]["violations"]["rules"] == out["counts"]["needs_review"]["rules"] == 1


def test_summarized_rule_shape_and_clipped_html():
    long_html = "<img " + "data-x='y' " * 100 + "src='a.png'>"
    out = rgaa.summarize({"violations": [_rule("image-alt", "critical", IMAGE_ALT, 1, long_html)]})
    rule = out["violations"][0]
    assert set(rule) == {"id", "impact", "help", "helpUrl", "rgaa", "criteria", "nodes"}
    assert rule["rgaa"] == ["RGAA-1.1.1"]
    assert rule["criteria"] == [
        {
            "criterion": "1.1",
            "title": rgaa.criteria()["1.1"]["title"],
            "theme": 1,
            "theme_title": "Images",
        }
    ]
    (node,) = rule["nodes"]
    assert node["target"] == ["#n0"]
    assert len(node["html"]) <= rgaa.HTML_SNIPPET_MAX
    assert node["html"].endswith("…")
    assert set(node) == {"target", "html"}


def test_counts_by_impact_and_theme():
    violations = [
        _rule("image-alt", "critical", IMAGE_ALT, 5),
        _rule("link-name", "serious", LINK_NAME, 2),
        _rule("label", "critical", LABEL),
        _rule("region", "moderate", BEST_PRACTICE, 4),
        _rule("weird", None, ["RGAA-1.2.1", "RGAA-6.1.1"]),
    ]
    counts = rgaa.count(violations)
    assert counts["rules"] == 5 and counts["nodes"] == 13
    assert counts["by_impact"] == {
        "critical": 2,
        "serious": 1,
        "moderate": 1,
        "minor": 0,
        rgaa.UNKNOWN_IMPACT: 1,
    }
    # counted in rules; a rule in two themes counts in each; untagged rules apart
    assert counts["by_theme"] == {"1": 2, "6": 2, "11": 1, rgaa.NO_THEME: 1}


def test_counts_of_empty_page():
    out = rgaa.summarize({})
    assert out["violations"] == [] and out["needs_review"] == []
    assert out["counts"]["violations"] == {
        "rules": 0,
        "nodes": 0,
        "by_impact": dict.fromkeys(rgaa.IMPACTS, 0),
        "by_theme": {},
    }
    assert out["criteria_violated"] == []


def test_violated_criteria_are_distinct_and_sorted_numerically():
    violations = [
        _rule("label", "critical", LABEL),
        _rule("select-name", "critical", ["RGAA-11.1.1"]),
        _rule("link-name", "serious", LINK_NAME),
        _rule("image-alt", "critical", IMAGE_ALT),
        _rule("x", "minor", ["RGAA-11.9.1", "RGAA-2.1.1"]),
    ]
    crits = [c["criterion"] for c in rgaa.violated_criteria(violations)]
    assert crits == ["1.1", "2.1", "6.2", "11.1", "11.9"]


def test_coverage_notice_is_french_and_says_partial():
    assert "qu’une partie du RGAA" in rgaa.COVERAGE_NOTICE
    assert "taux de conformité" in rgaa.COVERAGE_NOTICE
