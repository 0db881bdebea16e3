"""zwizard audit and zwizard diff, driven with a stand-in for virsh (recorded shapes of a
z15 host, as tests/unit/test_hosts.py reads one): the table, the exit codes, a host that
does not answer, JSON and SARIF (validated against OASIS's schema), the connections a
host costs, and drift key by key."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from tests.helpers import ROOT, UUID, answers
from zwizard import audit as audit_mod
from zwizard.audit import as_json, as_sarif, audit, exit_code, table
from zwizard.build import build
from zwizard.drift import compare, diff_answers, flatten

DATA = ROOT / "tests/data/host"
SCHEMA = json.loads((ROOT / "tests/data/sarif/sarif-schema-2.1.0.json").read_text())

CLEAN_UUID = UUID
BOOTDEV_UUID = "11111111-1111-4111-8111-111111111111"
SEVEN_UUID = "77777777-7777-4777-8777-777777777777"  # a guest named '7'
SE_UUID = "5e5e5e5e-5e5e-4e5e-8e5e-5e5e5e5e5e5e"


def clean_xml() -> str:
    result = build(answers(), validate=False)
    assert result.ok, result.findings
    return result.files[result.xml_name]


def broken(name: str, uuid: str, inner: str, *, os_extra: str = "", top: str = "") -> str:
    return f"""<domain type='kvm'>
  <name>{name}</name><uuid>{uuid}</uuid>
  <memory unit='KiB'>2097152</memory><vcpu>2</vcpu>
  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type>{os_extra}</os>{top}
  <cpu mode='host-model'/>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/{name}.qcow2'/><target dev='vda' bus='virtio'/>
    </disk>{inner}
    <console type='pty'><target type='sclp'/></console>
  </devices>
</domain>"""


BOOTDEV = broken(
    "zwa-bootdev",
    BOOTDEV_UUID,
    "<interface type='network'><source network='default'/><model type='virtio'/>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></interface>",
    os_extra="<boot dev='hd'/>",
    top="<features><acpi/></features>",
)
SEVEN = broken("7", SEVEN_UUID, "", top="<clock offset='utc'><timer name='kvmclock'/></clock>")
SECURE = broken(
    "zwa-secure",
    SE_UUID,
    "<memballoon model='virtio'/><rng model='virtio'><backend model='random'>/dev/urandom"
    "</backend></rng>",
    top="<launchSecurity type='s390-pv'/>",
)
LIVE = clean_xml().replace('<domain type="kvm"', "<domain type='kvm' id='3'", 1)


class Host:
    """`virsh -c qemu+ssh://z15a/system` as recorded: every command and every batch is
    counted, so a test can say how many connections the audit cost."""

    def __init__(self, guests: dict[str, tuple[str, str, str | None]]) -> None:
        self.guests = guests  # uuid -> (name, inactive xml, live xml or None)
        self.connections = 0
        self.asked: list[list[str]] = []

    def answer(self, args: list[str]) -> str | None:
        self.asked.append(args)
        head = args[0]
        if head == "uri":
            return "qemu+ssh://z15a/system\n"
        if head == "domcapabilities":
            name = "kvm-z15-synthetic" if args[-1] == "kvm" else "qemu-debian12"
            return (DATA / f"domcaps-s390x-{name}.xml").read_text()
        if head == "capabilities":
            return (DATA / "capabilities-s390x-z15-synthetic.xml").read_text()
        if head == "version":
            return "Using library: libvirt 9.0.0\nRunning hypervisor: QEMU 8.2.0\n"
        if head == "net-list":
            return "default\n"
        if head == "list" and "--name" in args:
            return "".join(f"{u} {n}\n" for u, (n, _, _) in self.guests.items()) + "\n"
        if head == "list":
            live = [u for u, (_, _, x) in self.guests.items() if x is not None]
            return "\n".join(live) + "\n" if "--state-paused" not in args else "\n"
        if head == "dumpxml":
            uuid = args[-1]
            if uuid not in self.guests:
                return None  # virsh: a name is not what audit asks by
            _, inactive, live = self.guests[uuid]
            return inactive if "--inactive" in args else live
        if head in ("pool-list", "nodedev-list", "iface-list"):
            return "\n"
        return None

    def __call__(self, args: list[str]) -> str | None:
        self.connections += 1
        return self.answer(args)

    def batch(self, commands: list[list[str]]) -> list[str | None]:
        self.connections += 1
        return [self.answer(c) for c in commands]


def z15(**extra: tuple[str, str, str | None]) -> Host:
    guests = {
        CLEAN_UUID: ("web01", clean_xml(), LIVE),
        BOOTDEV_UUID: ("zwa-bootdev", BOOTDEV, None),
        SEVEN_UUID: ("7", SEVEN, None),
        SE_UUID: ("zwa-secure", SECURE, None),
    }
    guests.update(extra)
    return Host(guests)


class Down:
    """A host whose ssh never connects."""

    last_error = "ssh: connect to host z14 port 22: Connection refused"

    def __call__(self, args: list[str]) -> str | None:
        return None

    def batch(self, commands: list[list[str]]) -> list[str | None]:
        return [None] * len(commands)


def audited(*hosts: tuple[str, object]) -> list[audit_mod.HostAudit]:
    runners = dict(hosts)
    return audit([uri for uri, _ in hosts], runner_for=runners.__getitem__, workers=1)


def rules_of(hosts: list[audit_mod.HostAudit], name: str, definition: str = "inactive") -> set:
    entry = next(g for h in hosts for g in h.guests if (g.name, g.definition) == (name, definition))
    return {x.finding.rule for x in entry.findings if x.finding.severity != "note"}


def test_every_guest_is_judged_by_the_ibm_z_rules_and_the_host_rules():
    host = z15()
    hosts = audited(("qemu+ssh://z15a/system", host))
    assert {"boot-order", "ccw-only", "no-x86-features"} <= rules_of(hosts, "zwa-bootdev")
    assert "no-kvmclock" in rules_of(hosts, "7")  # fetched by UUID: the name 7 is no id
    assert "se-no-balloon-rng" in rules_of(hosts, "zwa-secure")
    assert not {r for r in rules_of(hosts, "web01") if r != "guest-os"}
    # the live definition of a running guest is judged and reported apart
    live = [g for g in hosts[0].guests if g.definition == "live"]
    assert [(g.name, g.state) for g in live] == [("web01", "running")]
    assert exit_code(hosts) == 1
    # every definition in two connections (discovery's), asked by UUID, never by name
    assert host.connections == 2
    assert ["dumpxml", "--inactive", SEVEN_UUID] in host.asked
    assert not any(c[:1] == ["dumpxml"] and c[-1] == "7" for c in host.asked)
    assert not any(c[0] in ("define", "undefine", "start", "destroy", "edit") for c in host.asked)


def test_host_rules_use_the_host_the_guest_is_on():
    gen16 = broken("zwa-gen16", "16161616-1616-4616-8616-161616161616", "")
    gen16 = gen16.replace(
        "<cpu mode='host-model'/>", "<cpu mode='custom'><model>gen16a</model></cpu>"
    )
    hosts = audited(
        ("qemu+ssh://z15a/system", z15(**{"16161616-1616-4616-8616-161616161616": (
            "zwa-gen16", gen16, None)})),
    )  # fmt: skip
    assert "host-cpu-model" in rules_of(hosts, "zwa-gen16")


def test_the_table_puts_the_worst_first_and_names_rules_by_id():
    hosts = audited(("qemu+ssh://z15a/system", z15()))
    lines = table(hosts)
    assert lines[0].split() == ["HOST", "GUEST", "STATE", "XML", "ERRORS", "WARNINGS"]
    rows = lines[1:-1]
    assert rows[0].split()[1] == "zwa-bootdev"  # the most errors
    assert "boot-order" in rows[0] and "ccw-only" in rows[0]
    assert rows[-1].split()[1] == "web01" and rows[-1].split()[3] == "live"
    assert re.search(
        r"4 guest\(s\) on 1 host\(s\); of their 5 definition\(s\) 3 with errors", lines[-1]
    )


def test_an_unreachable_host_is_reported_and_the_rest_judged():
    hosts = audited(("qemu+ssh://z15a/system", z15()), ("qemu+ssh://z14/system", Down()))
    assert hosts[0].judged and len(hosts[0].guests) == 5
    assert not hosts[1].judged and "Connection refused" in (hosts[1].problem or "")
    assert exit_code(hosts) == 2
    assert any(line.startswith("not judged: z14: ") for line in table(hosts))


def test_exit_codes():
    clean = Host({CLEAN_UUID: ("web01", clean_xml(), None)})
    assert exit_code(audited(("qemu+ssh://z15a/system", clean))) == 0
    assert exit_code(audited(("qemu+ssh://z15a/system", z15()))) == 1
    unreadable = Host({CLEAN_UUID: ("web01", "<domain><name>", None)})
    done = audited(("qemu+ssh://z15a/system", unreadable))
    assert done[0].guests[0].problem and exit_code(done) == 2
    assert exit_code(audited(("qemu+ssh://z15a/system", Host({})))) == 0


def test_json_holds_every_finding_with_its_xpath():
    doc = as_json(audited(("qemu+ssh://z15a/system", z15()), ("qemu+ssh://z14/system", Down())))
    assert doc["exit"] == 2
    first, down = doc["hosts"]
    assert down == {
        "uri": "qemu+ssh://z14/system", "host": "z14", "judged": False,
        "problem": down["problem"], "guests": [],
    }  # fmt: skip
    bootdev = next(g for g in first["guests"] if g["name"] == "zwa-bootdev")
    assert bootdev["uuid"] == BOOTDEV_UUID and bootdev["definition"] == "inactive"
    found = {(f["rule"], f["xpath"]) for f in bootdev["findings"]}
    assert ("boot-order", "/domain/os/boot") in found
    json.dumps(doc)  # plain data


def test_sarif_is_valid_and_places_each_finding_at_its_guest():
    hosts = audited(("qemu+ssh://z15a/system", z15()), ("qemu+ssh://z14/system", Down()))
    doc = as_sarif(hosts)
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    from zwizard.rules import RULES

    assert [r["id"] for r in rules][: len(RULES)] == list(RULES)
    assert all(r["shortDescription"]["text"] == RULES[r["id"]] for r in rules)
    assert all(r["helpUri"].startswith("docs/rules.md") for r in rules)
    boot = [r for r in run["results"] if r["ruleId"] == "boot-order"]
    assert boot and rules[boot[0]["ruleIndex"]]["id"] == "boot-order"
    where = boot[0]["locations"][0]["logicalLocations"][0]
    assert where["fullyQualifiedName"] == "qemu+ssh://z15a/system/zwa-bootdev"
    guest = run["logicalLocations"][where["index"]]
    assert guest["name"] == "zwa-bootdev"
    assert run["logicalLocations"][guest["parentIndex"]]["name"] == "z15a"
    assert boot[0]["message"]["text"].startswith("/domain/os/boot: ")
    assert boot[0]["level"] == "error"
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "z14" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_many_definitions_are_judged_in_worker_processes_alike(monkeypatch):
    guests = {}
    for n in range(12):
        uuid = f"{n:08d}-1111-4111-8111-111111111111"
        guests[uuid] = (f"zwa-g{n}", BOOTDEV.replace(BOOTDEV_UUID, uuid), None)
    one = audit(["qemu+ssh://z15a/system"], runner_for=lambda _: Host(guests), workers=1)
    monkeypatch.setattr(audit_mod, "PARALLEL_FROM", 2)
    monkeypatch.setattr(audit_mod, "CHUNK", 5)
    two = audit(["qemu+ssh://z15a/system"], runner_for=lambda _: Host(guests), workers=2)
    assert as_json(one) == as_json(two)


def test_the_cli_prints_the_table_and_refuses_unknown_formats(capsys, monkeypatch):
    from zwizard.cli import main

    monkeypatch.setattr(audit_mod, "audit", lambda uris: audited(("qemu+ssh://z15a/system", z15())))
    assert main(["audit", "qemu+ssh://z15a/system"]) == 1
    out = capsys.readouterr().out
    assert "zwa-bootdev" in out and "boot-order" in out
    assert main(["audit", "--format", "sarif"]) == 1
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(capsys.readouterr().out))
    with pytest.raises(SystemExit):
        main(["audit", "--format", "xml"])


# --- diff -------------------------------------------------------------------------------


def test_flatten_names_every_leaf_by_its_key_path():
    assert flatten({"guest": {"name": "a"}, "disks": [{"path": "/x"}, {}]}) == {
        "guest.name": "a",
        "disks[0].path": "/x",
        "disks[1]": {},
    }


def test_the_same_definition_shows_no_drift():
    assert compare(clean_xml(), clean_xml()) == []


def test_the_machine_type_libvirt_pins_at_define_is_no_drift_and_another_is():
    """libvirt writes s390-ccw-virtio as the host's newest versioned type at define (seen:
    s390-ccw-virtio-7.2 on libvirt 9.0 / QEMU 7.2): the same guest. A guest moved to an
    older versioned type by hand is drift."""
    pinned = clean_xml().replace('machine="s390-ccw-virtio"', 'machine="s390-ccw-virtio-7.2"')
    assert pinned != clean_xml()
    assert compare(clean_xml(), pinned) == []
    rhel = clean_xml().replace('machine="s390-ccw-virtio"', 'machine="s390-ccw-virtio-rhel9.4.0"')
    assert compare(clean_xml(), rhel) == []
    moved = compare(pinned, pinned.replace("s390-ccw-virtio-7.2", "s390-ccw-virtio-6.0"))
    assert [(d.path, d.wanted, d.found) for d in moved] == [
        ("guest.machine", "'s390-ccw-virtio-7.2'", "'s390-ccw-virtio-6.0'")
    ]


def test_a_hand_edit_shows_key_by_key():
    edited = clean_xml().replace('<memory unit="MiB">4096<', "<memory unit='KiB'>8388608<")
    edited = edited.replace('<vcpu placement="static">4<', "<vcpu>2<")
    drifts = {d.path: d for d in compare(clean_xml(), edited)}
    assert "guest.memory_mib" in drifts, drifts
    assert drifts["guest.memory_mib"].wanted == "4096"
    assert drifts["guest.memory_mib"].found == "8192"
    assert "guest.vcpus" in drifts
    assert drifts["guest.memory_mib"].where.startswith("/domain/memory")


def test_what_the_answers_cannot_carry_is_drift_too():
    edited = clean_xml().replace("</devices>", "<sound model='ich9'/></devices>")
    drifts = compare(clean_xml(), edited)
    assert any("sound" in (d.found or "") or "sound" in d.path for d in drifts), drifts


def write_answers(tmp_path, **changes) -> str:
    from zwizard.answers import dumps

    path = tmp_path / "web01.toml"
    path.write_text(dumps(answers(**changes)))
    return str(path)


def test_diff_exit_codes(tmp_path, capsys):
    path = write_answers(tmp_path)
    same = Host({CLEAN_UUID: ("web01", clean_xml(), LIVE)})
    assert diff_answers(path, "qemu+ssh://z15a/system", run=same) == 0
    edited = clean_xml().replace('<memory unit="MiB">4096<', '<memory unit="MiB">8192<')
    drifted = Host({CLEAN_UUID: ("web01", edited, None)})
    assert diff_answers(path, "qemu+ssh://z15a/system", run=drifted) == 1
    out = capsys.readouterr().out
    assert "drift: guest.memory_mib: answers 4096, host 8192" in out
    assert diff_answers(path, "qemu+ssh://z15a/system", run=Host({})) == 2
    assert diff_answers(path, "qemu+ssh://z15a/system", run=Down()) == 2
    assert diff_answers(path, "qemu+ssh://z15a/system", run=drifted, live=True) == 2
    assert diff_answers(path, "qemu+ssh://z15a/system", run=same, live=True) == 0
    assert diff_answers(str(tmp_path / "none.toml"), run=same) == 2
    other = Host({SEVEN_UUID: ("web01", clean_xml(), None)})
    assert diff_answers(path, "qemu+ssh://z15a/system", run=other) == 2
    err = capsys.readouterr().err
    assert "not running" in err and "has no guest with the UUID" in err
    assert f"its guest web01 is {SEVEN_UUID}, another one" in err


def test_diff_finds_the_guest_by_name_when_the_answers_give_no_uuid(tmp_path, capsys):
    path = write_answers(tmp_path, guest={"uuid": None})
    same = Host({CLEAN_UUID: ("web01", clean_xml(), None)})
    assert diff_answers(path, "qemu+ssh://z15a/system", run=same) == 0
    assert f"compared with web01 ({CLEAN_UUID})" in capsys.readouterr().err


def test_another_hosts_disk_paths_are_not_looked_for_here_but_its_pools_are():
    vol = broken("zwa-vol", "70707070-7070-4070-8070-707070707070", "").replace(
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>\n"
        "      <source file='/var/lib/libvirt/images/zwa-vol.qcow2'/>",
        "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>\n"
        "      <source pool='nopool' volume='zwa-vol.qcow2'/>",
    )
    assert "type='volume'" in vol
    hosts = audited(
        ("qemu+ssh://z15a/system", z15(**{"70707070-7070-4070-8070-707070707070": (
            "zwa-vol", vol, None)})),
    )  # fmt: skip
    assert "host-disk" in rules_of(hosts, "zwa-vol")
    assert "host-disk" not in rules_of(hosts, "zwa-bootdev")  # /var/lib/… on z15a, not here
