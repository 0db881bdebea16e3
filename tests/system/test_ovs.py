"""An Open vSwitch port with a VLAN tag, as zwizard writes it, on the real libvirt and
QEMU s390x. ovsdb-server and ovs-vswitchd run here with OVS's userspace (netdev)
datapath, as a container has no openvswitch kernel module; libvirt plugs the guest's
tap into the OVS bridge with ovs-vsctl exactly as on an IBM Z host."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.helpers import run_zwizard
from tests.system.guests import cleanup, define, qemu_log, runnable_copy
from tests.system.netdevs import ovs_bridge as make_ovs_bridge
from tests.system.netdevs import vsctl
from tests.system.stack import virsh

OVS_BRIDGE = "zwovs-test"


@pytest.fixture(scope="module")
def ovs_bridge(stack, tmp_path_factory):
    with make_ovs_bridge(OVS_BRIDGE, tmp_path_factory.mktemp("ovs")) as name:
        yield name


def test_an_ovs_port_with_a_vlan_tag_is_plugged_tagged(stack, ovs_bridge, tmp_path):
    """nics[].virtualport = "openvswitch" and nics[].vlan: libvirt adds the guest's tap to
    the OVS bridge as an access port of VLAN 42, with the guest's MAC on the interface."""
    answers = tmp_path / "ovs01.toml"
    answers.write_text(
        'version = 1\n[guest]\nname = "zwizard-ovs01"\ndomain_type = "qemu"\n'
        "memory_mib = 512\nvcpus = 1\n"
        '[[disks]]\npath = "/var/lib/libvirt/images/ovs01.qcow2"\nboot_order = 1\n'
        f'[[nics]]\nsource = {{ bridge = "{ovs_bridge}" }}\nvirtualport = "openvswitch"\n'
        'vlan = 42\nmac = "52:54:00:0a:0b:42"\n'
    )
    r = run_zwizard("--answers", str(answers), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    written = (tmp_path / "out" / "zwizard-ovs01.xml").read_text()
    nic = etree.fromstring(written.encode()).find("devices/interface")
    assert nic.find("virtualport").get("type") == "openvswitch"
    assert nic.find("vlan/tag").get("id") == "42"

    xml, _ = runnable_copy(written, tmp_path / "console.log", bridge=ovs_bridge)
    cleanup("zwizard-ovs01")
    try:
        defined, said = define(xml, tmp_path, "zwizard-ovs01")
        assert defined, said
        # paused: QEMU runs with the tap plugged in, and the firmware (with nothing on the
        # empty disk to IPL) cannot end the guest before the port is looked at
        started = virsh("start", "zwizard-ovs01", "--paused", timeout=120)
        assert started.returncode == 0, started.stderr + qemu_log("zwizard-ovs01")[-2000:]
        ports = vsctl("list-ports", ovs_bridge).stdout.split()
        assert len(ports) == 1, ports
        assert vsctl("get", "Port", ports[0], "tag").stdout.strip() == "42"
        ids = vsctl("get", "Interface", ports[0], "external_ids").stdout
        assert 'attached-mac="52:54:00:0a:0b:42"' in ids
    finally:
        cleanup("zwizard-ovs01")
