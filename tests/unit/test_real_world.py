"""Real-world input, judged as libvirt, QEMU, anaconda, dracut, systemd and the s390
firmware judge it (docs/rules.md, sections 5 and 8b) — each case as an admin would
write it, each assertion on what is written or on the reason given."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.helpers import CCW_UUID, answers
from zwizard.address import Ccw
from zwizard.build import build
from zwizard.plan import interface_name, make_plan
from zwizard.render.pxe import append_line
from zwizard.rules import check

DISK = "/var/lib/libvirt/images/web01.qcow2"
BOOT_NIC = [{"source": {"network": "default"}, "boot_order": 1, "ccw": "fe.0.0600"}]
DISK2 = [{"path": DISK, "boot_order": 2}]  # the disk boots after the installing NIC
PXE = {"enabled": True, "repo": "http://example.com/BaseOS/s390x/os/"}


def errors_at(a, rule=None):
    return {f.path for f in check(a) if f.severity == "error" and rule in (None, f.rule)}


def findings(a, rule):
    return [f for f in check(a) if f.rule == rule]


# --- lifecycle (libvirt NEWS 7.7.0) -----------------------------------------------------


@pytest.mark.parametrize(
    ("key", "action"),
    [("on_poweroff", "preserve"), ("on_reboot", "rename-restart"), ("on_crash", "rename-restart")],
)
def test_lifecycle_actions_the_qemu_driver_refuses_are_errors(key, action):
    (hit,) = findings(answers(guest={key: action}), "lifecycle")
    assert hit.severity == "error" and hit.path == f"guest.{key}"
    assert "doesn't support" in hit.message and "destroy" in hit.message


def test_coredump_and_preserve_on_crash_are_accepted():
    for action in ("preserve", "coredump-restart"):
        assert not findings(answers(guest={"on_crash": action}), "lifecycle")


# --- interface names (systemd names_ccw) ------------------------------------------------


@pytest.mark.parametrize(
    ("busid", "name"),
    [((0xFE, 0, 0x0600), "enc600"), ((0xFE, 1, 0x0A00), "enc1.0a00"), ((0xFE, 0, 0), "enc0"),
     ((0xFE, 0, 0x0001), "enc1"), ((0xFE, 2, 0x0010), "enc2.0010"),
     ((0xFE, 0, 0x0A00), "enca00")],
)  # fmt: skip
def test_guest_interface_name_follows_systemd(busid, name):
    assert interface_name(Ccw(*busid)) == name


def test_static_ip_on_ssid_1_names_the_interface_as_the_guest_will():
    a = answers(
        nics=[{"source": {"network": "default"}, "boot_order": 1, "ccw": "fe.1.0a00"}],
        pxe={**PXE, "ip": "static", "address": "10.0.0.5", "netmask": "255.255.255.0",
             "gateway": "10.0.0.1"},
    )  # fmt: skip
    assert "ip=10.0.0.5::10.0.0.1:255.255.255.0:web01:enc1.0a00:none" in append_line(
        a, make_plan(a)
    )


# --- inst.repo and inst.ks (anaconda boot-options) ---------------------------------------


@pytest.mark.parametrize(
    "repo",
    ["http://example.com/BaseOS/s390x/os/", "https://mirror/rhel9/", "ftp://user:pw@ftp/x/",
     "nfs:server.example.com:/exports/rhel9", "nfs:nfsvers=4,ro:10.0.0.1:/srv/rhel9/",
     "hd:sdb2:/images/rhel9.iso", "hd:LABEL=RHEL9:/", "cdrom", "cdrom:/dev/sr0", "hmc"],
)  # fmt: skip
def test_every_anaconda_repo_form_is_accepted(repo):
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "repo": repo})
    assert "pxe.repo" not in errors_at(a)
    assert f"inst.repo={repo}" in build(a).files["pxelinux.cfg/default"]


def test_the_seeds_schemeless_repo_is_refused_with_the_fix():
    a = answers(
        nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "repo": "example.com/redhat/BaseOS/s390x/os/"}
    )
    (hit,) = [f for f in findings(a, "pxe-config") if f.path == "pxe.repo"]
    assert "did you mean http://example.com/redhat/BaseOS/s390x/os/?" in hit.message
    assert "nfs:[<options>:]<server>:/<path>" in hit.message and "hmc" in hit.message


@pytest.mark.parametrize("repo", ["nfs://server/path", "gopher://x/y", "http://", "nfs:server"])
def test_forms_anaconda_does_not_read_are_refused(repo):
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "repo": repo})
    assert "pxe.repo" in errors_at(a, "pxe-config")


def test_nfs_url_form_gets_the_anaconda_spelling_offered():
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "repo": "nfs://server/srv/rhel9"})
    (hit,) = [f for f in findings(a, "pxe-config") if f.path == "pxe.repo"]
    assert "did you mean nfs:server:/srv/rhel9?" in hit.message


def test_kickstart_forms():
    for ks in ("http://k/ks.cfg", "nfs:k:/ks.cfg", "hd:sda1:/ks.cfg", "file:/ks.cfg"):
        assert "pxe.kickstart" not in errors_at(
            answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "kickstart": ks})
        )
    assert "pxe.kickstart" in errors_at(
        answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "kickstart": "ks.cfg"})
    )


# --- ip= (dracut.cmdline) and CIDR ------------------------------------------------------


def test_dracut_ip_form_is_read_into_the_structured_fields():
    a = answers(
        nics=BOOT_NIC,
        disks=DISK2,
        pxe={**PXE, "ip": "10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none"},
    )
    result = build(a)
    assert result.ok, result.findings
    assert (
        "ip=10.1.2.3::10.1.2.1:255.255.255.0:db01:enc1:none "
        in result.files["pxelinux.cfg/default"]
    )
    from zwizard.build import summary

    assert any("static address 10.1.2.3" in line and "pxe.ip" in line for line in summary(result))


def test_dracut_ip_without_interface_gets_the_boot_nic_name():
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "ip": "10.1.2.3::10.1.2.1:24:::none"})
    assert "ip=10.1.2.3::10.1.2.1:255.255.255.0:web01:enc600:none" in append_line(a, make_plan(a))


@pytest.mark.parametrize(
    "ip",
    ["10.1.2.3::10.1.2.1:255.255.255.0", "10.1.2.3::10.1.2.1:255.255.255.0:h:enc1:dhcp",
     "10.1.2.x::10.1.2.1:255.255.255.0:h:enc1:none"],
)  # fmt: skip
def test_broken_dracut_ip_is_refused_with_the_form(ip):
    assert "pxe.ip" in errors_at(
        answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "ip": ip}), "pxe-config"
    )


def test_cidr_address_gives_the_netmask():
    a = answers(
        nics=BOOT_NIC,
        disks=DISK2,
        pxe={**PXE, "ip": "static", "address": "10.0.0.50/24", "gateway": "10.0.0.1"},
    )
    assert errors_at(a) == set()
    assert "ip=10.0.0.50::10.0.0.1:255.255.255.0:web01:enc600:none" in append_line(a, make_plan(a))


def test_cidr_and_a_different_netmask_contradict():
    a = answers(
        nics=BOOT_NIC,
        disks=DISK2,
        pxe={**PXE, "ip": "static", "address": "10.0.0.50/24", "netmask": "255.255.0.0",
             "gateway": "10.0.0.1"},
    )  # fmt: skip
    assert "pxe.address" in errors_at(a, "pxe-config")


def test_a_second_ip_in_extra_args_is_refused():
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "extra_args": "inst.text ip=enc600:dhcp"})
    (hit,) = [f for f in findings(a, "pxe-config") if f.path == "pxe.extra_args"]
    assert "pxe.ip" in hit.message
    assert "pxe.extra_args" not in errors_at(
        answers(
            nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "extra_args": "inst.text nameserver=10.0.0.2"}
        )
    )


@pytest.mark.parametrize(
    ("word", "own", "given"),
    [
        ("inst.repo=http://10.0.0.1/os/", "pxe.repo", {}),
        ("inst.ks=http://10.0.0.1/ks.cfg", "pxe.kickstart", {"kickstart": "http://10.0.0.1/k"}),
        ("nameserver=10.0.0.2", "pxe.nameserver", {"nameserver": "10.0.0.3"}),
    ],
)
def test_an_option_zwizard_writes_from_its_own_key_is_refused_a_second_time(word, own, given):
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, **given, "extra_args": f"inst.text {word}"})
    (hit,) = [f for f in findings(a, "pxe-config") if f.path == "pxe.extra_args"]
    assert hit.message.startswith(f"'{word}': {word.split('=')[0]}= is written from {own}")


# --- PXE paths (TFTP, SLOF tftp.h) --------------------------------------------------------


def test_kernel_url_is_refused_as_not_tftp():
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "kernel": "http://10.0.0.1/vmlinuz"})
    (hit,) = [f for f in findings(a, "pxe-config") if f.path == "pxe.kernel"]
    assert "TFTP" in hit.message


def test_kernel_path_longer_than_the_firmware_buffer_is_refused():
    ok = "r" * 255
    assert "pxe.initrd" not in errors_at(
        answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "initrd": ok})
    )
    assert "pxe.initrd" in errors_at(
        answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "initrd": ok + "x"})
    )


# --- NIC loadparm under netboot (netmain.c) ---------------------------------------------


def test_nic_loadparm_beyond_the_one_label_is_an_error():
    nic = [{**BOOT_NIC[0], "loadparm": "2"}]
    assert "nics[0].loadparm" in errors_at(answers(nics=nic, disks=DISK2, pxe=PXE), "loadparm")
    nic = [{**BOOT_NIC[0], "loadparm": "1"}]
    assert "nics[0].loadparm" not in errors_at(answers(nics=nic, disks=DISK2, pxe=PXE))


# --- vfio-ccw loadparm (libvirt 9.0 drops it) -------------------------------------------


def test_vfio_ccw_loadparm_says_which_libvirt_drops_it():
    a = answers(
        disks=[],
        passthrough=[{"type": "vfio-ccw", "uuid": CCW_UUID, "boot_order": 1, "loadparm": "2"}],
    )
    (hit,) = findings(a, "loadparm")
    assert hit.severity == "warning" and "libvirt 9.0" in hit.message
    assert 'loadparm="2"' in build(a).files["web01.xml"]  # still written: newer libvirt uses it


# --- install, then boot -----------------------------------------------------------------


def test_network_install_writes_the_disk_first_definition_beside_it(tmp_path):
    a = answers(
        nics=BOOT_NIC,
        disks=[{"path": DISK, "boot_order": 2, "loadparm": "1"}],
        pxe=PXE,
    )
    result = build(a)
    final = etree.fromstring(result.files["web01.after-install.xml"].encode())
    assert final.find("devices/disk/boot").get("order") == "1"
    assert final.find("devices/disk/boot").get("loadparm") == "1"
    assert final.find("devices/interface/boot").get("order") == "2"
    assert final.findtext("uuid") == etree.fromstring(result.files["web01.xml"].encode()).findtext(
        "uuid"
    )
    from zwizard.build import next_steps

    assert any("after-install" in s for s in next_steps(result, tmp_path))


def test_disk_first_install_needs_no_second_definition():
    a = answers(
        nics=[{**BOOT_NIC[0], "boot_order": 2}], disks=[{"path": DISK, "boot_order": 1}], pxe=PXE
    )
    assert "web01.after-install.xml" not in build(a).files


# --- nothing to boot ----------------------------------------------------------------------


def test_a_guest_with_nothing_to_boot_is_warned():
    (hit,) = findings(answers(disks=[], nics=[]), "boot-order")
    assert hit.severity == "warning" and "nothing to boot" in hit.message
    assert "pxe.enabled" in errors_at(answers(disks=[], nics=[], pxe=PXE))


# --- zPCI ids assigned ----------------------------------------------------------------------


def test_zpci_ids_are_optional_and_assigned_unique_like_libvirt():
    a = answers(
        passthrough=[
            {"type": "pci", "address": "0000:00:00.0"},
            {"type": "pci", "address": "0000:00:01.0", "zpci": {"uid": "0x0001"}},
            {"type": "pci", "address": "0000:00:02.0", "zpci": {"fid": "0"}},
        ]
    )
    result = build(a)
    assert result.ok, result.findings
    dom = etree.fromstring(result.files["web01.xml"].encode())
    ids = [(z.get("uid"), z.get("fid")) for z in dom.iterfind(".//zpci")]
    assert ids == [("0x0002", "0x00000001"), ("0x0001", "0x00000002"), ("0x0003", "0x00000000")]
    from zwizard.build import summary

    assert sum("(assigned)" in line for line in summary(result)) == 3


def test_pci_passthrough_without_zpci_is_not_missing(tmp_path):
    from tests.helpers import run_zwizard

    toml = tmp_path / "g.toml"
    toml.write_text(
        'version = 1\n[guest]\nname = "g"\n[[disks]]\npath = "/d.qcow2"\n'
        '[[passthrough]]\ntype = "pci"\naddress = "0000:00:00.0"\n'
    )
    r = run_zwizard("--answers", str(toml), "-o", str(tmp_path), "--no-input")
    assert r.returncode == 0, r.stderr
    assert "zpci uid 0x0001 fid 0x00000000 (assigned)" in r.stdout


def test_pci_managed_no_is_kept():
    a = answers(passthrough=[{"type": "pci", "address": "0000:00:00.0", "managed": False}])
    assert 'managed="no"' in build(a).files["web01.xml"]


# --- whole values, bounds, characters ---------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path"),
    [({"guest": {"name": "web01\n"}}, "guest.name"),
     ({"nics": [{"source": {"network": "default"}, "mac": "52:54:00:00:00:01\n"}]}, "nics[0].mac"),
     ({"disks": [{"path": DISK, "boot_order": 1, "loadparm": "1\n"}]}, "disks[0].loadparm"),
     ({"disks": [{"path": DISK, "boot_order": 1, "ccw": "fe.0.0001\n"}]}, "disks[0].ccw"),
     ({"guest": {"uuid": "0f8fad5b-d9cb-469f-a165-70867728950e\n"}}, "guest.uuid"),
     ({"guest": {"title": "two\nlines"}}, "guest.title")],
)  # fmt: skip
def test_a_trailing_newline_never_passes_a_pattern(change, path):
    a = answers(**change)
    assert path in errors_at(a), check(a)
    assert not build(a).files


def test_newline_in_pxe_values_never_reaches_the_append_line():
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "repo": "http://example.com/os/\n"})
    assert "pxe.repo" in errors_at(a)
    assert not build(a).files


@pytest.mark.parametrize("order", [4294967296, 10**30])
def test_boot_order_beyond_unsigned_int_is_refused(order):
    a = answers(disks=[{"path": DISK, "boot_order": order}])
    assert "disks[0].boot_order" in errors_at(a, "boot-order")


def test_huge_memory_is_refused():
    assert "guest.memory_mib" in errors_at(answers(guest={"memory_mib": 10**30}), "memory")


def test_disk_targets_libvirt_accepts_are_accepted():
    a = answers(disks=[{"path": DISK, "target": "hda", "boot_order": 1}, {"path": "/b"}])
    assert errors_at(a) == set()
    assert "disks[0].target" in errors_at(answers(disks=[{"path": DISK, "target": "disk0"}]))


def test_the_name_server_reaches_the_installer():
    a = answers(nics=BOOT_NIC, disks=DISK2, pxe={**PXE, "nameserver": "10.0.0.2"})
    line = append_line(a, make_plan(a))
    assert line.split()[:2] == ["ip=dhcp", "nameserver=10.0.0.2"]  # dracut reads it beside ip=
