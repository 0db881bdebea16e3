"""Rules the real stack as oracle found (issue 24: tests/system/test_stack_agrees.py and
test_stack_accepts.py), each shrunk to its example, with a refused and an allowed case."""

from __future__ import annotations

import pytest

from tests.helpers import answers
from zwizard.rules import check


def errors(**changes: object) -> set[tuple[str, str]]:
    return {(f.rule, f.path) for f in check(answers(**changes)) if f.severity == "error"}


def direct(mode: str | None = None, parent: str = "encbdf0") -> dict:
    return {"source": {"direct": parent, **({"mode": mode} if mode else {})}}


@pytest.mark.parametrize("other", [None, "bridge", "vepa", "passthrough"])
def test_macvtap_passthrough_takes_its_host_interface_alone(other):
    """libvirt 9.0 defines two macvtap interfaces on one parent, one in passthrough, and
    fails at start: "error creating macvtap interface macvtap3@zsdum0 (…): Invalid
    argument" (Linux drivers/net/macvlan.c: one macvlan only in passthru mode)."""
    found = errors(nics=[direct("passthrough"), direct(other)])
    assert ("nic-source", "nics[0].source.mode") in found


@pytest.mark.parametrize(
    "nics",
    [[direct("passthrough")], [direct("passthrough"), direct("passthrough", "encbdf1")],
     [direct("vepa"), direct("bridge"), direct()]],
    ids=["alone", "each-its-own-parent", "other-modes-share"],
)  # fmt: skip
def test_macvtap_interfaces_that_can_share_or_do_not_are_allowed(nics):
    assert not {p for r, p in errors(nics=nics) if r == "nic-source"}
