"""One case per rule id: the refused side and the allowed side next to it."""

from __future__ import annotations

import re

import pytest

from tests.helpers import AP_UUID, CCW_UUID, ROOT, answers
from zwizard.rules import NEVER_AVAILABLE, RULES, check

PCI = {"type": "pci", "address": "0000:00:00.0", "zpci": {"uid": "0x0001", "fid": "0x0"}}
AP = {"type": "vfio-ap", "uuid": AP_UUID}
DASD = {"type": "vfio-ccw", "uuid": CCW_UUID}
SE = {"enabled": True}
DISK = "/var/lib/libvirt/images/web01.qcow2"
PXE = {"enabled": True, "repo": "http://example.com/BaseOS/s390x/os/"}

# rule id -> (severity, refused answers, allowed answers)
CASES = {
    "rng-source": ("error", dict(rng={"source": "dev/hwrng"}), dict(rng={"source": "/dev/hwrng"})),
    "ccw-only": ("error", dict(nics=[{"source": {"network": "default"}, "model": "e1000"}]),
                 dict(nics=[{"source": {"network": "default"}, "model": "virtio"}])),
    "pci-passthrough": ("error", dict(passthrough=[{**PCI, "address": "00:00.0"}]),
                        dict(passthrough=[PCI])),
    "guest-os": ("warning", dict(guest={"os": "sles15"}), dict(guest={"os": "rhel8"})),
    "boot-order": ("error",
                   dict(nics=[{"source": {"network": "default"}, "boot_order": 1}]),
                   dict(nics=[{"source": {"network": "default"}, "boot_order": 2}])),
    "loadparm": ("error", dict(disks=[{"path": DISK, "boot_order": 1, "loadparm": "ABCDEFGHI"}]),
                 dict(disks=[{"path": DISK, "boot_order": 1, "loadparm": "prompt"}])),
    "no-mem-hotplug": ("error", dict(memory={"hotplug": True}), dict(memory={"hotplug": False})),
    # QEMU hw/char/virtio-serial-bus.c at start: "A port already exists by name …"
    "channel": ("error", dict(channels=[{}, {"path": "/run/ga.sock"}]),
                dict(channels=[{}, {"name": "org.example.other.0"}])),
    "no-numa": ("error", dict(cpu={"numa": True}), dict(cpu={})),
    # libvirt 9.0 at define: "io='native' needs either no disk cache or directsync cache mode"
    "disk-tuning": ("error", dict(disks=[{"path": DISK, "io": "native"}]),
                    dict(disks=[{"path": DISK, "io": "native", "cache": "none"}])),
    # libvirt 9.0 at start on a Linux bridge: "vlan tag not supported for this connection type"
    "nic-tuning": ("error", dict(nics=[{"source": {"bridge": "br0"}, "vlan": 42}]),
                   dict(nics=[{"source": {"bridge": "br0"}, "vlan": 42,
                               "virtualport": "openvswitch"}])),
    "kernel-boot": ("error", dict(disks=[], kernel={"path": "vmlinuz"}),
                    dict(disks=[], kernel={"path": "/var/lib/libvirt/boot/vmlinuz"})),
    "iothreads": ("error", dict(guest={"iothreads": -1}), dict(guest={"iothreads": 2})),
    # libvirt 9.0 at define: "maximum vCPU count must not be less than current vCPU count",
    # "CPU topology doesn't match maximum vcpu count"
    "vcpu-topology": ("error", dict(guest={"vcpus": 4, "vcpus_current": 5}, cpu={"sockets": 3}),
                      dict(guest={"vcpus": 4, "vcpus_current": 2}, cpu={"sockets": 2})),
    # QEMU 7.2 at start: "Property 'qemu-s390x-cpu.nosuchfeat' not found" (name shape only
    # here: each QEMU knows its own list); features need a model to modify
    "cpu-features": ("error", dict(cpu={"features": {"zpci": "disable"}}, guest={"domain_type": "qemu"}),
                     dict(cpu={"mode": "host-model", "features": {"zpci": "disable"}})),
    # QEMU 7.2 at start: "tag property must be 36 bytes or less" (seen)
    "share": ("error", dict(shares=[{"source": "/srv/s", "tag": "t" * 37}]),
              dict(shares=[{"source": "/srv/s", "tag": "t" * 36}])),
    "console-log": ("error", dict(console={"log": "console.log"}),
                    dict(console={"log": "/var/log/libvirt/qemu/g-console.log"})),
    "vfio-ap": ("error", dict(passthrough=[AP, {**AP, "uuid": CCW_UUID}]), dict(passthrough=[AP])),
    "vfio-ccw": ("error", dict(passthrough=[{"type": "vfio-ccw", "uuid": "not-a-uuid"}]),
                 dict(passthrough=[DASD])),
    "no-smbios": ("error", dict(guest={"smbios": True}), dict(guest={"smbios": False})),
    "watchdog-diag288": ("error", dict(watchdog={"model": "i6300esb"}),
                         dict(watchdog={"action": "reset"})),
    "no-kvmclock": ("error", dict(clock={"timers": ["kvmclock"]}), dict(clock={"offset": "utc"})),
    "cpu-migration": ("error", dict(cpu={"mode": "custom", "model": "gen15a-base"}),
                      dict(cpu={"mode": "custom", "model": "z14"})),
    "pxe-config": ("error", dict(pxe={**PXE, "repo": "example.com/BaseOS/s390x/os/"}),
                   dict(pxe=PXE, nics=[{"source": {"network": "default"}, "boot_order": 1}],
                        disks=[{"path": DISK, "boot_order": 2}])),
    "se-launch": ("error", dict(secure_execution=SE, cpu={"mode": "custom", "model": "z14"}),
                  dict(secure_execution=SE, cpu={"mode": "custom", "model": "gen16a"})),
    "se-no-vfio": ("error", dict(secure_execution=SE, passthrough=[DASD]),
                   dict(secure_execution={"enabled": False}, passthrough=[DASD])),
    "se-no-balloon-rng": ("error", dict(secure_execution=SE, rng={"enabled": True}),
                          dict(secure_execution=SE, rng={})),
    "se-no-hugepages": ("error", dict(secure_execution=SE, memory={"hugepages": True}),
                        dict(secure_execution={"enabled": False}, memory={"hugepages": True})),
    "se-max-vcpus": ("error", dict(secure_execution=SE, guest={"vcpus": 248}),
                     dict(secure_execution=SE, guest={"vcpus": 247})),
    "tcg-cpu": ("error", dict(guest={"domain_type": "qemu"}, cpu={"mode": "host-model"}),
                dict(guest={"domain_type": "qemu"}, cpu={"mode": "maximum"})),
    "guest-name": ("error", dict(guest={"name": "../etc/passwd"}), dict(guest={"name": "db-02.prod"})),
    "uuid": ("error", dict(guest={"uuid": "1234"}), dict(guest={"uuid": AP_UUID})),
    "vcpus": ("error", dict(guest={"vcpus": 249}), dict(guest={"vcpus": 248})),
    "memory": ("warning", dict(guest={"memory_mib": 512}), dict(guest={"memory_mib": 1024})),
    "lifecycle": ("error", dict(guest={"on_reboot": "preserve"}),
                  dict(guest={"on_reboot": "restart", "on_crash": "preserve"})),
    "text": ("error", dict(nics=[{"source": {"network": "def\u0001ault"}}]),
             dict(guest={"description": "line one\nline two"})),
    "cpu-mode": ("error", dict(cpu={"mode": "host"}), dict(cpu={"mode": "host-model"})),
    "cpu-model": ("error", dict(cpu={"mode": "custom", "model": "z15"}),
                  dict(cpu={"mode": "custom", "model": "gen15a"})),
    "disk-path": ("error", dict(disks=[{"path": "web01.qcow2", "boot_order": 1}]),
                  dict(disks=[{"path": DISK, "boot_order": 1}])),
    "cdrom-bus": ("error", dict(disks=[{"path": "/x.iso", "device": "cdrom", "bus": "virtio"}]),
                  dict(disks=[{"path": "/x.iso", "device": "cdrom"}])),
    "disk-target": ("error", dict(disks=[{"path": DISK, "target": "vda"}, {"path": "/b", "target": "vda"}]),
                    dict(disks=[{"path": DISK, "target": "vda"}, {"path": "/b"}])),
    "nic-source": ("error", dict(nics=[{"source": {"network": "default", "bridge": "br0"}}]),
                   dict(nics=[{"source": {"direct": "encbdf0", "mode": "bridge"}}])),
    "mac": ("error", dict(nics=[{"source": {"bridge": "br0"}, "mac": "01:00:5e:00:00:01"}]),
            dict(nics=[{"source": {"bridge": "br0"}, "mac": "52:54:00:00:00:01"}])),
    "ccw-address": ("error", dict(nics=[{"source": {"bridge": "br0"}, "ccw": "0.0.0001"}]),
                    dict(nics=[{"source": {"bridge": "br0"}, "ccw": "fe.0.0001"}])),
    "zpci": ("error", dict(passthrough=[{**PCI, "zpci": {"uid": "0x0000", "fid": "0x0"}}]),
             dict(passthrough=[{**PCI, "zpci": {"uid": "0xffff", "fid": "0xffffffff"}}])),
}  # fmt: skip

SE_NOTE_RULES = [
    "se-no-memstats",
    "se-no-migration",
    "se-no-save-restore",
    "se-no-memory-snapshot",
    "se-dump-memory-only",
]


def rule_ids(findings, severity=None):
    return {f.rule for f in findings if severity is None or f.severity == severity}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_refuses_and_allows(rule):
    severity, bad, good = CASES[rule]
    bad_findings = check(answers(**bad))
    hits = [f for f in bad_findings if f.rule == rule]
    assert hits, f"{rule} not reported for {bad}: {bad_findings}"
    assert all(f.severity == severity for f in hits)
    assert all(f.path and len(f.message) > 15 for f in hits)
    assert rule not in rule_ids(check(answers(**good))), check(answers(**good))


@pytest.mark.parametrize("rule", SE_NOTE_RULES)
def test_secure_execution_notes(rule):
    assert rule in rule_ids(check(answers(secure_execution=SE)), "note")
    assert rule not in rule_ids(check(answers()))


def test_no_v2v_is_a_reason_shown_not_an_answer():
    from zwizard.rules import availability

    verdict = availability(answers(), "v2v", True)
    assert not verdict.allowed and verdict.rule == "no-v2v"
    assert "zwizard convert" in verdict.reason


def test_every_rule_id_is_registered_and_tested():
    from tests.unit.test_host import RULES_TESTED_HERE as HOST_RULES
    from tests.unit.test_hosts import RULES_TESTED_HERE as HOSTS_RULES
    from tests.unit.test_importer import RULES_TESTED_HERE
    from tests.unit.test_prepare import RULES_TESTED_HERE as PREPARE_RULES
    from tests.unit.test_session import RULES_TESTED_HERE as SESSION_RULES
    from tests.unit.test_stack_versions import RULES_TESTED_HERE as STACK_RULES
    from tests.unit.test_tuning import RULES_TESTED_HERE as TUNING_RULES

    tested = (
        set(CASES)
        | set(SE_NOTE_RULES)
        | {"no-v2v"}
        | RULES_TESTED_HERE
        | HOST_RULES
        | SESSION_RULES
        | TUNING_RULES
        | PREPARE_RULES
        | HOSTS_RULES
        | STACK_RULES
    )
    assert tested == set(RULES)
    assert {rule for rule, _ in NEVER_AVAILABLE.values()} <= set(RULES)


# Where a finding is made, and which argument names its rule. A rule id given as a
# variable comes from one of the tables checked below, or is a helper's parameter.
FINDING_CALLS = {"error": 0, "warn": 0, "note": 0, "Finding": 0, "finding": 1, "changed": 0}
# the same, through the names the checks give `out.error`/`out.warn` for a host's findings
REPORT_CALLS = {**FINDING_CALLS, "report": 0, "judge": 0}


def test_every_finding_in_the_code_names_a_registered_rule():
    """A typo in a rule id would reach the user as an id that F1 and the README do not
    know; the ids are read from the source, so no code path has to run first."""
    import ast

    from zwizard.rules import SE_NOTES
    from zwizard.session import NUMBER_RULES

    unknown = []
    for source in sorted((ROOT / "zwizard").rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            at = FINDING_CALLS.get(name or "")
            if at is None or len(node.args) <= at:
                continue
            arg = node.args[at]
            if isinstance(arg, ast.Constant) and arg.value not in RULES:
                unknown.append(f"{source.name}:{node.lineno}: {arg.value!r}")
    assert unknown == []
    assert set(SE_NOTES) | set(NUMBER_RULES.values()) <= set(RULES)


def _rule_ids_in(check: object, seen: set[object]) -> set[str]:
    """The rule ids written literally where `check` makes findings, and in every zwizard
    function it calls by name (its helpers), read from the source."""
    import ast
    import inspect
    import textwrap

    check = inspect.unwrap(check)  # type: ignore[arg-type]
    if check in seen or not inspect.isfunction(check):
        return set()
    seen.add(check)
    ids = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(check)))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        at = REPORT_CALLS.get(name or "")
        if at is not None and len(node.args) > at:
            arg = node.args[at]
            if isinstance(arg, ast.Constant) and arg.value in RULES:
                ids.add(arg.value)
        if isinstance(func, ast.Name):
            callee = check.__globals__.get(func.id)
            if inspect.isfunction(callee) and callee.__module__.startswith("zwizard."):
                ids |= _rule_ids_in(callee, seen)
    return ids


def _declared_checks() -> dict:
    import zwizard.prepare
    import zwizard.session  # noqa: F401  (their checks declare themselves on import)
    from zwizard.findings import DECLARED

    return dict(DECLARED)


def test_every_check_declares_the_rules_it_reports():
    """`@reports` above a check names the rules it reports, which is how a rule knows
    where it is checked; read from the source (with the helpers it calls), so an id
    added to a check without its declaration fails here even on a path no test runs.
    The suite also runs every check strictly (tests/conftest.py)."""
    declared = _declared_checks()
    assert len(declared) >= 30  # the group checks, each kind's, each part's, prepare's
    undeclared = {
        f"{check.__module__}.{check.__qualname__}": sorted(stray)
        for check, ids in declared.items()
        if (stray := _rule_ids_in(check, set()) - ids)
    }
    assert undeclared == {}
    assert set().union(*declared.values()) <= set(RULES)


# Rules no check of the answers reports, and why: what no answers key can ask for is
# greyed with its reason (NEVER_AVAILABLE), and what only a libvirt XML can hold is
# reported where convert and check read it
NOT_ANSWERS_RULES = {
    "no-v2v": "a reason shown where virt-v2v would be offered (NEVER_AVAILABLE)",
    "no-x86-features": "ACPI/APIC/... in an XML read by check or convert",
    "keywrap": "a second <cipher> of one name in an XML read by check or convert",
}


def test_every_rule_is_checked_somewhere_and_says_where():
    from zwizard.rules import checks_of

    _declared_checks()
    unchecked = {r for r in RULES if not checks_of(r)}
    assert unchecked == set(NOT_ANSWERS_RULES)
    assert checks_of("se-launch") == ("zwizard.rules.secure._secure_execution",)
    assert "zwizard.devices.disk_rules.check" in checks_of("disk-format")
    assert "zwizard.devices.disk_rules.check_host" in checks_of("disk-format")


def test_a_check_reporting_a_rule_it_does_not_declare_is_stopped_in_strict_mode(monkeypatch):
    """The suite runs strictly; a user's run keeps the finding (it is as true either way)."""
    from zwizard import findings
    from zwizard.findings import Collector, UndeclaredRule, checked, reports

    @reports("vcpus")
    def careless(out: Collector) -> None:
        out.error("vcpus", "guest.vcpus", "too many")
        out.error("memory", "guest.memory_mib", "too little")

    strict = Collector()
    monkeypatch.setattr(findings, "STRICT", True)
    with pytest.raises(UndeclaredRule, match=r"careless reports \['memory'\]"):
        checked(careless, strict, strict)
    monkeypatch.setattr(findings, "STRICT", False)
    users = Collector()
    checked(careless, users, users)
    assert [f.rule for f in users.findings] == ["vcpus", "memory"]


def test_rule_table_covers_the_domain_document():
    doc = ROOT / "docs" / "rules.md"  # the project's own copy: nothing outside the checkout
    text = doc.read_text(encoding="utf-8")
    section1 = text.split("## 2.")[0]
    ids = set(re.findall(r"^\| `([a-z0-9-]+)` \|", section1, re.M)) | {"tcg-cpu"}
    assert len(ids) >= 25
    assert ids <= set(RULES), ids - set(RULES)


def _doc_sections() -> dict[str, str]:
    """docs/rules.md by section number ("1", "8b", "10")."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    parts = re.split(r"^## ([0-9]+b?)\. ", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_rule_is_sourced_in_the_section_it_names():
    """The catalog says where docs/rules.md gives each rule's source; a rule added
    without its line there (or pointing at the wrong section) fails here."""
    from zwizard.rules import CATALOG

    sections = _doc_sections()
    unsourced = [
        f"{r.id} (section {r.section})"
        for r in CATALOG
        if f"`{r.id}`" not in sections.get(r.section, "")
    ]
    assert unsourced == []
    assert len({r.id for r in CATALOG}) == len(CATALOG)  # an id is declared once


def test_every_rule_is_in_some_steps_help_and_every_help_step_exists():
    """F1 lists the rules of the step on screen from the catalog: a rule no step lists
    is one a person in the wizard can never read about."""
    from zwizard.rules import CATALOG, rules_for_step
    from zwizard.tui.app import STEPS

    step_ids = {s.step_id for s in STEPS}
    assert [r.id for r in CATALOG if not r.steps] == []
    assert {step for r in CATALOG for step in r.steps} <= step_ids
    assert "loadparm" in rules_for_step("pxe") and "loadparm" not in rules_for_step("guest")


def test_the_base_guest_is_clean():
    assert [f for f in check(answers()) if f.severity != "note"] == []


def test_loadparm_on_a_device_that_does_not_boot_first_is_a_warning():
    findings = check(
        answers(
            disks=[
                {"path": DISK, "boot_order": 1},
                {"path": "/b.qcow2", "boot_order": 2, "loadparm": "1"},
            ]
        )
    )
    (hit,) = [f for f in findings if f.rule == "loadparm"]
    assert hit.severity == "warning" and hit.path == "disks[1].loadparm"
    assert "disks[0]" in hit.message


def test_loadparm_needs_a_boot_order():
    findings = check(
        answers(disks=[{"path": DISK, "boot_order": 1}, {"path": "/b", "loadparm": "1"}])
    )
    assert any(f.rule == "loadparm" and f.severity == "error" for f in findings)


def test_boot_order_zero_is_refused():
    findings = check(answers(disks=[{"path": DISK, "boot_order": 0}]))
    assert any(f.rule == "boot-order" and "start at 1" in f.message for f in findings)


def test_vfio_ap_cannot_boot():
    findings = check(answers(passthrough=[{**AP, "boot_order": 2}]))
    assert any(f.rule == "vfio-ap" and f.path == "passthrough[0].boot_order" for f in findings)


def test_vfio_ccw_may_boot_with_a_loadparm():
    a = answers(disks=[], passthrough=[{**DASD, "boot_order": 1, "loadparm": "2"}])
    assert not [f for f in check(a) if f.severity == "error"]


def test_duplicate_ccw_address_names_both_devices():
    findings = check(
        answers(
            disks=[{"path": DISK, "boot_order": 1, "ccw": "fe.0.0005"}],
            nics=[{"source": {"bridge": "br0"}, "ccw": "fe.0.0005"}],
        )
    )
    (hit,) = [f for f in findings if f.rule == "ccw-address"]
    assert "disks[0]" in hit.message and "nics[0]" in hit.message


@pytest.mark.parametrize("busid", ["fe.4.0001", "fe.0.10000", "ff.0.0001", "fe.0"])
def test_ccw_out_of_range(busid):
    findings = check(answers(nics=[{"source": {"bridge": "br0"}, "ccw": busid}]))
    assert any(f.rule == "ccw-address" and f.path == "nics[0].ccw" for f in findings)


def test_zpci_uid_and_fid_unique():
    second = {**PCI, "address": "0000:00:01.0"}
    findings = check(answers(passthrough=[PCI, second]))
    assert {f.path for f in findings if f.rule == "zpci"} == {
        "passthrough[1].zpci.uid",
        "passthrough[1].zpci.fid",
    }


def test_custom_model_marketing_name_suggests_qemu_name():
    findings = check(answers(cpu={"mode": "custom", "model": "z16"}))
    assert any("gen16a" in f.message for f in findings if f.rule == "cpu-model")


@pytest.mark.parametrize("model", ["qemu", "max", "host"])
def test_custom_model_refuses_generic_names(model):
    findings = check(answers(cpu={"mode": "custom", "model": model}))
    assert "cpu-migration" in rule_ids(findings, "error")


@pytest.mark.parametrize("mode", ["host-passthrough", "maximum"])
def test_not_migration_safe_modes_warn(mode):
    findings = check(answers(cpu={"mode": mode}))
    assert "cpu-migration" in rule_ids(findings, "warning")
    assert "cpu-migration" not in rule_ids(findings, "error")


def test_secure_execution_needs_kvm():
    findings = check(answers(secure_execution=SE, guest={"domain_type": "qemu"}))
    assert "se-launch" in rule_ids(findings, "error")


def test_secure_execution_refuses_balloon_asked_for_explicitly():
    findings = check(answers(secure_execution=SE, memory={"balloon": True}))
    assert any(f.path == "memory.balloon" for f in findings if f.rule == "se-no-balloon-rng")


def test_pxe_needs_a_boot_nic():
    findings = check(answers(pxe=PXE))
    assert any(f.rule == "pxe-config" and "never tries the network" in f.message for f in findings)


def test_pxe_boot_nic_not_first_warns_for_old_qemu():
    a = answers(pxe=PXE, nics=[{"source": {"network": "default"}, "boot_order": 2}])
    assert any(f.rule == "pxe-config" and f.severity == "warning" for f in check(a))


def test_pxe_append_too_long():
    a = answers(
        pxe={**PXE, "extra_args": "inst.text " + "x" * 900},
        nics=[{"source": {"network": "default"}, "boot_order": 2}],
    )
    assert any("895" in f.message for f in check(a) if f.rule == "pxe-config")


def test_pxe_static_needs_addresses():
    a = answers(
        pxe={**PXE, "ip": "static", "address": "10.0.0.5"},
        nics=[{"source": {"network": "default"}, "boot_order": 2}],
    )
    paths = {f.path for f in check(a) if f.rule == "pxe-config" and f.severity == "error"}
    assert paths == {"pxe.netmask"}  # the gateway is optional (dracut): a warning says so


def test_odd_memory_sizes_are_written_as_asked():
    # s390-ccw-virtio (QEMU >= 5.0) gives exactly 2049 MiB; only machine types up to 4.2
    # rounded (hw/s390x/sclp.c fixup_ram_size): no warning, and the XML says 2049
    from zwizard.build import build

    result = build(answers(guest={"memory_mib": 2049}), validate=False)
    assert [f for f in result.findings if f.severity != "note"] == []
    assert '<memory unit="MiB">2049</memory>' in result.files["web01.xml"]


def test_tcg_default_cpu_has_no_finding():
    a = answers(guest={"domain_type": "qemu"})
    assert "tcg-cpu" not in rule_ids(check(a))


@pytest.mark.parametrize(
    ("arch", "machine", "ok"),
    [
        ("s390x", "s390-ccw-virtio", True),
        ("s390x", "s390-ccw-virtio-7.2", True),  # what libvirt records at define
        ("s390x", None, False),
        (None, "s390-ccw-virtio", False),
        ("x86_64", "pc-q35-7.2", False),
        ("s390x", "s390-virtio", False),  # the pre-ccw machine QEMU removed
    ],
)
def test_s390_machine_is_judged_by_the_rules(arch, machine, ok):
    from zwizard.rules import machine_problem

    problem = machine_problem(arch, machine)
    assert (problem is None) == ok
    if problem:
        assert f"arch {arch or '(none)'}, machine {machine or '(none)'}" in problem
