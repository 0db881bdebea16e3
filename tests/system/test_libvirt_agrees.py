"""The other side of the rules: libvirt and QEMU refuse each broken guest
themselves (late, in their words), and zwizard refuses the same thing earlier,
with a rule id and a reason. If libvirt ever stops refusing one of these, this
test says so and the rule table gets another look."""

from __future__ import annotations

import pytest

from tests.helpers import AP_UUID, answers
from tests.system.conftest import BRIDGE  # the Linux bridge of fixture `bridge`
from tests.system.stack import IMAGES, run, virsh
from zwizard.rules import availability, check

DISK = IMAGES / "agree.qcow2"
BASE = """<domain type='qemu'>
  <name>zwizard-agree</name>
  <memory unit='MiB'>512</memory>
  <vcpu>{vcpus}</vcpu>
  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type>{os_extra}</os>
  {top}
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' {driver}/>
      <source file='{disk}'/>
      <target dev='vda' bus='virtio'/>{serial}
      <boot order='1' {loadparm}/>
      <address type='ccw' cssid='0xfe' ssid='{ssid}' devno='0x0001'/>
    </disk>
    {devices}
    <console type='pty'><target type='sclp' port='0'/></console>
  </devices>
</domain>"""


def disk2(order: int, devno: str = "0x0002") -> str:
    return (
        f"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        f"<source file='{DISK}'/><target dev='vdb' bus='virtio'/><boot order='{order}'/>"
        f"<address type='ccw' cssid='0xfe' ssid='0x0' devno='{devno}'/></disk>"
    )


def pci(uid: str, function: str = "0x0") -> str:
    return (
        "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' "
        f"bus='0x00' slot='0x00' function='{function}'/></source><address type='pci'>"
        f"<zpci uid='{uid}' fid='0x00000001'/></address></hostdev>"
    )


D2 = {"path": "/var/lib/libvirt/images/b.qcow2"}


def nic(kind: str, extra: str) -> str:
    source = f"<source bridge='{BRIDGE}'/>" if kind == "bridge" else "<source dev='eth0'/>"
    return f"<interface type='{kind}'>{source}<model type='virtio'/>{extra}</interface>"


def on_bridge(**nic: object) -> dict[str, object]:
    return {"nics": [{"source": {"bridge": BRIDGE}, **nic}]}


ZPCI = {"type": "pci", "address": "0000:00:00.0", "zpci": {"uid": "0x0001", "fid": "0x1"}}

# name -> (XML changes, libvirt's/QEMU's own words, zwizard's equivalent, rule id)
CASES = {
    "disk queues beyond virtio-blk's 1024": (
        # libvirt defines it; QEMU 7.2 aborts at start without a word of its own (its
        # virtio_add_queue stops at VIRTIO_QUEUE_MAX), so libvirt's are all there is
        {"driver": "queues='1025'"},
        "start: error: Failed to start domain",
        {"disks": [{"path": "/a", "queues": 1025}]},
        "disk-tuning",
    ),
    "io native on the default cache": (
        {"driver": "io='native'"},
        "io='native' needs either no disk cache or directsync cache mode",
        {"disks": [{"path": "/a", "io": "native"}]},
        "disk-tuning",
    ),
    "iothread the guest lacks": (
        {"driver": "iothread='1'"},
        "Disk iothread '1' not defined in iothreadid",
        {"disks": [{"path": "/a", "iothread": 1}]},
        "disk-tuning",
    ),
    "serial with unsafe characters": (
        {"serial": "<serial>bad/ser,ial</serial>"},
        "contains unsafe characters",
        {"disks": [{"path": "/a", "serial": "bad/ser,ial"}]},
        "disk-tuning",
    ),
    "MTU on macvtap": (
        {"devices": nic("direct", "<mtu size='9000'/>")},
        "setting MTU on interface type direct is not supported yet",
        {"nics": [{"source": {"direct": "eth0"}, "mtu": 9000}]},
        "nic-tuning",
    ),
    "MTU beyond the tap's": (
        {"devices": nic("bridge", "<mtu size='65522'/>")},
        "Cannot set interface MTU",
        on_bridge(mtu=65522),
        "nic-tuning",
    ),
    "VLAN on a Linux bridge": (
        {"devices": nic("bridge", "<vlan><tag id='42'/></vlan>")},
        "vlan tag not supported for this connection type",
        on_bridge(vlan=42),
        "nic-tuning",
    ),
    "more queues than a tap has": (
        {"devices": nic("bridge", "<driver queues='300'/>")},
        "Unable to create tap device",
        on_bridge(queues=300),
        "nic-tuning",
    ),
    "tap name over 15 bytes": (
        {"devices": nic("bridge", "<target dev='abcdefghijklmnopq'/>")},
        "is too long",
        on_bridge(target="abcdefghijklmnopq"),
        "nic-tuning",
    ),
    "duplicate boot order": (
        {"devices": disk2(1)},
        "boot order '1' used for more than one device",
        {"disks": [{"path": "/a", "boot_order": 1}, {**D2, "boot_order": 1}]},
        "boot-order",
    ),
    "loadparm too long": (
        {"loadparm": "loadparm='ABCDEFGHI'"},
        "loadparm value 'ABCDEFGHI' must be between 1 and 8 characters",
        {"disks": [{"path": "/a", "boot_order": 1, "loadparm": "ABCDEFGHI"}]},
        "loadparm",
    ),
    "os/boot dev with per-device order": (
        {"os_extra": "<boot dev='hd'/>"},
        "per-device boot elements cannot be used together with os/boot elements",
        "os-boot-dev",
        "boot-order",
    ),
    "ccw duplicate": (
        {"devices": disk2(2, "0x0001")},
        "The CCW devno 'fe.0.0001' is in use already",
        {
            "disks": [
                {"path": "/a", "boot_order": 1, "ccw": "fe.0.0001"},
                {**D2, "ccw": "fe.0.0001"},
            ]
        },
        "ccw-address",
    ),
    "ccw out of range": (
        {"ssid": "0x4"},
        "Invalid specification for virtio ccw address",
        {"disks": [{"path": "/a", "boot_order": 1, "ccw": "fe.4.0001"}]},
        "ccw-address",
    ),
    "zPCI uid 0": (
        {"devices": pci("0x0000")},
        "Invalid PCI address uid='0x0000', must be > 0x0000 and <= 0xffff",
        {"passthrough": [{**ZPCI, "zpci": {"uid": "0x0000", "fid": "0x1"}}]},
        "zpci",
    ),
    "zPCI uid duplicate": (
        {"devices": pci("0x0001") + pci("0x0001", "0x1")},
        "zPCI uid 1 is already reserved",
        {"passthrough": [ZPCI, {**ZPCI, "address": "0000:00:00.1"}]},
        "zpci",
    ),
    "249 vCPUs": (
        {"vcpus": "249"},
        "Maximum CPUs greater than specified machine type limit 248",
        {"guest": {"vcpus": 249}},
        "vcpus",
    ),
    "NUMA": (
        {"top": "<cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>"},
        "NUMA is not supported by this machine-type",
        {"cpu": {"numa": True}},
        "no-numa",
    ),
    "SMBIOS": (
        {
            "os_extra": "<smbios mode='sysinfo'/>",
            "top": "<sysinfo type='smbios'><system><entry name='manufacturer'>x</entry>"
            "</system></sysinfo>",
        },
        "Option not supported for this target",
        {"guest": {"smbios": True}},
        "no-smbios",
    ),
    "kvmclock": (
        {"top": "<clock offset='utc'><timer name='kvmclock' present='yes'/></clock>"},
        "Configuring the 'kvmclock' timer is not supported",
        {"clock": {"timers": ["kvmclock"]}},
        "no-kvmclock",
    ),
    "i6300esb watchdog": (
        {"devices": "<watchdog model='i6300esb' action='reset'/>"},
        "'i6300esb' is not a valid device model name",
        {"watchdog": {"model": "i6300esb"}},
        "watchdog-diag288",
    ),
    "USB input": (
        {"devices": "<input type='tablet' bus='usb'/>"},
        "USB is disabled for this domain",
        {"disks": [{"path": "/a", "boot_order": 1, "bus": "usb"}]},
        "ccw-only",
    ),
    "maxMemory": (
        {"top": "<maxMemory slots='4' unit='MiB'>4096</maxMemory>"},
        "At least one numa node has to be configured when enabling memory hotplug",
        {"memory": {"hotplug": True}},
        "no-mem-hotplug",
    ),
    "second vfio-ap": (
        {
            "devices": "".join(
                "<hostdev mode='subsystem' type='mdev' model='vfio-ap'><source>"
                f"<address uuid='{u}'/></source></hostdev>"
                for u in (AP_UUID, "11111111-2222-4333-8444-555555555555")
            )
        },
        "Only one hostdev of model vfio-ap is supported",
        {
            "passthrough": [
                {"type": "vfio-ap", "uuid": AP_UUID},
                {"type": "vfio-ap", "uuid": "11111111-2222-4333-8444-555555555555"},
            ]
        },
        "vfio-ap",
    ),
}


def libvirt_says(tmp_path, changes: dict[str, str]) -> str:
    """Define, then start: libvirt's or QEMU's refusal, whichever comes first."""
    fields = {"vcpus": "1", "os_extra": "", "top": "", "loadparm": "", "ssid": "0x0", "devices": "",
              "driver": "", "serial": ""}  # fmt: skip
    xml = BASE.format(disk=DISK, **{**fields, **changes})
    path = tmp_path / "broken.xml"
    path.write_text(xml)
    virsh("destroy", "zwizard-agree")
    virsh("undefine", "zwizard-agree")
    try:
        r = virsh("define", str(path))
        if r.returncode != 0:
            return "define: " + r.stderr
        r = virsh("start", "zwizard-agree", timeout=120)
        return ("start: " + r.stderr) if r.returncode else "started"
    finally:
        virsh("destroy", "zwizard-agree")
        virsh("undefine", "zwizard-agree")


@pytest.mark.parametrize("case", sorted(CASES))
def test_libvirt_refuses_and_zwizard_refuses_first(stack, bridge, tmp_path, case):
    changes, their_words, ours, rule = CASES[case]
    IMAGES.mkdir(parents=True, exist_ok=True)
    if not DISK.exists():
        run("qemu-img", "create", "-q", "-f", "qcow2", str(DISK), "16M")
    said = libvirt_says(tmp_path, changes)
    assert their_words in said, f"libvirt no longer refuses {case} as recorded: {said}"

    if isinstance(ours, str):  # nothing in the answers can even ask for it
        verdict = availability(answers(), ours, True)
        assert not verdict.allowed and verdict.rule == rule
        return
    findings = [f for f in check(answers(**ours)) if f.severity == "error"]
    hits = [f for f in findings if f.rule == rule]
    assert hits, f"zwizard does not refuse {case}: {findings}"
    assert all(f.path and f.message for f in hits)


def test_plain_define_drops_an_unknown_element_and_define_validate_refuses_it(stack, tmp_path):
    """Why zwizard's next steps, --define and prepare's after-install step say
    `virsh define --validate`."""
    typo = BASE.format(disk=DISK, vcpus="1", os_extra="", top="", loadparm="", ssid="0x0",
                       driver="", serial="",
                       devices="<consol type='pty'><target type='sclp' port='1'/></consol>")  # fmt: skip
    path = tmp_path / "typo.xml"
    path.write_text(typo)
    virsh("undefine", "zwizard-agree")
    try:
        assert virsh("define", str(path)).returncode == 0  # without a word
        assert "consol " not in virsh("dumpxml", "zwizard-agree").stdout
        virsh("undefine", "zwizard-agree")
        refused = virsh("define", "--validate", str(path))
        assert refused.returncode != 0
        assert "failed to validate against schema" in refused.stderr
    finally:
        virsh("undefine", "zwizard-agree")


@pytest.mark.parametrize(
    ("top", "their_words"),
    [
        ("<memtune><hard_limit unit='MiB'>abc</hard_limit></memtune>",
         "Invalid value 'abc' for element or attribute './memtune/hard_limit[1]'"),
        ("<memtune><hard_limit unit='XB'>5</hard_limit></memtune>", "unknown suffix 'XB'"),
    ],
)  # fmt: skip
def test_libvirt_refuses_a_size_it_cannot_parse_and_check_says_so_first(
    stack, tmp_path, top, their_words
):
    from zwizard.importer import check_domain

    said = libvirt_says(tmp_path, {"top": top})
    assert their_words in said, said
    xml = BASE.format(disk=DISK, vcpus="1", os_extra="", top=top, loadparm="", ssid="0x0",
                      devices="", driver="", serial="")  # fmt: skip
    errors = [x for x in check_domain(xml.encode()) if x.finding.severity == "error"]
    assert [(x.xpath, x.finding.rule) for x in errors] == [
        ("/domain/memtune/hard_limit", "memtune")
    ]
