"""zwizard prepare on the real stack.

- The mediated-device command lines the script runs are run with the real mdevctl,
  and the definition it keeps is read back.
- The install server: the generated script, run for real as root, copies the PXE
  files into a TFTP root and defines and starts a libvirt network from the generated
  XML (dnsmasq serving DHCP with the boot file, and TFTP); a second run changes
  nothing; then the guest netboots on that network — the real s390-ccw firmware loads
  our pxelinux file, kernel and initrd, and the kernel prints our command line.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import uuid as uuidlib
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import AP_UUID, ASSETS, CCW_UUID, answers
from tests.system.guests import cleanup, define, runnable_copy, start, wait_for
from tests.system.stack import IMAGES, run, s390x_kernel, tiny_initrd, virsh
from zwizard.answers import load
from zwizard.build import build
from zwizard.output import write_set
from zwizard.plan import make_plan
from zwizard.prepare import files, prepare

NET = "zwtest-pxe"
GUEST = "zwprep-pxe"
TFTP = Path("/srv/zwizard-tests/tftp")


def mdevctl_lines(prep) -> list[list[str]]:
    lines = []
    for step in prep.steps:
        for command in step.commands:
            words = shlex.split(command.replace('"$sch_1"', "0.0.0013"))
            if words[:2] == ["run", "mdevctl"] and words[2] in ("define", "modify"):
                lines.append(words[1:])
    return lines


def test_mdevctl_accepts_the_command_lines_and_keeps_the_matrix(stack, report):
    a = answers(
        passthrough=[
            {"type": "vfio-ap", "uuid": AP_UUID, "adapters": [5, 6], "domains": [4],
             "control_domains": [4]},
            {"type": "vfio-ccw", "uuid": CCW_UUID, "dasd": "0.0.1234"},
        ]
    )  # fmt: skip
    prep = prepare(a, make_plan(a), None)
    lines = mdevctl_lines(prep)
    assert len(lines) == 6, lines
    for uuid in (AP_UUID, CCW_UUID):
        run("mdevctl", "undefine", "--uuid", uuid, check=False)
    try:
        for words in lines:
            done = run(*words, check=False)
            assert done.returncode == 0, (words, done.stderr)
        import json

        ap = json.loads(run("mdevctl", "list", "--defined", "--dumpjson", "--uuid", AP_UUID).stdout)
        conf = next(iter(ap.values()))[0] if isinstance(ap, dict) and "mdev_type" not in ap else ap
        conf = conf.get(AP_UUID, conf) if isinstance(conf, dict) else conf
        assert conf["mdev_type"] == "vfio_ap-passthrough" and conf["start"] == "auto"
        assert conf["attrs"] == [
            {"assign_adapter": "0x05"},
            {"assign_adapter": "0x06"},
            {"assign_domain": "0x0004"},
            {"assign_control_domain": "0x0004"},
        ]
        listed = run("mdevctl", "list", "--defined").stdout
        assert f"{CCW_UUID} 0.0.0013 vfio_ccw-io auto" in listed, listed
    finally:
        for uuid in (AP_UUID, CCW_UUID):
            run("mdevctl", "undefine", "--uuid", uuid, check=False)
    report("prepare", "mdevctl", "defined")


@pytest.fixture
def install_net(stack):
    def gone() -> None:
        cleanup(GUEST)
        virsh("net-destroy", NET)
        virsh("net-undefine", NET)
        shutil.rmtree(TFTP, ignore_errors=True)

    gone()
    yield
    gone()


def sh(script: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=120)


def test_the_install_server_script_runs_twice_and_the_guest_netboots(install_net, tmp_path, report):
    try:
        kernel = s390x_kernel()
    except Exception as exc:  # the message says what is missing
        pytest.fail(f"no s390x kernel to netboot: {exc}")
    a, _ = load(ASSETS / "tcg-pxe.toml")
    a.guest.name, a.guest.uuid = GUEST, str(uuidlib.uuid4())
    a.nics[0].source.network = NET
    a.pxe.tftp_root = str(TFTP)
    a.pxe.repo = "nfs:10.0.2.2:/rhel9/BaseOS/s390x/os/"  # not fetchable: copied by hand below
    result = build(a)
    assert result.ok, result.findings
    out = tmp_path / "out"
    write_set(out, result.files)
    prep = prepare(a, result.plan, None)
    assert prep.ok, prep.findings
    write_set(out, files(prep))
    net_xml = out / f"{GUEST}.install-net.xml"
    valid = run("virt-xml-validate", str(net_xml), "network", check=False)
    assert valid.returncode == 0, valid.stderr

    script = out / f"{GUEST}.prepare.sh"
    first = sh(script)
    assert first.returncode == 0, first.stdout + first.stderr
    # defined from a private copy whose sha256 is the one zwizard wrote
    assert f"+ define_network {out}/{GUEST}.install-net.xml" in first.stdout
    assert "Active:" in virsh("net-info", NET).stdout
    assert "yes" in virsh("net-info", NET).stdout.split("Active:")[1].split("\n")[0]
    for rel in result.files:
        if rel.startswith("pxelinux.cfg/"):
            assert (TFTP / rel).read_text() == result.files[rel]
    second = sh(script)
    assert second.returncode == 0, second.stdout + second.stderr
    runnable = [s for s in prep.steps if not s.manual]
    assert second.stdout.count("already done") == len(runnable), second.stdout
    assert "    + " not in second.stdout, second.stdout
    report("prepare", "script", "idempotent")

    # what the manual step asks for: the installer's kernel and initrd in the TFTP root
    (TFTP / a.pxe.kernel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(kernel, TFTP / a.pxe.kernel)
    (TFTP / a.pxe.initrd).write_bytes(tiny_initrd())
    for path in [TFTP, *TFTP.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # dnsmasq reads as its own user

    console = IMAGES / f"{GUEST}.console"
    console.unlink(missing_ok=True)
    xml, _ = runnable_copy(result.files[result.xml_name], console)
    dom = etree.fromstring(xml.encode())
    for iface in dom.iterfind("devices/interface"):  # back onto the generated network
        iface.set("type", "network")
        iface.insert(0, etree.Element("source", network=NET))
    ok, said = define(etree.tostring(dom, encoding="unicode"), tmp_path, GUEST)
    assert ok, said
    ok, said = start(GUEST)
    assert ok, said
    text = wait_for(console, ["Kernel command line:"], timeout=240)
    assert "TFTP: Received pxelinux.cfg/01-52-54-00-12-34-56" in text, text[-3000:]
    expected = result.files["pxelinux.cfg/default"].splitlines()[-1].removeprefix("append ")
    line = next(ln for ln in text.splitlines() if "Kernel command line:" in ln)
    assert line.split("Kernel command line:", 1)[1].strip() == expected
    report("prepare", "netboot", "libvirt network")


# --- the whole script, run as root on a stand-in IBM Z host ------------------------------
# In a private mount namespace a fake sysfs (an AP bus with queues, a DASD on subchannel
# 0.0.0013) is bound over /sys, and modprobe, chzdev, driverctl and mdevctl are stand-ins
# that change it as the real ones change the real one. The script runs as written: every
# check, every guard, in its order — and a second run finds all of it done.

STUBS = {
    "modprobe": """case "$1" in
  vfio_ap) mkdir -p /sys/devices/vfio_ap/matrix ;;
  vfio_ccw) mkdir -p /sys/bus/css/drivers/vfio_ccw ;;
esac""",
    # chzdev --type ap apmask=-5 aqmask=-4: the AP bus gives those queues to vfio_ap;
    # chzdev --disable dasd BUSID: the DASD goes offline
    "chzdev": """if [ "$1" = --type ]; then
  for q in /sys/bus/ap/devices/??.????; do
    ln -sfn /sys/bus/ap/drivers/vfio_ap "$q/driver"
  done
elif [ "$1" = --disable ]; then
  echo 0 > "/sys/bus/ccw/devices/$3/online"
fi""",
    # driverctl -b css set-override SCH vfio_ccw: the subchannel changes driver and its
    # ccw device (the DASD) leaves /sys/bus/ccw/devices
    "driverctl": """ln -sfn /sys/bus/css/drivers/vfio_ccw "/sys/bus/css/devices/$4/driver"
rm -f /sys/bus/ccw/devices/0.0.1234""",
    "mdevctl": """state=$STUB_STATE/mdevctl
mkdir -p "$state"
case "$1" in
  list) [ ! -e "$state/$4" ] || echo "$4" ;;
  define) touch "$state/$3" ;;
  modify) echo "$4 $5" >> "$state/$3" ;;
  start) mkdir -p "/sys/bus/mdev/devices/$3" ;;
esac""",
}


def stand_in_sysfs(root: Path) -> None:
    ap = root / "bus/ap/devices"
    for drv in ("cex4queue", "vfio_ap"):
        (root / "bus/ap/drivers" / drv).mkdir(parents=True)
    ap.mkdir(parents=True)
    for apqn in ("05.0004", "06.0004"):
        (ap / apqn).mkdir()
        (ap / apqn / "driver").symlink_to("/sys/bus/ap/drivers/cex4queue")
    css = root / "devices/css0/0.0.0013"
    (css / "0.0.1234/block/dasdb/holders").mkdir(parents=True)
    (css / "0.0.1234/online").write_text("1\n")
    (css / "dev_busid").write_text("0.0.1234\n")
    (root / "bus/css/drivers/io_subchannel").mkdir(parents=True)
    (css / "driver").symlink_to("/sys/bus/css/drivers/io_subchannel")
    (root / "bus/css/devices").mkdir(parents=True)
    (root / "bus/css/devices/0.0.0013").symlink_to("/sys/devices/css0/0.0.0013")
    (root / "bus/ccw/devices").mkdir(parents=True)
    (root / "bus/ccw/devices/0.0.1234").symlink_to("/sys/devices/css0/0.0.0013/0.0.1234")
    (root / "bus/mdev/devices").mkdir(parents=True)


def test_the_script_runs_on_a_stand_in_host_and_a_second_run_changes_nothing(stack, tmp_path):
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode
    ):
        pytest.fail("unshare -m (util-linux, root) is needed to stand in for IBM Z's sysfs")
    a = answers(
        disks=[],
        passthrough=[
            {"type": "vfio-ap", "uuid": AP_UUID, "adapters": [5, 6], "domains": [4]},
            {"type": "vfio-ccw", "uuid": CCW_UUID, "dasd": "0.0.1234", "boot_order": 1},
        ],
    )
    prep = prepare(a, make_plan(a), None)
    assert prep.ok, prep.findings
    out = tmp_path / "out"
    write_set(out, files(prep))
    sysfs, bin_, state, modules = (tmp_path / d for d in ("sys", "bin", "state", "modules"))
    stand_in_sysfs(sysfs)
    bin_.mkdir()
    modules.mkdir()
    for name, body in STUBS.items():
        (bin_ / name).write_text("#!/bin/sh\nset -eu\n" + body + "\n")
        (bin_ / name).chmod(0o755)
    script = out / "web01.prepare.sh"

    def run_once() -> subprocess.CompletedProcess:
        inner = (
            f"mount --bind {sysfs} /sys && mount --bind {modules} /etc/modules-load.d && "
            f"PATH={bin_}:$PATH STUB_STATE={state} sh {script}"
        )
        return subprocess.run(
            ["unshare", "-m", "sh", "-c", inner], capture_output=True, text=True, timeout=60
        )

    first = run_once()
    assert first.returncode == 0, first.stdout + first.stderr
    ran = [line.strip()[2:] for line in first.stdout.splitlines() if line.strip().startswith("+ ")]
    assert ran == [
        "modprobe vfio_ap",
        "sh -c echo vfio_ap > /etc/modules-load.d/vfio_ap.conf",
        "chzdev --type ap apmask=-5,-6 aqmask=-4",
        f"mdevctl define --uuid {AP_UUID} --parent matrix --type vfio_ap-passthrough --auto",
        f"mdevctl modify --uuid {AP_UUID} --addattr=assign_adapter --value=0x05",
        f"mdevctl modify --uuid {AP_UUID} --addattr=assign_adapter --value=0x06",
        f"mdevctl modify --uuid {AP_UUID} --addattr=assign_domain --value=0x0004",
        f"mdevctl start --uuid {AP_UUID}",
        "modprobe vfio_ccw",
        "sh -c echo vfio_ccw > /etc/modules-load.d/vfio_ccw.conf",
        "chzdev --disable dasd 0.0.1234",
        "driverctl -b css set-override 0.0.0013 vfio_ccw",
        f"mdevctl define --uuid {CCW_UUID} --parent 0.0.0013 --type vfio_ccw-io --auto",
        f"mdevctl start --uuid {CCW_UUID}",
    ], first.stdout
    assert (modules / "vfio_ap.conf").read_text() == "vfio_ap\n"
    second = run_once()
    assert second.returncode == 0, second.stdout + second.stderr
    assert "    + " not in second.stdout, second.stdout
    assert second.stdout.count("already done") == len([s for s in prep.steps if not s.manual])


RHEL9_ZIPL = """[defaultboot]
defaultauto
prompt=1
timeout=5
target=/boot
"""


def test_the_secure_image_script_runs_in_a_stand_in_guest(stack, tmp_path):
    """The image script as a RHEL 9 guest runs it: its /boot and /etc stand in (a private
    mount namespace), pvimg and zipl record what they were asked; openssl is real."""
    from tests.unit.test_prepare import make_cert

    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode
    ):
        pytest.fail("unshare -m (util-linux, root) is needed to stand in for a guest")
    keys = tmp_path / "keys"
    keys.mkdir()
    hkd, signing, ca = (make_cert(keys / n) for n in ("HKD.crt", "signing.crt", "ca.crt"))
    old = make_cert(keys / "HKD-old.crt", days=-30)
    boot, etc, bin_, log = (tmp_path / d for d in ("boot", "etc", "bin", "log"))
    for d in (boot, etc, bin_, log):
        d.mkdir()
    release = os.uname().release
    (boot / f"vmlinuz-{release}").write_bytes(b"kernel")
    (boot / f"initramfs-{release}.img").write_bytes(b"initrd")
    (etc / "zipl.conf").write_text(RHEL9_ZIPL)
    for name in ("pvimg", "zipl"):
        (bin_ / name).write_text(f'#!/bin/sh\necho "$*" >> {log}/{name}\n')
        (bin_ / name).chmod(0o755)

    def run_image(hkd_path: Path) -> subprocess.CompletedProcess:
        a = answers(
            cpu={"mode": "host-model"}, memory={"balloon": False}, rng={"enabled": False},
            secure_execution={"enabled": True, "host_key_documents": [str(hkd_path)],
                              "certificates": [str(signing), str(ca)]},
        )  # fmt: skip
        out = tmp_path / "out"
        script = out / "web01.se-image.sh"
        out.mkdir(exist_ok=True)
        script.write_text(prepare(a, make_plan(a), None).extra_files["web01.se-image.sh"])
        inner = (
            f"mount --bind {boot} /boot && mount --bind {etc} /etc && PATH={bin_}:$PATH sh {script}"
        )
        return subprocess.run(
            ["unshare", "-m", "sh", "-c", inner], capture_output=True, text=True, timeout=60
        )

    refused = run_image(old)
    assert refused.returncode == 1 and "nothing was changed" in refused.stderr
    assert f"{old} is not a valid X.509 certificate or has expired" in refused.stderr
    assert (etc / "zipl.conf").read_text() == RHEL9_ZIPL and not (log / "zipl").exists()

    first = run_image(hkd)
    assert first.returncode == 0, first.stdout + first.stderr
    made = (log / "pvimg").read_text()
    assert made.startswith(f"create -k {hkd} --cert {signing} --cert {ca} -i /boot/vmlinuz-")
    assert made.rstrip().endswith("-o /boot/secure-linux.img --overwrite")
    conf = (etc / "zipl.conf").read_text()
    assert "default=secure\n" in conf and "defaultauto" not in conf
    assert conf.endswith("[secure]\ntarget=/boot\nimage=/boot/secure-linux.img\n")
    assert (etc / "zipl.conf.before-secure").read_text() == RHEL9_ZIPL
    second = run_image(hkd)
    assert second.returncode == 0
    assert (etc / "zipl.conf").read_text() == conf  # one [secure] entry, still the default
    assert (log / "zipl").read_text() == "-V\n-V\n"  # the boot record rewritten each run
