"""What the KVM host really has: CPU models, Secure Execution, mediated devices,
PCI functions, DASDs, interfaces, bridges and libvirt networks.

Read with short timeouts from `virsh` and from sysfs (no root needed where the
files are readable). Everything is optional: without a host the answers are
judged as before, and `HostInfo.unavailable` says once what could not be read.
`root` lets tests point sysfs at a fake tree; `run` lets them feed recorded
virsh output.

A package by meaning: facts (the records), virsh (asking libvirt, and URIs), libvirt
(what its answers say), sysfs (this host's own files), versions (libvirt's, QEMU's and
the machine types), discovery (all of it into one HostInfo). Every name stays importable
from zwizard.host.
"""

from __future__ import annotations

from zwizard.host.discovery import discover, first_round, second_round
from zwizard.host.facts import (
    ApState,
    Dasd,
    HostInfo,
    Interface,
    Mdev,
    Network,
    PciFunction,
    SecureExecutionHost,
)
from zwizard.host.libvirt import (
    GUEST_LIST,
    guest_list,
    guests_using,
    parse_domcaps,
    read_node_devices,
    volume_names,
)
from zwizard.host.sysfs import (
    APQN,
    cpu_list,
    read_ap,
    read_cpu_list,
    read_dasds,
    read_interfaces,
    read_mdevs,
    read_pci,
    read_scsi,
    read_se,
    read_subchannels,
)
from zwizard.host.versions import (
    VERSION,
    emulator_version,
    machine_types,
    machine_version,
    parse_versions,
)
from zwizard.host.virsh import (
    BATCH_MARK,
    C_LOCALE,
    TIMEOUT,
    Prefetched,
    Runner,
    Virsh,
    batch,
    batch_uri,
    host_label,
    is_remote,
    virsh_runner,
)

__all__ = [
    "APQN",
    "BATCH_MARK",
    "C_LOCALE",
    "GUEST_LIST",
    "TIMEOUT",
    "VERSION",
    "ApState",
    "Dasd",
    "HostInfo",
    "Interface",
    "Mdev",
    "Network",
    "PciFunction",
    "Prefetched",
    "Runner",
    "SecureExecutionHost",
    "Virsh",
    "batch",
    "batch_uri",
    "cpu_list",
    "discover",
    "emulator_version",
    "first_round",
    "guest_list",
    "guests_using",
    "host_label",
    "is_remote",
    "machine_types",
    "machine_version",
    "parse_domcaps",
    "parse_versions",
    "read_ap",
    "read_cpu_list",
    "read_dasds",
    "read_interfaces",
    "read_mdevs",
    "read_node_devices",
    "read_pci",
    "read_scsi",
    "read_se",
    "read_subchannels",
    "second_round",
    "virsh_runner",
    "volume_names",
]
