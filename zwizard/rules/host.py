"""What the hosts must have: this host (host-*), several hosts (hosts-common) and the
libvirt and QEMU versions judged (zwizard.stack_versions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.devices import KINDS
from zwizard.devices.base import HostJudge
from zwizard.findings import Collector as _Collector
from zwizard.findings import Finding, checked, reports
from zwizard.model import Answers

if TYPE_CHECKING:
    from zwizard.host import HostInfo
from zwizard.cpu_models import CPU_MODELS
from zwizard.plan import Plan
from zwizard.rules.guest import CPUSET
from zwizard.rules.secure import _se_ap_allowed
from zwizard.stack_versions import (
    DEPRECATED_OFF_BY_DEFAULT,
    TARGET_VERSION,
    Stack,
)

# --- rules that follow the stack's versions (zwizard.stack_versions) -------------------


@reports("cpu-migration", "share", "target")
def _stack(a: Answers, plan: Plan, stack: Stack, out: _Collector) -> None:
    target = a.target
    if target is not None:
        for key in ("libvirt", "qemu"):
            text = getattr(target, key)
            if text is not None and not TARGET_VERSION.fullmatch(str(text)):
                out.error(
                    "target",
                    f"target.{key}",
                    f"'{text}' is no version: give {key} as digits.digits, e.g. "
                    + ("'10.10'" if key == "libvirt" else "'9.2'"),
                )
    deprecated = a.cpu.deprecated_features
    if deprecated is not None and not stack.allows("deprecated-features"):
        out.error(
            "cpu-migration",
            "cpu.deprecated_features",
            "libvirt refuses <cpu deprecated_features> before it knows it: it "
            f"{stack.verdict('deprecated-features')}; turn the features off one by one "
            'instead (cpu.features = { csske = "disable", … })',
        )
    elif (
        deprecated is None
        and plan.cpu_mode == "host-model"
        and stack.allows("deprecated-features")
        and stack.libvirt < DEPRECATED_OFF_BY_DEFAULT
    ):
        out.note(
            "cpu-migration",
            "cpu.deprecated_features",
            f"on {stack.describe()}: cpu.deprecated_features = false "
            "(<cpu deprecated_features='off'>) turns off bpb, csske, te and cte, so the guest "
            "can move to machines that no longer have them (libvirt 11.6 does it by default)",
        )
    for i, share in enumerate(a.shares):
        if share.readonly and not stack.allows("virtiofs-readonly"):
            out.error(
                "share",
                f"shares[{i}].readonly",
                'virtiofs cannot share read-only here (libvirt: "virtiofs does not yet '
                f'support read-only mode"): it {stack.verdict("virtiofs-readonly")}',
            )


def _hosts(a: Answers, plan: Plan, hosts: list[HostInfo], out: _Collector, target: bool) -> None:
    """The guest judged against every host it may run on: each host's findings name it;
    a custom CPU model some host cannot run is one error that offers the newest model
    all of them run (the seed's migration rule), and differing machine types and
    host-model CPUs are said (rule hosts-common)."""
    for h in hosts:
        if not h.reachable:
            checked(_not_judged, out, h, out)
        else:
            sub = _Collector()
            _host(a, plan, h, sub, target)
            for f in sub.findings:
                if f.rule == "host-cpu-model":
                    continue  # said once below, for all hosts, with the model they share
                out.findings.append(
                    Finding(f.rule, f.severity, f.path, f"on {h.label}: {f.message}")
                )
    reachable = [h for h in hosts if h.reachable]
    if target and reachable and all(h.se_ap for h in reachable):
        # AP in a secure guest only where every host allows it
        checked(_se_ap_allowed, out, a, out)
    checked(_hosts_common, out, a, plan, hosts, out, target)


@reports("hosts-common")
def _not_judged(host: HostInfo, out: _Collector) -> None:
    out.warn("hosts-common", "guest", f"{host.label} was not judged: {'; '.join(host.unavailable)}")


@reports("hosts-common", "host-cpu-model")
def _hosts_common(
    a: Answers, plan: Plan, hosts: list[HostInfo], out: _Collector, target: bool
) -> None:
    """What several hosts do not share: a custom model one of them
    cannot run, host-model CPUs that differ, machine types libvirt fixes differently."""
    from zwizard.host import machine_version
    from zwizard.hosts import common_ground

    ground = common_ground(hosts)
    reachable = [h for h in hosts if h.reachable]
    known = [h for h in reachable if h.has_domcaps]
    if len(known) < 2:
        return
    report = out.error if target else out.warn
    model = a.cpu.model
    if plan.cpu_mode == "custom" and model in CPU_MODELS:
        lacking = [h.label for h in known if model not in h.cpu_usable]
        if lacking:
            offer = (
                f"use cpu.model = '{ground.newest_cpu}', the newest model all of them run"
                if ground.newest_cpu
                else "no custom model runs on all of them"
            )
            report(
                "host-cpu-model",
                "cpu.model",
                f"CPU model {model} cannot run on {', '.join(lacking)}: {offer}",
            )
    models = {h.host_model for h in known if h.host_model}
    if plan.cpu_mode == "host-model" and len(models) > 1:
        out.warn(
            "hosts-common",
            "cpu.mode",
            f"host-model is each host's own CPU ({', '.join(sorted(models))}): a guest started "
            f"on a newer one cannot migrate to an older one; for migration between all of them "
            f"use cpu.mode = 'custom', cpu.model = '{ground.newest_cpu or '?'}'",
        )
    canonical = {h.canonical_machine for h in known if h.canonical_machine}
    if len(canonical) > 1:
        out.note(
            "hosts-common",
            "guest",
            f"s390-ccw-virtio means {', '.join(sorted(canonical, key=machine_version))} on these "
            "hosts, and libvirt fixes it at define time: define the guest on the host with the "
            f"oldest QEMU (newest machine type all of them run: {ground.newest_machine or '?'}), "
            "or it cannot migrate to that host",
        )


# --- this host (zwizard.host) -------------------------------------------------------------


def _host(a: Answers, plan: Plan, host: HostInfo, out: _Collector, target: bool) -> None:
    """What this host lacks for the guest: its CPU, limits and Secure Execution, then
    each device kind's own host rules."""
    checked(_this_host, out, a, plan, host, out, target)
    judge = HostJudge(out, target)
    for kind in KINDS:
        if kind.check_host is not None:
            checked(kind.check_host, out, a, host, judge)


@reports("host-cpu-mode", "host-cpu-model", "host-cpus", "host-se", "host-vcpus")
def _this_host(a: Answers, plan: Plan, host: HostInfo, out: _Collector, target: bool) -> None:
    report = out.error if target else out.warn
    other = "" if target else " (fine if the guest is meant for another host)"
    if host.has_domcaps:
        mode = plan.cpu_mode
        if mode and mode in host.cpu_modes and not host.cpu_modes[mode]:
            report(
                "host-cpu-mode", "cpu.mode", f"this host's libvirt does not support {mode}{other}"
            )
        model = a.cpu.model
        if mode == "custom" and model and model in CPU_MODELS and model not in host.cpu_usable:
            usable = ", ".join(host.cpu_usable[-4:]) or "none"
            report(
                "host-cpu-model",
                "cpu.model",
                f"this host cannot run CPU model {model} (usable here: … {usable}){other}",
            )
        if a.secure_execution.enabled and not host.s390_pv:
            report(
                "host-se",
                "secure_execution.enabled",
                f"this host does not support Secure Execution (no s390-pv in its domain "
                f"capabilities: needs z15 or newer and prot_virt=1){other}",
            )
        if host.vcpu_max and isinstance(a.guest.vcpus, int) and a.guest.vcpus > host.vcpu_max:
            report("host-vcpus", "guest.vcpus", f"this host allows at most {host.vcpu_max} vCPUs")
    if host.cpus_online is not None:
        from zwizard.host import cpu_list

        pins = [(f"cpu.pinning.{k}", v) for k, v in a.cpu.pinning.items()]
        pins += [("cpu.emulator_pinning", a.cpu.emulator_pinning)] if a.cpu.emulator_pinning else []
        for path, cpuset in pins:
            cpus = cpu_list(cpuset) if CPUSET.fullmatch(cpuset) else None
            offline = sorted(cpus - host.cpus_online) if cpus is not None else []
            if offline:
                report(
                    "host-cpus",
                    path,
                    f"host CPUs {', '.join(map(str, offline))} are not online here (online: "
                    f"{len(host.cpus_online)} CPUs); libvirt fails at start",
                )
