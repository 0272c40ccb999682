#!/usr/bin/env python3
# docs-check.py -- compares what the manual pages say with what the program
# does, for tests/t-docs.sh: commands, options, configuration keywords,
# --json field names and exit codes.  It reads the mdoc source for its
# structure (section names, .It items, .Fl/.Li/.Ic macros), never for its
# prose, so rewording a sentence cannot break it.  Each subcommand prints
# what disagrees, one line each, and exits 1 when anything does.
import json
import os
import re
import subprocess
import sys

ESCALATOR = os.environ.get("ESCALATOR", "escalator")
SRCDIR = os.environ.get("top_srcdir", ".")
TMP = os.environ.get("TMP", "/tmp")

# mdoc macros that may stand inside a line; words after them are not literal.
MACROS = set("""Ar Cm Fl Ic Li No Ns Pq Po Pc Qq Dq Ql Brq Bro Brc Op Oo Oc Xo Xc
    Sx Ev Pa Dv Em Sy Xr Pf Aq Sq Eo Ec It Nm Va Fn Fa""".split())
PUNCT = set(", ; : . ( ) [ ] |".split())


def man(name):
    with open(os.path.join(SRCDIR, "doc", name), encoding="utf-8") as f:
        return f.read().split("\n")


def run(*args, stdin=None):
    p = subprocess.run([ESCALATOR, *args], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL if stdin is None else stdin)
    return p.returncode, p.stdout, p.stderr


def section(lines, sh, ss=None, own=False):
    """The lines of .Sh SH, or of its .Ss SS, or with own=True of SH up to
    its first .Ss; without the heading."""
    out, in_sh, on = [], False, False
    for ln in lines:
        if ln.startswith(".Sh "):
            in_sh = ln[4:].strip() == sh
            on = in_sh and ss is None
            continue
        if ln.startswith(".Ss ") and in_sh:
            on = (ss is not None and ln[4:].strip() == ss) or (ss is None and not own)
            continue
        if on:
            out.append(ln)
    return out


def words(ln):
    return ln.lstrip(".").split()


def options_in(lines):
    """(option, argument name or None) for every .Fl in lines."""
    opts = []
    for ln in lines:
        if not ln.startswith("."):
            continue
        w = words(ln)
        i = 0
        while i < len(w):
            if w[i] == "Fl":
                if i + 2 < len(w) and w[i + 1] == "Fl":
                    name, i = "--" + w[i + 2], i + 3
                elif i + 1 < len(w) and w[i + 1] not in MACROS and w[i + 1] not in PUNCT:
                    name, i = "-" + w[i + 1], i + 2
                else:
                    i += 1
                    continue
                arg = w[i + 1] if i + 1 < len(w) and w[i] == "Ar" else None
                if arg is None and i + 1 < len(w) and w[i] == "," and w[i + 1] == "Fl":
                    arg = ","	# "-c , --config file": the next one's
                opts.append([name.rstrip(",;"), arg])
                continue
            i += 1
    for j in range(len(opts) - 2, -1, -1):
        if opts[j][1] == ",":
            opts[j][1] = opts[j + 1][1]
    return [tuple(o) for o in opts]


def item_keywords(w):
    """The keywords an .It line names: "Ic user Ar string , Ic password-file",
    not the words inside one (the up-to of "Ic tier Ar tier Ic up-to")."""
    return [w[i + 1] for i in range(1, len(w) - 1) if w[i] == "Ic" and w[i - 1] in ("It", ",")]


def literals(lines):
    """Every word set in .Li, as a field name would be."""
    out = []
    for ln in lines:
        if not ln.startswith("."):
            continue
        on = False
        for x in words(ln):
            if x in MACROS:
                on = x == "Li"
            elif on and x not in PUNCT:
                x = x.strip(",;:()")
                if x:
                    out.append(x)
    return out


def commands_man():
    """{command: (header lines, body lines)} from COMMANDS of escalator.1.
    Items with no body of their own (tag, then untag) share the next one."""
    lines = section(man("escalator.1"), "COMMANDS")
    items, depth, cur, in_xo = [], 0, None, False
    for ln in lines:
        if ln.startswith(".Bl"):
            depth += 1
        elif ln.startswith(".El"):
            depth -= 1
        if depth == 1 and ln.startswith(".It "):
            w = words(ln)
            cur = {"names": [], "head": [ln], "body": []}
            items.append(cur)
            if w[1] == "Xo":
                in_xo = True
            elif w[1] == "Cm":
                cur["names"].append(w[2])
            continue
        if cur is None:
            continue
        if in_xo:
            cur["head"].append(ln)
            if ln.startswith(".Cm ") and not cur["names"]:
                cur["names"].append(words(ln)[1])
            if ln.startswith(".Xc"):
                in_xo = False
            continue
        cur["body"].append(ln)
    out, pending = {}, []
    for it in items:
        pending.append(it)
        if it["body"] and any(ln.strip() for ln in it["body"]):
            for p in pending:
                for n in p["names"]:
                    out[n] = (p["head"], it["body"])
            pending = []
    return out


def commands_help():
    rc, out, _ = run("--help")
    cmds, on = [], False
    for ln in out.split("\n"):
        if ln.startswith("commands:"):
            on = True
        elif on and re.match(r"^  [a-z]", ln):
            cmds.append(ln.split()[0])
    return cmds


def help_options(text):
    """Options a --help text names (its usage line and option lines)."""
    found = set()
    for ln in text.split("\n"):
        ln = ln.replace("[global options]", "")
        for m in re.finditer(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])(?![\w-])", ln):
            found.add(m.group(1))
    found.discard("--help")
    found.discard("-h")
    return found


def fail(problems):
    for p in problems:
        print(p)
    return 1 if problems else 0


def c_commands():
    """Every command of --help has an item in COMMANDS, and back."""
    h, m = set(commands_help()), set(commands_man())
    return fail(["in --help, not in escalator.1: " + c for c in sorted(h - m)] +
                ["in escalator.1, not in --help: " + c for c in sorted(m - h)])


# A plausible value per argument name of the manual, so that a documented
# option can be tried: it must be taken (exit 0 with --help after it).
SAMPLE = {"k": "2", "name": "billing", "text": "why", "addr": "a@example.com",
          "list": "example.com", "n": "1", "seconds": "1", "duration": "24h",
          "candidate": "/dev/null", "file": "-", "path": "x.db",
          "time": "2026-11-20T12:00:00Z"}


def try_option(prefix, opt, arg):
    args = list(prefix) + [opt]
    if arg is not None:
        args.append(SAMPLE.get(arg, "x"))
    args.append("--help")
    rc, _, err = run(*args)
    return rc, err.strip().split("\n")[0] if err else ""


def c_options():
    """Every option a command's --help lists is in its item of escalator.1
    (synopsis or text), and every option its synopsis shows is taken."""
    problems = []
    mc = commands_man()
    for cmd in commands_help():
        if cmd not in mc:
            continue
        head, body = mc[cmd]
        documented = {o for o, _ in options_in(head + body)}
        synopsis = {o for o, _ in options_in(head)}
        _, out, _ = run(cmd, "--help")
        usage = out.split("\n")[0]
        for o in sorted(help_options(usage) - synopsis):
            problems.append(f"{cmd}: {o} is in the usage line, not in the item's head")
        for o in sorted(help_options(out) - documented):
            problems.append(f"{cmd}: {o} is in --help, not in escalator.1")
        for o, arg in options_in(head):
            rc, err = try_option([cmd], o, arg)
            if rc != 0:
                problems.append(f"{cmd}: documented {o} is refused ({rc}: {err})")
    # The global options: DESCRIPTION's list against escalator --help.
    desc = section(man("escalator.1"), "DESCRIPTION")
    documented = options_in(desc)
    _, out, _ = run("--help")
    glob = help_options(out.split("commands:")[0])
    for o in sorted(glob - {x for x, _ in documented}):
        problems.append(f"global: {o} is in --help, not in escalator.1")
    for o, arg in documented:
        if o in ("--help", "-h"):
            continue
        args = [o] + ([SAMPLE.get(arg, "x")] if arg else []) + ["--help"]
        rc, _, err = run(*args)
        if rc != 0:
            problems.append(f"global: documented {o} is refused ({rc}: {err.strip()})")
    return fail(problems)


# ---- configuration ------------------------------------------------------

KINDS = ["imap", "mastodon", "bluesky", "feed", "mbox"]


def conf_errors(text, name="k.conf"):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    rc, out, err = run("-c", path, "check-config")
    return rc, err


def expected_list(err):
    m = re.search(r"expected one of: ([^)]*)\)", err)
    return [x.strip() for x in m.group(1).split(",")] if m else None


# Where an unknown keyword is asked about, for the parser to list what it
# knows there: (block, kind or None, configuration text around "zz-unknown").
PROBES = [("top", None, "zz-unknown\n"),
          ("smtp", None, 'smtp "smtp://localhost" zz-unknown\n'),
          ("calendar", None, 'calendar c {\n zz-unknown\n}\n'),
          ("tier", None, 'tier 1 {\n zz-unknown\n}\n'),
          ("department", None, 'department d {\n zz-unknown\n}\n'),
          ("authority", None, 'authority a {\n zz-unknown\n}\n'),
          ("autoreply", None, 'channel c imap {\n autoreply {\n zz-unknown\n }\n}\n')] + \
         [("channel", k, 'channel c %s {\n zz-unknown\n}\n' % k) for k in KINDS]


def parser_keywords():
    """{(block, kind): [keyword, ...]} as the parser lists them."""
    known = {}
    for block, kind, text in PROBES:
        _, err = conf_errors(text)
        known[(block, kind)] = expected_list(err) or []
    return known


def table_keywords():
    """Every name in the keyword tables of rules/conf.c."""
    with open(os.path.join(SRCDIR, "rules", "conf.c"), encoding="utf-8") as f:
        src = f.read()
    names = set()
    for m in re.finditer(r"static const struct keyword (\w+)\[\] = \{(.*?)\n\};", src, re.S):
        names.update(re.findall(r'\{ "([a-z-]+)",', m.group(2)))
    return names


def man_lists(lines):
    """[(preamble lines, [item keyword, ...])] for each list at depth 0."""
    out, depth, pre, items = [], 0, [], None
    for ln in lines:
        if ln.startswith(".Bl"):
            depth += 1
            if depth == 1:
                items = []
            continue
        if ln.startswith(".El"):
            depth -= 1
            if depth == 0:
                out.append((pre, items))
                pre = []
            continue
        if depth == 0:
            if ln.startswith(".Pp"):
                pre = []
            else:
                pre.append(ln)
        elif depth == 1 and ln.startswith(".It Ic "):
            # ".It Ic user Ar string , Ic password-file Ar secret": both
            items += item_keywords(words(ln))
    return out


def man_keywords():
    """{(block, kind): set} of the keywords escalator.conf.5 documents."""
    m5 = man("escalator.conf.5")
    doc = {}

    def add(key, kw):
        doc.setdefault(key, set()).add(kw)

    for sh in ("GLOBAL STATEMENTS", "CALENDARS", "SLA TIERS", "DEPARTMENTS",
               "AUTHORITIES", "RULES"):
        lines = section(m5, sh, own=True)
        depth = 0
        owner = None
        for ln in lines:
            if ln.startswith(".Bl"):
                depth += 1
            elif ln.startswith(".El"):
                depth -= 1
            elif ln.startswith(".It Ic "):
                w = words(ln)
                if depth == 1:
                    owner = w[2]
                    add(("top", None), owner)
                elif depth == 2 and owner in ("smtp", "calendar", "tier",
                                              "department", "authority"):
                    for kw in item_keywords(w):
                        add((owner, None), kw)
    for pre, items in man_lists(section(m5, "CHANNELS")):
        if any(re.match(r"^\.Ic autoreply\b", ln) for ln in pre):
            for kw in items:
                add(("autoreply", None), kw)
            continue
        kinds = [k for ln in pre for k in KINDS if re.match(r"^\.Cm %s\b" % k, ln)]
        for kw in items:
            if kw == "channel":
                add(("top", None), kw)
                continue
            for k in kinds or KINDS:
                add(("channel", k), kw)
    return doc


def c_conf_keywords():
    """The keywords the parser knows, per block and channel kind, are the
    ones escalator.conf.5 documents there."""
    problems = []
    known = parser_keywords()
    doc = man_keywords()
    seen = set()
    for key, kws in known.items():
        where = key[0] + (" " + key[1] if key[1] else "")
        if not kws:
            problems.append(f"{where}: the parser lists no keywords (probe broken?)")
        seen.update(kws)
        d = doc.get(key, set())
        for kw in kws:
            if kw not in d:
                problems.append(f"{where}: '{kw}' is known to the parser, not documented")
        for kw in sorted(d - set(kws)):
            problems.append(f"{where}: '{kw}' is documented, the parser refuses it")
    for kw in sorted(table_keywords() - seen):
        problems.append(f"'{kw}' is in a table of rules/conf.c that no probe reaches")
    return fail(problems)


def c_conf_parses():
    """Each documented keyword, written in its place, is taken as a keyword
    (its value may be wrong here; the keyword may not be unknown)."""
    problems = []
    doc = man_keywords()
    for (block, kind), kws in sorted(doc.items(), key=lambda x: (x[0][0], x[0][1] or "")):
        for kw in sorted(kws):
            if block == "top":
                text = kw + "\n"
            elif block == "smtp":
                text = 'smtp "smtp://localhost" %s x\n' % kw
            elif block == "channel":
                text = 'channel c %s {\n %s x\n}\n' % (kind, kw)
            elif block == "autoreply":
                text = 'channel c imap {\n autoreply {\n %s x\n }\n}\n' % kw
            else:
                text = '%s x {\n %s x\n}\n' % (block, kw)
            _, err = conf_errors(text)
            if re.search(r"unknown keyword '%s'|'%s' does not belong" % (kw, kw), err):
                problems.append(f"{block} {kind or ''}: documented '{kw}' is refused: " +
                                err.strip().split("\n")[0])
    return fail(problems)


def tokens(text):
    """A configuration's tokens, comments dropped: layout may differ."""
    out = []
    for ln in text.split("\n"):
        out += [t for t in re.findall(r'"(?:[^"\\]|\\.)*"|#.*|[^\s{}(),#]+|[{}(),]', ln)
                if not t.startswith("#")]
    return out


def c_conf_example():
    """EXAMPLES of escalator.conf.5 is examples/escalator.conf."""
    lines = section(man("escalator.conf.5"), "EXAMPLES")
    start = next(i for i, ln in enumerate(lines) if ln.startswith(".Bd"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith(".Ed"))
    shown = "\n".join(lines[start + 1:end]).replace("\\e", "\\").replace("\\&", "")
    with open(os.path.join(SRCDIR, "examples", "escalator.conf"), encoding="utf-8") as f:
        sample = f.read()
    a, b = tokens(shown), tokens(sample)
    if a == b:
        return 0
    i = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    print("escalator.conf.5 EXAMPLES differs from examples/escalator.conf at token %d: "
          "%r against %r" % (i, a[i:i + 6], b[i:i + 6]))
    return 1


# ---- --json -------------------------------------------------------------

def all_names(v, keys, values):
    if isinstance(v, dict):
        for k, x in v.items():
            keys.add(k)
            all_names(x, keys, values)
    elif isinstance(v, list):
        for x in v:
            all_names(x, keys, values)
    elif isinstance(v, str):
        values.add(v)


def json_lines(cmd):
    """The lines of a command's item from where --json is named;
    for an item that does not say (note, tag), the nearest earlier one that
    does (assign, which says it for the workflow commands)."""
    mc = commands_man()
    names = list(mc)
    for name in reversed(names[:names.index(cmd) + 1]):
        body = mc[name][1]
        at = next((i for i, ln in enumerate(body) if re.search(r"\bFl Fl json\b", ln)),
                  None)
        if at is not None:
            return body[at:]
    return []


def json_doc(cmd):
    return set(literals(json_lines(cmd)))


def c_json(cmd, *files):
    """Top-level keys of the real output are documented; every name the
    item documents after --json is a key, or a value, somewhere in it."""
    # Names that need circumstances the demo does not make: a rate limit;
    # a status and reasons for messages without a ticket that no demo
    # ticket shows; the url of a social post's media (the demo is mail).
    rare = {"poll": {"not_before"}, "queue": {"closed"},
            "show": {"closed", "precedence", "delivery-report", "mailer-daemon", "url"}}
    objs = []
    dec = json.JSONDecoder()
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        at = 0
        while True:
            while at < len(text) and text[at].isspace():
                at += 1
            if at == len(text):
                break
            o, at = dec.raw_decode(text, at)
            objs.append(o)
    doc = own = json_doc(cmd)
    # show and the workflow commands print the keys of queue, and more;
    # queue's own case sees that queue's names are there.
    if cmd != "queue" and any(re.search(r"\bCm queue\b", ln) for ln in json_lines(cmd)):
        doc = own | json_doc("queue")
    tops = []
    for o in objs:
        tops += o if isinstance(o, list) else [o]
    problems = []
    top = set()
    for o in tops:
        if isinstance(o, dict):
            top |= set(o)
    for k in sorted(top - doc):
        problems.append(f"{cmd} --json: key '{k}' is not in escalator.1")
    keys, values = set(), set()
    for o in objs:
        all_names(o, keys, values)
    for w in sorted(own - keys - values - rare.get(cmd, set())):
        if re.match(r"^[a-z][a-z0-9_-]*$", w):
            problems.append(f"{cmd} --json: escalator.1 names '{w}', the output has none")
    return fail(problems)


# ---- exit codes ---------------------------------------------------------

def sysexits():
    codes = {}
    for path in ("/usr/include/sysexits.h",):
        with open(path, encoding="utf-8") as f:
            for m in re.finditer(r"#define\s+(EX_[A-Z]+)\s+(\d+)", f.read()):
                codes[m.group(1)] = int(m.group(2))
    return codes


def sources():
    """The text of every C file of the program (not tests, bench, fuzz)."""
    for d in ("", "cli", "common", "connectors", "intake", "rules", "store"):
        top = os.path.join(SRCDIR, d)
        for fn in sorted(os.listdir(top)):
            if fn.endswith(".c") or fn.endswith(".h"):
                with open(os.path.join(top, fn), encoding="utf-8") as f:
                    yield f.read()


def used_codes():
    names = set()
    for src in sources():
        names.update(re.findall(r"\b(EX_[A-Z]+)\b", src))
    names.discard("EX_OK")
    return names


def c_exit_codes():
    """EXIT STATUS of escalator.1 lists every sysexits code the program
    uses, with the right number; escalator.8 lists only such codes."""
    ex = sysexits()
    used = {ex[n]: n for n in used_codes() if n in ex}
    problems = []
    for page, complete in (("escalator.1", True), ("escalator.8", False)):
        listed = {}
        for ln in section(man(page), "EXIT STATUS"):
            m = re.match(r"^\.It (\d+)(?: Pq Dv (EX_[A-Z]+))?", ln)
            if m:
                listed[int(m.group(1))] = m.group(2)
        for num, name in listed.items():
            if num == 0:
                continue
            if name is None or ex.get(name) != num:
                problems.append(f"{page}: exit status {num} named {name}, sysexits.h says "
                                f"{[k for k, v in ex.items() if v == num]}")
            elif num not in used:
                problems.append(f"{page}: exit status {num} ({name}) is never used")
        if complete:
            for num in sorted(set(used) - set(listed)):
                problems.append(f"{page}: exit status {num} ({used[num]}) is used, not listed")
    return fail(problems)


def c_readme_conf():
    """The configuration snippets of README.md parse: only their secret
    and text files, which name places on a server, may be missing."""
    with open(os.path.join(SRCDIR, "README.md"), encoding="utf-8") as f:
        blocks = re.findall(r"^```\n(.*?)^```$", f.read(), re.M | re.S)
    top = ("authority", "calendar", "channel", "database", "department", "digest",
           "rule", "smtp", "tier", "warn-at")
    snippets = [b for b in blocks if b.split() and b.split()[0] in top]
    if not snippets:
        return fail(["README.md has no configuration snippet (extraction broken?)"])
    # What the snippets refer to without defining it.
    prelude = ('smtp "smtp://localhost" from "escalator@example.com"\n'
               'tier 1 { owner "t1@example.com" first-response 1h }\n'
               'tier 2 { owner "t2@example.com" first-response 4h }\n'
               'tier 3 { owner "t3@example.com" first-response 1d }\n'
               'department billing { head "h@example.com" }\n')
    text = prelude + "\n".join(snippets)
    if not re.search(r"^authority refund\b", text, re.M):
        text += 'authority refund { tier 1 up-to 50 EUR  tier 2 any }\n'
    _, err = conf_errors(text, "readme.conf")
    bad = [ln for ln in err.split("\n") if re.match(r"^\S+:\d+:\d+: ", ln) and
           "warning:" not in ln and not re.search(r"cannot (read|open) '/etc/escalator/", ln)]
    return fail(bad)


# ---- environment ------------------------------------------------------

def c_environment():
    """ENVIRONMENT of escalator.1 names every variable the program reads
    (getenv, or an *_ENV macro), and no other."""
    read = set()
    for src in sources():
        read.update(re.findall(r'getenv\("([A-Z_]+)"\)', src))
        read.update(re.findall(r'#define\s+\w+_ENV\s+"([A-Z_]+)"', src))
    listed = set()
    for ln in section(man("escalator.1"), "ENVIRONMENT"):
        m = re.match(r"^\.It Ev ([A-Z_]+)", ln)
        if m:
            listed.add(m.group(1))
    return fail([f"{v} is read, not in ENVIRONMENT" for v in sorted(read - listed)] +
                [f"{v} is in ENVIRONMENT, never read" for v in sorted(listed - read)])


if __name__ == "__main__":
    sub = sys.argv[1].replace("-", "_")
    sys.exit(globals()["c_" + sub](*sys.argv[2:]))
