"""The device kinds a guest lists, in the order they are addressed and written.

Each kind is one module (disk, nic, passthrough, channel, share) declaring a `Kind`; everything
that walks devices — the plan's ccw and boot assignment, the rules, the renderer,
the importer, the answers' missing keys, Secure Execution's removals — walks
`KINDS`, so adding a kind is one module plus its tests.
"""

from __future__ import annotations

from zwizard.devices import base, channel, disk, nic, passthrough, share
from zwizard.devices.base import Kind, entries

__all__ = ["BY_KEY", "BY_TAG", "KINDS", "Kind", "entries"]

base.KINDS[:] = [disk.KIND, nic.KIND, passthrough.KIND, channel.KIND, share.KIND]
KINDS: tuple[Kind, ...] = tuple(base.KINDS)
BY_KEY = {kind.key: kind for kind in KINDS}
BY_TAG = {tag: kind for kind in KINDS for tag in kind.tags}
