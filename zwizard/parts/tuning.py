"""The tuning blocks: memory limits (<memtune>), pinning (<cputune>) and I/O threads
(<iothreads>, <iothreadids>). Three parts: libvirt writes them at three places."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.parts.base import Part, PartReader, Question
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

LIMITS = ("hard_limit", "soft_limit", "swap_hard_limit")  # libvirt's order; memory.<key>_mib


def write_memtune(dom: Element, answers: Answers, plan: Plan) -> None:
    limits = [(key, getattr(answers.memory, f"{key}_mib")) for key in LIMITS]
    if any(value is not None for _, value in limits):
        memtune = sub(dom, "memtune")
        for key, value in limits:
            if value is not None:
                sub(memtune, key, str(value), unit="MiB")


def read_memtune(r: PartReader, root: etree._Element, a: Answers) -> None:
    memtune = root.find("memtune")
    if memtune is None:
        return
    r.take(memtune)
    for key in LIMITS:
        el = memtune.find(key)
        mib = r.mib(el)
        if el is not None and mib is not None:
            setattr(a.memory, f"{key}_mib", mib)
            r.mark(f"memory.{key}_mib", el)
        elif el is not None:
            what = r.unreadable_size(el, "memtune")
            r.lost(el, f"<memtune><{key}> {what}")
    _unread_children(r, memtune)


def write_cputune(dom: Element, answers: Answers, plan: Plan) -> None:
    c = answers.cpu
    if not (c.pinning or c.emulator_pinning or c.iothread_pinning):
        return
    cputune = sub(dom, "cputune")
    for index, cpuset in c.pinning.items():
        sub(cputune, "vcpupin", vcpu=index, cpuset=cpuset)
    if c.emulator_pinning:
        sub(cputune, "emulatorpin", cpuset=c.emulator_pinning)
    for index, cpuset in c.iothread_pinning.items():  # libvirt's order: after emulatorpin
        sub(cputune, "iothreadpin", iothread=index, cpuset=cpuset)


def read_cputune(r: PartReader, root: etree._Element, a: Answers) -> None:
    cputune = root.find("cputune")
    if cputune is None:
        return
    r.take(cputune)
    for pin in cputune.findall("vcpupin"):
        vcpu, cpuset = r.get(pin, "vcpu"), r.get(pin, "cpuset")
        if vcpu is not None and cpuset is not None:
            a.cpu.pinning[vcpu] = cpuset
            r.mark(f"cpu.pinning.{vcpu}", pin)
    emulator = cputune.find("emulatorpin")
    if emulator is not None and r.get(emulator, "cpuset"):
        a.cpu.emulator_pinning = r.get(emulator, "cpuset")
        r.mark("cpu.emulator_pinning", emulator)
    for pin in cputune.findall("iothreadpin"):
        thread, cpuset = r.get(pin, "iothread"), r.get(pin, "cpuset")
        if thread is not None and cpuset is not None:
            a.cpu.iothread_pinning[thread] = cpuset
            r.mark(f"cpu.iothread_pinning.{thread}", pin)
    _unread_children(r, cputune)


def _unread_children(r: PartReader, block: etree._Element) -> None:
    """What no line above read in a tuning block is listed under the block's name."""
    for el in block:
        if isinstance(el.tag, str) and el not in r.taken:
            r.lost(el, f"<{block.tag}><{el.tag}>")


def write_iothreads(dom: Element, answers: Answers, plan: Plan) -> None:
    g = answers.guest
    if g.iothreads or g.iothread_ids:  # libvirt counts at least the ids stated
        sub(dom, "iothreads", str(max(g.iothreads or 0, len(g.iothread_ids))))
    if g.iothread_ids:  # a converted guest's own numbering, written back as stated
        ids = sub(dom, "iothreadids")
        for thread_id in g.iothread_ids:
            sub(ids, "iothread", id=str(thread_id))


def read_iothreads(r: PartReader, root: etree._Element, a: Answers) -> None:
    el = root.find("iothreads")
    if el is not None and r.text(el).isdigit():
        a.guest.iothreads = int(r.text(el))
        r.mark("guest.iothreads", el)
    elif el is not None:
        r.lost(el, f"<iothreads> '{r.text(el)}' (not a number)")
    ids = root.find("iothreadids")
    r.take(ids)  # the list itself; each id below is read
    for thread in ids if ids is not None else ():
        if not isinstance(thread.tag, str):
            continue  # a comment
        number = r.get(thread, "id")
        if thread.tag == "iothread" and number is not None and number.isdigit():
            a.guest.iothread_ids.append(int(number))
            r.mark("guest.iothread_ids", thread)
        else:
            r.lost(thread, f"<iothreadids><{thread.tag}> without a numeric id")


MEMTUNE_QUESTIONS: tuple[Question, ...] = (
    Question(
        "memory.hard_limit_mib", "memtune hard limit (MiB)", empty="none", kind="optional-int"
    ),
    Question(
        "memory.soft_limit_mib", "memtune soft limit (MiB)", empty="none", kind="optional-int"
    ),
    Question(
        "memory.swap_hard_limit_mib",
        "memtune memory+swap limit (MiB)",
        empty="none",
        kind="optional-int",
    ),
)
MEMTUNE = Part(
    key="memory.hard_limit_mib",
    tags=("memtune",),
    write=write_memtune,
    read=read_memtune,
    questions=MEMTUNE_QUESTIONS,
)
CPUTUNE_QUESTIONS: tuple[Question, ...] = (
    Question(
        "cpu.pinning",
        "vCPU pinning (vCPU=host CPUs …)",
        empty="none",
        kind="mapping",
        placeholder="(none; e.g. 0=2-3 1=4)",
    ),
    Question(
        "cpu.emulator_pinning",
        "QEMU's threads on host CPUs",
        empty="any",
        kind="optional-str",
        placeholder="(any; e.g. 0-1)",
    ),
    Question(
        "cpu.iothread_pinning",
        "I/O threads on host CPUs (thread=CPUs …)",
        empty="any",
        kind="mapping",
        placeholder="(any; e.g. 1=4)",
    ),
)
CPUTUNE = Part(
    key="cpu.pinning",
    tags=("cputune",),
    write=write_cputune,
    read=read_cputune,
    questions=CPUTUNE_QUESTIONS,
)
IOTHREADS_QUESTIONS: tuple[Question, ...] = (
    Question("guest.iothreads", "I/O threads (disks name one)", empty="none", kind="optional-int"),
)
IOTHREADS = Part(
    key="guest.iothreads",
    tags=("iothreads", "iothreadids"),
    write=write_iothreads,
    read=read_iothreads,
    questions=IOTHREADS_QUESTIONS,
)
