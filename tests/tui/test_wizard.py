"""The wizard driven with Pilot: keyboard only, greyed choices with reasons, drafts, screens."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, Static

from tests.helpers import AP_UUID, ASSETS, CCW_UUID, ROOT, run_zwizard
from tests.tui.conftest import SIZE, field_input, make_app, press_until, type_text, widget_id
from zwizard import drafts
from zwizard.answers import from_data, load
from zwizard.model import Passthrough
from zwizard.tui.app import STEPS
from zwizard.tui.fields import shown

SCREENS = ROOT / "screens"


def visible_text(app) -> str:
    """Everything the current screen shows as text, in widget order."""
    parts = []
    for w in app.screen.query("*"):
        if not w.display or not all(a.display for a in w.ancestors if hasattr(a, "display")):
            continue
        if isinstance(w, RadioButton | Checkbox | Button):
            parts.append(str(w.label) + (" [disabled]" if w.disabled else ""))
        elif isinstance(w, Input):
            parts.append(f"<{w.value}>" + (" [disabled]" if w.disabled else ""))
        elif isinstance(w, Static | Label):
            parts.append(str(w.content))
    return re.sub(r"\s+", " ", "\n".join(parts))


def draft_of(path: Path, **changes) -> drafts.Draft:
    answers, _ = load(path)
    for key, value in changes.items():
        setattr(answers, key, value) if "." not in key else None
    return drafts.Draft(answers=answers)


async def goto(pilot, step: str) -> None:
    await pilot.app.show_step(step)
    await pilot.pause()


# --- a whole guest, keys only ---------------------------------------------------------


async def test_keyboard_only_guest_equals_answers_mode(tmp_path):
    out = tmp_path / "tui"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press_until(pilot, field_input("guest.name"))
        await type_text(pilot, "kb01")
        await pilot.press("pagedown")
        await press_until(pilot, field_input("guest.vcpus"))
        await type_text(pilot, "4")
        await press_until(pilot, field_input("guest.memory_mib"))
        await type_text(pilot, "4096")
        await pilot.press("pagedown")
        await press_until(pilot, widget_id("disks-add-0"))
        await pilot.press("enter")
        await press_until(pilot, field_input("disks[0].path"))
        await type_text(pilot, "/var/lib/libvirt/images/kb01.qcow2")
        await press_until(pilot, field_input("disks[0].loadparm"))
        await type_text(pilot, "2")
        await pilot.press("pagedown")
        await press_until(pilot, widget_id("nics-add-0"))
        await pilot.press("enter")
        await pilot.press("pagedown")
        await press_until(pilot, widget_id("watchdog-on"))
        await pilot.press("enter")
        for _ in range(4):
            await pilot.press("pagedown")
        assert app.current == "review"
        await press_until(pilot, widget_id("output-dir"))
        await type_text(pilot, str(out))
        assert "will write: kb01.xml" in visible_text(app)
        await press_until(pilot, widget_id("write"))
        await pilot.press("enter")
        await pilot.pause()
        assert "wrote" in visible_text(app), visible_text(app)
        # the summary no longer speaks of a write to come, until the answers change
        assert "written: kb01.xml" in visible_text(app) and "will write" not in visible_text(app)
        uuid = app.answers.guest.uuid

    answers = tmp_path / "kb01.toml"
    answers.write_text(
        f"""version = 1
[guest]
name = "kb01"
memory_mib = 4096
vcpus = 4
uuid = "{uuid}"
[[disks]]
path = "/var/lib/libvirt/images/kb01.qcow2"
boot_order = 1
loadparm = "2"
[[nics]]
source = {{ network = "default" }}
[watchdog]
action = "poweroff"
"""
    )
    r = run_zwizard("--answers", str(answers), "-o", str(tmp_path / "batch"))
    assert r.returncode == 0, r.stderr
    assert (out / "kb01.xml").read_text() == (tmp_path / "batch" / "kb01.xml").read_text()


# --- greyed choices with their reasons -------------------------------------------------


async def test_review_says_written_after_a_write_and_will_write_once_the_answers_change(
    tmp_path,
):
    """Found in a trial: after Write, the summary still read "will write: web-01.xml"."""
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"), output_dir=tmp_path / "out")
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "review")
        name = app.answers.guest.name
        assert f"will write: {name}.xml" in visible_text(app)
        await press_until(pilot, widget_id("write"))
        await pilot.press("enter")
        await pilot.pause()
        assert f"written: {name}.xml" in visible_text(app), visible_text(app)
        await goto(pilot, "cpu")
        await press_until(pilot, field_input("guest.vcpus"))
        await type_text(pilot, "3")
        await goto(pilot, "review")
        text = visible_text(app)
        assert f"will write: {name}.xml" in text and "changed since the last write" in text


async def test_the_remove_and_turn_on_button_is_greyed_where_removing_is_not_enough():
    """An outside tester pressed "Remove what is listed and turn it on" under emulation,
    where the switch itself is greyed (se-launch: KVM needed): the balloon and rng went and
    a secure guest the rules refuse was made. Removing cannot help there: greyed too."""
    from textual.widgets import Button

    app = make_app(draft=draft_of(ASSETS / "tcg-pxe.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "secure")
        button = app.screen.query_one("#se-clear", Button)
        assert button.display and button.disabled
        assert "greyed: Secure Execution needs KVM" in " ".join(visible_text(app).split())
        assert not app.answers.secure_execution.enabled


async def test_secure_execution_greys_what_it_excludes():
    draft = draft_of(ASSETS / "secure-execution.toml")
    app = make_app(draft=draft)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "passthrough")
        text = visible_text(app)
        # every host device, a SCSI one too: a secure guest has no <hostdev> (an outside
        # tester added "+ SCSI" under Secure Execution and had it written)
        for kind in ("vfio-ap crypto", "vfio-ccw DASD", "PCI function", "SCSI device"):
            assert f"+ {kind} [disabled]" in text
        assert "with Secure Execution no device can be passed through (vfio)" in text
        await goto(pilot, "cpu")
        text = visible_text(app)
        for label in ("Back memory with host huge pages", "Memory balloon (virtio)",
                      "Random number generator (virtio-rng)"):  # fmt: skip
            assert f"{label} [disabled]" in text
        assert "greyed: with Secure Execution memory cannot be backed by huge pages" in text
        assert "greyed: with Secure Execution there is no memballoon" in text
        await press_until(pilot, field_input("guest.vcpus"))
        await type_text(pilot, "248")
        assert "a guest has at most 247 vCPUs, not 248 [se-max-vcpus]" in visible_text(app)


async def test_turning_secure_execution_on_says_what_must_go_and_removes_it():
    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.passthrough.append(Passthrough(type="vfio-ccw", uuid=CCW_UUID))
    draft.answers.memory.hugepages = True
    app = make_app(draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "secure")
        text = visible_text(app)
        assert "Run as a secure guest (s390-pv) [disabled]" in text
        assert "Secure Execution needs these to go first:" in text
        # everything that goes is listed first, the quiet defaults too
        for what in (
            "passthrough[0]: the vfio-ccw device",
            "memory.hugepages: huge-page",
            "memory.balloon: the virtio memory balloon",
            "rng.enabled: the virtio-rng",
        ):
            assert what in text, what
        assert app.focused.id == "se-clear"  # the cursor is on the button, no Tab needed
        await pilot.press("enter")
        await pilot.pause()
        a = app.answers
        assert a.secure_execution.enabled and not a.passthrough and not a.memory.hugepages
        assert "<launchSecurity" in app.result.files["minimal-rhel9.xml"]
        text = visible_text(app)
        assert "Removed for Secure Execution:" in text and "the vfio-ccw device" in text


async def test_vfio_ap_gets_no_boot_order_and_only_one_is_allowed():
    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.passthrough.append(Passthrough(type="vfio-ap", uuid=AP_UUID))
    app = make_app(draft=draft)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "passthrough")
        text = visible_text(app)
        assert "+ vfio-ap crypto [disabled]" in text
        assert "only one vfio-ap crypto device per guest" in text
        assert "greyed: a vfio-ap crypto device cannot boot" in text
        boot = [
            i
            for i in app.query(Input)
            if getattr(i.parent, "path", "") == "passthrough[0].boot_order"
        ]
        assert boot and boot[0].disabled
        assert "+ vfio-ccw DASD [disabled]" not in text


async def test_x86_only_choices_are_greyed_with_their_ibm_z_reason():
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "cpu")
        text = visible_text(app)
        assert "Memory hot-plug (maxMemory) [disabled]" in text
        assert "memory cannot be added to a running guest on IBM Z" in text
        assert (
            "NUMA topology [disabled]" in text
            and "NUMA topology is not supported by libvirt on IBM Z" in text
        )
        assert (
            "SMBIOS system information [disabled]" in text
            and "SMBIOS is not available on IBM Z" in text
        )
        assert "host-passthrough — mind: host-passthrough is not migration-safe" in text
        assert "maximum — mind: maximum is not migration-safe" in text
        await goto(pilot, "guest")
        assert "other — mind: 'other' is not supported by Red Hat on IBM Z" in visible_text(app)
        await goto(pilot, "network")
        assert "virtual PCI NIC — greyed: IBM Z has no virtual PCI devices" in visible_text(app)


async def test_tcg_greys_host_model():
    draft = draft_of(ASSETS / "tcg-lab.toml")
    app = make_app(draft=draft)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "cpu")
        text = visible_text(app)
        assert "host-model (greyed) [disabled]" in text
        assert "host-model needs KVM on an IBM Z host" in text


# --- drafts ---------------------------------------------------------------------------


async def test_draft_saved_midway_reopens_to_the_same_screen(tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press_until(pilot, field_input("guest.name"))
        await type_text(pilot, "half")
        await pilot.press("pagedown")
        await press_until(pilot, field_input("guest.vcpus"))
        await type_text(pilot, "4x")  # not a number yet: must survive as typed
        await pilot.press("ctrl+s")
        await pilot.pause()
        path = app.autosave_path
        await pilot.press("f3")  # the same focus on both sides: the step list
        await pilot.pause()
        before = app.export_screenshot()
    assert path is not None and path.exists()
    draft = drafts.load(path)
    assert draft.step == "cpu" and draft.pending == {"guest.vcpus": "4x"}
    again = make_app(draft=draft)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        after = again.export_screenshot()
        assert again.query_one("#step-cpu").display
        value = [
            i.value for i in again.query(Input) if getattr(i.parent, "path", "") == "guest.vcpus"
        ]
        assert value == ["4x"]
    assert before == after


async def test_plain_start_offers_the_newest_unfinished_draft(tmp_path):
    first = drafts.Draft(
        answers=from_data({"version": 1, "guest": {"name": "left-over"}}, "x", draft=True)
    )
    drafts.save(first)
    offer = drafts.newest_unfinished()
    assert offer is not None and offer.answers.guest.name == "left-over"
    app = make_app(offer_resume=offer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Resume your unfinished guest left-over" in visible_text(app)
        await press_until(pilot, widget_id("resume"))
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers.guest.name == "left-over"


async def test_untouched_session_leaves_no_draft(tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(8):
            await pilot.press("pagedown")
        app.save_draft()
    assert drafts.newest_unfinished() is None


async def test_quit_asks_before_discarding(tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press_until(pilot, field_input("guest.name"))
        await type_text(pilot, "keepme")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert "Quit? Your answers stay a draft" in visible_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q")
        await press_until(pilot, widget_id("save"))
        await pilot.press("enter")
        await pilot.pause()
    saved = drafts.newest_unfinished()
    assert saved is not None and saved.answers.guest.name == "keepme"


# --- one screenshot per step, kept in screens/ ----------------------------------------


def screenshot_guest() -> drafts.Draft:
    draft = draft_of(ASSETS / "pxe-install.toml")
    draft.answers.passthrough.append(Passthrough(type="vfio-ccw", uuid=CCW_UUID, ccw="fe.0.00a1"))
    return draft


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[s.step_id for s in STEPS])
async def test_step_screenshot_is_current(index):
    step = STEPS[index]
    app = make_app(draft=screenshot_guest(), autosave=False)
    async with app.run_test(size=(100, 34)) as pilot:
        await goto(pilot, step.step_id)
        # settled: the same picture twice in a row (a busy machine redraws later)
        svg, previous = app.export_screenshot(title=f"zwizard — {step.title}"), None
        for _ in range(20):
            if svg == previous:
                break
            await pilot.pause(0.1)
            previous, svg = svg, app.export_screenshot(title=f"zwizard — {step.title}")
    target = SCREENS / f"{index + 1:02d}-{step.step_id}.svg"
    if os.environ.get("ZWIZARD_UPDATE_SCREENS") or not target.exists():
        SCREENS.mkdir(exist_ok=True)
        target.write_text(svg)
        if not os.environ.get("ZWIZARD_UPDATE_SCREENS"):
            pytest.fail(f"{target} was missing and has been written: commit it")
    assert target.read_text() == svg, (
        f"{target.name} differs from the wizard: check the change, then update with "
        "ZWIZARD_UPDATE_SCREENS=1 tests/run tests/tui"
    )


# --- this host ------------------------------------------------------------------------


async def test_host_data_greys_and_offers(tmp_path):
    from tests.unit.test_host import make_sysfs, recorded
    from zwizard.host import discover

    make_sysfs(tmp_path)
    tcg = discover("kvm", root=tmp_path, run=recorded("domcaps-s390x-qemu-debian12.xml"))
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=SIZE) as pilot:
        app.use_host(tcg)
        await goto(pilot, "secure")
        text = visible_text(app)
        assert "Run as a secure guest (s390-pv) [disabled]" in text
        assert "this host does not support Secure Execution" in text
        await goto(pilot, "guest")
        assert "this host: " in visible_text(app)
        await press_until(pilot, widget_id("other-host"))
        await pilot.press("space")
        await pilot.pause()
        assert app.host_is_target is False
        await goto(pilot, "secure")
        text = visible_text(app)
        assert "Run as a secure guest (s390-pv) [disabled]" not in text
        await goto(pilot, "network")
        assert "on this host: zwtest (inactive)" in visible_text(app)
        await goto(pilot, "passthrough")
        await press_until(pilot, widget_id("passthrough-add-1"))  # + vfio-ccw DASD
        await pilot.press("enter")
        await pilot.pause()
        assert f"{CCW_UUID} (in use by db-prod)" in visible_text(app)


async def test_an_opened_file_is_never_rewritten_or_deleted(tmp_path):
    """--draft FILE: autosaves go to the state directory; discard removes only those."""
    mine = tmp_path / "mine.toml"
    mine.write_text((ASSETS / "pxe-install.toml").read_text())
    before = mine.read_text()
    app = make_app(draft=drafts.load(mine))
    async with app.run_test(size=SIZE) as pilot:
        await press_until(pilot, field_input("guest.name"))
        await type_text(pilot, "-2")
        await pilot.press("pagedown")  # autosave
        await pilot.pause()
        autosaved = app.autosave_path
        assert autosaved is not None and autosaved != mine and autosaved.exists()
        assert drafts.state_dir() in autosaved.parents
        await pilot.press("ctrl+q")
        await press_until(pilot, widget_id("discard"))
        await pilot.press("enter")
        await pilot.pause()
    assert mine.read_text() == before
    assert not autosaved.exists()


async def test_save_draft_as_a_named_file(tmp_path):
    target = tmp_path / "later.toml"
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "review")
        await press_until(pilot, widget_id("save-as-path"))
        await type_text(pilot, str(target))
        await press_until(pilot, widget_id("save-as"))
        await pilot.press("enter")
        await pilot.pause()
        assert f"draft saved as {target}" in visible_text(app)
        await pilot.pause(0.4)  # a button ignores presses during its pressed look
        await press_until(pilot, widget_id("save-as"))
        await pilot.press("enter")
        await pilot.pause()
        assert "already exists: tick 'Replace existing files'" in visible_text(app)
    again = drafts.load(target)
    assert again.answers.guest.name == "minimal-rhel9"
    # a finished draft is an answers file too
    r = run_zwizard("--answers", str(target), "--stdout")
    assert r.returncode == 0 and "<name>minimal-rhel9</name>" in r.stdout


# --- keys in one burst, as they arrive over SSH -----------------------------------------


async def test_a_whole_guest_posted_as_one_burst_equals_answers_mode(tmp_path):
    """Every key of a guest queued at once (no pause, no waiting for idle between keys):
    the files equal the answers mode's for the same values."""
    from textual import events

    def keys(*parts: str) -> list[events.Key]:
        out = []
        for part in parts:
            if part.startswith("="):
                out.append(events.Key(part[1:], " " if part == "=space" else None))
            else:
                out += [events.Key(c, c) for c in part]
        return out

    out = tmp_path / "tui"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        burst = keys(
            "kb02", "=pagedown", "4", "=tab", "4096", "=pagedown",
            "=enter", "/var/lib/libvirt/images/kb02.qcow2", "=tab", "=tab", "=tab", "=tab", "2",
            "=pagedown", "=enter", "=pagedown", "=space", "=pagedown",
            "=pagedown", "=pagedown", "=pagedown", str(out), "=tab", "=tab", "=enter",
        )  # fmt: skip
        for key in burst:
            app.post_message(key)
        for _ in range(40):
            await pilot.pause(0.1)
            if app.written:
                break
        assert app.written, visible_text(app)
        uuid = app.answers.guest.uuid
    src = tmp_path / "kb02.toml"
    src.write_text(
        f'version = 1\n[guest]\nname = "kb02"\nmemory_mib = 4096\nvcpus = 4\nuuid = "{uuid}"\n'
        '[[disks]]\npath = "/var/lib/libvirt/images/kb02.qcow2"\nboot_order = 1\nloadparm = "2"\n'
        '[[nics]]\nsource = { network = "default" }\n[watchdog]\naction = "poweroff"\n'
    )
    r = run_zwizard("--answers", str(src), "-o", str(tmp_path / "batch"))
    assert r.returncode == 0, r.stderr
    assert (out / "kb02.xml").read_text() == (tmp_path / "batch" / "kb02.xml").read_text()


async def test_pxe_turned_on_and_filled_in_one_burst_keeps_every_path_in_its_field():
    """An outside tester's burst on the PXE step (its disk boots, its NIC does not): Space
    on the switch, Tab, a kernel path, Tab, an initrd. The button that makes the NIC boot
    first appeared between the switch and the kernel field, took the first Tab and dropped
    the kernel path; every later value landed one field off. Turning PXE on now makes the
    interface boot first, as the prompt mode did, and the button (for a boot order
    changed later) follows the fields."""
    from textual import events

    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "pxe")
        burst = [events.Key("space", " "), events.Key("tab", None)]
        burst += [events.Key(c, c) for c in "k/vmlinuz"]
        burst += [events.Key("tab", None), *(events.Key(c, c) for c in "k/initrd")]
        for key in burst:
            app.post_message(key)
        for _ in range(30):
            await pilot.pause(0.1)
            if app.answers.pxe.initrd == "k/initrd":
                break
        pxe = app.answers.pxe
        assert (pxe.enabled, pxe.kernel, pxe.initrd) == (True, "k/vmlinuz", "k/initrd")
        # as the prompt mode does, the interface now boots first, to install; no button
        # waits for it between the switch and the kernel field
        assert app.session.result.plan.first_boot == "nics[0]"
        assert "Boot nics[0] first, to install from it" not in visible_text(app)


# --- options a device kind declares ----------------------------------------------------


def radio_set_of(path: str):
    def match(widget) -> bool:
        return type(widget).__name__ == "RadioSet" and getattr(widget.parent, "path", "") == path

    return match


async def test_disk_options_are_chosen_by_keys_marked_once_and_written(tmp_path):
    """The disk kind's options (Kind.options) in the form: a choice at odds only with
    another field of the same disk is choosable with its reason, exactly one mark per
    set, and what is chosen is what the answers mode writes."""
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "disks")
        from zwizard.tui.fields import MoreOptions

        # folded until asked for, as the prompt mode asks "More disk options?"
        group = next(g for g in app.screen.query(MoreOptions) if "disk options" in g.title)
        assert group.collapsed
        title = group.query_one("CollapsibleTitle")
        await press_until(pilot, lambda w: w is title)
        await pilot.press("enter")
        await pilot.pause()
        await press_until(pilot, radio_set_of("disks[0].io"))
        text = visible_text(app)
        assert "native — mind: io native needs cache none or directsync" in text
        await pilot.press("down", "enter")  # native, under the default cache
        await pilot.pause()
        assert app.session.answers.disks[0].io == "native"
        assert "✗ io native needs cache none or directsync" in visible_text(app)
        io_marks = [r.value for r in radio_set_of_widget(app, "disks[0].io").query(RadioButton)]
        assert io_marks == [False, True, False, False]
        await press_until(pilot, radio_set_of("disks[0].cache"), key="shift+tab")
        await pilot.press("down", "enter")  # none
        await pilot.pause()
        cache_marks = [
            r.value for r in radio_set_of_widget(app, "disks[0].cache").query(RadioButton)
        ]
        assert cache_marks == [False, True, False, False, False, False]
        assert "✗ io native" not in visible_text(app)
        await press_until(pilot, field_input("disks[0].serial"))
        await type_text(pilot, "ROOT 01")
        await pilot.pause()
    disk = app.session.answers.disks[0]
    assert (disk.cache, disk.io, disk.serial) == ("none", "native", "ROOT 01")
    driver = app.session.result.files["minimal-rhel9.xml"]
    assert (
        'cache="none"' in driver
        and 'io="native"' in driver
        and "<serial>ROOT 01</serial>" in driver
    )


def radio_set_of_widget(app, path: str):
    from textual.widgets import RadioSet

    return next(w for w in app.screen.query(RadioSet) if getattr(w.parent, "path", "") == path)


async def add_share(app, pilot) -> None:
    """On Passthrough: `+ share`, then /srv/data shared as tag data."""
    await goto(pilot, "passthrough")
    add = app.screen.query_one("#shares-add-0", Button)
    await press_until(pilot, lambda w: w is add)
    await pilot.press("enter")
    await pilot.pause()
    await press_until(pilot, field_input("shares[0].source"))
    await type_text(pilot, "/srv/data")
    await press_until(pilot, field_input("shares[0].tag"))
    await type_text(pilot, "data")


async def test_a_share_is_added_and_filled_from_the_kinds_declared_fields():
    """The share kind declares only its fields (Kind.options): the form is built from
    them, and typing into it fills the share the answers mode would write."""
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await add_share(app, pilot)
        await pilot.pause()
        from textual.widgets import OptionList

        listed = app.screen.query_one("#shares-items", OptionList).get_option_at_index(0)
        assert "data <- /srv/data" in str(listed.prompt)
    share = app.session.answers.shares[0]
    assert (share.source, share.tag) == ("/srv/data", "data")
    xml = app.session.result.files["minimal-rhel9.xml"]
    assert '<target dir="data"/>' in xml and '<access mode="shared"/>' in xml


async def test_folded_options_open_by_themselves_when_they_hold_a_value():
    """Nothing set is out of sight: a draft whose disk has a cache mode and whose guest
    has a console log shows both groups open."""
    from zwizard.tui.fields import MoreOptions

    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.disks[0].cache = "none"
    draft.answers.console.log = "/var/log/g.log"
    app = make_app(draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "disks")
        disk = next(g for g in app.screen.query(MoreOptions) if "disk options" in g.title)
        assert not disk.collapsed
        await goto(pilot, "watchdog")
        console = next(g for g in app.screen.query(MoreOptions) if "Console" in g.title)
        assert not console.collapsed
        await goto(pilot, "cpu")
        assert all(g.collapsed for g in app.screen.query(MoreOptions) if "CPU" in g.title)


async def test_crypto_queues_typed_in_the_wizard_reach_the_host_preparation(tmp_path):
    """Adapters and domains typed as lszcrypt prints them: a wrong one stays shown and
    refused; the right ones make Review list the host preparation, and Write writes its
    script beside the guest's files — the same script zwizard prepare writes."""
    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.passthrough.append(Passthrough(type="vfio-ap", uuid=AP_UUID))
    app = make_app(draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "passthrough")
        await press_until(pilot, field_input("passthrough[0].adapters"))
        await type_text(pilot, "0x05,0x0g")
        await pilot.pause()
        assert "'0x05,0x0g' is not numbers" in visible_text(app)
        assert not app.session.result.ok
        await pilot.press("backspace", "backspace", "6")
        await press_until(pilot, field_input("passthrough[0].domains"))
        await type_text(pilot, "4")
        await pilot.pause()
        assert app.session.answers.passthrough[0].adapters == [5, 6]
        assert app.session.answers.passthrough[0].domains == [4]
        await goto(pilot, "review")
        text = visible_text(app)
        assert "Host preparation (minimal-rhel9.prepare.sh" in text
        assert "hand AP queues 05.0004, 06.0004 from the host to vfio_ap (runs)" in text
        app.query_one("#output-dir", Input).value = str(tmp_path)
        app.write()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "next steps: prepare the host: read" in visible_text(app)
    script = (tmp_path / "minimal-rhel9.prepare.sh").read_text()
    assert "run chzdev --type ap apmask=-5,-6 aqmask=-4" in script
    assert (tmp_path / "minimal-rhel9.xml").exists()


async def test_what_is_typed_after_adding_a_device_lands_in_its_first_shown_field():
    """Adding a PCI function puts the cursor in its host address: the form's hidden
    fields (a vfio device's UUID comes first) never take the keys. Seen in tmux: the
    address typed at once went into the hidden UUID, and the XML dropped it."""
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "passthrough")
        add = app.screen.query_one("#passthrough-add-2", Button)
        assert "PCI" in str(add.label)
        await press_until(pilot, lambda w: w is add)
        await pilot.press("enter", *"0000:00:05.0")
        await pilot.pause()
    dev = app.session.answers.passthrough[0]
    assert (dev.type, dev.address, dev.uuid) == ("pci", "0000:00:05.0", None)


def test_a_uuid_on_a_pci_function_is_refused_not_dropped():
    from zwizard.rules import check

    a = from_data(
        {"version": 1, "guest": {"name": "g", "memory_mib": 2048, "vcpus": 1},
         "disks": [{"path": "/var/lib/libvirt/images/g.qcow2", "boot_order": 1}],
         "passthrough": [{"type": "pci", "address": "0001:00:00.0", "uuid": AP_UUID}]},
        "<test>",
    )  # fmt: skip
    found = [f for f in check(a) if f.path == "passthrough[0].uuid"]
    assert (
        found and found[0].severity == "error" and "given by its host address" in found[0].message
    )


async def test_a_nic_with_two_sources_says_so_beside_its_form(tmp_path):
    """The error is on nics[0].source, which no single field is: it must still be on
    screen, with the values and the way out, not only counted in the step's title."""
    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.nics[0].source.bridge = "br0"  # the new NIC's network is still there
    app = make_app(draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "network")
        text = visible_text(app)
        assert (
            "source: give exactly one of network, bridge, direct, user (found: network 'default', "
            "bridge 'br0'); empty the ones not meant [nic-source]"
        ) in " ".join(text.split())


@pytest.mark.parametrize("step", [s.step_id for s in STEPS])
async def test_every_button_and_choice_is_whole_at_80_columns(step):
    # four passthrough kinds in one row cut "+ SCSI" off at 80x24, and the Secure
    # Execution button's label lost its end ("… removing what is list")
    from textual.containers import ScrollableContainer

    draft = draft_of(ASSETS / "pxe-install.toml")
    draft.answers.passthrough.append(Passthrough(type="vfio-ap", uuid=AP_UUID))  # SE: must go
    app = make_app(draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, step)
        for button in app.screen.query("Button, RadioButton, Checkbox"):
            if not shown(button, app.screen):
                continue
            # inside what its scrolling container shows (its scrollbar covers the rest)
            box = next((a for a in button.ancestors if isinstance(a, ScrollableContainer)), None)
            right = box.scrollable_content_region.right if box else app.size.width
            assert button.region.right <= right, (str(button.label), button.region, right)
            assert button.region.width >= len(str(button.label)) + 2, str(button.label)
            assert button.size.width >= button.get_content_width(button.size, button.size)


async def test_an_autosave_made_before_the_name_is_named_after_the_guest_once_it_has_one():
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("pagedown")
        await type_text(pilot, "4")  # vCPUs: something worth keeping, but no name yet
        await pilot.press("pageup")  # a step change autosaves
        await pilot.pause()
        first = app.autosave_path
        assert first is not None and first.name.startswith("unnamed-") and first.exists()
        await press_until(pilot, field_input("guest.name"))
        await type_text(pilot, "named01")
        await pilot.press("pagedown")
        await pilot.pause()
    saved = drafts.newest_unfinished()
    assert saved is not None and saved.path.name.startswith("named01-")
    assert not first.exists()


async def test_an_autosave_follows_the_name_and_never_takes_one_the_name_rule_refuses():
    """Found typing 'web 01!' and mending it to 'web-01': the autosave stayed
    'web 01!-<time>.toml' for good."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press_until(pilot, field_input("guest.name"))
        await type_text(pilot, "web 01!")
        await pilot.press("pagedown")  # a step change autosaves
        await pilot.pause()
        first = app.autosave_path
        assert first is not None and first.name.startswith("unnamed-")
        await pilot.press("pageup")
        await press_until(pilot, field_input("guest.name"))
        await pilot.press("end")  # focus selects the whole text; mend its end instead
        for _ in range(4):
            await pilot.press("backspace")
        await type_text(pilot, "-01")
        assert app.answers.guest.name == "web-01"
        await pilot.press("pagedown")
        await pilot.pause()
        second = app.autosave_path
        assert second is not None and second.name.startswith("web-01-") and second.exists()
        assert not first.exists()
        await pilot.press("pageup")
        await press_until(pilot, field_input("guest.name"))
        await pilot.press("end")
        await type_text(pilot, "b")
        await pilot.press("pagedown")
        await pilot.pause()
    third = app.autosave_path
    assert third is not None and third.name.startswith("web-01b-") and third.exists()
    assert not second.exists()
    assert [p.name for p in drafts.state_dir().iterdir()] == [third.name]


@pytest.mark.parametrize("example", ["secure-execution", "pxe-install", "crypto-zpci"])
async def test_the_cursor_is_in_view_on_arrival_at_every_step(example):
    """Typing lands where the cursor is seen: on Review the first field sat below a long
    list of findings, out of sight, with the cursor in it (80x24)."""
    app = make_app(draft=draft_of(ASSETS / f"{example}.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        for step in STEPS:
            await goto(pilot, step.step_id)
            await pilot.pause()
            focused = app.focused
            assert focused is not None, step.step_id
            assert app.screen.can_view_entire(focused), (step.step_id, focused, focused.region)


# --- issue 25: the wizard keeps its word, round 2 ---------------------------------------


async def test_a_second_disks_format_choice_starts_from_its_own_value(tmp_path):
    """Seen in tmux: `Tab Tab Down Enter` chose qcow2 on the first disk and raw on the
    second (the keyboard highlight of the first disk's form stayed), written as
    type="raw" for a .qcow2 without a word."""
    out = tmp_path / "out"
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "disks")
        app.session.remove_device("disks", 0)
        app.refresh_all()
        await pilot.pause()
        for name in ("db01-root", "db01-data", "db01-logs"):
            await press_until(pilot, widget_id("disks-add-0"))
            await pilot.press("enter")
            await pilot.pause()
            await type_text(pilot, f"/var/lib/libvirt/images/{name}.qcow2")
            await pilot.press("tab", "tab", "down", "enter")  # Format: default -> qcow2
            await pilot.pause()
        await goto(pilot, "review")
        app.query_one("#output-dir", Input).value = str(out)
        app.write()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert [d.format for d in app.session.answers.disks] == ["qcow2"] * 3
    xml = next(out.glob("*.xml")).read_text()
    assert xml.count('type="qcow2"') == 3 and 'type="raw"' not in xml, xml


async def test_the_wizard_writes_the_answers_beside_the_files_and_names_them(tmp_path):
    """Next steps said `zwizard prepare ANSWERS.toml`, but no answers file was written:
    now `<name>.toml` (mode 0600) is written with the files and named."""
    out = tmp_path / "out"
    app = make_app(draft=draft_of(ASSETS / "secure-execution.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "review")
        name = app.answers.guest.name
        assert f"{name}.toml" in visible_text(app)  # "will write" names it
        app.query_one("#output-dir", Input).value = str(out)
        app.write()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = visible_text(app)
    written = out / f"{name}.toml"
    assert f"wrote {written}" in text
    assert "ANSWERS.toml" not in text, text
    assert written.stat().st_mode & 0o777 == 0o600
    r = run_zwizard("--answers", str(written), "-o", str(tmp_path / "again"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "again" / f"{name}.xml").read_text() == (out / f"{name}.xml").read_text()
    assert f"zwizard prepare {written} " in r.stdout  # the answers mode names the file read
    assert "ANSWERS.toml" not in r.stdout
    assert not (tmp_path / "again" / f"{name}.toml").exists()  # it never writes answers


async def test_every_error_a_step_counts_is_said_on_that_step(tmp_path):
    """Seen: `4 Network ✗1` with nothing on the step saying what: the error was on the
    interface the form was not showing, and its words were only on Review."""
    from zwizard.model import Nic, NicSource

    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.nics.append(Nic(source=NicSource(network="default"), mac="52:54:00:zz"))
    app = make_app(draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "network")
        steps = app.query_one("#steps")
        assert "4 Network ✗1" in str(steps.get_option_at_index(3).prompt)
        error = next(f for f in app.result.findings if f.path.startswith("nics[1]"))
        assert error.message in visible_text(app), visible_text(app)


async def test_review_says_at_the_top_when_the_host_preparation_is_refused(tmp_path):
    """At 80x24 Review said "Ready to write" and "no errors" while an error of the host
    preparation waited below the fold, and said the script would be written: it is not."""
    draft = draft_of(ASSETS / "secure-execution.toml")
    draft.answers.secure_execution.certificates = []  # the image script cannot verify
    app = make_app(draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "review")
        name = app.answers.guest.name
        assert not app.session.preparation.ok
        status = str(app.query_one("#review-status", Static).content)
        nav = str(app.query_one("#nav-status", Static).content)
        text = visible_text(app)
    assert "host preparation" in status and "not written" in status, status
    assert "no errors" not in nav and "host preparation" in nav, nav
    assert f"{name}.prepare.sh, written with the files" not in text
    assert f"{name}.prepare.sh" not in text.split("will write:")[1].split("uuid")[0]


async def test_the_preview_at_80_columns_shows_the_whole_append_line(tmp_path):
    """The F2 preview cut lines at 80 columns, with no wrap and no sideways scroll: the
    `append` line, the one to check before a network install, could not be read."""
    import html

    app = make_app(draft=draft_of(ASSETS / "pxe-install.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await goto(pilot, "pxe")
        await pilot.press("f2")
        await pilot.pause()
        area = app.screen.query_one("#preview-text")
        lines = area.text.splitlines()
        at = next(i for i, line in enumerate(lines) if line.strip().startswith("append"))
        for _ in range(200):  # down to it and past it, as a person reads
            if area.cursor_location[0] > at or area.cursor_location[0] == len(lines) - 1:
                break
            await pilot.press("down")
        await pilot.pause()
        svg = app.export_screenshot()
    shown = re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", svg)))
    assert re.sub(r"\s+", "", lines[at]) in shown, lines[at]


def test_the_answers_mode_gives_the_wizards_hint_for_a_unit(tmp_path):
    """`memory_mib = "8G"` got only "expected an integer": the wizard's hint belongs there."""
    src = tmp_path / "g.toml"
    src.write_text(
        'version = 1\n[guest]\nname = "g"\nmemory_mib = "8G"\nvcpus = 1\n'
        '[[disks]]\npath = "/var/lib/libvirt/images/g.qcow2"\n'
    )
    r = run_zwizard("--answers", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode != 0
    assert "for 8G write 8192" in r.stderr, r.stderr


async def test_the_quit_dialogs_buttons_move_with_the_arrows(tmp_path):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press_until(pilot, field_input("guest.name"))
        await type_text(pilot, "arrows01")
        await pilot.press("ctrl+q")
        await pilot.pause(0.3)
        assert app.focused is not None and app.focused.id == "save"
        await pilot.press("right")
        assert app.focused.id == "discard"
        await pilot.press("right", "left", "left")
        assert app.focused.id == "save"
        await pilot.press("left")  # round to the last
        assert app.focused.id == "cancel"
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, type(None))
        assert "Quit?" not in visible_text(app)


# --- the stack the guest is judged against (issue 26) ------------------------------------


async def test_a_target_stack_is_typed_refused_with_the_rule_and_written():
    from zwizard.answers import dumps
    from zwizard.host import HostInfo

    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "guest")
        assert "version rules judged on libvirt 9.0 / QEMU 7.2 (the default target" in (
            visible_text(app)
        )
        await press_until(pilot, field_input("target.libvirt"))
        await type_text(pilot, "11")
        assert "'11' is no version: give libvirt as digits.digits, e.g. '10.10' [target]" in (
            visible_text(app)
        )
        assert "minimal-rhel9.xml" not in app.session.result.files  # nothing written on error
        await type_text(pilot, ".0")  # now 11.0
        await press_until(pilot, field_input("target.qemu"))
        await type_text(pilot, "9.2")
        await pilot.pause()
        assert "version rules judged on libvirt 11.0 / QEMU 9.2 (the answers' [target])" in (
            visible_text(app)
        )
        assert '[target]\nlibvirt = "11.0"\nqemu = "9.2"' in dumps(app.session.answers)
        # a guest for this host: judged on the host's own versions, shown; [target] hidden
        app.use_host(HostInfo(label="z16", libvirt_version=(11, 6, 0), qemu_version=(10, 2, 0)))
        await pilot.pause()
        text = visible_text(app)
        assert "version rules judged on libvirt 11.6.0 / QEMU 10.2.0 (host z16's stack)" in text
        assert "Target host's libvirt" not in text
        await pilot.press("f4")  # for another host: the [target] counts again
        await pilot.pause()
        text = visible_text(app)
        assert "Target host's libvirt" in text and "<11.0>" in text
        assert "version rules judged on libvirt 11.0 / QEMU 9.2 (the answers' [target])" in text


async def test_a_read_only_share_is_greyed_with_the_versions_and_chosen_where_possible():
    from zwizard.model import Target

    async def add_share_to_readonly(app, pilot) -> None:
        await add_share(app, pilot)
        await press_until(pilot, radio_set_of("shares[0].readonly"))

    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await add_share_to_readonly(app, pilot)
        text = visible_text(app)
        assert "read-only (greyed) [disabled]" in text
        assert (
            'read-only — greyed: virtiofs cannot share read-only here (libvirt: "virtiofs does '
            'not yet support read-only mode"): it needs libvirt 11.0; judged on libvirt 9.0 / '
            "QEMU 7.2 (the default target"
        ) in text
        await pilot.press("down", "enter")  # the greyed choice cannot be taken
        await pilot.pause()
    assert app.session.answers.shares[0].readonly is False
    assert "<readonly/>" not in app.session.result.files["minimal-rhel9.xml"]

    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.target = Target(libvirt="11.0", qemu="9.2")
    app = make_app(draft=draft)
    async with app.run_test(size=SIZE) as pilot:
        await add_share_to_readonly(app, pilot)
        assert "read-only (greyed)" not in visible_text(app)
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.session.answers.shares[0].readonly is True
    assert "<readonly/>" in app.session.result.files["minimal-rhel9.xml"]


async def test_deprecated_cpu_features_are_greyed_before_libvirt_11_and_written_after():
    from zwizard.model import Target
    from zwizard.tui.fields import MoreOptions

    async def open_cpu_options(app, pilot) -> None:
        await goto(pilot, "cpu")
        group = next(
            g for g in app.screen.query(MoreOptions) if "CPU and memory options" in g.title
        )
        if group.collapsed:  # with a note on the field (libvirt 11.0 to 11.5) it is open
            title = group.query_one("CollapsibleTitle")
            await press_until(pilot, lambda w: w is title)
            await pilot.press("enter")
            await pilot.pause()
        await press_until(pilot, radio_set_of("cpu.deprecated_features"))

    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await open_cpu_options(app, pilot)
        text = visible_text(app)
        assert "off: the guest can move to machines without them (greyed) [disabled]" in text
        assert (
            "greyed: libvirt refuses <cpu deprecated_features> before it knows it: it needs "
            "libvirt 11.0 with QEMU 9.1; judged on libvirt 9.0 / QEMU 7.2"
        ) in text
    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.target = Target(libvirt="11.0", qemu="9.2")
    app = make_app(draft=draft)
    async with app.run_test(size=SIZE) as pilot:
        await open_cpu_options(app, pilot)
        await pilot.press("down", "enter")  # off
        await pilot.pause()
    assert app.session.answers.cpu.deprecated_features is False
    assert 'deprecated_features="off"' in app.session.result.files["minimal-rhel9.xml"]


async def test_a_status_message_ending_while_the_wizard_closes_is_no_error():
    """Seen on a loaded machine: Ctrl-S's "draft saved" ended (its timer fired) while the
    wizard was closing, and the step list it redraws was gone: NoMatches."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.flash("draft saved: x.toml")
        await pilot.pause()
    for widget in app.query("#steps"):
        await widget.remove()
    app._end_flash()  # the timer firing now
    assert app._flash == ""


async def write_on_review(pilot, out: Path) -> None:
    """Review, the output folder typed, Write pressed, the writing done."""
    await goto(pilot, "review")
    await press_until(pilot, widget_id("output-dir"))
    await type_text(pilot, str(out))
    await press_until(pilot, widget_id("write"))
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_an_edit_after_writing_is_not_lost_by_quitting(tmp_path):
    """A new administrator's trial: written, then back to CPU and 6 typed, Ctrl-Q quit at
    once and kept the draft marked finished, so no start offered it again. Quitting after
    a write asks only when something changed since, and that draft is offered again."""
    out = tmp_path / "out"
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await write_on_review(pilot, out)
        assert (out / "minimal-rhel9.xml").exists()
        await goto(pilot, "cpu")
        await press_until(pilot, field_input("guest.vcpus"))
        await type_text(pilot, "6")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert "Quit? Your answers stay a draft" in visible_text(app)
        await press_until(pilot, widget_id("save"))
        await pilot.press("enter")
        await pilot.pause()
    offered = drafts.newest_unfinished()
    assert offered is not None and offered.answers.guest.vcpus == 6


async def test_quitting_right_after_a_write_asks_nothing(tmp_path):
    out = tmp_path / "out"
    app = make_app(draft=draft_of(ASSETS / "minimal-rhel9.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await write_on_review(pilot, out)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
    assert drafts.newest_unfinished() is None


async def test_a_guest_named_with_an_underscore_installs_with_a_static_address(tmp_path):
    """A new administrator's trial: for `db_01` "static" was greyed (the installer keeps
    no '_' in a host name) and no field took a host name. Static stays choosable; its
    host-name field says what is wrong and takes one."""
    out = tmp_path / "out"
    draft = draft_of(ASSETS / "pxe-install.toml")
    draft.answers.guest.name = "db_01"
    app = make_app(draft=draft)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "pxe")
        static = next(r for r in app.screen.query(RadioButton) if str(r.label) == "static")
        assert not static.disabled, visible_text(app)
        await press_until(pilot, lambda w: type(w).__name__ == "RadioSet")  # the Address choice
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.answers.pxe.ip == "static"
        assert "the installer keeps only" in visible_text(app)
        await press_until(pilot, field_input("pxe.address"))
        await type_text(pilot, "10.1.2.30/24")
        await press_until(pilot, field_input("pxe.gateway"))
        await type_text(pilot, "10.1.2.1")
        await press_until(pilot, field_input("pxe.hostname"))
        await type_text(pilot, "db-01")
        await write_on_review(pilot, out)
    pxe = (out / "pxelinux.cfg" / "default").read_text()
    assert "ip=10.1.2.30::10.1.2.1:255.255.255.0:db-01:" in pxe


async def test_the_status_line_counts_errors_of_every_step_and_says_so(tmp_path):
    """A new administrator's trial read "step 3/9 · 3 error(s)" beside "Disks ✗1" as a
    count of this step's errors; it is the count over all steps."""
    draft = draft_of(ASSETS / "minimal-rhel9.toml")
    draft.answers.disks[0].path = "relative.qcow2"
    draft.answers.guest.vcpus = 0
    app = make_app(draft=draft)
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "disks")
        steps = app.query_one("#steps")
        assert str(steps.get_option_at_index(2).prompt) == "3 Disks & boot order ✗1"
        assert "step 3/9 · 2 error(s) in all" in visible_text(app)


# --- F1 ---------------------------------------------------------------------------------


async def test_f1_lists_the_rules_of_the_step_on_screen_from_the_catalog():
    """F1 on PXE names the loadparm and PXE rules (with their one line) and not the
    guest's; on Review the machine type rules a converted guest can meet."""
    from zwizard.rules import RULES

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "pxe")
        await pilot.press("f1")
        await pilot.pause()
        text = visible_text(app)
        assert "Rules on this step (" in text
        assert "pxe-config" in text and RULES["pxe-config"] in text
        assert "loadparm" in text and "guest-name" not in text
        await pilot.press("escape")
        await pilot.pause()
        await goto(pilot, "review")
        await pilot.press("f1")
        await pilot.pause()
        text = visible_text(app)
        assert "machine-removed" in text and "no-x86-features" in text


async def test_lifecycle_actions_the_qemu_driver_refuses_are_greyed_with_its_words():
    """on_poweroff/on_reboot 'preserve' and 'rename-restart' are refused by libvirt's QEMU
    driver at define (rule lifecycle): offered greyed, with the reason on screen."""
    from zwizard.tui.fields import ChoiceField, MoreOptions

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await goto(pilot, "guest")
        more = next(m for m in app.query(MoreOptions) if "power-off" in str(m.title))
        more.collapsed = False
        await pilot.pause()
        field = next(f for f in app.query(ChoiceField) if f.path == "guest.on_poweroff")
        buttons = {str(b.label).split(" ")[0]: b for b in field.query(RadioButton)}
        assert buttons["preserve"].disabled and not buttons["restart"].disabled
        assert "[lifecycle]" in visible_text(app)


async def test_a_custom_model_dropped_with_another_mode_leaves_the_model_list_blank():
    """An outside tester: custom gen15a, then the default mode, then custom again — the
    list still showed gen15a while the model was gone ("custom needs a model"), and
    choosing gen15a again changed nothing."""
    from textual.widgets import Select

    from zwizard.tui.messages import ValueChosen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_step("cpu")
        models = app.query_one("#cpu-model", Select)
        app.post_message(ValueChosen("cpu.mode", "custom"))
        await pilot.pause()
        models.value = "gen15a"  # as a pick in the list does: Select.Changed
        await pilot.pause()
        assert app.answers.cpu.model == "gen15a"
        for mode in (None, "custom"):
            app.post_message(ValueChosen("cpu.mode", mode))
            await pilot.pause()
            assert app.answers.cpu.model is None and models.is_blank()
        models.value = "gen15a"
        await pilot.pause()
        assert (app.answers.cpu.mode, app.answers.cpu.model) == ("custom", "gen15a")
