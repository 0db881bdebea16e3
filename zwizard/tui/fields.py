"""Form fields bound to a key path of the answers.

Each field shows the value at its path (or the text typed that is not a value
yet), posts a message when the user changes it, and shows — as text on screen —
the rules' findings for its path and, for every choice the rules forbid now, the
reason it is greyed. Values shown by the program are set with `prevent()`, so a
change event always means a person did something.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Collapsible, Input, Label, RadioButton, RadioSet, Static

from zwizard.questions import group, question, yes_or_no
from zwizard.rules import Availability
from zwizard.session import shown_text
from zwizard.structure import field, is_default, lookup, record
from zwizard.tui.compat import Box, Radio, highlight
from zwizard.tui.messages import OptionsOpened, TextEdited, ValueChosen

if TYPE_CHECKING:
    from zwizard.build import Build
    from zwizard.host import HostInfo
    from zwizard.model import Answers
    from zwizard.rules import Finding
    from zwizard.stack_versions import Stack


W = TypeVar("W")


def holding(container: Any, kind: type[W], built: bool | None = None) -> list[W]:
    """Every `kind` inside `container`, looked up once it is built: the wizard mounts
    nothing into a step after its build, and a query walks and matches the whole subtree
    again (on a redraw of a step with a device form, 60% of the time went to queries).
    `built` says whether the subtree is complete; by default, once the container is
    mounted (Textual mounts what it composes before it counts as mounted)."""
    cache: dict[type, list[Any]] | None = getattr(container, "_holding", None)
    if cache is not None and kind in cache:
        return cache[kind]
    found = list(container.query(kind))
    if built if built is not None else container.is_mounted:
        if cache is None:
            cache = container._holding = {}
        cache[kind] = found
    return found


@record
class State:
    """What every step needs to draw itself: the answers and what the rules say."""

    answers: Answers
    result: Build
    pending: dict[str, str] = field(default_factory=dict)
    typed: dict[str, tuple[str, Any]] = field(default_factory=dict)
    host: HostInfo | None = None
    host_is_target: bool = True
    stack: Stack | None = None  # what the version rules judge against (Session.stack)
    _cache: dict[tuple[str, str], Availability] = field(default_factory=dict)

    def allowed(self, path: str, value: Any) -> Availability:
        key = (path, repr(value))
        if key not in self._cache:
            from zwizard.session import choice_availability

            self._cache[key] = choice_availability(
                self.answers,
                path,
                value,
                self.host,
                self.host_is_target,
                self.result.findings,
                self.pending,
                self.result.resolved,
            )
        return self._cache[key]

    def can_add(self, key: str, item: Any) -> Availability:
        cache_key = (f"{key}[+]", repr(item))
        if cache_key not in self._cache:
            from zwizard.session import can_add

            self._cache[cache_key] = can_add(
                self.answers, key, item, self.host, self.host_is_target
            )
        return self._cache[cache_key]

    def findings_at(self, path: str) -> list[Finding]:
        """Findings for exactly this path or below it."""
        return [
            f
            for f in self.result.findings
            if f.path == path or f.path.startswith((path + ".", path + "["))
        ]


def shown(widget: Any, within: Any) -> bool:
    """Whether `widget` is on screen inside `within`: it and every container between
    them displayed (a field of a form hidden for this kind of item is not)."""
    node = widget
    while node is not None and node is not within:
        if not node.display or not node.visible:
            return False
        node = node.parent
    return True


def focus_on(widget: Any, scroll: bool = True) -> None:
    """Move the cursor to `widget` now and, for a text field, select its text so typing
    replaces it — both before the next key of a burst is handled."""
    widget.screen.set_focus(widget, scroll_visible=False)
    if scroll:
        # the whole field (label, input and what the rules say below it) comes into view
        field = next((a for a in widget.ancestors if isinstance(a, PathField)), None)
        (field or widget).scroll_visible(animate=False)
    if isinstance(widget, Input):
        from textual.widgets.input import Selection

        widget.selection = Selection(0, len(widget.value))


class Plain(Static):
    """Text shown as it is: findings quote values and rule ids in [brackets], never markup."""

    def __init__(self, content: str = "", **kw: Any) -> None:
        super().__init__(content, markup=False, **kw)


MARKS = {"error": "✗", "warning": "!", "note": "i"}  # how the wizard shows a severity


def set_label(widget: Any, text: str) -> None:
    """Change a button's, box's or radio's label, and lay it out again, only when it differs:
    a Button's label only repaints, so without the layout it keeps its old width (the
    terminal showed "Remove" for "Remove #1"); a toggle lays out at every set."""
    if str(widget.label) != text:
        widget.label = text
        widget.refresh(layout=True)


def finding_text(findings: list[Finding]) -> str:
    return "\n".join(f"{MARKS[f.severity]} {f.message} [{f.rule}]" for f in findings)


class PathField(Vertical):
    """Base: a labelled control for one key path, with its findings below it."""

    def __init__(
        self,
        path: str,
        label: str | None = None,
        *,
        help: str | None = None,
        when: Any = None,
        id: str | None = None,
    ) -> None:
        """`label` and `help` given: a device form's field (its kind declares them);
        left out: the key's declared question (zwizard.questions) gives them."""
        super().__init__(id=id, classes="field")
        asked = question(path) if label is None else None
        self.asked = asked  # the declared question, where the field takes its words from it
        self.path = path
        self.label = asked.label if asked is not None else str(label)
        self.help = help if help is not None else asked.help if asked is not None else ""
        self.when = when  # in a device form: shown only for items it applies to

    def rebind(self, path: str) -> None:
        """Point the field at another item of a list (disks[0] -> disks[1])."""
        self.path = path

    def show_findings(self, state: State, extra: list[str] | None = None) -> None:
        note = self.query_one(".field-findings", Static)
        findings = [f for f in state.findings_at(self.path) if f.severity != "note"]
        text = finding_text(findings) or self.help
        note.update("\n".join(filter(None, [text, *(extra or [])])))
        note.set_class(any(f.severity == "error" for f in findings), "-error")
        note.set_class(bool(findings) and not note.has_class("-error"), "-warning")


class TextField(PathField):
    """An Input. Every keystroke goes to the editing core as typed; text that is not a
    value (letters in a number field) stays shown and counts as an error there."""

    def __init__(
        self,
        path: str,
        label: str | None = None,
        *,
        kind: str | None = None,
        placeholder: str | None = None,
        help: str | None = None,
        when: Any = None,
        probe: Any = None,
        offer: Any = None,
        id: str | None = None,
    ) -> None:
        super().__init__(path, label, help=help, when=when, id=id)
        asked = self.asked
        self.probe = probe  # a value to ask the rules about: refused -> the input is greyed
        # offer(state, path) -> [(value, note)]: what this host has for the field
        self.offer = offer
        self.kind = kind or (asked.kind if asked is not None else "str")
        if placeholder is None:
            placeholder = asked.shown_empty if asked is not None else ""
        self.placeholder = placeholder
        self.applied: list[str] = []  # texts the app gave the session as they were typed

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label")
        # the app selects the text when it moves the cursor here (focus_on), at once:
        # Input's own select-on-focus runs later and would select what was typed since
        yield Input(placeholder=self.placeholder, compact=True, select_on_focus=False)
        yield Plain(self.help, classes="field-findings")

    in_flight = 0  # edits posted that the app has not applied yet
    shown = ""  # the text this field last showed or reported: anything else is fresh typing

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value in self.applied:
            # typed through the app, which gave the session this text at once
            del self.applied[: self.applied.index(event.value) + 1]
            return
        self.in_flight += 1
        self.shown = event.value
        self.post_message(TextEdited(self.path, event.value, self.kind))

    def typing(self, inp: Input) -> bool:
        """The user's own typing is in this input or on its way to the app. Checked
        against the screen's focus (set at once) and the input's text, not `has_focus`
        or Changed events: those arrive later than the next keys of a burst."""
        return inp.screen.focused is inp or bool(self.in_flight) or inp.value != self.shown

    def sync(self, state: State) -> None:
        inp = self.query_one(Input)
        text = shown_text(state.answers, self.path, state.pending, state.typed)
        # the user's own typing is never undone: not while the field has the cursor, and
        # not while its edits are still on their way to the app (keys in a burst)
        if not self.typing(inp) and inp.value != text:
            with inp.prevent(Input.Changed):
                inp.value = text
            self.shown = text
        verdict = None
        if self.probe is not None and not text:
            probe = self.probe(state) if callable(self.probe) else self.probe
            verdict = state.allowed(self.path, probe)
        inp.disabled = verdict is not None and not verdict.allowed
        note = self.query_one(".field-findings", Static)
        if verdict is not None and not verdict.allowed:
            note.update(f"greyed: {verdict.reason} [{verdict.rule}]")
            note.add_class("-greyed")
            inp.remove_class("-invalid")
        else:
            note.remove_class("-greyed")
            self.show_findings(state, self.offered(state, inp))
            inp.set_class(note.has_class("-error"), "-invalid")

    def offered(self, state: State, inp: Input) -> list[str]:
        """Offer the host's values: completion in the input, and a line to read."""
        if self.offer is None or state.host is None:
            return []
        items = self.offer(state, self.path)
        inp.suggester = SuggestFromList([v for v, _ in items], case_sensitive=False)
        if not items:
            return ["on this host: none found"]
        shown = ", ".join(f"{v} ({note})" if note else v for v, note in items[:6])
        more = f" … and {len(items) - 6} more" if len(items) > 6 else ""
        return [f"on this host: {shown}{more}"]


class ChoiceField(PathField):
    """One of several values; the rules grey what they forbid and say why."""

    def __init__(
        self,
        path: str,
        label: str | None = None,
        options: list[tuple[Any, str]] | None = None,
        *,
        help: str | None = None,
        when: Any = None,
        id: str | None = None,
    ) -> None:
        super().__init__(path, label, help=help, when=when, id=id)
        if options is None:
            options = list((self.asked or question(path)).choices)
        self.options = options
        self.drawn: tuple[str, Any] | None = None  # the path and value last drawn

    def rebind(self, path: str) -> None:
        super().rebind(path)
        self.drawn = None  # another item: its own value, its own highlight

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label")
        with RadioSet(compact=True):
            for _, text in self.options:
                yield Radio(text)
        yield Plain(self.help, classes="field-findings")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.post_message(ValueChosen(self.path, self.options[event.index][0]))

    def sync(self, state: State) -> None:
        current = lookup(state.answers, self.path)
        reasons = []
        for (value, text), button in zip(self.options, holding(self, Radio), strict=True):
            verdict = state.allowed(self.path, value) if value != current else Availability(True)
            button.disabled = not verdict.allowed
            mark = "" if not verdict.reasons else " (greyed)" if not verdict.allowed else " (!)"
            set_label(button, text + mark)
            button.set_class(bool(verdict.reasons) and verdict.allowed, "-warned")
            if verdict.reasons:
                word = "greyed" if not verdict.allowed else "mind"
                reasons.append(f"{text} — {word}: {verdict.reason} [{verdict.rule}]")
            # exactly the current value is marked: the set never saw the program's
            # marks (prevented), so it does not clear an earlier one by itself
            if button.value != (value == current):
                with self.prevent(RadioSet.Changed, RadioButton.Changed):
                    button.value = value == current
        if self.drawn != (self.path, current):
            # the keyboard highlight starts on the value shown: left where the arrows put
            # it on another disk's form, Down from there chose another value than the
            # same keys on the first disk (qcow2 there, raw or the default here)
            self.drawn = (self.path, current)
            values = [value for value, _ in self.options]
            highlight(
                self.query_one(RadioSet), values.index(current) if current in values else None
            )
        self.show_findings(state, reasons)


class ToggleField(PathField):
    """A yes/no choice; greyed with the rules' reason when turning it on is forbidden.

    `effective` reads the value that applies when the key is unset (balloon and
    rng default to on, or off under Secure Execution).
    """

    def __init__(
        self,
        path: str,
        label: str | None = None,
        *,
        help: str | None = None,
        effective: Any = None,
        id: str | None = None,
    ) -> None:
        super().__init__(path, label, help=help, id=id)
        self.effective = effective

    def compose(self) -> ComposeResult:
        with Horizontal(classes="toggle-row"):
            yield Box(self.label, compact=True)
        yield Plain(self.help, classes="field-findings")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.post_message(ValueChosen(self.path, event.value))

    def sync(self, state: State) -> None:
        value = lookup(state.answers, self.path)
        current = bool(self.effective(state) if value is None and self.effective else value)
        box = self.query_one(Checkbox)
        verdict = state.allowed(self.path, True) if not current else Availability(True)
        if box.value != current:
            with self.prevent(Checkbox.Changed):
                box.value = current
        box.disabled = not verdict.allowed
        note = self.query_one(".field-findings", Static)
        if not verdict.allowed:
            note.update(f"greyed: {verdict.reason} [{verdict.rule}]")
            note.set_class(False, "-error")
            note.add_class("-greyed")
        else:
            note.remove_class("-greyed")
            self.show_findings(state)


class FixedChoice(Plain):
    """A choice IBM Z never offers, shown greyed with the reason (no answers key)."""

    def __init__(self, key: str) -> None:
        super().__init__(classes="fixed-choice")
        self.key = key
        self.text = question(key).label

    def sync(self, state: State) -> None:
        verdict = state.allowed(self.key, True)
        self.update(f"[ ] {self.text} — greyed: {verdict.reason} [{verdict.rule}]")


class MoreOptions(Collapsible):
    """Options beyond the essentials, folded until opened — as the prompt mode asks
    "More … options?": fewer fields to Tab through at 80x24, less to draw at each step
    change. It opens by itself when a field inside holds a value or a finding, so
    nothing set is ever out of sight."""

    def __init__(self, *children: Any, title: str, id: str | None = None) -> None:
        # "-collapsed" from the start: Collapsible adds it on mount, and a class added to
        # a mounted widget restyles its whole subtree (a third of a step's build)
        super().__init__(
            *children, title=title, collapsed=True, classes="more-options -collapsed", id=id
        )
        self.opened_itself = False

    def scroll_visible(self, *args: Any, **kwargs: Any) -> None:
        # Collapsible scrolls to itself whenever it opens; opened by the program (a
        # value inside), it must not carry the step away from the cursor's field
        if self.opened_itself:
            self.opened_itself = False
            return
        super().scroll_visible(*args, **kwargs)

    def fields(self) -> list[PathField]:
        return holding(self, PathField)

    def open_if_used(self, state: State) -> None:
        if not self.collapsed:
            return
        for f in self.fields():
            if f.display is False:
                continue
            if (
                f.path in state.pending
                or not is_default(state.answers, f.path)
                or state.findings_at(f.path)
            ):
                self.opened_itself = True
                self.collapsed = False
                return

    def on_collapsible_expanded(self, event: Collapsible.Expanded) -> None:
        event.stop()
        self.post_message(OptionsOpened())


def grouped(key: str, id: str | None = None) -> MoreOptions:
    """A declared group of options (zwizard.questions.GROUPS), folded: a field of its
    kind for each key, under the title the prompt mode asks too."""
    declared = group(key)
    fields: list[PathField] = [
        ChoiceField(path) if question(path).choices
        else ToggleField(path) if yes_or_no(path)
        else TextField(path)
        for path in declared.paths
    ]  # fmt: skip
    return MoreOptions(*fields, title=declared.title, id=id)


def folded(field: Any) -> bool:
    """The field sits in a folded group: not drawn now, so not synced either."""
    return any(isinstance(a, MoreOptions) and a.collapsed for a in field.ancestors)


def sync_fields(fields: Iterable[Any], state: State) -> None:
    """Draw fields from the session: a folded group holding a value or a finding opens
    first; a field still folded away is not drawn (it is when its group opens)."""
    fields = list(fields)
    groups = dict.fromkeys(a for f in fields for a in f.ancestors if isinstance(a, MoreOptions))
    for folding in groups:
        folding.open_if_used(state)
    for f in fields:
        if not folded(f):
            f.sync(state)


def declared(key: str, options: Any, title: str) -> list[Any]:
    """The fields a device kind declares for its entries (`Kind.fields`, `Kind.options`),
    folded under `title` when one is given: the same declarations the prompt mode asks."""
    fields: list[Any] = []
    for f in options:
        path = f"{key}[0].{f.key}"
        if f.choices:
            fields.append(ChoiceField(path, f.label, list(f.choices), when=f.applies))
            continue
        offer = None if f.offer is None else _host_offer(f.offer)
        probe = None if f.probe is None else (lambda state, p=f.probe: p(state.answers))
        fields.append(
            TextField(path, f.label, kind=f.text, placeholder=f.placeholder, when=f.applies,
                      help=f.help, offer=offer, probe=probe)
        )  # fmt: skip
    return [MoreOptions(*fields, title=title)] if title else fields


def _host_offer(offer: Any) -> Any:
    """A kind's offer (answers, host, entry) as a field's (state, path)."""

    def on_host(state: State, path: str) -> list[tuple[str, str]]:
        if state.host is None:
            return []
        entry = lookup(state.answers, path[: path.index("]") + 1])
        return offer(state.answers, state.host, entry)

    return on_host
