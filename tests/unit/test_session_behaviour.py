"""The editing core as the wizard drives it, without Textual: what a field shows, what
typed text becomes, the words a refusal says, and what each edit does to the guest.

Written from a mutation sample of session.py (issue 22): each test pins what a person at
the wizard would notice (a message, a refused value, a boot order, what is written)."""

from __future__ import annotations

import pytest

from tests.helpers import AP_UUID, CCW_UUID, answers
from zwizard.model import AGENT_CHANNEL, Answers, Channel, Disk, Nic, NicSource, Passthrough
from zwizard.session import (
    Session,
    can_add,
    choice_availability,
    field_text,
    number_problem,
    option_entry,
    parse_list,
    parse_mapping,
)


def session(**changes) -> Session:
    return Session(answers(**changes))


def errors(s: Session) -> dict[str, str]:
    return {f.path: f"{f.message} [{f.rule}]" for f in s.result.findings if f.severity == "error"}


# -- the words and rule of a number field's refusal -------------------------------------


@pytest.mark.parametrize(
    ("path", "rule", "words"),
    [("guest.vcpus", "vcpus", "vCPUs"), ("guest.memory_mib", "memory", "MiB"),
     ("disks[0].boot_order", "boot-order", "a boot position"),
     ("guest.vcpus_current", "vcpu-topology", "vCPUs"), ("cpu.sockets", "vcpu-topology", "sockets"),
     ("cpu.cores", "vcpu-topology", "cores"), ("guest.iothreads", "iothreads", "I/O threads"),
     ("disks[0].iothread", "disk-tuning", "an I/O thread"),
     ("nics[0].mtu", "nic-tuning", "an MTU in bytes"),
     ("nics[1].queues", "nic-tuning", "queue pairs"), ("disks[2].queues", "disk-tuning", "queues"),
     ("nics[0].vlan", "nic-tuning", "a VLAN tag"), ("memory.hard_limit_mib", "memtune", "MiB"),
     ("memory.soft_limit_mib", "memtune", "MiB"),
     ("memory.swap_hard_limit_mib", "memtune", "MiB"),
     ("memory.balloon_stats_period", "memory", "seconds"),
     ("watchdog.timeout", "value", "a number")],
)  # fmt: skip
def test_a_number_field_refuses_text_naming_its_rule_and_what_it_holds(path, rule, words):
    found = number_problem(path, "x1")
    assert found is not None and (found.rule, found.path, found.severity) == (rule, path, "error")
    assert found.message == f"'x1' is not a whole number ({words}): type digits only"
    blank = number_problem(path, "  ")
    assert blank is not None and (blank.rule, blank.message) == (rule, "a number is needed here")
    assert number_problem(path, "-12") is None and number_problem(path, "0") is None


def test_only_memory_gets_a_hint_for_a_unit():
    assert "for 2G write 2048" in number_problem("guest.memory_mib", "2G").message
    assert number_problem("memory.hard_limit_mib", "2G").message.endswith("type digits only")


# -- what a field shows -------------------------------------------------------------------


def test_a_field_shows_mappings_as_pairs_lists_as_items_numbers_in_hex():
    assert field_text({"0": "2-3", "1": "4"}) == "0=2-3 1=4"
    assert field_text([5, 16]) == "0x5 0x10"
    assert field_text(["10.0.0.1", "fe80::1"]) == "10.0.0.1 fe80::1"
    assert field_text(None) == "" and field_text(8) == "8" and field_text([]) == ""


def test_a_field_of_a_device_that_is_gone_shows_nothing():
    s = session()
    assert s.text_of("disks[3].path") == "" and s.text_of("disks[0].path").endswith(".qcow2")
    assert s.text_of("guest.memory_mib") == "4096"


# -- typed lists and mappings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [("5 6", "int-list", [5, 6]), ("0x05,0x1F", "int-list", [5, 31]), ("0X0a", "int-list", [10]),
     ("010", "int-list", [10]), ("12 , 13", "optional-int-list", [12, 13]), ("", "int-list", []),
     ("0x", "int-list", None), ("0xg1", "int-list", None), ("12a", "int-list", None),
     ("-1", "int-list", None), ("٣", "int-list", None),
     ("10.0.0.1,10.0.0.2 fe80::1", "optional-addr-list", ["10.0.0.1", "10.0.0.2", "fe80::1"]),
     ("/a,b /c", "optional-str-list", ["/a,b", "/c"])],
)  # fmt: skip
def test_typed_lists(text, kind, value):
    assert parse_list(text, kind) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("0=2-3 1=4", {"0": "2-3", "1": "4"}), ("", {}), ("zpci=disable", {"zpci": "disable"}),
     ("0", None), ("=2", None), ("0=", None), ("0=1 0=2", None), ("0=1=2", {"0": "1=2"})],
)  # fmt: skip
def test_typed_mappings(text, value):
    assert parse_mapping(text) == value


def test_numbers_typed_wrong_in_a_list_are_kept_and_refused_in_words(tmp_path):
    s = session()
    i = s.add_device("passthrough", Passthrough(type="vfio-ap", uuid=AP_UUID, adapters=[1]))
    path = f"passthrough[{i}].adapters"
    assert s.set_text(path, "0x05 six", "int-list")
    assert not s.set_text(path, "0x05 six", "int-list")  # the same text again: no change
    assert s.answers.passthrough[i].adapters == [1] and s.text_of(path) == "0x05 six"
    assert errors(s)[path] == (
        "'0x05 six' is not numbers (decimal or 0x-hex) separated by blanks or commas "
        "(0x05 0x06) [value]"
    )
    assert s.write(tmp_path).error and not list(tmp_path.iterdir())


def test_a_mapping_typed_wrong_is_kept_and_refused_in_words():
    s = session()
    assert s.set_text("cpu.pinning", "0=2-3 0=4", "optional-mapping")
    assert s.answers.cpu.pinning == {} and s.text_of("cpu.pinning") == "0=2-3 0=4"
    assert errors(s)["cpu.pinning"] == (
        "'0=2-3 0=4' is not KEY=VALUE pairs separated by blanks, each key once (0=2-3 1=4) [value]"
    )
    s.set_text("cpu.pinning", "0=2-3 1=4", "optional-mapping")
    assert s.answers.cpu.pinning == {"0": "2-3", "1": "4"} and s.result.ok
    assert '<vcpupin vcpu="1" cpuset="4"/>' in s.result.files["web01.xml"]


def test_pending_text_a_draft_brought_where_no_number_is_asked_is_refused():
    s = Session(answers(), pending={"guest.name": "12"})
    assert errors(s)["guest.name"] == "'12' is not valid here [value]"
    assert not s.result.files


def test_emptying_a_list_whose_key_comes_only_when_given_removes_the_key():
    s = session(pxe={"enabled": True, "kernel": "k", "initrd": "i", "nameserver": ["10.0.0.53"]})
    s.set_text("pxe.nameserver", "", "optional-addr-list")
    assert s.answers.pxe.nameserver is None
    # a list that is always there (no certificates) is emptied, not removed
    s.set_text("secure_execution.certificates", "/a.crt", "optional-str-list")
    s.set_text("secure_execution.certificates", "", "optional-str-list")
    assert s.answers.secure_execution.certificates == []
    s.set_text("cpu.pinning", "0=1", "optional-mapping")
    s.set_text("cpu.pinning", "", "optional-mapping")
    assert s.answers.cpu.pinning == {}


# -- optional text and the [kernel] table ------------------------------------------------


def test_emptying_the_kernel_path_drops_the_kernel_boot_unless_more_is_given():
    s = session(kernel={"path": "/boot/vmlinuz"})
    assert s.set_text("kernel.path", "", "optional-str")
    assert s.answers.kernel is None
    assert "<kernel>" not in s.result.files["web01.xml"]
    s = session(kernel={"path": "/boot/vmlinuz", "initrd": "/boot/initrd"})
    s.set_text("kernel.path", "", "optional-str")
    assert s.answers.kernel is not None and s.answers.kernel.path == ""
    s.set_text("kernel.initrd", "", "optional-str")
    assert s.answers.kernel is None


def test_emptying_an_optional_text_unsets_it_and_an_echo_changes_nothing():
    s = session(pxe={"enabled": True, "kernel": "k", "initrd": "i", "kickstart": "ks.cfg"})
    assert s.set_text("pxe.kickstart", "", "optional-str")
    assert s.answers.pxe.kickstart is None
    assert not s.set_text("pxe.kickstart", "", "optional-str")
    assert s.set_text("guest.vcpus_current", "", "optional-int") is False
    assert s.set_text("guest.vcpus", "8", "int") and s.answers.guest.vcpus == 8
    assert not s.set_value("disks[7].path", "/x")  # a device that went away meanwhile


# -- a new session ---------------------------------------------------------------------------


def test_a_new_guest_gets_its_uuid_at_once():
    s = Session(Answers())
    assert s.answers.guest.uuid and len(s.answers.guest.uuid) == 36
    assert s.host is None and s.host_is_target and s.step == "guest" and s.pending == {}


def test_each_host_judges_and_the_first_offers_its_devices():
    from tests.unit.test_hosts import remote_host

    s = session()
    s.use_hosts([remote_host("z15a"), remote_host("z14dr", nets="")])
    assert s.host.label == "z15a"
    assert "on z14dr: libvirt network 'default' is not defined here" in [
        f.message for f in s.result.findings if f.severity == "error"
    ]
    s.use_hosts([])
    assert s.host is None and s.result.ok
    s.use_host(remote_host("z14dr", nets=""))
    assert not s.result.ok
    s.set_other_host(True)  # written for another host: what this one lacks is a warning
    assert s.result.ok and not s.host_is_target


# -- devices and the boot sequence -----------------------------------------------------------


def test_only_the_first_bootable_disk_boots_by_itself():
    s = Session(answers(disks=[], nics=[{"source": {"network": "default"}, "boot_order": 1}]))
    s.add_device("disks", Disk(path="/a"))
    assert s.answers.disks[0].boot_order is None  # the NIC boots already
    s = Session(answers(disks=[], nics=[]))
    s.add_device("nics", Nic(source=NicSource(network="default")))
    assert s.answers.nics[0].boot_order is None
    assert s.add_device("disks", Disk(path="/a")) == 0 and s.answers.disks[0].boot_order == 1
    assert s.add_device("disks", Disk(path="/b")) == 1 and s.answers.disks[1].boot_order is None


def test_removing_a_device_renumbers_the_boot_sequence_and_ignores_a_stale_index():
    s = session(disks=[{"path": "/a", "boot_order": 1}, {"path": "/b", "boot_order": 2}])
    s.set_text("nics[0].mtu", "big", "optional-int")
    s.set_text("disks[0].iothread", "one", "optional-int")
    s.remove_device("disks", 5)
    assert len(s.answers.disks) == 2
    s.remove_device("disks", 0)
    assert [d.path for d in s.answers.disks] == ["/b"] and s.answers.disks[0].boot_order == 1
    # the removed disk's text goes with it; another kind's stays where it was
    assert s.pending == {"nics[0].mtu": "big"}


def test_the_guest_agent_is_added_once_and_removed_entirely():
    s = session()
    s.set_agent(True)
    s.set_agent(True)
    assert [c.name for c in s.answers.channels] == [AGENT_CHANNEL]
    s.answers.channels.append(Channel())
    s.set_agent(False)
    assert s.answers.channels == []
    assert "org.qemu.guest_agent.0" not in s.result.files["web01.xml"]


def test_moving_a_device_swaps_it_with_its_neighbour_and_its_pending_text():
    s = session(disks=[{"path": "/a", "boot_order": 1}, {"path": "/b"}, {"path": "/c"}])
    s.set_text("disks[0].iothread", "x", "optional-int")
    s.set_text("disks[1].queues", "y", "optional-int")
    assert s.move_device("disks", 0, -1) == 0 and s.move_device("disks", 2, 1) == 2
    assert [d.path for d in s.answers.disks] == ["/a", "/b", "/c"]
    assert s.move_device("disks", 0, 1) == 1
    assert [d.path for d in s.answers.disks] == ["/b", "/a", "/c"]
    assert s.pending == {"disks[1].iothread": "x", "disks[0].queues": "y"}
    assert s.move_device("disks", 1, -1) == 0
    assert s.pending == {"disks[0].iothread": "x", "disks[1].queues": "y"}


def test_the_tenth_device_keeps_its_text_when_the_first_moves():
    disks = [{"path": f"/d{i}"} for i in range(11)]
    disks[0]["boot_order"] = 1
    s = session(disks=disks)
    s.set_text("disks[10].queues", "q", "optional-int")
    s.move_device("disks", 1, -1)
    assert s.pending == {"disks[10].queues": "q"}


def test_taking_a_device_out_of_the_boot_sequence_takes_its_loadparm():
    s = session(disks=[{"path": "/a", "boot_order": 1, "loadparm": "1"}, {"path": "/b"}])
    s.toggle_boot("disks", 9)  # gone meanwhile: nothing happens
    s.toggle_boot("disks", 1)
    assert (s.answers.disks[1].boot_order, s.result.plan.boot) == (
        2,
        {"disks[0]": 1, "disks[1]": 2},
    )
    s.toggle_boot("disks", 0)
    assert (s.answers.disks[0].boot_order, s.answers.disks[0].loadparm) == (None, None)
    assert s.answers.disks[1].boot_order == 1


def test_moving_in_the_boot_sequence_stops_at_its_ends():
    s = session(
        disks=[{"path": "/a", "boot_order": 1}, {"path": "/b", "boot_order": 2}],
        nics=[{"source": {"network": "default"}, "boot_order": 3}],
    )
    assert s.move_in_boot_sequence(0, -1) == 0 and s.move_in_boot_sequence(2, 1) == 2
    assert s.move_in_boot_sequence(5, -1) == 5
    assert s.result.plan.boot == {"disks[0]": 1, "disks[1]": 2, "nics[0]": 3}
    assert s.move_in_boot_sequence(2, -1) == 1
    assert s.result.plan.boot == {"disks[0]": 1, "nics[0]": 2, "disks[1]": 3}


def test_moving_an_order_the_plan_chose_makes_it_explicit_first():
    s = session(disks=[{"path": "/a"}, {"path": "/b"}])  # no boot order: the plan chooses
    assert s.result.plan.boot_assigned
    before = dict(s.result.plan.boot)
    assert len(before) == 1  # only the first disk boots when none is given
    s.boot_first("nics[0]")
    assert s.result.plan.boot == {"nics[0]": 1, **{p: 2 for p in before}}
    assert s.move_in_boot_sequence(0, 1) == 1
    assert s.result.plan.boot == {**{p: 1 for p in before}, "nics[0]": 2}


def test_placing_a_device_in_the_boot_sequence():
    s = session(
        disks=[{"path": "/a", "boot_order": 1}, {"path": "/b", "boot_order": 2, "loadparm": "2"}]
    )
    s.place_in_boot_sequence("nics[0]", 1)
    assert s.result.plan.boot == {"nics[0]": 1, "disks[0]": 2, "disks[1]": 3}
    s.place_in_boot_sequence("nics[0]", 99)
    assert s.result.plan.boot == {"disks[0]": 1, "disks[1]": 2, "nics[0]": 3}
    s.place_in_boot_sequence("nics[0]", 0)
    assert s.result.plan.boot == {"nics[0]": 1, "disks[0]": 2, "disks[1]": 3}
    s.place_in_boot_sequence("disks[1]", None)  # out of the sequence, its loadparm stays
    assert s.result.plan.boot == {"nics[0]": 1, "disks[0]": 2}
    assert s.answers.disks[1].loadparm == "2" and s.answers.disks[0].boot_order == 2


# -- Secure Execution ------------------------------------------------------------------------


def test_secure_execution_says_and_does_what_goes_from_the_cpu_and_the_rng():
    s = session(cpu={"mode": "custom", "model": "z14"}, rng={"enabled": True},
                guest={"vcpus": 247})  # fmt: skip
    will = s.secure_execution_removals()
    assert "rng.enabled: the virtio-rng device" in will
    assert "cpu.mode: custom becomes host-model" in will  # z14 lacks 'unpack' (se-launch)
    assert not any(w.startswith("guest.vcpus") for w in will)  # 247 is allowed
    assert s.enable_secure_execution() == will
    a = s.answers
    assert (a.cpu.mode, a.cpu.model, a.rng.enabled, a.guest.vcpus) == (None, None, None, 247)
    assert a.secure_execution.enabled and s.result.ok, s.result.findings
    assert "<rng" not in s.result.files["web01.xml"]


def test_secure_execution_keeps_host_passthrough_and_cuts_vcpus_to_its_limit():
    s = session(cpu={"mode": "host-passthrough"}, guest={"vcpus": 300})
    assert s.secure_execution_removals() == [
        "memory.balloon: the virtio memory balloon", "rng.enabled: the virtio-rng device",
        "guest.vcpus: 300 vCPUs become 247",
    ]  # fmt: skip
    s.enable_secure_execution()
    assert (s.answers.cpu.mode, s.answers.guest.vcpus) == ("host-passthrough", 247)


@pytest.mark.parametrize("cpu", [{"mode": "custom", "model": "gen15a"}, {"mode": "maximum"}])
def test_secure_execution_changes_only_a_cpu_its_rule_refuses(cpu):
    """An outside tester: turning it on made custom gen15a (which has 'unpack') and
    maximum (which the rule only minds) host-model, and both could be chosen again at
    once. What the rule refuses changes; what it minds stays, with its warning."""
    s = session(cpu=cpu)
    assert not any(w.startswith("cpu.") for w in s.secure_execution_removals())
    s.enable_secure_execution()
    assert (s.answers.cpu.mode, s.answers.cpu.model) == (cpu["mode"], cpu.get("model"))
    assert s.result.ok, s.result.findings


def test_secure_execution_drops_passthrough_with_its_pending_text():
    s = session(passthrough=[{"type": "vfio-ccw", "uuid": CCW_UUID}])
    s.set_text("nics[0].mtu", "big", "optional-int")
    s.set_text("passthrough[0].uuid", "x", "optional-int")
    s.enable_secure_execution()
    assert s.answers.passthrough == [] and s.pending == {"nics[0].mtu": "big"}


# -- what may be added and chosen ------------------------------------------------------------


def test_a_second_vfio_ap_is_greyed_but_a_blank_uuid_is_not():
    s = session()
    fresh = can_add(s.answers, "passthrough", Passthrough(type="vfio-ap"))
    assert fresh.allowed and fresh.reasons == ()
    s.add_device("passthrough", Passthrough(type="vfio-ap", uuid=AP_UUID))
    second = can_add(s.answers, "passthrough", Passthrough(type="vfio-ap", uuid=AP_UUID))
    assert not second.allowed and second.reasons
    assert all(f.severity == "error" for f in second.reasons)


def test_a_device_option_at_odds_with_another_of_its_fields_is_said_not_greyed():
    assert option_entry("disks[0].io") == "disks[0]"
    assert option_entry("disks[0].path") is None and option_entry("guest.vcpus") is None
    s = session()
    verdict = choice_availability(s.answers, "disks[0].io", "native")
    assert verdict.allowed and verdict.reasons
    assert all(f.path.startswith("disks[0].") for f in verdict.reasons)


def test_a_choice_that_reveals_fields_is_not_greyed_for_them_being_empty():
    s = session(pxe={"enabled": True, "kernel": "k", "initrd": "i"})
    verdict = choice_availability(s.answers, "pxe.ip", "static")
    assert verdict.allowed
    assert not any(f.path in ("pxe.address", "pxe.netmask", "pxe.gateway")
                   for f in verdict.reasons)  # fmt: skip
    # a choice that reveals nothing is judged as the rules say
    s = session(disks=[{"path": "/dev/sda", "boot_order": 1}])
    plain = choice_availability(s.answers, "disks[0].kind", "file")
    assert plain == choice_availability(s.answers, "disks[0].kind", "file", pending=())


# -- writing -----------------------------------------------------------------------------------


def test_write_counts_the_errors_and_writes_nothing(tmp_path):
    s = session(guest={"vcpus": 0}, nics=[{"source": {"network": "default"}, "mtu": 5}])
    n = sum(1 for f in s.result.findings if f.severity == "error")
    assert n >= 2
    outcome = s.write(tmp_path)
    assert outcome.error == f"{n} error(s) to fix first: nothing written"
    assert not outcome.written and not list(tmp_path.iterdir())


def test_what_write_writes_beside_the_guest_file():
    s = session()
    assert sorted(s.output_files()) == ["web01.toml", "web01.xml"]
    assert s.answers_name() == "web01.toml"
    s.set_text("guest.vcpus", "many", "int")
    assert s.output_files() == {}


def test_moving_the_order_a_network_install_chose_moves_it():
    """PXE on and no boot order given: the plan boots the NIC, then the disk. Moving the
    NIC later makes that order explicit first, so the disk boots first afterwards."""
    s = session(disks=[{"path": "/a"}], pxe={"enabled": True, "kernel": "k", "initrd": "i"})
    assert s.result.plan.boot_assigned and s.result.plan.boot == {"nics[0]": 1, "disks[0]": 2}
    assert s.move_in_boot_sequence(0, 1) == 1
    assert s.result.plan.boot == {"disks[0]": 1, "nics[0]": 2}
    assert (s.answers.disks[0].boot_order, s.answers.nics[0].boot_order) == (1, 2)


def test_moving_a_disk_changes_what_is_written_at_once():
    s = session(disks=[{"path": "/a", "boot_order": 1}, {"path": "/b"}])
    assert s.result.files["web01.xml"].index("/a") < s.result.files["web01.xml"].index("/b")
    s.move_device("disks", 1, -1)
    assert s.result.files["web01.xml"].index("/b") < s.result.files["web01.xml"].index("/a")
