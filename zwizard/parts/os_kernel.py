"""<os>: the machine (rule s390-machine) and a direct kernel boot (kernel, initrd,
command line); firmware settings IBM Z has not (UEFI loader, BIOS, boot menu) are
judged. <os><boot dev> is the boot order's (importer/devices.py `_boot_dev`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard import xmlsafe
from zwizard.findings import reports
from zwizard.machine import S390_ARCH, S390_MACHINE, machine_problem
from zwizard.model import Kernel
from zwizard.parts.base import Part, PartReader, Question
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    os_ = sub(dom, "os")
    sub(os_, "type", "hvm", arch=S390_ARCH, machine=answers.guest.machine or S390_MACHINE)
    if answers.kernel is not None:
        k = answers.kernel
        sub(os_, "kernel", k.path)
        if k.initrd:
            sub(os_, "initrd", k.initrd)
        if k.cmdline:
            sub(os_, "cmdline", k.cmdline)


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    os_ = root.find("os")
    if os_ is None:
        return
    t = os_.find("type")
    r.take(t)
    arch, machine = r.get(t, "arch"), r.get(t, "machine")
    problem = machine_problem(arch, machine) if t is not None else None
    if t is not None and problem is not None:
        r.finding(t, "s390-machine", "error", problem)
        r.changed(
            "s390-machine",
            t,
            f"arch {arch or '(none)'} machine {machine or '(none)'} -> {S390_ARCH} {S390_MACHINE}",
        )
    elif t is not None and machine != S390_MACHINE:  # a versioned one: the guest's ABI
        r.out.answers.guest.machine = machine
        r.mark("guest.machine", t)
    for el in xmlsafe.find_all(os_, "loader | nvram"):
        r.never("uefi", el, f"<{el.tag}>")
    kernel = os_.find("kernel")
    if kernel is not None and r.text(kernel):
        a = r.out.answers
        a.kernel = Kernel(path=r.text(kernel))
        r.mark("kernel", kernel)
        for key in ("initrd", "cmdline"):
            part = os_.find(key)
            if part is not None and r.text(part):
                setattr(a.kernel, key, part.text if key == "cmdline" else r.text(part))
                r.mark(f"kernel.{key}", part)
    else:
        for el in xmlsafe.find_all(os_, "initrd | cmdline"):
            r.lost(el, f"<{el.tag}> without a <kernel> (QEMU uses it only with one)")
    for el in xmlsafe.find_all(os_, "bootmenu | bios | firmware"):
        r.never("x86-features", el, f"<os><{el.tag}>")


@reports("kernel-boot")
def check(a: Answers, plan: Plan, out: Collector) -> None:
    """Direct kernel boot. QEMU starts the kernel itself at a cold start: the firmware
    runs only when no kernel is given or the guest re-IPLs a device
    (hw/s390x/ipl.c s390_ipl_prepare_cpu), so device boot orders and PXE do not apply."""
    k = a.kernel
    if k is None:
        return
    for key in ("path", "initrd"):
        value = getattr(k, key)
        if key == "path" and not value:
            out.error("kernel-boot", "kernel.path", "a direct kernel boot needs the kernel's path")
        elif value is not None and not value.startswith("/"):
            out.error(
                "kernel-boot",
                f"kernel.{key}",
                f"'{value}' must be an absolute host path (libvirt hands it to QEMU as given)",
            )
    if a.pxe.enabled:
        out.error(
            "kernel-boot",
            "pxe.enabled",
            "with a direct kernel boot QEMU starts that kernel itself: the firmware that would "
            "fetch the PXE files never runs; put the installer's arguments in kernel.cmdline "
            "or leave [kernel] out",
        )
    elif plan.boot:
        out.note(
            "kernel-boot",
            "kernel.path",
            f"QEMU starts the kernel, not {plan.first_boot}: device boot orders apply only "
            "when the guest re-IPLs a device",
        )


QUESTIONS: tuple[Question, ...] = (
    Question(
        "kernel.path",
        "Kernel (a host path)",
        kind="optional-str",
        placeholder="(none: IPL from the boot sequence)",
    ),
    Question("kernel.initrd", "initrd (a host path)", empty="none", kind="optional-str"),
    Question("kernel.cmdline", "Kernel command line", empty="none", kind="optional-str"),
)
PART = Part(key="kernel", tags=("os",), write=write, read=read, check=check, questions=QUESTIONS)
