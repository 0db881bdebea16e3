"""Messages the wizard's widgets post upwards; the app is the only one that edits answers."""

from __future__ import annotations

from typing import Any

from textual.message import Message

UNSET = object()  # an Edit whose text is not a valid value yet


class Edit(Message):
    """Set the answers value at `path` (`value` is UNSET while `raw` is not valid)."""

    def __init__(self, path: str, value: Any, raw: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.value = value
        self.raw = raw


class ListOp(Message):
    """Add, remove or move an item of a device list (disks, nics, passthrough)."""

    def __init__(self, key: str, op: str, index: int | None = None, item: Any = None) -> None:
        super().__init__()
        self.key = key
        self.op = op  # add | remove | up | down | boot-up | boot-down | boot-toggle
        self.index = index
        self.item = item


class HostTarget(Message):
    """Whether the guest is for this host (judge against it) or for another one."""

    def __init__(self, this_host: bool) -> None:
        super().__init__()
        self.this_host = this_host


class Goto(Message):
    """Show another step."""

    def __init__(self, step: str) -> None:
        super().__init__()
        self.step = step
