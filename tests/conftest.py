"""Suite-wide guard: a tier that collects nothing fails the run instead of passing."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
TIERS = ("unit", "tui", "system", "e2e")


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list
) -> None:
    asked = [Path(a.split("::")[0]).resolve() for a in config.args]
    counts = {tier: 0 for tier in TIERS}
    for item in items:
        parts = Path(item.path).resolve().relative_to(TESTS).parts
        if parts and parts[0] in counts:
            counts[parts[0]] += 1
    for tier in TIERS:
        folder = TESTS / tier
        wanted = any(folder == a or folder.is_relative_to(a) for a in asked)
        if wanted and folder.is_dir() and counts[tier] == 0 and not config.option.keyword:
            raise pytest.UsageError(f"the {tier} tier collected no test ({folder})")


@pytest.fixture(autouse=True, scope="session")
def libvirt_schema() -> None:
    """Every tier checks the XML it sees zwizard write against libvirt's RelaxNG schema
    (`validate_domain`, `Build.schema_problems`); without the schema those checks would
    pass unseen, so its absence is an error (tests/run installs it as root: libvirt0)."""
    from zwizard.build import schema_path

    if schema_path() is None:
        pytest.fail(
            "libvirt's RelaxNG schema (/usr/share/libvirt/schemas/domain.rng) is missing: "
            "apt-get install libvirt0, or set ZWIZARD_LIBVIRT_SCHEMAS",
            pytrace=False,
        )
