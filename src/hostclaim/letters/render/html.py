"""A draft as one standalone, printable HTML page (no external resources)."""

from __future__ import annotations

import html
import re

from hostclaim.letters.blocks import markdown
from hostclaim.letters.drafting import Draft

_HTML_LANG = {"en": "en", "zh": "zh-CN"}
# Placeholders survive Markdown rendering as escaped text within one text node.
_PLACEHOLDER_HTML = re.compile(r"\[\[TO FILL: (.+?)\]\]")

CSS = """
@page { size: A4; margin: 22mm 20mm 20mm 20mm; }
:root { color: #111; background: #fff; }
body { font-family: "Noto Sans", "DejaVu Sans", Arial, "Noto Sans CJK SC", "PingFang SC",
       "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
       font-size: 10.5pt; line-height: 1.5; max-width: 170mm; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 16pt; margin: 0 0 .8em; }
h2 { font-size: 12.5pt; margin: 1.4em 0 .5em; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 1.2em 0 .4em; break-after: avoid; }
p, li { orphans: 3; widows: 3; }
ul, ol { padding-left: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: 9.5pt; }
th, td { border: 1px solid #999; padding: .25em .45em; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; page-break-inside: avoid; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 95%; }
mark.to-fill { background: #ffe066; color: #000; padding: 0 .15em; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  mark.to-fill { outline: 1px solid #c90; }
}
"""


def body_html(draft: Draft) -> str:
    """The letter as an HTML fragment, placeholders marked."""
    rendered = markdown().render(draft.markdown)
    return _PLACEHOLDER_HTML.sub(r'<mark class="to-fill">[[TO FILL: \1]]</mark>', rendered)


def to_html(draft: Draft) -> str:
    lang = _HTML_LANG.get(draft.lang, draft.lang)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="hostclaim">\n'
        f"<title>{html.escape(draft.subject)}</title>\n<style>{CSS}</style>\n</head>\n"
        f'<body class="letter kind-{html.escape(draft.kind)}">\n'
        f"{body_html(draft)}</body>\n</html>\n"
    )
