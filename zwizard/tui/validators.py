"""Textual validators for IBM Z values; the rules module stays the judge of meaning."""

from __future__ import annotations

import re

from textual.validation import Regex

from zwizard.rules import LOADPARM as LOADPARM_RE
from zwizard.rules import MAC as MAC_RE
from zwizard.rules import PCI_ADDR, UUID

BUSID = Regex(r"^(|(0x)?[0-9a-fA-F]{1,2}\.(0x)?[0-9a-fA-F]\.(0x)?[0-9a-fA-F]{1,4})$",
              failure_description="a ccw bus-id looks like fe.0.0001")  # fmt: skip
LOADPARM = Regex(r"^(|" + LOADPARM_RE.pattern.strip("^$") + ")$", flags=re.IGNORECASE,
                 failure_description="1-8 of A-Z 0-9 . and blank")  # fmt: skip
MAC = Regex(r"^(|" + MAC_RE.pattern.strip("^$") + ")$", flags=re.IGNORECASE,
            failure_description="a MAC looks like 52:54:00:12:34:56")  # fmt: skip
MDEV_UUID = Regex(r"^(|" + UUID.pattern.strip("^$") + ")$", flags=re.IGNORECASE,
                  failure_description="a UUID: 8-4-4-4-12 hex digits")  # fmt: skip
PCI = Regex(r"^(|" + PCI_ADDR.pattern.strip("^$") + ")$", flags=re.IGNORECASE,
            failure_description="a PCI address: dddd:bb:ss.f")  # fmt: skip
ZPCI_ID = Regex(r"^(|0x[0-9a-fA-F]{1,8}|[0-9]+)$", failure_description="0x-hex or decimal")
