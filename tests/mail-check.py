#!/usr/bin/python3
# mail-check.py -- strict checks of the mail escalator sends, for the
# shell tests.  Each message is parsed by Python's email package twice,
# with policy.strict (any defect the parser notices is an error) and with
# policy.default (each header through its registry, whose defects count
# too), and then checked against what RFC 5322, 2045-2047 and 3834 ask
# of it and what escalator promises:
#   - CRLF line ends only, no bare CR, no NUL, no line over 998 octets;
#     header lines at most 78 octets unless one word is longer
#   - exactly one Date (RFC 5322 form) and one Message-ID (<left@domain>,
#     the domain the one given with --domain, never "localhost")
#   - MIME-Version: 1.0; every text part declares charset=utf-8 and a
#     transfer encoding that keeps it 7-bit (the bytes are ASCII)
#   - header fields ASCII; RFC 2047 encoded words at most 75 characters,
#     each holding whole UTF-8 characters; no control character (CR, LF,
#     NUL, ...) in any decoded header value
#   - Auto-Submitted as --auto says (auto-generated, auto-replied)
#   - a multipart/alternative has text/plain first, then text/html, its
#     boundary in no part, and a closing delimiter
#   - In-Reply-To and References, when present, are lists of <id@domain>,
#     References ending with In-Reply-To; --reply says they must be there
#   - --subject TEXT: the decoded Subject contains TEXT (UTF-8);
#     --body TEXT: the decoded text/plain body contains TEXT
# Input: files (a raw message; with --dump, the message after the first
# blank line, as smtp-fault.pl writes them; with --lf, a message as a
# Maildir holds it, LF line ends, the MTA's headers on top) or --db DB
# (every message in the outbox, the bytes escalator hands to SMTP).
# Prints one line per problem, "FILE: problem", and exits 1 if any.
import argparse
import base64
import email
import email.policy
import quopri
import re
import sqlite3
import sys

ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
DOT_ATOM = ATOM + r"(?:\." + ATOM + r")*"
MSGID = re.compile(r"<(" + DOT_ATOM + r")@(" + DOT_ATOM + r")>")
DATE = re.compile(r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
                  r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
                  r"\d{2}:\d{2}(?::\d{2})? [+-]\d{4}")
ENCODED = re.compile(r"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")


def decode_word(charset, enc, text):
    if enc in "Bb":
        raw = base64.b64decode(text, validate=True)
    else:
        raw = quopri.decodestring(text.encode("ascii"), header=True)
    return raw.decode(charset)  # raises on a split or invalid character


def strip_mta(data):
    """A Maildir file: LF line ends, the MTA's trace fields on top."""
    if b"\r" in data:
        return None
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and re.match(rb"(Return-Path|X-Original-To|Delivered-To|Received):", lines[i]):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    return b"\r\n".join(lines[i:])


def check(name, data, args, problems):
    def bad(msg):
        problems.append("%s: %s" % (name, msg))

    if args.dump:
        cut = data.find(b"\n\n")
        if cut < 0:
            cut = data.find(b"\r\n\r\n")
        data = data[cut + 2:] if data[cut:cut + 2] == b"\n\n" else data[cut + 4:]
    if args.lf:
        data = strip_mta(data)
        if data is None:
            bad("CR in a file that should hold LF line ends")
            return
    if b"\0" in data:
        bad("NUL byte")
    if re.search(rb"\r(?!\n)", data):
        bad("bare CR")
    if re.search(rb"(?<!\r)\n", data):
        bad("bare LF (line ends must be CRLF)")
    for i, l in enumerate(data.split(b"\r\n")):
        if len(l) > 998:
            bad("line %d is %d octets (998 at most)" % (i + 1, len(l)))
    try:
        data.decode("ascii")
    except UnicodeDecodeError:
        bad("8-bit bytes (everything escalator sends is 7-bit)")
    text = data.decode("ascii", "replace").replace("\r\n", "\n")
    head, _, _ = text.partition("\n\n")
    for l in head.split("\n"):
        if len(l) > 78 and " " in l.partition(":")[2].strip():
            bad("header line over 78 octets where it could fold: %r" % l[:90])
    for l in head.split("\n"):
        for m in ENCODED.finditer(l):
            if len(m.group(0)) > 75:
                bad("encoded word over 75 characters: %s" % m.group(0))
            try:
                decode_word(*m.groups())
            except Exception as ex:
                bad("encoded word %s does not decode alone: %s" % (m.group(0), ex))

    try:
        email.message_from_bytes(data, policy=email.policy.strict)
    except Exception as ex:
        bad("strict parser: %s" % ex)
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for part in msg.walk():
        for d in part.defects:
            bad("defect: %r" % d)
    for k in msg.keys():
        try:
            v = msg[k]
        except Exception as ex:
            bad("header %s does not parse: %s" % (k, ex))
            continue
        for d in getattr(v, "defects", ()):
            bad("header %s: %r" % (k, d))
        if re.search(r"[\x00-\x1f\x7f]", str(v)):
            bad("control character in decoded %s: %r" % (k, str(v)))

    def one(field):
        vals = msg.get_all(field) or []
        if len(vals) != 1:
            bad("%d %s fields (1 expected)" % (len(vals), field))
            return None
        return vals[0]

    d = one("Date")
    if d is not None and not DATE.fullmatch(str(d)):
        bad("Date not in RFC 5322 form: %r" % str(d))
    mid = one("Message-ID")
    if mid is not None:
        m = MSGID.fullmatch(str(mid).strip())
        if not m:
            bad("Message-ID malformed: %r" % str(mid))
        elif m.group(2).lower() == "localhost":
            bad("Message-ID in localhost: %s" % mid)
        elif args.domain and m.group(2).lower() != args.domain.lower():
            bad("Message-ID domain %s, not %s" % (m.group(2), args.domain))
    one("From")
    if msg.get("To") is None:
        bad("no To")
    if one("MIME-Version") is not None and str(msg["MIME-Version"]).strip() != "1.0":
        bad("MIME-Version %s" % msg["MIME-Version"])
    if args.auto is not None:
        a = one("Auto-Submitted")
        if a is not None and str(a).strip() != args.auto:
            bad("Auto-Submitted: %s, not %s" % (a, args.auto))
    irt = msg.get("In-Reply-To")
    refs = msg.get("References")
    if args.reply and (irt is None or refs is None):
        bad("no In-Reply-To or References")
    if irt is not None and not MSGID.fullmatch(str(irt).strip()):
        bad("In-Reply-To malformed: %r" % str(irt))
    if refs is not None:
        ids = str(refs).split()
        if not ids or not all(MSGID.fullmatch(i) for i in ids):
            bad("References malformed: %r" % str(refs))
        elif irt is not None and ids[-1] != str(irt).strip():
            bad("References do not end with In-Reply-To")

    for part in msg.walk():
        ct = part.get_content_type()
        if part.is_multipart():
            b = part.get_boundary()
            if not b:
                bad("%s without a boundary" % ct)
                continue
            raw = part.as_bytes() if part is not msg else data
            if ("--" + b + "--").encode() not in raw:
                bad("%s without its closing delimiter" % ct)
            for sub in part.iter_parts():
                if ("--" + b).encode() in (sub.get_payload(decode=True) or b""):
                    bad("boundary %s inside a part" % b)
            if ct == "multipart/alternative":
                kinds = [p.get_content_type() for p in part.iter_parts()]
                if kinds != ["text/plain", "text/html"]:
                    bad("alternative parts %s (text/plain then text/html expected)" % kinds)
            continue
        if part.get_content_maintype() == "text":
            cs = part.get_content_charset()
            cte = part.get("Content-Transfer-Encoding", "7bit").lower()
            body = part.get_payload(decode=True)
            if cs != "utf-8":
                bad("%s charset %s (utf-8 expected)" % (ct, cs))
            if cte not in ("quoted-printable", "base64", "7bit"):
                bad("%s transfer encoding %s" % (ct, cte))
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as ex:
                bad("%s body is not UTF-8: %s" % (ct, ex))
            if cte == "7bit" and any(c > 127 for c in body):
                bad("%s 7bit with 8-bit text" % ct)
    if args.subject is not None:
        s = str(msg.get("Subject", ""))
        if args.subject not in s:
            bad("Subject %r lacks %r" % (s, args.subject))
    if args.body is not None:
        plain = msg.get_body(("plain",))
        t = plain.get_content() if plain is not None else ""
        if args.body not in t:
            bad("text body lacks %r" % args.body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--domain")
    ap.add_argument("--auto")
    ap.add_argument("--reply", action="store_true")
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("--lf", action="store_true")
    ap.add_argument("--subject")
    ap.add_argument("--body")
    ap.add_argument("--where", default="1", help="SQL condition on outbox rows")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    problems = []
    count = 0
    if args.db:
        db = sqlite3.connect("file:%s?mode=ro" % args.db, uri=True)
        for mid, data in db.execute("select message_id, data from outbox where " + args.where):
            check("outbox <%s>" % mid, bytes(data), args, problems)
            count += 1
    for f in args.files:
        with open(f, "rb") as fh:
            check(f, fh.read(), args, problems)
        count += 1
    if count == 0:
        problems.append("no message to check")
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


main()
