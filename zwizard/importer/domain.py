"""Reading the domain's own elements not yet read by a part of zwizard.parts: guest, OS,
features, CPU and memory."""

from __future__ import annotations

from typing import cast

from lxml import etree

from zwizard import xmlsafe
from zwizard.importer.document import X86_FEATURES
from zwizard.importer.reader import Reader
from zwizard.model import (
    FEATURE_POLICIES,
    OSINFO_IDS,
    Answers,
    FeaturePolicy,
    Guest,
    Kernel,
)
from zwizard.rules import S390_ARCH, S390_MACHINE, machine_problem
from zwizard.stack_versions import DEPRECATED_CPU_FEATURES


class DomainParts(Reader):
    """The domain-level elements, read onto the answers."""

    def _guest(self, r: etree._Element, a: Answers) -> None:
        g: Guest = a.guest
        dtype = self.get(r, "type", "kvm")
        g.domain_type = "qemu" if dtype == "qemu" else "kvm"
        if dtype not in ("kvm", "qemu"):
            self.changed("s390-machine", r, f"domain type {dtype} -> kvm", whole=False)
        for key in ("name", "uuid", "title", "description"):
            el = r.find(key)
            if el is not None and self.text(el):
                setattr(g, key, el.text if key == "description" else self.text(el))
                self.mark(f"guest.{key}", el)
        ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
        info = xmlsafe.find_all(r, "metadata/l:libosinfo", **ns)
        self.take(*(el for i in info for el in i.iter()))  # the os id is carried as guest.os
        os_el = next(iter(xmlsafe.find_all(r, "metadata/l:libosinfo/l:os", **ns)), None)
        osid = self.get(os_el, "id")
        g.os = "other"
        self.out.os_known = osid is not None
        if osid:
            for short in ("rhel7", "rhel8", "rhel9"):
                if f"/rhel/{short[4:]}" in osid:
                    g.os = short
            if OSINFO_IDS.get(g.os) != osid and os_el is not None:  # kept as it is
                g.osinfo = osid
                self.mark("guest.osinfo", os_el)
        vcpu = r.find("vcpu")
        if vcpu is None:  # libvirt's default: one vCPU (zwizard's own default is two)
            g.vcpus = 1
        elif not self.text(vcpu).isdigit():
            said = "libvirt: maximum vcpus count must be an integer"
            self.finding(vcpu, "vcpus", "error", f"vcpu {self.text(vcpu)!r}: {said}")
            self.changed("vcpus", vcpu, f"vcpu {self.text(vcpu)!r} -> {g.vcpus} ({said})")
        else:
            placement = self.get(vcpu, "placement")  # static is what zwizard writes
            if placement not in (None, "static"):
                what = f"vCPU placement {placement} (numad) -> static"
                self.changed("no-numa", vcpu, what, whole=False)
            g.vcpus = int(self.text(vcpu))
            self.mark("guest.vcpus", vcpu)
            current = self.get(vcpu, "current")
            if current is not None and current.isdigit():
                g.vcpus_current = int(current)
            elif current is not None:
                said = f"libvirt: invalid value for attribute 'current' of <vcpu>: {current!r}"
                self.finding(vcpu, "vcpus", "error", said)
                self.lost(vcpu, f"vCPUs online at start {current!r} ({said})", whole=False)
        mem = r.find("memory")
        if mem is not None:
            size = self.mib(mem)
            if size is None:
                what = self.unreadable_size(mem, "memory")
                self.changed("memory", mem, f"memory {what} -> {g.memory_mib} MiB")
            g.memory_mib = size or g.memory_mib
            self.mark("guest.memory_mib", mem)
            kib = self.kib(mem)
            if size is not None and kib is not None and kib % 1024:  # no whole MiB: kept
                g.memory_kib = kib
                self.mark("guest.memory_kib", mem)
        balloon_size = r.find("currentMemory")
        if balloon_size is not None and self.kib(balloon_size) != self.kib(mem):
            what = f"currentMemory {self.text(balloon_size)} (zwizard writes memory)"
            self.lost(balloon_size, what)

    def _os(self, r: etree._Element) -> None:
        os_ = r.find("os")
        if os_ is None:
            return
        t = os_.find("type")
        self.take(t)
        arch, machine = self.get(t, "arch"), self.get(t, "machine")
        problem = machine_problem(arch, machine) if t is not None else None
        if t is not None and problem is not None:
            self.finding(t, "s390-machine", "error", problem)
            self.changed(
                "s390-machine",
                t,
                f"arch {arch or '(none)'} machine {machine or '(none)'} -> "
                f"{S390_ARCH} {S390_MACHINE}",
            )
        elif t is not None and machine != S390_MACHINE:  # a versioned one: the guest's ABI
            self.out.answers.guest.machine = machine
            self.mark("guest.machine", t)
        for el in xmlsafe.find_all(os_, "loader | nvram"):
            self.never("uefi", el, f"<{el.tag}>")
        kernel = os_.find("kernel")
        if kernel is not None and self.text(kernel):
            a = self.out.answers
            a.kernel = Kernel(path=self.text(kernel))
            self.mark("kernel", kernel)
            for key in ("initrd", "cmdline"):
                part = os_.find(key)
                if part is not None and self.text(part):
                    setattr(a.kernel, key, part.text if key == "cmdline" else self.text(part))
                    self.mark(f"kernel.{key}", part)
        else:
            for el in xmlsafe.find_all(os_, "initrd | cmdline"):
                self.lost(el, f"<{el.tag}> without a <kernel> (QEMU uses it only with one)")
        for el in xmlsafe.find_all(os_, "bootmenu | bios | firmware"):
            self.never("x86-features", el, f"<os><{el.tag}>")

    def _features(self, r: etree._Element) -> None:
        features = r.find("features")
        if features is None:
            return
        self.take(features)  # each feature below is judged or listed on its own
        for el in features:
            if not isinstance(el.tag, str):
                continue
            if el.tag in X86_FEATURES:
                self.never("x86-features", el, f"feature <{el.tag}>")
            else:
                self.lost(el, f"feature <{el.tag}>")

    def _cpu(self, r: etree._Element, a: Answers) -> None:
        cpu = r.find("cpu")
        if cpu is None:
            return
        self.mark("cpu", cpu)
        mode = self.get(cpu, "mode") or ("custom" if cpu.find("model") is not None else None)
        self.get(cpu, "match")  # libvirt's default; zwizard writes its own
        check = self.get(cpu, "check")
        if mode == "custom" and a.guest.domain_type == "qemu" and check in ("partial", "full"):
            # zwizard writes check='none' under TCG: the model is emulated, and libvirt's
            # check against the host CPU refuses it at start off IBM Z (docs/rules.md)
            what = f"CPU check {check} -> none (under emulation the model is QEMU's own)"
            self.changed("tcg-cpu", cpu, what, whole=False)
        model = cpu.find("model")
        if model is not None:
            self.get(model, "fallback")
        name = self.text(model) if model is not None else ""
        features = cpu.findall("feature")
        deprecated = self.get(cpu, "deprecated_features")  # libvirt 11.0 and later
        if deprecated in ("on", "off"):
            a.cpu.deprecated_features = deprecated == "on"
            self.mark("cpu.deprecated_features", cpu)
        if mode == "custom" and name == "qemu" and a.guest.domain_type == "qemu":
            # libvirt's dumpxml of a TCG guest names QEMU's default model: no <cpu> was asked
            self.mark("cpu.mode", cpu)
            return
        if mode == "custom" and name.endswith("-base") and features:
            # a running host-model guest's live XML: libvirt's expansion, not the user's
            a.cpu.mode = "host-model"
            self.mark("cpu.mode", cpu)
            self.take(*features)
            for f in features:
                self.get(f, "policy"), self.get(f, "name")
            self.finding(
                cpu,
                "cpu-migration",
                "note",
                (
                    f"{name} with {len(features)} features is libvirt's expansion of host-model "
                    "in a running guest's XML; read as host-model"
                ),
            )
            return
        if mode == "custom" and model is not None and name:
            a.cpu.mode, a.cpu.model = "custom", (model.text or "").strip()
            self.mark("cpu.mode", cpu)
            self.mark("cpu.model", model)  # carried: its other attributes are listed if unread
        elif mode:
            a.cpu.mode = mode
            self.mark("cpu.mode", cpu)
        numa = cpu.find("numa")
        if numa is not None:
            self.held("cpu.numa", numa)
            a.cpu.numa = True
        self._cpu_topology_features(cpu, a)
        for el in xmlsafe.find_all(r, "numatune"):
            self.held("cpu.numa", el)
            a.cpu.numa = True

    def _cpu_topology_features(self, cpu: etree._Element, a: Answers) -> None:
        topo = cpu.find("topology")
        if topo is not None:
            values = {
                k: self.get(topo, k) for k in ("sockets", "dies", "clusters", "cores", "threads")
            }
            ones = all(values[k] in (None, "1") for k in ("dies", "clusters", "threads"))
            if not self.s390:  # another machine's topology: IBM Z sockets/books differ
                what = " ".join(f"{k}={v}" for k, v in values.items() if v is not None)
                self.lost(topo, f"<cpu><topology {what}> of an x86 guest")
            elif ones and all((values[k] or "").isdigit() for k in ("sockets", "cores")):
                a.cpu.sockets = int(values["sockets"] or 0)
                a.cpu.cores = int(values["cores"] or 0)
                self.mark("cpu.sockets", topo)
            else:  # more than one thread (x86) or die: s390x has neither
                what = " ".join(f"{k}={v}" for k, v in values.items() if v is not None)
                self.lost(topo, f"<cpu><topology {what}> (s390x: one thread per core, one die)")
        # features belong to the model they modify: an x86 guest's would name what QEMU
        # s390x does not have (those of a model convert replaces go with it there)
        carried = self.s390 and a.cpu.mode is not None
        for f in cpu.findall("feature"):
            name, policy = self.get(f, "name"), self.get(f, "policy") or "require"
            if (
                carried
                and policy == "disable"
                and name in DEPRECATED_CPU_FEATURES
                and a.cpu.deprecated_features is False
            ):
                # libvirt's own writing of deprecated_features='off': read as that
                self.take(f)
                continue
            if not carried:
                self.lost(f, f"<cpu><feature name='{name}'> of x86 CPU model")
            elif name and policy in FEATURE_POLICIES:
                if name in a.cpu.features:
                    self.finding(
                        f,
                        "cpu-features",
                        "error",
                        f"CPU feature '{name}' twice (libvirt: \"CPU feature '{name}' specified "
                        'more than once")',
                    )
                a.cpu.features[name] = cast(FeaturePolicy, policy)
                self.mark(f"cpu.features.{name}", f)
            else:
                self.lost(f, f"<cpu><feature name='{name}' policy='{policy}'>")
        for el in cpu.findall("cache"):
            self.lost(el, "<cpu><cache>")

    def _memory(self, r: etree._Element, a: Answers) -> None:
        mm = r.find("maxMemory")
        if mm is not None:
            self.held("memory.hotplug", mm)
            a.memory.hotplug = True
        mb = r.find("memoryBacking")
        if mb is not None:
            self.take(mb)
            for key in ("hugepages", "nosharepages", "locked"):
                el = mb.find(key)
                if el is not None and (key != "hugepages" or not len(el)):
                    self.take(el)
                    setattr(a.memory, key, True)
                    self.mark(f"memory.{key}", el)
            virtiofs = xmlsafe.find_all(self.root, "devices/filesystem/driver[@type='virtiofs']")
            for el in xmlsafe.find_all(mb, "source[@type='memfd'] | access[@mode='shared']"):
                if virtiofs:  # what virtiofs needs: written again with the shares
                    self.take(el)
                    self.get(el, "type"), self.get(el, "mode")
            for el in mb:
                if isinstance(el.tag, str) and el not in self.taken:
                    if el.tag == "hugepages":  # <page size=…>: the host's default size is used
                        a.memory.hugepages = True
                        self.take(el)
                        self.mark("memory.hugepages", el)
                        for page in el:
                            self.lost(
                                page, "a huge page size (KVM on IBM Z backs with 1 MiB pages)"
                            )
                    else:
                        self.lost(el, f"<memoryBacking><{el.tag}>")
