"""Every rule the engine reports, declared once: its id (the contract with error messages,
`zwizard check` and the tests; never renamed), what it guards, the wizard steps whose F1 help
lists it, and the section of docs/rules.md that gives its source. `RULES`, each step's help
and the check of docs/rules.md are derived from this table (tests/unit/test_rules.py); the
checks that report a rule declare it themselves (`@reports`; `zwizard.rules.checks_of`).
"""

from __future__ import annotations

from zwizard.structure import record


@record(frozen=True)
class Rule:
    id: str
    summary: str
    steps: tuple[str, ...]  # the wizard steps (Step.step_id) whose F1 help lists it
    section: str  # the section of docs/rules.md that names it with its source ("8b", "10")


# Ids from ibmz-rules.md come first (section 1); the rest are the value rules of sections 2-13.
CATALOG: tuple[Rule, ...] = (
    Rule(
        "ccw-only",
        "no virtual PCI or USB devices: virtio devices are virtio-*-ccw",
        ("disks", "network", "review"),
        "1",
    ),
    Rule(
        "pci-passthrough",
        "PCI passthrough is supported, with a host address and zPCI ids",
        ("passthrough",),
        "1",
    ),
    Rule("guest-os", "Red Hat supports RHEL 7, 8 and 9 guests on IBM Z", ("guest",), "1"),
    Rule(
        "boot-order",
        "per-device <boot order>, positive and unique; never <os><boot dev>",
        ("disks", "network", "passthrough", "pxe", "review"),
        "1",
    ),
    Rule(
        "loadparm",
        "loadparm: 1-8 of A-Z 0-9 . blank, used on the first boot device",
        ("disks", "network", "passthrough", "pxe"),
        "1",
    ),
    Rule("no-mem-hotplug", "no memory hot-plug (<maxMemory>, DIMMs)", ("cpu",), "1"),
    Rule("no-numa", "no NUMA topology", ("cpu",), "1"),
    Rule("vfio-ap", "one vfio-ap crypto device at most; it cannot boot", ("passthrough",), "1"),
    Rule("vfio-ccw", "vfio-ccw DASD passthrough by mediated device UUID", ("passthrough",), "1"),
    Rule("no-smbios", "no SMBIOS", ("cpu",), "1"),
    Rule("watchdog-diag288", "the only watchdog is diag288", ("watchdog",), "1"),
    Rule("no-kvmclock", "no kvmclock or other x86 timers", ("review",), "1"),
    Rule("no-v2v", "virt-v2v and virt-p2v do not exist on IBM Z", ("review",), "1"),
    Rule(
        "cpu-migration",
        "host-model for migration; custom models without -base, not qemu/max/host",
        ("cpu",),
        "1",
    ),
    Rule("pxe-config", "a pxelinux file the s390 firmware can read", ("pxe",), "1"),
    Rule(
        "se-launch",
        "Secure Execution: <launchSecurity type='s390-pv'/>, KVM, host-model",
        ("secure",),
        "1",
    ),
    Rule("se-no-vfio", "Secure Execution: no vfio passthrough", ("passthrough", "secure"), "1"),
    Rule("se-no-memstats", "Secure Execution: no memory statistics", ("secure",), "1"),
    Rule(
        "se-no-balloon-rng",
        "Secure Execution: no memballoon, no virtio-rng",
        ("cpu", "secure"),
        "1",
    ),
    Rule("se-no-hugepages", "Secure Execution: no huge pages", ("cpu", "secure"), "1"),
    Rule("se-no-migration", "Secure Execution: no migration", ("secure",), "1"),
    Rule("se-no-save-restore", "Secure Execution: no save/restore", ("secure",), "1"),
    Rule("se-no-memory-snapshot", "Secure Execution: no memory snapshots", ("secure",), "1"),
    Rule("se-dump-memory-only", "Secure Execution: memory-only dumps", ("secure",), "1"),
    Rule("se-max-vcpus", "Secure Execution: at most 247 vCPUs", ("cpu", "secure"), "1"),
    Rule(
        "tcg-cpu",
        "under emulation (domain type qemu) only maximum or the default CPU start",
        ("guest", "cpu"),
        "9",
    ),
    Rule("guest-name", "a domain name that is also a safe file name", ("guest",), "10"),
    Rule("uuid", "a well-formed UUID", ("guest",), "10"),
    Rule("vcpus", "1 to 248 vCPUs", ("cpu",), "10"),
    Rule("memory", "a memory size the guest can install with", ("cpu",), "10"),
    Rule(
        "lifecycle",
        "on_poweroff/on_reboot/on_crash actions libvirt's QEMU driver accepts",
        ("guest",),
        "10",
    ),
    Rule(
        "text",
        "every text value can be written: no control characters, no line breaks",
        ("guest",),
        "10",
    ),
    Rule(
        "value",
        "text typed into a field is a value of the field's kind (wizard, drafts)",
        ("cpu",),
        "10",
    ),
    Rule(
        "channel",
        "virtio-serial channels with unique names (QEMU refuses a second port of a name)",
        ("watchdog",),
        "10",
    ),
    Rule("cpu-mode", "a CPU mode libvirt knows", ("cpu",), "10"),
    Rule("cpu-model", "a CPU model name QEMU s390x knows", ("cpu",), "13"),
    Rule("disk-path", "an absolute disk path", ("disks",), "10"),
    Rule("disk-format", "a disk's format is its image's own: qcow2 or raw", ("disks",), "10"),
    Rule("cdrom-bus", "CD-ROMs on virtio-scsi", ("disks",), "10"),
    Rule(
        "disk-tuning",
        "disk <driver> tuning and serial as libvirt and QEMU accept them",
        ("disks",),
        "10",
    ),
    Rule(
        "disk-lun",
        "a LUN (FCP SCSI passthrough) is a block device on virtio-scsi, sgio filtered",
        ("disks",),
        "10",
    ),
    Rule(
        "nic-tuning",
        "MTU, queues, tap name, Open vSwitch port and VLAN the host can set up",
        ("network",),
        "10",
    ),
    Rule(
        "kernel-boot",
        "direct kernel boot: absolute host paths; the firmware (and PXE) is bypassed",
        ("disks",),
        "10",
    ),
    Rule(
        "iothreads",
        "a non-negative number of I/O threads; the SCSI controller's is one of them",
        ("cpu",),
        "10",
    ),
    Rule("rng-source", "the entropy source is an absolute host path", ("watchdog",), "10"),
    Rule(
        "keywrap",
        "one <cipher> each for aes and dea (CPACF protected-key wrapping)",
        ("passthrough",),
        "10",
    ),
    Rule(
        "vcpu-topology",
        "vCPUs online at start within the maximum; sockets x cores = vCPUs",
        ("cpu",),
        "10",
    ),
    Rule("cpu-features", "CPU feature policies by QEMU name, on a CPU model", ("cpu",), "10"),
    Rule("console-log", "the console log is an absolute host path", ("watchdog",), "10"),
    Rule(
        "cpu-pinning",
        "vcpupin of existing vCPUs to host CPU sets libvirt can parse",
        ("cpu",),
        "10",
    ),
    Rule("memtune", "memtune limits: positive, swap_hard_limit above hard_limit", ("cpu",), "10"),
    Rule("vsock", "a virtio socket's guest context id is 3 or more", ("watchdog",), "10"),
    Rule(
        "share",
        "virtiofs shares: an absolute host directory, a unique tag of at most 36 bytes",
        ("passthrough",),
        "10",
    ),
    Rule(
        "disk-target",
        "unique target names; a SCSI target libvirt can turn into an address",
        ("disks",),
        "10",
    ),
    Rule("nic-source", "exactly one of network, bridge, direct", ("network",), "10"),
    Rule("mac", "unicast, unique MAC addresses", ("network",), "10"),
    Rule(
        "ccw-address",
        "ccw bus-ids in channel subsystem fe, in range, unique",
        ("disks", "network", "passthrough"),
        "10",
    ),
    Rule(
        "zpci", "zPCI uid 0x0001-0xffff and fid 0-0xffffffff, each unique", ("passthrough",), "10"
    ),
    Rule(
        "s390-machine",
        "arch s390x on machine s390-ccw-virtio; no UEFI loader or NVRAM",
        ("review",),
        "10",
    ),
    Rule("host-cpu-mode", "this host's libvirt supports the CPU mode", ("guest",), "10"),
    Rule("host-cpu-model", "this host can run the custom CPU model", ("cpu",), "12"),
    Rule("host-se", "this host supports Secure Execution (s390-pv)", ("secure",), "11"),
    Rule("host-vcpus", "no more vCPUs than this host's limit", ("cpu",), "10"),
    Rule(
        "host-mdev",
        "the mediated device exists on this host, is of the right kind and free",
        ("passthrough",),
        "10",
    ),
    Rule("host-pci", "the PCI function exists on this host and is free", ("passthrough",), "10"),
    Rule(
        "host-scsi",
        "the SCSI device exists on this host with a generic (sg) node",
        ("passthrough",),
        "10",
    ),
    Rule("host-cpus", "pinned host CPUs are online on this host", ("cpu",), "10"),
    Rule(
        "scsi-passthrough",
        "a SCSI device (FCP tape) by its host H:C:T:L, on virtio-scsi",
        ("passthrough",),
        "10",
    ),
    Rule(
        "host-network",
        "the libvirt network is defined (and active) on this host",
        ("network",),
        "10",
    ),
    Rule("host-bridge", "the bridge exists on this host", ("network",), "10"),
    Rule("host-interface", "the host interface for macvtap exists", ("network",), "10"),
    Rule("host-disk", "the disk image or block device exists on this host", ("disks",), "10"),
    Rule(
        "no-x86-features",
        "no ACPI, APIC, PAE, VMport, Hyper-V, SMM or other x86 features",
        ("review",),
        "10",
    ),
    Rule(
        "graphics",
        "a graphical console (VNC, virtio-gpu-ccw) works but is not the IBM Z way",
        ("watchdog",),
        "10",
    ),
    Rule(
        "se-image",
        "the secure image is built from host-key documents (EC secp521r1 X.509, valid)",
        ("secure",),
        "11",
    ),
    Rule(
        "prepare-ap",
        "zwizard prepare needs the matrix device's adapters and domains",
        ("passthrough",),
        "11",
    ),
    Rule("prepare-ccw", "zwizard prepare needs the DASD's host bus-id", ("passthrough",), "11"),
    Rule(
        "host-ap-queue",
        "the AP queues exist on this host and are in no other matrix device",
        ("passthrough",),
        "11",
    ),
    Rule(
        "host-dasd",
        "the DASD exists on this host and the host does not use it",
        ("passthrough",),
        "11",
    ),
    Rule(
        "hosts-common",
        "a guest for several hosts uses what all of them run (CPU, machine type)",
        ("guest", "review"),
        "12",
    ),
    Rule(
        "target",
        "[target] libvirt and qemu versions are digits.digits (e.g. 10.10)",
        ("guest",),
        "13",
    ),
    Rule(
        "machine-removed",
        "a versioned machine type is one the judged QEMU has (each lives six years)",
        ("guest", "review"),
        "13",
    ),
)

RULES: dict[str, str] = {r.id: r.summary for r in CATALOG}
BY_ID: dict[str, Rule] = {r.id: r for r in CATALOG}


def rules_for_step(step_id: str) -> tuple[str, ...]:
    """The rule ids a wizard step's F1 help lists, in the table's order."""
    return tuple(r.id for r in CATALOG if step_id in r.steps)
