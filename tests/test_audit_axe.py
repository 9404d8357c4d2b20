"""crawler.audit without a browser: finding axe-core, its version floor, results' shape."""

from __future__ import annotations

import pytest

from crawler import audit


def test_pinned_package_ships_axe_with_rgaa_tags():
    axe = audit.load_axe()
    assert tuple(int(p) for p in axe.version.split(".")[:2]) >= audit.AXE_MIN_VERSION
    assert "RGAA-1.1.1" in axe.script  # 4.11 added the RGAA tags
    assert axe.path.endswith("axe.min.js")


def test_explicit_axe_file_is_used(tmp_path):
    js = tmp_path / "axe.min.js"
    js.write_text("/*! axe v4.14.1\n * Copyright (c) Deque */\nwindow.axe = {};\n")
    assert audit.load_axe(str(js)).version == "4.14.1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("/*! axe v4.10.3 */", "trop ancien"),
        ("/* no header */", "version d’axe-core introuvable"),
    ],
)
def test_unusable_axe_file_is_a_setup_error(tmp_path, content, message):
    js = tmp_path / "axe.min.js"
    js.write_text(content)
    with pytest.raises(audit.AuditSetupError, match=message):
        audit.load_axe(str(js))


def test_missing_axe_file_is_a_setup_error(tmp_path):
    with pytest.raises(audit.AuditSetupError, match="n’existe pas"):
        audit.load_axe(str(tmp_path / "absent.js"))


def test_init_script_opens_cross_origin_frame_messaging():
    script = audit.init_script(audit.load_axe())
    assert "<unsafe_all_origins>" in script


def test_axe_options_follow_tags_or_rules():
    assert audit.Auditor().axe_options["runOnly"] == {
        "type": "tag",
        "values": list(audit.DEFAULT_AXE_TAGS),
    }
    assert "runOnly" not in audit.Auditor(axe_tags=None).axe_options
    rules = audit.Auditor(axe_rules=["image-alt"]).axe_options
    assert rules["runOnly"] == {"type": "rule", "values": ["image-alt"]}
    assert rules["iframes"] is True
    assert rules["resultTypes"] == ["violations", "incomplete"]


def test_errored_result_says_why_and_maps_nothing():
    result = audit.AuditResult(url="https://x.fr/", axe_version="4.12.1", error="Délai dépassé")
    data = result.to_dict()
    assert not result.ok
    assert data["error"] == "Délai dépassé" and data["violations"] == []
    assert data["counts"]["violations"]["rules"] == 0


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("Page.goto: net::ERR_NAME_NOT_RESOLVED at https://x.invalid/", "Erreur réseau : "),
        ("Page.goto: Download is starting", "n’est pas une page web"),
        ("Target page, context or browser has been closed", "navigateur s’est arrêté"),
        ("Page crashed", "a planté"),
        ("something else", "Échec de l’audit : something else"),
    ],
)
def test_playwright_errors_get_french_reasons(message, reason):
    assert reason in audit._reason(Exception(message), browser_dead=False)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        audit.Auditor(concurrency=0)
