"""Every check id has its ``value`` shape written in its module's docstring.

CHECKS.md makes value shapes a contract (reports, exports and outside scripts read them) but
does not spell most of them out; the module is where a newcomer looks from the id. So each
module ends its docstring with a ``Value:`` paragraph, or one ``Value (<id>, …):`` paragraph
naming its ids when it holds two checks.
"""

from __future__ import annotations

import re
import sys

import pytest

import checks  # noqa: F401  (registers every check)
from checks.registry import REGISTRY
from checks.rendered import RENDERED_REGISTRY

_VALUE_LINE = re.compile(r"^Value(?: \((?P<ids>[^)]*)\))?: \S", re.M)


@pytest.mark.parametrize("check_id", sorted(REGISTRY))
def test_module_docstring_states_the_value_of(check_id):
    module = REGISTRY[check_id].__module__
    doc = sys.modules[module].__doc__ or ""
    alone = [i for i, fn in REGISTRY.items() if fn.__module__ == module] == [check_id]
    named = [re.split(r"[\s,/]+", m["ids"]) if m["ids"] else [] for m in _VALUE_LINE.finditer(doc)]
    assert any(check_id in ids or (alone and not ids) for ids in named), (
        f"{module}'s docstring has no 'Value{'' if alone else f' ({check_id})'}:' paragraph"
    )


@pytest.mark.parametrize("check_id", sorted(RENDERED_REGISTRY))
def test_rendered_check_module_docstring_states_its_value(check_id):
    doc = sys.modules[RENDERED_REGISTRY[check_id].__module__].__doc__ or ""
    assert _VALUE_LINE.search(doc), f"{check_id}: no 'Value:' paragraph in its module docstring"
