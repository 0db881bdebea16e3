"""Host preparation: what must be true on the KVM host before the guest can start.

From the answers and what host discovery read, `prepare` lists the steps — freeing
AP queues and building the matrix device, handing a DASD's subchannel to vfio_ccw,
PCI functions, the Secure Execution preflight and image, the install server and the
boot plan — and refuses, as findings, every step that would fail on this host.
`script` turns the steps into one readable shell script: checks first, then each
step guarded by a test of whether its work is already done (so a second run changes
nothing), `--dry-run` to list without changing. The sources of every step are in
docs/rules.md, section 11. No UI imports here: the wizard's Review step and
`zwizard prepare` show the same steps.

One module per host task — vfio_ap, vfio_ccw (with mdev, what both share), pci,
secure_execution (with the image script), install_server, boot — over steps (the
records, and how they are listed) and shell (the script and its shell helpers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.findings import Collector, checked
from zwizard.prepare.boot import BOOT_FALLBACK_QEMU, boot_steps
from zwizard.prepare.install_server import install_network, install_server_steps
from zwizard.prepare.pci import pci_steps
from zwizard.prepare.secure_execution import hkd_problem, se_image_script, se_steps
from zwizard.prepare.shell import HELPERS, files, q, script
from zwizard.prepare.steps import (
    Check,
    Preparation,
    Report,
    Step,
    host_findings,
    listing,
    overview,
)
from zwizard.prepare.vfio_ap import ZCRYPT_DRIVERS, ap_steps
from zwizard.prepare.vfio_ccw import ccw_steps

if TYPE_CHECKING:
    from zwizard.host import HostInfo
    from zwizard.model import Answers
    from zwizard.plan import Plan

__all__ = [
    "BOOT_FALLBACK_QEMU",
    "HELPERS",
    "ZCRYPT_DRIVERS",
    "Check",
    "Preparation",
    "Report",
    "Step",
    "files",
    "hkd_problem",
    "host_findings",
    "install_network",
    "listing",
    "overview",
    "prepare",
    "q",
    "script",
    "se_image_script",
]


def prepare(
    answers: Answers, plan: Plan, host: HostInfo | None, host_is_target: bool = True
) -> Preparation:
    prep = Preparation(answers.guest.name)
    out = Collector()
    judge = out.error if host_is_target and host is not None else out.warn
    for i, dev in enumerate(answers.passthrough):
        path = f"passthrough[{i}]"
        if dev.type == "vfio-ap":
            checked(ap_steps, out, prep, answers, dev, path, host, judge, out)
        elif dev.type == "vfio-ccw":
            checked(ccw_steps, out, prep, dev, path, i, host, judge, out)
        elif dev.type == "pci":
            pci_steps(prep, dev, path, plan, host)
    if answers.secure_execution.enabled:
        checked(se_steps, out, prep, answers, host, judge, out)
    if answers.pxe.enabled:
        checked(install_server_steps, out, prep, answers, plan, host, out)
    boot_steps(prep, answers, plan, host, host_is_target)
    prep.findings = out.findings
    return prep
