"""zwizard prepare: the host preparation script, judged against fake IBM Z hosts.

The hosts are sysfs trees as the kernel lays them out (AP bus, vfio_ap matrix, css
subchannels, DASDs with block devices, the Ultravisor) plus mdevctl's configuration;
the scripts are checked by shellcheck and run with --dry-run here.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import AP_UUID, CCW_UUID, ROOT, answers, run_zwizard
from zwizard.host import discover
from zwizard.plan import make_plan
from zwizard.prepare import files, hkd_problem, listing, prepare, script
from zwizard.rules import check

RULES_TESTED_HERE = {"prepare-ap", "prepare-ccw", "host-ap-queue", "host-dasd", "se-image"}
OTHER_AP = "11111111-2222-3333-4444-555555555555"
DOMCAPS = (ROOT / "tests/data/host/domcaps-s390x-kvm-z15-synthetic.xml").read_text()


def ibm_z_host(root: Path, *, appv: bool = False, prot_virt: str = "1", mounted: bool = False):
    """An IBM Z host: AP queues 05/06 x 0004/0005 (05.0004 with the host's zcrypt, 06.0005
    in another guest's matrix), DASD 0.0.1234 on subchannel 0.0.0013, the Ultravisor."""
    sys_ = root / "sys"
    ap = sys_ / "bus/ap/devices"
    ap.mkdir(parents=True)
    drivers = sys_ / "bus/ap/drivers"
    for drv in ("cex4queue", "vfio_ap"):
        (drivers / drv).mkdir(parents=True)
    for apqn, drv in (("05.0004", "cex4queue"), ("05.0005", "vfio_ap"),
                      ("06.0004", "vfio_ap"), ("06.0005", "vfio_ap")):  # fmt: skip
        (ap / apqn).mkdir()
        (ap / apqn / "driver").symlink_to(drivers / drv)
    other = sys_ / "devices/vfio_ap/matrix" / OTHER_AP
    other.mkdir(parents=True)
    (other / "matrix").write_text("06.0005\n")
    (other / "control_domains").write_text("0005\n")
    css = sys_ / "devices/css0/0.0.0013"
    dev = css / "0.0.1234"
    (dev / "block/dasdb/dasdb1/holders").mkdir(parents=True)
    (dev / "block/dasdb/holders").mkdir(parents=True)
    (dev / "online").write_text("1\n")
    (dev / "devtype").write_text("3390/0c\n")
    eckd = sys_ / "bus/ccw/drivers/dasd-eckd"
    eckd.mkdir(parents=True)
    (eckd / "0.0.1234").symlink_to(dev)
    (sys_ / "bus/css/devices").mkdir(parents=True)
    (sys_ / "bus/css/drivers/io_subchannel").mkdir(parents=True)
    (css / "driver").symlink_to(sys_ / "bus/css/drivers/io_subchannel")
    (sys_ / "bus/css/devices/0.0.0013").symlink_to(css)
    (sys_ / "firmware/uv").mkdir(parents=True)
    (sys_ / "firmware/uv/prot_virt_host").write_text(prot_virt + "\n")
    proc = root / "proc"
    proc.mkdir()
    (proc / "cpuinfo").write_text("vendor_id       : IBM/S390\nfacilities      : 0 1 2 158 169\n")
    (proc / "mounts").write_text(
        "/dev/dasda1 / xfs rw 0 0\n" + ("/dev/dasdb1 /srv xfs rw 0 0\n" if mounted else "")
    )
    (proc / "swaps").write_text("Filename Type Size Used Priority\n")
    conf = root / "etc/mdevctl.d/matrix"
    conf.mkdir(parents=True)
    (conf / "22222222-2222-3333-4444-555555555555").write_text(
        json.dumps({"mdev_type": "vfio_ap-passthrough", "start": "auto",
                    "attrs": [{"assign_adapter": "0x07"}, {"assign_domain": "0x0009"}]})
    )  # fmt: skip
    caps = DOMCAPS
    if appv:
        caps = caps.replace(
            "<feature policy='require' name='unpack'/>",
            "<feature policy='require' name='unpack'/><feature policy='require' name='appv'/>",
        )
    guests = {"list": "7d4c1a0e-3b2f-4e5d-8c9a-1f2e3d4c5b6a other-guest\n", "dumpxml": OTHER_GUEST}

    def run(args: list[str]) -> str | None:
        if args[0] == "domcapabilities":
            return caps
        if args[0] == "version":
            return "Using library: libvirt 10.10.0\nRunning hypervisor: QEMU 9.2.0\n"
        return guests.get(args[0])

    return discover("kvm", root=root, run=run)


OTHER_GUEST = f"""<domain type='kvm'><name>other-guest</name><devices>
<hostdev mode='subsystem' type='mdev' model='vfio-ap'>
  <source><address uuid='{OTHER_AP}'/></source></hostdev></devices></domain>"""

AP = {"type": "vfio-ap", "uuid": AP_UUID, "adapters": [5], "domains": [4], "control_domains": [4]}
CCW = {"type": "vfio-ccw", "uuid": CCW_UUID, "dasd": "0.0.1234", "boot_order": 1}


def prep_for(host, **changes):
    a = answers(**changes)
    return a, prepare(a, make_plan(a), host)


def rules(prep, severity="error"):
    return {(f.rule, f.path) for f in prep.findings if f.severity == severity}


def shellcheck(text: str, tmp_path: Path) -> None:
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing: apt-get install shellcheck (tests/run installs it)")
    path = tmp_path / "script.sh"
    path.write_text(text)
    done = subprocess.run(["shellcheck", "-s", "sh", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def dry_run(text: str, tmp_path: Path, name: str = "x.prepare.sh") -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.write_text(text)
    return subprocess.run(["sh", str(path), "--dry-run"], capture_output=True, text=True)


# --- vfio-ap -----------------------------------------------------------------------------


def test_crypto_queues_are_freed_and_the_matrix_device_defined_in_order(tmp_path):
    host = ibm_z_host(tmp_path)
    _, prep = prep_for(host, passthrough=[AP])
    assert prep.ok, prep.findings
    text = script(prep)
    assert "run chzdev --type ap apmask=-5 aqmask=-4" in text
    lines = [ln.strip() for ln in text.splitlines() if "mdevctl define" in ln or "--addattr" in ln]
    assert lines == [
        f"run mdevctl define --uuid {AP_UUID} --parent matrix --type vfio_ap-passthrough --auto",
        f"run mdevctl modify --uuid {AP_UUID} --addattr=assign_adapter --value=0x05",
        f"run mdevctl modify --uuid {AP_UUID} --addattr=assign_domain --value=0x0004",
        f"run mdevctl modify --uuid {AP_UUID} --addattr=assign_control_domain --value=0x0004",
    ]
    # the queue the host's zcrypt uses now is named before it goes
    warnings = [f.message for f in prep.findings if f.severity == "warning"]
    assert any("05.0004 (cex4queue)" in w and "loses them" in w for w in warnings), warnings
    # the mediated device the script creates is no missing-device error for the guest
    assert ("host-mdev", "passthrough[0].uuid") in prep.resolves
    shellcheck(text, tmp_path)


def test_a_queue_in_another_guests_matrix_is_refused_with_the_guest_named(tmp_path):
    host = ibm_z_host(tmp_path)
    _, prep = prep_for(host, passthrough=[{**AP, "adapters": [6], "domains": [5]}])
    errors = [f for f in prep.findings if f.severity == "error"]
    assert [(f.rule, f.path) for f in errors] == [("host-ap-queue", "passthrough[0].domains")]
    assert "06.0005" in errors[0].message and "other-guest" in errors[0].message


def test_a_queue_held_by_a_defined_but_stopped_matrix_is_refused_too(tmp_path):
    host = ibm_z_host(tmp_path)
    (tmp_path / "sys/bus/ap/devices/07.0009").mkdir()
    _, prep = prep_for(host, passthrough=[{**AP, "adapters": [7], "domains": [9]}])
    assert ("host-ap-queue", "passthrough[0].domains") in rules(prep)
    assert "22222222-2222-3333-4444-555555555555" in str(prep.findings)


def test_queues_the_host_does_not_have_are_refused_unless_for_another_host(tmp_path):
    host = ibm_z_host(tmp_path)
    a = answers(passthrough=[{**AP, "adapters": [0x0A]}])
    assert ("host-ap-queue", "passthrough[0].adapters") in rules(prepare(a, make_plan(a), host))
    other = prepare(a, make_plan(a), host, host_is_target=False)
    assert other.ok and ("host-ap-queue", "passthrough[0].adapters") in rules(other, "warning")


def test_crypto_without_adapters_needs_them_unless_the_device_exists(tmp_path):
    host = ibm_z_host(tmp_path)
    _, prep = prep_for(host, passthrough=[{"type": "vfio-ap", "uuid": AP_UUID}])
    assert rules(prep) == {("prepare-ap", "passthrough[0].adapters")}
    _, prep = prep_for(host, passthrough=[{"type": "vfio-ap", "uuid": OTHER_AP}])
    assert prep.ok and prep.steps[0].manual and "06.0005" in prep.steps[0].title


@pytest.mark.parametrize(
    ("device", "path", "words"),
    [
        ({**AP, "adapters": [256]}, "passthrough[0].adapters[0]", "outside 0-255"),
        ({**AP, "domains": [4, 4]}, "passthrough[0].domains[1]", "listed twice"),
        ({**AP, "domains": []}, "passthrough[0].domains", "give both"),
        ({**CCW, "adapters": [1]}, "passthrough[0].adapters", "vfio-ap crypto device only"),
        ({**CCW, "dasd": "1234"}, "passthrough[0].dasd", "css.ssid.devno"),
        ({**AP, "dasd": "0.0.1234"}, "passthrough[0].dasd", "vfio-ccw device only"),
    ],
)
def test_the_new_passthrough_keys_are_judged_in_every_front_end(device, path, words):
    found = [f for f in check(answers(passthrough=[device])) if f.path == path]
    assert found and found[0].severity == "error" and words in found[0].message, found


# --- vfio-ccw ----------------------------------------------------------------------------


def test_a_dasd_goes_offline_then_its_subchannel_to_vfio_ccw(tmp_path):
    host = ibm_z_host(tmp_path)
    assert host.dasds[0].subchannel == "0.0.0013" and host.dasds[0].in_use is None
    assert host.subchannel_drivers == {"0.0.0013": "io_subchannel"}
    _, prep = prep_for(host, disks=[], passthrough=[CCW])
    assert prep.ok, prep.findings
    text = script(prep)
    order = [
        "run chzdev --disable dasd 0.0.1234",
        'run driverctl -b css set-override "$sch_0" vfio_ccw',
        f'run mdevctl define --uuid {CCW_UUID} --parent "$sch_0" --type vfio_ccw-io --auto',
        f"run mdevctl start --uuid {CCW_UUID}",
    ]
    positions = [text.index(line) for line in order]
    assert positions == sorted(positions)
    assert "sch_0=$(subchannel_of 0.0.1234)  # the subchannel (now 0.0.0013)" in text
    shellcheck(text, tmp_path)


def test_a_dasd_the_host_has_mounted_is_refused_with_where(tmp_path):
    host = ibm_z_host(tmp_path, mounted=True)
    _, prep = prep_for(host, disks=[], passthrough=[CCW])
    found = [f for f in prep.findings if f.rule == "host-dasd"]
    assert found[0].severity == "error" and "/dev/dasdb1 is mounted at /srv" in found[0].message


def test_a_dasd_held_by_lvm_is_refused(tmp_path):
    ibm_z_host(tmp_path)
    (tmp_path / "sys/devices/css0/0.0.0013/0.0.1234/block/dasdb/dasdb1/holders/dm-0").mkdir()
    host = discover("kvm", root=tmp_path, run=lambda args: None)
    assert host.dasds[0].in_use == "/dev/dasdb1 is held by dm-0"
    _, prep = prep_for(host, disks=[], passthrough=[CCW])
    assert ("host-dasd", "passthrough[0].dasd") in rules(prep)


def test_a_dasd_not_on_this_host_and_a_missing_bus_id(tmp_path):
    host = ibm_z_host(tmp_path)
    _, prep = prep_for(host, disks=[], passthrough=[{**CCW, "dasd": "0.0.9999"}])
    assert ("host-dasd", "passthrough[0].dasd") in rules(prep)
    _, prep = prep_for(host, disks=[], passthrough=[{**CCW, "dasd": None}])
    assert rules(prep) == {("prepare-ccw", "passthrough[0].dasd")}


# --- PCI ---------------------------------------------------------------------------------


def test_pci_functions_say_what_managed_does_or_detach_when_unmanaged(tmp_path):
    pci = {"type": "pci", "address": "0001:00:00.0"}
    _, prep = prep_for(None, passthrough=[pci])
    step = prep.steps[0]
    assert step.manual and "uid 0x0001, fid 0x00000000" in step.title
    assert "unbinds it from its host driver and binds vfio-pci" in step.why
    _, prep = prep_for(None, passthrough=[{**pci, "managed": False}])
    assert prep.steps[0].commands == ["run virsh nodedev-detach pci_0001_00_00_0"]


# --- Secure Execution --------------------------------------------------------------------


def make_cert(path: Path, *, curve: bool = True, days: int = 365, later: int = 0) -> Path:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    key = (
        ec.generate_private_key(ec.SECP521R1()) if curve else rsa.generate_private_key(65537, 2048)
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "IBM Z Host Key (test)")])
    now = datetime.datetime.now(datetime.UTC)
    start = now - datetime.timedelta(days=400) if days < 0 else now - datetime.timedelta(days=1)
    start += datetime.timedelta(days=later)  # not valid before then
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA512())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_host_key_documents_are_checked_where_they_can_be_read(tmp_path):
    good = make_cert(tmp_path / "HKD-good.crt")
    assert hkd_problem(str(good)) is None
    assert "RSA key" in hkd_problem(str(make_cert(tmp_path / "rsa.crt", curve=False)))
    assert "expired on" in hkd_problem(str(make_cert(tmp_path / "old.crt", days=-30)))
    early = make_cert(tmp_path / "early.crt", days=400, later=30)
    assert "is not valid before" in hkd_problem(str(early))
    (tmp_path / "junk.crt").write_text("not a certificate")
    assert "not an X.509 certificate" in hkd_problem(str(tmp_path / "junk.crt"))
    assert hkd_problem("/nowhere/HKD.crt").startswith("not on this machine")


SE = {"enabled": True, "certificates": ["/root/ibm-z-host-key-signing.crt", "/root/ca.crt"]}


def se_answers(hkd: str, **se):
    return answers(
        cpu={"mode": "host-model"},
        memory={"balloon": False},
        rng={"enabled": False},
        secure_execution={**SE, "host_key_documents": [hkd], **se},
    )


def test_secure_execution_preflight_names_the_exact_fix(tmp_path):
    host = ibm_z_host(tmp_path, prot_virt="0")
    good = make_cert(tmp_path / "HKD.crt")
    a = se_answers(str(good))
    prep = prepare(a, make_plan(a), host)
    found = [f.message for f in prep.findings if f.rule == "host-se"]
    assert found and "prot_virt=1" in found[0] and "zipl" in found[0]
    text = script(prep)
    assert "grep -qw 158 /proc/cpuinfo" in text and "/sys/firmware/uv/prot_virt_host" in text
    shellcheck(text, tmp_path)


def test_the_image_script_builds_with_pvimg_or_genprotimg_then_zipl(tmp_path):
    hkd = make_cert(tmp_path / "HKD.crt")
    a = se_answers(str(hkd), crls=["/root/ibm-z-host-key.crl"])
    prep = prepare(a, make_plan(a), ibm_z_host(tmp_path))
    assert prep.ok, prep.findings
    image = prep.extra_files["web01.se-image.sh"]
    assert f"pvimg create -k {hkd} --cert /root/ibm-z-host-key-signing.crt" in image
    assert "--crl /root/ibm-z-host-key.crl" in image
    assert f"genprotimg -k {hkd} -C /root/ibm-z-host-key-signing.crt" in image
    assert "run zipl -V" in image and "default=secure" in image
    shellcheck(image, tmp_path)
    # here (no s390-tools, no such kernel) it reports what is missing and changes nothing
    done = dry_run(image, tmp_path, "web01.se-image.sh")
    assert done.returncode == 1 and "nothing was changed" in done.stderr
    assert "/root/ca.crt is missing" in done.stderr


def test_image_keys_are_required_and_judged(tmp_path):
    a = answers(
        cpu={"mode": "host-model"},
        memory={"balloon": False},
        rng={"enabled": False},
        secure_execution={"enabled": True},
    )
    prep = prepare(a, make_plan(a), None)
    assert rules(prep) == {
        ("se-image", "secure_execution.host_key_documents"),
        ("se-image", "secure_execution.certificates"),
    }
    bad = se_answers("HKD.crt", crls=["x.crl"])
    assert {f.path for f in check(bad) if f.rule == "se-image"} == {
        "secure_execution.host_key_documents[0]",
        "secure_execution.crls[0]",
    }
    rsa = make_cert(tmp_path / "rsa.crt", curve=False)
    prep = prepare(se_answers(str(rsa)), make_plan(se_answers(str(rsa))), None)
    assert ("se-image", "secure_execution.host_key_documents[0]") in rules(prep)


def test_crypto_stays_in_a_secure_guest_only_where_the_host_has_appv(tmp_path):
    hkd = str(make_cert(tmp_path / "HKD.crt"))
    a = se_answers(hkd)
    a.passthrough = answers(passthrough=[AP]).passthrough
    plain = ibm_z_host(tmp_path / "z15")
    z16 = ibm_z_host(tmp_path / "z16", appv=True)
    assert ("se-no-vfio", "error") in {(f.rule, f.severity) for f in check(a, host=plain)}
    on_z16 = [f for f in check(a, host=z16) if f.rule == "se-no-vfio"]
    assert [f.severity for f in on_z16] == ["note"] and "appv" in on_z16[0].message
    # without host data, or for another host, the rule stays as the seed states it
    assert ("se-no-vfio", "error") in {(f.rule, f.severity) for f in check(a)}
    prep = prepare(a, make_plan(a), z16)
    bind = [s for s in prep.steps if "bind the AP queues" in s.title]
    assert bind and bind[0].commands == ["chzcrypt --se-bind 05.0004"]


# --- install server and boot plan --------------------------------------------------------

PXE = {"enabled": True, "repo": "http://10.1.2.1/rhel9/BaseOS/s390x/os/"}


def pxe_answers(**pxe):
    return answers(
        nics=[{"source": {"network": "install"}, "boot_order": 1, "mac": "52:54:00:aa:bb:01"}],
        disks=[{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 2}],
        pxe={**PXE, **pxe},
    )


def test_install_server_network_serves_tftp_and_a_boot_file(tmp_path):
    a = pxe_answers(ip="static", address="10.1.2.50", netmask="255.255.255.0", gateway="10.1.2.1")
    prep = prepare(a, make_plan(a), None)
    net = etree.fromstring(prep.extra_files["web01.install-net.xml"].encode())
    assert net.findtext("name") == "install"
    assert net.find("ip").get("address") == "10.1.2.1"
    assert net.find("ip/tftp").get("root") == "/var/lib/tftpboot"
    assert net.find("ip/dhcp/bootp").get("file") == "pxelinux.0"
    start, end = (net.find("ip/dhcp/range").get(k) for k in ("start", "end"))
    assert not (int(start.split(".")[-1]) <= 50 <= int(end.split(".")[-1]))
    text = script(prep)
    assert (
        "run fetch_below /var/lib/tftpboot kernel.img "
        "http://10.1.2.1/rhel9/BaseOS/s390x/os/images/kernel.img" in text
    )
    assert (
        "run put_below /var/lib/tftpboot pxelinux.cfg/01-52-54-00-aa-bb-01 "
        '"$here/pxelinux.cfg/01-52-54-00-aa-bb-01" ' in text
    )
    shellcheck(text, tmp_path)


def test_boot_plan_follows_the_hosts_qemu(tmp_path):
    a = pxe_answers()
    old = prepare(a, make_plan(a), None).steps[-1]
    assert old.section == "boot" and "QEMU before 9.2 tries only the first" in old.why
    new = prepare(a, make_plan(a), ibm_z_host(tmp_path)).steps[-1]
    assert "QEMU 9.2.0 tries the next boot device" in new.why


def test_a_bridged_guest_gets_the_dhcp_server_lines_to_add():
    a = pxe_answers()
    a.nics[0].source.network, a.nics[0].source.bridge = None, "br0"
    step = next(s for s in prepare(a, make_plan(a), None).steps if s.title.startswith("serve"))
    assert step.manual and "dhcp-boot=pxelinux.0" in step.why and "tftp-root=" in step.why


def test_dry_run_lists_every_step_and_changes_nothing(tmp_path):
    host = ibm_z_host(tmp_path / "host")
    a = answers(passthrough=[AP, {**CCW, "boot_order": None}])
    prep = prepare(a, make_plan(a), host)
    done = dry_run(script(prep), tmp_path)
    # this machine is no IBM Z host: the checks say so; each step still says what it would run
    assert "not ready: no AP bus here" in done.stderr and done.returncode == 0, done.stderr
    assert done.stdout.count("would run: mdevctl start") == 2
    assert "would run: chzdev --type ap apmask=-5 aqmask=-4" in done.stdout
    assert len(listing(prep)) >= len(prep.steps)


def test_zwizard_prepare_writes_nothing_when_a_step_would_fail(tmp_path):
    src = tmp_path / "guest.toml"
    src.write_text(
        (ROOT / "assets/crypto-zpci.toml").read_text().replace("adapters = [0x05, 0x06]\n", "")
    )
    done = run_zwizard("prepare", str(src), "-o", str(tmp_path / "out"))
    assert done.returncode == 1 and "nothing written" in done.stderr
    assert "passthrough[0].adapters: an AP queue is an adapter and a domain" in done.stderr
    assert not (tmp_path / "out").exists()


def test_zwizard_prepare_writes_the_scripts_and_refuses_to_overwrite(tmp_path):
    src = ROOT / "assets/tcg-pxe.toml"
    out = tmp_path / "out"
    done = run_zwizard("prepare", str(src), "-o", str(out), "--other-host")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "tcg-pxe.install-net.xml",
        "tcg-pxe.prepare.sh",
    ]
    again = run_zwizard("prepare", str(src), "-o", str(out), "--other-host")
    assert again.returncode == 0  # the same content is no conflict
    (out / "tcg-pxe.prepare.sh").write_text("# edited\n")
    refused = run_zwizard("prepare", str(src), "-o", str(out), "--other-host")
    assert refused.returncode == 1 and "use --force" in refused.stderr
    assert (out / "tcg-pxe.prepare.sh").read_text() == "# edited\n"
    listed = run_zwizard("prepare", str(src), "--dry-run", "--other-host", cwd=tmp_path)
    assert "define libvirt network default" in listed.stdout
    assert not list(tmp_path.glob("*.sh"))


@pytest.mark.parametrize("path", sorted((ROOT / "assets").glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_prepares_to_shellcheck_clean_scripts(path, tmp_path):
    from zwizard.answers import load

    a, _ = load(path)
    prep = prepare(a, make_plan(a), None, host_is_target=False)
    for name, text in files(prep).items():
        if name.endswith(".sh"):
            shellcheck(text, tmp_path)


# options of the image tools, from their manuals: pvimg create (s390-tools
# rust/pvimg/man/pvimg-create.1, commit c66495888) and genprotimg (genprotimg(1), 2.31).
# Debian 12's s390-tools 2.16.0-2 for s390x ships neither tool (its package contents were
# checked), and pvimg (Rust) cannot be built offline here: the command lines are checked
# against the manuals instead of being run.
PVIMG_OPTIONS = {"-k", "--cert", "--crl", "-i", "-r", "-p", "-o", "--overwrite", "--no-verify"}
GENPROTIMG_OPTIONS = {"-k", "-C", "--crl", "-i", "-r", "-p", "-o", "--no-verify"}


@pytest.mark.parametrize("no_verify", [False, True])
def test_image_command_lines_use_only_the_tools_documented_options(tmp_path, no_verify):
    hkd = str(make_cert(tmp_path / "HKD.crt"))
    a = se_answers(hkd, crls=["/root/c.crl"], no_verify=no_verify)
    image = prepare(a, make_plan(a), None).extra_files["web01.se-image.sh"]
    for tool, options in (("pvimg create", PVIMG_OPTIONS), ("genprotimg", GENPROTIMG_OPTIONS)):
        line = next(ln for ln in image.splitlines() if ln.strip().startswith(f"run {tool}"))
        used = {w for w in line.split() if w.startswith("-")}
        assert used <= options, (tool, used - options)
        assert {"-k", "-i", "-o"} <= used
        assert ("--no-verify" in used) is no_verify


def test_a_mediated_device_the_script_creates_is_no_reason_about_any_choice(tmp_path):
    """An outside tester: with a crypto device the host preparation creates, nearly every
    choice in the wizard (CPU mode, OS, disk format, macvtap mode …) read "(!) — mind: no
    mediated device … on this host [host-mdev]", though choosing it changed nothing. The
    session's result holds that finding as a note (the script creates the device), and a
    choice is judged against the same."""
    from zwizard.session import Session, choice_availability

    host = ibm_z_host(tmp_path / "host")
    for target in (True, False):  # F4: the guest for another host, judged against this one
        session = Session(answers(passthrough=[AP]), host=host, host_is_target=target)
        result = session.result
        assert ("host-mdev", "passthrough[0].uuid") in result.resolved
        for path, value in (("cpu.mode", "host-model"), ("guest.os", "rhel8"),
                            ("watchdog.action", "poweroff")):  # fmt: skip
            verdict = choice_availability(session.answers, path, value, host, target,
                                          result.findings, (), result.resolved)  # fmt: skip
            assert verdict.allowed and not verdict.reasons, (target, path, verdict.reasons)


def test_a_zipl_menu_is_answered_on_the_ascii_console():
    a = answers(disks=[{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 1,
                        "loadparm": "PROMPT"}])  # fmt: skip
    step = prepare(a, make_plan(a), None).steps[0]
    assert step.note and "virsh console web01" in step.title and "sclp.c" in step.why


def test_the_wizard_may_write_a_guest_whose_mediated_device_the_script_creates(tmp_path):
    """The mediated device does not exist yet, but the host preparation written with the
    files creates it: the wizard says so and writes (the answers mode with --host-check,
    which writes no script, still refuses)."""
    from zwizard.session import Session

    host = ibm_z_host(tmp_path / "host")
    session = Session(answers(passthrough=[AP]), host=host)
    found = [f for f in session.result.findings if f.rule == "host-mdev"]
    assert [f.severity for f in found] == ["note"]
    assert "the host preparation creates it" in found[0].message
    assert session.result.ok and "web01.prepare.sh" in session.output_files()
    plain = check(answers(passthrough=[AP]), host=host)
    assert ("host-mdev", "error") in {(f.rule, f.severity) for f in plain}
    # without the queues the script cannot create it: the error stays, and no script
    session = Session(answers(passthrough=[{**AP, "adapters": [], "domains": []}]), host=host)
    assert not session.result.ok and "web01.prepare.sh" not in session.output_files()


@pytest.mark.parametrize(
    ("netmask", "gateway", "network"),
    [
        ("255.255.255.255", "10.1.2.1", None),  # no room: refused with the key, no traceback
        ("255.255.255.254", "10.1.2.51", None),
        ("255.0.0.0", "10.1.2.1", "10.1.2.1/255.255.255.0"),  # a /8: its first /24 is served
        ("255.254.0.0", "10.1.2.1", "10.1.2.1/255.255.255.0"),  # a /15 is more than listed
        ("255.255.255.0", "192.168.7.1", "10.1.2.1/255.255.255.0"),  # gateway elsewhere
    ],
)
def test_the_install_network_fits_any_netmask_or_says_why_not(netmask, gateway, network):
    a = pxe_answers(ip="static", address="10.1.2.50", netmask=netmask, gateway=gateway)
    prep = prepare(a, make_plan(a), None)
    xml = prep.extra_files.get("web01.install-net.xml")
    if network is None:
        assert xml is None and rules(prep) == {("pxe-config", "pxe.netmask")}
        return
    ip = etree.fromstring(xml.encode()).find("ip")
    assert f"{ip.get('address')}/{ip.get('netmask')}" == network


def test_crypto_in_a_secure_guest_needs_appv_on_every_host(tmp_path):
    hkd = str(make_cert(tmp_path / "HKD.crt"))
    a = se_answers(hkd)
    a.passthrough = answers(passthrough=[AP]).passthrough
    z16a = ibm_z_host(tmp_path / "a", appv=True)
    z16b = ibm_z_host(tmp_path / "b", appv=True)
    z15 = ibm_z_host(tmp_path / "c")
    severity = {f.severity for f in check(a, host=[z16a, z16b]) if f.rule == "se-no-vfio"}
    assert severity == {"note"}
    severity = {f.severity for f in check(a, host=[z16a, z15]) if f.rule == "se-no-vfio"}
    assert severity == {"error"}


def test_taking_an_adapter_or_a_domain_from_the_host_takes_every_queue_it_has(tmp_path):
    """apmask/aqmask work per adapter and per domain: the warning lists every queue the
    host's zcrypt loses, not only the guest's own ones."""
    host = ibm_z_host(tmp_path)
    (tmp_path / "sys/bus/ap/devices/07.0004").mkdir()
    (tmp_path / "sys/bus/ap/devices/07.0004/driver").symlink_to(
        tmp_path / "sys/bus/ap/drivers/cex4queue"
    )
    (tmp_path / "sys/bus/ap/devices/05.0009").mkdir()
    (tmp_path / "sys/bus/ap/devices/05.0009/driver").symlink_to(
        tmp_path / "sys/bus/ap/drivers/cex4queue"
    )
    from zwizard.host import discover

    host = discover("kvm", root=tmp_path, run=lambda args: None)
    _, prep = prep_for(host, passthrough=[AP])
    leaving = next(f.message for f in prep.findings if "loses them" in f.message)
    for apqn in ("05.0004", "05.0009", "07.0004"):
        assert f"{apqn} (cex4queue)" in leaving


def test_the_modules_are_loaded_now_and_at_every_boot(tmp_path):
    _, prep = prep_for(None, passthrough=[AP, {**CCW, "boot_order": None}])
    loads = [s for s in prep.steps if s.title.startswith("load the")]
    assert [s.title for s in loads] == ["load the vfio_ap module", "load the vfio_ccw module"]
    assert loads[0].commands == [
        "run modprobe vfio_ap",
        "run sh -c 'echo vfio_ap > /etc/modules-load.d/vfio_ap.conf'",
    ]
    bind = prepare(
        se_answers(str(make_cert(tmp_path / "HKD.crt"))), make_plan(answers()), None
    ).steps
    assert all(s.section == "secure-execution" for s in bind)


def test_a_defined_matrix_with_other_queues_is_left_alone_with_a_word(tmp_path):
    host = ibm_z_host(tmp_path)
    _, prep = prep_for(
        host, passthrough=[{**AP, "uuid": OTHER_AP, "adapters": [6], "domains": [4]}]
    )
    said = next(f.message for f in prep.findings if f.path == "passthrough[0].uuid")
    assert "already defined with queues 06.0005" in said
    assert f"mdevctl undefine --uuid {OTHER_AP} first" in said


def test_prepare_shows_the_guests_host_findings_as_what_the_start_needs():
    from zwizard.findings import Finding
    from zwizard.prepare import Preparation, host_findings

    prep = Preparation("g", resolves={("host-mdev", "passthrough[0].uuid")})
    shown = host_findings(
        prep,
        [
            Finding("host-mdev", "error", "passthrough[0].uuid", "no mediated device"),
            Finding("host-network", "error", "nics[0].source.network", "not defined here"),
            Finding("host-disk", "warning", "disks[0].path", "does not exist yet"),
            Finding("vfio-ap", "error", "passthrough[0]", "only one"),
        ],
    )
    assert [(f.rule, f.severity, f.message) for f in shown] == [
        ("host-network", "warning", "not defined here (needed before the guest starts)"),
        ("host-disk", "warning", "does not exist yet"),
        ("vfio-ap", "error", "only one"),
    ]


def test_the_dhcp_range_is_the_upper_half_clear_of_the_guest():
    """The leases take the upper half of the subnet's free addresses, so the static
    address and the gateway (the host) stay outside them."""
    a = pxe_answers(ip="static", address="10.1.2.50", netmask="255.255.255.0", gateway="10.1.2.1")
    net = etree.fromstring(prepare(a, make_plan(a), None).extra_files["web01.install-net.xml"])
    assert dict(net.find("ip/dhcp/range").attrib) == {"start": "10.1.2.129", "end": "10.1.2.254"}
    a = pxe_answers(ip="static", address="10.1.2.200", netmask="255.255.255.0", gateway="10.1.2.1")
    net = etree.fromstring(prepare(a, make_plan(a), None).extra_files["web01.install-net.xml"])
    assert dict(net.find("ip/dhcp/range").attrib) == {"start": "10.1.2.2", "end": "10.1.2.127"}


def test_another_guests_default_file_is_guarded_and_every_step_says_why(tmp_path):
    a = pxe_answers(tftp_root=str(tmp_path / "tftp"))
    text = script(prepare(a, make_plan(a), None))
    assert "--replace-default) replace_default=1 ;;" in text
    assert f"[ ! -e {tmp_path}/tftp/pxelinux.cfg/default ]" in text
    steps = text.count("\nstep '")
    assert steps and text.count("\n# why: ") == steps  # each step's reason above it
    a.pxe.write_default = False  # only the per-MAC file: nothing shared is at stake
    text = script(prepare(a, make_plan(a), None))
    assert "replace_default" not in text


def test_a_network_the_host_has_gets_the_lines_to_add_not_a_new_one(tmp_path):
    from zwizard.host import HostInfo, Network

    a = pxe_answers()
    host = HostInfo(networks=[Network("install", True)])
    prep = prepare(a, make_plan(a), host)
    step = next(s for s in prep.steps if "net-edit" in s.title)
    assert step.manual and "<tftp root='/var/lib/tftpboot'/>" in step.why
    assert "web01.install-net.xml" not in prep.extra_files


def test_each_step_is_listed_under_its_task(tmp_path):
    """The listing groups steps by host task, as the wizard's Review shows them."""
    host = ibm_z_host(tmp_path, appv=True)
    a, prep = prep_for(host, passthrough=[AP])
    listed = listing(prep)
    assert any(line.endswith("[vfio-ap] hand AP queues 05.0004 from the host to vfio_ap (runs)")
               for line in listed), listed  # fmt: skip
    a.secure_execution.enabled = True
    secure = prepare(a, make_plan(a), host)
    bind = next(s for s in secure.steps if "bind the AP queues" in s.title)
    assert bind.section == "vfio-ap" and bind.manual


LEFT_EMPTY = "5b0e1c8e-3f2a-4c1d-9e7b-2a6f8d4c0b11"


def test_crypto_left_empty_uses_the_existing_matrix_device_as_promised(tmp_path):
    """Issue 25: the prompt offers empty adapters as "the matrix device exists already";
    `zwizard prepare` without a host's data then exited 1 and dropped the other steps.
    It takes the promise: the script checks the device is there, and does the rest."""
    src = tmp_path / "g.toml"
    src.write_text(
        'version = 1\n[guest]\nname = "g"\nmemory_mib = 2048\nvcpus = 1\n'
        '[[disks]]\npath = "/var/lib/libvirt/images/g.qcow2"\n'
        f'[[passthrough]]\ntype = "vfio-ap"\nuuid = "{AP_UUID}"\n'
        f'[[passthrough]]\ntype = "vfio-ccw"\nuuid = "{CCW_UUID}"\ndasd = "0.0.1234"\n'
        f'[[passthrough]]\ntype = "vfio-ccw"\nuuid = "{LEFT_EMPTY}"\n'  # "exists already" too
    )
    r = run_zwizard("prepare", str(src), "-o", str(tmp_path / "out"), "--other-host")
    assert r.returncode == 0, r.stdout + r.stderr
    text = (tmp_path / "out" / "g.prepare.sh").read_text()
    # the checks, and the vfio-ccw steps
    assert AP_UUID in text and LEFT_EMPTY in text and "0.0.1234" in text
    done = dry_run(text, tmp_path)
    assert AP_UUID in done.stdout + done.stderr


def test_a_dasd_on_another_host_is_found_with_a_word_on_what_libvirt_cannot_say(tmp_path):
    """Read through libvirt alone (another host), whether the host uses the DASD is not
    known: a warning says the script checks it there."""
    host = ibm_z_host(tmp_path)
    host.dasd_state_known = False
    _, prep = prep_for(host, disks=[], passthrough=[CCW])
    said = [f for f in prep.findings if f.rule == "host-dasd" and f.severity == "warning"]
    assert said and "cannot be read through libvirt" in said[0].message


def test_the_overview_says_a_refused_preparation_and_the_script_says_when_all_is_done(tmp_path):
    from zwizard.prepare import overview

    host = ibm_z_host(tmp_path)
    _, refused = prep_for(host, passthrough=[{**AP, "adapters": [6], "domains": [5]}])
    lines = overview(refused)
    assert any(line.startswith("error: passthrough[0].domains:") for line in lines)
    assert lines[-1] == "(not written while a step is refused; the guest's files are)"
    a = answers()  # nothing for the host to do
    assert 'echo "nothing to change on this host"' in script(prepare(a, make_plan(a), None))


def test_a_bridged_install_and_a_loadparm_are_listed_under_their_tasks():
    a = pxe_answers()
    a.nics[0].source.network, a.nics[0].source.bridge = None, "br0"
    listed = listing(prepare(a, make_plan(a), None))
    assert any("[install-server] serve DHCP with a boot file" in line for line in listed)
    b = answers(disks=[{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 1,
                        "loadparm": "2"}])  # fmt: skip
    notes = [s for s in prepare(b, make_plan(b), None).steps if s.section == "boot"]
    assert any("line-mode" in s.why or "sclplm" in s.why for s in notes), notes


def test_a_host_without_facility_158_is_told_its_fix_and_documents_here_are_judged(tmp_path):
    host = ibm_z_host(tmp_path)
    host.se.facility_158 = False
    good = make_cert(tmp_path / "HKD.crt")
    a = se_answers(str(good))
    found = [f.message for f in prepare(a, make_plan(a), host).findings if f.rule == "host-se"]
    assert found and "158" in found[0]
    # a certificate that is here must be a file that can be one
    a = se_answers(str(good), certificates=["/dev/zero"], crls=[str(tmp_path)])
    paths = {f.path for f in prepare(a, make_plan(a), None).findings if f.severity == "error"}
    assert {"secure_execution.certificates[0]", "secure_execution.crls[0]"} <= paths


def test_the_install_network_starts_now_and_at_every_boot():
    a = pxe_answers()
    step = next(s for s in prepare(a, make_plan(a), None).steps if s.title.startswith("start"))
    assert step.commands == [
        "run virsh net-start --network install",
        "run virsh net-autostart --network install",
    ]
