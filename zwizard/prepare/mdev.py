"""What vfio-ap and vfio-ccw share: loading the vfio module, defining and starting a
mediated device persistently with mdevctl, and taking a device given without what would
create it as one that exists already."""

from __future__ import annotations

import shlex

from zwizard.prepare.shell import q
from zwizard.prepare.steps import Check, Preparation, Step


def used_as_it_is(prep: Preparation, section: str, uuid: str, what: str) -> None:
    """A mediated device given without what would create it: the front ends offer that
    as "the device exists already", so it is taken at its word where this host cannot
    say otherwise (no host data, or the guest is for another host), checked where the
    script runs, and the rest of the preparation goes on."""
    device = shlex.quote(uuid)
    prep.checks.append(
        Check(
            f"[ -e /sys/bus/mdev/devices/{device} ] || "
            f"mdevctl list --defined --uuid {device} 2>/dev/null | grep -q .",
            f"mediated device {uuid} is not defined: define it (mdevctl define) or give "
            f"{what} to zwizard",
            f"mediated device {uuid}",
        )
    )
    prep.steps.append(
        Step(
            section,
            f"mediated device {uuid} is used as it is",
            f"{what} not given: the device exists already (the checks make sure)",
            manual=True,
            note=True,
        )
    )


def load_module(prep: Preparation, section: str, module: str, appears: str) -> None:
    if any(s.title == f"load the {module} module" for s in prep.steps):
        return
    prep.steps.append(
        Step(
            section,
            f"load the {module} module",
            f"{appears} appears with {module}; modules-load.d loads it at every boot",
            f"[ -e {appears} ] && [ -f /etc/modules-load.d/{module}.conf ]",
            [
                q("run", "modprobe", module),
                q("run", "sh", "-c", f"echo {module} > /etc/modules-load.d/{module}.conf"),
            ],
        )
    )


def mdev_steps(prep: Preparation, section: str, uuid: str, define: list[str], why: str) -> None:
    prep.steps.append(
        Step(
            section,
            f"define mediated device {uuid} persistently, started at boot",
            why,
            f'[ -n "$(mdevctl list --defined --uuid {q(uuid)})" ]',
            define,
        )
    )
    prep.steps.append(
        Step(
            section,
            f"start mediated device {uuid}",
            "libvirt starts the guest only with the device present",
            f"[ -e {q(f'/sys/bus/mdev/devices/{uuid}')} ]",
            [q("run", "mdevctl", "start", "--uuid", uuid)],
        )
    )
