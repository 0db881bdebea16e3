"""QEMU's IBM Z CPU models, oldest first (target/s390x/cpu_models.c, its generation order):
what a custom CPU model may name, and which of two models is the older."""

from __future__ import annotations

# each also has a -base twin; docs/rules.md, section 6
CPU_MODELS = (
    "z900", "z900.2", "z900.3", "z800", "z990", "z990.2", "z990.3", "z890", "z990.4",
    "z890.2", "z990.5", "z890.3", "z9EC", "z9EC.2", "z9BC", "z9EC.3", "z9BC.2",
    "z10EC", "z10EC.2", "z10BC", "z10EC.3", "z10BC.2", "z196", "z196.2", "z114",
    "zEC12", "zEC12.2", "zBC12", "z13", "z13.2", "z13s", "z14", "z14.2", "z14ZR1",
    "gen15a", "gen15b", "gen16a", "gen16b", "gen17a", "gen17b",
)  # fmt: skip
