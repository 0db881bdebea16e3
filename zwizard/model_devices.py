"""The records of the answers' device lists (disks, NICs, passthrough and the pci-bridges
they may sit behind, channels, shares), the watchdog and the vsock: what each entry holds.
zwizard.model re-exports them beside the guest's own records. Field names are the public
answers-file contract, as in zwizard.model: extend, never rename.
"""

from typing import Literal

from zwizard.structure import record, spec
from zwizard.vocabulary import (
    CacheMode,
    DetectZeroes,
    DirectMode,
    DiscardMode,
    ErrorPolicy,
    ImageFormat,
    IoMode,
    NicBackend,
    PassthroughType,
    ReadErrorPolicy,
    VirtualPort,
    WatchdogAction,
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
    drive: str | None = spec(
        None,
        "scsi: its place on the SCSI controller, controller:bus:target:unit, as a converted "
        "guest states it; absent: libvirt's, the first free unit",
    )
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
class ScsiController:
    """A virtio-scsi controller's own <driver> settings, as a converted guest states them
    (controller 0's I/O thread is guest.scsi_iothread)."""

    index: int = spec(doc="the controller's index: the C of its disks' drive address C:0:T:U")
    queues: int | None = spec(None, "request queues (multiqueue); QEMU's default when absent")
    cmd_per_lun: int | None = spec(None, "commands a LUN may queue; QEMU's default when absent")
    max_sectors: int | None = spec(None, "largest request in 512-byte sectors; QEMU's default")
    ioeventfd: bool | None = spec(None, "on or off; QEMU's default when absent")
    iothread: int | None = spec(None, "the I/O thread (1..iothreads) of controller 1 on")
