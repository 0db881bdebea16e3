"""Messages the wizard's widgets post upwards, one per thing a person did.

The app is the only one that edits: it hands each message to the editing core
(zwizard.session), then redraws.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class TextEdited(Message):
    """Text typed into the field bound to `path`; `kind` says how it is read
    (str, int, optional-str, optional-int). Kept as typed: never converted here."""

    def __init__(self, path: str, text: str, kind: str) -> None:
        super().__init__()
        self.path, self.text, self.kind = path, text, kind


class ValueChosen(Message):
    """A choice (radio, checkbox, switch, select) set the value at `path`."""

    def __init__(self, path: str, value: Any) -> None:
        super().__init__()
        self.path, self.value = path, value


class DeviceAdded(Message):
    def __init__(self, key: str, item: Any) -> None:
        super().__init__()
        self.key, self.item = key, item


class DeviceRemoved(Message):
    def __init__(self, key: str, index: int) -> None:
        super().__init__()
        self.key, self.index = key, index


class DeviceMoved(Message):
    """A device moved up (-1) or down (+1) in its list."""

    def __init__(self, key: str, index: int, delta: int) -> None:
        super().__init__()
        self.key, self.index, self.delta = key, index, delta


class BootToggled(Message):
    """A device joins the boot sequence (last) or leaves it."""

    def __init__(self, key: str, index: int) -> None:
        super().__init__()
        self.key, self.index = key, index


class BootMoved(Message):
    """The device at `position` of the boot sequence boots earlier (-1) or later (+1)."""

    def __init__(self, position: int, delta: int) -> None:
        super().__init__()
        self.position, self.delta = position, delta


class BootFirst(Message):
    """The device at `path` boots first; the others keep their order after it."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


class SecureExecutionRequested(Message):
    """Turn Secure Execution on, removing what it cannot have (listed on screen first)."""


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


class AgentChosen(Message):
    """The QEMU guest agent's channel turned on or off."""

    def __init__(self, on: bool) -> None:
        super().__init__()
        self.on = on


class OptionsOpened(Message):
    """A folded group of options was opened: its fields need drawing from the session."""
