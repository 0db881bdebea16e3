"""vfio-ccw: a DASD taken offline on the host, its subchannel handed to vfio_ccw and the
mediated device on it, judged against the host's DASDs and what uses them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.findings import reports
from zwizard.prepare.mdev import load_module, mdev_steps, used_as_it_is
from zwizard.prepare.shell import q
from zwizard.prepare.steps import Check, Preparation, Report, Step

if TYPE_CHECKING:
    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.model import Passthrough


@reports("host-dasd", "prepare-ccw")
def ccw_steps(
    prep: Preparation,
    dev: Passthrough,
    path: str,
    index: int,
    host: HostInfo | None,
    judge: Report,
    out: Collector,
) -> None:
    uuid = (dev.uuid or "").lower()
    known = {m.uuid for m in host.mdevs} if host is not None else set()
    if not dev.dasd:
        need = (
            "give the host bus-id of the DASD (lsdasd), so that zwizard prepare can hand "
            f"its subchannel to vfio_ccw and create mediated device {uuid or '(no uuid)'}"
        )
        if not uuid:
            out.error("prepare-ccw", f"{path}.dasd", need)
        elif uuid not in known:
            if host is not None:
                judge("prepare-ccw", f"{path}.dasd", f"no such device on this host: {need}")
            used_as_it_is(prep, "vfio-ccw", uuid, "the DASD's host bus-id (lsdasd)")
        return
    busid = dev.dasd.lower()
    found = next((d for d in host.dasds if d.busid == busid), None) if host else None
    if host is not None and host.sysfs and found is None and uuid not in known:
        judge("host-dasd", f"{path}.dasd", f"no DASD {busid} on this host (lsdasd -a)")
    if found is not None and host is not None and not host.dasd_state_known:
        out.warn(
            "host-dasd",
            f"{path}.dasd",
            f"whether {host.label} uses DASD {busid} cannot be read through libvirt; the "
            "script checks it there before any change",
        )
    if found is not None and found.in_use:
        judge(
            "host-dasd",
            f"{path}.dasd",
            f"DASD {busid} is in use on this host: {found.in_use}; a guest cannot have it "
            "until the host lets go (umount, swapoff, vgchange -an)",
        )
    prep.resolves.add(("host-mdev", f"{path}.uuid"))
    sch = f"sch_{index}"
    where = f" (now {found.subchannel})" if found is not None and found.subchannel else ""
    prep.checks += [
        Check("command -v driverctl", "install driverctl", "driverctl"),
        Check("command -v mdevctl", "install mdevctl", "mdevctl"),
        Check(
            f'[ -n "${sch}" ]',
            f"no subchannel has DASD {busid} on this host (lscss -t 3390)",
            f"DASD {busid}",
        ),
        Check(
            f'[ -z "$(dasd_in_use {q(busid)})" ]',
            f"DASD {busid} is in use on this host (mounted, swap or held): free it first",
            "the host does not use it",
        ),
    ]
    # the bus-id leads to the subchannel while the host drives it; once vfio_ccw does, only
    # the subchannel's dev_busid still names it, so a second run finds it there
    prep.setup.append(f"{sch}=$(subchannel_of {q(busid)})  # the subchannel{where}")
    load_module(prep, "vfio-ccw", "vfio_ccw", "/sys/bus/css/drivers/vfio_ccw")
    prep.steps.append(
        Step(
            "vfio-ccw",
            f"take DASD {busid} offline on the host",
            "the host must stop using the DASD before its subchannel changes driver; chzdev "
            "sets it offline now and in the persistent configuration (chzdev(8))",
            f'[ "$(cat {q(f"/sys/bus/ccw/devices/{busid}/online")} 2>/dev/null || echo 0)" = 0 ]',
            [q("run", "chzdev", "--disable", "dasd", busid)],
        )
    )
    prep.steps.append(
        Step(
            "vfio-ccw",
            f"hand the subchannel of DASD {busid} to vfio_ccw",
            "driverctl binds the subchannel to vfio_ccw now and at every boot (IBM KVM docs: "
            "'driverctl -b css set-override <subchannel> vfio_ccw')",
            f'[ "$(driver_of "/sys/bus/css/devices/${sch}")" = vfio_ccw ]',
            [f'run driverctl -b css set-override "${sch}" vfio_ccw'],
        )
    )
    define = [f'run mdevctl define --uuid {q(uuid)} --parent "${sch}" --type vfio_ccw-io --auto']
    mdev_steps(
        prep,
        "vfio-ccw",
        uuid,
        define,
        "the vfio_ccw-io mediated device on the subchannel is what libvirt's <hostdev> names; "
        "mdevctl keeps it across reboots (--auto)",
    )
