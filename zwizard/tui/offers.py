"""What the host offers for a field: values with a short note (in use, inactive …)."""

from __future__ import annotations

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
