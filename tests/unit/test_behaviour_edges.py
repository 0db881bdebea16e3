"""Behaviour a user would notice, at the edges mutation testing found unguarded:
each test names what would go wrong for an administrator if the code changed."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.helpers import CCW_UUID, answers
from zwizard.answers import dumps
from zwizard.build import build
from zwizard.conversion import convert_domain
from zwizard.importer import check_domain, import_domain
from zwizard.plan import make_plan
from zwizard.rules import check

DISK = "/var/lib/libvirt/images/web01.qcow2"
PXE = {"enabled": True, "repo": "http://example.com/os/"}


def dom(a):
    result = build(a, validate=False)
    assert result.files, result.findings
    return etree.fromstring(result.files[result.xml_name].encode())


def test_pxe_guest_without_boot_orders_netboots_from_its_first_nic_then_the_disk():
    a = answers(disks=[{"path": DISK}], pxe=PXE)
    plan = make_plan(a)
    assert plan.boot == {"nics[0]": 1, "disks[0]": 2} and plan.boot_assigned
    assert dom(a).find("devices/interface/boot").get("order") == "1"


def test_guest_without_boot_orders_boots_its_first_disk():
    a = answers(disks=[{"path": DISK}, {"path": "/b.qcow2"}])
    assert make_plan(a).boot == {"disks[0]": 1}


def test_dasd_only_guest_boots_the_dasd_not_the_crypto_adapter():
    a = answers(
        disks=[],
        passthrough=[
            {"type": "vfio-ap", "uuid": "8ef6d3b0-e5c8-4b49-8ba7-1c6e69c6e9a0"},
            {"type": "vfio-ccw", "uuid": CCW_UUID},
        ],
    )
    assert make_plan(a).boot == {"passthrough[1]": 1}
    assert dom(a).find("devices/hostdev[@model='vfio-ccw']/boot").get("order") == "1"


def test_virtio_disks_get_no_scsi_controller_cdroms_get_one():
    assert dom(answers()).find("devices/controller") is None
    cd = dom(
        answers(disks=[{"path": DISK, "boot_order": 1}, {"path": "/i.iso", "device": "cdrom"}])
    )
    (ctl,) = cd.findall("devices/controller")
    assert ctl.get("model") == "virtio-scsi" and ctl.find("address").get("type") == "ccw"


def test_pxe_files_follow_per_mac_and_write_default():
    nics = [{"source": {"network": "default"}, "boot_order": 1, "mac": "52:54:00:00:00:0a"}]
    disks = [{"path": DISK, "boot_order": 2}]
    for per_mac, default, expected in (
        (True, True, {"pxelinux.cfg/default", "pxelinux.cfg/01-52-54-00-00-00-0a"}),
        (True, False, {"pxelinux.cfg/01-52-54-00-00-00-0a"}),
        (False, True, {"pxelinux.cfg/default"}),
    ):
        a = answers(nics=nics, disks=disks,
                    pxe={**PXE, "per_mac": per_mac, "write_default": default})  # fmt: skip
        files = {f for f in build(a).files if f.startswith("pxelinux")}
        assert files == expected, (per_mac, default)
    a = answers(nics=nics, disks=disks, pxe={**PXE, "per_mac": False, "write_default": False})
    assert "pxe.write_default" in {f.path for f in check(a) if f.severity == "error"}


def test_pci_function_refuses_a_boot_order_and_a_ccw_address_each_alone():
    pci = {"type": "pci", "address": "0000:00:00.0"}
    for extra, key in (({"boot_order": 2}, "boot_order"), ({"ccw": "fe.0.0009"}, "ccw")):
        a = answers(passthrough=[{**pci, **extra}])
        paths = {f.path for f in check(a) if f.rule == "pci-passthrough"}
        assert paths == {f"passthrough[0].{key}"}
    assert not [f for f in check(answers(passthrough=[pci])) if f.rule == "pci-passthrough"]


def test_hugepages_and_disk_cache_reach_the_xml():
    d = dom(answers(memory={"hugepages": True},
                    disks=[{"path": DISK, "boot_order": 1, "cache": "none"}]))  # fmt: skip
    assert d.find("memoryBacking/hugepages") is not None
    assert d.find("devices/disk/driver").get("cache") == "none"
    plain = dom(answers())
    assert (
        plain.find("memoryBacking") is None
        and plain.find("devices/disk/driver").get("cache") is None
    )


def test_an_isa_serial_port_is_reported_where_it_is():
    xml = b"""<domain type='kvm'><name>x</name><memory>1048576</memory>
<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os><devices>
<serial type='pty'><target type='isa-serial' port='0'/></serial></devices></domain>"""
    hits = [x for x in check_domain(xml, "t.xml") if "isa-serial" in x.finding.message]
    assert hits and hits[0].xpath == "/domain/devices/serial" and hits[0].line == 3


def test_memory_units_import_exactly():
    for unit, value, mib in (("GiB", "4", 4096), ("MiB", "3000", 3000), ("b", "1073741824", 1024),
                             ("G", "2", 2048), ("MB", "1000", 954), ("KiB", "2097152", 2048)):  # fmt: skip
        xml = (f"<domain type='kvm'><name>x</name><memory unit='{unit}'>{value}</memory>"
               "<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os></domain>")  # fmt: skip
        assert import_domain(xml.encode()).answers.guest.memory_mib == mib, unit


def test_memory_that_is_not_a_number_is_no_crash():
    xml = (b"<domain type='kvm'><name>x</name><memory unit='KiB'>lots</memory>"
           b"<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os></domain>")  # fmt: skip
    assert import_domain(xml).answers.guest.memory_mib == 2048  # the default, and no traceback


def test_balloon_and_rng_get_the_addresses_the_summary_shows():
    from zwizard.build import summary

    result = build(answers(), validate=False)  # one disk, one NIC
    d = etree.fromstring(result.files["web01.xml"].encode())
    assert d.find("devices/memballoon/address").get("devno") == "0x0002"
    assert d.find("devices/rng/address").get("devno") == "0x0003"
    lines = summary(result)
    assert "memballoon: ccw fe.0.0002" in lines and "rng: ccw fe.0.0003" in lines


def test_only_the_first_dasd_boots_when_no_order_is_given():
    """A DASD-only guest: libvirt would boot whatever comes first; zwizard gives the first
    vfio-ccw device order 1 and leaves the second out of the boot sequence."""
    second = "1c6d9c2a-5b1e-4f3e-9a7d-2e8f0b6c4d31"
    a = answers(disks=[], nics=[], passthrough=[{"type": "vfio-ccw", "uuid": CCW_UUID},
                                               {"type": "vfio-ccw", "uuid": second}])  # fmt: skip
    plan = make_plan(a)
    assert plan.boot == {"passthrough[0]": 1} and plan.boot_assigned


def test_memory_up_to_libvirts_cap_is_accepted_and_beyond_it_refused():
    from zwizard.rules import MAX_MEMORY_MIB

    ok = answers(guest={"memory_mib": MAX_MEMORY_MIB})
    assert "memory" not in {f.rule for f in check(ok) if f.severity == "error"}
    over = answers(guest={"memory_mib": MAX_MEMORY_MIB + 1})
    assert "memory" in {f.rule for f in check(over) if f.severity == "error"}


def test_every_cpu_model_this_qemu_names_is_known():
    """The model table against QEMU itself: every model (and -base twin) in the recorded
    domain capabilities of this machine's qemu-system-s390x is one the rules accept."""
    from tests.helpers import ROOT
    from zwizard.rules import CPU_MODELS

    caps = etree.parse(str(ROOT / "tests/data/host/domcaps-s390x-qemu-debian12.xml"))
    names = {m.text.removesuffix("-base") for m in caps.iterfind("cpu/mode/model")}
    names -= {"qemu", "max", "host"}
    assert names <= set(CPU_MODELS)
    assert set(CPU_MODELS) - names == {"gen17a", "gen17b"}  # z17: newer than QEMU 7.2


def test_zero_memory_is_refused_under_the_memory_rule():
    assert [(f.rule, f.path) for f in check(answers(guest={"memory_mib": 0}))
            if f.severity == "error"] == [("memory", "guest.memory_mib")]  # fmt: skip


def test_a_pxe_kernel_with_a_blank_is_refused():
    """The pxelinux `kernel` line holds one word; a blank would cut the path there."""
    a = answers(pxe={"enabled": True, "kernel": "rhel 9/vmlinuz"},
                nics=[{"source": {"network": "default"}, "boot_order": 1}])  # fmt: skip
    assert ("pxe-config", "pxe.kernel") in {(f.rule, f.path) for f in check(a)}


@pytest.mark.parametrize("text", ["ip=10.0.0.5::10.0.0.1:255.255.255.0:web01:enc1:none",
                                  "10.0.0.5::10.0.0.1:255.255.255.0:web01:enc1:none"])  # fmt: skip
def test_a_whole_dracut_ip_line_pasted_as_the_address_is_named_for_what_it_is(text):
    """An outside tester pasted dracut's ip= line into the static address and read "is
    IPv6: give its prefix length after /", whose suggestion was then refused too."""
    a = answers(pxe={"enabled": True, "ip": "static", "address": text, "gateway": "10.0.0.1"},
                nics=[{"source": {"network": "default"}, "boot_order": 1}])  # fmt: skip
    said = [f.message for f in check(a) if f.path.startswith("pxe.") and f.severity == "error"]
    assert any("is dracut's whole ip= form, not an address" in m for m in said), said
    assert not any("IPv6" in m for m in said), said
    a.pxe.address = "2001:db8:1:2::5"  # an IPv6 address of four colons is still one
    said = [f.message for f in check(a) if f.path == "pxe.address"]
    assert any("is IPv6: give its prefix length" in m for m in said), said


def test_an_install_source_typed_as_the_initrd_is_said():
    """An outside tester's burst put `nfs:10.0.0.9:/export/rhel9` into the initrd field: the
    firmware would fetch a file of that name over TFTP, so it is said at the field."""
    a = answers(pxe={"enabled": True, "kernel": "k/vmlinuz", "initrd": "nfs:10.0.0.9:/export/r9"},
                nics=[{"source": {"network": "default"}, "boot_order": 1}])  # fmt: skip
    said = [(f.rule, f.severity) for f in check(a) if f.path == "pxe.initrd"]
    assert said == [("pxe-config", "warning")]


@pytest.mark.parametrize("os_", ["rhel7", "rhel8", "rhel9"])
def test_each_rhel_release_is_named_for_libosinfo(os_):
    """virt-manager and `virsh dumpxml` readers see the OS: libosinfo's short id."""
    ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
    ids = dom(answers(guest={"os": os_})).xpath("metadata/l:libosinfo/l:os/@id", namespaces=ns)
    assert ids == [f"http://redhat.com/rhel/{os_[4:]}-unknown"]


# libvirt formatdomain "Memory Allocation": every unit it accepts, with its size in bytes
LIBVIRT_UNITS = {
    "b": 1, "bytes": 1, "KB": 10**3, "k": 2**10, "KiB": 2**10, "MB": 10**6, "M": 2**20,
    "MiB": 2**20, "GB": 10**9, "G": 2**30, "GiB": 2**30, "TB": 10**12, "T": 2**40,
    "TiB": 2**40, "PB": 10**15, "P": 2**50, "PiB": 2**50, "EB": 10**18, "E": 2**60,
    "EiB": 2**60,
}  # fmt: skip


@pytest.mark.parametrize("unit", sorted(LIBVIRT_UNITS))
def test_every_libvirt_memory_unit_imports_at_its_size(unit):
    """8 GiB written in each unit libvirt documents (rounded to whole units) reads back
    as 8 GiB within the unit's rounding, never as another size."""
    size = 8 * 2**30
    count = max(1, round(size / LIBVIRT_UNITS[unit]))
    xml = (f"<domain type='kvm'><name>x</name><memory unit='{unit}'>{count}</memory>"
           "<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os></domain>")  # fmt: skip
    expected = max(1, round(count * LIBVIRT_UNITS[unit] / 2**20))
    assert import_domain(xml.encode()).answers.guest.memory_mib == expected


def test_a_relative_disk_path_is_refused_at_its_key():
    a = answers(disks=[{"path": "images/web01.qcow2", "boot_order": 1}])
    assert [(f.rule, f.path) for f in check(a) if f.severity == "error"] == [
        ("disk-path", "disks[0].path")
    ]


def test_a_disk_without_source_is_listed_not_imported():
    """A disk with no <source> has no path to carry: convert says so instead of writing
    a disk with an empty path."""
    xml = (b"<domain type='kvm'><name>x</name><os><type arch='s390x' machine='s390-ccw-virtio'>"
           b"hvm</type></os><devices><disk type='file' device='disk'><target dev='vda' "
           b"bus='virtio'/></disk></devices></domain>")  # fmt: skip
    out = convert_domain(xml, "x.xml")
    assert out.answers.disks == []
    assert [c.what for c in out.lost] == [
        "a disk without <source> (nothing to carry; give it a path)"
    ]


# --- from the mutation sample of this session (plan, importer, conversion, render) -----


def test_cores_given_alone_make_one_socket_of_that_many():
    a = answers(disks=[{"path": DISK}], guest={"name": "t", "vcpus": 4}, cpu={"cores": 4})
    topo = dom(a).find("cpu/topology")
    assert (topo.get("sockets"), topo.get("cores")) == ("1", "4")


def test_emulator_pinning_alone_is_written():
    a = answers(disks=[{"path": DISK}], cpu={"emulator_pinning": "0-1"})
    assert dom(a).find("cputune/emulatorpin").get("cpuset") == "0-1"


def test_a_dracut_ip_line_and_separate_address_keys_are_refused_together():
    # two places for one address: which would win is not for zwizard to guess
    pxe = {**PXE, "ip": "10.1.2.3::10.1.2.1:255.255.255.0:web01:enc1:none",
           "address": "10.1.2.4"}  # fmt: skip
    found = [f for f in check(answers(disks=[{"path": DISK}], pxe=pxe)) if f.rule == "pxe-config"]
    assert any("leave out pxe.address" in f.message for f in found), found


def test_memory_backing_options_are_read_back():
    xml = dom(answers(disks=[{"path": DISK}],
                      memory={"hugepages": True, "nosharepages": True, "locked": True}))  # fmt: skip
    back = import_domain(etree.tostring(xml)).answers.memory
    assert (back.hugepages, back.nosharepages, back.locked) == (True, True, True)


def test_a_vnc_listen_element_is_carried_not_listed():
    xml = b"""<domain type='kvm'><name>v</name><memory unit='MiB'>2048</memory>
      <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os><devices>
      <graphics type='vnc' port='-1' autoport='yes'><listen type='address' address='0.0.0.0'/>
      </graphics></devices></domain>"""
    out = convert_domain(xml, "v.xml")
    assert out.answers.graphics.vnc and out.answers.graphics.listen == "0.0.0.0"
    assert not [c for c in out.lost if "listen" in c.what]


def test_features_of_a_replaced_cpu_model_are_dropped_where_they_stood():
    xml = b"""<domain type='kvm'><name>c</name><memory unit='MiB'>2048</memory>
      <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>
      <cpu mode='custom'><model>z99</model><feature policy='disable' name='vx'/></cpu>
      </domain>"""
    out = convert_domain(xml, "c.xml")
    assert (out.answers.cpu.mode, out.answers.cpu.features) == ("host-model", {})
    said = {(c.rule, c.where, c.what) for c in out.changes}
    assert ("cpu-model", "/domain/cpu/model", "CPU model z99 -> host-model") in said
    assert ("cpu-model", "/domain/cpu/feature",
            "dropped <feature name='vx'> of CPU model z99") in said  # fmt: skip


def test_a_tcg_guest_with_host_model_is_converted_to_qemus_default():
    xml = b"""<domain type='qemu'><name>t</name><memory unit='MiB'>2048</memory>
      <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>
      <cpu mode='host-model'/></domain>"""
    out = convert_domain(xml, "t.xml")
    assert out.answers.cpu.mode is None
    assert [(c.rule, c.where) for c in out.changes if c.rule == "tcg-cpu"] == [
        ("tcg-cpu", "/domain/cpu")
    ]
    assert "CPU mode host-model -> QEMU's default (emulation)" in {c.what for c in out.changes}


@pytest.mark.parametrize(("address", "drive"), [("type='drive' controller='0' bus='0' "
                         "target='0' unit='3'", "0:0:0:3"), ("type='ccw' cssid='0xfe' ssid='0' "
                         "devno='0x0009'", None)])  # fmt: skip
def test_a_scsi_hostdevs_stated_drive_address_is_its_place_and_kept(address, drive):
    """Its H:C:T:L in the guest (issue 23: every stated SCSI drive address is carried as
    stated); it was dropped and said to be assigned anew."""
    xml = f"""<domain type='kvm'><name>s</name><memory unit='MiB'>2048</memory>
      <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os><devices>
      <hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>
      <address bus='0' target='1' unit='0'/></source><address {address}/></hostdev>
      </devices></domain>""".encode()
    out = import_domain(xml, "s.xml")
    assert out.answers.passthrough[0].address == "0:0:1:0"
    assert out.answers.passthrough[0].drive == drive
    assert not [c for c in out.changes if "drive address" in c.what]


def test_a_cpu_model_without_mode_custom_is_refused_at_the_model():
    a = answers(disks=[{"path": DISK}], cpu={"mode": "host-model", "model": "gen15a"})
    assert ("cpu-migration", "cpu.model",
            "a CPU model is only used with mode custom (mode is host-model)") in {
        (f.rule, f.path, f.message) for f in check(a)}  # fmt: skip


def test_initrd_among_the_extra_arguments_is_refused_there():
    a = answers(disks=[{"path": DISK}], pxe={**PXE, "extra_args": "inst.text initrd=x.img"})
    assert ("pxe-config", "pxe.extra_args",
            "initrd= in append is not honoured by the s390 firmware; set pxe.initrd") in {
        (f.rule, f.path, f.message) for f in check(a)}  # fmt: skip


def test_a_disk_name_libvirt_cannot_parse_is_refused_in_its_words():
    a = answers(disks=[{"path": DISK, "target": "disk1"}])
    assert (
        "disk-target",
        "disks[0].target",
        "'disk1' is not a disk name libvirt can parse: a prefix vd, sd, hd, xvd, ubd or fd, "
        "then letters (vda, sdb, hdc …)",
    ) in {(f.rule, f.path, f.message) for f in check(a)}


def test_the_summary_names_the_scsi_controller_a_cdrom_brings():
    from zwizard.build import summary

    a = answers(disks=[{"path": DISK}, {"path": "/iso/rhel9.iso", "device": "cdrom"}])
    lines = summary(build(a, validate=False))
    assert any(line.startswith("scsi-controller: ccw fe.0.") for line in lines), lines


def _s390(body: str, devices: str = "") -> bytes:
    return f"""<domain type='kvm'><name>e</name><memory unit='MiB'>2048</memory>
      <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>{body}
      <devices>{devices}</devices></domain>""".encode()


def test_cputune_children_zwizard_has_no_key_for_are_listed_by_name():
    out = convert_domain(_s390("<cputune><shares>2048</shares></cputune>"))
    assert "<cputune><shares>" in {c.what for c in out.lost}


def test_an_s390x_topology_with_two_threads_is_listed_not_carried():
    xml = _s390("<cpu mode='host-model'><topology sockets='1' dies='1' cores='2' "
                "threads='2'/></cpu>")  # fmt: skip
    out = convert_domain(xml)
    assert out.answers.cpu.sockets is None
    assert any("(s390x: one thread per core, one die)" in c.what for c in out.lost)


def test_huge_pages_of_a_given_size_are_read_as_huge_pages_and_the_size_listed():
    xml = _s390("<memoryBacking><hugepages><page size='1' unit='G'/></hugepages>"
                "</memoryBacking>")  # fmt: skip
    out = convert_domain(xml)
    assert out.answers.memory.hugepages is True
    assert any(c.what.startswith("a huge page size") for c in out.lost)


def test_a_clock_offset_libvirt_knows_but_the_answers_do_not_becomes_utc_and_is_said():
    out = convert_domain(_s390("<clock offset='variable' adjustment='0'/>"))
    assert out.answers.clock.offset == "utc"
    assert "clock offset variable -> utc" in {c.what for c in out.changes}


def test_a_pci_hostdev_without_a_source_address_is_read_without_one():
    xml = _s390("", "<hostdev mode='subsystem' type='pci' managed='yes'><source/>"
                    "<address type='pci'><zpci uid='0x0001' fid='0x00000001'/></address></hostdev>")  # fmt: skip
    out = import_domain(xml)
    assert out.answers.passthrough[0].address is None
    assert any(f.path == "passthrough[0].address" for f in check(out.answers))


def test_a_control_domain_out_of_range_is_called_a_domain():
    a = answers(passthrough=[{"type": "vfio-ap", "uuid": "8f1e0f8c-6c55-4f4b-9d4c-2f0c3f3d1a01",
                              "adapters": [1], "domains": [1], "control_domains": [256]}])  # fmt: skip
    assert ("vfio-ap", "passthrough[0].control_domains[0]",
            "AP domain 256 is outside 0-255 (0x00-0xff)") in {
        (f.rule, f.path, f.message) for f in check(a)}  # fmt: skip


@pytest.mark.parametrize("address", ["10.0.0.5/33", "10.0.0.5/x"])
def test_a_static_address_with_a_prefix_no_netmask_has_is_refused(address):
    pxe = {**PXE, "ip": "static", "address": address, "gateway": "10.0.0.1"}
    said = {(f.rule, f.path, f.message) for f in check(answers(disks=[{"path": DISK}], pxe=pxe))}
    assert ("pxe-config", "pxe.address", f"'{address}': the prefix after / must be 0-32") in said


def test_an_unread_attribute_of_a_cpu_model_is_listed_not_dropped():
    xml = _s390("<cpu mode='custom'><model fallback='forbid' vendor_id='GenuineIntel'>z14"
                "</model></cpu>")  # fmt: skip
    out = convert_domain(xml)
    assert out.answers.cpu.model == "z14"
    assert "attribute vendor_id='GenuineIntel'" in {c.what for c in out.lost}


@pytest.mark.parametrize(
    "feature", ["acpi", "apic", "pae", "vmport", "hyperv", "kvm", "smm", "ioapic", "hap", "pmu"]
)
def test_each_x86_feature_is_an_error_in_check_and_dropped_by_convert(feature):
    xml = _s390(f"<features><{feature}/></features>")
    found = [(x.xpath, x.finding.rule) for x in check_domain(xml)]
    assert (f"/domain/features/{feature}", "no-x86-features") in found
    assert f"dropped feature <{feature}>" in {c.what for c in convert_domain(xml).changes}


def test_a_vcpupin_for_a_missing_vcpu_is_placed_at_its_element():
    xml = _s390("<vcpu>2</vcpu><cputune><vcpupin vcpu='7' cpuset='1'/></cputune>")
    found = {(x.xpath, x.finding.rule) for x in check_domain(xml)}
    assert ("/domain/cputune/vcpupin", "cpu-pinning") in found


def test_a_cipher_libvirt_does_not_know_is_listed_not_dropped():
    out = convert_domain(_s390("<keywrap><cipher name='des' state='on'/></keywrap>"))
    assert "cipher name='des' state='on' (aes or dea, on or off)" in {c.what for c in out.lost}


# --- from a mutation sample of the importer (seed 13): each finding sits at its element --

EDGE_DOMAIN = """<domain type='{kind}'>
  <name>g</name>
  <memory unit='MiB'>2048</memory>
  <vcpu>2</vcpu>
  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>
{extra}
  <devices>
    <console type='{console}'><target type='sclp' port='0'/></console>
  </devices>
</domain>"""


# a running host-model guest's live <cpu>, as libvirt writes it
LIVE_EXPANSION = (
    "  <cpu mode='custom' match='exact'>\n    <model>gen15a-base</model>\n"
    "    <feature policy='require' name='aen'/>\n  </cpu>"
)


def located(kind: str, extra: str, rule: str) -> list[tuple[str, int | None]]:
    xml = EDGE_DOMAIN.format(kind=kind, console="pty", extra=extra).encode()
    return [(x.xpath, x.line) for x in check_domain(xml, "t.xml") if x.finding.rule == rule]


def test_a_memtune_limit_is_judged_at_its_own_element():
    extra = "  <memtune>\n    <hard_limit unit='MiB'>1024</hard_limit>\n  </memtune>"
    assert located("qemu", extra, "memtune") == [("/domain/memtune/hard_limit", 7)]


def test_a_live_host_model_expansion_under_emulation_is_refused_at_its_cpu_element():
    extra = LIVE_EXPANSION
    assert located("qemu", extra, "tcg-cpu") == [("/domain/cpu", 6)]


@pytest.mark.parametrize(
    "pages", ["<hugepages/>", "<hugepages><page size='1' unit='M'/></hugepages>"]
)
def test_huge_pages_under_secure_execution_are_refused_at_the_hugepages_element(pages):
    extra = (
        f"  <memoryBacking>\n    {pages}\n  </memoryBacking>\n  <launchSecurity type='s390-pv'/>"
    )
    assert located("kvm", extra, "se-no-hugepages") == [("/domain/memoryBacking/hugepages", 7)]


def test_convert_says_it_turns_a_console_of_another_type_into_a_pty():
    xml = EDGE_DOMAIN.format(kind="kvm", console="file", extra="").encode()
    changes = [(c.where, c.what) for c in convert_domain(xml).changes if "console" in c.where]
    assert changes == [("/domain/devices/console", "<console> type file -> pty")]


def test_convert_carries_a_live_host_model_expansion_as_host_model_listing_nothing_lost():
    extra = LIVE_EXPANSION
    imported = convert_domain(EDGE_DOMAIN.format(kind="kvm", console="pty", extra=extra).encode())
    assert imported.answers.cpu.mode == "host-model"
    assert [item.what for item in imported.lost] == []


# --- from a mutation sample of render/domain and conversion (seed 13) -------------------


@pytest.mark.parametrize(("append", "written"), [(True, "on"), (False, "off")])
def test_a_console_log_is_written_appended_or_truncated_as_asked(append, written):
    d = dom(answers(console={"log": "/var/log/g.log", "log_append": append}))
    log = d.find("devices/console/log")
    assert (log.get("file"), log.get("append")) == ("/var/log/g.log", written)


CONVERT_DISKS = b"""<domain type='qemu'><name>t</name><memory unit='MiB'>2048</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<cpu mode='host-model'/>
<devices>
<disk type='file' device='cdrom'><source file='/i.iso'/><target dev='hdc' bus='sata'/></disk>
<disk type='block' device='lun'><source dev='/dev/sdb'/><target dev='vdb' bus='virtio'/><address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0007'/></disk>
<disk type='file' device='cdrom'><source file='/j.iso'/><target dev='sdc' bus='usb'/></disk>
</devices></domain>"""


def test_convert_moves_cdroms_and_luns_onto_scsi_and_says_where():
    converted = convert_domain(CONVERT_DISKS, "t.xml")
    changes = [(c.rule, c.where, c.what) for c in converted.changes if c.rule != "s390-machine"]
    assert (
        "tcg-cpu",
        "/domain/cpu",
        "CPU mode host-model -> QEMU's default (emulation)",
    ) in changes
    assert [c for c in changes if c[0] == "ccw-only"] == [
        ("ccw-only", "/domain/devices/disk[1]/target", "sata cdrom hdc -> scsi (target reassigned)"),
        ("ccw-only", "/domain/devices/disk[2]/target", "virtio lun vdb -> scsi (target reassigned, "
         "ccw address fe.0.0007 dropped: it sits on the virtio-scsi controller)"),
        ("ccw-only", "/domain/devices/disk[3]/target", "usb cdrom sdc -> scsi (target reassigned)"),
    ]  # fmt: skip
    # on the virtio-scsi controller libvirt gives each a drive address: the ccw one is gone,
    # from the XML and from the answers convert writes beside it
    d = dom(converted.answers)
    assert [el.find("target").get("bus") for el in d.iterfind("devices/disk")] == ["scsi"] * 3
    assert d.find("devices/disk/address") is None
    assert "fe.0.0007" not in dumps(converted.answers)


def test_a_vnc_display_without_an_address_listens_where_libvirt_says():
    """Empty: libvirt's own default (qemu.conf's vnc_listen), as a converted guest that
    stated none had it; said as a note, and no listen address is written."""
    a = answers(graphics={"vnc": True, "listen": ""})
    hits = [f for f in check(a) if f.rule == "graphics" and f.path == "graphics.listen"]
    assert [(f.severity, "vnc_listen" in f.message) for f in hits] == [("note", True)]
    built = build(a)
    vnc = etree.fromstring(built.files[built.xml_name].encode()).find("devices/graphics")
    assert vnc.get("listen") is None and vnc.find("listen") is None


def test_a_list_of_one_host_is_judged_as_that_host():
    from zwizard.host import HostInfo

    host = HostInfo(uri="qemu+ssh://z15a/system", label="z15a", networks=[])
    a = answers(nics=[{"source": {"network": "lab"}}])
    alone = check(a, host=host)
    assert [f for f in alone if f.path == "nics[0].source.network"]  # the host lacks it
    assert check(a, host=[host]) == alone


# --- from a second mutation sample (seed 17) ------------------------------------------


def test_convert_turns_host_passthrough_under_emulation_into_qemus_default():
    extra = "  <cpu mode='host-passthrough'/>"
    xml = EDGE_DOMAIN.format(kind="qemu", console="pty", extra=extra).encode()
    converted = convert_domain(xml)
    assert converted.answers.cpu.mode is None
    assert [(c.rule, c.where, c.what) for c in converted.changes if "cpu" in c.where] == [
        ("tcg-cpu", "/domain/cpu", "CPU mode host-passthrough -> QEMU's default (emulation)")
    ]


def disk_with_ccw(bus: str) -> bytes:
    """A guest whose one disk is on `bus` with the ccw address fe.0.0007."""
    return (
        EDGE_DOMAIN.format(kind="kvm", console="pty", extra="")
        .replace(
            "<devices>",
            "<devices>\n    <disk type='file' device='disk'><source file='/d.img'/>"
            f"<target dev='sda' bus='{bus}'/>"
            "<address type='ccw' cssid='0xfe' ssid='0x0' devno='0x0007'/></disk>",
        )
        .encode()
    )


def test_a_disk_moved_onto_virtio_keeps_its_ccw_address():
    converted = convert_domain(disk_with_ccw("sata"))
    assert converted.answers.disks[0].ccw == "fe.0.0007"
    said = [c.what for c in converted.changes if "disk" in c.where]
    assert said == [
        "sata disk sda -> virtio (target reassigned)",
        # nothing stated a boot order: said at the disk that gets one (not <boot dev>)
        "boot order 1: no device boots (libvirt would add <boot dev='hd'/>)",
    ]
    assert dom(converted.answers).find("devices/disk/address").get("devno") == "0x0007"


def test_numa_is_an_error_on_its_own_key():
    hits = [(f.rule, f.severity, f.path) for f in check(answers(cpu={"numa": True}))]
    assert ("no-numa", "error", "cpu.numa") in hits


@pytest.mark.parametrize("ip", ["dhcp", "dhcp6", "auto6"])
def test_every_dracut_autoconf_pxe_ip_takes_is_accepted(ip):
    a = answers(nics=[{"source": {"network": "default"}, "boot_order": 1}], disks=[],
                pxe={"enabled": True, "repo": "http://example.com/os/", "ip": ip})  # fmt: skip
    assert not [f for f in check(a) if f.path == "pxe.ip"]


def test_a_static_address_that_is_no_ipv4_address_is_a_pxe_config_error():
    a = answers(nics=[{"source": {"network": "default"}, "boot_order": 1}], disks=[],
                pxe={"enabled": True, "repo": "http://example.com/os/", "ip": "static",
                     "address": "10.0.0.300", "netmask": "255.255.255.0",
                     "gateway": "10.0.0.1"})  # fmt: skip
    hits = [(f.rule, f.severity, f.path) for f in check(a) if f.path == "pxe.address"]
    assert hits == [("pxe-config", "error", "pxe.address")]


# --- values libvirt refuses at define were read as defaults without a word --------------


def bad_domain(body: str) -> bytes:
    return (
        f"<domain type='kvm'><name>g</name>{body}<os><type arch='s390x' "
        "machine='s390-ccw-virtio'>hvm</type></os><devices><console type='pty'>"
        "<target type='sclp' port='0'/></console></devices></domain>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "xpath", "rule", "said"),
    [
        ("<memory unit='MiB'>abc</memory><vcpu>2</vcpu>", "/domain/memory", "memory",
         "invalid value 'abc' for element <memory>"),
        ("<memory unit='XB'>5</memory><vcpu>2</vcpu>", "/domain/memory", "memory",
         "unknown suffix 'XB'"),
        ("<memory unit='MiB'>512</memory><vcpu>abc</vcpu>", "/domain/vcpu", "vcpus",
         "maximum vcpus count must be an integer"),
        ("<memory unit='MiB'>512</memory><vcpu current='x'>2</vcpu>", "/domain/vcpu", "vcpus",
         "invalid value for attribute 'current' of <vcpu>: 'x'"),
        ("<memory unit='MiB'>512</memory><vcpu>2</vcpu><memtune><hard_limit unit='MiB'>abc"
         "</hard_limit></memtune>", "/domain/memtune/hard_limit", "memtune",
         "invalid value 'abc' for element <hard_limit>"),
    ],
    ids=["memory-text", "memory-unit", "vcpu-text", "vcpu-current", "memtune-text"],
)  # fmt: skip
def test_a_value_libvirt_cannot_parse_is_an_error_in_check_and_said_by_convert(
    body, xpath, rule, said
):
    # libvirt 9.0 refuses each at define (seen): "XML error: Invalid value 'abc' for
    # element or attribute './memory[1]'", "unknown suffix 'XB'", …
    errors = [(x.xpath, x.finding.rule) for x in check_domain(bad_domain(body))
              if x.finding.severity == "error"]  # fmt: skip
    assert errors == [(xpath, rule)]
    converted = convert_domain(bad_domain(body))
    said_by_convert = [c for c in converted.changes + converted.lost if c.where == xpath]
    assert len(said_by_convert) == 1 and said in said_by_convert[0].what


def test_a_scsi_disks_ccw_address_is_dropped_with_a_word():
    converted = convert_domain(disk_with_ccw("scsi"))
    assert converted.answers.disks[0].ccw is None
    assert ("/domain/devices/disk/address",
            "ccw address fe.0.0007 dropped: a SCSI disk sits on its controller") in [
        (c.where, c.what) for c in converted.changes]  # fmt: skip


def test_a_topology_s390x_cannot_have_is_listed_with_every_value_it_gave():
    extra = "  <cpu mode='host-model'><topology sockets='1' dies='1' cores='2' threads='2'/></cpu>"
    converted = convert_domain(EDGE_DOMAIN.format(kind="kvm", console="pty", extra=extra).encode())
    assert [(c.where, c.what) for c in converted.lost] == [
        ("/domain/cpu/topology",
         "<cpu><topology sockets=1 dies=1 cores=2 threads=2> (s390x: one thread per core, one die)"),
    ]  # fmt: skip


# --- from a third mutation sample (seed 29) -------------------------------------------


def test_a_live_host_model_expansion_is_named_as_libvirts_in_check():
    extra = LIVE_EXPANSION
    xml = EDGE_DOMAIN.format(kind="kvm", console="pty", extra=extra).encode()
    notes = [(x.xpath, x.finding.message) for x in check_domain(xml)
             if x.finding.rule == "cpu-migration"]  # fmt: skip
    assert notes == [("/domain/cpu", "gen15a-base with 1 features is libvirt's expansion of "
                      "host-model in a running guest's XML; read as host-model")]  # fmt: skip


def test_an_unknown_memtune_child_is_listed_by_its_name():
    extra = "  <memtune>\n    <min_guarantee unit='MiB'>512</min_guarantee>\n  </memtune>"
    lost = convert_domain(EDGE_DOMAIN.format(kind="kvm", console="pty", extra=extra).encode()).lost
    assert [(c.rule, c.where, c.what) for c in lost] == [
        ("not-carried", "/domain/memtune/min_guarantee", "<memtune><min_guarantee>")
    ]


def test_a_kernel_command_line_is_carried_exactly_as_written():
    xml = EDGE_DOMAIN.format(kind="kvm", console="pty", extra="").replace(
        "hvm</type></os>",
        "hvm</type><kernel> /boot/vmlinuz </kernel><cmdline> root=/dev/vda1  quiet </cmdline></os>",
    )
    kernel = convert_domain(xml.encode()).answers.kernel
    assert (kernel.path, kernel.cmdline) == ("/boot/vmlinuz", " root=/dev/vda1  quiet ")


def test_check_lists_errors_then_warnings_then_notes_whatever_the_document_order():
    # a note (SE's) early in the document, a warning (memtune) later, an error (NUMA) last
    extra = (
        "  <launchSecurity type='s390-pv'/>\n  <memtune><hard_limit unit='MiB'>1024</hard_limit>"
        "</memtune>\n  <cpu><numa><cell id='0' cpus='0-1' memory='2048' unit='MiB'/></numa></cpu>"
    )
    xml = EDGE_DOMAIN.format(kind="kvm", console="pty", extra=extra).encode()
    severities = [x.finding.severity for x in check_domain(xml)]
    assert severities == sorted(severities, key=["error", "warning", "note"].index)
    assert {"error", "warning", "note"} <= set(severities)


def test_an_ibm_z_pci_function_without_zpci_ids_is_kept_and_given_ids():
    xml = EDGE_DOMAIN.format(kind="kvm", console="pty", extra="").replace(
        "<devices>",
        "<devices>\n    <hostdev mode='subsystem' type='pci' managed='yes'><source>"
        "<address domain='0x0000' bus='0x00' slot='0x00' function='0x0'/></source></hostdev>",
    )
    converted = convert_domain(xml.encode())
    assert [p.type for p in converted.answers.passthrough] == ["pci"] and converted.lost == []
    assert 'zpci uid="0x0001" fid="0x00000000"' in build(converted.answers).files["g.xml"]


def test_a_control_character_is_refused_and_a_line_break_only_outside_description():
    named = [f.message for f in check(answers(guest={"name": "web\x01"})) if f.rule == "text"]
    assert named and named[0].endswith(
        "control characters are refused, and line breaks outside description"
    )
    described = [f.message for f in check(answers(guest={"description": "a\x01b"}))
                 if f.rule == "text"]  # fmt: skip
    assert described and described[0].endswith("control characters are refused")
    assert not [f for f in check(answers(guest={"description": "two\nlines"})) if f.rule == "text"]


def test_a_nameserver_that_is_no_ipv4_address_is_refused():
    a = answers(nics=[{"source": {"network": "default"}, "boot_order": 1}], disks=[],
                pxe={"enabled": True, "repo": "http://example.com/os/",
                     "nameserver": "dns.example.com"})  # fmt: skip
    assert [(f.rule, f.severity) for f in check(a) if f.path == "pxe.nameserver"] == [
        ("pxe-config", "error")
    ]
