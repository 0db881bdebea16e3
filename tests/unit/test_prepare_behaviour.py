"""Host preparation, from the fresh mutation samples of prepare.py (issue 22)."""

from __future__ import annotations

from tests.helpers import CCW_UUID
from tests.unit.test_prepare import AP, CCW, ibm_z_host, prep_for
from zwizard.prepare import listing


def test_a_domain_past_nine_is_read_in_hex_when_the_host_loses_its_queues(tmp_path):
    """lszcrypt's and sysfs' APQNs are hex (07.001a is adapter 7, domain 26): taking
    domain 0x1a from the host's zcrypt takes 07.001a too, and the warning says so."""
    ibm_z_host(tmp_path)
    queue = tmp_path / "sys/bus/ap/devices/07.001a"
    queue.mkdir()
    (queue / "driver").symlink_to(tmp_path / "sys/bus/ap/drivers/cex4queue")
    from zwizard.host import discover

    host = discover("kvm", root=tmp_path, run=lambda args: None)
    _, prep = prep_for(host, passthrough=[{**AP, "domains": [4, 0x1A]}])
    leaving = next(f.message for f in prep.findings if "loses them" in f.message)
    assert "07.001a (cex4queue)" in leaving


def test_what_dry_run_lists_for_a_dasd_and_for_a_mediated_device_used_as_it_is():
    """Every step under its section and every check by what it makes sure of, as the
    wizard and `zwizard prepare --dry-run` show them."""
    _, prep = prep_for(None, passthrough=[CCW])
    assert listing(prep) == [
        "checks first: driverctl, mdevctl, DASD 0.0.1234, the host does not use it",
        "1. [vfio-ccw] load the vfio_ccw module (runs)",
        "2. [vfio-ccw] take DASD 0.0.1234 offline on the host (runs)",
        "3. [vfio-ccw] hand the subchannel of DASD 0.0.1234 to vfio_ccw (runs)",
        f"4. [vfio-ccw] define mediated device {CCW_UUID} persistently, started at boot (runs)",
        f"5. [vfio-ccw] start mediated device {CCW_UUID} (runs)",
    ]
    _, prep = prep_for(None, passthrough=[{**CCW, "dasd": None}])
    assert listing(prep) == [
        f"checks first: mediated device {CCW_UUID}",
        f"1. [vfio-ccw] mediated device {CCW_UUID} is used as it is (note)",
    ]


def test_a_matrix_device_with_neither_queues_nor_uuid_is_refused_naming_what_to_give():
    _, prep = prep_for(None, passthrough=[{"type": "vfio-ap", "adapters": [], "domains": []}])
    assert [(f.rule, f.severity, f.path) for f in prep.findings] == [
        ("prepare-ap", "error", "passthrough[0].adapters")
    ]
    assert "give the adapters and domains of the matrix device" in prep.findings[0].message
    assert not prep.ok


def test_a_dasd_passthrough_with_neither_dasd_nor_uuid_is_refused_naming_what_to_give():
    _, prep = prep_for(None, passthrough=[{"type": "vfio-ccw"}])
    found = [f for f in prep.findings if f.rule == "prepare-ccw"]
    assert [(f.severity, f.path) for f in found] == [("error", "passthrough[0].dasd")]
    assert found[0].message.endswith("create mediated device (no uuid)")


def test_the_script_is_a_posix_shell_script():
    from zwizard.prepare import script

    _, prep = prep_for(None, passthrough=[CCW])
    assert script(prep).startswith("#!/bin/sh\n")


def test_the_install_network_is_made_with_its_tftp_root_and_is_no_longer_missing():
    """The script creates the TFTP root, then the network: the wizard judging against a
    host without that network says the preparation creates it instead of refusing."""
    from tests.unit.test_hosts import remote_host
    from tests.unit.test_prepare import pxe_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare
    from zwizard.session import Session

    a = pxe_answers()
    prep = prepare(a, make_plan(a), None)
    step = next(s for s in prep.steps if s.title.startswith("define libvirt network install"))
    assert step.commands[0] == "run mkdir -p -- /var/lib/tftpboot"
    s = Session(pxe_answers(), host=remote_host("z15a", nets=""))
    found = [f for f in s.result.findings if f.rule == "host-network"]
    assert found and all(f.severity != "error" for f in found), found


def test_a_pci_function_read_from_the_host_says_its_driver_and_ids_or_that_they_are_unknown(
    tmp_path,
):
    from zwizard.host import PciFunction, discover

    ibm_z_host(tmp_path)
    host = discover("kvm", root=tmp_path, run=lambda args: None)
    pci = {"type": "pci", "address": "0001:00:00.0"}
    host.pci = [PciFunction("0001:00:00.0", None, None, None)]
    _, prep = prep_for(host, passthrough=[pci])
    assert any(
        s.title.startswith("PCI function 0001:00:00.0 (driver none, host uid ?, fid ?)")
        for s in prep.steps
    ), [s.title for s in prep.steps]
    host.pci = [PciFunction("0001:00:00.0", "0x0042", "0x00000010", "mlx5_core")]
    _, prep = prep_for(host, passthrough=[pci])
    assert any("(driver mlx5_core, host uid 0x0042, fid 0x00000010)" in s.title for s in prep.steps)


def test_another_guests_default_in_the_tftp_root_is_said_with_its_kernel_and_append(tmp_path):
    """The host's pxelinux.cfg/default belongs to another guest: a warning at
    pxe.write_default quotes its kernel and append lines; this guest's own file is none."""
    from tests.unit.test_prepare import pxe_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare
    from zwizard.render.pxe import pxe_files

    root = tmp_path / "tftp"
    (root / "pxelinux.cfg").mkdir(parents=True)
    default = root / "pxelinux.cfg" / "default"
    default.write_text("# pxelinux\ndefault db02\nlabel db02\n  kernel db02/kernel.img\n"
                       "  append ip=dhcp inst.repo=http://x/db02\n")  # fmt: skip
    a = pxe_answers(tftp_root=str(root))
    prep = prepare(a, make_plan(a), None)
    said = [(f.rule, f.severity, f.path) for f in prep.findings if f.rule == "pxe-config"]
    assert said == [("pxe-config", "warning", "pxe.write_default")]
    message = next(f.message for f in prep.findings if f.rule == "pxe-config")
    assert "kernel db02/kernel.img; append ip=dhcp inst.repo=http://x/db02" in message
    assert "--replace-default" in message
    ours = next(text for name, text in pxe_files(a, make_plan(a)).items() if "default" in name)
    default.write_text(ours)
    prep = prepare(a, make_plan(a), None)
    assert not [f for f in prep.findings if f.rule == "pxe-config"]


def test_a_repository_fetched_over_the_network_needs_curl_checked_first():
    from tests.unit.test_prepare import pxe_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare, script

    a = pxe_answers()
    assert a.pxe.repo.startswith("http")
    prep = prepare(a, make_plan(a), None)
    # one per file fetched (kernel, initrd), said once in the script
    assert {(c.test, c.fix) for c in prep.checks if "curl" in c.test} == {
        ("command -v curl", "install curl")
    }
    text = script(prep)
    assert text.count("command -v curl") == 1
    checks = text.index("# --- checks: nothing changes unless all of them pass")
    after = text.index("\n# install-server: ", checks)  # the first step
    assert checks < text.index("command -v curl") < after  # checked before anything runs


def test_the_install_network_is_started_under_the_install_server_section():
    from tests.unit.test_prepare import pxe_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare

    a = pxe_answers()
    lines = listing(prepare(a, make_plan(a), None))
    assert any(ln.endswith("[install-server] start libvirt network install, and at every boot"
                           " (runs)") for ln in lines), lines  # fmt: skip


def test_the_scripts_own_folder_is_known_whatever_the_arguments():
    """`here` (the folder of the files this run wrote) is set after the argument loop:
    set inside it, a script run with no argument at all would never set it."""
    from tests.unit.test_prepare import pxe_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare, script

    a = pxe_answers()
    text = script(prepare(a, make_plan(a), None))
    lines = text.splitlines()
    here = lines.index('here=$(cd "$(dirname "$0")" && pwd)')
    assert lines.index("done") < here
    assert here < next(i for i, ln in enumerate(lines) if '"$here' in ln)


def test_a_certificate_or_crl_over_1_mib_is_refused_and_one_at_the_limit_is_not(tmp_path):
    from tests.unit.test_prepare import make_cert, se_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare
    from zwizard.userfiles import MAX_BYTES

    hkd = make_cert(tmp_path / "HKD.crt")
    big, edge = tmp_path / "big.crl", tmp_path / "edge.crl"
    big.write_bytes(b"x" * (MAX_BYTES + 1))
    edge.write_bytes(b"x" * MAX_BYTES)
    a = se_answers(str(hkd), crls=[str(big), str(edge)])
    found = [f for f in prepare(a, make_plan(a), None).findings if f.path.startswith("secure_exe")]
    crl = [(f.rule, f.severity, f.path) for f in found if ".crls[" in f.path]
    assert crl == [("se-image", "error", "secure_execution.crls[0]")]
    assert any("larger than 1 MiB: not a certificate or CRL" in f.message for f in found)


def test_each_file_the_script_takes_from_its_folder_is_checked_by_its_sha256_first():
    """The pxelinux files the script installs are the ones zwizard wrote, or nothing
    changes: a check with each file's digest, among the checks that run before any step."""
    import hashlib

    from tests.unit.test_prepare import pxe_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare
    from zwizard.render.pxe import pxe_files

    a = pxe_answers()
    prep = prepare(a, make_plan(a), None)
    for rel, text in pxe_files(a, make_plan(a)).items():
        digest = hashlib.sha256(text.encode()).hexdigest()
        assert any(f'"$here/{rel}"' in c.test and digest in c.test for c in prep.checks), rel


def test_a_host_without_an_ap_bus_is_said_at_the_adapters(tmp_path):
    import shutil

    from tests.unit.test_prepare import AP, ibm_z_host
    from zwizard.host import discover

    ibm_z_host(tmp_path)
    shutil.rmtree(tmp_path / "sys/bus/ap")
    host = discover("kvm", root=tmp_path, run=lambda args: None)
    assert host.sysfs and not host.ap.bus
    _, prep = prep_for(host, passthrough=[AP])
    said = [(f.rule, f.path) for f in prep.findings if "no AP bus" in f.message]
    assert said == [("host-ap-queue", "passthrough[0].adapters")]


def test_the_wizard_may_write_a_guest_whose_dasd_mediated_device_the_script_creates(tmp_path):
    """As for a crypto adapter: the vfio-ccw mediated device the script creates is no
    error for the wizard, which writes the script with the files."""
    from tests.unit.test_prepare import ibm_z_host
    from zwizard.session import Session

    host = ibm_z_host(tmp_path / "host")
    session = Session(answers_with(passthrough=[{**CCW, "boot_order": None}]), host=host)
    found = [f for f in session.result.findings if f.rule == "host-mdev"]
    assert [f.severity for f in found] == ["note"], found
    assert "the host preparation creates it" in found[0].message
    assert session.result.ok and "web01.prepare.sh" in session.output_files()


def answers_with(**changes):
    from tests.unit.test_prepare import answers

    return answers(**changes)


def test_a_pci_function_is_detached_under_the_pci_section(tmp_path):
    from zwizard.host import PciFunction, discover

    ibm_z_host(tmp_path)
    host = discover("kvm", root=tmp_path, run=lambda args: None)
    host.pci = [PciFunction("0001:00:00.0", "0x0042", "0x00000010", "mlx5_core")]
    unmanaged = {"type": "pci", "address": "0001:00:00.0", "managed": False}
    _, prep = prep_for(host, passthrough=[unmanaged])
    assert any(
        "[pci] detach PCI function 0001:00:00.0 from the host" in ln for ln in listing(prep)
    ), listing(prep)


def test_a_host_key_document_with_an_rsa_key_is_refused_naming_the_key_kind(tmp_path):
    from tests.unit.test_prepare import make_cert
    from zwizard.prepare import hkd_problem

    rsa = make_cert(tmp_path / "rsa.crt", curve=False)
    problem = hkd_problem(str(rsa))
    assert problem is not None
    assert "holds an RSA key; a host-key document holds an EC secp521r1 key" in problem
    assert hkd_problem(str(make_cert(tmp_path / "ec.crt"))) is None


def test_a_dry_run_names_every_step_it_would_take(tmp_path):
    """`sh X.prepare.sh --dry-run` lists each step by section and title, as the wizard
    and `zwizard prepare --dry-run` show them, changing nothing."""
    from tests.unit.test_prepare import dry_run, pxe_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import prepare, script

    a = pxe_answers()
    prep = prepare(a, make_plan(a), None)
    done = dry_run(script(prep), tmp_path)
    for step in prep.steps:
        if step.commands and not step.manual:
            assert f"{step.section}: {step.title}" in done.stdout + done.stderr, step.title


def test_what_a_crypto_adapter_needs_on_the_host_is_checked_first():
    from tests.unit.test_prepare import AP

    _, prep = prep_for(None, passthrough=[AP])
    first = listing(prep)[0]
    assert first.startswith("checks first: AP bus, chzdev, mdevctl"), first


def test_the_overview_words_each_severity_and_the_script_says_when_it_is_done():
    """`zwizard prepare` prints the overview with words (error:, warning:, note:); the
    script's last word tells the administrator it ran to its end."""
    from tests.unit.test_prepare import pxe_answers
    from zwizard.plan import make_plan
    from zwizard.prepare import overview, prepare, script
    from zwizard.rules import Finding

    a = pxe_answers()
    prep = prepare(a, make_plan(a), None)
    prep.findings = [
        Finding("pxe-config", "error", "pxe.kernel", "e"),
        Finding("pxe-config", "warning", "pxe.initrd", "w"),
        Finding("pxe-config", "note", "pxe.repo", "n"),
    ]
    lines = overview(prep)
    for word, path, text in (("error:", "pxe.kernel", "e"), ("warning:", "pxe.initrd", "w"),
                             ("note:", "pxe.repo", "n")):  # fmt: skip
        assert f"{word} {path}: {text} [pxe-config]" in lines
    assert script(prep).rstrip().endswith('echo; echo "done"')
