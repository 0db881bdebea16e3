"""What the host offers for a field: values with a short note (in use, inactive …)."""

from __future__ import annotations

from zwizard.structure import lookup
from zwizard.tui.fields import State


def networks(state: State, path: str) -> list[tuple[str, str]]:
    nets = state.host.networks if state.host else None
    return [(n.name, "active" if n.active else "inactive") for n in nets or []]


def bridges(state: State, path: str) -> list[tuple[str, str]]:
    host = state.host
    return [(i.name, "" if i.up else "down") for i in (host.interfaces if host else []) if i.bridge]


def interfaces(state: State, path: str) -> list[tuple[str, str]]:
    host = state.host
    return [
        (i.name, "" if i.up else "down") for i in (host.interfaces if host else []) if not i.bridge
    ]


def mdevs(state: State, path: str) -> list[tuple[str, str]]:
    device = lookup(state.answers, path.rsplit(".", 1)[0])
    host = state.host
    found = [m for m in (host.mdevs if host else []) if m.kind == getattr(device, "type", None)]
    name = state.answers.guest.name

    def note(m: object) -> str:
        owner = m.in_use_by  # type: ignore[attr-defined]
        return f"in use by {owner}" if owner and owner != name else m.parent  # type: ignore[attr-defined]

    return [(m.uuid, note(m)) for m in found]


def pci_functions(state: State, path: str) -> list[tuple[str, str]]:
    host = state.host
    out = []
    for fn in host.pci if host else []:
        note = f"uid {fn.uid} fid {fn.fid}" if fn.uid else (fn.driver or "")
        if fn.in_use_by:
            note = f"in use by {fn.in_use_by}"
        out.append((fn.address, note))
    return out
