"""Benchmark: import a large support mailbox (split + parse + DKIM) against the stdlib baseline.

    python benchmarks/bench_mail.py                 # 20,000 messages, ~200 MB
    python benchmarks/bench_mail.py --messages 2000 # a quick run

Generates an mbox in a temporary directory (not timed): provider replies and customer mails
with quoted history, ticket numbers, Chinese RFC 2047 subjects, body lines starting with
"From ", a share with attachments, a share DKIM-signed with a key made for the run. Then, each
in a fresh process so peak memory is its own, median of ``--runs``:

* ours:     ``parse_mailbox`` (stream split, unquote, parse, text, attachments hashed,
            tickets, DKIM verified with a local key source)
* baseline: ``mailbox.mbox`` + ``email.message_from_bytes`` for every message
* split only, both: ``iter_messages`` vs ``mailbox.mbox.get_bytes``

Prints messages/s, MB/s, peak RSS (psutil, sampled) and the ratios.
"""

from __future__ import annotations

import argparse
import base64
import json
import mailbox
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email import message_from_bytes
from pathlib import Path

import dkim
import psutil

TARGET = 1000  # messages per second
PROVIDER = "provider.example"
SELECTOR = "bench"
VOCABULARY = """
server network outage latency packet loss customer ticket support datacenter uplink router switch
power maintenance incident report escalation credit invoice contract availability monitoring
timeout unreachable restored investigating engineer colocation rack bandwidth routing peering
firewall ddos mitigation upstream carrier please kindly regards dear hello thanks update status
resolved pending hours minutes since until
"""
WORDS = VOCABULARY.split()
CN_SUBJECTS = ["服务器宕机", "网络中断，请尽快处理", "关于十月故障的赔偿申请", "回复：工单进展"]


def make_key() -> tuple[bytes, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choices(WORDS, k=words))
    lines, line = [], []
    for word in text.split():
        line.append(word)
        if sum(len(w) + 1 for w in line) > 70:
            lines.append(" ".join(line))
            line = []
    lines.append(" ".join(line))
    return "\n".join(lines)


def encoded_subject(rng: random.Random, ticket: int) -> str:
    if rng.random() < 0.3:
        text = f"{rng.choice(CN_SUBJECTS)} 工单号：{ticket}"
        return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="
    prefix = rng.choice(["", "Re: ", "RE: Re: ", "AW: "])
    return f"{prefix}[Ticket#{ticket}] {' '.join(rng.choices(WORDS, k=5))}"


def build_message(rng: random.Random, n: int, attachment: bool) -> bytes:
    inbound = n % 2 == 0
    sender = f"Support <support@{PROVIDER}>" if inbound else "Wang Min <wang.min@shop.example>"
    to = "wang.min@shop.example" if inbound else f"support@{PROVIDER}"
    ticket = 2026100300000 + n // 6
    day = 1 + n % 28
    headers = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {encoded_subject(rng, ticket)}",
        f"Date: Sat, {day:02d} Oct 2026 {n % 24:02d}:{n % 60:02d}:00 +0200",
        f"Message-ID: <m{n}.{rng.getrandbits(32):x}@{PROVIDER if inbound else 'shop.example'}>",
        "MIME-Version: 1.0",
    ]
    if n > 0 and n % 3:
        headers.append(f"In-Reply-To: <m{n - 1}@x.example>")
        headers.append(f"References: <m{max(0, n - 5)}@x.example> <m{n - 1}@x.example>")
    body = paragraph(rng, rng.randint(60, 500))
    body += f"\n\nTicket ID: {ticket}\nFrom our side: {' '.join(rng.choices(WORDS, k=8))}\n"
    body += "\n".join("> " + line for line in paragraph(rng, rng.randint(0, 400)).split("\n"))
    body += "\n"
    if not attachment:
        headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        return ("\n".join(headers) + "\n\n" + body).encode()
    data = rng.randbytes(rng.randint(5_000, 70_000))
    b64 = base64.encodebytes(data).decode()
    boundary = f"=_b{n}"
    parts = [
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "",
        body,
        f"--{boundary}",
        'Content-Type: application/pdf; name="=?UTF-8?B?5pWF6Zqc5oql5ZGKLnBkZg==?="',
        "Content-Disposition: attachment; filename*=utf-8''%E6%95%85%E9%9A%9C.pdf",
        "Content-Transfer-Encoding: base64",
        "",
        b64 + f"--{boundary}--",
        "",
    ]
    return ("\n".join(headers) + "\n" + "\n".join(parts)).encode()


def generate(path: Path, count: int, pem: bytes, signed_share: float, attach_share: float) -> dict:
    from hostclaim.mail import mbox_entry

    rng = random.Random(20261003)
    signed = attached = 0
    envelope = b"From MAILER-DAEMON Sat Oct  3 08:15:00 2026"
    with path.open("wb") as out:
        for n in range(count):
            attachment = rng.random() < attach_share
            raw = build_message(rng, n, attachment)
            if n % 2 == 0 and rng.random() < signed_share * 2:
                raw = dkim.sign(raw, SELECTOR.encode(), PROVIDER.encode(), pem, linesep=b"\n") + raw
                signed += 1
            attached += attachment
            out.write(mbox_entry(raw, envelope))
    return {"signed": signed, "attached": attached, "bytes": path.stat().st_size}


# --- timed work, each run in its own process ------------------------------------------------


def _work(mode: str, path: Path, record: str) -> dict:
    count = verified = bad = 0
    if mode == "ours":
        from hostclaim.mail import BadMessage, StaticKeySource, parse_mailbox

        keys = StaticKeySource({f"{SELECTOR}._domainkey.{PROVIDER}": record})
        for item in parse_mailbox(path, own_addresses={"@shop.example"}, dkim_keys=keys):
            if isinstance(item, BadMessage):
                bad += 1
                continue
            count += 1
            verified += item.dkim.verified is True
    elif mode == "baseline":
        box = mailbox.mbox(path, create=False)
        for key in box.iterkeys():
            msg = message_from_bytes(box.get_bytes(key))
            msg.get("subject")
            msg.get("date")
            count += 1
        box.close()
    elif mode == "ours-split":
        from hostclaim.mail import iter_messages

        count = sum(1 for _ in iter_messages(path))
    elif mode == "baseline-split":
        box = mailbox.mbox(path, create=False)
        count = sum(1 for key in box.iterkeys() if box.get_bytes(key))
        box.close()
    return {"messages": count, "verified": verified, "bad": bad}


def worker(mode: str, path: Path, record: str) -> None:
    if mode.startswith("ours"):
        import hostclaim.mail  # noqa: F401  (imports are not the import's memory)
    process = psutil.Process()
    peak = baseline_rss = process.memory_info().rss  # after imports, before any work
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.01):
            peak = max(peak, process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    result = _work(mode, path, record)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    peak = max(peak, process.memory_info().rss)
    print(json.dumps({**result, "seconds": seconds, "peak_rss": peak, "start_rss": baseline_rss}))


def run(mode: str, path: Path, record: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", mode, str(path), record],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--signed", type=float, default=0.3, help="share of messages signed")
    parser.add_argument("--attachments", type=float, default=0.12, help="share with a file")
    parser.add_argument("--worker", nargs=3, metavar=("MODE", "PATH", "RECORD"), help="internal")
    args = parser.parse_args()
    if args.worker:
        mode, path, record = args.worker
        worker(mode, Path(path), record)
        return

    with tempfile.TemporaryDirectory(prefix="bench_mail_") as tmp:
        path = Path(tmp) / "support.mbox"
        pem, record = make_key()
        started = time.perf_counter()
        info = generate(path, args.messages, pem, args.signed, args.attachments)
        megabytes = info["bytes"] / 1e6
        print(
            f"mailbox: {args.messages} messages, {megabytes:.1f} MB "
            f"({info['signed']} DKIM-signed, {info['attached']} with attachments), "
            f"generated in {time.perf_counter() - started:.1f} s (not timed)"
        )
        path.read_bytes()  # warm the page cache so every run reads from memory

        modes = ("ours", "baseline", "ours-split", "baseline-split")
        results: dict[str, list[dict]] = {mode: [] for mode in modes}
        for _ in range(args.runs):
            for mode in modes:
                results[mode].append(run(mode, path, record))

        medians = {}
        for mode in modes:
            seconds = statistics.median(r["seconds"] for r in results[mode])
            peak = statistics.median(r["peak_rss"] for r in results[mode]) / 1e6
            growth = statistics.median(r["peak_rss"] - r["start_rss"] for r in results[mode]) / 1e6
            last = results[mode][-1]
            medians[mode] = seconds
            extra = f", {last['verified']} DKIM verified" if mode == "ours" else ""
            print(
                f"{mode:15s} {seconds:7.2f} s  {last['messages'] / seconds:8.0f} msg/s  "
                f"{megabytes / seconds:7.1f} MB/s  "
                f"peak RSS {peak:6.1f} MB (+{growth:.1f} MB while running)"
                f"  [{last['messages']} messages{extra}; runs: "
                + ", ".join(f"{r['seconds']:.2f}" for r in results[mode])
                + "]"
            )
        rate = args.messages / medians["ours"]
        print(
            f"ratio ours/baseline throughput: {medians['baseline'] / medians['ours']:.2f}x "
            "(ours also decodes text, hashes attachments, finds tickets and verifies DKIM)"
        )
        print(
            f"ratio split only: {medians['baseline-split'] / medians['ours-split']:.2f}x "
            "(iter_messages vs mailbox.mbox + get_bytes)"
        )
        print(f"target >= {TARGET} msg/s: {'met' if rate >= TARGET else 'MISSED'} ({rate:.0f})")


if __name__ == "__main__":
    main()
