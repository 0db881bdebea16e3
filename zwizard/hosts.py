"""Many KVM hosts: probe them in parallel through libvirt and find their common ground.

A guest meant to run on, or migrate between, several hosts may use only what every
one of them can run. The seed's migration rule — the oldest host's CPU model, or
host-model for moving to later machines — needs every host's capabilities at hand:
`discover_all` reads them (each host with its own timeout, all at once, so eight take
about as long as the slowest), and `common_ground` computes from their domain
capabilities what libvirt's `hypervisor-cpu-baseline` would be asked for: the newest
CPU model QEMU reports usable on every host (QEMU orders its IBM Z models by
generation, oldest first, and a newer model includes the older's facilities), and the
newest versioned machine type every host's QEMU offers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from zwizard.host import HostInfo, Runner, discover, machine_version
from zwizard.structure import field, record


def discover_all(
    uris: list[str],
    domain_type: str = "kvm",
    runner_for: Callable[[str], Runner] | None = None,
) -> list[HostInfo]:
    """Every host, read in parallel; an unreachable one comes back with reachable=False
    (each virsh call has its own timeout, so none can hold the others up for long).
    `runner_for` lets the benchmark and tests stand in for virsh."""

    def one(uri: str) -> HostInfo:
        run = runner_for(uri) if runner_for is not None else None
        return discover(domain_type, uri=uri, run=run)

    if len(uris) == 1:
        return [one(uris[0])]
    with ThreadPoolExecutor(max_workers=min(len(uris), 16)) as pool:
        return list(pool.map(one, uris))


@record
class CommonGround:
    """What every reachable host can run."""

    hosts: list[str] = field(default_factory=list)  # labels of the hosts it was computed on
    cpu_models: list[str] = field(default_factory=list)  # usable on all, oldest first
    machines: list[str] = field(default_factory=list)  # versioned machine types on all
    secure_execution: bool = False
    vcpu_max: int | None = None

    @property
    def newest_cpu(self) -> str | None:
        return self.cpu_models[-1] if self.cpu_models else None

    @property
    def newest_machine(self) -> str | None:
        return self.machines[-1] if self.machines else None


def common_ground(hosts: list[HostInfo]) -> CommonGround:
    from zwizard.cpu_models import CPU_MODELS

    known = [h for h in hosts if h.reachable and h.has_domcaps]
    ground = CommonGround(hosts=[h.label for h in known])
    if not known:
        return ground
    usable = set.intersection(*(set(h.cpu_usable) for h in known))
    ground.cpu_models = [m for m in CPU_MODELS if m in usable]
    machines = set.intersection(*(set(h.machines) for h in known))
    ground.machines = sorted(machines, key=machine_version)
    ground.secure_execution = all(h.s390_pv for h in known)
    limits = [h.vcpu_max for h in known if h.vcpu_max]
    ground.vcpu_max = min(limits) if limits else None
    return ground


def free_mdevs(host: HostInfo) -> list[str]:
    return [f"{m.uuid} ({m.kind})" for m in host.mdevs if not m.in_use_by]


def table(hosts: list[HostInfo]) -> list[str]:
    """One block per host, then the common ground: what `zwizard hosts` prints."""
    lines: list[str] = []
    for h in hosts:
        lines.append(f"{h.label}  ({h.uri})")
        if not h.reachable:
            lines += [f"  not reachable: {'; '.join(h.unavailable)}", ""]
            continue
        usable = h.cpu_usable
        models = ", ".join(usable[-6:]) if usable else "none read"
        rows = [
            ("host-model CPU", h.host_model or "(not read)"),
            ("usable CPU models", f"{len(usable)}: … {models}" if len(usable) > 6 else models),
            (
                "Secure Execution",
                "yes" if h.s390_pv else "no" if h.s390_pv is not None else "(not read)",
            ),
            ("max vCPUs", str(h.vcpu_max) if h.vcpu_max else "(not read)"),
            (
                "machine types",
                f"{h.machines[0]} … {h.machines[-1]}" if h.machines else "(not read)",
            ),
            ("s390-ccw-virtio is", h.canonical_machine or "(not read)"),
            ("libvirt", libvirt_shown(h)),
            ("QEMU", ".".join(map(str, h.qemu_version)) if h.qemu_version else "(not read)"),
            ("free mediated devices", ", ".join(free_mdevs(h)) or "none"),
        ]
        if h.caps_virt_type and h.caps_virt_type != h.domain_type:
            rows.insert(
                0, ("capabilities of", f"--virttype {h.caps_virt_type} (not {h.domain_type})")
            )
        rows += [
            (f"{model} blocked by", ", ".join(features))
            for model, features in list(h.cpu_blockers.items())[-6:]
        ]
        lines += [f"  {k:22} {v}" for k, v in rows]
        lines += [f"  note: {u}" for u in h.unavailable]
        lines.append("")
    ground = common_ground(hosts)
    if len(ground.hosts) > 1:
        lines.append(f"common to {', '.join(ground.hosts)}:")
        lines.append(
            f"  {'newest CPU model':22} {ground.newest_cpu or 'none'}"
            + (
                "  (cpu.mode = 'custom', cpu.model = it: the guest can migrate between them)"
                if ground.newest_cpu
                else ""
            )
        )
        lines.append(f"  {'newest machine type':22} {ground.newest_machine or 'none'}")
        se = "on every host" if ground.secure_execution else "not on every host"
        lines.append(f"  {'Secure Execution':22} {se}")
        if ground.vcpu_max:
            lines.append(f"  {'max vCPUs':22} {ground.vcpu_max}")
    unreachable = [h.label for h in hosts if not h.reachable]
    if unreachable:
        lines.append(f"not judged (unreachable): {', '.join(unreachable)}")
    return lines


def libvirt_shown(host: HostInfo) -> str:
    """'10.10.0' (the daemon's), or the client library's where the daemon's was not read."""
    if not host.libvirt_version:
        return "(not read)"
    version = ".".join(map(str, host.libvirt_version))
    return version if host.libvirt_from_daemon else f"{version} (virsh's library; daemon not read)"
