"""Host discovery on a fake sysfs tree and recorded virsh output, and the host rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import AP_UUID, CCW_UUID, ROOT, answers
from zwizard.host import HostInfo, discover
from zwizard.rules import availability, check

DATA = ROOT / "tests" / "data" / "host"
FREE_AP = AP_UUID
USED_CCW = CCW_UUID
RULES_TESTED_HERE = {
    "host-scsi",
    "host-cpus",
    "host-cpu-mode", "host-cpu-model", "host-se", "host-vcpus", "host-mdev", "host-pci",
    "host-network", "host-bridge", "host-interface", "host-disk", "disk-format",
}  # fmt: skip

OTHER_GUEST = f"""<domain type='kvm'><name>db-prod</name><devices>
<hostdev mode='subsystem' type='mdev' model='vfio-ccw'>
  <source><address uuid='{USED_CCW}'/></source></hostdev>
</devices></domain>"""


def make_sysfs(root: Path) -> None:
    """The parts of an IBM Z host's /sys that discovery reads."""
    sys_ = root / "sys"
    ap_type = sys_ / "devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough"
    ccw_type = sys_ / "devices/css0/0.0.0313/mdev_supported_types/vfio_ccw-io"
    for folder, api in ((ap_type, "vfio-ap"), (ccw_type, "vfio-ccw")):
        folder.mkdir(parents=True)
        (folder / "device_api").write_text(api + "\n")
    mdevs = sys_ / "bus/mdev/devices"
    mdevs.mkdir(parents=True)
    for uuid, mtype, parent in ((FREE_AP, ap_type, "devices/vfio_ap/matrix"),
                                (USED_CCW, ccw_type, "devices/css0/0.0.0313")):  # fmt: skip
        real = sys_ / parent / uuid
        real.mkdir(parents=True)
        (real / "mdev_type").symlink_to(mtype)
        (mdevs / uuid).symlink_to(real)
    pci = sys_ / "bus/pci/devices/0001:00:00.0"
    pci.mkdir(parents=True)
    (pci / "uid").write_text("0x1\n")
    (pci / "function_id").write_text("0x00000100\n")
    (sys_ / "bus/pci/drivers/vfio-pci").mkdir(parents=True)
    (pci / "driver").symlink_to(sys_ / "bus/pci/drivers/vfio-pci")
    dasd = sys_ / "bus/ccw/drivers/dasd-eckd/0.0.0200"
    dasd.mkdir(parents=True)
    (dasd / "devtype").write_text("3390/0c\n")
    (dasd / "online").write_text("1\n")
    (sys_ / "devices/system/cpu").mkdir(parents=True)
    (sys_ / "devices/system/cpu/online").write_text("0-3,6\n")
    tape = sys_ / "bus/scsi/devices/0:0:1:0"
    (tape / "scsi_generic").mkdir(parents=True)  # lsscsi -g: /dev/sg0
    (sys_ / "bus/scsi/devices/0:0:2:0").mkdir(parents=True)  # no sg node
    for name, bridge in (("br0", True), ("encbdf0", False), ("lo", False)):
        dev = sys_ / "class/net" / name
        dev.mkdir(parents=True)
        (dev / "operstate").write_text("up\n")
        if bridge:
            (dev / "bridge").mkdir()


def recorded(domcaps: str, nets: str = "net-list-one-inactive.txt"):
    """Recorded virsh output; net-list answers only its --name forms, as zwizard asks."""
    table = (DATA / nets).read_text().splitlines()[2:]
    all_names = "".join(line.split()[0] + "\n" for line in table if line.split())
    active = "".join(line.split()[0] + "\n" for line in table if line.split()[1:2] == ["active"])
    answers_for = {
        ("domcapabilities",): (DATA / domcaps).read_text(),
        ("net-list", "--all", "--name"): all_names + "\n",
        ("net-list", "--name"): active + "\n",
        ("list",): "5a1e0c52-8c2b-4b7e-9f38-2f0b1d3c4e5f db-prod\n\n",  # --uuid --name
        ("pool-list",): "default\n\n",
        ("vol-list",): (DATA / "vol-list-default.txt").read_text(),  # virsh 9.0: no --name
        ("dumpxml",): OTHER_GUEST,
    }

    def run(args: list[str]) -> str | None:
        if args[0] == "net-list":
            return answers_for.get(tuple(args))
        return answers_for.get((args[0],))

    return run


@pytest.fixture
def z15(tmp_path) -> HostInfo:
    make_sysfs(tmp_path)
    return discover("kvm", root=tmp_path, run=recorded("domcaps-s390x-kvm-z15-synthetic.xml"))


@pytest.fixture
def tcg_here(tmp_path) -> HostInfo:
    return discover("qemu", root=tmp_path, run=recorded("domcaps-s390x-qemu-debian12.xml"))


def test_discovery_reads_everything(z15):
    assert z15.host_model == "gen15a-base" and z15.s390_pv is True and z15.vcpu_max == 248
    assert "gen15a" in z15.cpu_usable and "gen16a" in z15.cpu_unusable
    assert not any(m.endswith("-base") or m in ("qemu", "max") for m in z15.cpu_usable)
    kinds = {m.uuid: (m.kind, m.in_use_by) for m in z15.mdevs}
    assert kinds == {FREE_AP: ("vfio-ap", None), USED_CCW: ("vfio-ccw", "db-prod")}
    assert [(p.address, p.uid, p.fid, p.driver) for p in z15.pci] == [
        ("0001:00:00.0", "0x1", "0x00000100", "vfio-pci")
    ]
    assert [(d.busid, d.devtype, d.online) for d in z15.dasds] == [("0.0.0200", "3390/0c", True)]
    assert {(i.name, i.bridge) for i in z15.interfaces} == {("br0", True), ("encbdf0", False)}
    assert [(n.name, n.active) for n in z15.networks] == [("zwtest", False)]
    assert z15.unavailable == []


def test_recorded_real_tcg_capabilities(tcg_here):
    """Recorded on Debian 12 (libvirt 9.0, qemu 7.2, TCG): what this machine type offers."""
    assert tcg_here.cpu_modes == {
        "host-passthrough": False, "maximum": True, "host-model": False, "custom": True,
    }  # fmt: skip
    assert tcg_here.s390_pv is False and tcg_here.vcpu_max == 248
    # usable='yes' there: z800 z900 z900.3 z900.2 and their -base twins, qemu, max —
    # the twins and the generic names are not offered as custom models
    assert sorted(tcg_here.cpu_usable) == ["z800", "z900", "z900.2", "z900.3"]


def test_no_host_says_so_once_and_judges_as_before(tmp_path):
    empty = discover("kvm", root=tmp_path, run=lambda args: None)
    assert empty.unavailable and "host data unavailable" in empty.summary()
    a = answers(secure_execution={"enabled": True}, nics=[{"source": {"bridge": "br9"}}])
    host_rules = {f.rule for f in check(a, host=empty) if f.rule.startswith("host-")}
    assert host_rules <= {"host-disk"}  # only what the local filesystem can tell


def rules_at(findings, prefix="host-"):
    return {(f.rule, f.severity) for f in findings if f.rule.startswith(prefix)}


# rule -> (answers changes that break it, answers changes that satisfy it)
CASES = {
    "host-cpu-model": (dict(cpu={"mode": "custom", "model": "gen16a"}),
                       dict(cpu={"mode": "custom", "model": "gen15a"})),
    "host-mdev": (dict(passthrough=[{"type": "vfio-ccw", "uuid": USED_CCW}]),
                  dict(passthrough=[{"type": "vfio-ap", "uuid": FREE_AP}])),
    "host-pci": (dict(passthrough=[{"type": "pci", "address": "0002:00:00.0", "zpci": {"uid": 1, "fid": 1}}]),
                 dict(passthrough=[{"type": "pci", "address": "0001:00:00.0", "zpci": {"uid": 1, "fid": 1}}])),
    "host-network": (dict(nics=[{"source": {"network": "default"}}]),
                     dict(nics=[{"source": {"bridge": "br0"}}])),
    "host-bridge": (dict(nics=[{"source": {"bridge": "encbdf0"}}]),
                    dict(nics=[{"source": {"bridge": "br0"}}])),
    "host-interface": (dict(nics=[{"source": {"direct": "eth9"}}]),
                       dict(nics=[{"source": {"direct": "encbdf0"}}])),
    "host-disk": (dict(disks=[{"path": "/dev/disk/by-id/none", "kind": "block", "boot_order": 1}]),
                  dict(disks=[{"path": "/dev/null", "kind": "block", "boot_order": 1}])),
}  # fmt: skip


def test_an_image_whose_bytes_are_another_format_than_written_is_refused(z15, tmp_path):
    """An outside tester's `app01.raw` was written as qcow2 (a file's default) without a
    word; QEMU refuses it at start ("Image is not in qcow2 format"). On the host the guest
    is for, the image's first bytes tell its format (QEMU's QCOW_MAGIC)."""
    raw, qcow2 = tmp_path / "app01.raw", tmp_path / "app01.img"
    raw.write_bytes(b"\0" * 512)
    qcow2.write_bytes(b"QFI\xfb" + b"\0" * 508)

    def said(path, fmt=None):
        disk = {"path": str(path), "boot_order": 1} | ({"format": fmt} if fmt else {})
        found = check(answers(disks=[disk]), host=z15)
        return sorted((f.severity, f.path) for f in found if f.rule == "disk-format")

    assert said(raw) == [("error", "disks[0].format"), ("warning", "disks[0].format")]
    assert said(raw, "raw") == []
    assert said(qcow2, "raw") == [
        ("error", "disks[0].format")
    ]  # the guest would read the container
    assert said(qcow2) == [("note", "disks[0].format")]  # .img: the name says nothing
    assert said(qcow2, "qcow2") == []


@pytest.mark.parametrize("rule", sorted(CASES))
def test_host_rule_both_sides(z15, rule):
    bad, good = CASES[rule]
    assert (rule, "error") in rules_at(check(answers(**bad), host=z15)), check(
        answers(**bad), host=z15
    )
    assert rule not in {r for r, _ in rules_at(check(answers(**good), host=z15))}


def test_an_open_vswitch_bridge_is_no_linux_bridge_and_is_accepted(z15):
    """An OVS bridge's device has no /sys/class/net/<name>/bridge (found by the real
    stack as oracle, tests/system/test_stack_agrees.py and test_stack_accepts.py: libvirt
    plugs the tap into the OVS bridge and QEMU starts, where zwizard said "is not a
    bridge")."""
    ovs = {"source": {"bridge": "encbdf0"}, "virtualport": "openvswitch"}
    assert "host-bridge" not in {r for r, _ in rules_at(check(answers(nics=[ovs]), host=z15))}
    missing = {**ovs, "source": {"bridge": "ovsbr9"}}
    assert ("host-bridge", "error") in rules_at(check(answers(nics=[missing]), host=z15))


def test_mdev_of_the_wrong_kind(z15):
    findings = check(answers(passthrough=[{"type": "vfio-ap", "uuid": USED_CCW}]), host=z15)
    assert any("is a vfio-ccw device, not vfio-ap" in f.message for f in findings)


def test_inactive_network_is_a_warning(z15):
    findings = check(answers(nics=[{"source": {"network": "zwtest"}}]), host=z15)
    assert ("host-network", "warning") in rules_at(findings)
    assert any("virsh net-start --network zwtest" in f.message for f in findings)


def test_secure_execution_needs_host_support(z15, tcg_here):
    a = answers(secure_execution={"enabled": True}, nics=[])
    assert "host-se" not in {r for r, _ in rules_at(check(a, host=z15))}
    assert ("host-se", "error") in rules_at(check(a, host=tcg_here))
    # meant for another host: still possible, with a clear warning
    assert ("host-se", "warning") in rules_at(check(a, host=tcg_here, host_is_target=False))


def test_secure_execution_greyed_unless_target_is_another_host(tcg_here):
    a = answers(nics=[])
    here = availability(a, "secure_execution.enabled", True, host=tcg_here)
    assert not here.allowed and here.rule == "host-se"
    assert "this host does not support Secure Execution" in here.reason
    elsewhere = availability(
        a, "secure_execution.enabled", True, host=tcg_here, host_is_target=False
    )
    assert elsewhere.allowed and any(f.rule == "host-se" for f in elsewhere.reasons)


def test_cpu_mode_the_host_does_not_support(tcg_here):
    a = answers(guest={"domain_type": "qemu"}, cpu={"mode": "host-passthrough"}, nics=[])
    assert ("host-cpu-mode", "error") in rules_at(check(a, host=tcg_here))
    ok = answers(guest={"domain_type": "qemu"}, cpu={"mode": "maximum"}, nics=[])
    assert "host-cpu-mode" not in {r for r, _ in rules_at(check(ok, host=tcg_here))}


def test_host_vcpu_limit():
    small = HostInfo(cpu_modes={"host-model": True}, vcpu_max=16, s390_pv=True)
    assert ("host-vcpus", "error") in rules_at(
        check(answers(guest={"vcpus": 32}, nics=[]), host=small)
    )
    assert "host-vcpus" not in {
        r for r, _ in rules_at(check(answers(guest={"vcpus": 16}, nics=[]), host=small))
    }


def test_missing_image_file_is_a_warning_with_the_command():
    a = answers(disks=[{"path": "/nonexistent/guest.qcow2", "boot_order": 1}], nics=[])
    (hit,) = [f for f in check(a, host=HostInfo()) if f.rule == "host-disk"]
    assert (
        hit.severity == "warning"
        and "qemu-img create -f qcow2 /nonexistent/guest.qcow2" in hit.message
    )
    assert hit.path == "disks[0].path"  # the field the wizard marks


def test_a_missing_iso_is_copied_not_created():
    """A new administrator's trial: a CD-ROM whose ISO is not there was offered
    `qemu-img create -f qcow2 …/rhel9.iso 20G`, an empty disk image, not an installer."""
    cd = {"path": "/nonexistent/rhel9.iso", "device": "cdrom", "boot_order": 1}
    (hit,) = [
        f for f in check(answers(disks=[cd], nics=[]), host=HostInfo()) if f.rule == "host-disk"
    ]
    assert hit.severity == "warning" and "qemu-img" not in hit.message
    assert "copy the ISO image there" in hit.message


def test_missing_block_device_is_an_error_at_its_path():
    a = answers(disks=[{"path": "/dev/disk/by-id/none", "kind": "block", "boot_order": 1}])
    (hit,) = [f for f in check(a, host=HostInfo()) if f.rule == "host-disk"]
    assert (hit.severity, hit.path) == ("error", "disks[0].path")


def test_host_module_stays_out_of_ui_and_needs_no_root():
    assert os.access(__file__, os.R_OK)
    import zwizard.host as host

    assert "textual" not in host.__dict__ and "questionary" not in host.__dict__


def test_virsh_runs_in_the_c_locale(tmp_path, monkeypatch):
    """virsh translates its table headers and states; zwizard reads them in C."""
    fake = tmp_path / "virsh"
    fake.write_text('#!/bin/sh\necho "LC_ALL=$LC_ALL"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    from zwizard.host import virsh_runner

    assert virsh_runner("qemu:///system")(["net-list", "--name"]).strip() == "LC_ALL=C"


@pytest.mark.parametrize(
    ("caps", "why"),
    [
        ("<domainCapabilities><vcpu max='8'>", "not well-formed XML"),
        ('<!DOCTYPE x [<!ENTITY e "boom">]><domainCapabilities/>', "DOCTYPE"),
        ("<capabilities/>", "not a libvirt <domainCapabilities>"),
    ],
    ids=["cut-off", "doctype", "wrong-document"],
)
def test_unreadable_capabilities_are_reported_not_raised(tmp_path, caps, why):
    """Discovery never raises: libvirt's answer read through the one locked-down parser,
    and what it could not read is said where the wizard shows host gaps."""

    def run(args: list[str]) -> str | None:
        return caps if args[0] == "domcapabilities" else None

    info = discover("kvm", root=tmp_path, run=run)
    assert info.vcpu_max is None and info.host_model is None
    assert any("capabilities could not be read" in u and why in u for u in info.unavailable)


def test_storage_pools_and_their_volumes_are_read_and_judged(z15):
    assert z15.pools == {"default": ["db01.qcow2"]}
    there = answers(disks=[{"path": "default/db01.qcow2", "kind": "volume"}])
    assert not [f for f in check(there, host=z15) if f.rule == "host-disk"]
    for path, words in (("default/db02.qcow2", "has no volume 'db02.qcow2'"),
                        ("images/db01.qcow2", "storage pool 'images' is not defined")):  # fmt: skip
        missing = answers(disks=[{"path": path, "kind": "volume"}])
        found = [f for f in check(missing, host=z15) if f.rule == "host-disk"]
        assert found and found[0].severity == "error" and words in found[0].message


def test_a_scsi_device_needs_its_sg_node_on_the_host(z15):
    assert z15.scsi == ["0:0:1:0"]
    for address, bad in (("0:0:1:0", False), ("0:0:2:0", True), ("3:0:0:0", True)):
        a = answers(passthrough=[{"type": "scsi", "address": address}])
        found = [f for f in check(a, host=z15) if f.rule == "host-scsi"]
        assert bool(found) == bad, (address, found)


def test_pinned_cpus_must_be_online_on_the_host(z15):
    assert z15.cpus_online == {0, 1, 2, 3, 6}
    for cpuset, bad in (("0-3", False), ("2,6", False), ("0-7,^4,^5,^7", False), ("4-5", True)):
        a = answers(guest={"vcpus": 1}, cpu={"pinning": {"0": cpuset}})
        found = [f for f in check(a, host=z15) if f.rule == "host-cpus"]
        assert bool(found) == bad, (cpuset, found)
