"""Legal risk: statements the case cannot back (虚假陈述), accusations against named people
(侵犯他人权益 — defamation), and threats of publicity."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hostclaim.domain.lint.context import LintContext
from hostclaim.domain.lint.mentions import find_amounts, find_dates
from hostclaim.domain.lint.model import Hit
from hostclaim.domain.lint.rules import rule

_DEADLINE_BEFORE = re.compile(
    r"(?:\bby|\bbefore|no later than|\buntil|\bwithin|on or before|deadline|\bdue|请于|请在|于)"
    r"\s*(?:the\s+)?(?:end of\s+)?$",
    re.IGNORECASE,
)
_DEADLINE_AFTER = re.compile(r"^\s*(?:前|之前|以前|为止)")
_DATE_LINE = re.compile(r"^\s*(?:date|dated|日期|时间)\s*[:：]?\s*$", re.IGNORECASE)


def _line_of(ctx: LintContext, offset: int) -> tuple[int, int, str]:
    line_number, _col = ctx.position(offset)
    return ctx.lines[line_number - 1]


@rule("legal.unsupported_date", "warning")
def unsupported_dates(ctx: LintContext) -> Iterator[Hit]:
    facts = ctx.facts
    if facts is None or not facts.checks_dates:
        return
    for mention in find_dates(ctx.text):
        before = ctx.text[max(0, mention.start - 20) : mention.start]
        after = ctx.text[mention.end : mention.end + 4]
        if _DEADLINE_BEFORE.search(before) or _DEADLINE_AFTER.match(after):
            continue  # a deadline we set is a demand, not a statement of fact
        line_start, _line_end, line = _line_of(ctx, mention.start)
        rest = (line[: mention.start - line_start] + line[mention.end - line_start :]).strip()
        if not rest or _DATE_LINE.match(line[: mention.start - line_start]):
            continue  # the letter's own date line
        if any(facts.knows_day(*reading) for reading in mention.readings):
            continue
        found = ctx.text[mention.start : mention.end]
        yield Hit("legal.unsupported_date", mention.start, mention.end, params={"found": found})


@rule("legal.unsupported_amount", "warning")
def unsupported_amounts(ctx: LintContext) -> Iterator[Hit]:
    facts = ctx.facts
    if facts is None or facts.amounts is None:
        return
    known = facts.known_money()
    for mention in find_amounts(ctx.text):
        supported = any(
            money.amount == value
            and (
                not money.currency or not mention.currencies or money.currency in mention.currencies
            )
            for money in known
            for value in mention.values
        )
        if not supported:
            found = ctx.text[mention.start : mention.end]
            yield Hit(
                "legal.unsupported_amount", mention.start, mention.end, params={"found": found}
            )


_OUTAGE = re.compile(
    r"\b(?:outages?|downtime|(?:was|were|went|is|are|been) down|offline|unreachable|"
    r"unavailable|not reachable|crash(?:ed|es)?|fell over|went dark|stopped (?:working|responding)"
    r"|died)\b|宕机|中断|无法访问|不可用|掉线|断网|停机|瘫痪|挂了",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:appear\w*|apparent\w*|seem\w*|may|might|possibl\w*|suspect\w*|believe|"
    r"(?:we|I) (?:observed|noticed|saw|recorded)|reported|according to|our monitoring|"
    r"monitoring (?:showed|shows|recorded)|"
    r"it looks|unconfirmed|please confirm|confirm whether|investigat\w*|whether|if)\b"
    r"|疑似|似乎|可能|观察到|据我方|监测到|监控显示|我方监控|怀疑|是否|请确认|核实|核查",
    re.IGNORECASE,
)


@rule("legal.unproven_outage", "warning")
def unproven_outage(ctx: LintContext) -> Iterator[Hit]:
    if ctx.facts is None or ctx.facts.incident_proven is not False:
        return
    for start, _end, sentence in ctx.sentences:
        match = _OUTAGE.search(sentence)
        if match and not _HEDGE.search(sentence):
            yield Hit(
                "legal.unproven_outage",
                start + match.start(),
                start + match.end(),
                params={"found": match.group(0)},
            )


_ACCUSE_EN = re.compile(
    r"\b(?:liars?|lied|lying|fraud\w*|criminals?|crooks?|thie(?:f|ves)|stole|steal\w*|"
    r"scammers?|con ?artists?|corrupt\w*|embezzl\w*|dishonest\w*|cheat\w*|forg(?:ed|ery)|"
    r"brib\w*|deceiv\w*|deceit\w*)\b",
    re.IGNORECASE,
)
_ACCUSE_ZH = re.compile(
    r"骗子|诈骗|骗人|撒谎|说谎|造假|伪造|欺诈|贪污|受贿|小偷|偷了|罪犯|犯罪|骗了"
)
_TITLE_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?")
_ROLE_NAME = re.compile(
    r"\b(?:agent|engineer|technician|manager|representative|rep|employee|staff member|colleague|"
    r"supervisor|CEO|CTO|director|salesperson|account manager|support agent|operator)"
    r",?\s+(?!The\b|This\b|That\b|We\b|I\b|Our\b|Your\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"
)
_NAME_THEN_ACCUSATION = re.compile(
    r"\b(?!The\b|This\b|That\b|It\b|We\b|You\b|Your\b|Our\b|Their\b|He\b|She\b|They\b)"
    r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:is|was|has been)\s+(?:a|an)?\s*(?:\w+\s+)?"
    r"(?:liar|fraud\w*|criminal|crook|thief|scammer|con artist|cheat)"
    r"|\b(?!The\b|This\b|That\b|It\b|We\b|You\b|Your\b|Our\b|Their\b|He\b|She\b|They\b)"
    r"[A-Z][a-z]+\s+(?:lied|stole|cheated|deceived)\b"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
_PARTICLES = "就是说在也都又还把被给对和跟的了称"  # 客服张伟就是… — the name stops before these
_ZH_PERSON = re.compile(
    r"(?:客服|工程师|经理|专员|销售|技术员|技术支持|主管|总监|员工|负责人|客户经理|值班人员)"
    r"(?:人员)?[\s:：]*(?:["
    + _SURNAMES
    + r"][\u4e00-\u9fff](?:[\u4e00-\u9fff](?<!["
    + _PARTICLES
    + r"]))?|[A-Z][a-z]+)"
    r"|[" + _SURNAMES + r"](?:先生|女士|小姐|经理|总监|主管|工|总)"
)


def _people_pattern(ctx: LintContext) -> re.Pattern[str] | None:
    names = [re.escape(name) for name in (ctx.facts.people if ctx.facts else ()) if name.strip()]
    return re.compile("|".join(names), re.IGNORECASE) if names else None


@rule("legal.defamation", "error")
def defamation(ctx: LintContext) -> Iterator[Hit]:
    people = _people_pattern(ctx)
    for start, _end, sentence in ctx.sentences:
        person = None
        direct = _NAME_THEN_ACCUSATION.search(sentence)
        if _ACCUSE_EN.search(sentence) or _ACCUSE_ZH.search(sentence):
            for pattern in (people, _TITLE_NAME, _ROLE_NAME, _ZH_PERSON):
                if pattern is not None and (person := pattern.search(sentence)):
                    break
        if direct and not person:
            person = direct
        if person:
            accusation = _ACCUSE_EN.search(sentence) or _ACCUSE_ZH.search(sentence) or person
            span_start = start + min(person.start(), accusation.start())
            span_end = start + max(person.end(), accusation.end())
            yield Hit(
                "legal.defamation",
                span_start,
                span_end,
                params={"found": ctx.text[span_start:span_end], "person": person.group(0)},
            )


_PUBLIC_TARGET = re.compile(
    r"\b(?:social media|twitter|reddit|facebook|linkedin|hacker news|trustpilot|review sites?|"
    r"forums?|youtube|tiktok|weibo|the press|press|media|journalists?|reporters?|newspapers?|"
    r"news outlets?|the public|publicly|public|online|internet|blog)\b",
    re.IGNORECASE,
)
_FIRST_PERSON_FUTURE = re.compile(
    r"\b(?:we|i)(?:'ll| will| shall| are going to| am going to| plan to| intend to| would"
    r"| have no choice but to| will be forced to| may)\b|\botherwise\b|\bor we\b|\bunless\b",
    re.IGNORECASE,
)
_PUBLIC_VERB = re.compile(
    r"\b(?:post|publish|share|put|go|going|talk|speak|tell|contact|reach out|write)\b",
    re.IGNORECASE,
)
_PUBLICITY_PHRASE = re.compile(
    r"\b(?:name and shame|go public|going public|make (?:this|it|the matter) public|"
    r"expose (?:you|your)|tell everyone|let everyone know|warn (?:other|all|every)\w* "
    r"(?:customers|users|clients)"
    r"|(?:shame|pity) if [^.!?\n]{0,40}(?:found out|knew|heard|learned))\b"
    r"|曝光|公之于众|发到网上|发网上|挂到网上|挂网上|上热搜|让大家都知道|"
    r"发(?:到|在)?(?:微博|朋友圈|抖音|知乎|小红书|论坛|推特|贴吧)|"
    r"(?:找|联系|告诉|求助|反映给|向)[^，。；\n]{0,4}(?:媒体|记者|报社|电视台)|媒体报道|公开(?:你们|贵司)的",
    re.IGNORECASE,
)


@rule("legal.publicity_threat", "warning")
def publicity_threat(ctx: LintContext) -> Iterator[Hit]:
    for start, _end, sentence in ctx.sentences:
        match = _PUBLICITY_PHRASE.search(sentence)
        if not match:
            target = _PUBLIC_TARGET.search(sentence)
            if target and _FIRST_PERSON_FUTURE.search(sentence) and _PUBLIC_VERB.search(sentence):
                match = target
        if match:
            yield Hit(
                "legal.publicity_threat",
                start + match.start(),
                start + match.end(),
                params={"found": match.group(0)},
            )
