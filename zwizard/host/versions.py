"""Which libvirt and QEMU judge the guest: `virsh version --daemon`, the emulator's own
--version where virsh cannot say, and the versioned s390x machine types QEMU offers."""

from __future__ import annotations

import subprocess

from zwizard import xmlsafe
from zwizard.host.virsh import C_LOCALE, TIMEOUT

# --daemon adds 'Running against daemon: X': the libvirt that judges the guest, where
# 'Using library:' is only the client's (another host's daemon may be older or newer)
VERSION = ["version", "--daemon"]


def parse_versions(text: str) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """(QEMU, libvirt) versions from `virsh version --daemon` in the C locale:
    'Running hypervisor: QEMU 7.2.0' and 'Running against daemon: 9.0.0' (else, from a
    virsh without --daemon, 'Using library: libvirt 9.0.0')."""

    def version(prefix: str) -> tuple[int, ...] | None:
        for line in text.splitlines():
            if line.strip().startswith(prefix):
                word = line.split()[-1]
                parts = word.split(".")
                if all(p.isascii() and p.isdigit() for p in parts):
                    return tuple(int(p) for p in parts)
        return None

    return version("Running hypervisor:"), version("Running against daemon:") or version(
        "Using library:"
    )


def emulator_version(path: str) -> tuple[int, ...] | None:
    """'QEMU emulator version 7.2.19 (Debian …)' -> (7, 2, 19)."""
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=TIMEOUT, env=C_LOCALE
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = out.split()
    if "version" not in words or words.index("version") + 1 >= len(words):
        return None
    parts = words[words.index("version") + 1].split(".")
    return tuple(int(p) for p in parts) if all(p.isascii() and p.isdigit() for p in parts) else None


def machine_types(text: str) -> list[str]:
    """The s390x machine types a host's QEMU offers (`virsh capabilities`), versioned
    ones only (s390-ccw-virtio-7.2): what a guest's definition is pinned to."""
    if not text:
        return []
    try:
        root = xmlsafe.parse(text.encode(), "virsh capabilities", root="capabilities")
    except xmlsafe.XmlError:
        return []
    names = {
        (m.text or "").strip()
        for m in root.iterfind("guest/arch[@name='s390x']/machine")
        if (m.text or "").strip().startswith("s390-ccw-virtio-")
    }
    return sorted(names, key=machine_version)


def machine_version(name: str) -> tuple[int, ...]:
    """s390-ccw-virtio-7.2 -> (7, 2); RHEL's s390-ccw-virtio-rhel9.4.0 -> (9, 4, 0)."""
    import re

    found = re.search(r"([0-9]+(?:\.[0-9]+)*)$", name.rsplit("-", 1)[-1])
    return tuple(int(p) for p in found[1].split(".")) if found else (0,)
