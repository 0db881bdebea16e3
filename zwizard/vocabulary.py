"""The words each answers value may take: libosinfo's ids and the Literal types of the
model's fields, with their values as tuples in the order the front ends offer them (the
default first). Each list is written once, here: the decoder, the JSON Schema, the
importer and the choices read it; zwizard.model re-exports them."""

from typing import Literal, get_args

# libosinfo's ids of the guest OS, written into the domain's metadata and read back by check
OSINFO_IDS = {
    "rhel7": "http://redhat.com/rhel/7-unknown",
    "rhel8": "http://redhat.com/rhel/8-unknown",
    "rhel9": "http://redhat.com/rhel/9-unknown",
}

DomainType = Literal["kvm", "qemu"]
WatchdogAction = Literal["poweroff", "reset", "shutdown", "pause", "dump", "inject-nmi", "none"]
DirectMode = Literal["bridge", "vepa", "private", "passthrough"]
CacheMode = Literal["none", "writethrough", "writeback", "directsync", "unsafe"]
ImageFormat = Literal["qcow2", "raw"]
ClockOffset = Literal["utc", "localtime"]
PassthroughType = Literal["vfio-ap", "vfio-ccw", "pci", "scsi", "vhost-scsi"]
# libvirt's <driver> attributes (formatdomain "Hard drives, floppy disks, CDROMs");
# rerror_policy has no enospace (libvirt 9.0: "Invalid disk read error policy", seen)
IoMode = Literal["native", "threads", "io_uring"]
DiscardMode = Literal["unmap", "ignore"]
DetectZeroes = Literal["off", "on", "unmap"]
ErrorPolicy = Literal["stop", "report", "ignore", "enospace"]
ReadErrorPolicy = Literal["stop", "report", "ignore"]
VirtualPort = Literal["openvswitch"]
InputType = Literal["keyboard", "mouse", "tablet"]
# virtio-net's host side (<driver name>): the vhost-net kernel module, or QEMU itself
NicBackend = Literal["vhost", "qemu"]
FeaturePolicy = Literal["require", "disable", "force", "forbid", "optional"]
WATCHDOG_ACTIONS: tuple[str, ...] = get_args(WatchdogAction)
DIRECT_MODES: tuple[str, ...] = get_args(DirectMode)
CACHE_MODES: tuple[str, ...] = get_args(CacheMode)
IMAGE_FORMATS: tuple[str, ...] = get_args(ImageFormat)
CLOCK_OFFSETS: tuple[str, ...] = get_args(ClockOffset)
IO_MODES: tuple[str, ...] = get_args(IoMode)
FEATURE_POLICIES: tuple[str, ...] = get_args(FeaturePolicy)
DISCARD_MODES: tuple[str, ...] = get_args(DiscardMode)
DETECT_ZEROES: tuple[str, ...] = get_args(DetectZeroes)
ERROR_POLICIES: tuple[str, ...] = get_args(ErrorPolicy)
READ_ERROR_POLICIES: tuple[str, ...] = get_args(ReadErrorPolicy)
NIC_BACKENDS: tuple[str, ...] = get_args(NicBackend)
Lifecycle = Literal["destroy", "restart", "preserve", "rename-restart"]
CrashAction = Literal[
    "destroy", "restart", "preserve", "rename-restart", "coredump-destroy", "coredump-restart"
]
