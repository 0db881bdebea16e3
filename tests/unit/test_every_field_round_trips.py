"""Every answers field survives the domain XML (issue 27, target 2; issue 23, point 5):
in the spirit of virt-manager's tests/test_checkprops.py, each leaf key of the answers
schema — found by walking the model, so a new field is in this test the day it is
declared — is given a value other than its default, written by the renderer, read back
by the importer `check` and `convert` use, and must come back equal with nothing listed
as not carried. A key the XML does not hold is listed below with the reason; a key with
no case fails the test, so reading can never forget what writing knows."""

from __future__ import annotations

import copy
import itertools
import types
import typing
from typing import Any

import pytest

from tests.helpers import BASE, CCW_UUID
from zwizard.answers import from_data
from zwizard.importer import import_domain
from zwizard.model import Answers
from zwizard.plan import make_plan
from zwizard.render.domain import render_domain, to_xml
from zwizard.rules import check
from zwizard.structure import fields, hints, is_record, lookup

IMG = "/var/lib/libvirt/images"

# Keys the domain XML does not hold, each with where it lives instead.
NOT_IN_XML = {
    "version": "the answers format's own version",
    "target.libvirt": "the stack the rules judge against ([target]); not the guest's",
    "target.qemu": "the stack the rules judge against ([target]); not the guest's",
    "secure_execution.host_key_documents": "zwizard prepare's input for the secure image",
    "secure_execution.certificates": "zwizard prepare's input for the secure image",
    "secure_execution.crls": "zwizard prepare's input for the secure image",
    "secure_execution.image": "zwizard prepare's output path in the guest",
    "secure_execution.no_verify": "zwizard prepare's switch for genprotimg",
    "passthrough[0].adapters": "zwizard prepare's vfio-ap matrix (sysfs), not the XML",
    "passthrough[0].domains": "zwizard prepare's vfio-ap matrix (sysfs), not the XML",
    "passthrough[0].control_domains": "zwizard prepare's vfio-ap matrix (sysfs), not the XML",
    "passthrough[0].dasd": "zwizard prepare's host DASD to bind to vfio-ccw",
    # what IBM Z refuses: written never, so never read back (each rule's own tests)
    "guest.smbios": "rule no-smbios: refused, never written",
    "cpu.numa": "rule no-numa: refused, never written",
    "memory.hotplug": "rule no-mem-hotplug: refused, never written",
    "clock.timers": "rule no-kvmclock: x86 timers are refused, never written",
    "watchdog.model": "rule watchdog-diag288: diag288 is the only model written",
    "nics[0].model": "rule ccw-only: virtio is the only model written",
}
# Keys of the pxelinux file, not of the domain XML: all of [pxe]
NOT_IN_XML_PREFIXES = ("pxe.",)

# (value, the other answers it needs to be valid and written) for each key whose value
# cannot be guessed from its type; the rest take a literal's or a bool's other value.
DISK = {"path": f"{IMG}/web01.qcow2", "boot_order": 1}
SCSI = {"path": "/dev/sdx", "kind": "block", "bus": "scsi"}
PCI = {"type": "pci", "address": "0000:00:00.0"}
LUN = {"path": "/dev/mapper/lun0", "kind": "block", "bus": "scsi"}
LUN8 = {**LUN, "drive": "1:0:0:0"}  # on SCSI controller 1
CASES: dict[str, tuple[Any, dict[str, Any]]] = {
    "guest.name": ("db02", {}),
    "guest.os": ("rhel8", {}),
    "guest.osinfo": ("http://redhat.com/rhel/9.4", {}),
    "guest.memory_mib": (8192, {}),
    "guest.memory_kib": (8389633, {"guest": {"memory_mib": 8193}}),  # no whole MiB
    "guest.vcpus": (6, {}),
    "guest.vcpus_current": (2, {}),
    "guest.machine": ("s390-ccw-virtio-7.2", {}),
    "guest.uuid": ("1b4e28ba-2fa1-11d2-883f-0016d3cca427", {}),
    "guest.title": ("web server", {}),
    "guest.description": ("two\nlines", {}),
    "guest.iothreads": (2, {}),
    "guest.iothread_ids": ([3, 5], {"guest": {"iothreads": 2}}),
    "guest.scsi_iothread": (
        2,
        {"guest": {"iothreads": 2}, "disks": [DISK, {**SCSI, "target": "sda"}]},
    ),
    "cpu.mode": ("host-passthrough", {}),
    "cpu.model": ("z14.2", {"cpu": {"mode": "custom"}}),
    "cpu.sockets": (2, {"cpu": {"cores": 2}}),
    "cpu.cores": (2, {"cpu": {"sockets": 2}}),
    "cpu.features": ({"vx": "disable"}, {"cpu": {"mode": "custom", "model": "z14.2"}}),
    "cpu.pinning": ({"0": "1-2"}, {}),
    "cpu.deprecated_features": (False, {"target": {"libvirt": "11.0", "qemu": "9.1"}}),
    "cpu.emulator_pinning": ("0-1", {}),
    "cpu.iothread_pinning": ({"1": "3"}, {"guest": {"iothreads": 1}}),
    "disks[0].path": (f"{IMG}/other.qcow2", {}),
    "disks[0].bus": ("scsi", {}),
    "disks[0].target": ("vdc", {}),
    "disks[0].boot_order": (2, {"nics": [{"source": {"network": "default"}, "boot_order": 1}]}),
    "disks[0].loadparm": ("2", {}),
    "disks[0].ccw": ("fe.0.0007", {}),
    "disks[0].iothread": (1, {"guest": {"iothreads": 1}}),
    "disks[0].queues": (4, {}),
    "disks[0].serial": ("WD-123", {}),
    "disks[0].backing": (f"{IMG}/base.qcow2", {}),
    "disks[0].backing_chain[0].path": (
        f"{IMG}/base0.img",
        {"disks": [{**DISK, "backing": f"{IMG}/b.qcow2"}]},
    ),
    "disks[0].backing_chain[0].format": (
        "raw",
        {"disks": [{**DISK, "backing": f"{IMG}/b.qcow2", "backing_chain": [{"path": "/b0"}]}]},
    ),
    "disks[0].backing_format": ("raw", {"disks": [{**DISK, "backing": f"{IMG}/b.img"}]}),
    "disks[0].drive": ("0:0:2:0", {"disks": [{**SCSI, "target": "sda", "boot_order": 1}]}),
    "disks[0].device": ("cdrom", {"disks": [{"path": f"{IMG}/i.iso", "boot_order": 1}]}),
    "disks[0].kind": ("block", {"disks": [{"path": "/dev/dasdb", "boot_order": 1}]}),
    "disks[0].io": ("threads", {}),
    "nics[0].source.network": ("lan", {}),
    "nics[0].source.bridge": ("br0", {"nics": [{"source": {}}]}),
    "nics[0].source.direct": ("encbdf0", {"nics": [{"source": {}}]}),
    "nics[0].source.mode": ("vepa", {"nics": [{"source": {"direct": "encbdf0"}}]}),
    "nics[0].source.user": (True, {"nics": [{"source": {}}]}),
    "nics[0].mac": ("52:54:00:12:34:56", {}),
    "nics[0].boot_order": (2, {}),
    "nics[0].loadparm": ("1", {"nics": [{"source": {"network": "default"}, "boot_order": 2}]}),
    "nics[0].ccw": ("fe.0.0009", {}),
    "nics[0].mtu": (9000, {}),
    "nics[0].queues": (4, {}),
    "nics[0].target": ("zstap0", {}),
    "nics[0].virtualport": ("openvswitch", {"nics": [{"source": {"bridge": "ovsbr0"}}]}),
    "nics[0].interfaceid": (
        "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f",
        {"nics": [{"source": {"bridge": "ovsbr0"}, "virtualport": "openvswitch"}]},
    ),
    "nics[0].vlan": (
        42,
        {"nics": [{"source": {"bridge": "ovsbr0"}, "virtualport": "openvswitch"}]},
    ),
    "nics[0].trunk": (
        [100, 200],
        {"nics": [{"source": {"bridge": "ovsbr0"}, "virtualport": "openvswitch"}]},
    ),
    "watchdog.action": ("poweroff", {"watchdog": {}}),
    "vsock.cid": (7, {"vsock": {}}),
    "vsock.iommu": (True, {"vsock": {}}),
    "passthrough[0].type": ("vfio-ccw", {"passthrough": [{"uuid": CCW_UUID}]}),
    "passthrough[0].uuid": (CCW_UUID, {"passthrough": [{"type": "vfio-ccw"}]}),
    "passthrough[0].ccw": ("fe.0.0011", {"passthrough": [{"type": "vfio-ccw", "uuid": CCW_UUID}]}),
    "passthrough[0].address": ("0001:00:00.0", {"passthrough": [{"type": "pci"}]}),
    "passthrough[0].zpci.uid": ("0x0005", {"passthrough": [PCI]}),
    "passthrough[0].zpci.fid": ("0x00000009", {"passthrough": [PCI]}),
    "passthrough[0].guest_address": ("0000:00:03.0", {"passthrough": [PCI]}),
    "passthrough[0].driver": ("vfio", {"passthrough": [PCI]}),
    "passthrough[0].managed": (False, {"passthrough": [PCI]}),
    "passthrough[0].drive": ("1:0:0:2", {"passthrough": [{"type": "scsi", "address": "0:0:1:0"}]}),
    "passthrough[0].shareable": (True, {"passthrough": [{"type": "scsi", "address": "0:0:1:0"}]}),
    "disks[0].shareable": (True, {"disks": [{**DISK, "format": "raw"}]}),
    "disks[0].empty": (True, {"disks": [{"path": "", "device": "cdrom"}, DISK]}),
    "scsi_controllers[0].index": (1, {"scsi_controllers": [{"queues": 2}], "disks": [DISK, LUN8]}),
    "scsi_controllers[0].queues": (4, {"scsi_controllers": [{"index": 0}], "disks": [DISK, LUN]}),
    "scsi_controllers[0].cmd_per_lun": (
        8,
        {"scsi_controllers": [{"index": 0}], "disks": [DISK, LUN]},
    ),
    "scsi_controllers[0].max_sectors": (
        512,
        {"scsi_controllers": [{"index": 0}], "disks": [DISK, LUN]},
    ),
    "scsi_controllers[0].ioeventfd": (
        False,
        {"scsi_controllers": [{"index": 0}], "disks": [DISK, LUN]},
    ),
    "scsi_controllers[0].iothread": (
        1,
        {"scsi_controllers": [{"index": 1}], "disks": [DISK, LUN8], "guest": {"iothreads": 1}},
    ),
    "pci_bridges[0].index": (2, {"pci_bridges": [{}], "passthrough": [PCI]}),
    "pci_bridges[0].address": ("0000:00:05.0", {"pci_bridges": [{"index": 1}]}),
    "pci_bridges[0].chassis": (3, {"pci_bridges": [{"index": 1}]}),
    "pci_bridges[0].zpci.uid": ("0x0007", {"pci_bridges": [{"index": 1}]}),
    "pci_bridges[0].zpci.fid": ("0x00000004", {"pci_bridges": [{"index": 1}]}),
    "passthrough[0].boot_order": (
        1,
        {"disks": [], "passthrough": [{"type": "vfio-ccw", "uuid": CCW_UUID}]},
    ),
    "passthrough[0].loadparm": (
        "3",
        {"disks": [], "passthrough": [{"type": "vfio-ccw", "uuid": CCW_UUID, "boot_order": 1}]},
    ),
    "passthrough[0].wwpn": ("naa.5123456789abcde0", {"passthrough": [{"type": "vhost-scsi"}]}),
    "channels[0].name": ("org.example.port.1", {"channels": [{}]}),
    "channels[0].path": ("/var/lib/libvirt/qemu/web01.agent", {"channels": [{}]}),
    "kernel.path": ("/var/lib/libvirt/boot/vmlinuz", {}),
    "kernel.initrd": ("/var/lib/libvirt/boot/initrd.img", {"kernel": {"path": "/k"}}),
    "kernel.cmdline": ("root=/dev/vda1 ro", {"kernel": {"path": "/k"}}),
    "console.virtio_first": (True, {"console": {"virtio": True}}),
    "console.log": ("/var/log/web01.console", {}),
    "console.log_append": (True, {"console": {"log": "/var/log/web01.console"}}),
    "shares[0].source": ("/srv/data", {"shares": [{"tag": "data"}]}),
    "shares[0].tag": ("data2", {"shares": [{"source": "/srv/data"}]}),
    "shares[0].ccw": ("fe.0.0013", {"shares": [{"source": "/srv/data", "tag": "d"}]}),
    "shares[0].queue": (512, {"shares": [{"source": "/srv/data", "tag": "d"}]}),
    "shares[0].binary": (
        "/usr/libexec/virtiofsd",
        {"shares": [{"source": "/srv/data", "tag": "d"}]},
    ),
    "shares[0].xattr": (True, {"shares": [{"source": "/srv/data", "tag": "d"}]}),
    "shares[0].cache": ("always", {"shares": [{"source": "/srv/data", "tag": "d"}]}),
    "shares[0].readonly": (
        True,
        {"shares": [{"source": "/srv/data", "tag": "d"}], "target": {"libvirt": "11.0"}},
    ),
    "graphics.listen": ("", {"graphics": {"vnc": True}}),
    "graphics.inputs": (False, {"graphics": {"vnc": True}}),
    "graphics.tablet": (True, {"graphics": {"vnc": True}}),
    "graphics.videos": (2, {"graphics": {"vnc": True}}),
    "graphics.heads": (2, {"graphics": {"vnc": True}}),
    "graphics.extra_inputs": (["tablet", "keyboard"], {}),
    "addresses": ({"memballoon": "fe.0.0021", "rng": "fe.0.0022"}, {}),
    "memory.hard_limit_mib": (8192, {}),
    "memory.soft_limit_mib": (2048, {}),
    "memory.swap_hard_limit_mib": (9000, {"memory": {"hard_limit_mib": 8192}}),
    "memory.balloon_stats_period": (10, {}),
    "memory.hugepages": (True, {}),
    "rng.source": ("/dev/hwrng", {}),
    "clock.offset": ("localtime", {}),
    "secure_execution.enabled": (
        True,
        {"memory": {"balloon": False}, "rng": {"enabled": False}, "nics": []},
    ),
}


def unwrap(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    return args[0] if union and len(args) == 1 else tp


def leaves(cls: type, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Every leaf key of the model as (path, type, default); a list of tables by its
    first entry."""
    out = []
    for f in fields(cls):
        tp = unwrap(hints(cls)[f.name])
        path = prefix + f.name
        if is_record(tp):
            out += leaves(tp, path + ".")
        elif typing.get_origin(tp) is list and is_record(typing.get_args(tp)[0]):
            out += leaves(typing.get_args(tp)[0], path + "[0].")
        else:
            out.append((path, tp, f.default))
    return out


LEAVES = [leaf for leaf in leaves(Answers) if not leaf[0].startswith(NOT_IN_XML_PREFIXES)]


def guessed(tp: Any, default: Any) -> Any:
    """A literal's or a bool's value other than the default, or None."""
    if tp is bool:
        return not default if isinstance(default, bool) else True
    if typing.get_origin(tp) is typing.Literal:
        return next(v for v in typing.get_args(tp) if v != default)
    return None


def put(data: dict, path: str, value: Any) -> None:
    """Set `disks[0].cache`-style paths in plain answers data, making tables on the way."""
    parts = path.replace("[0]", ".0").split(".")
    node: Any = data
    for part, after in itertools.pairwise(parts):
        if part.isdigit():
            while len(node) <= int(part):
                node.append({})
            node = node[int(part)]
        else:
            node = node.setdefault(part, [] if after.isdigit() else {})
    last = parts[-1]
    node[last] = value


def test_every_key_has_a_case_or_a_reason():
    keys = {path for path, _, _ in LEAVES}
    unknown = (set(CASES) | set(NOT_IN_XML)) - keys - {"addresses"}
    assert not unknown, f"stale cases: {sorted(unknown)}"
    no_case = {
        path
        for path, tp, default in LEAVES
        if path not in CASES and path not in NOT_IN_XML and guessed(tp, default) is None
    }
    assert not no_case, f"give these a case (value, context) or a reason: {sorted(no_case)}"


@pytest.mark.parametrize(
    ("path", "tp", "default"),
    [leaf for leaf in LEAVES if leaf[0] not in NOT_IN_XML],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_every_field_is_written_and_read_back(path, tp, default):
    value, context = CASES.get(path, (guessed(tp, default), {}))
    data = copy.deepcopy(BASE)
    for key, changes in context.items():  # a table merged, a list replaced
        if isinstance(changes, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **copy.deepcopy(changes)}
        else:
            data[key] = copy.deepcopy(changes)
    put(data, path, value)
    answers = from_data(data, "<checkprops>")
    errors = [f for f in check(answers) if f.severity == "error"]
    assert not errors, f"{path} = {value!r} is not a valid case: {errors}"
    xml = to_xml(render_domain(answers, make_plan(answers)))
    imported = import_domain(xml.encode())
    assert not imported.lost, [c.what for c in imported.lost]
    assert lookup(imported.answers, path) == lookup(answers, path), xml
