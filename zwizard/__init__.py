"""zwizard: correct IBM Z (s390x) KVM guest definitions, first time."""

__version__ = "0.1.0"
