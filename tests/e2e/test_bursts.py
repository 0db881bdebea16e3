"""Issue 25: bursts that cross an edit's effect, typed into tmux at 80x24, judged by
what ends up written to disk."""

from __future__ import annotations

import pytest

from tests.e2e.terminal import ZWIZARD
from tests.helpers import ASSETS
from zwizard import drafts
from zwizard.answers import load


def pxe_draft(tmp_path):
    answers, _ = load(ASSETS / "pxe-install.toml")
    answers.pxe.ip = "static"
    answers.pxe.address = "10.0.0.50/24"
    answers.pxe.gateway = "10.0.0.1"
    path = tmp_path / "pxe-draft.toml"
    drafts.save(drafts.Draft(answers=answers, step="pxe"), path)
    return path


@pytest.mark.parametrize("attempt", range(3))
def test_a_burst_that_starts_by_mending_a_field_writes_the_files(tmux, tmp_path, attempt):
    """On PXE: empty the address (its error shows), then in ONE burst the address,
    PageDown, an output folder, Tab, Tab, Enter. Seen 8 of 8 times: nothing written and
    nothing said (Write was still greyed when the Tabs went past it)."""
    draft = pxe_draft(tmp_path)
    out = tmp_path / "out4"
    tmux.width, tmux.height = 80, 24
    tmux.start(f"env XDG_STATE_HOME={tmp_path / 'state'} {ZWIZARD} --other-host --draft {draft}")
    tmux.wait_for("PXE network install")
    for _ in range(6):  # one by one: the box, kernel, initrd, source, kickstart, Address
        tmux.keys("Tab")
    tmux.wait_for("static address")
    tmux.keys("BSpace")  # Tab selects the address: this empties it
    tmux.wait_for("error(s)")
    tmux.keys(*"10.0.0.50/24", "PageDown", *str(out), "Tab", "Tab", "Enter", delay=0)
    tmux.wait_for("wrote", timeout=30)
    pxe = (out / "pxelinux.cfg" / "01-52-54-00-3a-10-01").read_text()
    assert "ip=10.0.0.50::10.0.0.1:255.255.255.0" in pxe, pxe


def test_the_readmes_first_command_opens_the_wizard_which_goes_on_without_a_host(tmux, tmp_path):
    """README's set-up command ended in `zwizard --help`: it opens the wizard now, which
    on a machine without a KVM host says host data is unavailable and goes on."""
    from tests.helpers import ROOT

    readme = (ROOT / "README.md").read_text()
    setup = readme.split("```sh\n", 1)[1].split("\n```", 1)[0]
    assert setup.endswith("&& .venv/bin/zwizard"), setup
    # no virsh on the PATH, sysfs of a machine with no IBM Z devices
    tmux.width, tmux.height = 80, 24
    tmux.start(f"env PATH=/nonexistent XDG_STATE_HOME={tmp_path / 'state'} {ZWIZARD}")
    tmux.wait_for("Guest OS")
    # what was read (the interfaces, from /sys) is judged; what was not is said
    tmux.wait_for("(virsh is not installed", timeout=30)
    tmux.type("g1")  # it goes on: typing works
    tmux.wait_for("g1")
