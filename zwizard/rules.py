"""The IBM Z rules: the one place that decides what a guest may be.

`check(answers)` returns every finding; `availability(answers, path, value)`
tells a front end whether a choice is allowed *now* and, if not, why. The
second is the first applied to a trial copy, so a rule can never say one thing
to the answers mode and another to the wizard. Rule ids come from
docs/rules.md (the project's rules reference) and are never renamed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_args

from zwizard.devices import KINDS, entries
from zwizard.devices.base import HostJudge
from zwizard.findings import Collector as _Collector
from zwizard.findings import Finding, Severity
from zwizard.lazy import Pattern
from zwizard.model import FEATURE_POLICIES, Answers, CrashAction, Lifecycle, Pxe
from zwizard.structure import record

if TYPE_CHECKING:
    from zwizard.host import HostInfo
from zwizard.address import VIRTUAL_CSSID, is_uuid, parse_ccw
from zwizard.cpu_models import CPU_MODELS
from zwizard.inputs import (
    HOSTNAME_FORM,
    IFNAME_FORM,
    KS_FORMS,
    REPO_FORMS,
    StaticIp,
    bad_character,
    gateway_problem,
    hostname_ok,
    ifname_ok,
    ip_problem,
    kickstart_ok,
    mac_problem,
    mtu_problem,
    netmask_problem,
    repo_form,
    repo_suggestion,
    tftp_path_problem,
    tftp_root_problem,
)
from zwizard.plan import Plan, cpu_topology, make_plan, nameservers
from zwizard.render.pxe import append_line, render_pxe
from zwizard.stack_versions import (
    DEFAULT_STACK,
    DEPRECATED_OFF_BY_DEFAULT,
    TARGET_VERSION,
    Stack,
    judged_stack,
    machine_absent,
)
from zwizard.structure import fields, is_record, lookup

SUPPORTED_OS = {"rhel7": "RHEL 7", "rhel8": "RHEL 8", "rhel9": "RHEL 9"}
MAX_VCPUS = 248
SE_MAX_VCPUS = 247
PXE_FILE_MAX = 2047
PXE_APPEND_MAX = 895
# SLOF lib/libnet/tftp.h (the s390 netboot firmware's TFTP code): char filename[256]
PXE_PATH_MAX = 255
MAX_BOOT_ORDER = 0xFFFFFFFF  # libvirt keeps <boot order> in an unsigned int
# libvirt virDomainParseMemory caps memory at VIR_DOMAIN_MEMORY_PARAM_UNLIMITED KiB (2^53 - 1)
MAX_MEMORY_MIB = ((1 << 53) - 1) // 1024
# The only machine IBM Z KVM guests have; versioned names (s390-ccw-virtio-7.2) are what
# libvirt records at define for the same machine.
S390_ARCH, S390_MACHINE = "s390x", "s390-ccw-virtio"
LIFECYCLE_ACTIONS = {  # libvirt's lists, declared once in the model
    "on_poweroff": get_args(Lifecycle),
    "on_reboot": get_args(Lifecycle),
    "on_crash": get_args(CrashAction),
}
# libvirt NEWS 7.7.0 / qemuValidateLifecycleAction: the QEMU driver refuses these at define
QEMU_REFUSED_LIFECYCLE = {
    "on_poweroff": ("preserve", "rename-restart"),
    "on_reboot": ("preserve", "rename-restart"),
    "on_crash": ("rename-restart",),
}
LOADPARM = Pattern(r"^[A-Z0-9. ]{1,8}$")
GUEST_NAME = Pattern(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$")

MARKETING_NAMES = {"z15": "gen15a", "z16": "gen16a", "z17": "gen17a", "z14zr1": "z14ZR1"}
CPU_MODES = ("host-model", "host-passthrough", "maximum", "custom")
SE_NOTES = {
    "se-no-memstats": "memory statistics are not available (virsh domstats, virsh memstat)",
    "se-no-migration": "the guest cannot be migrated, live or offline",
    "se-no-save-restore": "the guest cannot be saved and restored (virsh save/restore)",
    "se-no-memory-snapshot": "snapshots that include memory (--memspec) are not possible",
    "se-dump-memory-only": "no full memory dump; use virsh dump --memory-only",
}
NOT_MIGRATION_SAFE = "not migration-safe; host-model is the mode for moving to later machines"


# Every rule id the engine reports, with what it guards. Ids from ibmz-rules.md come
# first; the rest are the value rules of its sections 2-9. Never rename an id.
RULES = {
    "ccw-only": "no virtual PCI or USB devices: virtio devices are virtio-*-ccw",
    "pci-passthrough": "PCI passthrough is supported, with a host address and zPCI ids",
    "guest-os": "Red Hat supports RHEL 7, 8 and 9 guests on IBM Z",
    "boot-order": "per-device <boot order>, positive and unique; never <os><boot dev>",
    "loadparm": "loadparm: 1-8 of A-Z 0-9 . blank, used on the first boot device",
    "no-mem-hotplug": "no memory hot-plug (<maxMemory>, DIMMs)",
    "no-numa": "no NUMA topology",
    "vfio-ap": "one vfio-ap crypto device at most; it cannot boot",
    "vfio-ccw": "vfio-ccw DASD passthrough by mediated device UUID",
    "no-smbios": "no SMBIOS",
    "watchdog-diag288": "the only watchdog is diag288",
    "no-kvmclock": "no kvmclock or other x86 timers",
    "no-v2v": "virt-v2v and virt-p2v do not exist on IBM Z",
    "cpu-migration": "host-model for migration; custom models without -base, not qemu/max/host",
    "pxe-config": "a pxelinux file the s390 firmware can read",
    "se-launch": "Secure Execution: <launchSecurity type='s390-pv'/>, KVM, host-model",
    "se-no-vfio": "Secure Execution: no vfio passthrough",
    "se-no-memstats": "Secure Execution: no memory statistics",
    "se-no-balloon-rng": "Secure Execution: no memballoon, no virtio-rng",
    "se-no-hugepages": "Secure Execution: no huge pages",
    "se-no-migration": "Secure Execution: no migration",
    "se-no-save-restore": "Secure Execution: no save/restore",
    "se-no-memory-snapshot": "Secure Execution: no memory snapshots",
    "se-dump-memory-only": "Secure Execution: memory-only dumps",
    "se-max-vcpus": "Secure Execution: at most 247 vCPUs",
    "tcg-cpu": "under emulation (domain type qemu) only maximum or the default CPU start",
    "guest-name": "a domain name that is also a safe file name",
    "uuid": "a well-formed UUID",
    "vcpus": "1 to 248 vCPUs",
    "memory": "a memory size the guest can install with",
    "lifecycle": "on_poweroff/on_reboot/on_crash actions libvirt's QEMU driver accepts",
    "text": "every text value can be written: no control characters, no line breaks",
    "value": "text typed into a field is a value of the field's kind (wizard, drafts)",
    "channel": "virtio-serial channels with unique names (QEMU refuses a second port of a name)",
    "cpu-mode": "a CPU mode libvirt knows",
    "cpu-model": "a CPU model name QEMU s390x knows",
    "disk-path": "an absolute disk path",
    "cdrom-bus": "CD-ROMs on virtio-scsi",
    "disk-tuning": "disk <driver> tuning and serial as libvirt and QEMU accept them",
    "disk-lun": "a LUN (FCP SCSI passthrough) is a block device on virtio-scsi, sgio filtered",
    "nic-tuning": "MTU, queues, tap name, Open vSwitch port and VLAN the host can set up",
    "kernel-boot": "direct kernel boot: absolute host paths; the firmware (and PXE) is bypassed",
    "iothreads": "a non-negative number of I/O threads",
    "keywrap": "one <cipher> each for aes and dea (CPACF protected-key wrapping)",
    "vcpu-topology": "vCPUs online at start within the maximum; sockets x cores = vCPUs",
    "cpu-features": "CPU feature policies by QEMU name, on a CPU model",
    "console-log": "the console log is an absolute host path",
    "cpu-pinning": "vcpupin of existing vCPUs to host CPU sets libvirt can parse",
    "memtune": "memtune limits: positive, swap_hard_limit above hard_limit",
    "vsock": "a virtio socket's guest context id is 3 or more",
    "share": "virtiofs shares: an absolute host directory, a unique tag of at most 36 bytes",
    "disk-target": "unique target names; a SCSI target libvirt can turn into an address",
    "nic-source": "exactly one of network, bridge, direct",
    "mac": "unicast, unique MAC addresses",
    "ccw-address": "ccw bus-ids in channel subsystem fe, in range, unique",
    "zpci": "zPCI uid 0x0001-0xffff and fid 0-0xffffffff, each unique",
    "s390-machine": "arch s390x on machine s390-ccw-virtio; no UEFI loader or NVRAM",
    "host-cpu-mode": "this host's libvirt supports the CPU mode",
    "host-cpu-model": "this host can run the custom CPU model",
    "host-se": "this host supports Secure Execution (s390-pv)",
    "host-vcpus": "no more vCPUs than this host's limit",
    "host-mdev": "the mediated device exists on this host, is of the right kind and free",
    "host-pci": "the PCI function exists on this host and is free",
    "host-scsi": "the SCSI device exists on this host with a generic (sg) node",
    "host-cpus": "pinned host CPUs are online on this host",
    "scsi-passthrough": "a SCSI device (FCP tape) by its host H:C:T:L, on virtio-scsi",
    "host-network": "the libvirt network is defined (and active) on this host",
    "host-bridge": "the bridge exists on this host",
    "host-interface": "the host interface for macvtap exists",
    "host-disk": "the disk image or block device exists on this host",
    "no-x86-features": "no ACPI, APIC, PAE, VMport, Hyper-V, SMM or other x86 features",
    "graphics": "a graphical console (VNC, virtio-gpu-ccw) works but is not the IBM Z way",
    "se-image": "the secure image is built from host-key documents (EC secp521r1 X.509, valid)",
    "prepare-ap": "zwizard prepare needs the matrix device's adapters and domains",
    "prepare-ccw": "zwizard prepare needs the DASD's host bus-id",
    "host-ap-queue": "the AP queues exist on this host and are in no other matrix device",
    "host-dasd": "the DASD exists on this host and the host does not use it",
    "hosts-common": "a guest for several hosts uses what all of them run (CPU, machine type)",
    "target": "[target] libvirt and qemu versions are digits.digits (e.g. 10.10)",
    "machine-removed": "a versioned machine type is one the judged QEMU has (each lives six years)",
}


def machine_problem(arch: str | None, machine: str | None) -> str | None:
    """Rule s390-machine on an <os><type> read from a definition: why it cannot be an
    IBM Z guest, or None (a versioned name such as s390-ccw-virtio-7.2 is the same machine)."""
    if arch == S390_ARCH and (machine or "").startswith(S390_MACHINE):
        return None
    return (
        f"arch {arch or '(none)'}, machine {machine or '(none)'}: IBM Z guests are arch "
        f"{S390_ARCH} on machine {S390_MACHINE}"
    )


def machine_removed(
    machine: str | None,
    stack: Stack = DEFAULT_STACK,
    host: HostInfo | None = None,
    host_is_target: bool = True,
) -> Finding | None:
    """Rule machine-removed: a definition pinned to a versioned machine type (libvirt
    records s390-ccw-virtio-X.Y at define) that the judged QEMU does not have. libvirt
    refuses to define or start it ("Emulator … does not support machine type …"): an
    error for the stack judged (a warning where the guest is for another host). The
    host's own machine list, where discovery read it, is preferred over the table."""
    if not machine or machine == S390_MACHINE:
        return None
    machines = host.machines if host is not None and host_is_target else None
    why = machine_absent(machine, stack, machines)
    if why is None:
        return None
    severity: Severity = "error" if host is None or host_is_target else "warning"
    return Finding(
        "machine-removed",
        severity,
        "guest",
        f"machine type {machine}: {why}; libvirt refuses to define or start it "
        f"(\"Emulator … does not support machine type '{machine}'\"): use "
        f"{S390_MACHINE}, which libvirt pins to the host's newest at define",
    )


def check(
    answers: Answers,
    plan: Plan | None = None,
    host: HostInfo | list[HostInfo] | None = None,
    host_is_target: bool = True,
) -> list[Finding]:
    """Every finding for these answers, errors first, then in answers order.

    With `host`, what this KVM host lacks is found too: as errors when the guest
    is for this host, as warnings when the XML is meant for another one. With several
    hosts, each host's findings name it, and what they do not share is judged too.
    """
    plan = plan or make_plan(answers)
    out = _Collector()
    # the libvirt and QEMU the version-dependent rules judge against (stack_versions)
    stack = judged_stack(answers, host, host_is_target)
    for rule_group in _RULE_GROUPS:
        if rule_group is _guest:
            _guest(answers, plan, out, stack)
        elif rule_group is _boot:
            _boot(answers, plan, out, stack)
        else:
            rule_group(answers, plan, out)
    _stack(answers, plan, stack, out)
    # a versioned machine type the judged QEMU no longer has (a converted guest keeps its
    # own; a new one is unversioned and never meets this)
    one_host = host[0] if isinstance(host, list) and len(host) == 1 else host
    removed = machine_removed(
        answers.guest.machine,
        stack,
        one_host if not isinstance(one_host, list) else None,
        host_is_target,
    )
    if removed is not None:
        out.findings.append(
            Finding(removed.rule, removed.severity, "guest.machine", removed.message)
        )
    if isinstance(host, list) and len(host) == 1:
        host = host[0]
    if isinstance(host, list):
        _hosts(answers, plan, host, out, host_is_target)
    elif host is not None:
        _host(answers, plan, host, out, host_is_target)
        if host_is_target and host.se_ap:
            _se_ap_allowed(answers, out)
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(out.findings, key=lambda f: order[f.severity])


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


# --- guest -----------------------------------------------------------------------------


def _guest(a: Answers, plan: Plan, out: _Collector, stack: Stack = DEFAULT_STACK) -> None:
    g = a.guest
    if not g.name:
        out.error("guest-name", "guest.name", "a guest name is required")
    elif not GUEST_NAME.fullmatch(g.name):
        out.error(
            "guest-name",
            "guest.name",
            f"'{g.name}' cannot be used: it names the libvirt domain and the output file, so "
            "use 1-64 of letters, digits, '_', '.', '+', '-', not starting with '.', '-' or '+'",
        )
    if g.uuid is not None and not is_uuid(g.uuid):
        out.error("uuid", "guest.uuid", f"'{g.uuid}' is not a UUID (8-4-4-4-12 hex digits)")
    if g.os not in SUPPORTED_OS:
        out.warn(
            "guest-os",
            "guest.os",
            f"'{g.os}' is not supported by Red Hat on IBM Z (only RHEL 7, 8 and 9 are)",
        )
    if g.smbios:
        out.error("no-smbios", "guest.smbios", "SMBIOS is not available on IBM Z")
    if g.machine is not None and machine_problem(S390_ARCH, g.machine) is not None:
        out.error("s390-machine", "guest.machine", f"'{g.machine}' is no {S390_MACHINE} machine")

    if not 1 <= g.vcpus <= MAX_VCPUS:
        out.error(
            "vcpus", "guest.vcpus", f"{g.vcpus} vCPUs: IBM Z guests have 1 to {MAX_VCPUS} vCPUs"
        )
    # s390-ccw-virtio (>= 5.0) gives exactly the size asked: no rounding to warn about
    # (only machine types up to 4.2 rounded; hw/s390x/sclp.c fixup_ram_size).
    if g.memory_mib < 1:
        out.error("memory", "guest.memory_mib", f"{g.memory_mib} MiB is not a memory size")
    elif g.memory_mib > MAX_MEMORY_MIB:
        out.error(
            "memory",
            "guest.memory_mib",
            f"{g.memory_mib} MiB is more than libvirt can hold ({MAX_MEMORY_MIB} MiB at most)",
        )
    for key in ("on_poweroff", "on_reboot", "on_crash"):
        action, refused = getattr(g, key), QEMU_REFUSED_LIFECYCLE[key]
        if action in refused:
            usable = ", ".join(x for x in LIFECYCLE_ACTIONS[key] if x not in refused)
            out.error(
                "lifecycle",
                f"guest.{key}",
                f"{key} = '{action}': libvirt's QEMU driver refuses it at define "
                f"(\"qemu driver doesn't support the '{action}' action\"); use {usable}",
            )
    if g.on_poweroff == "restart" and g.on_reboot == "destroy":
        out.error(
            "lifecycle",
            "guest.on_reboot",
            "on_reboot = 'destroy' with on_poweroff = 'restart': libvirt's QEMU driver refuses "
            "the pair at define (\"qemu driver doesn't support 'onReboot' set to 'destroy and "
            "'onPoweroff' set to 'reboot'\"); change one of them",
        )
    if g.memory_mib < 1024 and g.os in SUPPORTED_OS and g.memory_mib >= 1:
        out.warn(
            "memory",
            "guest.memory_mib",
            f"{g.memory_mib} MiB is below what the {SUPPORTED_OS[g.os]} installer needs "
            "(at least 1024 MiB; 2048 or more recommended)",
        )
    if a.memory.hotplug and not stack.allows("virtio-mem"):
        out.error(
            "no-mem-hotplug",
            "memory.hotplug",
            "memory cannot be added to a running guest on IBM Z, so there is no maxMemory "
            f"(virtio-mem {stack.verdict('virtio-mem')})",
        )
    elif a.memory.hotplug:
        out.warn(
            "no-mem-hotplug",
            "memory.hotplug",
            f"virtio-mem-ccw can add memory to a running guest on {stack.describe()}, but "
            "Red Hat's document does not support memory hot-plug on IBM Z, and zwizard "
            "writes no virtio-mem device: add one with virsh attach-device after define",
        )


def _kernel(a: Answers, plan: Plan, out: _Collector) -> None:
    """Direct kernel boot. QEMU starts the kernel itself at a cold start: the firmware
    runs only when no kernel is given or the guest re-IPLs a device
    (hw/s390x/ipl.c s390_ipl_prepare_cpu), so device boot orders and PXE do not apply."""
    k = a.kernel
    if k is None:
        return
    for key in ("path", "initrd"):
        value = getattr(k, key)
        if key == "path" and not value:
            out.error("kernel-boot", "kernel.path", "a direct kernel boot needs the kernel's path")
        elif value is not None and not value.startswith("/"):
            out.error(
                "kernel-boot",
                f"kernel.{key}",
                f"'{value}' must be an absolute host path (libvirt hands it to QEMU as given)",
            )
    if a.pxe.enabled:
        out.error(
            "kernel-boot",
            "pxe.enabled",
            "with a direct kernel boot QEMU starts that kernel itself: the firmware that would "
            "fetch the PXE files never runs; put the installer's arguments in kernel.cmdline "
            "or leave [kernel] out",
        )
    elif plan.boot:
        out.note(
            "kernel-boot",
            "kernel.path",
            f"QEMU starts the kernel, not {plan.first_boot}: device boot orders apply only "
            "when the guest re-IPLs a device",
        )


# --- CPU -------------------------------------------------------------------------------


def _cpu(a: Answers, plan: Plan, out: _Collector) -> None:
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


# QEMU property names (target/s390x/cpu_features_def.h.inc): letters, digits and '-'
CPU_FEATURE = Pattern(r"[a-z0-9][a-z0-9_.-]*")


def _topology(a: Answers, plan: Plan, out: _Collector) -> None:
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


def _graphics(a: Answers, plan: Plan, out: _Collector) -> None:
    g = a.graphics
    if not g.vnc:
        return
    out.note(
        "graphics",
        "graphics.vnc",
        "VNC shows the guest once its kernel drives virtio-gpu-ccw; the installer and the "
        "boot menu stay on the SCLP console (virsh console)",
    )
    if not g.listen:
        out.note(
            "graphics",
            "graphics.listen",
            "no address given: VNC listens where the host's libvirt says (vnc_listen in "
            "/etc/libvirt/qemu.conf, 127.0.0.1 unless changed there)",
        )
    elif g.listen in ("0.0.0.0", "::"):
        out.warn(
            "graphics",
            "graphics.listen",
            f"listening on {g.listen} with no VNC password opens the guest's screen to the "
            "network; keep 127.0.0.1 and use an SSH tunnel (virsh domdisplay shows the port)",
        )


# libvirt's bitmap syntax (virBitmapParse): N, N-M and ^N, comma-separated
CPUSET = Pattern(r"\^?[0-9]+(-[0-9]+)?(,\^?[0-9]+(-[0-9]+)?)*")  # ASCII: \d takes '٣' too


def _tuning(a: Answers, plan: Plan, out: _Collector) -> None:
    """I/O threads, cputune pinning and memtune limits, as libvirt 9.0 takes them (seen)."""
    cpu, mem = a.cpu, a.memory
    if a.guest.iothreads is not None and a.guest.iothreads < 0:
        count = a.guest.iothreads
        out.error("iothreads", "guest.iothreads", f"{count} I/O threads: give 0 or more")
    for index, cpuset in cpu.pinning.items():
        path = f"cpu.pinning.{index}"
        if not index.isdigit() or int(index) >= a.guest.vcpus:
            out.error(
                "cpu-pinning",
                path,
                f"vCPU '{index}' does not exist (vCPUs 0 to {a.guest.vcpus - 1}): libvirt drops "
                "such a vcpupin at define without a word",
            )
        if not CPUSET.fullmatch(cpuset):
            out.error(
                "cpu-pinning",
                path,
                f"'{cpuset}' is not a set of host CPUs: N, N-M or ^N, comma-separated (libvirt: "
                '"Failed to parse bitmap")',
            )
    if a.vsock is not None and a.vsock.cid is not None and a.vsock.cid < 3:
        out.error(
            "vsock", "vsock.cid", f"context id {a.vsock.cid}: libvirt: guest CIDs must be >= 3"
        )
    for index, cpuset in cpu.iothread_pinning.items():
        path = f"cpu.iothread_pinning.{index}"
        if not index.isdigit() or not 1 <= int(index) <= (a.guest.iothreads or 0):
            out.error("cpu-pinning", path, f"I/O thread '{index}' does not exist (guest.iothreads)")
        if not CPUSET.fullmatch(cpuset):
            out.error("cpu-pinning", path, f"'{cpuset}' is not a set of host CPUs")
    if cpu.emulator_pinning is not None and not CPUSET.fullmatch(cpu.emulator_pinning):
        out.error(
            "cpu-pinning",
            "cpu.emulator_pinning",
            f"'{cpu.emulator_pinning}' is not a set of host CPUs: N, N-M or ^N, comma-separated",
        )
    for key in ("hard_limit_mib", "soft_limit_mib", "swap_hard_limit_mib"):
        value = getattr(mem, key)
        if value is not None and value < 1:
            out.error("memtune", f"memory.{key}", f"{value} MiB: give 1 or more, or leave it out")
    hard, swap = mem.hard_limit_mib, mem.swap_hard_limit_mib
    if swap is not None and hard is None:
        out.error(
            "memtune",
            "memory.swap_hard_limit_mib",
            "swap_hard_limit is memory plus swap above hard_limit, so it needs hard_limit_mib "
            'too (libvirt at start, seen with 9.0: "Invalid value … for '
            "'memory.memsw.limit_in_bytes'\" while the memory limit is unlimited)",
        )
    if hard is not None and swap is not None and swap <= hard:
        out.error(
            "memtune",
            "memory.swap_hard_limit_mib",
            f"swap_hard_limit {swap} MiB must be more than hard_limit {hard} MiB (it is memory "
            "plus swap; libvirt's memtune documentation)",
        )
    if hard is not None and hard >= 1 and hard <= a.guest.memory_mib:
        out.warn(
            "memtune",
            "memory.hard_limit_mib",
            f"hard_limit {hard} MiB is not above the guest's {a.guest.memory_mib} MiB: QEMU "
            "needs that plus its own memory, and the kernel kills it at the limit",
        )


def _console_memory(a: Answers, plan: Plan, out: _Collector) -> None:
    if a.console.log is not None and not a.console.log.startswith("/"):
        out.error(
            "console-log",
            "console.log",
            f"'{a.console.log}' must be an absolute host path (virtlogd writes it as given)",
        )
    if a.console.log is not None and not a.console.sclp:
        out.error(
            "console-log",
            "console.log",
            "the log is the SCLP console's, and console.sclp = false leaves the guest none: "
            "turn the console on or leave out the log",
        )
    mem = a.memory
    for key in ("balloon_autodeflate", "balloon_stats_period"):
        if getattr(mem, key) is not None and not plan.balloon:
            out.error(
                "se-no-memstats" if a.secure_execution.enabled else "memory",
                f"memory.{key}",
                f"memory.{key} sets the balloon, and this guest has none"
                + (" (Secure Execution)" if a.secure_execution.enabled else ""),
            )
    if mem.balloon_stats_period is not None and mem.balloon_stats_period < 1:
        out.error(
            "memory",
            "memory.balloon_stats_period",
            f"{mem.balloon_stats_period} s: give 1 or more seconds, or leave it out for no "
            "statistics (libvirt's schema takes a positive period)",
        )


def _older(model: str, than: str) -> bool:
    """CPU_MODELS lists QEMU's models oldest first."""
    return CPU_MODELS.index(model) < CPU_MODELS.index(than)


def _cpu_model(model: str | None, out: _Collector) -> None:
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


# --- disks, NICs, addresses, boot --------------------------------------------------------


def _addresses(a: Answers, plan: Plan, out: _Collector) -> None:
    given: dict[str, str] = {
        path: item.ccw for _, path, item in entries(a) if getattr(item, "ccw", None) is not None
    }
    given.update(a.addresses)  # the devices without a list: keyed as in plan.ccw

    def key(path: str) -> str:  # the answers key a bus-id was given at
        return f"addresses.{path}" if path in a.addresses else f"{path}.ccw"

    for path in a.addresses:
        if not ADDRESSED.fullmatch(path):
            out.error("ccw-address", key(path), f"no device '{path}' takes an address here")
    for path, text in given.items():
        addr = parse_ccw(text)
        if addr is None:
            out.error(
                "ccw-address",
                key(path),
                f"'{text}' is not a ccw bus-id; write it as fe.0.0001 (cssid.ssid.devno, hex)",
            )
        elif addr.ssid > 3:
            out.error("ccw-address", key(path), f"ssid {addr.ssid:x} is out of range 0-3")
        elif addr.cssid != VIRTUAL_CSSID:
            out.error(
                "ccw-address",
                key(path),
                f"'{text}': virtio devices live in channel subsystem fe "
                f"(e.g. fe.0.{addr.devno:04x})",
            )
    seen: dict[Any, str] = {}
    for path, addr in plan.ccw.items():
        if addr in seen:
            where = key(path) if path in given else key(seen[addr])
            out.error(
                "ccw-address",
                where,
                f"ccw address {addr.busid} is used by both {seen[addr]} and {path}",
            )
        else:
            seen[addr] = path


# the [addresses] keys: devices without an answers list of their own (plan.ccw's keys)
ADDRESSED = Pattern(
    r"memballoon|rng|vsock|keyboard|mouse|scsi-controller|virtio-serial-controller|video([2-9]|[1-9]\d+)?"
)


def _boot(a: Answers, plan: Plan, out: _Collector, stack: Stack = DEFAULT_STACK) -> None:
    devices = [(path, item) for kind, path, item in entries(a) if kind.boots]
    orders: dict[int, list[str]] = {}
    for path, dev in devices:
        order = dev.boot_order
        if order is not None:
            if order < 1:
                out.error(
                    "boot-order",
                    f"{path}.boot_order",
                    f"boot order {order}: orders start at 1 (libvirt refuses zero and below)",
                )
            elif order > MAX_BOOT_ORDER:
                out.error(
                    "boot-order",
                    f"{path}.boot_order",
                    f"boot order {order}: libvirt keeps it in an unsigned int "
                    f"(at most {MAX_BOOT_ORDER})",
                )
            orders.setdefault(order, []).append(path)
        if dev.loadparm is not None:
            _loadparm(dev.loadparm, path, a, plan, out, stack)
    if not plan.boot and not a.pxe.enabled and a.kernel is None:
        out.warn(
            "boot-order",
            "disks",
            "nothing to boot from: no disk and no vfio-ccw DASD, and no network interface "
            "has a boot order (the guest would start and stop at once)",
        )
    for order, paths in orders.items():
        if len(paths) > 1:
            for path in paths[1:]:
                out.error(
                    "boot-order",
                    f"{path}.boot_order",
                    f"boot order {order} is already used by {paths[0]}; each device needs its own",
                )


def _loadparm(value: str, path: str, a: Answers, plan: Plan, out: _Collector, stack: Stack) -> None:
    per_device = stack.allows("per-device-loadparm")
    lp = f"{path}.loadparm"
    if not LOADPARM.fullmatch(value.upper()):
        out.error(
            "loadparm",
            lp,
            f"loadparm '{value}' must be 1 to 8 characters of A-Z, 0-9, '.' and blank "
            "(PROMPT shows the boot menu, 1-31 pick an entry)",
        )
    elif path not in plan.boot:
        out.error("loadparm", lp, "a loadparm needs a boot order on the same device")
    elif plan.first_boot != path and not per_device:
        out.warn(
            "loadparm",
            lp,
            f"libvirt uses only the loadparm of the device that boots first ({plan.first_boot}); "
            f"this one is ignored (a loadparm per device {stack.verdict('per-device-loadparm')})",
        )
    elif path.startswith("passthrough[") and not per_device:
        out.warn(
            "loadparm",
            lp,
            "libvirt 9.0 and older pass only a disk's or interface's loadparm to QEMU "
            "(-machine loadparm=) and drop this vfio-ccw one without a word; newer libvirt "
            "passes it (qemuAppendLoadparmMachineParm). On such a host, choose the zipl "
            f"entry inside the guest (zipl.conf default) instead; judged on {stack.describe()}",
        )
    elif path.startswith("nics[") and a.pxe.enabled and value.strip().isdigit():
        entry = int(value)
        if entry > 1:
            out.error(
                "loadparm",
                lp,
                f"loadparm {value} on the netbooting NIC selects pxelinux entry {entry}, but "
                f"the file has one label ('{a.pxe.label}'): current s390 firmware "
                "(pc-bios/s390-ccw/netmain.c) aborts; QEMU 7.2 ignores it. Leave it empty",
            )


# --- rules that follow the stack's versions (zwizard.stack_versions) -------------------


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


# --- text ----------------------------------------------------------------------------

# The one key whose text may span lines (it is an XML element's text); every other value
# lands in an attribute, a one-line element or a pxelinux line. libvirt itself refuses a
# newline in <title> ("Domain title can't contain newlines").
MULTILINE_KEYS = ("guest.description",)


def _text(a: Answers, plan: Plan, out: _Collector) -> None:
    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, str):
            bad = bad_character(obj, newlines=path in MULTILINE_KEYS)
            if bad:
                out.error(
                    "text",
                    path,
                    f"{obj!r} holds a character that cannot be written ({bad}): control "
                    "characters are refused" + ("" if path in MULTILINE_KEYS else
                                                ", and line breaks outside description"),
                )  # fmt: skip
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, f"{path}[{i}]")
        elif is_record(obj):
            for f in fields(obj):
                walk(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name)

    walk(a, "")


# --- watchdog, clock, memory, rng --------------------------------------------------------


def _devices(a: Answers, plan: Plan, out: _Collector) -> None:
    if a.watchdog is not None and a.watchdog.model != "diag288":
        out.error(
            "watchdog-diag288",
            "watchdog.model",
            f"'{a.watchdog.model}' is a PC (PCI/ISA) watchdog; IBM Z guests use diag288",
        )
    for i, timer in enumerate(a.clock.timers):
        out.error(
            "no-kvmclock",
            f"clock.timers[{i}]",
            f"timer '{timer}' is x86-only (like kvm-clock); IBM Z guests need no timer setup",
        )


# --- passthrough -----------------------------------------------------------------------


# --- Secure Execution --------------------------------------------------------------------


def _secure_execution(a: Answers, plan: Plan, out: _Collector) -> None:
    if not a.secure_execution.enabled:
        return
    se = "with Secure Execution"
    if a.guest.domain_type != "kvm":
        out.error(
            "se-launch",
            "guest.domain_type",
            "Secure Execution needs KVM on an IBM Z host (z15 or newer); emulation cannot run it",
        )
    model = a.cpu.model
    if a.cpu.mode == "custom" and model in CPU_MODELS and _older(model, "gen15a"):
        out.error(
            "se-launch",
            "cpu.model",
            f"{se} the CPU model needs the 'unpack' facility, which starts with gen15a (z15); "
            f"'{model}' lacks it — use host-model",
        )
    elif a.cpu.mode in ("host-passthrough", "maximum"):
        out.warn(
            "se-launch",
            "cpu.mode",
            f"{se} QEMU needs a CPU with 'unpack': {a.cpu.mode} has it on an SE-capable host, "
            "but host-model is the mode the libvirt Secure Execution guide uses",
        )
    for kind, path, item in entries(a):
        what = kind.se_forbidden(item)
        if what:
            out.error(
                "se-no-vfio",
                path,
                f"{se} no device can be passed through (vfio), so this {what} must go",
            )
    _se_image_keys(a, out)
    if a.memory.balloon:
        out.error("se-no-balloon-rng", "memory.balloon", f"{se} there is no memballoon")
    if a.rng.enabled:
        out.error("se-no-balloon-rng", "rng.enabled", f"{se} there is no virtio-rng device")
    if a.memory.hugepages:
        out.error(
            "se-no-hugepages", "memory.hugepages", f"{se} memory cannot be backed by huge pages"
        )
    if a.guest.vcpus > SE_MAX_VCPUS:
        out.error(
            "se-max-vcpus",
            "guest.vcpus",
            f"{se} a guest has at most {SE_MAX_VCPUS} vCPUs, not {a.guest.vcpus}",
        )
    for rule, text in SE_NOTES.items():
        out.note(rule, "secure_execution", f"{se} {text}")


def _hosts(a: Answers, plan: Plan, hosts: list[HostInfo], out: _Collector, target: bool) -> None:
    """The guest judged against every host it may run on: each host's findings name it;
    a custom CPU model some host cannot run is one error that offers the newest model
    all of them run (the seed's migration rule), and differing machine types and
    host-model CPUs are said (rule hosts-common)."""
    from zwizard.host import machine_version
    from zwizard.hosts import common_ground

    ground = common_ground(hosts)
    for h in hosts:
        if not h.reachable:
            out.warn(
                "hosts-common", "guest", f"{h.label} was not judged: {'; '.join(h.unavailable)}"
            )
            continue
        sub = _Collector()
        _host(a, plan, h, sub, target)
        for f in sub.findings:
            if f.rule == "host-cpu-model":
                continue  # said once below, for all hosts, with the model they share
            out.findings.append(Finding(f.rule, f.severity, f.path, f"on {h.label}: {f.message}"))
    reachable = [h for h in hosts if h.reachable]
    if target and reachable and all(h.se_ap for h in reachable):
        _se_ap_allowed(a, out)  # AP in a secure guest only where every host allows it
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


def _se_ap_allowed(a: Answers, out: _Collector) -> None:
    """Rule se-no-vfio as the seed states it holds unless the host gives AP queues to
    secure guests: host-model with QEMU's 'appv' (UV feature BIT_UV_FEAT_AP, z16 and
    later; Linux arch/s390/include/asm/uv.h, QEMU target/s390x/cpu_features_def.h.inc).
    There a vfio-ap device may stay; the guest binds its queues (zwizard prepare)."""
    ap = {f"passthrough[{i}]" for i, p in enumerate(a.passthrough) if p.type == "vfio-ap"}
    kept = [f for f in out.findings if not (f.rule == "se-no-vfio" and f.path in ap)]
    if len(kept) == len(out.findings):
        return
    out.findings[:] = kept
    for path in sorted(ap):
        out.note(
            "se-no-vfio",
            path,
            "this host gives AP queues to Secure Execution guests (its CPU has 'appv', z16 or "
            "later): the crypto device stays; the guest binds its queues (zwizard prepare)",
        )


def _se_image_keys(a: Answers, out: _Collector) -> None:
    """The files the secure image is built from are paths where its script runs (the
    guest): absolute, so the script finds them from any folder."""
    se = a.secure_execution
    for key in ("host_key_documents", "certificates", "crls"):
        for j, value in enumerate(getattr(se, key)):
            if not value.startswith("/"):
                out.error(
                    "se-image",
                    f"secure_execution.{key}[{j}]",
                    f"'{value}' must be an absolute path (where the image script runs)",
                )
    if not se.image.startswith("/"):
        out.error("se-image", "secure_execution.image", f"'{se.image}' must be an absolute path")
    if se.no_verify:
        out.warn(
            "se-image",
            "secure_execution.no_verify",
            "the host-key documents are not verified (--no-verify): an image for a forged key "
            "would not be noticed; only for tests",
        )


# --- PXE -------------------------------------------------------------------------------


def _pxe(a: Answers, plan: Plan, out: _Collector) -> None:
    pxe = a.pxe
    if not pxe.enabled:
        return
    if not a.nics:
        out.error("pxe-config", "pxe.enabled", "PXE needs a network interface to boot from")
    elif plan.boot_nic() is None:
        out.error(
            "pxe-config",
            "nics",
            "no network interface has a boot order, so the firmware never tries the network; "
            "give the installing NIC a boot_order",
        )
    elif plan.first_boot != f"nics[{plan.boot_nic()}]":
        out.warn(
            "pxe-config",
            f"nics[{plan.boot_nic()}].boot_order",
            f"{plan.first_boot} boots first; QEMU before 9.2 tries only the first boot device, "
            "so the network install starts only once that device fails to boot",
        )
    if not pxe.per_mac and not pxe.write_default:
        out.error(
            "pxe-config",
            "pxe.write_default",
            "with per_mac and write_default both off no PXE file would be written",
        )
    for key in ("kernel", "initrd", "label"):
        value = getattr(pxe, key)
        if not value or any(c.isspace() for c in value):
            out.error("pxe-config", f"pxe.{key}", f"{key} must be a non-empty word, not {value!r}")
        elif key != "label" and "://" in value:
            out.error(
                "pxe-config",
                f"pxe.{key}",
                f"'{value}' is a URL, but the s390 firmware fetches the {key} over TFTP: give "
                "its path relative to the TFTP root (e.g. rhel9/vmlinuz)",
            )
        elif key != "label" and (why := tftp_path_problem(value)) is not None:
            out.error("pxe-config", f"pxe.{key}", f"{key} '{value}': {why}")
        elif key != "label" and len(value.encode()) > PXE_PATH_MAX:
            out.error(
                "pxe-config",
                f"pxe.{key}",
                f"the {key} path is {len(value.encode())} bytes; the firmware's TFTP file name "
                f"holds at most {PXE_PATH_MAX} (SLOF lib/libnet/tftp.h) and would cut it",
            )
    if (why := tftp_root_problem(pxe.tftp_root)) is not None:
        out.error("pxe-config", "pxe.tftp_root", f"tftp_root '{pxe.tftp_root}': {why}")
    for key in ("repo", "kickstart"):
        value = getattr(pxe, key)
        if value is not None and '"' in value:
            out.error(
                "pxe-config",
                f"pxe.{key}",
                f"'{value}' holds '\"': the kernel reads a quote as the start of a quoted "
                "argument (lib/cmdline.c), so the arguments after it would join this one",
            )
    _credentials(a, out)
    if pxe.repo is not None and repo_form(pxe.repo) is None:
        fix = repo_suggestion(pxe.repo)
        hint = f"; did you mean {fix}?" if fix else ""
        out.error(
            "pxe-config",
            "pxe.repo",
            f"'{pxe.repo}' is not an installation source anaconda reads (inst.repo= forms: "
            f"{REPO_FORMS}){hint}",
        )
    if pxe.kickstart is not None and not kickstart_ok(pxe.kickstart):
        out.error(
            "pxe-config",
            "pxe.kickstart",
            f"'{pxe.kickstart}' is not a kickstart location anaconda reads (inst.ks= forms: "
            f"{KS_FORMS})",
        )
    if pxe.ip not in ("dhcp", "static", "dhcp6", "auto6") and ":" not in pxe.ip:
        out.error(
            "pxe-config",
            "pxe.ip",
            f"ip '{pxe.ip}': use dhcp, dhcp6, auto6, static (with pxe.address …) or dracut's "
            "own form <address>::<gateway>:<netmask>:<hostname>:<interface>:none",
        )
    elif plan.static_problem:
        where = "pxe.ip" if pxe.ip != "static" else "pxe.address"
        out.error("pxe-config", where, plan.static_problem)
    elif plan.static_ip is not None:
        _static_address(pxe, plan.static_ip, out)
    _install_names(a, plan.static_ip, out)
    _nameservers(pxe, plan.static_ip, out)
    if pxe.extra_args is not None:
        _extra_args(pxe, out)
    line = append_line(a, plan)
    if len(line) > PXE_APPEND_MAX:
        out.error(
            "pxe-config",
            "pxe",
            f"the append line is {len(line)} characters; the kernel command line allows "
            f"{PXE_APPEND_MAX}",
        )
    size = len(render_pxe(a, plan).encode())
    if size > PXE_FILE_MAX:
        out.error(
            "pxe-config",
            "pxe",
            f"the pxelinux file would be {size} bytes; "
            f"the s390 firmware reads at most {PXE_FILE_MAX}",
        )


def _credentials(a: Answers, out: _Collector) -> None:
    """A user and password in a URL are written in clear: said, with where they go."""
    from urllib.parse import urlsplit

    for key in ("repo", "kickstart"):
        value = getattr(a.pxe, key)
        try:
            parts = urlsplit(value) if value and "://" in value else None
        except ValueError:
            parts = None
        if parts is None or (parts.username is None and parts.password is None):
            continue
        shown = value.replace(parts.netloc, "***@" + parts.netloc.rpartition("@")[2], 1)
        where = "pxelinux.cfg/* (which TFTP serves to anyone on that network)"
        if key == "repo":
            where += f", {a.guest.name}.prepare.sh (the curl that fetches the kernel)"
        out.warn(
            "pxe-config",
            f"pxe.{key}",
            f"'{shown}' carries a user name or password: it is written in clear into {where} "
            "and the answers and drafts that hold it (mode 0600); prefer a source that needs "
            "none on the install network",
        )


def _install_names(a: Answers, st: StaticIp | None, out: _Collector) -> None:
    """The host name and interface of ip= (its own keys, or the fields of dracut's form):
    each one the installer keeps, so no value can add an ip= field or an argument."""
    pxe = a.pxe
    names = [("pxe.hostname", pxe.hostname, "host"), ("pxe.interface", pxe.interface, "if")]
    if st is not None and pxe.ip != "static":
        names += [("pxe.ip", st.hostname, "host"), ("pxe.ip", st.interface, "if")]
    for path, value, what in names:
        if value is None:
            continue
        if what == "host" and not hostname_ok(value):
            out.error(
                "pxe-config",
                path,
                f"host name '{value}' is not one the installer keeps: {HOSTNAME_FORM}; "
                "NetworkManager's initrd reader drops it",
            )
        elif what == "if" and not ifname_ok(value):
            out.error(
                "pxe-config",
                path,
                f"interface '{value}' is not a kernel interface name: {IFNAME_FORM}",
            )
    if st is not None and not (st.hostname or pxe.hostname) and not hostname_ok(a.guest.name):
        out.error(
            "pxe-config",
            "pxe.hostname",
            f"the static ip= takes the guest's name '{a.guest.name}' as the host name, but "
            f"the installer keeps only {HOSTNAME_FORM}: set pxe.hostname",
        )


def _static_address(pxe: Pxe, st: StaticIp, out: _Collector) -> None:
    """The address, netmask (IPv6: prefix length), gateway, MTU and MAC of a static ip=,
    each one RHEL 9's initrd (NetworkManager's nm-initrd-generator) reads as written."""
    in_ip = pxe.ip != "static"
    family = 6 if st.ipv6 else 4
    valid = True
    for key, value in (("address", st.address), ("gateway", st.gateway)):
        where = "pxe.ip" if in_ip else f"pxe.{key}"
        if value is None and key == "gateway":
            # dracut.cmdline(7) leaves it optional, and NetworkManager's initrd reader
            # makes the address without a default route [seen]: a flat install LAN
            if st.address:
                out.warn(
                    "pxe-config",
                    where,
                    f"no gateway: the installer reaches only the subnet of {st.address} "
                    "(the install source must be there)",
                )
        elif value is None:
            out.error("pxe-config", where, f"a static address needs its {key}")
            valid = False
        elif (why := ip_problem(value, family)) is not None:
            mixed = f" like the address {st.address}" if key == "gateway" else ""
            out.error("pxe-config", where, f"{key} {why}{mixed}")
            valid = False
    where = "pxe.ip" if in_ip else "pxe.netmask"
    if st.netmask is None:
        what = "prefix length (/64)" if family == 6 else "netmask"
        out.error("pxe-config", where, f"a static address needs its {what}")
        valid = False
    elif family == 6:
        if not (st.netmask.isascii() and st.netmask.isdigit() and int(st.netmask) <= 128):
            out.error(
                "pxe-config",
                where,
                f"'{st.netmask}': an IPv6 address takes a prefix length 0-128 there, "
                "not a netmask (dracut.cmdline(7))",
            )
            valid = False
    elif (why := netmask_problem(st.netmask)) is not None:
        out.error("pxe-config", where, why)
        valid = False
    if valid and st.address and st.gateway and st.netmask:
        if (why := gateway_problem(st.address, st.netmask, st.gateway)) is not None:
            out.error("pxe-config", "pxe.ip" if in_ip else "pxe.gateway", why)
    if st.mtu is not None and (why := mtu_problem(st.mtu)) is not None:
        out.error("pxe-config", "pxe.ip", why)
    if st.macaddr is not None and (why := mac_problem(st.macaddr)) is not None:
        out.error("pxe-config", "pxe.ip", why)


# resolv.conf(5): "Up to MAXNS (currently 3) name servers may be listed"; glibc's resolver
# asks only those.
RESOLV_MAXNS = 3


def _nameservers(pxe: Pxe, st: StaticIp | None, out: _Collector) -> None:
    """Each name server an address; each of a family the installer configures:
    NetworkManager's initrd reader files a server under its family and drops it when
    ip= leaves that family disabled (a static IPv4 ip= disables IPv6, dhcp6 and auto6
    disable IPv4)."""
    servers = nameservers(pxe)
    if st is not None:
        families = {6} if st.ipv6 else {4}
        method = f"the static IPv{6 if st.ipv6 else 4} ip="
    else:
        families = {6} if pxe.ip in ("dhcp6", "auto6") else {4, 6}
        method = f"ip={pxe.ip}"
    seen: set[str] = set()
    for i, server in enumerate(servers):
        path = "pxe.nameserver" if isinstance(pxe.nameserver, str) else f"pxe.nameserver[{i}]"
        if (why := ip_problem(server)) is not None:
            out.error("pxe-config", path, f"name server {why}")
            continue
        version = 6 if ":" in server else 4
        if version not in families:
            out.error(
                "pxe-config",
                path,
                f"name server {server} is IPv{version}, but {method} leaves IPv{version} "
                "off: the installer's NetworkManager drops the server (nm-initrd-generator); "
                f"give an IPv{6 if version == 4 else 4} name server",
            )
        elif server.lower() in seen:
            out.error("pxe-config", path, f"name server {server} is listed twice")
        seen.add(server.lower())
    if len(servers) > RESOLV_MAXNS:
        out.warn(
            "pxe-config",
            "pxe.nameserver",
            f"{len(servers)} name servers: the installer's resolver asks only the first "
            f"{RESOLV_MAXNS} (MAXNS, resolv.conf(5))",
        )


# Options zwizard writes from their own keys; a second copy in extra_args would leave the
# installer with two (dracut configures an interface per ip=, anaconda keeps one repo).
_OWN_ARGS = {"ip": "pxe.ip", "inst.repo": "pxe.repo", "inst.ks": "pxe.kickstart",
             "nameserver": "pxe.nameserver"}  # fmt: skip


def _extra_args(pxe: Any, out: _Collector) -> None:
    for word in pxe.extra_args.split():
        name = word.split("=", 1)[0]
        if name == "initrd":
            out.error(
                "pxe-config",
                "pxe.extra_args",
                "initrd= in append is not honoured by the s390 firmware; set pxe.initrd",
            )
        elif name in _OWN_ARGS and "=" in word:
            own = _OWN_ARGS[name]
            # ip= is always written; the others only when their key is set
            if name == "ip" or lookup(pxe, own.removeprefix("pxe.")) is not None:
                out.error(
                    "pxe-config",
                    "pxe.extra_args",
                    f"'{word}': {name}= is written from {own} already, and two would leave "
                    f"the installer to pick one; set {own} instead (dracut's static ip= "
                    "form is accepted there)",
                )


# --- this host (zwizard.host) -------------------------------------------------------------


def _host(a: Answers, plan: Plan, host: HostInfo, out: _Collector, target: bool) -> None:
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
    judge = HostJudge(out, target)
    for kind in KINDS:
        if kind.check_host is not None:
            kind.check_host(a, host, judge)


_RULE_GROUPS = (
    _text,
    _guest,
    _cpu,
    *(kind.check for kind in KINDS),  # each device kind's own rules
    _addresses,
    _boot,
    _devices,
    _secure_execution,
    _pxe,
    _kernel,
    _topology,
    _console_memory,
    _graphics,
    _tuning,
)


# --- availability for front ends ---------------------------------------------------------

# Things no answers key can ask for, because IBM Z has none of them; front ends show
# them greyed with this reason (and `zwizard check` finds them in imported XML).
NEVER_AVAILABLE = {
    "usb": ("ccw-only", "IBM Z has no virtual USB devices"),
    "virtio-pci": ("ccw-only", "IBM Z has no virtual PCI devices; virtio devices are virtio-ccw"),
    "graphical-console": (
        "graphics",
        "libvirt 9.0 and QEMU 7.2 accept VNC with virtio-gpu-ccw and virtio input on s390x, "
        "but RHEL on IBM Z is run from the SCLP console (virsh console)",
    ),
    "video": (
        "ccw-only",
        "only virtio video (virtio-gpu-ccw) exists on IBM Z; VGA, QXL and "
        "Cirrus are PCI or ISA devices",
    ),
    "parallel": (
        "ccw-only",
        "parallel ports are PC ISA devices (libvirt: parallel ports are not supported)",
    ),
    "v2v": ("no-v2v", "virt-v2v and virt-p2v are not available on IBM Z; use zwizard convert"),
    "os-boot-dev": (
        "boot-order",
        "<os><boot dev> is not supported on IBM Z; the boot order is set per device",
    ),
    "x86-features": (
        "no-x86-features",
        "ACPI, APIC, PAE, VMport, Hyper-V and SMM are x86 features; IBM Z has none of them",
    ),
    "uefi": ("s390-machine", "IBM Z guests boot with the s390-ccw firmware; there is no UEFI"),
    "pci-controller": ("ccw-only", "IBM Z has no virtual PCI bus; devices sit on the ccw bus"),
    "ps2": ("ccw-only", "PS/2 input devices sit on the PC's ISA bus; IBM Z has none"),
    "sound": ("ccw-only", "sound cards are PCI or USB devices, which IBM Z does not have"),
}


@record(frozen=True)
class Availability:
    """Whether a choice is allowed now; `reasons` say why not (or what to mind)."""

    allowed: bool
    reasons: tuple[Finding, ...] = ()

    @property
    def reason(self) -> str:
        return self.reasons[0].message if self.reasons else ""

    @property
    def rule(self) -> str:
        return self.reasons[0].rule if self.reasons else ""


def availability(
    answers: Answers,
    path: str,
    value: Any,
    baseline: list[Finding] | None = None,
    host: HostInfo | None = None,
    host_is_target: bool = True,
) -> Availability:
    """Would setting `path` to `value` break a rule that holds now?

    `path` is a key path (`cpu.mode`, `passthrough[0].boot_order`); `list[+]`
    appends `value` to the list. Findings the answers already have do not count,
    so an unfinished form elsewhere never greys an unrelated choice. Pass
    `baseline` (= check(answers)) when asking about many choices at once.
    """
    if path in NEVER_AVAILABLE:
        rule, text = NEVER_AVAILABLE[path]
        return Availability(False, (Finding(rule, "error", path, text),))
    import copy

    from zwizard.structure import assign

    before = set(baseline if baseline is not None else check(answers, None, host, host_is_target))
    trial = copy.deepcopy(answers)
    assign(trial, path, copy.deepcopy(value))
    after = check(trial, None, host, host_is_target)
    new = [f for f in after if f not in before and f.severity != "note"]
    blocking = tuple(f for f in new if f.severity == "error")
    if blocking:
        return Availability(False, blocking)
    return Availability(True, tuple(new))
