"""What discovery found, as records: the host's mediated devices, PCI functions, DASDs,
AP bus, Secure Execution state, interfaces and networks, gathered in `HostInfo`."""

from __future__ import annotations

from zwizard.structure import field, record


@record(frozen=True)
class Mdev:
    uuid: str
    kind: str  # vfio-ap | vfio-ccw | another device_api
    type_name: str  # e.g. vfio_ap-passthrough
    parent: str
    in_use_by: str | None = None  # a defined guest that already has it


@record(frozen=True)
class PciFunction:
    address: str
    uid: str | None  # zPCI user-defined id, when the platform shows it
    fid: str | None  # zPCI function id
    driver: str | None
    in_use_by: str | None = None


@record(frozen=True)
class Dasd:
    busid: str
    devtype: str
    online: bool
    subchannel: str | None = None  # the css device it sits on, e.g. 0.0.0013
    in_use: str | None = None  # why the host still needs it: "mounted at /srv", "swap"


@record
class ApState:
    """The host's AP (crypto) bus: which queues exist, who drives them, and which
    matrix mediated devices (running, or defined with mdevctl) already hold them."""

    bus: bool = False  # /sys/bus/ap exists
    queues: dict[str, str | None] = field(default_factory=dict)  # "05.0004" -> driver
    matrix: dict[str, set[str]] = field(default_factory=dict)  # mdev uuid -> APQNs
    control: dict[str, set[int]] = field(default_factory=dict)  # mdev uuid -> control domains


@record
class SecureExecutionHost:
    """What a Secure Execution preflight reads (None: could not be read)."""

    prot_virt_host: bool | None = None  # /sys/firmware/uv/prot_virt_host
    facility_158: bool | None = None  # the Ultravisor facility, /proc/cpuinfo
    image_tools: list[str] = field(default_factory=list)  # pvimg / genprotimg on PATH


@record(frozen=True)
class Interface:
    name: str
    bridge: bool
    up: bool


@record(frozen=True)
class Network:
    name: str
    active: bool
    # an Open vSwitch network (<virtualport type='openvswitch'/> in its definition);
    # None where its definition could not be read
    ovs: bool | None = None


@record
class HostInfo:
    """What discovery found; empty lists and None where nothing could be read."""

    domain_type: str = "kvm"
    uri: str = "qemu:///system"
    label: str = "this host"  # how messages name it when several hosts are judged
    reachable: bool = True
    machines: list[str] = field(default_factory=list)  # s390x machine types (capabilities)
    canonical_machine: str | None = None  # what s390-ccw-virtio means there (domcapabilities)
    cpu_usable: list[str] = field(default_factory=list)
    cpu_unusable: list[str] = field(default_factory=list)
    cpu_modes: dict[str, bool] = field(default_factory=dict)
    host_model: str | None = None
    s390_pv: bool | None = None
    vcpu_max: int | None = None
    mdevs: list[Mdev] = field(default_factory=list)
    pci: list[PciFunction] = field(default_factory=list)
    dasds: list[Dasd] = field(default_factory=list)
    interfaces: list[Interface] = field(default_factory=list)
    networks: list[Network] | None = None  # None: libvirt could not be asked
    pools: dict[str, list[str]] | None = None  # storage pool -> its volumes; None: not asked
    scsi: list[str] = field(default_factory=list)  # H:C:T:L of SCSI devices with an sg node
    cpus_online: set[int] | None = None  # host CPUs online (/sys/devices/system/cpu/online)
    host_model_features: set[str] = field(default_factory=set)  # required by host-model
    qemu_version: tuple[int, ...] | None = None  # `virsh version`: the running hypervisor
    libvirt_version: tuple[int, ...] | None = None  # the daemon's (`virsh version --daemon`)
    libvirt_from_daemon: bool = False  # False: the client library's, the daemon's unread
    caps_virt_type: str | None = None  # the virt type whose domain capabilities were read
    cpu_blockers: dict[str, list[str]] = field(default_factory=dict)  # model -> features
    emulator: str | None = None  # the QEMU binary domcapabilities names
    used_by: dict[str, str] = field(default_factory=dict)  # mdev uuid / PCI address -> guest
    subchannel_drivers: dict[str, str | None] = field(default_factory=dict)  # css id -> driver
    ap: ApState = field(default_factory=ApState)
    dasd_state_known: bool = True  # False where libvirt alone was asked (another host)
    se: SecureExecutionHost = field(default_factory=SecureExecutionHost)
    sysfs: bool = False  # sysfs was readable, so an absent device is really absent
    unavailable: list[str] = field(default_factory=list)  # what could not be read, and why

    @property
    def has_domcaps(self) -> bool:
        """Domain capabilities of the guests' own virt type were read: the rules judge by
        them (a kvm host's qemu fallback is shown by `zwizard hosts`, never judged by)."""
        return bool(self.cpu_modes) and self.caps_virt_type in (None, self.domain_type)

    @property
    def se_ap(self) -> bool:
        """AP queues in Secure Execution guests: host-model carries QEMU's 'appv' (UV
        feature bit 4, BIT_UV_FEAT_AP), which needs a z16, a KVM that passes it on
        and a QEMU that knows it (target/s390x/cpu_features_def.h.inc)."""
        return "appv" in self.host_model_features

    def summary(self) -> str:
        if self.unavailable and not (self.has_domcaps or self.mdevs or self.interfaces):
            return "host data unavailable: " + "; ".join(self.unavailable)
        parts = [f"{len(self.cpu_usable)} usable CPU models" if self.has_domcaps else ""]
        if self.s390_pv is not None:
            parts.append("Secure Execution " + ("supported" if self.s390_pv else "not supported"))
        parts.append(f"{len(self.mdevs)} mediated devices, {len(self.pci)} PCI functions")
        if self.networks is not None:
            parts.append(f"{len(self.networks)} libvirt networks")
        return ", ".join(p for p in parts if p)
