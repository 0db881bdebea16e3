"""The [draft] table a draft adds to the answers. Declared as the model is (real
annotations, no `from __future__ import annotations`): the decoder, the writer and the
JSON Schema read its field types as they are."""

from zwizard.structure import record, spec


@record
class DraftMeta:
    """Written by the wizard into drafts (the [draft] table): where the user was and
    text typed that is not a valid value yet, so that resuming loses nothing."""

    step: str = spec("guest", "the step the user was on", always=True)
    finished: bool = spec(False, "the guest was written", always=True)
    pending: dict[str, str] = spec(
        doc="text typed that is not a value yet: key path -> the text as typed", factory=dict
    )
    other_host: bool = spec(False, "judged as a guest for another host (no host checks)")
    field: str = spec("", "the key path the cursor was in")
