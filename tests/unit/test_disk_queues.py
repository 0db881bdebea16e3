"""virtio-blk multiqueue (<driver queues='N'/> on a disk), added the way CONTRIBUTING.md
says an option is added: one declaration in devices/disk.py, its rule beside it."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.helpers import answers
from zwizard.build import build
from zwizard.conversion import convert_domain
from zwizard.rules import check

DISK = "/var/lib/libvirt/images/web01.qcow2"


def disk_errors(**disk):
    a = answers(disks=[{"path": DISK, "boot_order": 1, **disk}])
    return [(f.rule, f.path) for f in check(a) if f.severity == "error"]


@pytest.mark.parametrize("queues", [1, 4, 1024])
def test_queues_a_virtio_blk_disk_takes_are_written(queues):
    assert disk_errors(queues=queues) == []
    built = build(answers(disks=[{"path": DISK, "boot_order": 1, "queues": queues}]))
    driver = etree.fromstring(built.files[built.xml_name].encode()).find("devices/disk/driver")
    assert driver.get("queues") == str(queues)


@pytest.mark.parametrize(
    "disk",
    [{"queues": 1025}, {"queues": 0}, {"queues": 2, "device": "cdrom", "path": "/a.iso"}],
    ids=["beyond-VIRTIO_QUEUE_MAX", "none", "on-scsi"],
)
def test_queues_virtio_blk_cannot_take_are_refused_at_the_disk_key(disk):
    assert ("disk-tuning", "disks[0].queues") in disk_errors(**disk)


def test_a_typed_queues_that_is_no_number_names_the_disk_rule_not_the_nics():
    from zwizard.session import Session

    s = Session(answers(disks=[{"path": DISK, "boot_order": 1}]))
    s.set_text("disks[0].queues", "four", "optional-int")
    rules = {f.rule for f in s.result.findings if f.path == "disks[0].queues"}
    assert rules == {"disk-tuning"}


def test_convert_carries_a_disks_queues():
    xml = f"""<domain type='kvm'><name>q</name><memory unit='MiB'>1024</memory><vcpu>2</vcpu>
      <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os><devices>
      <disk type='file' device='disk'><driver name='qemu' type='qcow2' queues='2'/>
      <source file='{DISK}'/><target dev='vda' bus='virtio'/></disk></devices></domain>"""
    imported = convert_domain(xml.encode(), "q.xml")
    assert imported.answers.disks[0].queues == 2
    assert not [c for c in imported.lost if "queues" in c.what]


def test_two_interfaces_cannot_share_one_tap_name():
    """Found by the real stack as oracle (tests/system/test_stack_agrees.py): libvirt
    defines it and refuses at start, 'The zws-tap1 interface already exists'."""
    nic = {"source": {"bridge": "br0"}, "target": "zws-tap1"}
    a = answers(nics=[nic, dict(nic)])
    paths = {f.path for f in check(a) if f.rule == "nic-tuning" and f.severity == "error"}
    assert paths == {"nics[0].target", "nics[1].target"}
    a = answers(nics=[nic, {**nic, "target": "zws-tap2"}])
    assert not [f for f in check(a) if f.rule == "nic-tuning"]


def test_a_swap_limit_needs_the_memory_limit_it_is_above():
    """Found by the real stack as oracle: a swap_hard_limit alone defines, then libvirt
    9.0 fails at start ('Invalid value … for memory.memsw.limit_in_bytes')."""
    errors = {f.path for f in check(answers(memory={"swap_hard_limit_mib": 8192}))
              if f.rule == "memtune" and f.severity == "error"}  # fmt: skip
    assert errors == {"memory.swap_hard_limit_mib"}
    both = answers(memory={"hard_limit_mib": 6144, "swap_hard_limit_mib": 8192})
    assert not [f for f in check(both) if f.rule == "memtune" and f.severity == "error"]
