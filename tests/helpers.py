"""Shared test helpers: build answers from plain data, run the real CLI."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from zwizard.answers import from_data
from zwizard.model import Answers

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
AP_UUID = "8ef6d3b0-e5c8-4b49-8ba7-1c6e69c6e9a0"
CCW_UUID = "90c6c135-ad44-41d0-b1b7-bae47de48627"

BASE: dict[str, Any] = {
    "version": 1,
    "guest": {"name": "web01", "os": "rhel9", "memory_mib": 4096, "vcpus": 4, "uuid": UUID},
    "disks": [{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 1}],
    "nics": [{"source": {"network": "default"}}],
}


def data(**changes: Any) -> dict[str, Any]:
    """BASE with top-level tables replaced or merged: data(guest={"vcpus": 8})."""
    out = copy.deepcopy(BASE)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def answers(**changes: Any) -> Answers:
    return from_data(data(**changes), "<test>")


def run_zwizard(*args: str, cwd: Path | None = None, **kw: Any) -> subprocess.CompletedProcess:
    """Run the program as a user would: a separate process."""
    # this checkout's code, from any working directory (not a stale installed copy)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-m", "zwizard", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kw,
    )
