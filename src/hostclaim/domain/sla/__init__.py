"""SLA policies as versioned, sourced data, and the rules for credits and claim windows.

- :mod:`.sourced` — the ``{value, source, checked, status}`` wrapper every fact uses;
- :mod:`.schema` — the policy model (commitment, measurement, credit schedule, claim terms);
- :mod:`.registry` — shipped policies (``hostclaim/data/sla``) and a case's own contract file;
- :mod:`.credits` — the credit for a period, with its computation shown step by step;
- :mod:`.claims` — the claim deadline and whether the window is still open.
"""

from hostclaim.domain.sla.claims import ClaimWindow, claim_deadline, days_remaining, window_open
from hostclaim.domain.sla.credits import CountedOutage, CreditResult, compute_credit
from hostclaim.domain.sla.registry import (
    PolicyRegistry,
    list_policies,
    load_policy,
    load_policy_file,
    parse_policy_text,
)
from hostclaim.domain.sla.render import Step, fmt_money
from hostclaim.domain.sla.schema import Policy
from hostclaim.domain.sla.sourced import STATUSES, Sourced, Status

__all__ = [
    "STATUSES",
    "ClaimWindow",
    "CountedOutage",
    "CreditResult",
    "Policy",
    "PolicyRegistry",
    "Sourced",
    "Status",
    "Step",
    "claim_deadline",
    "compute_credit",
    "days_remaining",
    "fmt_money",
    "list_policies",
    "load_policy",
    "load_policy_file",
    "parse_policy_text",
    "window_open",
]
