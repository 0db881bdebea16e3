"""Options a container cannot start but libvirt and QEMU can still be asked about:
locked guest memory (raising RLIMIT_MEMLOCK needs CAP_SYS_RESOURCE, which a container
lacks) and a SCSI LUN passed through on virtio-scsi (this machine has no SCSI disk,
only loop devices). libvirt defines each as zwizard writes it, `virsh domxml-to-native`
shows the QEMU command line it would run, and the start fails for exactly the reason
the environment gives — or succeeds where the environment allows it."""

from __future__ import annotations

import glob
import stat
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.helpers import run_zwizard
from tests.system.stack import IMAGES, run, virsh

BASE = """version = 1
[guest]
name = "{name}"
domain_type = "qemu"
memory_mib = 512
vcpus = 1
[[disks]]
path = "{disk}"
boot_order = 1
"""


def written(tmp_path: Path, name: str, extra: str) -> Path:
    disk = IMAGES / f"{name}.qcow2"
    IMAGES.mkdir(parents=True, exist_ok=True)
    if not disk.exists():
        run("qemu-img", "create", "-q", "-f", "qcow2", str(disk), "16M")
    answers = tmp_path / f"{name}.toml"
    answers.write_text(BASE.format(name=name, disk=disk) + extra)
    r = run_zwizard("--answers", str(answers), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    return tmp_path / "out" / f"{name}.xml"


def defined_argv(xml: Path, name: str) -> str:
    virsh("undefine", name)
    r = virsh("define", "--validate", str(xml))
    assert r.returncode == 0, r.stderr
    argv = virsh("domxml-to-native", "qemu-argv", "--domain", name)
    assert argv.returncode == 0, argv.stderr
    return argv.stdout


def started_or(name: str, reason: str) -> str:
    r = virsh("start", name, "--paused", timeout=120)
    virsh("destroy", name)
    virsh("undefine", name)
    if r.returncode == 0:
        return "started"
    assert reason in r.stderr, r.stderr
    return "refused by the environment"


def test_locked_memory_with_a_hard_limit(stack, tmp_path):
    xml = written(tmp_path, "zwizard-locked", "[memory]\nlocked = true\nhard_limit_mib = 1024\n")
    argv = defined_argv(xml, "zwizard-locked")
    assert "mem-lock=on" in argv
    started_or("zwizard-locked", "cannot limit locked memory")


def test_a_scsi_lun_goes_to_qemu_as_scsi_block_on_virtio_scsi_ccw(stack, tmp_path):
    blocks = [
        p for p in sorted(glob.glob("/dev/loop[0-9]*")) if stat.S_ISBLK(Path(p).stat().st_mode)
    ]
    if not blocks:
        pytest.fail("no block device (/dev/loopN) to stand in for a SCSI LUN", pytrace=False)
    extra = f'[[disks]]\npath = "{blocks[0]}"\nkind = "block"\ndevice = "lun"\n'
    argv = defined_argv(written(tmp_path, "zwizard-lun", extra), "zwizard-lun")
    assert '"driver":"virtio-scsi-ccw"' in argv and '"driver":"scsi-block"' in argv
    started_or("zwizard-lun", "Is this a SCSI device?")


def test_nine_scsi_disks_get_the_second_controller_libvirt_would_add(stack, tmp_path):
    """libvirt puts 7 disks on a virtio-scsi controller (sdh: controller 1) and adds the
    second controller itself. zwizard writes it, at the address it prints: libvirt's
    normal form of the guest has the same controllers, nothing added, and QEMU starts it."""
    images = []
    for n in range(1, 9):
        image = IMAGES / f"zwizard-scsi9-{n}.qcow2"
        if not image.exists():
            run("qemu-img", "create", "-q", "-f", "qcow2", str(image), "1M")
        images.append(f'[[disks]]\npath = "{image}"\nbus = "scsi"\n')
    xml = written(tmp_path, "zwizard-scsi9", "".join(images))
    ours = ElementTree.parse(xml).getroot()
    defined_argv(xml, "zwizard-scsi9")
    theirs = ElementTree.fromstring(virsh("dumpxml", "--inactive", "zwizard-scsi9").stdout)

    def scsi(root: ElementTree.Element) -> list[tuple[str | None, str | None]]:
        return [
            (c.get("index"), c.find("address").get("devno"))  # type: ignore[union-attr]
            for c in root.iterfind("devices/controller[@type='scsi']")
        ]

    assert len(scsi(ours)) == 2 and scsi(theirs) == scsi(ours)
    places = [
        d.find("address").attrib  # type: ignore[union-attr]
        for d in theirs.iterfind("devices/disk")
        if d.find("target").get("bus") == "scsi"  # type: ignore[union-attr]
    ]
    assert places[-1] == {
        "type": "drive",
        "controller": "1",
        "bus": "0",
        "target": "0",
        "unit": "0",
    }
    assert started_or("zwizard-scsi9", "no reason: it starts") == "started"


def test_qemu_refuses_a_raw_image_written_as_qcow2_as_the_disk_format_rule_says(stack, tmp_path):
    """The oracle for rule disk-format (an outside tester's `app01.raw` was written as
    qcow2): QEMU itself refuses to start a raw image given as qcow2, and zwizard judging
    this host reads the image's first bytes and refuses it first; given as raw, it starts."""
    image = IMAGES / "zwizard-fmt-data.raw"
    if not image.exists():
        run("qemu-img", "create", "-q", "-f", "raw", str(image), "1M")
    wrong = f'[[disks]]\npath = "{image}"\nformat = "qcow2"\n'
    xml = written(tmp_path, "zwizard-fmt", wrong)
    defined_argv(xml, "zwizard-fmt")
    assert started_or("zwizard-fmt", "Image is not in qcow2 format") != "started"
    answers = tmp_path / "zwizard-fmt.toml"
    judged = run_zwizard("--answers", str(answers), "--host-check", "--stdout")
    said = judged.stdout + judged.stderr
    assert judged.returncode != 0 and "holds a raw image here" in said, said
    answers.write_text(answers.read_text().replace('format = "qcow2"\n', 'format = "raw"\n'))
    judged = run_zwizard("--answers", str(answers), "--host-check", "--stdout")
    assert "disk-format" not in judged.stdout + judged.stderr
    (tmp_path / "as-raw").mkdir()
    xml = written(
        tmp_path / "as-raw", "zwizard-fmt", f'[[disks]]\npath = "{image}"\nformat = "raw"\n'
    )
    defined_argv(xml, "zwizard-fmt")
    assert started_or("zwizard-fmt", "no reason: it starts") == "started"
