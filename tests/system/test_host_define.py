"""Reading the real host (libvirt's domain capabilities, networks) and defining guests in it."""

from __future__ import annotations

import re

from tests.helpers import ASSETS, run_zwizard
from tests.system.stack import IMAGES, run, virsh
from zwizard.host import discover


def test_discovery_offers_exactly_the_usable_models(stack):
    raw = run("virsh", "-c", "qemu:///system", "domcapabilities", "--arch", "s390x",
              "--virttype", "qemu").stdout  # fmt: skip
    usable = {
        m for m in re.findall(r"<model usable='yes'[^>]*>([^<]+)</model>", raw)
        if not m.endswith("-base") and m not in ("qemu", "max")
    }  # fmt: skip
    host = discover("qemu")
    assert set(host.cpu_usable) == usable and usable
    assert host.s390_pv is False  # no IBM Z here: Secure Execution is not offered
    assert host.cpu_modes.get("host-model") is False and host.cpu_modes.get("maximum") is True
    assert host.vcpu_max == 248


def test_discovery_lists_libvirt_networks(stack, tmp_path):
    net = tmp_path / "net.xml"
    net.write_text(
        "<network><name>zwizard-t</name><bridge name='zwbr9'/>"
        "<ip address='192.168.251.1' netmask='255.255.255.0'/></network>"
    )
    virsh("net-undefine", "zwizard-t")
    assert virsh("net-define", str(net)).returncode == 0
    try:
        host = discover("qemu")
        assert ("zwizard-t", False) in [(n.name, n.active) for n in host.networks]
    finally:
        virsh("net-undefine", "zwizard-t")


def test_host_check_refuses_what_this_host_cannot_run(stack, tmp_path):
    src = tmp_path / "z14.toml"
    src.write_text(
        'version = 1\n[guest]\nname = "hc"\ndomain_type = "qemu"\n[cpu]\nmode = "custom"\n'
        'model = "z14"\n[[disks]]\npath = "/dev/null"\nkind = "block"\nboot_order = 1\n'
    )
    plain = run_zwizard("--answers", str(src), "-o", str(tmp_path / "a"))
    assert plain.returncode == 0, plain.stderr  # without --host-check: a warning only
    checked = run_zwizard("--answers", str(src), "-o", str(tmp_path / "b"), "--host-check")
    assert checked.returncode == 1
    assert "host (qemu): " in checked.stderr
    assert (
        "this host cannot run CPU model z14" in checked.stderr
        and "[host-cpu-model]" in checked.stderr
    )
    assert not (tmp_path / "b").exists()


def test_define_puts_the_guest_into_libvirt(stack, tmp_path):
    virsh("undefine", "tcg-lab")
    try:
        r = run_zwizard("--answers", str(ASSETS / "tcg-lab.toml"), "-o", str(tmp_path), "--define")
        assert r.returncode == 0, r.stderr
        assert "defined tcg-lab at qemu:///system" in r.stdout
        assert virsh("dominfo", "tcg-lab").returncode == 0
        # never replaced silently
        again = run_zwizard("--answers", str(ASSETS / "tcg-lab.toml"), "-o", str(tmp_path / "2"),
                            "--define")  # fmt: skip
        assert again.returncode == 1 and "already defined" in again.stderr
    finally:
        virsh("undefine", "tcg-lab")


def test_a_refused_define_leaves_no_guest_behind(stack, tmp_path):
    for name in ("tcg-lab", "minimal-rhel9"):
        virsh("undefine", name)
    r = run_zwizard(
        "--answers", str(ASSETS / "tcg-lab.toml"), str(ASSETS / "minimal-rhel9.toml"),
        "-o", str(tmp_path), "--define",
    )  # fmt: skip
    assert r.returncode == 1
    # libvirt's own words, verbatim: this machine has no s390 KVM
    assert "does not support virt type 'kvm'" in r.stderr
    assert virsh("dominfo", "tcg-lab").returncode != 0, "the first guest was not rolled back"
    assert virsh("dominfo", "minimal-rhel9").returncode != 0


def test_a_volume_disk_is_judged_against_the_pools_and_starts(stack, tmp_path):
    """A disk named POOL/VOLUME: discovery reads the real pool's volumes (virsh 9.0's
    vol-list has no --name), --host-check refuses a volume the pool lacks, and the guest
    with the volume that exists defines and starts with that file under QEMU."""
    pool_dir = IMAGES / "pool"  # where QEMU (user libvirt-qemu) may read
    pool_dir.mkdir(parents=True, exist_ok=True)
    for old in pool_dir.iterdir():
        old.unlink()
    pool = tmp_path / "pool.xml"
    pool.write_text(f"<pool type='dir'><name>zwizard-p</name><target><path>{pool_dir}</path>"
                    "</target></pool>")  # fmt: skip
    virsh("pool-destroy", "zwizard-p")
    virsh("pool-undefine", "zwizard-p")
    assert virsh("pool-define", str(pool)).returncode == 0
    name = "zwizard-vol"
    try:
        assert virsh("pool-start", "zwizard-p").returncode == 0
        made = virsh("vol-create-as", "zwizard-p", "root.qcow2", "16M", "--format", "qcow2")
        assert made.returncode == 0, made.stderr
        assert discover("qemu").pools["zwizard-p"] == ["root.qcow2"]
        src = tmp_path / "g.toml"
        body = ('version = 1\n[guest]\nname = "zwizard-vol"\ndomain_type = "qemu"\n'
                'memory_mib = 512\nvcpus = 1\n[[disks]]\nkind = "volume"\n')  # fmt: skip
        src.write_text(body + 'path = "zwizard-p/nothere.qcow2"\n')
        r = run_zwizard("--answers", str(src), "--host-check", "-o", str(tmp_path / "o1"))
        assert r.returncode == 1 and "pool 'zwizard-p' has no volume 'nothere.qcow2'" in r.stderr
        src.write_text(body + 'path = "zwizard-p/root.qcow2"\n')
        r = run_zwizard("--answers", str(src), "--host-check", "-o", str(tmp_path / "o2"))
        assert r.returncode == 0, r.stderr
        virsh("undefine", name)
        assert virsh("define", "--validate", str(tmp_path / "o2" / f"{name}.xml")).returncode == 0
        started = virsh("start", name, timeout=120)
        assert started.returncode == 0, started.stderr
        log = run("cat", f"/var/log/libvirt/qemu/{name}.log").stdout
        assert str(pool_dir / "root.qcow2") in log  # libvirt resolved the volume to its file
    finally:
        virsh("destroy", name)
        virsh("undefine", name)
        virsh("pool-destroy", "zwizard-p")
        virsh("pool-undefine", "zwizard-p")
