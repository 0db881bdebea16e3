"""The domain XML and PXE file: what IBM Z needs is there, x86 habits never are."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.helpers import AP_UUID, ASSETS, CCW_UUID, answers
from zwizard.answers import load
from zwizard.build import build, render_files, validate_domain
from zwizard.plan import make_plan
from zwizard.render.domain import render_domain, to_xml

EXAMPLES = sorted(ASSETS.glob("*.toml"))
FORBIDDEN_XPATHS = {
    "os/boot": "//os/boot",
    "smbios": "//os/smbios | //sysinfo",
    "numa": "//cpu/numa | //numatune",
    "maxMemory": "//maxMemory",
    "timers": "//clock/timer",
    "usb": "//controller[@type='usb'] | //*[@bus='usb'] | //input[not(@bus='virtio')]",
    "virtual pci": "//address[@type='pci'][not(parent::hostdev)]",
    "pci watchdog": "//watchdog[@model!='diag288']",
    # a VNC display only on virtio-gpu-ccw, and only where the answers ask for one
    "graphics": "//graphics[not(@type='vnc')] | //video[not(model/@type='virtio')]",
}


def xml_of(a):
    return etree.fromstring(to_xml(render_domain(a)).encode())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_render_valid_s390x_xml(path):
    a, _ = load(path)
    result = build(a)
    assert result.ok, (result.findings, result.schema_problems)
    dom = etree.fromstring(result.files[result.xml_name].encode())
    assert dom.find("os/type").get("arch") == "s390x"
    assert dom.find("os/type").get("machine") == "s390-ccw-virtio"
    for what, xpath in FORBIDDEN_XPATHS.items():
        assert dom.xpath(xpath) == [], f"{path.name} has {what}"
    assert bool(dom.xpath("//graphics | //video | //input")) == a.graphics.vnc
    for addr in dom.xpath("//devices/*[not(self::hostdev)]/address"):
        assert addr.get("type") in ("ccw", "drive")
        if addr.get("type") == "ccw":
            assert addr.get("cssid") == "0xfe"
    # the SCLP console first; the line-mode one (sclplm) only as a second, when asked for
    assert dom.xpath("//console/target/@type") == ["sclp"] + ["sclplm"] * a.console.line_mode
    assert dom.xpath("//boot/@order"), "an explicit boot order is always written"


def test_examples_cover_the_promised_shapes():
    names = {p.stem for p in EXAMPLES}
    assert {"minimal-rhel9", "pxe-install", "dasd-boot", "crypto-zpci"} <= names
    assert {"secure-execution", "migrate-to-z14"} <= names
    assert len(names) >= 6


def test_the_seed_example_disk_is_reproduced():
    """The RHEL 9 document's own example: disk first in boot order, loadparm 2."""
    a = answers(
        disks=[{"path": "/path/to/qcow2", "boot_order": 1, "loadparm": "2", "ccw": "fe.0.0000"}]
    )
    disk = xml_of(a).find("devices/disk")
    assert disk.find("driver").attrib == {"name": "qemu", "type": "qcow2"}
    assert disk.find("target").attrib == {"dev": "vda", "bus": "virtio"}
    assert disk.find("address").attrib == {
        "type": "ccw",
        "cssid": "0xfe",
        "ssid": "0x0",
        "devno": "0x0000",
    }
    assert disk.find("boot").attrib == {"order": "1", "loadparm": "2"}


def test_output_is_deterministic():
    def pxe_guest():
        return answers(
            pxe={"enabled": True},
            nics=[{"source": {"network": "default"}, "boot_order": 1}],
            disks=[{"path": "/d.qcow2", "boot_order": 2}],
        )

    first, second = pxe_guest(), pxe_guest()
    assert render_files(first, make_plan(first)) == render_files(second, make_plan(second))


def test_assigned_ccw_addresses_avoid_given_ones():
    a = answers(
        disks=[{"path": "/a", "boot_order": 1}, {"path": "/b", "ccw": "fe.0.0000"}],
        nics=[{"source": {"bridge": "br0"}, "ccw": "fe.0.0001"}, {"source": {"bridge": "br1"}}],
    )
    plan = make_plan(a)
    busids = {path: addr.busid for path, addr in plan.ccw.items()}
    assert busids["disks[1]"] == "fe.0.0000" and busids["nics[0]"] == "fe.0.0001"
    assert busids["disks[0]"] == "fe.0.0002" and busids["nics[1]"] == "fe.0.0003"
    assert len(set(busids.values())) == len(busids)


def test_no_boot_order_given_gets_one_explicitly():
    a = answers(disks=[{"path": "/a"}, {"path": "/b"}])
    dom = xml_of(a)
    assert dom.xpath("//disk[source/@file='/a']/boot/@order") == ["1"]
    assert dom.xpath("//os/boot") == []


def test_secure_execution_output():
    a = answers(secure_execution={"enabled": True}, watchdog={"action": "poweroff"})
    dom = xml_of(a)
    assert dom.find("launchSecurity").get("type") == "s390-pv"
    assert dom.find("cpu").get("mode") == "host-model"
    assert dom.find("devices/memballoon").attrib == {"model": "none"}
    assert dom.find("devices/rng") is None
    assert dom.find("devices/hostdev") is None
    assert dom.find("memoryBacking") is None


def test_passthrough_output():
    a = answers(
        passthrough=[
            {"type": "vfio-ap", "uuid": AP_UUID},
            {"type": "vfio-ccw", "uuid": CCW_UUID, "ccw": "fe.0.00a1", "boot_order": 2},
            {"type": "pci", "address": "0001:00:00.0", "zpci": {"uid": 1, "fid": "0x100"}},
        ]
    )
    dom = xml_of(a)
    ap, dasd, pci = dom.findall("devices/hostdev")
    assert ap.get("model") == "vfio-ap" and ap.find("address") is None and ap.find("boot") is None
    assert dasd.find("address").get("devno") == "0x00a1"
    assert dasd.find("boot").get("order") == "2"
    assert pci.find("source/address").attrib == {
        "domain": "0x0001", "bus": "0x00", "slot": "0x00", "function": "0x0"
    }  # fmt: skip
    assert pci.find("address/zpci").attrib == {"uid": "0x0001", "fid": "0x00000100"}


def test_watchdog_is_diag288_without_address():
    wd = xml_of(answers(watchdog={"action": "inject-nmi"})).find("devices/watchdog")
    assert wd.attrib == {"model": "diag288", "action": "inject-nmi"}
    assert len(wd) == 0


def test_cdrom_sits_on_virtio_scsi_with_a_ccw_controller():
    dom = xml_of(
        answers(disks=[{"path": "/d", "boot_order": 1}, {"path": "/x.iso", "device": "cdrom"}])
    )
    cd = dom.find("devices/disk[@device='cdrom']")
    assert cd.find("target").attrib == {"dev": "sda", "bus": "scsi"}
    assert cd.find("readonly") is not None
    ctl = dom.find("devices/controller[@type='scsi']")
    assert ctl.get("model") == "virtio-scsi" and ctl.find("address").get("type") == "ccw"


def test_tcg_guest_has_no_cpu_element_by_default():
    dom = xml_of(answers(guest={"domain_type": "qemu"}))
    assert dom.get("type") == "qemu" and dom.find("cpu") is None


def test_custom_cpu_model_forbids_fallback():
    cpu = xml_of(answers(cpu={"mode": "custom", "model": "gen15a"})).find("cpu")
    assert cpu.get("mode") == "custom"
    assert cpu.find("model").text == "gen15a" and cpu.find("model").get("fallback") == "forbid"


def test_loadparm_is_upper_cased_like_libvirt_does():
    dom = xml_of(answers(disks=[{"path": "/d", "boot_order": 1, "loadparm": "prompt"}]))
    assert dom.find("devices/disk/boot").get("loadparm") == "PROMPT"


def test_libosinfo_metadata_like_virt_install():
    dom = xml_of(answers(guest={"os": "rhel8"}))
    ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
    assert dom.xpath("metadata/l:libosinfo/l:os/@id", namespaces=ns) == [
        "http://redhat.com/rhel/8-unknown"
    ]


def test_schema_check_catches_a_broken_document():
    broken = "<domain type='kvm'><name>x</name><devices><bogus/></devices></domain>"
    problems = validate_domain(broken)
    from zwizard.build import schema_path

    if schema_path() is None:
        pytest.fail("libvirt's RelaxNG schemas are not installed (apt-get install libvirt0)")
    assert problems


def test_pxe_file_shape():
    a = answers(
        pxe={
            "enabled": True,
            "repo": "http://example.com/BaseOS/s390x/os/",
            "kickstart": "http://k/ks.cfg",
        },
        nics=[{"source": {"network": "default"}, "boot_order": 1, "mac": "52:54:00:AB:CD:EF"}],
        disks=[{"path": "/d", "boot_order": 2}],
    )
    files = render_files(a, make_plan(a))
    assert set(files) == {
        "web01.xml",
        "web01.after-install.xml",  # the NIC boots first: the disk-first definition beside it
        "pxelinux.cfg/default",
        "pxelinux.cfg/01-52-54-00-ab-cd-ef",
    }
    text = files["pxelinux.cfg/default"]
    assert text.splitlines() == [
        "# pxelinux",
        "default linux",
        "label linux",
        "kernel kernel.img",
        "initrd initrd.img",
        "append ip=dhcp inst.repo=http://example.com/BaseOS/s390x/os/ inst.ks=http://k/ks.cfg",
    ]
    # the MAC the per-MAC file is named after is the one in the XML
    assert 'address="52:54:00:ab:cd:ef"' in files["web01.xml"]


def test_pxe_static_ip_uses_the_boot_nic_interface_name():
    a = answers(
        pxe={"enabled": True, "ip": "static", "address": "10.0.0.5", "netmask": "255.255.255.0",
             "gateway": "10.0.0.1"},
        nics=[{"source": {"bridge": "br0"}, "boot_order": 1, "ccw": "fe.0.0600"}],
        disks=[{"path": "/d", "boot_order": 2}],
    )  # fmt: skip
    text = render_files(a, make_plan(a))["pxelinux.cfg/default"]
    assert "append ip=10.0.0.5::10.0.0.1:255.255.255.0:web01:enc600:none" in text


def test_generated_mac_is_stable_per_uuid_and_in_qemu_range():
    a = answers()
    mac = make_plan(a).macs[0]
    assert mac.startswith("52:54:00:") and mac == make_plan(answers()).macs[0]
    other = make_plan(answers(guest={"uuid": AP_UUID})).macs[0]
    assert other != mac
