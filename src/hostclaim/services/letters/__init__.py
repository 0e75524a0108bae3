"""Letters from the case file: draft them, check them, issue them, list them.

- :mod:`.context` — :func:`build_context` reads the case once and builds the
  :class:`~hostclaim.letters.model.LetterContext` a letter is drafted from (with :mod:`.case_file`,
  :mod:`.parties`, :mod:`.enclosures`, :mod:`.sla`, :mod:`.reply` and :mod:`.wording`).
- :mod:`.drafts` — :func:`draft_letter` writes the draft as a plain Markdown file with a header
  (never over an existing file) and records it in the letters table.
- :mod:`.checks` — :func:`check_file` / :func:`check_case` run the linter over an (edited) draft
  and over the text of the enclosures it lists, with the case's dates, amounts and contacts as
  facts.
- :mod:`.issue` — :func:`issue_letter` refuses a draft with placeholders or error-level findings
  (unless forced, with a reason), renders it (:mod:`.formats`), sends it by SMTP when asked, and
  then keeps the final text, every rendering and the sent bytes as evidence, logs the outbound
  contact and adds the reply-due deadline (``reply_due.letter``).
- :mod:`.listing` — :func:`list_letters`, and the issued letters follow-up sees.

Drafts are not legal advice: interfaces show ``t(DISCLAIMER)`` once beside a draft, never in it.
"""

from __future__ import annotations

from hostclaim.letters import DISCLAIMER
from hostclaim.services.letters.checks import CheckReport, check_case, check_file
from hostclaim.services.letters.context import build_context
from hostclaim.services.letters.drafts import ISSUED, DraftResult, draft_letter
from hostclaim.services.letters.formats import FORMATS, parse_formats
from hostclaim.services.letters.issue import IssueOptions, IssueResult, SmtpSettings, issue_letter
from hostclaim.services.letters.listing import list_letters
from hostclaim.services.letters.parties import provider_email_of
from hostclaim.services.letters.reply import DEFAULT_REPLY_DAYS

__all__ = [
    "DEFAULT_REPLY_DAYS",
    "DISCLAIMER",
    "FORMATS",
    "ISSUED",
    "CheckReport",
    "DraftResult",
    "IssueOptions",
    "IssueResult",
    "SmtpSettings",
    "build_context",
    "check_case",
    "check_file",
    "draft_letter",
    "issue_letter",
    "list_letters",
    "parse_formats",
    "provider_email_of",
]
