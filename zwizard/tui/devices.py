"""A list of devices (disks, NICs, passthrough) with add/remove/reorder and an edit form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from zwizard.devices import BY_KEY
from zwizard.tui.fields import (
    MARKS,
    FixedChoice,
    PathField,
    Plain,
    State,
    focus_on,
    holding,
    set_label,
    shown,
    sync_fields,
)
from zwizard.tui.messages import DeviceAdded, DeviceMoved, DeviceRemoved

ADD_ROW_WIDTH = 44  # columns of buttons per row: what an 80-column terminal shows whole


def _rows(labels: list[str], width: int) -> list[list[int]]:
    """Indices of `labels` in rows of at most `width` columns (a compact button is its
    label with a blank either side, one column apart)."""
    rows: list[list[int]] = [[]]
    used = 0
    for i, label in enumerate(labels):
        need = len(label) + 3
        if rows[-1] and used + need > width:
            rows.append([])
            used = 0
        rows[-1].append(i)
        used += need
    return rows


class AddButton(Button):
    """Adds a new item; greyed with the rules' reason when the item is not allowed."""

    def __init__(self, label: str, make: Callable[[], Any], id: str) -> None:
        super().__init__(label, id=id, compact=True)
        self.text = label
        self.make = make  # the blank item added


class DeviceList(Vertical):
    """Items of `answers.<key>`; the form's fields are bound to the highlighted item."""

    def __init__(
        self,
        key: str,
        describe: Callable[[State, int], str],
        form: Callable[[], list[PathField]],
        *,
        empty: str,
    ) -> None:
        super().__init__(classes="device-list")
        self.key = key
        self.describe = describe
        # what the kind offers to add, in its words (the prompt mode offers the same)
        self.adds = [(f"+ {word}", blank) for word, blank in BY_KEY[key].adds]
        self.make_form = form
        self.empty = empty
        self.selected = 0
        self.state: State | None = None
        self.focus_form = False
        self.expect: int | None = None  # item count an add pressed is waiting for

    def compose(self) -> ComposeResult:
        yield OptionList(id=f"{self.key}-items", classes="items")
        # the add buttons in rows that 80 columns show whole (the form is ~50 wide there:
        # four passthrough kinds in one row cut "+ SCSI" off), then the list's own
        for row in _rows([label for label, _ in self.adds], ADD_ROW_WIDTH):
            with Horizontal(classes="buttons"):
                for i in row:
                    label, make = self.adds[i]
                    yield AddButton(label, make, id=f"{self.key}-add-{i}")
        with Horizontal(classes="buttons"):
            yield Button("Remove", id=f"{self.key}-remove", compact=True)
            yield Button("Up", id=f"{self.key}-up", compact=True)
            yield Button("Down", id=f"{self.key}-down", compact=True)
        yield Plain("", classes="greyed-reasons")
        # what the rules say about the entry that no field of its form shows (the NIC's
        # source as a whole, an entry that clashes with another): never a silent error
        entry = Plain("", classes="field-findings entry-findings")
        entry.display = False
        yield entry
        with Vertical(classes="device-form"):
            yield from self.make_form()

    def items(self, state: State) -> list[Any]:
        return getattr(state.answers, self.key)

    def entry(self, state: State) -> str:
        """The entry whose form, and whatever the rules say of it, is on screen."""
        count = len(self.items(state))
        return f"{self.key}[{max(0, min(self.selected, count - 1))}]" if count else ""

    def sync(self, state: State) -> None:
        self.state = state
        if not self.query(f"#{self.key}-remove"):
            # a step shown for the first time mounts this list's own widgets a moment
            # after the step's: draw once they are there (querying now would raise)
            def later() -> None:
                if self.state is state:
                    self.sync(state)

            self.call_after_refresh(later)
            return
        items = self.items(state)
        # an add pressed but not applied yet (a redraw for an earlier edit came first):
        # keep pointing at the item to come, and keep the cursor's move for it
        waiting = self.expect is not None and len(items) < self.expect
        if not waiting:
            self.expect = None
            self.selected = max(0, min(self.selected, len(items) - 1))
        at = max(0, min(self.selected, len(items) - 1))  # the item the form shows
        lst = self.query_one(OptionList)
        prompts = [self.describe(state, i) for i in range(len(items))] or [self.empty]
        listed = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
        if listed != prompts:  # redraw only what changed: fewer bytes to the terminal
            with lst.prevent(OptionList.OptionHighlighted):
                lst.clear_options()
                if items:
                    lst.add_options([Option(p) for p in prompts])
                else:
                    lst.add_option(Option(self.empty, disabled=True))
        if items and lst.highlighted != at:
            with lst.prevent(OptionList.OptionHighlighted):
                lst.highlighted = at
        reasons = []
        for button in holding(self, AddButton):
            verdict = state.can_add(self.key, button.make())
            button.disabled = not verdict.allowed
            if not verdict.allowed:
                reasons.append(f"{button.text}: greyed — {verdict.reason} [{verdict.rule}]")
        self.query_one(".greyed-reasons", Static).update("\n".join(reasons))
        for name in ("remove", "up", "down"):
            self.query_one(f"#{self.key}-{name}", Button).disabled = not items
        # say which one the buttons act on; with none left, no number (a removed one's
        # "Remove #1" stayed under "no host devices")
        remove = f"Remove #{at + 1}" if items else "Remove"
        set_label(self.query_one(f"#{self.key}-remove", Button), remove)
        form = self.query_one(".device-form")
        form.display = bool(items)
        if not items:
            self.query_one(".entry-findings", Static).display = False
        if items:
            prefix = f"{self.key}[{at}]"
            item = items[at]
            for f in holding(form, PathField):
                f.rebind(prefix + f.path[f.path.index("]") + 1 :] if "]" in f.path else prefix)
                f.display = f.when is None or f.when(item)
            shown_fields = [f for f in holding(form, PathField) if f.display]
            sync_fields(shown_fields, state)
            self._entry_findings(state, prefix, [f.path for f in shown_fields])
            if self.focus_form and not waiting:
                self.focus_form = False
                # the first input shown: a hidden field's input (the UUID of a vfio
                # device, when a PCI function was added) would swallow what is typed next
                first = next(
                    (w for w in holding(form, Input) if shown(w, form) and not w.disabled), None
                )
                if first is not None:
                    focus_on(first)  # at once: typed keys follow
            for choice in holding(form, FixedChoice):
                choice.sync(state)

    def _entry_findings(self, state: State, prefix: str, fields: list[str]) -> None:
        def shown_by_a_field(path: str) -> bool:
            return any(path == f or path.startswith((f + ".", f + "[")) for f in fields)

        findings = [
            f
            for f in state.findings_at(prefix)
            if f.severity != "note" and not shown_by_a_field(f.path)
        ]
        note = self.query_one(".entry-findings", Static)
        lines = [
            f"{MARKS[f.severity]} {f.path[len(prefix) :].lstrip('.') or prefix}: {f.message} "
            f"[{f.rule}]"
            for f in findings
        ]
        note.update("\n".join(lines))
        note.display = bool(lines)  # no empty row when all is well
        note.set_class(any(f.severity == "error" for f in findings), "-error")
        note.set_class(bool(findings) and not note.has_class("-error"), "-warning")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_list.highlighted != event.option_index:
            return  # stale (from rebuilding the list)
        self.follow(event.option_index)

    def follow(self, index: int | None) -> None:
        """Bind the form to the item highlighted now. Called at the key that moved the
        highlight, too: in a burst (`Home Tab … /dev/sdb`) the typing behind it must
        reach this item's form, not the one highlighted before."""
        if self.expect is not None or index is None:
            return  # an add is on its way
        if self.state and index != self.selected and self.items(self.state):
            self.selected = index
            self.sync(self.state)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button
        if isinstance(button, AddButton):
            event.stop()
            self.post_message(DeviceAdded(self.key, button.make()))
            self.selected = len(self.items(self.state)) if self.state else 0
            self.expect = self.selected + 1  # the count once the app has added it
            self.focus_form = True  # typing continues in the new item's first field
            return
        op = (button.id or "").rsplit("-", 1)[-1]
        if button.id != f"{self.key}-{op}":
            return  # a button of the form below (not ours)
        event.stop()
        self.expect = None  # acting on the list as it is now
        if op == "remove":
            self.post_message(DeviceRemoved(self.key, self.selected))
        elif op in ("up", "down"):
            delta = -1 if op == "up" else 1
            self.post_message(DeviceMoved(self.key, self.selected, delta))
            count = len(self.items(self.state)) if self.state else 1
            self.selected = max(0, min(count - 1, self.selected + delta))
