"""zwizard check and convert on real-world x86 definitions and hand-broken s390x ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import ASSETS, ROOT, run_zwizard
from zwizard.answers import load, parse
from zwizard.build import build, render_files
from zwizard.conversion import convert_domain
from zwizard.importer import ImportError_, check_domain, import_domain
from zwizard.plan import make_plan

DATA = ROOT / "tests" / "data"
X86 = sorted((DATA / "x86").glob("*.xml"))
RULES_TESTED_HERE = {"s390-machine", "no-x86-features", "graphics"}


def rules_of(path: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in check_domain(path.read_bytes(), path.name):
        out.setdefault(item.finding.rule, []).append(item)
    return out


@pytest.mark.parametrize("path", X86, ids=lambda p: p.stem)
def test_check_finds_the_x86_habits(path):
    found = rules_of(path)
    assert {"s390-machine", "ccw-only", "no-x86-features"} <= set(found)
    assert [i for i in found["ccw-only"] if "USB" in i.finding.message]
    for items in found.values():
        for item in items:
            assert item.xpath.startswith("/domain")
            assert item.line, item


def test_check_q35_details():
    found = rules_of(DATA / "x86" / "virt-manager-q35.xml")
    xpaths = {i.xpath for i in found["ccw-only"]}
    assert "/domain/devices/controller[1]" in xpaths  # qemu-xhci USB
    assert "/domain/devices/disk[1]/address" in xpaths  # virtio-blk on PCI
    assert "/domain/devices/disk[2]/target" in xpaths  # SATA CD-ROM
    assert "/domain/devices/sound" in xpaths
    # libvirt/QEMU accept a graphical console on s390x: a note, not an error
    assert next((i.xpath, i.finding.severity) for i in found["graphics"]) == (
        "/domain/devices/graphics",
        "note",
    )
    assert {i.xpath for i in found["s390-machine"]} == {
        "/domain/os/type",
        "/domain/os/loader",
        "/domain/os/nvram",
    }
    assert [i.line for i in found["watchdog-diag288"]] == [110]
    assert found["cpu-migration"][0].finding.severity == "warning"


def test_check_i440fx_details():
    found = rules_of(DATA / "x86" / "dumpxml-i440fx.xml")
    assert len(found["boot-order"]) == 3  # three <os><boot dev>
    assert {"no-smbios", "no-numa", "no-kvmclock", "cpu-model", "watchdog-diag288"} <= set(found)
    nic_models = [i for i in found["ccw-only"] if i.xpath.endswith("/model")]
    assert {i.finding.message.split("'")[1] for i in nic_models} == {"e1000", "rtl8139"}


def test_check_hand_broken_s390x():
    found = rules_of(DATA / "s390x" / "hand-broken.xml")
    expected = {
        "no-mem-hotplug", "se-no-hugepages", "vcpus", "se-max-vcpus", "boot-order",
        "cpu-model", "loadparm", "ccw-address", "se-no-vfio", "vfio-ap",
        "watchdog-diag288", "se-no-balloon-rng",
    }  # fmt: skip
    assert expected <= set(found)
    assert "gen15a" in found["cpu-model"][0].finding.message
    assert found["ccw-address"][0].xpath == "/domain/devices/interface"


@pytest.mark.parametrize("path", sorted(ASSETS.glob("*.toml")), ids=lambda p: p.stem)
def test_our_own_output_is_clean_and_round_trips(path):
    answers, _ = load(path)
    files = render_files(answers, make_plan(answers))
    xml = files[f"{answers.guest.name}.xml"].encode()
    assert [i for i in check_domain(xml) if i.finding.severity == "error"] == []
    back = import_domain(xml).answers
    back.pxe = answers.pxe  # PXE settings live in the pxelinux file, not the XML
    assert render_files(back, make_plan(back)) == files


@pytest.mark.parametrize("path", X86, ids=lambda p: p.stem)
def test_convert_keeps_values_and_fits_ibm_z(path):
    source = etree.parse(str(path)).getroot()
    imported = convert_domain(path.read_bytes(), path.name)
    a = imported.answers
    result = build(a)
    assert result.ok, (result.findings, result.schema_problems)
    xml = result.files[result.xml_name]
    assert [i for i in check_domain(xml.encode()) if i.finding.severity == "error"] == []
    out = etree.fromstring(xml.encode())
    assert out.findtext("name") == source.findtext("name")
    assert out.findtext("uuid") == source.findtext("uuid")
    src_macs = source.xpath("devices/interface[@type!='user']/mac/@address")
    assert out.xpath("devices/interface/mac/@address") == src_macs
    src_disks = source.xpath("devices/disk/source/@file | devices/disk/source/@dev")
    assert out.xpath("devices/disk/source/@file | devices/disk/source/@dev") == src_disks
    assert out.xpath("//os/boot") == [] and out.xpath("//boot/@order")
    assert imported.changes, "an x86 guest always needs changes"
    # the draft written next to it opens as answers again
    from zwizard.answers import dumps

    assert parse(dumps(a), draft=True) == a


def test_convert_maps_boot_dev_and_watchdog_action():
    imported = convert_domain((DATA / "x86" / "dumpxml-i440fx.xml").read_bytes())
    a = imported.answers
    cdrom = next(d for d in a.disks if d.device == "cdrom")
    hd = next(d for d in a.disks if d.device == "disk")
    assert (cdrom.boot_order, hd.boot_order, a.nics[0].boot_order) == (1, 2, 3)
    assert a.watchdog.model == "diag288" and a.watchdog.action == "poweroff"
    assert a.guest.on_crash == "coredump-restart" and a.clock.offset == "localtime"
    assert a.cpu.mode == "host-model" and not a.cpu.numa and not a.guest.smbios
    assert a.nics[1].source.direct == "eth1" and a.nics[1].source.mode == "vepa"
    lost = " ".join(c.what for c in imported.lost)
    assert "seclabel" in lost and "hypervisor" in lost


def test_convert_cli_writes_xml_and_draft(tmp_path):
    r = run_zwizard("convert", str(DATA / "x86" / "virt-manager-q35.xml"), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "changed:" in r.stdout and "[watchdog-diag288]" in r.stdout
    assert "not carried:" in r.stdout and "com.redhat.spice.0" in r.stdout  # a SPICE port
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db01.toml", "db01.xml"]
    # the guest agent's channel is carried, on its virtio-serial controller
    xml = (tmp_path / "db01.xml").read_text()
    assert '<target type="virtio" name="org.qemu.guest_agent.0"/>' in xml
    assert '<controller type="virtio-serial" index="0">' in xml
    assert 'name = "org.qemu.guest_agent.0"' in (tmp_path / "db01.toml").read_text()
    r = run_zwizard("check", str(tmp_path / "db01.xml"))
    assert r.returncode == 0 and "fits IBM Z" in r.stderr
    again = run_zwizard("convert", str(DATA / "x86" / "virt-manager-q35.xml"), "-o", str(tmp_path))
    assert again.returncode == 0, again.stderr  # the same content again is no conflict
    (tmp_path / "db01.xml").write_text("<domain/>\n")  # someone's edit is
    again = run_zwizard("convert", str(DATA / "x86" / "virt-manager-q35.xml"), "-o", str(tmp_path))
    assert again.returncode == 1 and "already exists" in again.stderr
    assert (tmp_path / "db01.xml").read_text() == "<domain/>\n"


def test_check_cli_exit_codes_and_json(tmp_path):
    q35 = str(DATA / "x86" / "virt-manager-q35.xml")
    r = run_zwizard("check", q35)
    assert r.returncode == 1
    assert "virt-manager-q35.xml:110: error: /domain/devices/watchdog:" in r.stdout
    r = run_zwizard("check", "--format", "json", q35)
    report = json.loads(r.stdout)
    assert r.returncode == 1 and {"file", "line", "xpath", "severity", "rule", "message"} <= set(
        report[0]
    )
    bad = tmp_path / "bad.xml"
    bad.write_text("<domain><name>x</name>")
    r = run_zwizard("check", str(bad))
    assert r.returncode == 2 and "not well-formed" in r.stderr
    # an answers file given to check (an outside tester read "not well-formed XML")
    answers = tmp_path / "db01.toml"
    answers.write_text('version = 1\n[guest]\nname = "db01"\nmemory_mib = "8G"\n')
    r = run_zwizard("check", str(answers))
    assert r.returncode == 2 and "is an answers file, not a libvirt domain XML" in r.stderr
    assert f"zwizard --answers {answers} --stdout" in r.stderr


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<domain type='kvm'><name>&xxe;</name></domain>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE domain [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<domain type='kvm'><name>&d;</name></domain>"""


@pytest.mark.parametrize("data", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_hostile_xml_is_refused(data):
    with pytest.raises(ImportError_) as exc:
        import_domain(data, "evil.xml")
    assert "root:" not in str(exc.value)


def test_oversized_and_foreign_xml_are_refused():
    with pytest.raises(ImportError_, match="larger than"):
        import_domain(b"<domain>" + b" " * (11 << 20) + b"</domain>")
    with pytest.raises(ImportError_, match="not a libvirt <domain>"):
        import_domain(b"<network><name>default</name></network>")


def test_check_reads_standard_input():
    xml = (DATA / "x86" / "virt-install-q35.xml").read_text()
    r = run_zwizard("check", "-", input=xml)
    assert r.returncode == 1
    assert "-:13: error: /domain/os/type:" in r.stdout


def test_import_reads_what_the_document_says_and_only_convert_changes_it():
    """check judges the x86 values as written; convert's own pass changes them and
    says where each came from (issue 12: a faithful import, then a conversion)."""
    data = (DATA / "check" / "kitchen-x86.xml").read_bytes()
    read = import_domain(data, "k.xml").answers
    assert read.guest.vcpus == 300 and read.cpu.numa and read.guest.smbios
    assert (read.cpu.mode, read.cpu.model) == ("custom", "Skylake-Server")
    assert read.watchdog.model == "i6300esb" and read.memory.hotplug
    assert read.disks[0].bus == "ide" and read.nics[0].model == "e1000"
    assert read.clock.timers and any(p.type == "pci" and p.zpci is None for p in read.passthrough)

    converted = convert_domain(data, "k.xml")
    a = converted.answers
    assert a.guest.vcpus == 248 and not a.cpu.numa and not a.guest.smbios
    assert (a.cpu.mode, a.cpu.model, a.cpu.features) == ("host-model", None, {})
    assert a.watchdog.model == "diag288" and not a.memory.hotplug and a.clock.timers == []
    assert (a.disks[0].bus, a.disks[0].target) == (None, None) and a.nics[0].model == "virtio"
    assert not [p for p in a.passthrough if p.type == "pci" and p.zpci is None]
    said = {(c.rule, c.where): c.what for c in converted.changes}
    assert said["vcpus", "/domain/vcpu"] == "300 vCPUs -> 248, the IBM Z maximum"
    assert said["no-numa", "/domain/numatune"] == "dropped <numatune>"
    assert said["watchdog-diag288", "/domain/devices/watchdog"].startswith("watchdog i6300esb")
    assert said["ccw-only", "/domain/devices/interface[1]/model"].startswith("NIC model e1000")
    assert said["ccw-only", "/domain/devices/disk[1]/target"].startswith("ide disk hda")
    lines = [c.line or 0 for c in converted.changes]
    assert lines == sorted(lines), "said in the order the reader meets them"


def test_converting_a_converted_guest_changes_nothing():
    once = convert_domain((DATA / "x86" / "virt-manager-q35.xml").read_bytes())
    xml = build(once.answers).files[f"{once.answers.guest.name}.xml"]
    twice, read = convert_domain(xml.encode()), import_domain(xml.encode())
    assert twice.answers == read.answers and twice.lost == []
    # nothing is said: every device's ccw address is carried, none assigned anew
    assert twice.changes == read.changes == []


def test_a_dropped_x86_pci_function_moves_later_devices_locations_with_them():
    xml = b"""<domain type='kvm'><name>p</name><memory unit='MiB'>2048</memory>
      <os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
      <hostdev mode='subsystem' type='pci' managed='yes'>
        <source><address domain='0' bus='1' slot='0' function='0'/></source></hostdev>
      <hostdev mode='subsystem' type='mdev' model='vfio-ap'>
        <source><address uuid='11111111-2222-4333-8444-555555555555'/></source></hostdev>
    </devices></domain>"""
    converted = convert_domain(xml, "p.xml")
    assert [p.type for p in converted.answers.passthrough] == ["vfio-ap"]
    assert converted.locate("passthrough[0]")[0] == "/domain/devices/hostdev[2]"
    assert [w for w, _ in converted.sources["passthrough[0]"]] == ["/domain/devices/hostdev[2]"]
    assert converted.locate("guest.name")[0] == "/domain/name"  # the rest stays where it was
    assert "x86 host's device" in converted.lost[-1].what
    assert converted.lost[-1].rule == "not-carried"


def test_two_equal_entries_kept_after_a_drop_keep_their_own_locations():
    fn = ("<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' "
          "bus='1' slot='0' function='0'/></source>{zpci}</hostdev>")  # fmt: skip
    ids = "<address type='pci'><zpci uid='0x0001' fid='0x00000001'/></address>"
    xml = (
        "<domain type='kvm'><name>p</name><memory unit='MiB'>2048</memory>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        + fn.format(zpci="")
        + fn.format(zpci=ids)
        + fn.format(zpci=ids)
        + "</devices></domain>"
    ).encode()
    converted = convert_domain(xml, "p.xml")
    assert len(converted.answers.passthrough) == 2
    assert converted.locate("passthrough[0]")[0] == "/domain/devices/hostdev[2]"
    assert converted.locate("passthrough[1]")[0] == "/domain/devices/hostdev[3]"
