"""The answers: everything the wizard knows about one guest.

Field names are the public answers-file contract (architecture.md): extend,
never rename. Values are kept as the user gave them; `rules` judges them and
`render` turns them into XML, so a draft can hold values that are still wrong.
"""

from typing import Literal

from zwizard.structure import record, spec
from zwizard.vocabulary import (
    CacheMode,
    ClockOffset,
    CrashAction,
    DetectZeroes,
    DirectMode,
    DiscardMode,
    DomainType,
    ErrorPolicy,
    FeaturePolicy,
    ImageFormat,
    InputType,
    IoMode,
    Lifecycle,
    NicBackend,
    PassthroughType,
    ReadErrorPolicy,
    VirtualPort,
    WatchdogAction,
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
class BackingFile:
    """One image further down a disk's backing chain."""

    path: str = spec("", "host path of the image (absolute)", required=True)
    format: ImageFormat = spec("qcow2", "its format: qcow2 (which may have a backing file) or raw")


@record
class Disk:
    """A virtual disk on virtio-blk (or a CD-ROM ISO on virtio-scsi)."""

    path: str = spec(doc="image file, block device or ISO; POOL/VOLUME for kind volume")
    kind: Literal["file", "block", "volume"] = spec(
        "file", "file (an image), block (a host block device) or volume (of a storage pool)"
    )
    device: Literal["disk", "cdrom", "lun"] = spec(
        "disk", "disk; cdrom for an ISO; lun passes a SCSI LUN (FCP) through on virtio-scsi"
    )
    format: ImageFormat | None = spec(
        None, "image format (default: qcow2 for files, raw for block devices and CD-ROMs)"
    )
    bus: str | None = spec(
        None, "virtio (virtio-blk-ccw) for disks, scsi (virtio-scsi-ccw) for CD-ROMs; the default"
    )
    target: str | None = spec(None, "guest device name (vda, sda, ...); assigned when absent")
    boot_order: int | None = spec(None, "position in the boot sequence (1 boots first)")
    loadparm: str | None = spec(None, "boot menu entry for this device: 1-8 of A-Z 0-9 . blank")
    ccw: str | None = spec(None, "ccw bus-id such as fe.0.0001; assigned when absent")
    readonly: bool = spec(False, "attach read-only (CD-ROMs always are)")
    shareable: bool = spec(False, "shared with other guests (<shareable/>: raw or read-only)")
    empty: bool = spec(False, 'a CD-ROM drive with no medium yet (path ""; virsh change-media)')
    cache: CacheMode | None = spec(None, "host cache mode (libvirt default when absent)")
    io: IoMode | None = spec(None, "native (needs cache none or directsync), threads, io_uring")
    discard: DiscardMode | None = spec(None, "unmap passes the guest's discards to the image")
    detect_zeroes: DetectZeroes | None = spec(None, "off | on | unmap (unmap needs discard unmap)")
    error_policy: ErrorPolicy | None = spec(None, "on write errors: stop, report, ignore, enospace")
    rerror_policy: ReadErrorPolicy | None = spec(None, "on a read error: stop, report, ignore")
    iothread: int | None = spec(None, "the I/O thread (1..guest.iothreads) serving this disk")
    queues: int | None = spec(
        None, "virtio-blk queues (multiqueue, <driver queues>): 1-1024; empty: one", minimum=1
    )
    serial: str | None = spec(None, "serial number the guest sees (/dev/disk/by-id); up to 20")
    backing: str | None = spec(
        None,
        "the image's backing file, stated so libvirt does not probe it (<backingStore>, one "
        "level, ending the chain); absent: libvirt reads the chain from the image",
    )
    backing_format: ImageFormat | None = spec(None, "the backing file's format: qcow2 or raw")
    backing_chain: list[BackingFile] = spec(
        doc="the files below the backing file, in order (its own backing file first), as a "
        "converted guest states a longer chain; the last one ends it",
        factory=list,
    )
    drive: str | None = spec(
        None,
        "a SCSI disk's place on its controller as controller:bus:target:unit (0:0:2:0), as "
        "a converted guest states it; absent: libvirt's, 7 units a controller (sdh: 1:0:0:0)",
    )


@record
class NicSource:
    """Where the NIC connects: exactly one of network, bridge, direct, user."""

    network: str | None = spec(None, "a libvirt network name")
    bridge: str | None = spec(None, "a host bridge")
    direct: str | None = spec(None, "host interface for macvtap (e.g. encbdf0)")
    mode: DirectMode | None = spec(None, "macvtap mode with direct (default bridge)")
    user: bool = spec(
        False,
        "user-mode networking (<interface type='user'>): QEMU's own NAT, no host setup; "
        "as a converted guest had it",
    )


@record
class Nic:
    """A virtio-net-ccw network interface."""

    source: NicSource = spec(doc="what the interface connects to", factory=NicSource)
    mac: str | None = spec(None, "MAC address; generated (stable per guest UUID) when absent")
    model: str = spec("virtio", "virtio (virtio-net-ccw) is the only model on IBM Z")
    boot_order: int | None = spec(None, "position in the boot sequence (network boot)")
    loadparm: str | None = spec(None, "boot entry selector when this NIC boots first")
    ccw: str | None = spec(None, "ccw bus-id such as fe.0.0002; assigned when absent")
    mtu: int | None = spec(None, "MTU of the host side and the guest (e.g. 8992 on OSA, 9000)")
    queues: int | None = spec(None, "multiqueue: queue pairs (1-256), one per vCPU is usual")
    target: str | None = spec(None, "host tap device name (default: libvirt's vnetN)")
    virtualport: VirtualPort | None = spec(
        None, "openvswitch for an Open vSwitch bridge (or a network on one)"
    )
    interfaceid: str | None = spec(
        None, "the Open vSwitch port's interfaceid (a UUID); libvirt makes one up when absent"
    )
    vlan: int | None = spec(None, "VLAN tag 0-4095 (needs an Open vSwitch port)")
    backend: NicBackend | None = spec(
        None, "virtio-net's host side: vhost (the kernel's vhost-net) or qemu; libvirt picks"
    )
    trunk: list[int] = spec(
        doc="the VLAN tags of a trunk port (<vlan trunk='yes'>, Open vSwitch), instead of vlan",
        factory=list,
    )


@record
class Vsock:
    """A virtio socket (vhost-vsock-ccw): host and guest talk over AF_VSOCK (present when
    the [vsock] table is)."""

    cid: int | None = spec(
        None, "the guest's context id, 3 or more; absent: libvirt picks a free one (auto)"
    )
    iommu: bool | None = spec(
        None, "the device uses the guest's IOMMU for its memory (<driver iommu>); QEMU's default"
    )


@record
class Watchdog:
    """The diag288 watchdog (present when the [watchdog] table is)."""

    model: str = spec("diag288", "diag288 is the only watchdog on IBM Z")
    action: WatchdogAction = spec(
        "poweroff", "what happens when the guest stops feeding it", always=True
    )


@record
class Zpci:
    """zPCI identity of a passed-through PCI function, as the guest sees it."""

    uid: str | int | None = spec(
        None, "user-defined identifier 0x0001-0xffff; assigned (lowest free) when absent"
    )
    fid: str | int | None = spec(
        None, "function identifier 0x00000000-0xffffffff; assigned (lowest free) when absent"
    )


@record
class Passthrough:
    """A host device given to the guest: vfio-ap crypto, vfio-ccw DASD or PCI."""

    type: PassthroughType = spec(
        doc="vfio-ap | vfio-ccw | pci | scsi (a host SCSI device, e.g. an FCP tape, on "
        "virtio-scsi) | vhost-scsi (a host vhost target, as a converted guest had it)"
    )
    wwpn: str | None = spec(
        None, "vhost-scsi: the WWPN of the host's vhost target, naa. and 16 hex digits"
    )
    uuid: str | None = spec(None, "mediated device UUID (vfio-ap, vfio-ccw)", format="uuid")
    ccw: str | None = spec(
        None, "guest ccw bus-id of a vfio-ccw or vhost-scsi device; assigned when absent"
    )
    address: str | None = spec(
        None,
        "host PCI address dddd:bb:ss.f (pci); host SCSI address H:C:T:L as lsscsi shows (scsi)",
    )
    zpci: Zpci | None = spec(None, "zPCI uid and fid the guest sees (pci); assigned when absent")
    guest_address: str | None = spec(
        None, "PCI address dddd:bb:ss.f the guest sees (pci); libvirt assigns it when absent"
    )
    driver: str | None = spec(
        None, "pci: <driver name>, vfio (the only one on IBM Z); absent: libvirt's default, vfio"
    )
    managed: bool = spec(
        True, "pci: libvirt detaches the function from its host driver at start (managed='yes')"
    )
    shareable: bool = spec(False, "scsi: shared with other guests (<shareable/>)")
    boot_order: int | None = spec(None, "boot position (vfio-ccw DASD only)")
    loadparm: str | None = spec(None, "boot menu entry of the DASD (vfio-ccw only)")
    # what `zwizard prepare` sets up on the host before the guest can start
    adapters: list[int] = spec(
        doc="vfio-ap: AP adapter numbers (APIDs, 0-255) the matrix device gets", factory=list
    )
    domains: list[int] = spec(
        doc="vfio-ap: AP usage domains (APQIs, 0-255); the queues are adapters x domains",
        factory=list,
    )
    control_domains: list[int] = spec(
        doc="vfio-ap: AP control domains (0-255) the guest may administer", factory=list
    )
    dasd: str | None = spec(
        None, "vfio-ccw: host bus-id of the DASD behind the mediated device, e.g. 0.0.1234"
    )


@record
class PciBridge:
    """A pci-bridge controller a converted guest states: a guest PCI bus for zPCI
    passthrough (libvirt adds one itself for a function placed on bus 1 on)."""

    index: int = spec(doc="the controller's index: the guest PCI bus it makes (1 on)")
    address: str | None = spec(
        None, "its own guest PCI address dddd:bb:ss.f; libvirt assigns it when absent"
    )
    chassis: int | None = spec(None, "<target chassisNr>; absent: libvirt's, the index")
    zpci: Zpci | None = spec(None, "zPCI uid and fid the guest sees; assigned when absent")


AGENT_CHANNEL = "org.qemu.guest_agent.0"


@record
class Channel:
    """A virtio-serial port between host and guest (on a virtio-serial-ccw controller):
    the QEMU guest agent's by default, which `virsh domfsfreeze`, `domifaddr --source
    agent` and `set-user-password` talk to."""

    name: str = spec(AGENT_CHANNEL, "port name the guest sees", always=True)
    path: str | None = spec(
        None, "host UNIX socket (default: libvirt picks one under /var/lib/libvirt/qemu)"
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
class Share:
    """A host directory shared with the guest over virtiofs (vhost-user-fs-ccw); the
    guest mounts it with `mount -t virtiofs <tag> /mnt`."""

    source: str = spec("", "host directory to share", required=True)
    tag: str = spec("", "mount tag the guest uses (at most 36 bytes)", required=True)
    ccw: str | None = spec(None, "ccw bus-id such as fe.0.0005; assigned when absent")
    readonly: bool = spec(False, "share read-only (<readonly/>: libvirt 11.0 and later)")
    queue: int | None = spec(None, "virtqueue size (<driver queue>); QEMU's default when absent")
    binary: str | None = spec(
        None, "the virtiofsd libvirt starts (<binary path>); found when absent"
    )
    xattr: bool | None = spec(None, "virtiofsd passes extended attributes (<binary xattr>)")
    cache: str | None = spec(
        None, "virtiofsd cache mode (<binary><cache mode>): none or always; absent: auto"
    )


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
