"""<os>: the machine (rule s390-machine) and a direct kernel boot (kernel, initrd,
command line); firmware settings IBM Z has not (UEFI loader, BIOS, boot menu) are
judged. <os><boot dev> is the boot order's (importer/devices.py `_boot_dev`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard import xmlsafe
from zwizard.machine import S390_ARCH, S390_MACHINE, machine_problem
from zwizard.model import Kernel
from zwizard.parts.base import Part, PartReader
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

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


PART = Part(key="kernel", within="domain", tags=("os",), write=write, read=read)
