"""Each passthrough rule, with the key it names and the words it says: what the wizard
shows beside the field and `--answers` prints."""

from __future__ import annotations

import pytest

from tests.helpers import AP_UUID, CCW_UUID, answers
from zwizard.host import HostInfo, Mdev
from zwizard.rules import check

PCI = {"type": "pci", "address": "0001:00:00.0"}

CASES = {
    "ap with a ccw address": (
        [{"type": "vfio-ap", "uuid": AP_UUID, "ccw": "fe.0.0007"}],
        ("vfio-ap", "passthrough[0].ccw", "a vfio-ap device has no guest address")),
    "mdev with a host PCI address": (
        [{"type": "vfio-ccw", "uuid": CCW_UUID, "address": "0001:00:00.0"}],
        ("vfio-ccw", "passthrough[0].address", "address applies to PCI passthrough only")),
    "mdev with zpci ids": (
        [{"type": "vfio-ap", "uuid": AP_UUID, "zpci": {"uid": 1}}],
        ("vfio-ap", "passthrough[0].zpci", "zpci applies to PCI passthrough only")),
    "mdev unmanaged": (
        [{"type": "vfio-ccw", "uuid": CCW_UUID, "managed": False}],
        ("vfio-ccw", "passthrough[0].managed", "managed applies to PCI passthrough only")),
    "one mdev twice": (
        [{"type": "vfio-ccw", "uuid": CCW_UUID}, {"type": "vfio-ccw", "uuid": CCW_UUID.upper()}],
        ("vfio-ccw", "passthrough[1].uuid",
         f"mediated device {CCW_UUID.upper()} is already passthrough[0]")),
    "pci without address": (
        [{"type": "pci"}],
        ("pci-passthrough", "passthrough[0].address", "a PCI passthrough needs the host address")),
    "pci address in another form": (
        [{"type": "pci", "address": "01:00.0"}],
        ("pci-passthrough", "passthrough[0].address",
         "'01:00.0' is not a PCI address (dddd:bb:ss.f, e.g. 0000:00:00.0)")),
    "one pci function twice": (
        [PCI, {**PCI, "address": "0001:00:00.0".upper()}],
        ("pci-passthrough", "passthrough[1].address", "0001:00:00.0 is already passthrough[0]")),
    "uid beyond 16 bits": (
        [{**PCI, "zpci": {"uid": "0x10000"}}],
        ("zpci", "passthrough[0].zpci.uid",
         "uid '0x10000' must be 0x0001-0xffff (0 is invalid), written as 0x-hex or decimal")),
    "fid beyond 32 bits": (
        [{**PCI, "zpci": {"fid": 2**32}}],
        ("zpci", "passthrough[0].zpci.fid",
         "fid 4294967296 must be 0x00000000-0xffffffff, written as 0x-hex or decimal")),
    "scsi device with a ccw address": (
        [{"type": "scsi", "address": "0:0:1:0", "ccw": "fe.0.0005"}],
        ("scsi-passthrough", "passthrough[0].ccw", "a SCSI device sits on virtio-scsi: no ccw")),
    "scsi device with zpci ids": (
        [{"type": "scsi", "address": "0:0:1:0", "zpci": {"uid": 1}}],
        ("scsi-passthrough", "passthrough[0].zpci", "a SCSI device sits on virtio-scsi: no zpci")),
    "scsi device with a uuid": (
        [{"type": "scsi", "address": "0:0:1:0", "uuid": AP_UUID}],
        ("scsi-passthrough", "passthrough[0].uuid",
         "uuid names a mediated device (vfio-ap, vfio-ccw); a scsi device is given by its host "
         "address")),
    "AP adapter beyond 0xff": (
        [{"type": "vfio-ap", "uuid": AP_UUID, "adapters": [256], "domains": [0]}],
        ("vfio-ap", "passthrough[0].adapters[0]", "AP adapter 256 is outside 0-255 (0x00-0xff)")),
}  # fmt: skip


def test_ap_queue_numbers_at_their_limits_are_fine():
    a = answers(passthrough=[{"type": "vfio-ap", "uuid": AP_UUID, "adapters": [0, 255],
                              "domains": [0, 255], "control_domains": [0]}])  # fmt: skip
    assert not [f for f in check(a) if f.rule == "vfio-ap"]


def test_a_host_without_the_scsi_device_or_pci_function_names_the_address_key():
    # the wizard shows each finding under the field its key names
    host = HostInfo(sysfs=True)
    a = answers(passthrough=[{"type": "scsi", "address": "0:0:1:0"}, {**PCI, "zpci": {"uid": 1}}])
    found = {(f.rule, f.path) for f in check(a, host=host) if f.rule.startswith("host-")}
    assert {
        ("host-scsi", "passthrough[0].address"),
        ("host-pci", "passthrough[1].address"),
    } <= found


@pytest.mark.parametrize("case", sorted(CASES))
def test_passthrough_rule_names_key_and_reason(case):
    devices, expected = CASES[case]
    found = {(f.rule, f.path, f.message) for f in check(answers(passthrough=devices))}
    assert expected in found, found


def test_fid_and_uid_at_their_limits_are_fine():
    a = answers(passthrough=[{**PCI, "zpci": {"uid": "0xffff", "fid": "0xffffffff"}}])
    assert not [f for f in check(a) if f.severity == "error"]


def test_host_mdev_missing_or_of_another_kind():
    host = HostInfo(sysfs=True, mdevs=[Mdev(AP_UUID, "vfio-ap", "vfio_ap-passthrough", "matrix")])
    a = answers(passthrough=[{"type": "vfio-ccw", "uuid": AP_UUID},
                             {"type": "vfio-ccw", "uuid": CCW_UUID}])  # fmt: skip
    found = {(f.rule, f.path, f.message) for f in check(a, host=host)}
    assert ("host-mdev", "passthrough[0].uuid",
            f"{AP_UUID} is a vfio-ap device, not vfio-ccw") in found  # fmt: skip
    assert ("host-mdev", "passthrough[1].uuid",
            f"no mediated device {CCW_UUID} on this host") in found  # fmt: skip
