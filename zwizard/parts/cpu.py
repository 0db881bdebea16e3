"""<cpu>: the CPU model's mode, a named model, the topology (sockets and cores, one
thread and die) and feature policies; NUMA is read and held for the rules (no-numa)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from zwizard import xmlsafe
from zwizard.model import FEATURE_POLICIES, FeaturePolicy
from zwizard.parts.base import Part, PartReader
from zwizard.plan import cpu_topology
from zwizard.stack_versions import DEPRECATED_CPU_FEATURES
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    mode, c = plan.cpu_mode, answers.cpu
    topo = c.sockets is not None or c.cores is not None
    if mode is None and not topo:
        return
    if mode is None:  # QEMU's default model, with a topology (libvirt takes <cpu> so)
        cpu = sub(dom, "cpu")
    elif mode == "custom":
        # under TCG the model is emulated, not the host's: libvirt's partial check would
        # compare it with the host CPU and refuse ("unknown host CPU" on a non-IBM Z host,
        # seen with 9.0 by tests/system/test_stack_agrees.py)
        tcg = answers.guest.domain_type == "qemu"
        cpu = sub(dom, "cpu", mode="custom", match="exact", check="none" if tcg else "partial")
        sub(cpu, "model", c.model or "", fallback="forbid")
    else:
        cpu = sub(dom, "cpu", mode=mode, check="partial" if mode == "host-model" else "none")
    if mode is not None and c.deprecated_features is not None:  # libvirt 11.0 and later
        cpu.set("deprecated_features", "on" if c.deprecated_features else "off")
    if c.sockets is not None or c.cores is not None:
        sockets, cores = cpu_topology(answers)
        sub(cpu, "topology", sockets=str(sockets), dies="1", cores=str(cores), threads="1")
    for name, policy in c.features.items():
        sub(cpu, "feature", policy=policy, name=name)


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    cpu = root.find("cpu")
    if cpu is None:
        return
    r.mark("cpu", cpu)
    mode = r.get(cpu, "mode") or ("custom" if cpu.find("model") is not None else None)
    r.get(cpu, "match")  # libvirt's default; zwizard writes its own
    check = r.get(cpu, "check")
    if mode == "custom" and a.guest.domain_type == "qemu" and check in ("partial", "full"):
        # zwizard writes check='none' under TCG: the model is emulated, and libvirt's
        # check against the host CPU refuses it at start off IBM Z (docs/rules.md)
        what = f"CPU check {check} -> none (under emulation the model is QEMU's own)"
        r.changed("tcg-cpu", cpu, what, whole=False)
    model = cpu.find("model")
    if model is not None:
        r.get(model, "fallback")
    name = r.text(model) if model is not None else ""
    features = cpu.findall("feature")
    deprecated = r.get(cpu, "deprecated_features")  # libvirt 11.0 and later
    if deprecated in ("on", "off"):
        a.cpu.deprecated_features = deprecated == "on"
        r.mark("cpu.deprecated_features", cpu)
    if mode == "custom" and name == "qemu" and a.guest.domain_type == "qemu":
        # libvirt's dumpxml of a TCG guest names QEMU's default model: no <cpu> was asked
        r.mark("cpu.mode", cpu)
        return
    if mode == "custom" and name.endswith("-base") and features:
        # a running host-model guest's live XML: libvirt's expansion, not the user's
        a.cpu.mode = "host-model"
        r.mark("cpu.mode", cpu)
        r.take(*features)
        for f in features:
            r.get(f, "policy"), r.get(f, "name")
        r.finding(
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
        r.mark("cpu.mode", cpu)
        r.mark("cpu.model", model)  # carried: its other attributes are listed if unread
    elif mode:
        a.cpu.mode = mode
        r.mark("cpu.mode", cpu)
    numa = cpu.find("numa")
    if numa is not None:
        r.held("cpu.numa", numa)
        a.cpu.numa = True
    _topology_features(r, cpu, a)
    for el in xmlsafe.find_all(root, "numatune"):
        r.held("cpu.numa", el)
        a.cpu.numa = True


def _topology_features(r: PartReader, cpu: etree._Element, a: Answers) -> None:
    topo = cpu.find("topology")
    if topo is not None:
        values = {k: r.get(topo, k) for k in ("sockets", "dies", "clusters", "cores", "threads")}
        ones = all(values[k] in (None, "1") for k in ("dies", "clusters", "threads"))
        if not r.s390:  # another machine's topology: IBM Z sockets/books differ
            what = " ".join(f"{k}={v}" for k, v in values.items() if v is not None)
            r.lost(topo, f"<cpu><topology {what}> of an x86 guest")
        elif ones and all((values[k] or "").isdigit() for k in ("sockets", "cores")):
            a.cpu.sockets = int(values["sockets"] or 0)
            a.cpu.cores = int(values["cores"] or 0)
            r.mark("cpu.sockets", topo)
        else:  # more than one thread (x86) or die: s390x has neither
            what = " ".join(f"{k}={v}" for k, v in values.items() if v is not None)
            r.lost(topo, f"<cpu><topology {what}> (s390x: one thread per core, one die)")
    # features belong to the model they modify: an x86 guest's would name what QEMU
    # s390x does not have (those of a model convert replaces go with it there)
    carried = r.s390 and a.cpu.mode is not None
    for f in cpu.findall("feature"):
        name, policy = r.get(f, "name"), r.get(f, "policy") or "require"
        if (
            carried
            and policy == "disable"
            and name in DEPRECATED_CPU_FEATURES
            and a.cpu.deprecated_features is False
        ):
            # libvirt's own writing of deprecated_features='off': read as that
            r.take(f)
            continue
        if not carried:
            r.lost(f, f"<cpu><feature name='{name}'> of x86 CPU model")
        elif name and policy in FEATURE_POLICIES:
            if name in a.cpu.features:
                r.finding(
                    f,
                    "cpu-features",
                    "error",
                    f"CPU feature '{name}' twice (libvirt: \"CPU feature '{name}' specified "
                    'more than once")',
                )
            a.cpu.features[name] = cast(FeaturePolicy, policy)
            r.mark(f"cpu.features.{name}", f)
        else:
            r.lost(f, f"<cpu><feature name='{name}' policy='{policy}'>")
    for el in cpu.findall("cache"):
        r.lost(el, "<cpu><cache>")


PART = Part(key="cpu", within="domain", tags=("cpu", "numatune"), write=write, read=read)
