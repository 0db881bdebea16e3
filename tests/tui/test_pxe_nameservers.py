"""Several name servers typed into the wizard's PXE step and the prompt mode (issue 24):
blank- or comma-separated, as the AP adapters and domains are typed."""

from __future__ import annotations

from tests.helpers import ASSETS
from tests.tui.conftest import SIZE, field_input, make_app, press_until, type_text
from tests.tui.test_prompt import CLEAR, DOWN, ENTER, NO, YES, drive
from zwizard import drafts, prompt
from zwizard.answers import load
from zwizard.tui.fields import TextField


async def test_the_wizard_takes_several_name_servers_and_writes_each():
    a, _ = load(ASSETS / "tcg-pxe.toml")
    app = make_app(draft=drafts.Draft(answers=a))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.show_step("pxe")
        await pilot.pause()
        await press_until(pilot, field_input("pxe.nameserver"))
        await type_text(pilot, "10.0.2.3, 10.0.2.4 10.0.2.5")
        assert app.session.answers.pxe.nameserver == ["10.0.2.3", "10.0.2.4", "10.0.2.5"]
        pxe = app.session.result.files["pxelinux.cfg/default"]
        assert "nameserver=10.0.2.3 nameserver=10.0.2.4 nameserver=10.0.2.5 " in pxe
        await type_text(pilot, " 2001:db8::53")  # IPv6 beside a static IPv4: dropped
        await pilot.pause()
        assert not app.session.result.ok
        (field,) = [f for f in app.screen.query(TextField) if f.path == "pxe.nameserver"]
        note = str(field.query_one(".field-findings").content)
        assert "name server 2001:db8::53 is IPv6" in note and "[pxe-config]" in note


def test_the_prompt_takes_several_name_servers_and_refuses_a_wrong_one(tmp_path):
    a, _ = load(ASSETS / "minimal-rhel9.toml")
    draft = prompt.drafts.Draft(answers=a, step="pxe")
    keys = [YES, CLEAR, "vmlinuz", ENTER, CLEAR, "initrd.img", ENTER,
            CLEAR, "http://10.0.0.1/os/", ENTER, CLEAR, ENTER,
            DOWN, ENTER,  # static
            CLEAR, "10.0.0.50/24", ENTER, CLEAR, "10.0.0.1", ENTER,
            CLEAR, ENTER, CLEAR, ENTER,  # host name, interface: the defaults
            CLEAR, "10.0.0.53, 2001:db8::53", ENTER,  # refused: IPv6 beside static IPv4
            CLEAR, "10.0.0.53,10.0.0.54", ENTER, CLEAR, ENTER,
            NO,  # no more PXE options
            ENTER, YES]  # output folder as given; write  # fmt: skip
    code, text = drive(keys, prompt.run, a, tmp_path / "out", draft=draft)
    assert code == 0, text
    assert "name server 2001:db8::53 is IPv6" in text and "[pxe-config]" in text
    assert a.pxe.nameserver == ["10.0.0.53", "10.0.0.54"]
    pxe = (tmp_path / "out" / "pxelinux.cfg" / "default").read_text()
    assert "ip=10.0.0.50::10.0.0.1:255.255.255.0:minimal-rhel9:enc1:none " in pxe
    assert "nameserver=10.0.0.53 nameserver=10.0.0.54 " in pxe
