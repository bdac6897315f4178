#!/usr/bin/env python3
"""Checks the conformance case files in tests/conformance/cases/ and counts
cases per topic.

    python3 tests/conformance/lint.py [CASES_DIR] [--markdown]

Checks, per file: well-formed JSON; {"topic", "cases"} with topic == file
stem; per case: unique kebab-case name, non-empty source, an input with a
request (principal, action) and no "id", expect.decision one of the four
values, errorContains only on Error, matched/missingContext only on non-Error
(matched empty on ImplicitDeny), and every policy named in matched exists in
the input. Also checks that edge-cases-section15 has a case for every row
1-88. Exit status 1 on any problem.
"""
import json
import os
import re
import sys

DECISIONS = {"Allow", "ExplicitDeny", "ImplicitDeny", "Error"}
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
INPUT_KEYS = {"identityPolicies", "resourcePolicy", "permissionBoundaries",
              "scps", "rcps", "sessionPolicy", "request"}
REQUEST_KEYS = {"principal", "action", "resource", "resourceAccount", "context"}


def policy_name(p, default):
    if isinstance(p, dict) and "document" in p and "name" in p:
        return p["name"]
    return default


def levels(v):
    """scps/rcps: a list of levels, or a flat list (= one level)."""
    if not v:
        return []
    if all(isinstance(x, list) for x in v):
        return v
    return [v]


def policy_names(inp):
    names = set()
    for i, p in enumerate(inp.get("identityPolicies") or []):
        names.add(policy_name(p, "identity[%d]" % i))
    if inp.get("resourcePolicy") is not None:
        names.add(policy_name(inp["resourcePolicy"], "resource"))
    for i, p in enumerate(inp.get("permissionBoundaries") or []):
        names.add(policy_name(p, "boundary[%d]" % i))
    for kind in ("scp", "rcp"):
        for li, lvl in enumerate(levels(inp.get(kind + "s"))):
            for pi, p in enumerate(lvl):
                names.add(policy_name(p, "%s[%d][%d]" % (kind, li, pi)))
    if inp.get("sessionPolicy") is not None:
        names.add(policy_name(inp["sessionPolicy"], "session"))
    return names


def check_case(c, where, errs):
    def bad(msg):
        errs.append("%s: %s" % (where, msg))

    if not isinstance(c, dict):
        return bad("case is not an object")
    extra = set(c) - {"name", "source", "input", "expect"}
    if extra:
        bad("unknown keys %s" % sorted(extra))
    if not isinstance(c.get("source"), str) or not c["source"].strip():
        bad("missing source")
    inp = c.get("input")
    if not isinstance(inp, dict):
        return bad("missing input")
    if "id" in inp:
        bad('input must not have "id"')
    if set(inp) - INPUT_KEYS:
        bad("unknown input keys %s" % sorted(set(inp) - INPUT_KEYS))
    req = inp.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("principal"), str) \
            or not isinstance(req.get("action"), str):
        bad("request needs principal and action")
    elif set(req) - REQUEST_KEYS:
        bad("unknown request keys %s" % sorted(set(req) - REQUEST_KEYS))
    exp = c.get("expect")
    if not isinstance(exp, dict):
        return bad("missing expect")
    d = exp.get("decision")
    if d not in DECISIONS:
        return bad("bad decision %r" % d)
    if set(exp) - {"decision", "matched", "missingContext", "errorContains"}:
        bad("unknown expect keys")
    if d == "Error":
        if "matched" in exp or "missingContext" in exp:
            bad("Error case with matched/missingContext")
        if "errorContains" in exp and not isinstance(exp["errorContains"], str):
            bad("errorContains must be a string")
        return
    if "errorContains" in exp:
        bad("errorContains on a non-Error case")
    if "matched" in exp:
        m = exp["matched"]
        if not isinstance(m, list):
            return bad("matched must be a list")
        if d == "ImplicitDeny" and m:
            bad("ImplicitDeny must have matched == []")
        names = policy_names(inp)
        seen = set()
        for e in m:
            if not isinstance(e, dict) or not isinstance(e.get("policy"), str) \
                    or not isinstance(e.get("statement"), int):
                bad("bad matched entry %r" % (e,))
                continue
            if e["policy"] not in names:
                bad("matched names unknown policy %r" % e["policy"])
            k = (e["policy"], e["statement"])
            if k in seen:
                bad("duplicate matched entry %r" % (k,))
            seen.add(k)
    if "missingContext" in exp:
        mc = exp["missingContext"]
        if not isinstance(mc, list) or not all(isinstance(k, str) for k in mc):
            bad("missingContext must be a list of strings")


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    markdown = "--markdown" in argv
    d = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
    errs = []
    counts = {}
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".json"):
            continue
        path = os.path.join(d, fn)
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            errs.append("%s: invalid JSON: %s" % (fn, e))
            continue
        stem = fn[:-5]
        if not isinstance(data, dict) or set(data) != {"topic", "cases"}:
            errs.append("%s: top level must be {topic, cases}" % fn)
            continue
        if data["topic"] != stem:
            errs.append("%s: topic %r != file name" % (fn, data["topic"]))
        names = set()
        for i, c in enumerate(data["cases"]):
            n = c.get("name") if isinstance(c, dict) else None
            where = "%s[%d] %s" % (fn, i, n)
            if not isinstance(n, str) or not NAME_RE.match(n):
                errs.append("%s: name must be kebab-case" % where)
            elif n in names:
                errs.append("%s: duplicate name" % where)
            names.add(n)
            check_case(c, where, errs)
        counts[stem] = len(data["cases"])
        if stem == "edge-cases-section15":
            rows = set()
            for n in names:
                m = re.match(r"^row-(\d\d)-", n or "")
                if m:
                    rows.add(int(m.group(1)))
            missing = sorted(set(range(1, 89)) - rows)
            if missing:
                errs.append("%s: no case for §15 rows %s" % (fn, missing))
    total = sum(counts.values())
    if markdown:
        print("| Topic | Cases |\n|---|---:|")
        for k, v in counts.items():
            print("| %s | %d |" % (k, v))
        print("| **total** | **%d** |" % total)
    else:
        for k, v in counts.items():
            print("%-28s %4d" % (k, v))
        print("%-28s %4d" % ("total", total))
    for e in errs:
        print("ERROR " + e, file=sys.stderr)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
