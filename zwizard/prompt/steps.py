"""The steps, in the full-screen wizard's order: each asks its part of the guest through
the Asker; a step the person leaves with Ctrl-C -> Back is asked again from its start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zwizard import choices
from zwizard.cpu_models import CPU_MODELS
from zwizard.devices import BY_KEY
from zwizard.inputs import HOSTNAME_FORM, hostname_ok
from zwizard.model import (
    AGENT_CHANNEL,
    Disk,
    Nic,
    NicSource,
    Passthrough,
    Watchdog,
)
from zwizard.prompt.asker import Asker
from zwizard.session import (
    can_add,
)
from zwizard.structure import lookup

# --- the steps (the full-screen wizard's, in its order) ---------------------------------


def step_guest(q: Asker) -> None:
    q.say("\n== Guest OS")
    q.text("guest.name", "Guest name:")
    q.choose("guest.os", "Operating system:", choices.OS)
    q.choose("guest.domain_type", "Runs on:", choices.DOMAIN_TYPES)
    g = q.answers.guest
    changed = (g.on_poweroff, g.on_reboot, g.on_crash) != ("destroy", "restart", "destroy")
    if q.confirm("More guest options (title, description; power-off, reboot, crash)?",
                 default=changed or bool(g.title or g.description)):  # fmt: skip
        q.text("guest.title", "Title (empty: none):", optional=True)
        for path, label in choices.LIFECYCLE_LABELS.items():
            actions = choices.CRASH_ACTIONS if path == "guest.on_crash" else choices.LIFECYCLE
            q.choose(path, f"libvirt's action {label}:", actions)
        q.text("guest.description", "Description (virsh desc; empty: none):", optional=True)
    if q.host is not None:
        q.say(f"  this host: {q.host.summary()}")
        other = q.confirm(
            "Is the guest for another host? (what this host lacks is then only a warning)",
            default=not q.session.host_is_target,
        )
        q.session.set_other_host(other)
    _target(q)


def _target(q: Asker) -> None:
    """The stack the guest is judged against: this host's versions when it is for this
    host (shown), else the `[target]` the user gives (empty: libvirt 9.0 / QEMU 7.2)."""
    s = q.session
    if q.host is not None and s.host_is_target:
        q.say(f"  version rules judged on {s.stack().describe()}")
        return
    asked = not s.host_is_target or q.confirm(
        "State the libvirt and QEMU of the host the guest is for (else 9.0 / 7.2)?",
        default=q.answers.target is not None,
    )
    if asked:
        for path, label in choices.TARGET_LABELS.items():
            q.text(path, f"{label}:", optional=True)
    q.say(f"  version rules judged on {s.stack().describe()}")


def step_cpu(q: Asker) -> None:
    q.say("\n== CPU & memory")
    q.text("guest.vcpus", "vCPUs:", kind="int")
    q.text("guest.memory_mib", "Memory (MiB):", kind="int")
    q.choose("cpu.mode", "CPU mode:", choices.CPU_MODES)
    if q.answers.cpu.mode == "custom":
        usable = q.host.cpu_usable if q.host is not None and q.host.has_domcaps else None
        models = [(m, m if usable is None or m in usable else f"{m} (not usable here)")
                  for m in reversed(CPU_MODELS)]  # fmt: skip
        q.choose("cpu.model", "CPU model:", models)
    plan = q.session.result.plan
    q.toggle("memory.hugepages", "Back memory with host huge pages?")
    q.toggle("memory.balloon", "Memory balloon (virtio)?", effective=plan.balloon)
    q.toggle("rng.enabled", "Random number generator (virtio-rng)?", effective=plan.rng)
    for label, path in (("Memory hot-plug", "memory.hotplug"), ("NUMA topology", "cpu.numa"),
                        ("SMBIOS system information", "guest.smbios")):  # fmt: skip
        q.greyed(label, path)
    if q.confirm("More CPU and memory options (vCPUs at start, topology, KSM, locking, "
                 "balloon)?", default=False):  # fmt: skip
        q.text("guest.vcpus_current", "vCPUs online at start (empty: all):", kind="int",
               optional=True)  # fmt: skip
        q.text("cpu.sockets", "Sockets (empty: one per vCPU):", kind="int", optional=True)
        q.text("cpu.cores", "Cores per socket (empty: 1):", kind="int", optional=True)
        q.text("cpu.features", "CPU features (name=policy …; empty: none):",
               kind="mapping", optional=True)  # fmt: skip
        q.text("cpu.pinning", "vCPU pinning (vCPU=host CPUs …; empty: none):", kind="mapping",
               optional=True)  # fmt: skip
        q.text("cpu.emulator_pinning", "QEMU's threads on host CPUs (empty: any):",
               optional=True)  # fmt: skip
        q.text("guest.iothreads", "I/O threads (disks name one; empty: none):", kind="int",
               optional=True)  # fmt: skip
        q.text("cpu.iothread_pinning", "I/O threads on host CPUs (thread=CPUs …; empty: any):",
               kind="mapping", optional=True)  # fmt: skip
        path, label = choices.DEPRECATED_FEATURES_FIELD
        q.choose(path, f"{label}:", choices.DEPRECATED_FEATURES)
        for key, what in (("hard_limit_mib", "hard limit"), ("soft_limit_mib", "soft limit"),
                          ("swap_hard_limit_mib", "memory+swap limit")):  # fmt: skip
            q.text(f"memory.{key}", f"memtune {what} in MiB (empty: none):", kind="int",
                   optional=True)  # fmt: skip
        q.toggle("memory.nosharepages", "Keep KSM from sharing its pages?")
        q.toggle("memory.locked", "Lock memory in host RAM (never swapped)?")
        if q.session.result.plan.balloon:
            q.toggle("memory.balloon_autodeflate", "Balloon gives memory back on OOM?")
            q.text("memory.balloon_stats_period", "Balloon statistics every … s (empty: off):",
                   kind="int", optional=True)  # fmt: skip


def _unfinished(q: Asker, key: str, what: Callable[[int], str]) -> None:
    """List entries a stopped session left half-filled: shown, and finished or removed."""
    for i in reversed(range(len(getattr(q.answers, key)))):
        open_ = [p for p in q.session.missing() if p.startswith(f"{key}[{i}]")]
        if not open_:
            continue
        q.say(f"  {key}[{i}] ({what(i)}) is not finished: {', '.join(open_)}")
        if q.confirm(f"Finish {key}[{i}] now? (no: remove it)", default=True):
            _finish(q, key, i)
        else:
            q.session.remove_device(key, i)


def _finish(q: Asker, key: str, i: int) -> None:
    if key == "disks":
        q.text(f"disks[{i}].path", "Path:")
    elif key == "nics":
        _nic_source(q, i)
    elif key == "shares":
        for f in BY_KEY["shares"].options:
            q.text(f"shares[{i}].{f.key}", f"{f.label}:")
    else:
        _fields(q, key, i, required_only=True)


def _fields(q: Asker, key: str, i: int, *, required_only: bool = False) -> None:
    """The fields a device kind declares for each entry (Kind.fields), in their order,
    with what this host has for them: the declarations the full-screen wizard shows in
    the entry's form."""
    item = getattr(q.answers, key)[i]
    for f in BY_KEY[key].fields:
        if not f.applies(item) or (required_only and not f.required):
            continue
        path = f"{key}[{i}].{f.key}"
        if f.probe is not None and lookup(q.answers, path) is None:
            verdict = q.allowed(path, f.probe(q.answers))
            if not verdict.allowed:  # as the wizard greys the field, with the reason
                q.notes([f"{f.label}: greyed — {verdict.reason} [{verdict.rule}]"])
                continue
        if f.offer is not None and q.host is not None:
            q.on_host(f.offer(q.answers, q.host, item))
        if f.choices:
            q.choose(path, f"{_question(f)}:", list(f.choices))
        elif f.key == "boot_order":
            q.boot_position(path, f"{_question(f)}:")
        else:
            kind = f.text.removeprefix("optional-")
            q.text(path, f"{_question(f)}:", kind=kind, optional=not f.required)


def _question(f: Any) -> str:
    """A declared field as a question: its label, capitalised (not a term written in
    lower case: ccw, loadparm), with where to look."""
    first = f.label.split(" ", 1)[0]
    text = f.label if first in ("ccw", "loadparm", "zPCI") else f.label[:1].upper() + f.label[1:]
    return f"{text} ({f.help})" if f.help else text


def step_disks(q: Asker) -> None:
    q.say("\n== Disks & boot order")
    _unfinished(q, "disks", lambda i: q.answers.disks[i].device)
    for i, d in enumerate(q.answers.disks):
        q.say(f"  disks[{i}]: {d.device} {d.path}")
    while q.confirm("Add a disk?", default=not q.answers.disks):
        kind = q.select("Kind:", ["disk", "cdrom", "lun", "volume"])
        disk = {
            "lun": Disk(path="", device="lun", kind="block"),  # a SCSI LUN: a block device
            "volume": Disk(path="", kind="volume"),
        }.get(kind) or Disk(path="", device=kind)
        i = q.session.add_device("disks", disk)
        q.text(f"disks[{i}].path", "Storage volume (POOL/VOLUME):" if kind == "volume" else "Path:")
        _fields(q, "disks", i)
        # the wizard's boot sequence, asked per disk: a position taken moves the rest
        q.boot_position(f"disks[{i}].boot_order",
                        "Boot order (1 boots first; empty: does not boot):")  # fmt: skip
        _options(q, "disks", i)
    _boot_sequence(q)
    _kernel(q)


def _options(q: Asker, key: str, i: int) -> None:
    """The options a device kind declares (Kind.options), behind one question: the same
    declarations the full-screen wizard shows under the entry's form."""
    kind = BY_KEY[key]
    if not kind.options or not q.confirm(f"{kind.options_title}?", default=False):
        return
    item = getattr(q.answers, key)[i]
    for f in kind.options:
        if not f.applies(item):
            continue
        path = f"{key}[{i}].{f.key}"
        if f.key == "iothread" and not q.answers.guest.iothreads:
            # a disk's I/O thread is one of the guest's: ask for those first
            q.text("guest.iothreads", "I/O threads of the guest (empty: none):", kind="int",
                   optional=True)  # fmt: skip
        if f.choices:
            q.choose(path, f"{f.label}:", list(f.choices))
        else:
            q.text(path, f"{f.label}:", kind=f.text.removeprefix("optional-"), optional=True)


def _kernel(q: Asker) -> None:
    """Direct kernel boot: QEMU starts a host kernel instead of IPLing a device."""
    if not q.confirm("Boot a kernel directly (instead of IPL from a device)?",
                     default=q.answers.kernel is not None):  # fmt: skip
        q.session.set_value("kernel", None)
        return
    q.text("kernel.path", "Kernel (a host path):")
    q.text("kernel.initrd", "initrd (a host path; empty: none):", optional=True)
    q.text("kernel.cmdline", "Kernel command line (empty: none):", optional=True)


def _shares(q: Asker) -> None:
    """Host directories over virtiofs: the fields the share kind declares."""
    from zwizard.model import Share

    _unfinished(q, "shares", lambda i: "share")
    for i, s in enumerate(q.answers.shares):
        q.say(f"  shares[{i}]: {s.tag} <- {s.source}")
    while q.confirm("Share a host directory with the guest (virtiofs)?", default=False):
        i = q.session.add_device("shares", Share())
        for f in BY_KEY["shares"].options:
            q.text(f"shares[{i}].{f.key}", f"{f.label}:")
        _fields(q, "shares", i)  # read-only: greyed, with the versions, where not possible


def _keywrap(q: Asker) -> None:
    if q.confirm("Change CPACF protected-key wrapping (default: AES and DEA on)?", default=False):
        q.toggle("keywrap.aes", "AES key wrapping?", effective=True)
        q.toggle("keywrap.dea", "DEA/TDEA key wrapping?", effective=True)


def _boot_sequence(q: Asker) -> None:
    plan = q.session.result.plan
    seq = sorted(plan.boot, key=plan.boot.__getitem__)
    if seq:
        q.say("  boot sequence: " + ", ".join(f"{n}. {p}" for n, p in enumerate(seq, 1)))


def _nic_source(q: Asker, i: int) -> None:
    kind = q.select("Connect to:", ["network", "bridge", "direct"])
    for other in ("network", "bridge", "direct"):
        if other != kind:
            q.session.set_value(f"nics[{i}].source.{other}", None)
    if q.host is not None:
        h = q.host
        q.on_host(
            [(n.name, "active" if n.active else "inactive") for n in h.networks or []]
            if kind == "network"
            else [(f.name, "") for f in h.interfaces if f.bridge == (kind == "bridge")]
        )
    q.text(f"nics[{i}].source.{kind}", f"{kind} name:")
    if kind == "direct":
        from zwizard.devices.nic import SOURCE_MODES

        q.choose(f"nics[{i}].source.mode", "macvtap mode:", list(SOURCE_MODES))


def step_network(q: Asker) -> None:
    q.say("\n== Network (virtio-net-ccw)")
    q.greyed("virtual PCI NIC", "virtio-pci")
    _unfinished(q, "nics", lambda i: "network interface")
    while q.confirm("Add a network interface?", default=not q.answers.nics):
        i = q.session.add_device("nics", Nic(source=NicSource()))
        _nic_source(q, i)
        _fields(q, "nics", i)
        _options(q, "nics", i)
    _boot_sequence(q)


def step_watchdog(q: Asker) -> None:
    q.say("\n== Watchdog & agent")
    on = q.confirm("diag288 watchdog?", default=q.answers.watchdog is not None)
    q.session.set_value("watchdog", (q.answers.watchdog or Watchdog()) if on else None)
    if on:
        actions = [(a, a) for a in choices.WATCHDOG_ACTIONS]
        q.choose("watchdog.action", "When the guest stops feeding it:", actions)
    agent = any(c.name == AGENT_CHANNEL for c in q.answers.channels)
    q.session.set_agent(q.confirm("QEMU guest agent channel (virtio-serial)?", default=agent))
    con = q.answers.console
    more = bool(con.log or con.line_mode or con.virtio or q.answers.graphics.vnc)
    if q.confirm("Console options (log file, line-mode and virtio consoles, VNC)?", default=more):
        q.text("console.log", "Also log to (a host file; empty: no log):",
               optional=True)  # fmt: skip
        if q.answers.console.log:
            q.toggle("console.log_append", "Append to the log file?")
        q.toggle(
            "console.line_mode", "Line-mode console too (sclplm, virsh console GUEST console1)?"
        )
        q.toggle("console.virtio", "Virtio console too (hvc0 in the guest)?")
        q.toggle("graphics.vnc", "VNC display (virtio-gpu-ccw, keyboard, mouse)?")
        if q.answers.graphics.vnc:
            q.text("graphics.listen", "VNC listens on:")


def step_passthrough(q: Asker) -> None:
    from questionary import Choice

    q.say("\n== Passthrough")
    _unfinished(q, "passthrough", lambda i: q.answers.passthrough[i].type)
    while True:
        offered, notes = [], []
        for kind, title in choices.PASSTHROUGH:
            verdict = can_add(q.answers, "passthrough", Passthrough(type=kind), q.host,
                              q.session.host_is_target)  # fmt: skip
            if not verdict.allowed:
                notes.append(f"add {title} — greyed: {verdict.reason} [{verdict.rule}]")
            offered.append(Choice(f"add {title}", value=kind,
                                  disabled=None if verdict.allowed else "greyed"))  # fmt: skip
        offered.append(Choice("done", value="done"))
        q.notes(notes)
        kind = q.select("Host devices:", offered, default=offered[-1])
        if kind == "done":
            _shares(q)
            _keywrap(q)
            return
        i = q.session.add_device("passthrough", Passthrough(type=kind))
        _fields(q, "passthrough", i)


def step_secure(q: Asker) -> None:
    q.say("\n== Secure Execution")
    s = q.session
    if s.answers.secure_execution.enabled:
        q.toggle("secure_execution.enabled", "Run as a secure guest (s390-pv)?")
        return
    removals = s.secure_execution_removals()
    if not q.confirm("Run as a secure guest (s390-pv)?", default=False,
                     key="secure_execution.enabled"):  # fmt: skip
        return
    if removals:
        q.say("  Turning Secure Execution on removes:")
        for what in removals:
            q.say(f"    ✗ {what}")
        if not q.confirm("Remove these and turn it on?", default=False):
            return
    removed = s.enable_secure_execution()
    for what in removed:
        q.say(f"  removed {what}")
    for f in s.result.findings:
        if f.rule == "host-se":
            q.say(f"  ! {f.message} [{f.rule}]")
    q.say("  the secure boot image (zwizard prepare writes its script; blank-separated paths):")
    for key, what in (("host_key_documents", "host-key documents (HKD-*.crt)"),
                      ("certificates", "signing key and CA certificates"),
                      ("crls", "revocation lists (CRLs)")):  # fmt: skip
        q.text(f"secure_execution.{key}", f"{what}:", kind="str-list", optional=True)
    q.text("secure_execution.image", "the secure image, in the guest:")
    q.toggle("secure_execution.no_verify", "Skip verifying the host-key documents (tests only)?")


def step_pxe(q: Asker) -> None:
    q.say("\n== PXE")
    q.toggle("pxe.enabled", "Write pxelinux.cfg/default (and 01-<mac>) for a network install?")
    if not q.answers.pxe.enabled:
        return
    if q.session.result.plan.boot_nic() is None and q.answers.nics:
        q.say("  no network interface boots yet: nics[0] now boots first, to install")
        q.session.boot_first("nics[0]")
    q.text("pxe.kernel", "kernel, relative to the TFTP root:")
    q.text("pxe.initrd", "initrd (relative to the TFTP root):")
    q.text("pxe.repo", "installation source (inst.repo=; http://…, nfs:server:/path, hmc …):",
           optional=True)  # fmt: skip
    q.text("pxe.kickstart", "kickstart (inst.ks=; empty: none):", optional=True)
    q.choose("pxe.ip", "Address:", [("dhcp", "DHCP"), ("static", "static")])
    if q.answers.pxe.ip == "static":
        q.text("pxe.address", "static address (IPv4: a /prefix gives the netmask; IPv6: /64):")
        if "/" not in (q.answers.pxe.address or ""):
            q.text("pxe.netmask", "netmask:")
        q.text("pxe.gateway", "gateway:")
    name = q.answers.guest.name
    if q.answers.pxe.ip == "static" and not hostname_ok(name):  # the default will not do
        q.text("pxe.hostname", f"host name the installer sets (not '{name}': {HOSTNAME_FORM}):")
    else:
        q.text("pxe.hostname", "host name the installer sets (empty: the guest's name if static):",
               optional=True)  # fmt: skip
    q.text("pxe.interface", "guest interface (empty: enc<devno> of the installing NIC):",
           optional=True)  # fmt: skip
    q.text("pxe.nameserver", "name servers (blank- or comma-separated; empty: none):",
           kind="addr-list", optional=True)  # fmt: skip
    q.text("pxe.extra_args", "more kernel arguments (empty: none):", optional=True)
    x = q.answers.pxe
    moved = (x.tftp_root, x.label, x.write_default, x.per_mac) != (
        "/var/lib/tftpboot", "linux", True, True)  # fmt: skip
    if q.confirm("More PXE options (TFTP root, label, which files)?", default=moved):
        q.text("pxe.tftp_root", "the install server's TFTP root:")
        q.text("pxe.label", "label in the pxelinux file:")
        q.toggle("pxe.write_default", "Write pxelinux.cfg/default?")
        q.toggle("pxe.per_mac", "Write pxelinux.cfg/01-<mac> of the installing NIC?")


STEPS = (step_guest, step_cpu, step_disks, step_network, step_watchdog, step_passthrough,
         step_secure, step_pxe)  # fmt: skip
STEP_NAMES = ("guest", "cpu", "disks", "network", "watchdog", "passthrough", "secure", "pxe",
              "review")  # fmt: skip
