"""Effectiveness: what a complaint letter needs to be acted on (subject, time, impact, demands,
evidence, a polite close) — the source guide's checklist, and the pre-action letter's."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hostclaim.domain.lint.context import LintContext
from hostclaim.domain.lint.mentions import has_time_reference
from hostclaim.domain.lint.model import Hit
from hostclaim.domain.lint.rules import rule

_SUBJECT_LINE = re.compile(
    r"^[ \t]*(?:subject|subj|re|regarding|title|主题|标题|事由|主旨)[ \t]*[:：][ \t]*"
    r"(?P<value>.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_COMPLAINT = re.compile(
    r"complain|claim|dispute|demand|refund|compensat|credit request|sla credit|breach|"
    r"formal notice|notice of|letter before|escalat|grievance|reimburse|"
    r"follow-?up|reminder|mediation|outage|case summary|"
    r"投诉|申诉|索赔|赔偿|退款|补偿|违约|交涉|律师函|催告|维权|跟进|调解|纠纷|诉前|案情|故障",
    re.IGNORECASE,
)
_SALUTATION = re.compile(r"^\s*(?:dear|to whom|hello|hi\b|尊敬的|您好|致)", re.IGNORECASE)
_IMPACT = re.compile(
    r"\b(?:impact\w*|affect\w*|caus\w*|result\w*|consequen\w*|lost|loss\w*|unable to|could not|"
    r"couldn't|cannot|can't|revenue|customers?|users?|orders?|business|disrupt\w*|interrupt\w*|"
    r"penalt\w*|because|due to|root cause|as a result|visitors?|sales|checkout|shop|store|"
    r"website|production|offline)\b"
    r"|影响|导致|造成|损失|无法|不能|客户|用户|订单|业务|收入|受阻|原因|由于|因为|瘫痪",
    re.IGNORECASE,
)
_DEMAND = re.compile(
    r"\b(?:refund\w*|credit\w*|compensat\w*|reimburs\w*|waive\w*|discount|rebate|restor\w*|"
    r"repair\w*|fix(?:ed)? (?:by|within|before)|resolv\w* (?:by|within|before)|terminat\w*|"
    r"cancel\w*|release us|replace\w*|we (?:request|ask|require|demand|expect)|"
    r"please (?:issue|confirm|provide|refund|credit|restore|arrange|send|apply))\b"
    r"|退款|赔偿|补偿|减免|返还|退还|抵扣|抵用|修复|恢复|解除合同|终止合同|要求|请贵司|请于|期限"
    r"|(?:请|麻烦|希望|需要)[^。\n]{0,12}(?:补|退|赔|返|修)",
    re.IGNORECASE,
)
_EVIDENCE = re.compile(
    r"\b(?:enclos\w*|attach\w*|exhibit\w*|appendix|appendices|annex\w*|evidence|screenshots?|"
    r"logs?|monitoring (?:report|data|export|records?)|copy of|copies of|ticket (?:#|no|number)|"
    r"invoice (?:#|no|number))"
    r"|附件|证据|截图|附上|随信|附录|附有|附后|见附|日志|监控记录|工单号|凭证|发票",
    re.IGNORECASE,
)
_CLOSE = re.compile(
    r"\b(?:thank\w*|sincerely|faithfully|regards|respectfully|cordially|look forward|"
    r"best wishes|yours)\b|此致|敬礼|感谢|谢谢|期待|顺颂|商祺|祝好|盼复|静候",
    re.IGNORECASE,
)


def _missing(ctx: LintContext, rule_id: str, at_end: bool = False) -> Hit:
    offset = len(ctx.text.rstrip()) if at_end else 0
    return Hit(rule_id, offset, offset, excerpt="", params={"lang": ctx.lang})


def _has_topic(value: str) -> bool:
    rest = _COMPLAINT.sub(" ", value)
    words = re.findall(r"[A-Za-z0-9][\w'-]*", rest)
    cjk = re.findall(r"[\u4e00-\u9fff]", rest)
    return len(words) + len(cjk) // 2 >= 2


@rule("checklist.subject", "warning")
def subject(ctx: LintContext) -> Iterator[Hit]:
    head = ctx.text[: ctx.lines[min(len(ctx.lines), 20) - 1][1]] if ctx.lines else ""
    match = _SUBJECT_LINE.search(head)
    if match:
        value = match.group("value")
        if not (_COMPLAINT.search(value) and _has_topic(value)):
            yield Hit("checklist.subject", match.start(), match.end(), params={"lang": ctx.lang})
        return
    for _start, _end, line in ctx.nonempty_lines[:6]:
        if _SALUTATION.match(line):
            break
        # A title is short; a first line that runs on is the body, not a subject.
        limit = 60 if ctx.lang == "zh" else 120
        if len(line.strip()) <= limit and _COMPLAINT.search(line) and _has_topic(line):
            return  # a title line: 关于……的投诉函 / Formal complaint: …
    yield _missing(ctx, "checklist.subject")


@rule("checklist.time", "warning")
def time_of_problem(ctx: LintContext) -> Iterator[Hit]:
    if not has_time_reference(ctx.text):
        yield _missing(ctx, "checklist.time")


@rule("checklist.impact", "warning")
def cause_and_impact(ctx: LintContext) -> Iterator[Hit]:
    if not _IMPACT.search(ctx.text):
        yield _missing(ctx, "checklist.impact")


@rule("checklist.demand", "warning")
def demands(ctx: LintContext) -> Iterator[Hit]:
    if not _DEMAND.search(ctx.text):
        yield _missing(ctx, "checklist.demand")


@rule("checklist.evidence", "warning")
def evidence(ctx: LintContext) -> Iterator[Hit]:
    if not _EVIDENCE.search(ctx.text):
        yield _missing(ctx, "checklist.evidence")


_ENCLOSURES_HEADING = re.compile(
    r"^[\s#*_>-]*(?:enclosures?|attachments?|annex(?:es)?|exhibits?|appendix|"
    r"附件(?:清单|列表|目录)?|随附材料|证据清单)[\s*_:：]*$",
    re.IGNORECASE,
)


@rule("checklist.close", "warning")
def polite_close(ctx: LintContext) -> Iterator[Hit]:
    lines = ctx.nonempty_lines
    # The close comes before a list of enclosures however long that list is.
    headings = [i for i, (_s, _e, line) in enumerate(lines) if _ENCLOSURES_HEADING.match(line)]
    body_end = headings[-1] if headings else len(lines)
    tail = lines[max(0, body_end - 8) : body_end] + lines[-8:]
    if not any(_CLOSE.search(line) for _s, _e, line in tail):
        yield _missing(ctx, "checklist.close", at_end=True)
