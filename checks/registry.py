"""Registry of checks by id: ``@check("phone")`` makes a function discoverable.

The id is the contract of the data dictionary; each check lives in ``checks/<id>.py`` (two ids that
share their extraction, like ``phone``/``premium_phone`` or ``legal_notice``/``privacy``,
share a module named after the first), so a newcomer finds a check from its id alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checks.page import Page
    from checks.result import CheckResult

CheckFn = Callable[["Page"], "CheckResult"]

REGISTRY: dict[str, CheckFn] = {}


def check(check_id: str) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` under ``check_id``; ids are unique."""

    def register(fn: CheckFn) -> CheckFn:
        if check_id in REGISTRY:
            raise ValueError(f"check id registered twice: {check_id}")
        REGISTRY[check_id] = fn
        fn.check_id = check_id  # type: ignore[attr-defined]
        return fn

    return register
