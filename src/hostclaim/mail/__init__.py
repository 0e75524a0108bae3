"""Correspondence as evidence: read mailboxes, parse messages, verify DKIM, thread, de-duplicate.

Typical use::

    keys = load_key_file("dkim-keys.txt")          # or StaticKeySource({...}), DnsKeySource()
    for item in parse_mailbox("support.mbox", own_addresses={"@shop.example"}, dkim_keys=keys):
        if isinstance(item, BadMessage):
            ...  # item.index, item.offset, item.render(); item.raw is still evidence
        else:
            ...  # item.raw to the blob store, item.date / item.ticket_refs / item.dkim ...

Streaming: ``iter_messages`` and ``parse_mailbox`` hold one message at a time.
"""

from hostclaim.mail.dkimcheck import check_dkim
from hostclaim.mail.keys import (
    ChainKeySource,
    DkimKeySource,
    DnsKeySource,
    KeyLookupError,
    StaticKeySource,
    load_key_file,
)
from hostclaim.mail.mbox import iter_messages, mbox_entry, quote, unquote, write_mbox
from hostclaim.mail.model import (
    Address,
    Attachment,
    BadMessage,
    Direction,
    DkimResult,
    DkimSignatureCheck,
    MailWarning,
    ParsedMail,
    RawMessage,
    TicketRef,
)
from hostclaim.mail.parse import OwnAddresses, parse_mailbox, parse_message
from hostclaim.mail.threads import DedupeResult, dedupe, normalise_subject, thread
from hostclaim.mail.tickets import find_ticket_refs, register_ticket_pattern, ticket_patterns

__all__ = [
    "Address",
    "Attachment",
    "BadMessage",
    "ChainKeySource",
    "DedupeResult",
    "Direction",
    "DkimKeySource",
    "DkimResult",
    "DkimSignatureCheck",
    "DnsKeySource",
    "KeyLookupError",
    "MailWarning",
    "OwnAddresses",
    "ParsedMail",
    "RawMessage",
    "StaticKeySource",
    "TicketRef",
    "check_dkim",
    "dedupe",
    "find_ticket_refs",
    "iter_messages",
    "load_key_file",
    "mbox_entry",
    "normalise_subject",
    "parse_mailbox",
    "parse_message",
    "quote",
    "register_ticket_pattern",
    "thread",
    "ticket_patterns",
    "unquote",
    "write_mbox",
]
