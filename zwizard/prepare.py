"""Host preparation: what must be true on the KVM host before the guest can start.

From the answers and what host discovery read, `prepare` lists the steps — freeing
AP queues and building the matrix device, handing a DASD's subchannel to vfio_ccw,
PCI functions, the Secure Execution preflight and image, the install server and the
boot plan — and refuses, as findings, every step that would fail on this host.
`script` turns the steps into one readable shell script: checks first, then each
step guarded by a test of whether its work is already done (so a second run changes
nothing), `--dry-run` to list without changing. The sources of every step are in
docs/rules.md, section 11. No UI imports here: the wizard's Review step and
`zwizard prepare` show the same steps.
"""

from __future__ import annotations

import functools
import ipaddress
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING

from zwizard.findings import Collector, Finding
from zwizard.structure import field, record

if TYPE_CHECKING:
    from zwizard.host import HostInfo
    from zwizard.model import Answers, Passthrough
    from zwizard.plan import Plan

Report = Callable[[str, str, str], None]  # rule, path, message: an error or a warning
# QEMU tries the next boot device when one fails from 9.2 on (docs/rules.md, section 2)
BOOT_FALLBACK_QEMU = (9, 2)  # and libvirt 10.10: zwizard.stack_versions, row boot-fallback
# the zcrypt drivers that own a queue the host uses (drivers/s390/crypto)
ZCRYPT_DRIVERS = ("cex4queue", "cex2aqueue", "cex2cqueue")


@record
class Check:
    """A condition the host must meet before anything changes, and its exact fix."""

    test: str  # shell condition
    fix: str
    what: str = ""  # what holds when it passes, for the listing


@record
class Step:
    """One change (or, `manual`, one thing only the administrator can do)."""

    section: str
    title: str
    why: str
    done_when: str | None = None  # shell condition: true once the work is there
    commands: list[str] = field(default_factory=list)  # shell lines, quoted
    manual: bool = False
    note: bool = False  # only information: nothing to do


@record
class Preparation:
    guest: str
    checks: list[Check] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    setup: list[str] = field(default_factory=list)  # shell lines run after the checks
    extra_files: dict[str, str] = field(default_factory=dict)  # beside the script
    # (rule, path) of host findings a step here makes moot: the mdev it creates, the
    # network it defines
    resolves: set[tuple[str, str]] = field(default_factory=set)

    @property
    def script_name(self) -> str:
        return f"{self.guest}.prepare.sh"

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def host_findings(prep: Preparation, findings: list[Finding]) -> list[Finding]:
    """The guest's own host findings as `zwizard prepare` shows them: those a step here
    makes moot go, the rest become warnings — they are for the guest's start, not for
    this script (the answers mode with --host-check refuses them)."""
    out = []
    for f in findings:
        if (f.rule, f.path) in prep.resolves:
            continue
        if f.rule.startswith("host-") and f.severity == "error":
            f = Finding(f.rule, "warning", f.path, f.message + " (needed before the guest starts)")
        out.append(f)
    return out


def q(*words: str) -> str:
    return " ".join(shlex.quote(w) for w in words)


def prepare(
    answers: Answers, plan: Plan, host: HostInfo | None, host_is_target: bool = True
) -> Preparation:
    prep = Preparation(answers.guest.name)
    out = Collector()
    judge = out.error if host_is_target and host is not None else out.warn
    for i, dev in enumerate(answers.passthrough):
        path = f"passthrough[{i}]"
        if dev.type == "vfio-ap":
            _vfio_ap(prep, answers, dev, path, host, judge, out)
        elif dev.type == "vfio-ccw":
            _vfio_ccw(prep, dev, path, i, host, judge, out)
        elif dev.type == "pci":
            _pci(prep, dev, path, plan, host)
    if answers.secure_execution.enabled:
        _secure_execution(prep, answers, host, judge, out)
    if answers.pxe.enabled:
        _install_server(prep, answers, plan, host, out)
    _boot_plan(prep, answers, plan, host)
    prep.findings = out.findings
    return prep


# --- vfio-ap -----------------------------------------------------------------------------


def _vfio_ap(
    prep: Preparation,
    answers: Answers,
    dev: Passthrough,
    path: str,
    host: HostInfo | None,
    judge: Report,
    out: Collector,
) -> None:
    uuid = (dev.uuid or "").lower()
    queues = sorted({f"{a:02x}.{d:04x}" for a in dev.adapters for d in dev.domains})
    existing = host.ap.matrix.get(uuid) if host is not None else None
    if not queues:
        need = (
            "give the adapters and domains of the matrix device (lszcrypt lists them), "
            f"so that zwizard prepare can create mediated device {uuid or '(no uuid)'}"
        )
        if existing is None and not uuid:
            out.error("prepare-ap", f"{path}.adapters", need)
        elif existing is None:
            if host is not None:
                judge("prepare-ap", f"{path}.adapters", f"no such device on this host: {need}")
            _used_as_it_is(prep, "vfio-ap", uuid, "its adapters and domains (lszcrypt)")
        else:
            prep.steps.append(
                Step(
                    "vfio-ap",
                    f"mediated device {uuid} exists with queues {', '.join(sorted(existing))}",
                    "no adapters or domains were given, so it is used as it is",
                    manual=True,
                    note=True,
                )
            )
        return
    if host is not None:
        for other, held in sorted(host.ap.matrix.items()):
            taken = sorted(set(queues) & held)
            if other != uuid and taken:
                owner = host.used_by.get(other)
                who = f" (guest {owner})" if owner else ""
                judge(
                    "host-ap-queue",
                    f"{path}.domains",
                    f"AP queue(s) {', '.join(taken)} already belong to matrix device "
                    f"{other}{who}; one queue can be in one matrix only (the vfio_ap driver "
                    "refuses the assignment)",
                )
        if existing is not None and existing != set(queues):
            out.warn(
                "prepare-ap",
                f"{path}.uuid",
                f"mediated device {uuid} is already defined with queues "
                f"{', '.join(sorted(existing)) or 'none'}; the script leaves it as it is "
                f"(mdevctl undefine --uuid {uuid} first to redefine it)",
            )
        if host.sysfs and not host.ap.bus:
            judge(
                "host-ap-queue",
                f"{path}.adapters",
                "this host has no AP bus (/sys/bus/ap): no crypto adapters to pass through",
            )
        elif host.ap.bus:
            absent = [x for x in queues if x not in host.ap.queues]
            if absent:
                judge(
                    "host-ap-queue",
                    f"{path}.adapters",
                    f"AP queue(s) {', '.join(absent)} do not exist on this host (lszcrypt)",
                )
            leaving = sorted(
                f"{apqn} ({drv})"
                for apqn, drv in host.ap.queues.items()
                if drv in ZCRYPT_DRIVERS
                and (int(apqn[:2], 16) in dev.adapters or int(apqn[3:], 16) in dev.domains)
            )
            if leaving:
                out.warn(
                    "host-ap-queue",
                    f"{path}.adapters",
                    "the host's zcrypt driver uses these queues now and loses them: "
                    + ", ".join(leaving),
                )
    prep.resolves.add(("host-mdev", f"{path}.uuid"))
    adapters = ",".join(f"-{a}" for a in dev.adapters)
    domains = ",".join(f"-{d}" for d in dev.domains)
    prep.checks += [
        Check("[ -d /sys/bus/ap ]", "no AP bus here: not an IBM Z host, or modprobe ap", "AP bus"),
        Check("command -v chzdev", "install s390-tools (chzdev)", "chzdev"),
        Check("command -v mdevctl", "install mdevctl", "mdevctl"),
    ]
    prep.checks += [
        Check(
            f"[ -e /sys/bus/ap/devices/{apqn} ]",
            f"AP queue {apqn} does not exist on this host (lszcrypt lists adapters and domains)",
            f"AP queue {apqn}",
        )
        for apqn in queues
    ]
    _module(prep, "vfio-ap", "vfio_ap", "/sys/devices/vfio_ap/matrix")
    bound = " && ".join(
        f'[ "$(driver_of /sys/bus/ap/devices/{apqn})" = vfio_ap ]' for apqn in queues
    )
    prep.steps.append(
        Step(
            "vfio-ap",
            f"hand AP queues {', '.join(queues)} from the host to vfio_ap",
            "zcrypt drives every queue whose adapter is in the AP bus's apmask and whose "
            "domain is in its aqmask; taking the adapters and domains out gives their queues "
            "to vfio_ap. chzdev changes the running masks and the persistent configuration "
            "(chzdev(8), 'Remove AP adapters ... from host usage'). Every queue of these "
            "adapters and domains leaves the host.",
            bound,
            [q("run", "chzdev", "--type", "ap", f"apmask={adapters}", f"aqmask={domains}")],
        )
    )
    attrs = [("assign_adapter", f"{a:#04x}") for a in dev.adapters]
    attrs += [("assign_domain", f"{d:#06x}") for d in dev.domains]
    attrs += [("assign_control_domain", f"{c:#06x}") for c in dev.control_domains]
    define = [
        q("run", "mdevctl", "define", "--uuid", uuid, "--parent", "matrix")
        + " "
        + q("--type", "vfio_ap-passthrough", "--auto")
    ]
    define += [
        q("run", "mdevctl", "modify", "--uuid", uuid, f"--addattr={name}", f"--value={value}")
        for name, value in attrs
    ]
    _mdev_steps(
        prep,
        "vfio-ap",
        uuid,
        define,
        "a matrix device made through sysfs is gone at the next reboot ('modifications "
        "through sysfs affect only the active device', IBM KVM docs); mdevctl keeps the "
        "definition in /etc/mdevctl.d and starts it at boot (--auto), writing the "
        "assignments in this order. Control domains: "
        + (", ".join(f"{c:#06x}" for c in dev.control_domains) or "none"),
    )
    if answers.secure_execution.enabled and host is not None and host.se_ap:
        prep.steps.append(
            Step(
                "vfio-ap",
                "in the secure guest: bind the AP queues (and associate secrets)",
                "AP queues reach a Secure Execution guest only once the guest binds them "
                "(chzcrypt --se-bind; with a secret: pvsecret add, then chzcrypt "
                "--se-associate INDEX APQN), s390-tools zconf/zcrypt/chzcrypt.c",
                commands=[q("chzcrypt", "--se-bind", apqn) for apqn in queues],
                manual=True,
            )
        )


# --- vfio-ccw ----------------------------------------------------------------------------


def _used_as_it_is(prep: Preparation, section: str, uuid: str, what: str) -> None:
    """A mediated device given without what would create it: the front ends offer that
    as "the device exists already", so it is taken at its word where this host cannot
    say otherwise (no host data, or the guest is for another host), checked where the
    script runs, and the rest of the preparation goes on."""
    device = shlex.quote(uuid)
    prep.checks.append(
        Check(
            f"[ -e /sys/bus/mdev/devices/{device} ] || "
            f"mdevctl list --defined --uuid {device} 2>/dev/null | grep -q .",
            f"mediated device {uuid} is not defined: define it (mdevctl define) or give "
            f"{what} to zwizard",
            f"mediated device {uuid}",
        )
    )
    prep.steps.append(
        Step(
            section,
            f"mediated device {uuid} is used as it is",
            f"{what} not given: the device exists already (the checks make sure)",
            manual=True,
            note=True,
        )
    )


def _vfio_ccw(
    prep: Preparation,
    dev: Passthrough,
    path: str,
    index: int,
    host: HostInfo | None,
    judge: Report,
    out: Collector,
) -> None:
    uuid = (dev.uuid or "").lower()
    known = {m.uuid for m in host.mdevs} if host is not None else set()
    if not dev.dasd:
        need = (
            "give the host bus-id of the DASD (lsdasd), so that zwizard prepare can hand "
            f"its subchannel to vfio_ccw and create mediated device {uuid or '(no uuid)'}"
        )
        if not uuid:
            out.error("prepare-ccw", f"{path}.dasd", need)
        elif uuid not in known:
            if host is not None:
                judge("prepare-ccw", f"{path}.dasd", f"no such device on this host: {need}")
            _used_as_it_is(prep, "vfio-ccw", uuid, "the DASD's host bus-id (lsdasd)")
        return
    busid = dev.dasd.lower()
    found = next((d for d in host.dasds if d.busid == busid), None) if host else None
    if host is not None and host.sysfs and found is None and uuid not in known:
        judge("host-dasd", f"{path}.dasd", f"no DASD {busid} on this host (lsdasd -a)")
    if found is not None and host is not None and not host.dasd_state_known:
        out.warn(
            "host-dasd",
            f"{path}.dasd",
            f"whether {host.label} uses DASD {busid} cannot be read through libvirt; the "
            "script checks it there before any change",
        )
    if found is not None and found.in_use:
        judge(
            "host-dasd",
            f"{path}.dasd",
            f"DASD {busid} is in use on this host: {found.in_use}; a guest cannot have it "
            "until the host lets go (umount, swapoff, vgchange -an)",
        )
    prep.resolves.add(("host-mdev", f"{path}.uuid"))
    sch = f"sch_{index}"
    where = f" (now {found.subchannel})" if found is not None and found.subchannel else ""
    prep.checks += [
        Check("command -v driverctl", "install driverctl", "driverctl"),
        Check("command -v mdevctl", "install mdevctl", "mdevctl"),
        Check(
            f'[ -n "${sch}" ]',
            f"no subchannel has DASD {busid} on this host (lscss -t 3390)",
            f"DASD {busid}",
        ),
        Check(
            f'[ -z "$(dasd_in_use {q(busid)})" ]',
            f"DASD {busid} is in use on this host (mounted, swap or held): free it first",
            "the host does not use it",
        ),
    ]
    # the bus-id leads to the subchannel while the host drives it; once vfio_ccw does, only
    # the subchannel's dev_busid still names it, so a second run finds it there
    prep.setup.append(f"{sch}=$(subchannel_of {q(busid)})  # the subchannel{where}")
    _module(prep, "vfio-ccw", "vfio_ccw", "/sys/bus/css/drivers/vfio_ccw")
    prep.steps.append(
        Step(
            "vfio-ccw",
            f"take DASD {busid} offline on the host",
            "the host must stop using the DASD before its subchannel changes driver; chzdev "
            "sets it offline now and in the persistent configuration (chzdev(8))",
            f'[ "$(cat {q(f"/sys/bus/ccw/devices/{busid}/online")} 2>/dev/null || echo 0)" = 0 ]',
            [q("run", "chzdev", "--disable", "dasd", busid)],
        )
    )
    prep.steps.append(
        Step(
            "vfio-ccw",
            f"hand the subchannel of DASD {busid} to vfio_ccw",
            "driverctl binds the subchannel to vfio_ccw now and at every boot (IBM KVM docs: "
            "'driverctl -b css set-override <subchannel> vfio_ccw')",
            f'[ "$(driver_of "/sys/bus/css/devices/${sch}")" = vfio_ccw ]',
            [f'run driverctl -b css set-override "${sch}" vfio_ccw'],
        )
    )
    define = [f'run mdevctl define --uuid {q(uuid)} --parent "${sch}" --type vfio_ccw-io --auto']
    _mdev_steps(
        prep,
        "vfio-ccw",
        uuid,
        define,
        "the vfio_ccw-io mediated device on the subchannel is what libvirt's <hostdev> names; "
        "mdevctl keeps it across reboots (--auto)",
    )


def _module(prep: Preparation, section: str, module: str, appears: str) -> None:
    if any(s.title == f"load the {module} module" for s in prep.steps):
        return
    prep.steps.append(
        Step(
            section,
            f"load the {module} module",
            f"{appears} appears with {module}; modules-load.d loads it at every boot",
            f"[ -e {appears} ] && [ -f /etc/modules-load.d/{module}.conf ]",
            [
                q("run", "modprobe", module),
                q("run", "sh", "-c", f"echo {module} > /etc/modules-load.d/{module}.conf"),
            ],
        )
    )


def _mdev_steps(prep: Preparation, section: str, uuid: str, define: list[str], why: str) -> None:
    prep.steps.append(
        Step(
            section,
            f"define mediated device {uuid} persistently, started at boot",
            why,
            f'[ -n "$(mdevctl list --defined --uuid {q(uuid)})" ]',
            define,
        )
    )
    prep.steps.append(
        Step(
            section,
            f"start mediated device {uuid}",
            "libvirt starts the guest only with the device present",
            f"[ -e {q(f'/sys/bus/mdev/devices/{uuid}')} ]",
            [q("run", "mdevctl", "start", "--uuid", uuid)],
        )
    )


# --- PCI ---------------------------------------------------------------------------------


def _pci(prep: Preparation, dev: Passthrough, path: str, plan: Plan, host: HostInfo | None) -> None:
    address = (dev.address or "").lower()
    fn = next((p for p in host.pci if p.address == address), None) if host else None
    state = (
        f"driver {fn.driver or 'none'}, host uid {fn.uid or '?'}, fid {fn.fid or '?'}"
        if fn is not None
        else "not read here"
    )
    uid, fid = plan.zpci.get(path, (None, None))
    guest = f"uid {uid:#06x}, fid {fid:#010x}" if uid is not None and fid is not None else ""
    prep.checks.append(
        Check(
            f"[ -e {q(f'/sys/bus/pci/devices/{address}')} ]",
            f"no PCI function {address} here (lspci -D)",
            f"PCI function {address}",
        )
    )
    if dev.managed:
        prep.steps.append(
            Step(
                "pci",
                f"PCI function {address} ({state}); the guest sees {guest}",
                "managed='yes': at each start libvirt unbinds it from its host driver and binds "
                "vfio-pci, and gives it back at shutdown; the host cannot use it meanwhile",
                manual=True,
                note=True,
            )
        )
        return
    node = "pci_" + address.replace(":", "_").replace(".", "_")
    prep.steps.append(
        Step(
            "pci",
            f"detach PCI function {address} from the host ({state})",
            "managed='no': libvirt expects the function on vfio-pci already; virsh "
            "nodedev-detach binds it (until the next reboot)",
            f'[ "$(driver_of {q(f"/sys/bus/pci/devices/{address}")})" = vfio-pci ]',
            [q("run", "virsh", "nodedev-detach", node)],
        )
    )


# --- Secure Execution --------------------------------------------------------------------


def _secure_execution(
    prep: Preparation, answers: Answers, host: HostInfo | None, judge: Report, out: Collector
) -> None:
    se = answers.secure_execution
    fixes = {
        "prot_virt": "boot the host with prot_virt=1: add it to the kernel parameters "
        "(grubby --update-kernel=ALL --args=prot_virt=1, or the parameters line of "
        "/etc/zipl.conf), run zipl, reboot",
        "facility": "this machine has no Ultravisor (facility 158): Secure Execution needs "
        "IBM z15 / LinuxONE III or later",
        "domcaps": "libvirt reports no <s390-pv supported='yes'/> (virsh domcapabilities): "
        "KVM, QEMU or libvirt on this host cannot start secure guests",
    }
    prep.checks += [
        Check("grep -qw 158 /proc/cpuinfo", fixes["facility"], "facility 158"),
        Check(
            '[ "$(cat /sys/firmware/uv/prot_virt_host 2>/dev/null)" = 1 ]',
            fixes["prot_virt"],
            "prot_virt=1",
        ),
        Check(
            "LC_ALL=C virsh domcapabilities --virttype kvm | grep -q \"<s390-pv supported='yes'\"",
            fixes["domcaps"],
            "s390-pv in domcapabilities",
        ),
    ]
    if host is not None:
        if host.se.facility_158 is False:
            judge("host-se", "secure_execution.enabled", fixes["facility"])
        if host.se.prot_virt_host is False:
            judge("host-se", "secure_execution.enabled", fixes["prot_virt"])
    if not se.host_key_documents:
        out.error(
            "se-image",
            "secure_execution.host_key_documents",
            "give the host-key document (HKD-*.crt from IBM Resource Link) of every machine "
            "that may run the guest: the secure image is encrypted for exactly those",
        )
    if not se.certificates and not se.no_verify:
        out.error(
            "se-image",
            "secure_execution.certificates",
            "give the IBM Z host-key signing certificate and the intermediate CA certificate "
            "(ibm-z-host-key-signing.crt, DigiCertCA.crt) to verify the host-key documents",
        )
    for i, hkd in enumerate(se.host_key_documents):
        problem = hkd_problem(hkd)
        if problem:
            report = out.warn if problem.startswith("not on this machine") else out.error
            report("se-image", f"secure_execution.host_key_documents[{i}]", problem)
    for key in ("certificates", "crls"):
        for i, path in enumerate(getattr(se, key)):
            problem = _document_problem(path)
            if problem:
                out.error("se-image", f"secure_execution.{key}[{i}]", problem)
    name = f"{answers.guest.name}.se-image.sh"
    prep.extra_files[name] = se_image_script(answers)
    prep.steps.append(
        Step(
            "secure-execution",
            f"in the guest, once installed: sh {name} (builds {se.image}, runs zipl)",
            "the guest boots encrypted only from an image built for these host-key documents; "
            "a guest without one starts as an ordinary guest. Run it again after every "
            "kernel update: the image holds the kernel, the initrd and the command line.",
            manual=True,
        )
    )
    prep.steps.append(
        Step(
            "secure-execution",
            "attestation (optional): prove the guest runs securely on a trusted machine",
            "on a trusted workstation: pvattest create -k HKD.crt --cert ... --arpk arp.key "
            "-o attreq.bin; in the guest: pvattest perform attreq.bin attresp.bin; back on "
            "the workstation: pvattest verify with the same arp.key and the image's SE header "
            "(pvimg info / pvextract-hdr); see pvattest(1)",
            manual=True,
        )
    )


def _document_problem(path: str) -> str | None:
    """A certificate or CRL is read where the image script runs; one that is here must
    at least be a file that can be one: regular, at most 1 MiB (a FIFO or a device would
    hang or flood the script's pvimg)."""
    import os
    import stat

    from zwizard.userfiles import MAX_BYTES

    try:
        st = os.stat(path)
    except OSError:
        return None  # not here: the image script checks it where it runs
    if not stat.S_ISREG(st.st_mode):
        return f"{path} is not a regular file: not a certificate or CRL"
    if st.st_size > MAX_BYTES:
        return f"{path} is larger than 1 MiB: not a certificate or CRL"
    return None


def hkd_problem(path: str) -> str | None:
    """hkd_verdict for the file as it is now (read again only when it changed: the
    wizard asks at every keystroke)."""
    from pathlib import Path

    try:
        stat = Path(path).stat()
    except OSError:
        return f"not on this machine ({path}); the image script checks it where it runs"
    return _hkd_verdict(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _hkd_verdict(path: str, mtime_ns: int, size: int) -> str | None:
    """Why a host-key document cannot be used: not X.509, not an EC secp521r1 key (the
    host key pvimg encrypts for, s390-tools rust/pv/src/req/ec_coord.rs), or expired.
    None when it can; 'not on this machine ...' when it is not here to read."""
    from datetime import UTC, datetime

    from zwizard.userfiles import read_regular

    try:
        data = read_regular(path)
    except FileNotFoundError:
        return f"not on this machine ({path}); the image script checks it where it runs"
    except OSError as exc:
        return f"{path} cannot be read as a host-key document: {exc.strerror}"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:  # pragma: no cover - a dependency; kept for a broken install
        return None
    try:
        cert = (
            x509.load_pem_x509_certificate(data)
            if b"-----BEGIN" in data
            else x509.load_der_x509_certificate(data)
        )
    except ValueError:
        return f"{path} is not an X.509 certificate (PEM or DER): not a host-key document"
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp521r1":
        kind = (
            f"EC {key.curve.name}"
            if isinstance(key, ec.EllipticCurvePublicKey)
            else type(key).__name__.lstrip("_").removesuffix("PublicKey") or "other"
        )
        return f"{path} holds an {kind} key; a host-key document holds an EC secp521r1 key"
    now = datetime.now(UTC)
    if cert.not_valid_after_utc < now:
        return f"{path} expired on {cert.not_valid_after_utc:%Y-%m-%d}: get a current one"
    if cert.not_valid_before_utc > now:
        return f"{path} is not valid before {cert.not_valid_before_utc:%Y-%m-%d}"
    return None


def se_image_script(answers: Answers) -> str:
    se = answers.secure_execution
    hkds = " ".join(f"-k {q(h)}" for h in se.host_key_documents)
    certs = " ".join(f"--cert {q(c)}" for c in se.certificates)
    crls = " ".join(f"--crl {q(c)}" for c in se.crls)
    verify = "--no-verify" if se.no_verify else f"{certs} {crls}".strip()
    # genprotimg (s390-tools before 2.36) spells --cert as -C and has the same -k/-i/-r/-p/-o
    old_verify = verify.replace("--cert ", "-C ")
    files = [*se.host_key_documents, *se.certificates, *se.crls]
    checks = "\n".join(f"need_file {q(f)}" for f in files)
    hkd_checks = "\n".join(f"check_hkd {q(h)}" for h in se.host_key_documents)
    return f"""#!/bin/sh
# Secure Execution boot image for guest {answers.guest.name}, written by zwizard.
# Run as root INSIDE the guest once it is installed, and again after every kernel update
# (the image holds the kernel, the initrd and the command line). --dry-run lists only.
# It builds {se.image} with pvimg create (s390-tools 2.36+) or genprotimg (older),
# makes it the default zipl boot entry and runs zipl. Sources: docs/rules.md, section 11.
set -eu
dry_run=0
case "${{1:-}}" in
  --dry-run) dry_run=1 ;;
  "") ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac
run() {{
  if [ "$dry_run" = 1 ]; then echo "    would run: $*"; else echo "    + $*"; "$@"; fi
}}
problems=0
need_file() {{
  if [ ! -r "$1" ]; then echo "not ready: $1 is missing" >&2; problems=$((problems + 1)); fi
}}
# a host-key document: X.509 with an EC secp521r1 key, not expired (pvimg checks the
# chain too, unless --no-verify)
check_hkd() {{
  [ -r "$1" ] || return 0
  if ! openssl x509 -in "$1" -noout -checkend 0 >/dev/null 2>&1; then
    echo "not ready: $1 is not a valid X.509 certificate or has expired" >&2
    problems=$((problems + 1))
  elif ! openssl x509 -in "$1" -noout -text | grep -q 'secp521r1\\|P-521'; then
    echo "not ready: $1 has no EC secp521r1 key: not a host-key document" >&2
    problems=$((problems + 1))
  fi
}}
{checks}
{hkd_checks}
kernel=/boot/vmlinuz-$(uname -r)
initrd=/boot/initramfs-$(uname -r).img
[ -r "$initrd" ] || initrd=/boot/initrd.img-$(uname -r)
need_file "$kernel"
need_file "$initrd"
if command -v pvimg >/dev/null 2>&1; then tool=pvimg
elif command -v genprotimg >/dev/null 2>&1; then tool=genprotimg
else
  echo "not ready: neither pvimg nor genprotimg: install s390-tools" >&2
  problems=$((problems + 1)); tool=
fi
if [ "$problems" -gt 0 ]; then
  echo "$problems problem(s): nothing was changed" >&2
  exit 1
fi
parm=$(mktemp)
trap 'rm -f "$parm"' EXIT
# the command line the guest runs with now goes into the image (no swiotlb= is needed)
cat /proc/cmdline > "$parm"
if [ "$tool" = pvimg ]; then
  run pvimg create {hkds} {verify} -i "$kernel" -r "$initrd" -p "$parm" -o {q(se.image)} --overwrite
else
  run genprotimg {hkds} {old_verify} -i "$kernel" -r "$initrd" -p "$parm" -o {q(se.image)}
fi
# a zipl entry for the image, made the default: a kernel update that reruns zipl then keeps
# booting the secure image (the old image, until this script runs again)
if ! grep -q '^\\[secure\\]' /etc/zipl.conf; then
  run cp /etc/zipl.conf /etc/zipl.conf.before-secure
  run sh -c 'printf "\\n[secure]\\ntarget=/boot\\nimage=%s\\n" "$1" >> /etc/zipl.conf' \\
    sh {q(se.image)}
fi
# [defaultboot] names its default with default= (sections), or defaultauto (the BLS
# entries RHEL 8 and 9 boot from): either becomes default=secure
if ! grep -q '^default=secure' /etc/zipl.conf; then
  if grep -q '^default=' /etc/zipl.conf; then
    run sed -i 's/^default=.*/default=secure/' /etc/zipl.conf
  elif grep -q '^defaultauto' /etc/zipl.conf; then
    run sed -i 's/^defaultauto.*/default=secure/' /etc/zipl.conf
  else
    run sed -i 's/^\\[defaultboot\\]$/[defaultboot]\\ndefault=secure/' /etc/zipl.conf
  fi
fi
run zipl -V
echo "done: reboot the guest; /sys/firmware/uv/prot_virt_guest then reads 1"
"""


# --- install server ----------------------------------------------------------------------


def _install_server(
    prep: Preparation, answers: Answers, plan: Plan, host: HostInfo | None, out: Collector
) -> None:
    from zwizard.render.pxe import pxe_files

    pxe = answers.pxe
    root = pxe.tftp_root.rstrip("/")  # the rules hold it absolute, normalised, not '/'
    boot_nic = next((p for p in sorted(plan.boot, key=plan.boot.__getitem__) if "nics[" in p), None)
    nic = answers.nics[int(boot_nic[5:-1])] if boot_nic else None
    served = pxe_files(answers, plan)  # pxelinux.cfg/<name>: its text
    for rel, text in served.items():
        _take_check(prep, rel, text)
    default = served.get("pxelinux.cfg/default")
    if default is not None:
        _shared_default(prep, root, default, out)
    for rel, text in served.items():
        prep.steps.append(
            Step(
                "install-server",
                f"copy {rel} into the TFTP root {root}",
                "the s390-ccw firmware reads pxelinux.cfg/01-<MAC>, then pxelinux.cfg/default, "
                "from the TFTP root (pc-bios/s390-ccw/netmain.c); it is copied through a "
                "temporary file renamed into place, never through a link out of the root",
                f'cmp -s "$here/{rel}" {q(f"{root}/{rel}")}',
                [q("run", "put_below", root, rel) + f' "$here/{rel}" ' + q(_sha256(text))],
            )
        )
    repo = pxe.repo or ""
    for what, rel in (("kernel", pxe.kernel), ("initrd", pxe.initrd)):
        rel = rel.lstrip("/")  # a leading '/' is the TFTP root itself, as the server reads it
        target = f"{root}/{rel}"
        image = "kernel.img" if what == "kernel" else "initrd.img"
        if repo.startswith(("http://", "https://", "ftp://")):
            prep.checks.append(Check("command -v curl", "install curl", "curl"))
            prep.steps.append(
                Step(
                    "install-server",
                    f"fetch the installer's {what} into {target}",
                    f"the firmware loads the {what} the pxelinux file names, by TFTP; RHEL's "
                    f"install tree has it as images/{image}. It is fetched into a temporary "
                    "file renamed into place, never through a link out of the root",
                    f"[ -s {q(target)} ] && below {q(root, rel)} >/dev/null 2>&1",
                    [q("run", "fetch_below", root, rel, f"{repo.rstrip('/')}/images/{image}")],
                )
            )
        else:
            prep.steps.append(
                Step(
                    "install-server",
                    f"copy images/{image} of the install tree (DVD) to {target}",
                    f"the firmware loads the {what} by TFTP; the repository is not fetchable",
                    manual=True,
                )
            )
    bootfile = "pxelinux.cfg/default" if not pxe.per_mac else "pxelinux.0"
    why_bootfile = (
        "the firmware has no pxelinux.0: when the DHCP boot file cannot be loaded it looks for "
        "pxelinux.cfg/01-<MAC>, then pxelinux.cfg/default (pc-bios/s390-ccw/netmain.c); a "
        "pxelinux file named as the boot file is read directly"
    )
    network = nic.source.network if nic is not None else None
    if network is None:
        prep.steps.append(
            Step(
                "install-server",
                "serve DHCP with a boot file and TFTP on the guest's LAN",
                why_bootfile + ". For dnsmasq: enable-tftp, tftp-root=" + root + ", "
                f'dhcp-boot={bootfile}; for ISC dhcpd: filename "{bootfile}"; '
                "next-server <this host>",
                manual=True,
            )
        )
        return
    known = {n.name for n in host.networks} if host is not None and host.networks else set()
    try:
        xml = install_network(network, answers, plan, root, bootfile)
    except ValueError:  # an address or name the rules refuse already: no network to write
        return
    if xml is None:
        out.error(
            "pxe-config",
            "pxe.netmask",
            f"the static address's subnet leaves no room for the install network: its DHCP "
            f"server and the address the firmware netboots with (pxe.netmask "
            f"{plan.static_ip.netmask if plan.static_ip else '?'}); give the LAN's netmask",
        )
        return
    if network in known:
        prep.steps.append(
            Step(
                "install-server",
                f"libvirt network {network}: add TFTP and the boot file "
                f"(virsh net-edit --network {network})",
                why_bootfile + f". Inside <ip>: <tftp root='{root}'/>, and inside <dhcp>: "
                f"<bootp file='{bootfile}'/>; then virsh net-destroy/net-start {network}",
                manual=True,
            )
        )
        return
    name = f"{answers.guest.name}.install-net.xml"
    prep.extra_files[name] = xml
    _take_check(prep, name, xml)
    prep.resolves.add(("host-network", f"{boot_nic}.source.network"))
    prep.steps.append(
        Step(
            "install-server",
            f"define libvirt network {network} with TFTP and a DHCP boot file",
            why_bootfile + ". libvirt's dnsmasq serves both (<tftp root>, <bootp file>)",
            f"virsh net-info --network {q(network)} >/dev/null 2>&1",
            [
                q("run", "mkdir", "-p", "--", root),
                q("run", "define_network") + f' "$here/{name}" ' + q(_sha256(xml)),
            ],
        )
    )
    prep.steps.append(
        Step(
            "install-server",
            f"start libvirt network {network}, and at every boot",
            "the guest's NIC attaches to it at start",
            f"LC_ALL=C virsh net-info --network {q(network)} | grep -q '^Active: *yes'",
            [
                q("run", "virsh", "net-start", "--network", network),
                q("run", "virsh", "net-autostart", "--network", network),
            ],
        )
    )


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _take_check(prep: Preparation, rel: str, text: str) -> None:
    """The script uses a file from its own folder only when it is the one zwizard wrote
    (its sha256), checked before anything changes and again on the copy it uses."""
    prep.checks.append(
        Check(
            f'[ "$(sha256sum < "$here/{rel}" | cut -c1-64)" = {_sha256(text)} ]',
            f"{rel} beside this script is missing or is not the file zwizard wrote (its sha256 "
            "differs): write the guest's files into this folder again "
            "(zwizard --answers FILE -o FOLDER)",
            f"{rel} beside the script, as written",
        )
    )


def _shared_default(prep: Preparation, root: str, text: str, out: Collector) -> None:
    """pxelinux.cfg/default in a shared TFTP root is every machine's fallback: another
    guest's is never replaced unless the script is told to (--replace-default)."""
    from zwizard.userfiles import read_regular

    target = f"{root}/pxelinux.cfg/default"
    prep.checks.append(
        Check(
            f'[ "$replace_default" = 1 ] || [ ! -e {q(target)} ] || cmp -s "$here/pxelinux.cfg/'
            f'default" {q(target)}',
            f"{target} holds another pxelinux file, which every machine without a file of its "
            "own installs from: rerun with --replace-default to replace it, or set "
            "pxe.write_default = false (the per-MAC file is enough for this guest)",
            f"{target} is free or this guest's",
        )
    )
    try:
        there = read_regular(target)
    # not there, not a file this run can read, or a NUL in the path (which the rules
    # refuse): the script's own check says what is there where it runs
    except (OSError, ValueError):
        there = None
    if there is not None and there != text.encode():
        lines = there.decode("utf-8", "replace").splitlines()
        said = "; ".join(ln.strip() for ln in lines if ln.split()[:1] in (["kernel"], ["append"]))
        out.warn(
            "pxe-config",
            "pxe.write_default",
            f"{target} on this host holds another pxelinux file ({said or 'other content'}); "
            "the script replaces it only when run with --replace-default: set "
            "pxe.write_default = false to leave it",
        )


def install_network(
    network: str, answers: Answers, plan: Plan, root: str, bootfile: str
) -> str | None:
    """A libvirt network (isolated: no forward) whose dnsmasq answers DHCP with the boot
    file and serves the TFTP root. Its subnet is the static IPv4 address's, else libvirt's
    default 192.168.122.0/24 (the firmware netboots over IPv4 whatever the installer
    uses); the DHCP range stays clear of the static address."""
    static = plan.static_ip if plan.static_ip is not None and not plan.static_ip.ipv6 else None
    net = ipaddress.ip_network("192.168.122.0/24")
    host_ip = net.network_address + 1
    if static is not None:
        try:
            net = ipaddress.ip_network(f"{static.address}/{static.netmask}", strict=False)
            host_ip = ipaddress.ip_address(static.gateway) if static.gateway else host_ip
        except ValueError:
            pass
        if host_ip not in net:
            host_ip = net.network_address + 1
    if net.num_addresses > 1 << 16:  # a /8 would list millions: the first /24 is enough
        net = ipaddress.ip_network(f"{host_ip}/24", strict=False)
    hosts = list(net.hosts())
    address = ipaddress.ip_address(static.address) if static and static.address else None
    taken = {host_ip, *([address] if address else [])}
    free = [h for h in hosts if h not in taken]
    if len(free) < 2:  # /31, /32: no room for the server and a lease besides the guest
        return None
    start, end = free[len(free) // 2], free[-1]
    if address is not None and start <= address <= end:
        start, end = free[0], free[len(free) // 2 - 1]
    from zwizard.xmlwrite import Element, sub, to_xml

    doc = Element("network")
    sub(doc, "name", network)
    ip = sub(doc, "ip", address=str(host_ip), netmask=str(net.netmask))
    sub(ip, "tftp", root=root)
    dhcp = sub(ip, "dhcp")
    sub(dhcp, "range", start=str(start), end=str(end))
    sub(dhcp, "bootp", file=bootfile)
    return to_xml(doc)


# --- boot plan ---------------------------------------------------------------------------


def _boot_plan(prep: Preparation, answers: Answers, plan: Plan, host: HostInfo | None) -> None:
    from zwizard.build import after_install, after_install_name
    from zwizard.stack_versions import BY_KEY, show, stack_of
    from zwizard.structure import lookup

    first = plan.first_boot
    loadparm = (getattr(lookup(answers, first), "loadparm", None) or "") if first else ""
    if loadparm.strip().upper() == "PROMPT":
        prep.steps.append(
            Step(
                "boot",
                f"the zipl menu waits for a choice: answer on virsh console {answers.guest.name}",
                "the s390-ccw firmware prints the menu and reads the choice as ASCII console "
                "data (SCLP_EVENT_ASCII_CONSOLE_DATA, pc-bios/s390-ccw/sclp.c): the sclp "
                "console virsh console attaches to",
                manual=True,
                note=True,
            )
        )
    if loadparm.strip() and not answers.console.line_mode:
        prep.steps.append(
            Step(
                "boot",
                "a line-mode console for the loadparm: console.line_mode = true",
                "zipl boot code from before s390-tools 2.40 (RHEL 9 and older guests) reads "
                "the loadparm only when a line-mode (sclplm) console is present, and ignores "
                "it otherwise (s390-tools issue 196); re-run zipl after s390-tools 2.40",
                manual=True,
                note=True,
            )
        )
    if after_install(answers, plan) is None:
        return
    final = after_install_name(answers)
    stack = stack_of(answers, host)
    from_host = host is not None and stack.origin.startswith("host")
    whose = "this host's" if from_host else "the target's" if stack.origin == "target" else ""
    needs = f"falling back needs {BY_KEY['boot-fallback'].since()}"
    if stack.allows("boot-fallback"):
        how = (
            f"{whose} QEMU {show(stack.qemu)} tries the next boot device when one fails "
            f"(libvirt {show(stack.libvirt)}; {needs}), so {final} (disk first, the NIC "
            "next) can be defined right away: the empty disk fails over to the network "
            "install, and the installed disk boots after"
        ).strip()
    else:
        have = (
            f"{whose} libvirt {show(stack.libvirt)} with QEMU {show(stack.qemu)}"
            if whose
            else "QEMU before 9.2"
        )
        how = (
            f"{have} tries only the first boot device ({needs}; judged on "
            f"{stack.describe()}): the NIC stays first for the install, and {final} (disk "
            "first) is defined once the installer has finished, or the guest installs again "
            "at every cold start"
        )
    prep.steps.append(
        Step(
            "boot",
            f"after the install: virsh define --validate {final}",
            how,
            manual=True,
        )
    )


# --- the script --------------------------------------------------------------------------

HELPERS = r"""run() {
  if [ "$dry_run" = 1 ]; then echo "    would run: $*"; else echo "    + $*"; "$@"; fi
}
step() { echo; echo "== $*"; }
skip() { echo "    already done"; }
# the driver a sysfs device is bound to (empty: none)
driver_of() {
  if [ -e "$1/driver" ]; then basename "$(readlink -f "$1/driver")"; fi
}
# the css subchannel of a DASD: through its ccw device while the host drives it, through
# the subchannel's dev_busid once vfio_ccw does (then the ccw device is gone)
subchannel_of() {
  if [ -e "/sys/bus/ccw/devices/$1" ]; then
    basename "$(dirname "$(readlink -f "/sys/bus/ccw/devices/$1")")"
    return
  fi
  for s in /sys/bus/css/devices/*; do
    if [ "$(cat "$s/dev_busid" 2>/dev/null)" = "$1" ]; then basename "$s"; return; fi
  done
}
# why the host still uses DASD $1: a mounted or swapped-on partition, or a holder
dasd_in_use() {
  for disk in "/sys/bus/ccw/devices/$1"/block/*; do
    [ -e "$disk" ] || continue
    for node in "$disk" "$disk"/"$(basename "$disk")"*; do
      [ -e "$node" ] || continue
      dev=/dev/$(basename "$node")
      if grep -q "^$dev " /proc/mounts /proc/swaps 2>/dev/null; then echo "$dev"; return; fi
      if [ -n "$(ls -A "$node/holders" 2>/dev/null)" ]; then echo "$dev (held)"; return; fi
    done
  done
}
# below ROOT REL: the path ROOT/REL resolves to, or a refusal when it leaves ROOT (a link
# planted in a shared TFTP root must not carry a root-owned write elsewhere)
below() {
  base=$(realpath -e -- "$1") || return 1
  full=$(realpath -m -- "$base/$2") || return 1
  case "$full" in
    "$base"/*) echo "$full" ;;
    *) echo "    refused: $1/$2 resolves to $full, outside $1" >&2; return 1 ;;
  esac
}
# target_below ROOT REL: $dest, ROOT/REL resolved with its folder made (resolved again
# once made: the folder may not be a planted link), and $tmp, a fresh file beside it
target_below() {
  mkdir -p -- "$1"
  dest=$(below "$1" "$2") || return 1
  mkdir -p -- "$(dirname -- "$dest")"
  dest=$(below "$1" "$2") || return 1
  tmp=$(mktemp -- "$dest.zwizard-XXXXXX")
}
# put_below ROOT REL SRC SHA256: SRC copied to ROOT/REL through a temporary file in the
# same folder that is renamed into place once it holds exactly what zwizard wrote
put_below() {
  target_below "$1" "$2" || return 1
  if cp -- "$3" "$tmp" && [ "$(sha256sum < "$tmp" | cut -c1-64)" = "$4" ] &&
    chmod 0644 -- "$tmp" && mv -fT -- "$tmp" "$dest"; then
    return 0
  fi
  echo "    refused: $3 is not the file zwizard wrote, or could not be copied" >&2
  rm -f -- "$tmp"
  return 1
}
# fetch_below ROOT REL URL: the URL fetched into ROOT/REL the same way
fetch_below() {
  target_below "$1" "$2" || return 1
  if curl -fsSL --globoff -o "$tmp" "$3" && chmod 0644 -- "$tmp" && mv -fT -- "$tmp" "$dest"; then
    return 0
  fi
  rm -f -- "$tmp"
  return 1
}
# define_network FILE SHA256: virsh net-define of a private copy that holds what zwizard wrote
define_network() {
  copy=$(mktemp) || return 1
  if cp -- "$1" "$copy" && [ "$(sha256sum < "$copy" | cut -c1-64)" = "$2" ] &&
    virsh net-define --file "$copy"; then
    rm -f -- "$copy"
    return 0
  fi
  echo "    refused: $1 is not the file zwizard wrote, or libvirt refused it" >&2
  rm -f -- "$copy"
  return 1
}
"""


def _comment(text: str, width: int = 88) -> list[str]:
    import textwrap

    from zwizard.shown import one_line

    return ["# " + line for line in textwrap.wrap(one_line(text), width - 2)]


def script(prep: Preparation) -> str:
    """The idempotent host preparation script (POSIX sh, shellcheck-clean)."""
    # --replace-default only where a shared pxelinux.cfg/default is at stake
    shared = any("$replace_default" in c.test for c in prep.checks)
    usage = " [--replace-default]" if shared else ""
    lines = [
        "#!/bin/sh",
        f"# Host preparation for guest {prep.guest}, written by zwizard.",
        "# Read it first. Run it as root on the KVM host:  sh " + prep.script_name,
        "# List what it would do, changing nothing:        sh " + prep.script_name + " --dry-run",
        "# Every check runs before any change; each step is skipped when its work is already",
        "# done, so running it again is safe. Sources: zwizard's docs/rules.md, section 11.",
        "set -eu",
        "dry_run=0",
        *(["replace_default=0"] if shared else []),
        'for arg in "$@"; do',
        '  case "$arg" in',
        "    --dry-run) dry_run=1 ;;",
        *(["    --replace-default) replace_default=1 ;;"] if shared else []),
        f'    *) echo "usage: $0 [--dry-run]{usage}" >&2; exit 2 ;;',
        "  esac",
        "done",
        HELPERS,
    ]
    if any("$here" in c for st in prep.steps for c in st.commands) or any(
        "$here" in c.test for c in prep.checks
    ):  # the files the answers run wrote, beside this script
        lines.insert(-1, 'here=$(cd "$(dirname "$0")" && pwd)')
    lines += prep.setup
    lines += ["", "# --- checks: nothing changes unless all of them pass", "problems=0"]
    for check in _unique(prep.checks):
        lines += [
            f"if ! {{ {check.test}; }} >/dev/null 2>&1; then",
            f"  echo {q('not ready: ' + check.fix)} >&2; problems=$((problems + 1))",
            "fi",
        ]
    lines += [
        'if [ "$problems" -gt 0 ]; then',
        '  echo "$problems check(s) failed: nothing was changed" >&2',
        '  [ "$dry_run" = 1 ] || exit 1',
        "fi",
    ]
    if not any(s.commands and not s.manual for s in prep.steps):
        lines.append('echo "nothing to change on this host"')
    for step in prep.steps:
        lines.append("")
        lines += _comment(f"{step.section}: {step.title}")
        lines += _comment("why: " + step.why)
        lines.append(f"step {q(step.section + ': ' + step.title)}")
        if step.manual:
            lines.append(f"echo {q(('    note: ' if step.note else '    by hand: ') + step.why)}")
            lines += [f"echo {q('    ' + c)}" for c in step.commands]
            continue
        if step.done_when:
            lines.append(f"if {step.done_when}; then")
            lines.append("  skip")
            lines.append("else")
            lines += ["  " + c for c in step.commands]
            lines.append("fi")
        else:
            lines += step.commands
    lines += ["", 'echo; echo "done"', ""]
    return "\n".join(lines)


def _unique(checks: list[Check]) -> list[Check]:
    seen: dict[str, Check] = {}
    for check in checks:
        seen.setdefault(check.test, check)
    return list(seen.values())


def listing(prep: Preparation) -> list[str]:
    """The steps as the wizard and `zwizard prepare --dry-run` show them."""
    checks = [c.what or c.fix for c in _unique(prep.checks)]
    out = [f"checks first: {', '.join(checks)}"] if checks else []
    for n, step in enumerate(prep.steps, start=1):
        mark = "note" if step.note else "by hand" if step.manual else "runs"
        out.append(f"{n}. [{step.section}] {step.title} ({mark})")
    return out


def overview(prep: Preparation, marks: dict[str, str] | None = None) -> list[str]:
    """What both front ends show of the host preparation, below their own heading: its
    steps, what this host refuses or warns of, and whether the script is written; empty
    when there is none. `marks`: how a finding's severity is shown (the wizard's ✗ ! i),
    else its word."""
    if not prep.steps and not prep.findings:
        return []
    mark = marks or {s: f"{s}:" for s in ("error", "warning", "note")}
    lines = listing(prep)
    lines += [f"{mark[f.severity]} {f.path}: {f.message} [{f.rule}]" for f in prep.findings]
    if not prep.ok:
        lines.append("(not written while a step is refused; the guest's files are)")
    return lines


def files(prep: Preparation) -> dict[str, str]:
    return {prep.script_name: script(prep), **prep.extra_files}
