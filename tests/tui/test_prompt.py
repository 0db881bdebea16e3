"""The plain prompt mode (questionary), driven through prompt_toolkit pipe input."""

from __future__ import annotations

import io
import re

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from tests.helpers import AP_UUID, ASSETS, run_zwizard
from zwizard import choices, prompt
from zwizard.answers import load, missing, parse
from zwizard.model import Answers, Passthrough

CLEAR = "\x15"  # Ctrl-U: empty a prefilled text prompt
DOWN = "\x1b[B"
ENTER = "\r"
YES, NO = "y" + ENTER, "n" + ENTER  # a confirm waits for Enter, as every question


def drive(keys: list[str], func, *args, **kw):
    """Run `func` with questionary reading `keys` and drawing into a buffer."""
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=50, columns=200), term="xterm")
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        pipe.close()  # keys run out: end of input, not a test that waits for ever
        result = func(*args, input=pipe, output=output, print_to=screen, **kw)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    return result, text


def test_a_whole_guest_by_prompts(tmp_path):
    keys = [
        CLEAR, "prompt01", ENTER,  # name
        ENTER, ENTER,  # RHEL 9, KVM
        NO,  # no more guest options (title, description, power-off/reboot/crash)
        NO,  # no [target]: judged on libvirt 9.0 / QEMU 7.2
        CLEAR, "4", ENTER, CLEAR, "4096", ENTER,  # vCPUs, memory
        ENTER,  # CPU mode: default
        NO, YES, YES,  # huge pages no, balloon yes, rng yes
        YES, CLEAR, "2", ENTER,  # more CPU and memory options: 2 vCPUs online at start,
        CLEAR, "2", ENTER, CLEAR, ENTER,  # 2 sockets (cores derived),
        CLEAR, ENTER, CLEAR, "0=0 1=1", ENTER, CLEAR, ENTER,  # no features; pinning
        CLEAR, ENTER, CLEAR, ENTER,  # no I/O threads here, no I/O thread pinning
        ENTER,  # deprecated CPU features: libvirt's default (the others greyed on 9.0)
        CLEAR, ENTER, CLEAR, ENTER, CLEAR, ENTER,  # no memtune limits
        YES, NO, NO, CLEAR, ENTER,  # no KSM sharing; not locked; no deflate, no stats
        YES, ENTER, CLEAR, "/var/lib/libvirt/images/prompt01.qcow2", ENTER,
        ENTER, CLEAR, ENTER, CLEAR, ENTER,  # one disk: default format, ccw assigned, no loadparm
        ENTER,  # boot order 1, as offered
        YES,  # more disk options (declared by the disk kind):
        DOWN, ENTER, DOWN, ENTER,  # cache none, io native
        ENTER, ENTER, ENTER, ENTER,  # discard, detect zeroes, error policies: default
        CLEAR, "1", ENTER, CLEAR, "1", ENTER,  # the guest's I/O threads, then this disk's
        CLEAR, "ROOT 01", ENTER,  # serial
        CLEAR, "2", ENTER,  # virtio-blk queues
        NO, NO,  # no more disks; no direct kernel boot
        YES, ENTER, CLEAR, "default", ENTER, CLEAR, ENTER,  # one NIC on network default
        CLEAR, ENTER, CLEAR, ENTER, CLEAR, ENTER, ENTER,  # ccw assigned, no boot, no loadparm
        NO, NO,  # virtio-net-ccw; no more options; no more NICs
        YES, ENTER,  # diag288 watchdog, poweroff
        NO,  # no guest agent channel
        YES, CLEAR, "/var/log/libvirt/qemu/prompt01-console.log", ENTER, YES, YES,  # console
        NO,  # no virtio console
        NO,  # no VNC display
        ENTER, NO, NO,  # passthrough: done; no shares; key wrapping as QEMU's default
        NO,  # no Secure Execution
        NO,  # no PXE
        ENTER,  # output folder: as given
        YES,  # write these files now? (nothing is written without it)
    ]  # fmt: skip
    answers = Answers()
    answers.guest.uuid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    code, text = drive(keys, prompt.run, answers, tmp_path / "out")
    assert code == 0, text
    assert "NUMA topology: greyed — NUMA topology is not supported by libvirt on IBM Z" in text
    assert "virtual PCI NIC: greyed" in text
    src = tmp_path / "same.toml"
    src.write_text(
        'version = 1\n[guest]\nname = "prompt01"\nmemory_mib = 4096\nvcpus = 4\n'
        'uuid = "0f8fad5b-d9cb-469f-a165-70867728950e"\n'
        'vcpus_current = 2\niothreads = 1\n[[disks]]\npath = "/var/lib/libvirt/images/prompt01.qcow2"\n'
        'boot_order = 1\ncache = "none"\nio = "native"\niothread = 1\nserial = "ROOT 01"\nqueues = 2\n'
        '[[nics]]\nsource = { network = "default" }\n[watchdog]\naction = "poweroff"\n'
        '[cpu]\nsockets = 2\npinning = { 0 = "0", 1 = "1" }\n[memory]\nnosharepages = true\n'
        '[console]\nlog = "/var/log/libvirt/qemu/prompt01-console.log"\nlog_append = true\n'
        "line_mode = true\n"
    )
    r = run_zwizard("--answers", str(src), "--stdout")
    assert (tmp_path / "out" / "prompt01.xml").read_text() == r.stdout


def test_y_or_n_then_enter_typed_in_one_go_answers_one_question():
    """Found at a real terminal: "n Enter" answered the confirm on "n" alone, and the
    Enter took the next question's default unseen (vCPUs 2, not the 4 typed after)."""
    a = Answers()

    def two(**io):
        q = prompt.Asker(a, **io)
        first = q.confirm("Is the guest for another host?", default=True)
        q.text("guest.vcpus", "vCPUs:", kind="int")
        return first

    first, text = drive([NO, CLEAR, "4", ENTER], two)
    assert first is False and a.guest.vcpus == 4, text


def test_rules_refuse_a_value_with_their_words(tmp_path):
    a = Answers()
    keys = [CLEAR, "../evil", ENTER, CLEAR, "good-name", ENTER]
    drive(keys, lambda **io: prompt.Asker(a, **io).text("guest.name", "Guest name:"))
    assert a.guest.name == "good-name"  # the first Enter was refused
    name = prompt.Asker(Answers()).validator("guest.name", "str", False)
    assert "cannot be used: it names the libvirt domain" in name("../evil")
    assert name("web01") is True
    vcpus = prompt.Asker(Answers()).validator("guest.vcpus", "int", False)
    assert "is not a whole number" in vcpus("four")
    assert "249 vCPUs" in vcpus("249")


def test_secure_execution_disables_passthrough_choices_with_the_reason():
    a, _ = load(ASSETS / "secure-execution.toml")
    _, text = drive([ENTER, NO, NO], lambda **io: prompt.step_passthrough(prompt.Asker(a, **io)))
    assert "with Secure Execution no device can be passed through (vfio)" in text
    assert a.passthrough == []


def test_second_vfio_ap_is_disabled():
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    a.passthrough.append(Passthrough(type="vfio-ap", uuid=AP_UUID))
    _, text = drive([ENTER, NO, NO], lambda **io: prompt.step_passthrough(prompt.Asker(a, **io)))
    assert "only one vfio-ap crypto device per guest" in text


def test_not_migration_safe_modes_are_marked():
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    _, text = drive([ENTER], lambda **io: prompt.Asker(a, **io).choose(
        "cpu.mode", "CPU mode:", [("host-model", "host-model"), ("maximum", "maximum")]))  # fmt: skip
    assert "maximum — mind: maximum is not migration-safe" in text


def test_partial_answers_ask_only_what_is_open():
    a = parse(
        'version = 1\n[[disks]]\nboot_order = 1\n[[passthrough]]\ntype = "vfio-ccw"\n',
        partial=True,
    )
    assert missing(a) == ["guest.name", "disks[0].path", "passthrough[0].uuid"]
    keys = [CLEAR, "part01", ENTER, CLEAR, "/var/lib/libvirt/images/p.qcow2", ENTER,
            CLEAR, "90c6c135-ad44-41d0-b1b7-bae47de48627", ENTER]  # fmt: skip
    ok, text = drive(keys, prompt.ask_missing, a)
    assert ok and missing(a) == []
    assert "Path of disks[0]:" in text and "Mediated device UUID of passthrough[0]:" in text


def test_partial_answers_without_a_terminal_list_every_missing_key(tmp_path):
    src = tmp_path / "partial.toml"
    src.write_text('version = 1\n[[disks]]\nboot_order = 1\n[[passthrough]]\ntype = "pci"\n')
    r = run_zwizard("--answers", str(src), "-o", str(tmp_path / "out"), stdin=None)
    assert r.returncode == 2
    for key in ("guest.name", "disks[0].path", "passthrough[0].address"):
        assert f"{key}: missing" in r.stderr
    assert "zpci" not in r.stderr  # libvirt assigns zPCI ids; so does zwizard
    assert "partial.toml:2: disks[0].path" in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("term", ["dumb", "", "no-such-terminal-xyz"])
def test_plain_mode_is_chosen_for_terminals_that_cannot_do_full_screen(monkeypatch, term):
    import argparse

    from zwizard.frontends import plain_reason

    monkeypatch.setenv("TERM", term)
    reason = plain_reason(argparse.Namespace(plain=False))
    assert reason and "plain questions" in reason
    monkeypatch.setenv("TERM", "xterm")
    assert plain_reason(argparse.Namespace(plain=True)).startswith("plain prompts")


# --- the same wizard: resume, way back, confirmation, plain lines -------------------------

CTRL_C = "\x03"


def test_resume_starts_at_the_saved_step_and_shows_unfinished_entries(tmp_path):
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    from zwizard.model import Nic, NicSource

    a.nics.append(Nic(source=NicSource()))  # left empty by a Ctrl-C
    draft = prompt.drafts.Draft(answers=a, step="network")
    keys = [
        NO,  # finish nics[1] now? no: remove it
        NO,  # add a network interface? no
        NO,
        NO,
        NO,  # console options? no
        ENTER,
        NO,  # no shares
        NO,
        NO,
        NO,  # no watchdog, no agent, passthrough done, key wrapping as is, no SE, no PXE
        ENTER,  # output folder: as given
        YES,  # write
    ]
    code, text = drive(keys, prompt.run, a, tmp_path / "out", draft=draft)
    assert code == 0, text
    assert "resuming at step 4 (network)" in text and "== Guest OS" not in text
    assert "nics[1] (network interface) is not finished: nics[1].source" in text
    assert (tmp_path / "out" / "minimal-rhel9.xml").read_text().count("<interface") == 1
    assert len(a.nics) == 1


def test_ctrl_c_offers_the_way_back(tmp_path):
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    draft = prompt.drafts.Draft(answers=a, step="watchdog")
    keys = [
        CTRL_C,
        ENTER,  # Ctrl-C on the watchdog question; "Back to the previous step"
        NO,  # network (step 4 again): add a NIC? no
        NO,
        NO,
        NO,  # console options? no
        ENTER,
        NO,  # no shares
        NO,
        NO,
        NO,  # watchdog no, agent no, passthrough done, key wrapping as is, SE no, PXE no,
        ENTER,  # output folder: as given
        NO,  # write? no
    ]
    code, text = drive(keys, prompt.run, a, tmp_path / "out", draft=draft)
    assert "Stopped. What now?" in text and "== Network" in text
    assert code == 1 and "nothing written (your draft is kept)" in text
    assert not (tmp_path / "out").exists()  # no confirmation, no file


def test_nic_boot_order_and_pxe_are_asked(tmp_path):
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    draft = prompt.drafts.Draft(answers=a, step="pxe")
    keys = [YES, CLEAR, "vmlinuz", ENTER, CLEAR, "initrd.img", ENTER,
            CLEAR, "nfs:10.0.0.1:/srv/rhel9", ENTER, CLEAR, ENTER,
            DOWN, ENTER,  # static
            CLEAR, "10.0.0.50/24", ENTER, CLEAR, "10.0.0.1", ENTER,
            CLEAR, ENTER, CLEAR, ENTER,  # host name, interface: the defaults
            CLEAR, ENTER, CLEAR, ENTER, NO, ENTER, YES]  # no more PXE options  # fmt: skip
    code, text = drive(keys, prompt.run, a, tmp_path / "out", draft=draft)
    assert code == 0, text
    assert "nics[0] now boots first" in text
    pxe = (tmp_path / "out" / "pxelinux.cfg" / "default").read_text()
    assert "ip=10.0.0.50::10.0.0.1:255.255.255.0:minimal-rhel9:enc1:none" in pxe
    assert "inst.repo=nfs:10.0.0.1:/srv/rhel9" in pxe


def test_a_guest_named_with_an_underscore_is_asked_its_host_name(tmp_path):
    """The installer keeps no '_' in a host name: the guest's name cannot be the static
    address's host name, so the host-name question refuses the default and takes one."""
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    a.guest.name = "db_01"
    draft = prompt.drafts.Draft(answers=a, step="pxe")
    keys = [YES, CLEAR, "vmlinuz", ENTER, CLEAR, "initrd.img", ENTER, CLEAR, ENTER, CLEAR, ENTER,
            DOWN, ENTER,  # static
            CLEAR, "10.0.0.50/24", ENTER, CLEAR, "10.0.0.1", ENTER,
            CLEAR, ENTER,  # no host name: refused, the guest's name will not do
            CLEAR, "db-01", ENTER, CLEAR, ENTER,
            CLEAR, ENTER, CLEAR, ENTER, NO, ENTER, YES]  # no more PXE options  # fmt: skip
    code, text = drive(keys, prompt.run, a, tmp_path / "out", draft=draft)
    assert code == 0, text
    assert "not 'db_01': letters, digits and '-'" in text and "a value is needed" in text
    pxe = (tmp_path / "out" / "pxelinux.cfg" / "default").read_text()
    assert "ip=10.0.0.50::10.0.0.1:255.255.255.0:db-01:enc1:none" in pxe


def test_dumb_terminal_gets_plain_numbered_lines_without_escape_codes(tmp_path):
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    draft = prompt.drafts.Draft(answers=a, step="watchdog")
    lines = iter(
        ["y\n", "\n", "y\n", "n\n", "\n", "n\n", "n\n", "n\n", "n\n", "\n", "y\n"]
    )  # agent
    screen = io.StringIO()
    q = prompt.Asker(prompt.Session.from_draft(draft), draft, print_to=screen, plain=True)
    q.q = prompt.LineQuestions(lambda: next(lines, ""), screen.write)
    for step in prompt.STEPS[4:]:
        step(q)
    written = prompt.review_and_write(q, tmp_path / "out")
    assert written
    out = screen.getvalue()
    assert "\x1b" not in out
    assert "  1) poweroff" in out and "Write these files now? (Y/n)" in out
    assert 'name="org.qemu.guest_agent.0"' in written[0].read_text()


def test_a_lun_and_a_storage_volume_are_asked_as_such():
    a = Answers()
    keys = [YES, DOWN, DOWN, ENTER, CLEAR, "/dev/disk/by-path/ccw-0.0.1900-fc-lun-0", ENTER,
            ENTER, CLEAR, ENTER, ENTER, NO,  # default format, (SCSI: no ccw), no loadparm, boot 1
            YES, DOWN, DOWN, DOWN, ENTER, CLEAR, "default/data.qcow2", ENTER,
            ENTER, CLEAR, ENTER, CLEAR, ENTER, ENTER, NO,  # format, ccw, loadparm, boot, options
            NO, NO]  # no more disks, no kernel boot  # fmt: skip
    _, text = drive(keys, lambda **io: prompt.step_disks(prompt.Asker(a, **io)))
    lun, volume = a.disks
    assert (lun.device, lun.kind) == ("lun", "block")
    assert (volume.kind, volume.path) == ("volume", "default/data.qcow2")
    assert "Storage volume (POOL/VOLUME):" in text


def test_crypto_queues_are_asked_and_the_host_preparation_is_written(tmp_path):
    """The prompt mode asks what zwizard prepare needs, refuses a queue list that is not
    numbers with the rule's words, shows the preparation on review and writes its script."""
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    draft = prompt.drafts.Draft(answers=a, step="passthrough")
    keys = [DOWN, ENTER,  # add vfio-ap: from "done", down wraps to the first kind
            CLEAR, AP_UUID, ENTER,
            CLEAR, "5 x", ENTER, "\x08", "6", ENTER,  # refused, then 5 6
            CLEAR, "0x0004", ENTER, CLEAR, ENTER,  # domain 4, no control domain
            ENTER, NO, NO,  # done; no shares; key wrapping as QEMU's default
            NO,  # no Secure Execution
            NO,  # no PXE
            ENTER, YES]  # output folder as given; write  # fmt: skip
    code, text = drive(keys, prompt.run, a, tmp_path / "out", draft=draft)
    assert code == 0, text
    assert a.passthrough[0].adapters == [5, 6]  # the first Enter was refused
    adapters = prompt.Asker(a).validator("passthrough[0].adapters", "int-list", True)
    assert "'5 x' is not numbers (decimal or 0x-hex)" in adapters("5 x")
    assert "outside 0-255" in adapters("256")
    assert "host preparation (minimal-rhel9.prepare.sh):" in text
    script = (tmp_path / "out" / "minimal-rhel9.prepare.sh").read_text()
    assert "run chzdev --type ap apmask=-5,-6 aqmask=-4" in script


def test_a_scsi_passthrough_is_asked_its_scsi_address_not_a_pci_one():
    # the question comes from the passthrough kind's declaration, as the wizard's label
    a = parse(
        'version = 1\n[guest]\nname = "tape01"\n[[disks]]\npath = "/d.qcow2"\nboot_order = 1\n'
        '[[passthrough]]\ntype = "scsi"\n',
        partial=True,
    )
    ok, text = drive([CLEAR, "0:0:1:0", ENTER], prompt.ask_missing, a)
    assert ok and a.passthrough[0].address == "0:0:1:0"
    assert "Host SCSI address of passthrough[0]:" in text and "PCI" not in text


def test_adding_a_crypto_device_shows_its_boot_order_greyed_with_the_reason():
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    keys = [DOWN, ENTER,  # add vfio-ap
            CLEAR, AP_UUID, ENTER, CLEAR, ENTER, CLEAR, ENTER, CLEAR, ENTER,  # no queues
            ENTER, NO, NO]  # done; no shares; key wrapping as is  # fmt: skip
    _, text = drive(keys, lambda **io: prompt.step_passthrough(prompt.Asker(a, **io)))
    assert a.passthrough[0].uuid == AP_UUID and a.passthrough[0].boot_order is None
    assert "boot order (empty: does not boot): greyed — a vfio-ap crypto device cannot boot" in text


def test_a_refused_answer_and_a_greyed_choice_are_said_whole_at_80_columns():
    """prompt_toolkit's one-line toolbar and its list rows end at the terminal's edge:
    the reasons are printed above, wrapped, so none is cut at 80 columns."""
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    with create_pipe_input() as pipe:
        pipe.send_text("".join([CLEAR, "db/01", ENTER, CLEAR, "db01", ENTER, ENTER]))
        pipe.close()
        asker = prompt.Asker(a, input=pipe, output=output, print_to=screen)
        asker.text("guest.name", "Guest name:")
        asker.choose("guest.os", "Operating system:", choices.OS)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    said = [line for line in text.splitlines() if line.startswith(("  ✗", "    ", "  other"))]
    assert all(len(line) <= 80 for line in said), said
    words = " ".join(" ".join(said).split())
    assert "'db/01' cannot be used" in words and "[guest-name]" in words
    assert "other — mind:" in words and "[guest-os]" in words
    assert a.guest.name == "db01"


def test_the_prompt_asks_a_nic_what_the_wizards_form_shows():
    """The interface's declared fields (Kind.fields), in the wizard's order: a macvtap
    mode for a host interface, the MAC, ccw bus-id, boot order, loadparm and the model,
    the PCI models greyed with the rule's reason."""
    a = Answers()
    keys = [YES, DOWN, DOWN, ENTER, CLEAR, "encbdf0", ENTER,  # direct on encbdf0
            DOWN, DOWN, ENTER,  # macvtap mode vepa
            CLEAR, "52:54:00:aa:bb:01", ENTER, CLEAR, "fe.0.0007", ENTER,
            CLEAR, ENTER, CLEAR, ENTER, ENTER,  # no boot order, no loadparm, virtio
            NO, NO]  # no more options, no more NICs  # fmt: skip
    _, text = drive(keys, lambda **io: prompt.step_network(prompt.Asker(a, **io)))
    nic = a.nics[0]
    assert (nic.source.direct, nic.source.mode) == ("encbdf0", "vepa")
    assert (nic.mac, nic.ccw, nic.model) == ("52:54:00:aa:bb:01", "fe.0.0007", "virtio")
    assert "e1000 (PCI) — greyed: NIC model 'e1000' is a PCI device" in text
    assert "ccw bus-id (empty: assigned):" in text


def test_typing_over_a_shown_value_replaces_it_and_large_units_get_a_whole_hint():
    """Seen in a trial: the default stayed in the field, so `8G` typed at "Memory
    (MiB): 2048" became `20488G`; and `1024G` got "write 1.04858e+06", then refused."""
    a = Answers()
    a.guest.memory_mib = 2048
    _, text = drive(
        ["8G", ENTER, "1024G", ENTER, CLEAR, "8192", ENTER],
        lambda **io: prompt.Asker(a, **io).text("guest.memory_mib", "Memory (MiB):", kind="int"),
    )
    assert "20488G" not in text
    assert "'8G' is not a whole number (MiB): type digits only; for 8G write 8192" in text
    # the refused text is offered again to mend: typing over it replaces it too
    assert "for 1024G write 1048576 [memory]" in text and "e+06" not in text, text
    assert a.guest.memory_mib == 8192
    check = prompt.Asker(Answers()).validator("guest.memory_mib", "int", False)
    assert check("1048576") is True  # the hint's own value is taken


def test_back_twice_from_review_goes_back_twice(tmp_path):
    """Ctrl-C -> "Back to the previous step" twice from Review raised zwizard.prompt.Back
    (a traceback, exit 1): the second Back must reach the step before PXE."""
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    draft = prompt.drafts.Draft(answers=a, step="review")
    keys = [CTRL_C, ENTER, CTRL_C, ENTER]  # at "Write these files now?", then at PXE
    code, text = drive(keys, prompt.run, a, tmp_path / "out", draft=draft)
    assert code == 1  # the keys ran out: the draft is kept, nothing written
    assert text.index("== PXE") < text.index("== Secure Execution"), text
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_the_host_is_read_goes_on_without_host_data(monkeypatch, capsys, tmp_path):
    """Ctrl-C during host discovery printed a KeyboardInterrupt traceback."""
    from zwizard import frontends, hosts

    def interrupted(*args, **kw):
        raise KeyboardInterrupt

    asked = {}
    monkeypatch.setattr(hosts, "discover_all", interrupted)
    monkeypatch.setattr(prompt, "run", lambda *a, **kw: asked.update(kw) or 0)
    code = frontends.run_plain("plain mode", None, None, tmp_path)
    assert code == 0 and asked["host"] is None and asked["hosts"] == []
    assert "host discovery stopped (Ctrl-C): going on without host data" in capsys.readouterr().err


def test_a_disks_boot_order_is_asked_and_a_taken_position_moves_the_rest():
    """There was no question for a disk's boot order, and answering 1 for the installing
    NIC's boot order was refused because the disk had 1, with no way to swap."""
    a = Answers()
    keys = [YES, ENTER, "/var/lib/libvirt/images/a.qcow2", ENTER,
            ENTER, CLEAR, ENTER, CLEAR, ENTER,  # format, ccw, loadparm
            ENTER,  # boot order: 1 (the first disk boots first), kept
            NO,  # no more options
            YES, ENTER, "/var/lib/libvirt/images/b.qcow2", ENTER,
            ENTER, CLEAR, ENTER, CLEAR, ENTER,
            CLEAR, "1", ENTER,  # this one boots first: the other comes second
            NO, NO, NO]  # options, more disks, kernel boot  # fmt: skip
    _, text = drive(keys, lambda **io: prompt.step_disks(prompt.Asker(a, **io)))
    assert [d.boot_order for d in a.disks] == [2, 1], text
    assert "boot sequence: 1. disks[1] (vdb b.qcow2), 2. disks[0] (vda a.qcow2)" in text
    keys = [YES, ENTER, CLEAR, "default", ENTER,  # a NIC on network default
            CLEAR, ENTER, CLEAR, ENTER,  # MAC, ccw
            "1", ENTER,  # boot order 1: taken by disks[1], which now boots second
            CLEAR, ENTER, ENTER, NO, NO]  # loadparm, model, options, more NICs  # fmt: skip
    _, text = drive(keys, lambda **io: prompt.step_network(prompt.Asker(a, **io)))
    assert (a.nics[0].boot_order, a.disks[1].boot_order, a.disks[0].boot_order) == (1, 2, 3)
    assert "already used" not in text, text


def test_the_output_folder_is_asked_before_writing(tmp_path):
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    draft = prompt.drafts.Draft(answers=a, step="review")
    there = tmp_path / "elsewhere"
    code, text = drive([str(there), ENTER, YES], prompt.run, a, tmp_path / "out", draft=draft)
    assert code == 0, text
    assert (there / "minimal-rhel9.xml").exists() and not (tmp_path / "out").exists()


# --- the stack the guest is judged against (issue 26) ------------------------------------


def _xml(a: Answers) -> str:
    from zwizard.plan import make_plan
    from zwizard.render.domain import render_domain
    from zwizard.xmlwrite import to_xml

    return to_xml(render_domain(a, make_plan(a)))


def test_a_target_stack_is_asked_refused_with_the_rule_and_written(tmp_path):
    from zwizard.answers import dumps

    a = Answers()
    keys = [CLEAR, "v01", ENTER, ENTER, ENTER, NO,  # name, RHEL 9, KVM; no more options
            YES, CLEAR, "11", ENTER,  # a target: "11" is refused ...
            CLEAR, "11.0", ENTER, CLEAR, "9.2", ENTER]  # ... then libvirt 11.0, QEMU 9.2  # fmt: skip
    _, text = drive(keys, lambda **io: prompt.step_guest(prompt.Asker(a, **io)))
    assert "'11' is no version: give libvirt as digits.digits, e.g. '10.10' [target]" in text
    assert (a.target.libvirt, a.target.qemu) == ("11.0", "9.2")
    assert "version rules judged on libvirt 11.0 / QEMU 9.2 (the answers' [target])" in text
    assert '[target]\nlibvirt = "11.0"\nqemu = "9.2"' in dumps(a)
    # emptied again, the table goes: the default stack, nothing written for it
    keys = [CLEAR, "v01", ENTER, ENTER, ENTER, NO, YES, CLEAR, ENTER, CLEAR, ENTER]
    _, text = drive(keys, lambda **io: prompt.step_guest(prompt.Asker(a, **io)))
    assert a.target is None and "[target]" not in dumps(a)
    assert "judged on libvirt 9.0 / QEMU 7.2 (the default target" in text


def test_a_guest_for_this_host_shows_the_hosts_versions_and_asks_no_target():
    from zwizard.host import HostInfo

    a = Answers()
    h = HostInfo(label="z16", libvirt_version=(11, 6, 0), qemu_version=(10, 2, 0))
    keys = [CLEAR, "v01", ENTER, ENTER, ENTER, NO, NO]  # ... not for another host
    _, text = drive(keys, lambda **io: prompt.step_guest(prompt.Asker(a, host=h, **io)))
    assert "version rules judged on libvirt 11.6.0 / QEMU 10.2.0 (host z16's stack)" in text
    assert a.target is None and "Target host's libvirt" not in text


def test_a_read_only_share_is_greyed_with_the_versions_until_the_stack_has_it():
    from zwizard.model import Target

    def share(a: Answers, keys: list[str]) -> str:
        keys = [ENTER, YES, CLEAR, "/srv/data", ENTER, CLEAR, "data", ENTER, *keys, NO, NO]
        return drive(keys, lambda **io: prompt.step_passthrough(prompt.Asker(a, **io)))[1]

    a, _ = load(ASSETS / "minimal-rhel9.toml")
    text = share(a, [DOWN, ENTER])  # read-only is greyed: Down stays on read-write
    assert a.shares[0].readonly is False and "<readonly/>" not in _xml(a)
    assert (
        'read-only — greyed: virtiofs cannot share read-only here (libvirt: "virtiofs does '
        'not yet support read-only mode"): it needs libvirt 11.0; judged on libvirt 9.0 / '
        "QEMU 7.2 (the default target"
    ) in text.replace("\n", " ").replace("   ", " ")
    b, _ = load(ASSETS / "minimal-rhel9.toml")
    b.target = Target(libvirt="11.0", qemu="9.2")
    share(b, [DOWN, ENTER])
    assert b.shares[0].readonly is True and "<readonly/>" in _xml(b)


def test_deprecated_cpu_features_are_offered_where_libvirt_knows_them():
    from zwizard.model import Target

    def cpu(a: Answers) -> str:
        keys = [ENTER, ENTER, ENTER, NO, YES, YES,  # vCPUs, memory, mode; pages, balloon, rng
                YES, *[CLEAR, ENTER] * 8,  # more options: nothing typed
                DOWN, ENTER,  # deprecated CPU features: off, where it can be chosen
                *[CLEAR, ENTER] * 3, NO, NO, NO, CLEAR, ENTER]  # fmt: skip
        return drive(keys, lambda **io: prompt.step_cpu(prompt.Asker(a, **io)))[1]

    a = Answers()
    text = cpu(a)
    assert a.cpu.deprecated_features is None and "deprecated_features" not in _xml(a)
    assert (
        "off: the guest can move to machines without them — greyed: libvirt refuses <cpu "
        "deprecated_features> before it knows it: it needs libvirt 11.0 with QEMU 9.1"
    ) in " ".join(text.split())
    b = Answers()
    b.target = Target(libvirt="11.0", qemu="9.2")
    cpu(b)
    assert b.cpu.deprecated_features is False
    assert 'deprecated_features="off"' in _xml(b)
