"""The steps, in the full-screen wizard's order: each asks its part of the guest through
the Asker; a step the person leaves with Ctrl-C -> Back is asked again from its start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zwizard.devices import BY_KEY
from zwizard.model import (
    AGENT_CHANNEL,
    Watchdog,
)
from zwizard.prompt.asker import Asker
from zwizard.questions import question
from zwizard.session import (
    boot_sequence,
    can_add,
    cpu_model_offers,
    secure_execution_blockers,
)
from zwizard.structure import lookup

# --- the steps (the full-screen wizard's, in its order) ---------------------------------


def step_guest(q: Asker) -> None:
    q.say("\n== Guest OS")
    q.text("guest.name")
    q.choose("guest.os")
    q.choose("guest.domain_type")
    g = q.answers.guest
    changed = (g.on_poweroff, g.on_reboot, g.on_crash) != ("destroy", "restart", "destroy")
    q.group("guest", default=changed or bool(g.title or g.description))
    if q.host is not None:
        q.say(f"  this host: {q.host.summary()}")
        other = q.confirm(
            "Is the guest for another host (what this host lacks is then only a warning)?",
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
        q.text("target.libvirt")
        q.text("target.qemu")
    q.say(f"  version rules judged on {s.stack().describe()}")


def step_cpu(q: Asker) -> None:
    q.say("\n== CPU & memory")
    q.text("guest.vcpus")
    q.text("guest.memory_mib")
    q.choose("cpu.mode")
    if q.answers.cpu.mode == "custom":
        q.choose("cpu.model", options=cpu_model_offers(q.host))
    plan = q.session.result.plan
    q.toggle("memory.hugepages")
    q.toggle("memory.balloon", effective=plan.balloon)
    q.toggle("rng.enabled", effective=plan.rng)
    for path in ("memory.hotplug", "cpu.numa", "guest.smbios"):
        q.greyed(path)
    # the balloon's options only where there is a balloon
    balloon = ("memory.balloon_autodeflate", "memory.balloon_stats_period")
    q.group("cpu", skip=lambda path: path in balloon and not q.session.result.plan.balloon)


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
    text = (
        f.label
        if first in ("ccw", "loadparm", "zPCI", "libvirt")
        else f.label[:1].upper() + f.label[1:]
    )
    return f"{text} ({f.help})" if f.help else text


def step_disks(q: Asker) -> None:
    q.say("\n== Disks & boot order")
    _unfinished(q, "disks", lambda i: q.answers.disks[i].device)
    for i, d in enumerate(q.answers.disks):
        q.say(f"  disks[{i}]: {d.device} {d.path}")
    from questionary import Choice

    while q.confirm("Add a disk?", default=not q.answers.disks):
        adds = BY_KEY["disks"].adds
        pick = q.select("Kind:", [Choice(word, value=n) for n, (word, _) in enumerate(adds)])
        i = q.session.add_device("disks", adds[pick][1]())
        volume = q.answers.disks[i].kind == "volume"
        q.text(f"disks[{i}].path", "Storage volume (POOL/VOLUME):" if volume else "Path:")
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
            q.text("guest.iothreads")
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
    for key in ("path", "initrd", "cmdline"):
        q.text(f"kernel.{key}")


def _shares(q: Asker) -> None:
    """Host directories over virtiofs: the fields the share kind declares."""
    _unfinished(q, "shares", lambda i: "share")
    for i, s in enumerate(q.answers.shares):
        q.say(f"  shares[{i}]: {s.tag} <- {s.source}")
    while q.confirm("Share a host directory with the guest (virtiofs)?", default=False):
        i = q.session.add_device("shares", BY_KEY["shares"].adds[0][1]())
        for f in BY_KEY["shares"].options:
            q.text(f"shares[{i}].{f.key}", f"{f.label}:")
        _fields(q, "shares", i)  # read-only: greyed, with the versions, where not possible


def _keywrap(q: Asker) -> None:
    if q.confirm("Change CPACF protected-key wrapping (default: AES and DEA on)?", default=False):
        q.toggle("keywrap.aes", effective=True)
        q.toggle("keywrap.dea", effective=True)


def _boot_sequence(q: Asker) -> None:
    named = boot_sequence(q.answers, q.session.result.plan)
    if named:
        q.say("  boot sequence: " + ", ".join(f"{n}. {w}" for n, (_, w) in enumerate(named, 1)))


def _nic_source(q: Asker, i: int) -> None:
    kind = q.select("Connect to:", ["network", "bridge", "direct"])
    for other in ("network", "bridge", "direct"):
        if other != kind:
            q.session.set_value(f"nics[{i}].source.{other}", None)
    # the source's declared fields (Kind.source), as the wizard's form shows them
    source = {f.key: f for f in BY_KEY["nics"].source}
    field = source[f"source.{kind}"]
    if field.offer is not None and q.host is not None:
        q.on_host(field.offer(q.answers, q.host, q.answers.nics[i]))
    q.text(f"nics[{i}].{field.key}", f"{_question(field)}:")
    if kind == "direct":
        mode = source["source.mode"]
        q.choose(f"nics[{i}].{mode.key}", f"{_question(mode)}:", list(mode.choices))


def step_network(q: Asker) -> None:
    q.say("\n== Network (virtio-net-ccw)")
    q.greyed("virtio-pci")
    _unfinished(q, "nics", lambda i: "network interface")
    while q.confirm("Add a network interface?", default=not q.answers.nics):
        ((_, blank),) = BY_KEY["nics"].adds
        i = q.session.add_device("nics", blank())
        _nic_source(q, i)
        _fields(q, "nics", i)
        _options(q, "nics", i)
    _boot_sequence(q)


def step_watchdog(q: Asker) -> None:
    q.say("\n== Watchdog & agent")
    on = q.confirm("diag288 watchdog?", default=q.answers.watchdog is not None)
    q.session.set_value("watchdog", (q.answers.watchdog or Watchdog()) if on else None)
    if on:
        q.choose("watchdog.action")
    agent = any(c.name == AGENT_CHANNEL for c in q.answers.channels)
    q.session.set_agent(q.confirm("QEMU guest agent channel (virtio-serial)?", default=agent))
    con = q.answers.console
    more = bool(con.log or con.line_mode or con.virtio or q.answers.graphics.vnc)
    # appending to a log only with a log, a listen address only with a display
    needs = {"console.log_append": "console.log", "graphics.listen": "graphics.vnc"}
    q.group("console", default=more,
            skip=lambda path: path in needs and not lookup(q.answers, needs[path]))  # fmt: skip


def step_passthrough(q: Asker) -> None:
    from questionary import Choice

    q.say("\n== Passthrough")
    _unfinished(q, "passthrough", lambda i: q.answers.passthrough[i].type)
    while True:
        offered: list[Any] = []
        notes: list[str] = []
        blanks: list[Any] = []
        for title, blank in BY_KEY["passthrough"].adds:
            item = blank()
            verdict = can_add(q.answers, "passthrough", item, q.host, q.session.host_is_target)
            if not verdict.allowed:
                notes.append(f"add {title} — greyed: {verdict.reason} [{verdict.rule}]")
            offered.append(Choice(f"add {title}", value=len(blanks),
                                  disabled=None if verdict.allowed else "greyed"))  # fmt: skip
            blanks.append(item)
        offered.append(Choice("done", value="done"))
        q.notes(notes)
        pick = q.select("Host devices:", offered, default=offered[-1])
        if pick == "done":
            _shares(q)
            _keywrap(q)
            return
        i = q.session.add_device("passthrough", blanks[pick])
        _fields(q, "passthrough", i)


def step_secure(q: Asker) -> None:
    q.say("\n== Secure Execution")
    s = q.session
    if s.answers.secure_execution.enabled:
        q.toggle("secure_execution.enabled")
        back, s.given_back = s.given_back, []
        for what in back:  # what turning it on had removed
            q.say(f"  back: {what}")
        return
    removals = s.secure_execution_removals()
    verdict = q.allowed("secure_execution.enabled", True)
    cannot = secure_execution_blockers(verdict, removals) if not verdict.allowed else []
    if cannot:  # what removing cannot help (emulation): greyed, as in the wizard
        q.greyed("secure_execution.enabled", cannot[0])
        return
    if not q.confirm(question("secure_execution.enabled").asked("?"), default=False,
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
    for key in ("host_key_documents", "certificates", "crls", "image"):
        q.text(f"secure_execution.{key}")
    q.toggle("secure_execution.no_verify")


def step_pxe(q: Asker) -> None:
    q.say("\n== PXE")
    q.toggle("pxe.enabled")
    if not q.answers.pxe.enabled:
        return
    if q.session.install_from_first_nic():
        q.say("  no network interface booted: nics[0] now boots first, to install")
    for key in ("kernel", "initrd", "repo", "kickstart"):
        q.text(f"pxe.{key}")
    q.choose("pxe.ip")
    if q.answers.pxe.ip == "static":
        q.text("pxe.address")
        if "/" not in (q.answers.pxe.address or ""):
            q.text("pxe.netmask")
        q.text("pxe.gateway")
    needed = q.session.hostname_needed()  # the default (the guest's name) will not do
    if needed is not None:
        q.text("pxe.hostname", f"{question('pxe.hostname').label} ({needed}):", optional=False)
    else:
        q.text("pxe.hostname")
    for key in ("interface", "nameserver", "extra_args"):
        q.text(f"pxe.{key}")
    x = q.answers.pxe
    moved = (x.tftp_root, x.label, x.write_default, x.per_mac) != (
        "/var/lib/tftpboot", "linux", True, True)  # fmt: skip
    q.group("pxe", default=moved)


STEPS = (step_guest, step_cpu, step_disks, step_network, step_watchdog, step_passthrough,
         step_secure, step_pxe)  # fmt: skip
STEP_NAMES = ("guest", "cpu", "disks", "network", "watchdog", "passthrough", "secure", "pxe",
              "review")  # fmt: skip
