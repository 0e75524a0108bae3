"""hostclaim — hold an overseas hosting provider (IDC) to account."""

__version__ = "0.1.0"
