"""The answers: everything the wizard knows about one guest.

Field names are the public answers-file contract (architecture.md): extend,
never rename. Values are kept as the user gave them; `rules` judges them and
`render` turns them into XML, so a draft can hold values that are still wrong.
"""

from zwizard.model_devices import (  # noqa: F401  the device lists' records, re-exported
    AGENT_CHANNEL,
    BackingFile,
    Channel,
    Disk,
    Nic,
    NicSource,
    Passthrough,
    PciBridge,
    ScsiController,
    Share,
    Vsock,
    Watchdog,
    Zpci,
)
from zwizard.structure import record, spec
from zwizard.vocabulary import (
    ClockOffset,
    CrashAction,
    DomainType,
    FeaturePolicy,
    InputType,
    Lifecycle,
)

FORMAT_VERSION = 1


@record
class Guest:
    """Identity and size of the guest."""

    name: str = spec(
        "", "libvirt domain name; also names the output file <name>.xml", required=True
    )
    os: str = spec(
        "rhel9",
        "rhel7 | rhel8 | rhel9 | other (other works, but Red Hat supports only RHEL 7-9 on IBM Z)",
        always=True,
    )
    osinfo: str | None = spec(
        None,
        "the libosinfo id written when it is not os's own (a converted guest keeps its "
        "exact one, e.g. http://fedoraproject.org/fedora/29)",
    )
    memory_mib: int = spec(
        2048, "guest memory in MiB (fixed: IBM Z has no memory hot-plug)", always=True
    )
    memory_kib: int | None = spec(
        None,
        "the exact size in KiB, written instead when memory_mib is it rounded to whole MiB "
        "(a converted guest whose size is no whole MiB keeps it)",
        minimum=1,
    )
    vcpus: int = spec(2, "number of virtual CPUs (1-248; 247 with Secure Execution)", always=True)
    vcpus_current: int | None = spec(
        None, "vCPUs online at start (default: all); the rest can be added with virsh setvcpus"
    )
    machine: str | None = spec(
        None,
        "a versioned machine type (s390-ccw-virtio-7.2) a converted guest keeps; absent: "
        "s390-ccw-virtio, the host QEMU's current one",
    )
    domain_type: DomainType = spec("kvm", "kvm on IBM Z; qemu = TCG emulation, for tests elsewhere")
    uuid: str | None = spec(None, "domain UUID; generated when absent", format="uuid")
    title: str | None = spec(None, "short description shown by virsh list --title")
    description: str | None = spec(None, "longer description kept in the domain XML")
    on_poweroff: Lifecycle = spec("destroy", "what libvirt does when the guest powers off")
    on_reboot: Lifecycle = spec("restart", "what libvirt does when the guest reboots")
    on_crash: CrashAction = spec("destroy", "what libvirt does when the guest crashes")
    smbios: bool = spec(False, "SMBIOS system information (not available on IBM Z)")
    iothreads: int | None = spec(
        None, "I/O threads for disks (<iothreads>); a disk uses one with its iothread key"
    )
    iothread_ids: list[int] = spec(
        doc="the I/O threads' ids (<iothreadids>), as a converted guest states them; libvirt "
        "numbers the rest of guest.iothreads from 1, skipping these",
        factory=list,
    )
    scsi_iothread: int | None = spec(
        None, "the I/O thread (1..iothreads) serving the disks on virtio-scsi controller 0"
    )
    no_usb: bool = spec(
        False,
        "state that the guest has no USB controller (<controller type='usb' model='none'/>), "
        "as a converted guest did; IBM Z has none either way",
    )


@record
class Cpu:
    """CPU model; host-model is the migration-safe default on IBM Z."""

    mode: str | None = spec(
        None, "host-model | host-passthrough | maximum | custom (default: by domain type)"
    )
    model: str | None = spec(None, "CPU model name for mode custom, e.g. gen15a or z14.2")
    numa: bool = spec(False, "NUMA topology (not supported by libvirt on IBM Z)")
    sockets: int | None = spec(None, "topology: sockets (sockets x cores = vcpus; one thread each)")
    cores: int | None = spec(None, "topology: cores per socket")
    features: dict[str, FeaturePolicy] = spec(
        doc='CPU feature policies on the model, e.g. { zpci = "disable" }', factory=dict
    )
    deprecated_features: bool | None = spec(
        None,
        "false: <cpu deprecated_features='off'>, QEMU's deprecated CPU features (bpb, csske, "
        "te, cte) off so the guest can move to machines without them (libvirt 11.0 and "
        "later; the default for s390 host-model from libvirt 11.6)",
    )
    pinning: dict[str, str] = spec(
        doc='vCPU -> host CPUs it may run on (cputune vcpupin), e.g. { 0 = "2-3" }', factory=dict
    )
    emulator_pinning: str | None = spec(None, "host CPUs for QEMU's own threads (emulatorpin)")
    iothread_pinning: dict[str, str] = spec(
        doc='I/O thread -> host CPUs it may run on (cputune iothreadpin), e.g. { 1 = "4" }',
        factory=dict,
    )


@record
class Console:
    """The SCLP console (virsh console) and what goes with it."""

    sclp: bool = spec(
        True,
        "the SCLP console virsh console attaches to; false: none (a converted guest that "
        "had none keeps having none)",
    )
    log: str | None = spec(None, "also write the console output to this host file")
    log_append: bool = spec(False, "append to the log file instead of starting it afresh")
    line_mode: bool = spec(
        False, "a second, line-mode console (sclplm; virsh console GUEST console1)"
    )
    serial: bool = spec(
        False,
        "written in libvirt's serial form (<serial> with target sclp-serial): the same "
        "SCLP devices, as a converted guest that stated them so had them",
    )
    virtio: bool = spec(
        False,
        "a virtio console too (virtconsole on the virtio-serial controller: hvc0 in the "
        "guest), as a converted guest that had one keeps it",
    )
    virtio_first: bool = spec(
        False, "the virtio console comes first (virsh console opens it), as a converted guest's"
    )


@record
class Kernel:
    """Direct kernel boot (<os><kernel/initrd/cmdline>): QEMU loads these host files
    instead of IPLing from a device — an install from a tree without PXE, or a test
    kernel (present when the [kernel] table is)."""

    path: str = spec("", "host path of the kernel image", required=True)
    initrd: str | None = spec(None, "host path of the initrd")
    cmdline: str | None = spec(None, "kernel command line")


@record
class Keywrap:
    """Protected-key wrapping for CPACF (<keywrap>, IBM Z only): whether the guest can
    wrap AES and DEA/TDEA keys with a wrapping key of its own (QEMU's default: on)."""

    aes: bool | None = spec(None, "AES key wrapping (absent: QEMU's default, on)")
    dea: bool | None = spec(None, "DEA/TDEA key wrapping (absent: QEMU's default, on)")


@record
class Graphics:
    """A graphical console: VNC on virtio-gpu-ccw with a virtio keyboard and mouse. Off by
    default — RHEL on IBM Z is run from the SCLP console (virsh console)."""

    vnc: bool = spec(False, "a VNC display (virsh domdisplay), with keyboard and mouse")
    listen: str = spec(
        "127.0.0.1",
        "address the VNC server listens on (reach it over SSH); empty: the host's libvirt "
        "default (vnc_listen in qemu.conf)",
    )
    inputs: bool = spec(
        True,
        "a virtio keyboard and mouse with the display; false: none (a converted guest that "
        "had none keeps having none)",
    )
    tablet: bool = spec(
        False, "the pointer is a virtio tablet (absolute, virtio-tablet-ccw), not a mouse"
    )
    extra_inputs: list[InputType] = spec(
        doc="further virtio inputs (keyboard, mouse, tablet) a converted guest has beyond the "
        "display's keyboard and pointer, or without a display; their ccw addresses are "
        "[addresses] input1, input2 …",
        factory=list,
    )
    heads: int = spec(1, "outputs of the primary virtio-gpu device (<model heads>)", minimum=1)
    videos: int = spec(
        1,
        "virtio-gpu-ccw devices (video heads): the first is the primary one; a converted "
        "guest keeps its count",
        minimum=1,
    )


@record
class Memory:
    """Memory backing and the balloon."""

    hugepages: bool = spec(False, "back guest memory with host huge pages")
    balloon: bool | None = spec(None, "virtio memballoon (default: on, off with Secure Execution)")
    hotplug: bool = spec(False, "memory hot-plug (<maxMemory>; not possible on IBM Z)")
    hard_limit_mib: int | None = spec(
        None, "memtune: most host memory the guest's QEMU may use (too low: it is killed)"
    )
    soft_limit_mib: int | None = spec(None, "memtune: what the guest is pressed down to")
    swap_hard_limit_mib: int | None = spec(None, "memtune: most memory plus swap")
    nosharepages: bool = spec(False, "keep KSM from merging this guest's pages (mem-merge=off)")
    locked: bool = spec(False, "lock guest memory in host RAM (never swapped; mem-lock=on)")
    balloon_autodeflate: bool | None = spec(
        None, "the balloon gives memory back when the guest runs out (deflate-on-oom)"
    )
    balloon_stats_period: int | None = spec(
        None, "seconds between balloon statistics (virsh dommemstat); absent = none"
    )


@record
class Rng:
    """Entropy device fed from a host file, /dev/urandom unless stated."""

    enabled: bool | None = spec(None, "virtio-rng (default: on, off with Secure Execution)")
    source: str = spec(
        "/dev/urandom", "the host file it reads (/dev/urandom; /dev/random, /dev/hwrng)"
    )


@record
class Clock:
    """Guest clock; IBM Z needs no timer setup."""

    offset: ClockOffset = spec("utc", "clock offset")
    timers: list[str] = spec(doc="x86 timers such as kvmclock are refused", factory=list)


@record
class SecureExecution:
    """IBM Secure Execution (protected virtualization, <launchSecurity type='s390-pv'/>)."""

    enabled: bool = spec(False, "boot a prepared secure image with encrypted guest memory")
    # the secure boot image `zwizard prepare` builds (pvimg create / genprotimg)
    host_key_documents: list[str] = spec(
        doc="host-key documents (HKD-*.crt) of every machine that may run the guest",
        factory=list,
    )
    certificates: list[str] = spec(
        doc="IBM Z host-key signing certificate and the intermediate CA certificate",
        factory=list,
    )
    crls: list[str] = spec(doc="certificate revocation lists for the chain", factory=list)
    image: str = spec("/boot/secure-linux.img", "where the secure image is written in the guest")
    no_verify: bool = spec(
        False, "skip the host-key document verification (--no-verify): for tests only"
    )


@record
class Pxe:
    """Network install: writes pxelinux.cfg/default and pxelinux.cfg/01-<mac>."""

    enabled: bool = spec(False, "write the PXE configuration")
    kernel: str = spec("kernel.img", "kernel path, relative to the TFTP root")
    initrd: str = spec("initrd.img", "initrd path, relative to the TFTP root")
    repo: str | None = spec(None, "installation source for inst.repo= (http, https, ftp, nfs)")
    ip: str = spec(
        "dhcp",
        "dhcp, dhcp6, auto6, static (then address, netmask, gateway are used), or dracut's "
        "static form <address>::<gateway>:<netmask>:<hostname>:<interface>:none[:<mtu>"
        "[:<macaddr>]] (IPv6 in brackets)",
    )
    address: str | None = spec(
        None, "static IPv4 or IPv6 address of the guest (with /prefix: the netmask; IPv6 needs it)"
    )
    netmask: str | None = spec(None, "static IPv4 netmask, e.g. 255.255.255.0")
    gateway: str | None = spec(None, "static default gateway (in the address's subnet)")
    hostname: str | None = spec(
        None, "host name the installer sets (static: default the guest name; dhcp: sent if set)"
    )
    interface: str | None = spec(None, "guest interface name (default: enc<devno> of the boot NIC)")
    nameserver: str | list[str] | None = spec(
        None, "DNS server(s) for the installer (IPv4 or IPv6): one, or a list; each a nameserver="
    )
    kickstart: str | None = spec(None, "kickstart URL for inst.ks=")
    extra_args: str | None = spec(None, "more kernel arguments, e.g. inst.text inst.sshd")
    label: str = spec("linux", "label name in the pxelinux file")
    per_mac: bool = spec(True, "also write pxelinux.cfg/01-<mac> for the boot NIC")
    write_default: bool = spec(
        True, "write pxelinux.cfg/default (turn off when several guests share one TFTP root)"
    )
    tftp_root: str = spec(
        "/var/lib/tftpboot", "the install server's TFTP root (zwizard prepare copies there)"
    )


@record
class Target:
    """The libvirt and QEMU the guest is for (the [target] table), where it is written for
    another host: rules that depend on versions judge against them. Absent: libvirt 9.0
    with QEMU 7.2, the oldest stack libvirt supports, so the default is safe everywhere;
    a host's own versions win when the guest is judged against it."""

    libvirt: str | None = spec(
        None,
        "libvirt version of the target host, as digits.digits (e.g. 10.10)",
        pattern=r"^[0-9]{1,3}\.[0-9]{1,3}$",
    )
    qemu: str | None = spec(
        None,
        "QEMU version of the target host, as digits.digits (e.g. 9.2)",
        pattern=r"^[0-9]{1,3}\.[0-9]{1,3}$",
    )


@record
class Answers:
    """A zwizard answers file (format version 1); a draft may be incomplete."""

    version: int = spec(FORMAT_VERSION, "answers format version")
    guest: Guest = spec(doc="the guest", factory=Guest)
    cpu: Cpu = spec(doc="CPU mode and model", factory=Cpu)
    disks: list[Disk] = spec(doc="virtual disks, in the order they are listed", factory=list)
    nics: list[Nic] = spec(doc="network interfaces", factory=list)
    watchdog: Watchdog | None = spec(None, "the diag288 watchdog; absent = no watchdog")
    vsock: Vsock | None = spec(None, "a virtio socket (vhost-vsock-ccw); absent = none")
    passthrough: list[Passthrough] = spec(doc="host devices given to the guest", factory=list)
    scsi_controllers: list[ScsiController] = spec(
        doc="the <driver> settings of the virtio-scsi controllers a converted guest states",
        factory=list,
    )
    pci_bridges: list[PciBridge] = spec(
        doc="pci-bridge controllers a converted guest states (guest PCI buses 1 on)",
        factory=list,
    )
    channels: list[Channel] = spec(doc="virtio-serial channels (the guest agent's)", factory=list)
    kernel: Kernel | None = spec(None, "direct kernel boot; absent = IPL from a device")
    keywrap: Keywrap = spec(doc="CPACF protected-key wrapping", factory=Keywrap)
    console: Console = spec(doc="the SCLP console", factory=Console)
    shares: list[Share] = spec(doc="host directories shared over virtiofs", factory=list)
    graphics: Graphics = spec(doc="a VNC graphical console (off by default)", factory=Graphics)
    addresses: dict[str, str] = spec(
        doc="ccw bus-ids of the devices without a list of their own (memballoon, rng, video, "
        "video2 …, keyboard, mouse, input1 …, scsi-controller, scsi-controller1 …, "
        "virtio-serial-controller, vsock, virtio-console); each one absent is assigned in "
        "libvirt's order",
        factory=dict,
    )
    memory: Memory = spec(doc="memory backing", factory=Memory)
    rng: Rng = spec(doc="virtio-rng", factory=Rng)
    clock: Clock = spec(doc="guest clock", factory=Clock)
    secure_execution: SecureExecution = spec(doc="Secure Execution", factory=SecureExecution)
    pxe: Pxe = spec(doc="PXE network install", factory=Pxe)
    target: Target | None = spec(
        None, "the libvirt and QEMU the guest is for; absent = libvirt 9.0 / QEMU 7.2"
    )
