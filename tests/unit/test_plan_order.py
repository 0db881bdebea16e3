"""zwizard gives free ccw addresses in libvirt's own order (issue 23): the guest below,
every device without an address, was defined with libvirt 9.0 (`virsh define` +
`dumpxml --inactive`) and these are the devnos libvirt gave; the plan must give the
same ones (zwizard/plan.py: CCW_ORDER, with its source in libvirt)."""

from __future__ import annotations

from lxml import etree

from tests.helpers import answers
from zwizard.build import build

# what libvirt 9.0 assigned (tests/system/test_convert_oracle.py judges the rest)
LIBVIRT = {
    "disk vda": 0x0000,
    "disk vdb": 0x0001,
    "interface": 0x0002,
    "hostdev": 0x0003,
    "video 1": 0x0004,
    "video 2": 0x0005,
    "controller scsi": 0x0006,
    "controller virtio-serial": 0x0007,
    "input keyboard": 0x0008,
    "input mouse": 0x0009,
    "filesystem": 0x000A,
    "memballoon": 0x000B,
    "rng": 0x000C,
}


def devnos(xml: str) -> dict[str, int]:
    dom = etree.fromstring(xml.encode())
    found: dict[str, int] = {}
    videos = 0
    for el in dom.find("devices"):
        addr = el.find("address[@type='ccw']")
        if addr is None:
            continue
        if el.tag == "disk":
            name = f"disk {el.find('target').get('dev')}"
        elif el.tag in ("controller", "input"):
            name = f"{el.tag} {el.get('type')}"
        elif el.tag == "video":
            videos += 1
            name = f"video {videos}"
        else:
            name = el.tag
        found[name] = int(addr.get("devno"), 16)
    return found


def test_free_ccw_addresses_are_the_ones_libvirt_gives():
    a = answers(
        disks=[  # listed vdb first: libvirt sorts disks by target name
            {"path": "/tmp/b.qcow2", "target": "vdb"},
            {"path": "/tmp/a.qcow2", "target": "vda"},
            {"path": "/tmp/x.iso", "device": "cdrom"},
        ],
        nics=[{"source": {"network": "default"}}],
        passthrough=[{"type": "vfio-ccw", "uuid": "90c6c135-ad44-41d0-b1b7-bae47de48627"}],
        channels=[{"name": "org.qemu.guest_agent.0"}],
        shares=[{"source": "/tmp", "tag": "t"}],
        graphics={"vnc": True, "videos": 2},
        memory={"balloon": True},
        rng={"enabled": True},
    )
    built = build(a)
    assert devnos(built.files[built.xml_name]) == LIBVIRT
