"""vfio-ap: the AP queues freed from the host's zcrypt and the matrix device that holds
them, judged against the host's AP bus and the other matrix devices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.findings import reports
from zwizard.prepare.mdev import load_module, mdev_steps, used_as_it_is
from zwizard.prepare.shell import q
from zwizard.prepare.steps import Check, Preparation, Report, Step

if TYPE_CHECKING:
    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.model import Answers, Passthrough

# the zcrypt drivers that own a queue the host uses (drivers/s390/crypto)
ZCRYPT_DRIVERS = ("cex4queue", "cex2aqueue", "cex2cqueue")


@reports("host-ap-queue", "prepare-ap")
def ap_steps(
    prep: Preparation,
    answers: Answers,
    dev: Passthrough,
    path: str,
    host: HostInfo | None,
    judge: Report,
    out: Collector,
) -> None:
    uuid = (dev.uuid or "").lower()
    queues = sorted({f"{a:02x}.{d:04x}" for a in dev.adapters for d in dev.domains})
    existing = host.ap.matrix.get(uuid) if host is not None else None
    if not queues:
        need = (
            "give the adapters and domains of the matrix device (lszcrypt lists them), "
            f"so that zwizard prepare can create mediated device {uuid or '(no uuid)'}"
        )
        if existing is None and not uuid:
            out.error("prepare-ap", f"{path}.adapters", need)
        elif existing is None:
            if host is not None:
                judge("prepare-ap", f"{path}.adapters", f"no such device on this host: {need}")
            used_as_it_is(prep, "vfio-ap", uuid, "its adapters and domains (lszcrypt)")
        else:
            prep.steps.append(
                Step(
                    "vfio-ap",
                    f"mediated device {uuid} exists with queues {', '.join(sorted(existing))}",
                    "no adapters or domains were given, so it is used as it is",
                    manual=True,
                    note=True,
                )
            )
        return
    if host is not None:
        for other, held in sorted(host.ap.matrix.items()):
            taken = sorted(set(queues) & held)
            if other != uuid and taken:
                owner = host.used_by.get(other)
                who = f" (guest {owner})" if owner else ""
                judge(
                    "host-ap-queue",
                    f"{path}.domains",
                    f"AP queue(s) {', '.join(taken)} already belong to matrix device "
                    f"{other}{who}; one queue can be in one matrix only (the vfio_ap driver "
                    "refuses the assignment)",
                )
        if existing is not None and existing != set(queues):
            out.warn(
                "prepare-ap",
                f"{path}.uuid",
                f"mediated device {uuid} is already defined with queues "
                f"{', '.join(sorted(existing)) or 'none'}; the script leaves it as it is "
                f"(mdevctl undefine --uuid {uuid} first to redefine it)",
            )
        if host.sysfs and not host.ap.bus:
            judge(
                "host-ap-queue",
                f"{path}.adapters",
                "this host has no AP bus (/sys/bus/ap): no crypto adapters to pass through",
            )
        elif host.ap.bus:
            absent = [x for x in queues if x not in host.ap.queues]
            if absent:
                judge(
                    "host-ap-queue",
                    f"{path}.adapters",
                    f"AP queue(s) {', '.join(absent)} do not exist on this host (lszcrypt)",
                )
            leaving = sorted(
                f"{apqn} ({drv})"
                for apqn, drv in host.ap.queues.items()
                if drv in ZCRYPT_DRIVERS
                and (int(apqn[:2], 16) in dev.adapters or int(apqn[3:], 16) in dev.domains)
            )
            if leaving:
                out.warn(
                    "host-ap-queue",
                    f"{path}.adapters",
                    "the host's zcrypt driver uses these queues now and loses them: "
                    + ", ".join(leaving),
                )
    prep.resolves.add(("host-mdev", f"{path}.uuid"))
    adapters = ",".join(f"-{a}" for a in dev.adapters)
    domains = ",".join(f"-{d}" for d in dev.domains)
    prep.checks += [
        Check("[ -d /sys/bus/ap ]", "no AP bus here: not an IBM Z host, or modprobe ap", "AP bus"),
        Check("command -v chzdev", "install s390-tools (chzdev)", "chzdev"),
        Check("command -v mdevctl", "install mdevctl", "mdevctl"),
    ]
    prep.checks += [
        Check(
            f"[ -e /sys/bus/ap/devices/{apqn} ]",
            f"AP queue {apqn} does not exist on this host (lszcrypt lists adapters and domains)",
            f"AP queue {apqn}",
        )
        for apqn in queues
    ]
    load_module(prep, "vfio-ap", "vfio_ap", "/sys/devices/vfio_ap/matrix")
    bound = " && ".join(
        f'[ "$(driver_of /sys/bus/ap/devices/{apqn})" = vfio_ap ]' for apqn in queues
    )
    prep.steps.append(
        Step(
            "vfio-ap",
            f"hand AP queues {', '.join(queues)} from the host to vfio_ap",
            "zcrypt drives every queue whose adapter is in the AP bus's apmask and whose "
            "domain is in its aqmask; taking the adapters and domains out gives their queues "
            "to vfio_ap. chzdev changes the running masks and the persistent configuration "
            "(chzdev(8), 'Remove AP adapters ... from host usage'). Every queue of these "
            "adapters and domains leaves the host.",
            bound,
            [q("run", "chzdev", "--type", "ap", f"apmask={adapters}", f"aqmask={domains}")],
        )
    )
    attrs = [("assign_adapter", f"{a:#04x}") for a in dev.adapters]
    attrs += [("assign_domain", f"{d:#06x}") for d in dev.domains]
    attrs += [("assign_control_domain", f"{c:#06x}") for c in dev.control_domains]
    define = [
        q("run", "mdevctl", "define", "--uuid", uuid, "--parent", "matrix")
        + " "
        + q("--type", "vfio_ap-passthrough", "--auto")
    ]
    define += [
        q("run", "mdevctl", "modify", "--uuid", uuid, f"--addattr={name}", f"--value={value}")
        for name, value in attrs
    ]
    mdev_steps(
        prep,
        "vfio-ap",
        uuid,
        define,
        "a matrix device made through sysfs is gone at the next reboot ('modifications "
        "through sysfs affect only the active device', IBM KVM docs); mdevctl keeps the "
        "definition in /etc/mdevctl.d and starts it at boot (--auto), writing the "
        "assignments in this order. Control domains: "
        + (", ".join(f"{c:#06x}" for c in dev.control_domains) or "none"),
    )
    if answers.secure_execution.enabled and host is not None and host.se_ap:
        prep.steps.append(
            Step(
                "vfio-ap",
                "in the secure guest: bind the AP queues (and associate secrets)",
                "AP queues reach a Secure Execution guest only once the guest binds them "
                "(chzcrypt --se-bind; with a secret: pvsecret add, then chzcrypt "
                "--se-associate INDEX APQN), s390-tools zconf/zcrypt/chzcrypt.c",
                commands=[q("chzcrypt", "--se-bind", apqn) for apqn in queues],
                manual=True,
            )
        )
