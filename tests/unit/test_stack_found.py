"""Rules the real stack as oracle found (issue 24: tests/system/test_stack_agrees.py and
test_stack_accepts.py), each shrunk to its example, with a refused and an allowed case."""

from __future__ import annotations

import pytest

from tests.helpers import answers
from zwizard.plan import make_plan
from zwizard.rules import check


def errors(**changes: object) -> set[tuple[str, str]]:
    return {(f.rule, f.path) for f in check(answers(**changes)) if f.severity == "error"}


def direct(mode: str | None = None, parent: str = "encbdf0") -> dict:
    return {"source": {"direct": parent, **({"mode": mode} if mode else {})}}


@pytest.mark.parametrize("other", [None, "bridge", "vepa", "passthrough"])
def test_macvtap_passthrough_takes_its_host_interface_alone(other):
    """libvirt 9.0 defines two macvtap interfaces on one parent, one in passthrough, and
    fails at start: "error creating macvtap interface macvtap3@zsdum0 (…): Invalid
    argument" (Linux drivers/net/macvlan.c: one macvlan only in passthru mode)."""
    found = errors(nics=[direct("passthrough"), direct(other)])
    assert ("nic-source", "nics[0].source.mode") in found


@pytest.mark.parametrize(
    "nics",
    [[direct("passthrough")], [direct("passthrough"), direct("passthrough", "encbdf1")],
     [direct("vepa"), direct("bridge"), direct()]],
    ids=["alone", "each-its-own-parent", "other-modes-share"],
)  # fmt: skip
def test_macvtap_interfaces_that_can_share_or_do_not_are_allowed(nics):
    assert not {p for r, p in errors(nics=nics) if r == "nic-source"}


@pytest.mark.parametrize(
    ("poweroff", "reboot", "refused"),
    [("restart", "destroy", True), ("destroy", "destroy", False),
     ("restart", "restart", False), ("destroy", "restart", False)],
)  # fmt: skip
def test_power_off_restarting_while_reboot_destroys_is_refused(poweroff, reboot, refused):
    """libvirt 9.0 at define (qemu_validate.c): "qemu driver doesn't support 'onReboot' set
    to 'destroy and 'onPoweroff' set to 'reboot'"."""
    found = errors(guest={"on_poweroff": poweroff, "on_reboot": reboot})
    assert (("lifecycle", "guest.on_reboot") in found) is refused


def test_two_virtio_disks_whose_targets_share_letters_are_refused():
    """libvirt 9.0 names a virtio-blk disk virtio-disk<index of its letters>: targets sda
    and vda defined, then QEMU at start: "Duplicate device ID 'virtio-disk0'"."""
    disks = [{"path": "/a.qcow2", "target": "sda", "boot_order": 1},
             {"path": "/b.qcow2", "target": "vda"}]  # fmt: skip
    assert ("disk-target", "disks[1].target") in errors(disks=disks)
    disks[1]["target"] = "vdb"
    assert not {p for r, p in errors(disks=disks) if r == "disk-target"}


def test_two_scsi_disks_whose_targets_share_letters_are_refused():
    """libvirt 9.0 at define gives a SCSI disk the drive unit of its target's letters:
    CD-ROMs vdb and sdb, "Found duplicate drive address for disk with target name 'vdb'"."""
    disks = [{"path": "/a.qcow2", "boot_order": 1},
             {"path": "/b.iso", "device": "cdrom", "target": "vdb"},
             {"path": "/c.iso", "device": "cdrom", "target": "sdb"}]  # fmt: skip
    assert ("disk-target", "disks[2].target") in errors(disks=disks)
    disks[2]["target"] = "sdc"
    assert not {p for r, p in errors(disks=disks) if r == "disk-target"}
    del disks[2]["target"]  # assigned: sda (vdb holds unit 1 on the SCSI bus)
    assert make_plan(answers(disks=disks)).targets == ["vda", "vdb", "sda"]
    assert not {p for r, p in errors(disks=disks) if r == "disk-target"}


def test_an_assigned_target_skips_the_letters_a_given_one_holds():
    """A virtio disk given sda holds virtio-disk0: the next virtio disk gets vdb, and
    the CD-ROM on virtio-scsi sdb (sda is taken by name)."""
    disks = [{"path": "/a.qcow2", "target": "sda", "boot_order": 1},
             {"path": "/b.qcow2"}, {"path": "/c.iso", "device": "cdrom"}]  # fmt: skip
    assert make_plan(answers(disks=disks)).targets == ["sda", "vdb", "sdb"]
    assert not {p for r, p in errors(disks=disks) if r == "disk-target"}


@pytest.mark.parametrize("policy", ["optional", "require", "disable", "force", "forbid"])
def test_the_optional_feature_policy_is_refused_on_ibm_z(policy):
    """libvirt 9.0 at start (src/cpu/cpu_s390.c): "only cpu feature policies 'require' and
    'disable' are supported for ais" — for policy optional only."""
    found = errors(cpu={"mode": "maximum", "features": {"ais": policy}})
    assert (("cpu-features", "cpu.features.ais") in found) is (policy == "optional")


@pytest.mark.parametrize(("name", "refused"), [("x" * 64, False), ("x" * 65, True),
                                               ("a" * 30 + "." + "b" * 33, False)])  # fmt: skip
def test_a_host_name_is_judged_as_the_installer_keeps_it(name, refused):
    """nm-initrd-generator keeps a single label of 64 (systemd's hostname_is_valid has no
    label limit of its own) and drops 65 in all; zwizard had refused the 64 with RFC
    1123's 63 per label."""
    from tests.unit.test_installer_forms import BOOT_NIC, DISK2, PXE, V4

    pxe = {**PXE, **V4, "hostname": name}
    found = errors(nics=BOOT_NIC, disks=DISK2, pxe=pxe)
    assert (("pxe-config", "pxe.hostname") in found) is refused


PXE_NIC = [{"source": {"network": "default"}, "boot_order": 1}]
DISK_2 = [{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 2}]


@pytest.mark.parametrize(
    "pxe",
    [{"ip": "static", "address": "10.1.2.31/24"},
     {"ip": "10.1.2.31:::255.255.255.0:db01:enc2:none"}],
    ids=["keys", "dracut"],
)  # fmt: skip
def test_a_static_address_without_a_gateway_is_said_not_refused(pxe):
    """A new administrator's trial: refused, though dracut.cmdline(7) leaves the gateway
    optional and nm-initrd-generator makes the address without a default route (a flat
    install LAN; tests/system/test_installer_reads.py reads the line written)."""
    found = check(answers(nics=PXE_NIC, disks=DISK_2, pxe={"enabled": True, **pxe}))
    assert not [f for f in found if f.severity == "error"], [str(f) for f in found]
    said = [f for f in found if f.rule == "pxe-config" and "no gateway" in f.message]
    assert said and "the subnet of 10.1.2.31" in said[0].message


def test_a_static_ip_without_an_address_is_still_refused():
    found = errors(nics=PXE_NIC, disks=DISK_2,
                   pxe={"enabled": True, "ip": "static", "gateway": "10.1.2.1"})  # fmt: skip
    assert ("pxe-config", "pxe.address") in found


@pytest.mark.parametrize(
    ("disk", "refused"),
    [({"format": "raw"}, True), ({"kind": "block", "path": "/dev/dasdb"}, True),
     ({"format": "qcow2"}, False), ({}, False)],
    ids=["raw", "block-defaults-to-raw", "qcow2", "file-defaults-to-qcow2"],
)  # fmt: skip
def test_a_backing_file_needs_an_image_format_that_has_one(disk, refused):
    """libvirt 9.0 defines a raw disk with a <backingStore> and refuses it at start:
    "unsupported configuration: storage format 'raw' does not support backing store"
    (src/qemu/qemu_block.c). Found by test_stack_agrees."""
    d = {"path": "/var/lib/libvirt/images/b.img", "boot_order": 1, **disk,
         "backing": "/var/lib/libvirt/images/base.qcow2"}  # fmt: skip
    assert (("disk-tuning", "disks[0].backing") in errors(disks=[d])) is refused


@pytest.mark.parametrize(("cache", "refused"), [("auto", True), ("never", True),
                                               ("none", False), ("always", False)])  # fmt: skip
def test_a_shares_cache_mode_is_one_libvirts_schema_takes(cache, refused):
    """virtiofsd knows 'auto', libvirt's schema (domaincommon.rng fsBinary, 9.0 and 11.3)
    does not: zwizard's own schema check refused the file it had accepted, and
    `virsh define --validate` said "Extra element devices in interleave". Found by
    test_stack_accepts."""
    share = {"source": "/srv/share", "tag": "data", "cache": cache}
    assert (("share", "shares[0].cache") in errors(shares=[share])) is refused


@pytest.mark.parametrize(
    ("loadparm", "refused"), [(" ", True), ("  ", True), ("A ", False), (" A", False)]
)
def test_a_loadparm_of_blanks_only_is_refused(loadparm, refused):
    """libvirt 9.0 at define: "loadparm value ' ' must be between 1 and 8 characters";
    'A ' and ' A' it defines and keeps as written (seen)."""
    disk = {"path": "/var/lib/libvirt/images/a.qcow2", "boot_order": 1, "loadparm": loadparm}
    assert (("loadparm", "disks[0].loadparm") in errors(disks=[disk])) is refused


@pytest.mark.parametrize(("ovs", "refused"), [(False, True), (True, False), (None, False)])
def test_an_open_vswitch_port_on_a_network_that_is_not_one_is_refused(ovs, refused):
    """libvirt 9.0 defines an interface with <virtualport type='openvswitch'/> on a
    Linux-bridge network and fails at start: "Unable to add port vnet5 to OVS bridge
    zsbr-agree" (found by test_stack_agrees); discovery reads each network's definition.
    A network whose definition could not be read (None) is not judged."""
    from zwizard.host import HostInfo
    from zwizard.host.facts import Network

    host = HostInfo(networks=[Network("lan", True, ovs)])
    nic = {"source": {"network": "lan"}, "virtualport": "openvswitch"}
    found = {
        (f.rule, f.path) for f in check(answers(nics=[nic]), host=host) if f.severity == "error"
    }
    assert (("host-network", "nics[0].source.network") in found) is refused


def test_discovery_knows_an_open_vswitch_network_by_its_definition():
    from zwizard.host.discovery import network_is_ovs

    ovs = """<network><name>ovs</name><forward mode='bridge'/><bridge name='ovsbr0'/>
      <virtualport type='openvswitch'/></network>"""
    linux = "<network><name>lan</name><forward mode='bridge'/><bridge name='br0'/></network>"
    assert network_is_ovs(ovs) is True
    assert network_is_ovs(linux) is False
    assert network_is_ovs("<domain/>") is None and network_is_ovs("not xml") is None
