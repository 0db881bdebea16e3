"""The guest's memory: its size (<memory>, <currentMemory>) and how it is backed
(<memoryBacking>: huge pages, no KSM sharing, locked; the shared memory virtiofs needs);
<maxMemory> (memory hot-plug) is read and held for the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard import xmlsafe
from zwizard.parts.base import Part, PartReader, Question
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers, Guest
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write_size(dom: Element, answers: Answers, plan: Plan) -> None:
    g = answers.guest
    size, unit = str(g.memory_mib), "MiB"
    if g.memory_kib is not None and max(1, round(g.memory_kib / 1024)) == g.memory_mib:
        size, unit = str(g.memory_kib), "KiB"  # a converted guest's exact size
    sub(dom, "memory", size, unit=unit)
    sub(dom, "currentMemory", size, unit=unit)


def read_size(r: PartReader, root: etree._Element, a: Answers) -> None:
    g: Guest = a.guest
    mem = root.find("memory")
    if mem is not None:
        size = r.mib(mem)
        if size is None:
            what = r.unreadable_size(mem, "memory")
            r.changed("memory", mem, f"memory {what} -> {g.memory_mib} MiB")
        g.memory_mib = size or g.memory_mib
        r.mark("guest.memory_mib", mem)
        kib = r.kib(mem)
        if size is not None and kib is not None and kib % 1024:  # no whole MiB: kept
            g.memory_kib = kib
            r.mark("guest.memory_kib", mem)
    balloon_size = root.find("currentMemory")
    if balloon_size is not None and r.kib(balloon_size) != r.kib(mem):
        what = f"currentMemory {r.text(balloon_size)} (zwizard writes memory)"
        r.lost(balloon_size, what)


def write_backing(dom: Element, answers: Answers, plan: Plan) -> None:
    mem = answers.memory
    if mem.hugepages or mem.nosharepages or mem.locked or answers.shares:
        backing = sub(dom, "memoryBacking")
        for key in ("hugepages", "nosharepages", "locked"):  # libvirt's order
            if getattr(mem, key):
                sub(backing, key)
        if answers.shares:  # libvirt: "'virtiofs' requires shared memory" (seen)
            sub(backing, "source", type="memfd")
            sub(backing, "access", mode="shared")


def read_backing(r: PartReader, root: etree._Element, a: Answers) -> None:
    mm = root.find("maxMemory")
    if mm is not None:
        r.held("memory.hotplug", mm)
        a.memory.hotplug = True
    mb = root.find("memoryBacking")
    if mb is not None:
        r.take(mb)
        for key in ("hugepages", "nosharepages", "locked"):
            el = mb.find(key)
            if el is not None and (key != "hugepages" or not len(el)):
                r.take(el)
                setattr(a.memory, key, True)
                r.mark(f"memory.{key}", el)
        virtiofs = xmlsafe.find_all(r.root, "devices/filesystem/driver[@type='virtiofs']")
        for el in xmlsafe.find_all(mb, "source[@type='memfd'] | access[@mode='shared']"):
            if virtiofs:  # what virtiofs needs: written again with the shares
                r.take(el)
                r.get(el, "type"), r.get(el, "mode")
        for el in mb:
            if isinstance(el.tag, str) and el not in r.taken:
                if el.tag == "hugepages":  # <page size=…>: the host's default size is used
                    a.memory.hugepages = True
                    r.take(el)
                    r.mark("memory.hugepages", el)
                    for page in el:
                        r.lost(page, "a huge page size (KVM on IBM Z backs with 1 MiB pages)")
                else:
                    r.lost(el, f"<memoryBacking><{el.tag}>")


SIZE_QUESTIONS: tuple[Question, ...] = (
    Question(
        "guest.memory_mib",
        "Memory (MiB)",
        kind="int",
        help="fixed size: IBM Z cannot add memory to a running guest",
    ),
)
SIZE = Part(
    key="guest.memory_mib",
    tags=("memory", "currentMemory"),
    write=write_size,
    read=read_size,
    questions=SIZE_QUESTIONS,
)
BACKING_QUESTIONS: tuple[Question, ...] = (
    Question("memory.hugepages", "Back memory with host huge pages"),
    Question("memory.nosharepages", "Keep KSM from sharing its pages"),
    Question("memory.locked", "Lock memory in host RAM (never swapped)"),
    Question("memory.hotplug", "Memory hot-plug (maxMemory)"),  # greyed: rule no-mem-hotplug
)
BACKING = Part(
    key="memory.hugepages",
    tags=("maxMemory", "memoryBacking"),
    write=write_backing,
    read=read_backing,
    questions=BACKING_QUESTIONS,
)
