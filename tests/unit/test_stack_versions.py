"""Rules that follow the libvirt and QEMU they judge against (zwizard.stack_versions).

Each version-dependent check has a refused case (the default stack, libvirt 9.0 with
QEMU 7.2, or a stack just short of the versions) and an allowed one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT, answers
from zwizard.host import HostInfo, discover, parse_versions
from zwizard.hosts import table
from zwizard.importer import import_domain
from zwizard.plan import make_plan
from zwizard.prepare import prepare
from zwizard.render.domain import render_domain
from zwizard.rules import availability, check
from zwizard.stack_versions import (
    DEFAULT_STACK,
    STACK_RULES,
    judged_stack,
    stack_of,
    table_lines,
)
from zwizard.xmlwrite import to_xml

RULES_TESTED_HERE = {"target", "machine-removed"}
DATA = ROOT / "tests" / "data" / "host"
DEFAULT_WORDS = "libvirt 9.0 / QEMU 7.2 (the default target"


def target(libvirt: str, qemu: str) -> dict:
    return {"libvirt": libvirt, "qemu": qemu}


def host(libvirt: tuple[int, ...] | None, qemu: tuple[int, ...] | None, label="z16") -> HostInfo:
    return HostInfo(label=label, libvirt_version=libvirt, qemu_version=qemu)


def found(a, rule: str, path: str, hosts=None):
    return [f for f in check(a, None, hosts) if f.rule == rule and f.path == path]


# --- the stack and [target] -------------------------------------------------------------


def test_the_default_is_the_oldest_stack_and_a_target_or_a_host_changes_it():
    assert stack_of(answers()) == DEFAULT_STACK
    assert DEFAULT_STACK.describe().startswith(DEFAULT_WORDS)
    t = stack_of(answers(target=target("10.10", "9.2")))
    assert (t.libvirt, t.qemu, t.origin) == ((10, 10), (9, 2), "target")
    # the host's versions win over [target]
    h = stack_of(answers(target=target("11.6", "10.2")), host((9, 0, 0), (7, 2, 0)))
    assert (h.libvirt, h.qemu, h.origin) == ((9, 0, 0), (7, 2, 0), "host z16")
    # a host whose versions were not read leaves [target] in charge
    assert stack_of(answers(target=target("10.10", "9.2")), host(None, (9, 2))).origin == "target"
    # several hosts: the oldest of each
    both = stack_of(answers(), [host((11, 0), (9, 2), "a"), host((10, 10), (10, 0), "b")])
    assert (both.libvirt, both.qemu) == ((10, 10), (9, 2))


@pytest.mark.parametrize("bad", ["10", "10.10.0", "ten.one", "10.x", ""])
def test_a_target_version_must_be_digits_dot_digits(bad):
    errors = found(answers(target={"libvirt": bad}), "target", "target.libvirt")
    assert errors and errors[0].severity == "error" and "digits.digits" in errors[0].message


def test_a_well_formed_target_is_allowed():
    a = answers(target=target("10.10", "9.2"))
    assert not [f for f in check(a) if f.rule == "target"]


def test_every_row_has_its_source_and_the_reference_has_the_table():
    doc = (ROOT / "docs" / "rules.md").read_text()
    for row in STACK_RULES:
        assert row.source and row.older and row.newer
        assert f"`{row.key}`" in doc, row.key
    # docs/rules.md section 13 is this table, row for row
    assert "\n".join(table_lines()) in doc


# --- loadparm ----------------------------------------------------------------------------


def two_loadparms(**extra):
    return answers(
        disks=[
            {"path": "/var/lib/libvirt/images/a.qcow2", "boot_order": 1, "loadparm": "1"},
            {"path": "/var/lib/libvirt/images/b.qcow2", "boot_order": 2, "loadparm": "2"},
        ],
        **extra,
    )


def test_a_second_devices_loadparm_is_ignored_before_qemu_9_2_and_says_the_stack():
    (warning,) = found(two_loadparms(), "loadparm", "disks[1].loadparm")
    assert warning.severity == "warning" and "this one is ignored" in warning.message
    assert "libvirt 10.10 with QEMU 9.2" in warning.message and DEFAULT_WORDS in warning.message
    # QEMU 9.2 alone is not enough: libvirt 9.0 passes only the first device's
    assert found(two_loadparms(target=target("9.0", "9.2")), "loadparm", "disks[1].loadparm")


def test_each_boot_device_keeps_its_loadparm_from_qemu_9_2_and_libvirt_10_10():
    assert not found(two_loadparms(target=target("10.10", "9.2")), "loadparm", "disks[1].loadparm")
    assert not found(two_loadparms(), "loadparm", "disks[1].loadparm", host((10, 10, 0), (9, 2, 0)))


def test_a_loadparm_without_a_boot_order_stays_an_error_on_every_stack():
    a = answers(
        disks=[
            {"path": "/var/lib/libvirt/images/a.qcow2", "boot_order": 1},
            {"path": "/var/lib/libvirt/images/b.qcow2", "loadparm": "2"},
        ],
        target=target("11.6", "10.2"),
    )
    (error,) = found(a, "loadparm", "disks[1].loadparm")
    assert error.severity == "error"


# --- memory hot-plug (virtio-mem) ---------------------------------------------------------


def test_memory_hotplug_is_refused_before_virtio_mem_and_names_the_stack():
    (error,) = found(answers(memory={"hotplug": True}), "no-mem-hotplug", "memory.hotplug")
    assert error.severity == "error" and "there is no maxMemory" in error.message
    assert "libvirt 11.2 with QEMU 10.0" in error.message and DEFAULT_WORDS in error.message
    # libvirt 11.1 wrote a PCI address for virtio-mem on s390x: still refused
    assert (
        found(
            answers(memory={"hotplug": True}, target=target("11.1", "10.0")),
            "no-mem-hotplug",
            "memory.hotplug",
        )[0].severity
        == "error"
    )
    # the wizard greys the choice with the version as the reason
    state = availability(answers(), "memory.hotplug", True)
    assert not state.allowed and state.rule == "no-mem-hotplug" and "QEMU 10.0" in state.reason


def test_memory_hotplug_is_allowed_from_libvirt_11_2_with_the_red_hat_note():
    a = answers(target=target("11.2", "10.0"))
    state = availability(a, "memory.hotplug", True)
    assert state.allowed and "Red Hat" in state.reason
    a.memory.hotplug = True
    (warning,) = found(a, "no-mem-hotplug", "memory.hotplug")
    assert warning.severity == "warning" and "virtio-mem-ccw" in warning.message


# --- read-only virtiofs -------------------------------------------------------------------

SHARE = {"source": "/srv/data", "tag": "data", "readonly": True}


def test_a_read_only_share_is_refused_before_libvirt_11_0():
    (error,) = found(
        answers(shares=[SHARE], target=target("10.10", "9.2")), "share", "shares[0].readonly"
    )
    assert error.severity == "error" and "libvirt 11.0" in error.message
    assert "libvirt 10.10 / QEMU 9.2" in error.message
    # judged against a host, the host's libvirt counts, not [target]
    a = answers(shares=[SHARE], target=target("11.0", "9.2"))
    (error,) = found(a, "share", "shares[0].readonly", host((10, 0, 0), (8, 2, 0)))
    assert "libvirt 10.0.0 / QEMU 8.2.0 (host z16's stack)" in error.message


def test_a_read_only_share_is_allowed_from_libvirt_11_0_and_written_and_read_back():
    a = answers(shares=[SHARE], target=target("11.0", "9.2"))
    assert not found(a, "share", "shares[0].readonly")
    xml = to_xml(render_domain(a, make_plan(a)))
    assert "<readonly/>" in xml
    back = import_domain(xml.encode()).answers
    assert back.shares[0].readonly is True
    assert "<readonly/>" not in to_xml(
        render_domain(answers(shares=[{**SHARE, "readonly": False}]))
    )


# --- the boot plan -------------------------------------------------------------------------


def pxe_answers(**extra):
    return answers(
        nics=[{"source": {"network": "install"}, "boot_order": 1, "mac": "52:54:00:aa:bb:01"}],
        disks=[{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 2}],
        pxe={"enabled": True, "repo": "http://10.1.2.1/rhel9/BaseOS/s390x/os"},
        **extra,
    )


def boot_step(a, h=None):
    return [s for s in prepare(a, make_plan(a), h).steps if s.section == "boot"][-1]


def test_falling_back_to_the_next_boot_device_needs_libvirt_10_10_too():
    # QEMU 9.2 with libvirt 10.9: the firmware could, but libvirt does not pass it on
    step = boot_step(pxe_answers(), host((10, 9, 0), (9, 2, 0)))
    assert "tries only the first boot device" in step.why
    assert "libvirt 10.10 with QEMU 9.2" in step.why
    assert "QEMU before 9.2 tries only the first" in boot_step(pxe_answers()).why


def test_falling_back_is_planned_on_a_stack_that_has_both():
    assert (
        "tries the next boot device" in boot_step(pxe_answers(), host((10, 10, 0), (9, 2, 0))).why
    )
    step = boot_step(pxe_answers(target=target("10.10", "9.2")))
    assert "the target's QEMU 9.2 tries the next boot device" in step.why


def test_the_boot_plan_of_a_guest_for_another_host_is_not_judged_by_this_host():
    """This host has libvirt 11.6 / QEMU 10.2; the guest is for another host with no
    [target]: the boot plan must not promise a fallback that host may not have."""
    a = pxe_answers()
    new_here = host((11, 6, 0), (10, 2, 0))
    here = [s for s in prepare(a, make_plan(a), new_here, True).steps if s.section == "boot"]
    assert "this host's QEMU 10.2.0 tries the next boot device" in here[-1].why
    there = [s for s in prepare(a, make_plan(a), new_here, False).steps if s.section == "boot"]
    assert "QEMU before 9.2 tries only the first" in there[-1].why
    a = pxe_answers(target=target("10.10", "9.2"))
    there = [s for s in prepare(a, make_plan(a), new_here, False).steps if s.section == "boot"]
    assert "the target's QEMU 9.2 tries the next boot device" in there[-1].why


def test_a_loadparm_asks_for_a_line_mode_console_for_zipl_before_s390_tools_2_40():
    a = answers(
        disks=[{"path": "/var/lib/libvirt/images/a.qcow2", "boot_order": 1, "loadparm": "PROMPT"}]
    )
    titles = [s.title for s in prepare(a, make_plan(a), None).steps if s.section == "boot"]
    assert "a line-mode console for the loadparm: console.line_mode = true" in titles
    a.console.line_mode = True
    titles = [s.title for s in prepare(a, make_plan(a), None).steps if s.section == "boot"]
    assert not any("line-mode" in t for t in titles)


# --- what discovery reads --------------------------------------------------------------------


def test_the_daemons_libvirt_is_read_not_the_client_library():
    out = (
        "Compiled against library: libvirt 9.0.0\nUsing library: libvirt 11.0.0\n"
        "Using API: QEMU 11.0.0\nRunning hypervisor: QEMU 9.2.0\n"
        "Running against daemon: 10.10.0\n"
    )
    assert parse_versions(out) == ((9, 2, 0), (10, 10, 0))
    # a virsh that printed no daemon line: the library's, said so in `zwizard hosts`
    assert parse_versions("Using library: libvirt 9.0.0\nRunning hypervisor: QEMU 7.2.0\n") == (
        (7, 2, 0),
        (9, 0, 0),
    )


def fake(kvm_caps: str | None, version: str):
    def run(args: list[str]) -> str | None:
        if args[0] == "domcapabilities":
            return (
                kvm_caps
                if args[-1] == "kvm"
                else (DATA / "domcaps-s390x-qemu-debian12.xml").read_text()
            )
        if args[0] == "version":
            assert args == ["version", "--daemon"]
            return version
        return None

    return run


def test_hosts_shows_the_daemons_libvirt_and_qemu(tmp_path: Path):
    caps = (DATA / "domcaps-s390x-kvm-z15-synthetic.xml").read_text()
    info = discover(
        "kvm",
        root=tmp_path,
        run=fake(
            caps,
            "Using library: libvirt 11.0.0\nRunning hypervisor: QEMU 9.2.0\n"
            "Running against daemon: 10.10.0\n",
        ),
    )
    assert info.libvirt_from_daemon and info.caps_virt_type == "kvm"
    text = "\n".join(table([info]))
    assert "libvirt                10.10.0" in text and "QEMU                   9.2.0" in text
    older = discover(
        "kvm",
        root=tmp_path,
        run=fake(caps, "Using library: libvirt 9.0.0\nRunning hypervisor: QEMU 7.2.0\n"),
    )
    assert "9.0.0 (virsh's library; daemon not read)" in "\n".join(table([older]))


def test_a_host_without_kvm_capabilities_falls_back_to_qemu_and_says_so(tmp_path: Path):
    info = discover("kvm", root=tmp_path, run=fake("<domainCapabilities><vcpu max='8'>", ""))
    assert info.caps_virt_type == "qemu" and info.cpu_usable
    # shown, never judged by: a KVM guest's CPU is not held against TCG's models
    assert not info.has_domcaps
    a = answers(cpu={"mode": "custom", "model": "gen15a"})
    assert not [f for f in check(a, None, info) if f.rule.startswith("host-cpu")]
    assert any("not well-formed XML" in u and "qemu (TCG)" in u for u in info.unavailable)
    assert "--virttype qemu (not kvm)" in "\n".join(table([info]))


def test_a_host_with_kvm_capabilities_reads_them_and_no_fallback(tmp_path: Path):
    caps = (DATA / "domcaps-s390x-kvm-z15-synthetic.xml").read_text()
    info = discover("kvm", root=tmp_path, run=fake(caps, ""))
    assert info.caps_virt_type == "kvm" and not any("TCG" in u for u in info.unavailable)


def test_blockers_of_unusable_models_are_read_and_shown(tmp_path: Path):
    caps = (
        (DATA / "domcaps-s390x-kvm-z15-synthetic.xml")
        .read_text()
        .replace(
            "</mode>\n  </cpu>",
            "<blockers model='gen16a'><feature name='nnpa'/><feature name='vxpdeh2'/></blockers>"
            "</mode>\n  </cpu>",
        )
    )
    info = discover("kvm", root=tmp_path, run=fake(caps, ""))
    assert info.cpu_blockers == {"gen16a": ["nnpa", "vxpdeh2"]}
    assert "  gen16a blocked by      nnpa, vxpdeh2" in table([info])
    plain = discover(
        "kvm",
        root=tmp_path,
        run=fake((DATA / "domcaps-s390x-kvm-z15-synthetic.xml").read_text(), ""),
    )
    assert plain.cpu_blockers == {}


# --- deprecated CPU features -----------------------------------------------------------------


def test_deprecated_features_off_is_refused_before_libvirt_11_0():
    (error,) = found(
        answers(cpu={"deprecated_features": False}), "cpu-migration", "cpu.deprecated_features"
    )
    assert error.severity == "error" and "libvirt 11.0" in error.message
    assert DEFAULT_WORDS in error.message
    # no migration advice about it on a stack that does not know it
    assert not found(
        answers(cpu={"mode": "host-model"}), "cpu-migration", "cpu.deprecated_features"
    )


def test_deprecated_features_off_is_allowed_written_and_advised_from_libvirt_11_0():
    a = answers(
        cpu={"mode": "host-model", "deprecated_features": False}, target=target("11.0", "9.2")
    )
    assert not found(a, "cpu-migration", "cpu.deprecated_features")
    xml = to_xml(render_domain(a, make_plan(a)))
    assert "<cpu mode='host-model' check='partial' deprecated_features='off'" in xml.replace(
        '"', "'"
    )
    # host-model without it: a note on 11.0-11.5, nothing from 11.6 (libvirt's default)
    advice = found(
        answers(cpu={"mode": "host-model"}, target=target("11.0", "9.2")),
        "cpu-migration",
        "cpu.deprecated_features",
    )
    assert (
        advice
        and advice[0].severity == "note"
        and "deprecated_features='off'" in (advice[0].message)
    )
    assert not found(
        answers(cpu={"mode": "host-model"}, target=target("11.6", "10.1")),
        "cpu-migration",
        "cpu.deprecated_features",
    )


def test_libvirts_disable_policies_for_deprecated_features_are_read_as_its_own_writing():
    text = (ROOT / "tests" / "data" / "s390x" / "production.xml").read_text()
    cpu = (
        "<cpu mode='host-model' check='partial' deprecated_features='off'>"
        "<feature policy='disable' name='csske'/><feature policy='disable' name='te'/>"
        "<feature policy='disable' name='zpci'/></cpu>"
    )
    got = import_domain(text.replace("<cpu mode='host-model' check='partial'/>", cpu).encode())
    assert got.answers.cpu.deprecated_features is False
    # the deprecated ones are libvirt's; another disable is the user's and is carried
    assert got.answers.cpu.features == {"zpci": "disable"}
    assert not any("csske" in c.what or "deprecated" in c.what for c in got.lost)
    # without the attribute a disable policy is the user's, as before
    plain = cpu.replace(" deprecated_features='off'", "")
    got = import_domain(text.replace("<cpu mode='host-model' check='partial'/>", plain).encode())
    assert got.answers.cpu.features == {"csske": "disable", "te": "disable", "zpci": "disable"}
    assert got.answers.cpu.deprecated_features is None


# --- versioned machine types (rule machine-removed) ---------------------------------------


def test_a_machine_type_qemu_removed_after_six_years_is_refused_naming_the_versions():
    from zwizard.rules import machine_removed
    from zwizard.stack_versions import Stack

    newer = Stack((11, 6), (10, 2), "target")
    hit = machine_removed("s390-ccw-virtio-4.2", newer)
    assert hit is not None and hit.rule == "machine-removed" and hit.severity == "error"
    assert "gone from QEMU 10.2 on" in hit.message
    assert "libvirt 11.6 / QEMU 10.2 (the answers' [target])" in hit.message
    # one release earlier it is still there; 4.1 is not (10.1 - 6 years)
    older = Stack((11, 6), (10, 1), "target")
    assert machine_removed("s390-ccw-virtio-4.2", older) is None
    assert machine_removed("s390-ccw-virtio-4.1", older) is not None
    # before QEMU 9.1 enforced the lifecycle nothing old was removed: the default stack
    # (QEMU 7.2, the stack the system tier runs) has 2.4 and 4.2, not one newer than itself
    assert machine_removed("s390-ccw-virtio-2.4") is None
    assert machine_removed("s390-ccw-virtio-7.2") is None
    newer_than_qemu = machine_removed("s390-ccw-virtio-9.2")
    assert newer_than_qemu is not None and DEFAULT_WORDS in newer_than_qemu.message


def test_check_judges_the_guests_own_machine_type_by_the_stack_it_targets():
    """`check` and `convert` see a definition's versioned machine type (guest.machine):
    QEMU 10.2 no longer has 4.2, so libvirt would refuse to define it there."""
    from zwizard.rules import check

    pinned = answers(target=target("11.6", "10.2"))
    pinned.guest.machine = "s390-ccw-virtio-4.2"
    hits = [f for f in check(pinned) if f.rule == "machine-removed"]
    assert [(f.severity, f.path) for f in hits] == [("error", "guest.machine")]
    assert "gone from QEMU 10.2 on" in hits[0].message
    pinned.guest.machine = "s390-ccw-virtio-5.2"
    assert not [f for f in check(pinned) if f.rule == "machine-removed"]
    pinned.target = None  # the default stack (QEMU 7.2) still has 4.2
    pinned.guest.machine = "s390-ccw-virtio-4.2"
    assert not [f for f in check(pinned) if f.rule == "machine-removed"]


def test_the_unversioned_machine_and_downstream_names_are_allowed_by_the_table():
    from zwizard.rules import machine_removed
    from zwizard.stack_versions import Stack

    newest = Stack((12, 4), (11, 1), "target")
    assert machine_removed("s390-ccw-virtio", newest) is None
    assert machine_removed(None, newest) is None
    assert machine_removed("s390-ccw-virtio-rhel9.4.0", newest) is None
    assert machine_removed("s390-ccw-virtio-5.2", newest) is None  # 11.1 keeps 5.2 ...
    assert machine_removed("s390-ccw-virtio-5.1", newest) is not None  # ... not 5.1


def test_the_hosts_own_machine_list_decides_over_the_table():
    from zwizard.rules import machine_removed
    from zwizard.stack_versions import stack_of

    h = host((11, 0, 0), (10, 2, 0))
    h.machines = ["s390-ccw-virtio-4.2", "s390-ccw-virtio-10.2"]  # a distribution kept 4.2
    assert machine_removed("s390-ccw-virtio-4.2", stack_of(answers(), h), h) is None
    lacking = machine_removed("s390-ccw-virtio-rhel9.4.0", stack_of(answers(), h), h)
    assert lacking is not None and lacking.severity == "error"
    assert "the host's QEMU has no s390-ccw-virtio-rhel9.4.0" in lacking.message
    assert "QEMU 10.2.0 (host z16's stack)" in lacking.message
    # a guest meant for another host is judged by its [target], not by this host's list
    other = judged_stack(answers(target=target("11.6", "10.2")), h, False)
    assert other.origin == "target"
    warned = machine_removed("s390-ccw-virtio-4.2", other, h, False)
    assert warned is not None and warned.severity == "warning"


def test_a_guest_for_another_host_is_judged_by_its_target_not_by_this_hosts_versions():
    share = {"source": "/srv/data", "tag": "data", "readonly": True}
    newer = host((11, 6, 0), (10, 2, 0))
    assert not [f for f in check(answers(shares=[share]), None, newer) if f.rule == "share"]
    other = [f for f in check(answers(shares=[share]), None, newer, False) if f.rule == "share"]
    assert other and DEFAULT_WORDS in other[0].message
    a = answers(shares=[share], target=target("11.0", "9.2"))
    assert not [f for f in check(a, None, newer, False) if f.rule == "share"]
