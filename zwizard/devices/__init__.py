"""The device kinds a guest lists, in the order they are addressed and written.

Each kind is one module (disk, nic, passthrough, channel, share) declaring a `Kind`; everything
that walks devices — the plan's ccw and boot assignment, the rules, the renderer,
the importer, the answers' missing keys, Secure Execution's removals — walks
`KINDS`, so adding a kind is one module plus its tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from zwizard.devices import channel, disk, nic, passthrough, share
from zwizard.devices.base import Kind

if TYPE_CHECKING:
    from zwizard.model import Answers

KINDS: tuple[Kind, ...] = (disk.KIND, nic.KIND, passthrough.KIND, channel.KIND, share.KIND)
BY_KEY = {kind.key: kind for kind in KINDS}
BY_TAG = {tag: kind for kind in KINDS for tag in kind.tags}


def entries(answers: Answers) -> Iterator[tuple[Kind, str, Any]]:
    """Every listed device as (kind, path, entry), in registry order."""
    for kind in KINDS:
        for path, item in kind.paths(answers):
            yield kind, path, item
