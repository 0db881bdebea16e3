"""<cpu>: the CPU model's mode, a named model, the topology (sockets and cores, one
thread and die) and feature policies; NUMA is read and held for the rules (no-numa)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from zwizard import choices, xmlsafe
from zwizard.cpu_models import CPU_MODELS
from zwizard.findings import reports
from zwizard.lazy import Pattern
from zwizard.limits import CPU_MODES, MARKETING_NAMES, NOT_MIGRATION_SAFE
from zwizard.parts.base import Part, PartReader, Question
from zwizard.plan import cpu_topology
from zwizard.stack_versions import DEPRECATED_CPU_FEATURES
from zwizard.vocabulary import FEATURE_POLICIES, FeaturePolicy
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
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


def check_model(a: Answers, plan: Plan, out: Collector) -> None:
    cpu, mode = a.cpu, a.cpu.mode
    if cpu.numa:
        out.error("no-numa", "cpu.numa", "NUMA topology is not supported by libvirt on IBM Z")
    if mode is not None and mode not in CPU_MODES:
        out.error(
            "cpu-mode", "cpu.mode", f"'{mode}' is not a CPU mode; use one of {', '.join(CPU_MODES)}"
        )
        return
    if mode == "custom":
        _cpu_model(cpu.model, out)
    elif cpu.model is not None:
        out.error(
            "cpu-migration",
            "cpu.model",
            f"a CPU model is only used with mode custom (mode is {mode or 'the default'})",
        )
    tcg = a.guest.domain_type == "qemu"
    if tcg and mode in ("host-model", "host-passthrough"):
        out.error(
            "tcg-cpu",
            "cpu.mode",
            f"{mode} needs KVM on an IBM Z host; under emulation (domain_type qemu) use "
            "maximum or leave the mode unset",
        )
    elif tcg and mode == "custom":
        out.warn(
            "tcg-cpu",
            "cpu.model",
            "named CPU models usually fail to start under emulation (features not available); "
            "use maximum or leave the mode unset",
        )
    elif mode in ("host-passthrough", "maximum") and not tcg:
        out.warn("cpu-migration", "cpu.mode", f"{mode} is {NOT_MIGRATION_SAFE}")


def older_model(model: str, than: str) -> bool:
    """CPU_MODELS lists QEMU's models oldest first."""
    return CPU_MODELS.index(model) < CPU_MODELS.index(than)


def _cpu_model(model: str | None, out: Collector) -> None:
    path = "cpu.model"
    if not model:
        out.error("cpu-migration", path, "mode custom needs a model, e.g. gen15a or z14.2")
    elif model.endswith("-base"):
        out.error(
            "cpu-migration",
            path,
            f"'{model}' is a -base model; use '{model[:-5]}' (the oldest host's model, "
            "without -base)",
        )
    elif model in ("qemu", "max", "host"):
        out.error(
            "cpu-migration",
            path,
            f"'{model}' must not be used as a custom model; use host-model, or the oldest "
            "host's model name",
        )
    elif model not in CPU_MODELS:
        hint = MARKETING_NAMES.get(model.lower())
        suggestion = f"; QEMU calls it '{hint}'" if hint else ""
        out.error("cpu-model", path, f"'{model}' is not a QEMU s390x CPU model{suggestion}")


# QEMU property names (target/s390x/cpu_features_def.h.inc): letters, digits and '-'
CPU_FEATURE = Pattern(r"[a-z0-9][a-z0-9_.-]*")


def check_topology(a: Answers, plan: Plan, out: Collector) -> None:
    """vCPU count, topology and features, as libvirt 9.0 and QEMU 7.2 take them (seen)."""
    g, cpu = a.guest, a.cpu
    current = g.vcpus_current
    # (with no valid vCPU count, its own rule speaks: "give 1 to 0" would help nobody)
    if current is not None and g.vcpus >= 1 and not 1 <= current <= g.vcpus:
        out.error(
            "vcpu-topology",
            "guest.vcpus_current",
            f'{current} vCPUs online at start: give 1 to {g.vcpus} (libvirt: "maximum vCPU '
            'count must not be less than current vCPU count")',
        )
    if cpu.sockets is not None or cpu.cores is not None:
        for key in ("sockets", "cores"):
            value = getattr(cpu, key)
            if value is not None and value < 1:
                out.error("vcpu-topology", f"cpu.{key}", f"{value} {key}: give 1 or more")
        sockets, cores = cpu_topology(a)
        if min(sockets, cores) >= 1 and sockets * cores != g.vcpus:
            out.error(
                "vcpu-topology",
                "cpu.sockets" if cpu.sockets is not None else "cpu.cores",
                f"{sockets} sockets x {cores} cores = {sockets * cores}, not the guest's "
                f'{g.vcpus} vCPUs (libvirt: "CPU topology doesn\'t match maximum vcpu count"); '
                's390x has one thread per core (QEMU: "S390 does not support more than 1 '
                'threads")',
            )
    for name, policy in cpu.features.items():
        if policy not in FEATURE_POLICIES:  # the wizard's typed pairs; a file's are decoded
            out.error(
                "cpu-features",
                f"cpu.features.{name}",
                f"'{policy}' is not a feature policy: {', '.join(FEATURE_POLICIES)}",
            )
        elif policy == "optional":  # libvirt's src/cpu/cpu_s390.c, virCPUs390ValidateFeatures
            out.error(
                "cpu-features",
                f"cpu.features.{name}",
                f"policy 'optional' for {name}: libvirt refuses it for IBM Z at start (\"only "
                "cpu feature policies 'require' and 'disable' are supported\"); use require, "
                "disable, force or forbid",
            )
        if not CPU_FEATURE.fullmatch(name):
            out.error(
                "cpu-features",
                f"cpu.features.{name}",
                f"'{name}' is not a CPU feature name (QEMU's s390x names: zpci, aen, vx, "
                "msa9-base … see qemu-system-s390x -cpu help)",
            )
    if cpu.features and plan.cpu_mode is None:
        out.error(
            "cpu-features",
            "cpu.features",
            "feature policies apply to a CPU model: set cpu.mode (host-model, or custom with a "
            "model)",
        )


@reports(
    "cpu-migration", "cpu-mode", "no-numa", "tcg-cpu", "cpu-model", "cpu-features", "vcpu-topology"
)
def check(a: Answers, plan: Plan, out: Collector) -> None:
    check_model(a, plan, out)
    check_topology(a, plan, out)


QUESTIONS: tuple[Question, ...] = (
    Question("cpu.mode", "CPU mode", choices=tuple(choices.CPU_MODES)),
    Question("cpu.model", "CPU model"),  # offered from this host's usable models
    Question("cpu.sockets", "Sockets", empty="one per vCPU", kind="optional-int"),
    Question("cpu.cores", "Cores per socket (one thread each)", empty="1", kind="optional-int"),
    Question(
        "cpu.features",
        "CPU features (name=policy …)",
        empty="the model's own",
        kind="mapping",
        placeholder="(the model's own; e.g. zpci=disable)",
    ),
    Question(
        "cpu.deprecated_features",
        "Deprecated CPU features (bpb, csske, te, cte)",
        choices=tuple(choices.DEPRECATED_FEATURES),
    ),
    Question("cpu.numa", "NUMA topology"),  # greyed: rule no-numa
)
PART = Part(
    key="cpu", tags=("cpu", "numatune"), write=write, read=read, check=check, questions=QUESTIONS
)
