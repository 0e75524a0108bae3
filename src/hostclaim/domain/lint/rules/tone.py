"""Tone: insults, threats, shouting and emotional wording weaken a complaint (理性投诉)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hostclaim.domain.lint.context import LintContext
from hostclaim.domain.lint.model import Hit
from hostclaim.domain.lint.rules import rule

_INSULT = re.compile(
    r"\b(?:idiot\w*|moron\w*|stupid\w*|dumb|imbeciles?|clowns?|incompeten\w+|scam ?artists?|"
    r"scammers?|con ?artists?|crooks?|thie(?:f|ves)|liars?|bastards?|amateurs?|cowboys?|jokers?|"
    r"losers?|garbage|trash|rubbish|shit\w*|crap\w*|fuck\w*|bloody|damn\w*|"
    r"(?:a|is|are|complete|total|utter) (?:scam|fraud)s?|joke of an? \w+|"
    r"(?:a (?:child|toddler|monkey|trained monkey|ten-year-old)|my (?:grandmother|grandma|kid|dog))"
    r" could)\b"
    # 骗子 after 被/遭/钓鱼/网络/电信 names the criminals who cheated someone, not the reader.
    r"|(?<!被)(?<!遭)(?<!钓鱼)(?<!网络)(?<!电信)骗子|垃圾(?!邮件|信息|短信|回收|桶|分类|文件|数据|箱|清理)|无耻|白痴|傻[逼瓜子Bb×]|脑残|废物|"
    r"混蛋|人渣|流氓(?!软件)|黑心|奸商|走狗|狗东西|坑爹|滚蛋|滚出|去死|弱智|蠢货|愚蠢|王八|妈的|"
    r"他妈|操你|草泥马|败类|无赖|骗钱|强盗|土匪",
    re.IGNORECASE,
)
_NOT_INSULT = re.compile(
    r"garbage[ -]collect|trash (?:folder|bin|can)|(?:to|in) the trash|rubbish bin", re.IGNORECASE
)
_THREAT = re.compile(
    r"\bor else\b|\byou(?:'ll| will| are going to)? (?:regret|be sorry)\b|watch your back|"
    r"we know where (?:you|your)|make (?:you|your \w+) pay|there will be consequences|"
    r"you have been warned|\b(?:we|i)(?:'ll| will) (?:destroy|ruin|hunt down|finish) (?:you|your)|"
    r"pay for this"
    r"|后果自负|走着瞧|等着瞧|让你们好看|要你们好看|别怪我们?不客气|你们会后悔|给你们点颜色|"
    r"不会放过你们|跟你们没完|找人收拾|上门找你们|别逼我们?|知道你们[^。！？\n]{0,12}在哪|"
    r"上门(?:找|算账|讨说法)",
    re.IGNORECASE,
)
_EMOTIONAL = re.compile(
    r"\b(?:outrageous\w*|disgust\w*|disgrace\w*|pathetic|ridiculous\w*|absurd|insane|"
    r"unbelievabl[ey]|furious|livid|sick and tired|fed up|worst(?: \w+){0,3} ever|shameful|"
    r"shameless\w*|how dare|horrible|horrendous|terrible|awful|nightmare|useless|beyond belief|"
    r"appalled|infuriat\w*|what a joke|a joke|i can't believe|i cannot believe|shambles|fiasco|"
    r"farce|laughable|a disgrace|clown show)\b"
    r"|气死|忍无可忍|太过分|岂有此理|简直|离谱|恶心|欺人太甚|丧心病狂|令人发指|无法忍受|受够了|"
    r"愤怒|气愤|火大|(?<!系统)(?<!服务器)(?<!程序)(?<!进程)(?<!数据库)(?<!服务)(?<!应用)(?<!内核)崩溃|"
    r"无语|差劲|烂透|可恶|天理难容|寒心|坑人|糟糕透顶|一塌糊涂|忍不了|不可理喻|可笑|"
    # 阴阳怪气: praise in scare quotes, mock admiration
    r"(?:可真是|真是|好一个|真够|果然)[“\"'「][^”\"'」]{1,8}[”\"'」]|佩服佩服|厉害厉害|呵呵",
    re.IGNORECASE,
)
_BANG = re.compile(r"[!！][!！?？]+|[?？][!！][!！?？]*")
_CAPS_RUN = re.compile(r"\b[A-Z][A-Z']+\b(?:[ \t,;:-]+\b[A-Z][A-Z']+\b)*")
_LABEL = re.compile(r"^\s*[A-Za-z\u4e00-\u9fff ]{1,20}[:：]\s*")
_ACRONYMS = frozenset(
    [
        "SLA",
        "SLAS",
        "VPS",
        "IDC",
        "DNS",
        "API",
        "UTC",
        "CST",
        "GMT",
        "CET",
        "CEST",
        "BST",
        "PST",
        "PDT",
        "EST",
        "EDT",
        "EUR",
        "USD",
        "GBP",
        "CNY",
        "RMB",
        "HKD",
        "JPY",
        "SGD",
        "AUD",
        "HTTP",
        "HTTPS",
        "TCP",
        "UDP",
        "IP",
        "IPV",
        "SSH",
        "SSD",
        "HDD",
        "CPU",
        "RAM",
        "NVME",
        "BGP",
        "DDOS",
        "TLS",
        "SSL",
        "ISP",
        "NOC",
        "RFO",
        "ETA",
        "ID",
        "URL",
        "PDF",
        "CSV",
        "FAQ",
        "GDPR",
        "EU",
        "UK",
        "US",
        "USA",
        "PRC",
        "CN",
        "HK",
        "LTD",
        "LLC",
        "INC",
        "GMBH",
        "AG",
        "BV",
        "SA",
        "SAS",
        "PLC",
        "OVH",
        "AWS",
        "GCP",
        "IBM",
        "KVM",
        "RAID",
        "CEO",
        "CTO",
        "CFO",
        "COO",
        "ASAP",
        "AM",
        "PM",
        "OK",
        "NB",
        "PS",
        "RE",
        "FW",
        "FWD",
        "CC",
        "BCC",
        "VAT",
        "IBAN",
        "SWIFT",
        "BIC",
        "TOS",
        "AUP",
        "DPA",
        "MSA",
        "SOW",
        "PO",
        "ICMP",
        "MTR",
        "SMTP",
        "IMAP",
        "NTP",
        "KB",
        "MB",
        "GB",
        "TB",
        "GBPS",
        "MBPS",
        "CDN",
        "LB",
        "WAF",
        "OS",
        "UPS",
        "PDU",
        "HVAC",
        "DC",
        "IDC",
        "RMA",
        "NDA",
        "QOS",
        "PIN",
        "OTP",
        "MFA",
        "SMS",
        "ICP",
        "MIIT",
        "SAMR",
        "CCA",
        "FCC",
        "OFCOM",
        "ADR",
        "ODR",
        "LBA",
        "CPR",
    ]
)


def _lexicon_hits(ctx: LintContext, rule_id: str, pattern: re.Pattern[str]) -> Iterator[Hit]:
    for match in pattern.finditer(ctx.text):
        window = ctx.text[max(0, match.start() - 12) : match.end() + 16]
        if rule_id == "tone.insult" and _NOT_INSULT.search(window):
            continue
        yield Hit(rule_id, match.start(), match.end(), params={"found": match.group(0)})


@rule("tone.insult", "error")
def insults(ctx: LintContext) -> Iterator[Hit]:
    yield from _lexicon_hits(ctx, "tone.insult", _INSULT)


@rule("tone.threat", "error")
def threats(ctx: LintContext) -> Iterator[Hit]:
    yield from _lexicon_hits(ctx, "tone.threat", _THREAT)


@rule("tone.emotional", "warning")
def emotional(ctx: LintContext) -> Iterator[Hit]:
    yield from _lexicon_hits(ctx, "tone.emotional", _EMOTIONAL)


_SENTENCE_WORDS = frozenset(
    [
        "I",
        "WE",
        "YOU",
        "YOUR",
        "IS",
        "ARE",
        "WAS",
        "WERE",
        "WILL",
        "NOT",
        "DO",
        "DON'T",
        "CAN'T",
        "KNOW",
    ]
)


def _is_heading(line: str) -> bool:
    """A short line in capitals is a heading (LETTER BEFORE ACTION), not shouting — unless it
    reads as a sentence addressed to someone (THIS IS NOT OK AND YOU KNOW IT)."""
    body = line.strip()
    words = re.findall(r"[A-Z']+", body)
    return (
        bool(body)
        and len(words) <= 7
        and not body.endswith(("!", "！"))
        and not _SENTENCE_WORDS & set(words)
    )


@rule("tone.shouting", "warning")
def shouting(ctx: LintContext) -> Iterator[Hit]:
    for match in _BANG.finditer(ctx.text):
        yield Hit("tone.shouting", match.start(), match.end(), params={"found": match.group(0)})
    for start, _end, line in ctx.lines:
        body = _LABEL.sub("", line, count=1)  # "Subject: FORMAL COMPLAINT" is a heading too
        letters = [c for c in body if c.isalpha() and c.isascii()]
        whole_line_caps = letters and all(c.isupper() for c in letters)
        if whole_line_caps and _is_heading(body):
            continue
        for match in _CAPS_RUN.finditer(line):
            words = re.findall(r"[A-Z']+", match.group(0))
            loud = [w for w in words if w not in _ACRONYMS and len(w) >= 2]
            long_loud = [w for w in loud if len(w) >= 4]
            if (len(loud) >= 2 and long_loud and sum(map(len, loud)) >= 8) or any(
                len(w) >= 7 for w in long_loud
            ):
                yield Hit(
                    "tone.shouting",
                    start + match.start(),
                    start + match.end(),
                    params={"found": match.group(0)},
                )
