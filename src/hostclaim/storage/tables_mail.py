"""Tables of the mail-import capability (registered on the shared metadata by ``tables.py``)."""

from __future__ import annotations

from hostclaim.storage.tables import Base

#: Tables of this module whose rows the ledger snapshots and ``verify`` compares.
RECORDS: tuple[type[Base], ...] = ()
