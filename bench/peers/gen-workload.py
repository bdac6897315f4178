#!/usr/bin/env python3
"""Deterministic workload generator for the peer-comparison benchmark.

Writes (relative to this file's directory):
  workload.jsonl          eval-format lines (see docs/eval-format.md) plus the
                          benchmark-only fields  expect / category / peers / set
  workload-pbac.jsonl     the lines pbac can decide (same lines, same order),
                          so iampdp can also be timed on exactly pbac's subset
  cedar/policies/<set>.cedar   one Cedar policy set per distinct IAM policy set
  cedar/entities.json     every User and Resource entity (tags as Cedar tags)
  cedar/requests.jsonl    per workload line: Cedar principal/action/resource
                          uids, context record, and the policy-set id

The expected decision of every line is computed here by a small reference
evaluator of the IAM subset used (identity policies only, one account):
explicit Deny > Allow > implicit Deny; actions match case-insensitively with
IAM globs, resources case-sensitively with IAM globs; StringEquals,
StringLike, NotIpAddress, Bool; policy variables ${aws:PrincipalTag/...};
a missing key makes a positive operator false and a negated one true.

Usage: gen-workload.py [--lines N] [--seed S] [--out DIR]
"""
import argparse
import ipaddress
import json
import os
import random
import re
import sys

ACCOUNT = "111122223333"
REGION = "us-east-1"
HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- policies
T_ORDERS = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
T_AUDIT = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/audit"
INST = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:"
LOGGRP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"


def pol(*stmts):
    return {"Version": "2012-10-17", "Statement": list(stmts)}


POLICIES = {
    # RBAC: S3 read on a bucket prefix, list restricted by s3:prefix
    "S3ReadReports": pol(
        {"Sid": "ReadReports", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:GetObjectVersion"],
         "Resource": "arn:aws:s3:::corp-data/reports/*"},
        {"Sid": "ListReports", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::corp-data",
         "Condition": {"StringLike": {"s3:prefix": ["reports/*", "public/*"]}}}),
    # RBAC: DynamoDB table access
    "DynamoOrders": pol(
        {"Sid": "OrdersRW", "Effect": "Allow",
         "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem",
                    "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
         "Resource": [T_ORDERS, T_ORDERS + "/index/*"]}),
    # RBAC: EC2 describe through a wildcard action
    "EC2ReadOnly": pol(
        {"Sid": "Describe", "Effect": "Allow", "Action": "ec2:Describe*",
         "Resource": "*"}),
    # ABAC: principal tag must equal resource tag (policy variable)
    "EC2TeamInstances": pol(
        {"Sid": "StartStopOwnTeam", "Effect": "Allow",
         "Action": ["ec2:StartInstances", "ec2:StopInstances",
                    "ec2:RebootInstances"],
         "Resource": INST + "*",
         "Condition": {"StringEquals": {
             "aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}),
    # ABAC with literal values
    "TeamSecrets": pol(
        {"Sid": "AppSecretsForTeams", "Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret"],
         "Resource": SECRET + "app/*",
         "Condition": {"StringEquals": {
             "aws:PrincipalTag/team": ["payments", "platform"]}}}),
    # Deny everything from outside the corporate networks
    "DenyOutsideCorpNet": pol(
        {"Sid": "DenyOffNet", "Effect": "Deny", "Action": "*",
         "Resource": "*",
         "Condition": {"NotIpAddress": {
             "aws:SourceIp": "10.0.0.0/8"}}}),
    # MFA required for deletes
    "MFADelete": pol(
        {"Sid": "DeleteWithMFA", "Effect": "Allow",
         "Action": ["s3:DeleteObject", "dynamodb:DeleteItem"],
         "Resource": ["arn:aws:s3:::corp-data/*", T_ORDERS],
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
    # explicit, unconditional Deny
    "DenyDestructive": pol(
        {"Sid": "NoTableDrop", "Effect": "Deny",
         "Action": ["dynamodb:DeleteTable", "dynamodb:DeleteItem"],
         "Resource": [T_ORDERS, T_AUDIT]},
        {"Sid": "NoSecretPrefix", "Effect": "Deny", "Action": "s3:*",
         "Resource": "arn:aws:s3:::corp-data/secret/*"},
        {"Sid": "NoTerminate", "Effect": "Deny",
         "Action": "ec2:TerminateInstances", "Resource": "*"}),
    # power user: everything but IAM and Organizations
    "PowerUser": pol(
        {"Sid": "AllButIam", "Effect": "Allow",
         "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}),
    # CloudWatch Logs write on a log-group prefix
    "LogsWriter": pol(
        {"Sid": "WriteAppLogs", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": LOGGRP + "/app/*"}),
}

# users: name -> (team tag or None, attached policies).  The list of policies
# a user has is its "policy set"; sets are shared by users with equal lists.
USERS = {
    "alice": ("payments", ["S3ReadReports", "DynamoOrders", "DenyOutsideCorpNet"]),
    "bob": ("platform", ["EC2ReadOnly", "EC2TeamInstances", "DenyOutsideCorpNet", "DenyDestructive"]),
    "carol": ("payments", ["EC2TeamInstances", "TeamSecrets", "MFADelete", "DenyDestructive"]),
    "dave": ("analytics", ["S3ReadReports", "EC2ReadOnly", "LogsWriter"]),
    "erin": ("platform", ["PowerUser", "DenyDestructive", "DenyOutsideCorpNet"]),
    "frank": (None, ["EC2TeamInstances", "TeamSecrets", "DynamoOrders"]),
    "grace": ("platform", ["MFADelete", "S3ReadReports", "DynamoOrders", "DenyOutsideCorpNet", "DenyDestructive"]),
    "heidi": ("analytics", ["EC2ReadOnly", "LogsWriter", "DenyOutsideCorpNet"]),
}


def user_arn(u):
    return f"arn:aws:iam::{ACCOUNT}:user/{u}"


# resources: arn -> tags (fixed world; ResourceTag context is derived from it)
RESOURCES = {}
for i, team in enumerate(["payments", "platform", "analytics", "platform", None, "payments"]):
    RESOURCES[f"{INST}i-0{i:015x}"] = {"team": team} if team else {}

S3_KEYS = ["reports/2024/q1.csv", "reports/2024/q2.csv", "reports/summary.pdf",
           "public/logo.png", "secret/keys.txt", "secret/payroll.xlsx",
           "tmp/scratch.bin", "home/alice/notes.txt"]
for k in S3_KEYS:
    RESOURCES[f"arn:aws:s3:::corp-data/{k}"] = {}
RESOURCES["arn:aws:s3:::corp-data"] = {}
RESOURCES["arn:aws:s3:::other-bucket/reports/x.csv"] = {}
for t in [T_ORDERS, T_AUDIT, T_ORDERS + "/index/byCustomer"]:
    RESOURCES[t] = {}
for s in ["app/db-password-AbCdEf", "app/api-key-123456", "infra/root-token-zzz"]:
    RESOURCES[SECRET + s] = {}
for g in ["/app/web:log-stream:i-1", "/app/worker:log-stream:i-2", "/infra/vpc:log-stream:x"]:
    RESOURCES[LOGGRP + g] = {}
RESOURCES["*"] = {}

# request templates: (action, list of resources, extra context kind)
TEMPLATES = [
    ("s3:GetObject", [r for r in RESOURCES if r.startswith("arn:aws:s3:::")
                      and r != "arn:aws:s3:::corp-data"], None),
    ("s3:GetObjectVersion", ["arn:aws:s3:::corp-data/reports/2024/q1.csv"], None),
    ("s3:PutObject", ["arn:aws:s3:::corp-data/tmp/scratch.bin",
                      "arn:aws:s3:::corp-data/reports/summary.pdf"], None),
    ("s3:DeleteObject", ["arn:aws:s3:::corp-data/tmp/scratch.bin",
                         "arn:aws:s3:::corp-data/secret/keys.txt",
                         "arn:aws:s3:::corp-data/reports/2024/q2.csv"], None),
    ("s3:ListBucket", ["arn:aws:s3:::corp-data"], "prefix"),
    ("dynamodb:GetItem", [T_ORDERS, T_AUDIT], None),
    ("dynamodb:Query", [T_ORDERS, T_ORDERS + "/index/byCustomer", T_AUDIT], None),
    ("dynamodb:PutItem", [T_ORDERS, T_AUDIT], None),
    ("dynamodb:DeleteItem", [T_ORDERS], None),
    ("dynamodb:DeleteTable", [T_ORDERS, T_AUDIT], None),
    ("ec2:DescribeInstances", ["*"], None),
    ("ec2:DescribeVolumes", ["*"], None),
    ("ec2:DescribeSecurityGroups", ["*"], None),
    ("ec2:StartInstances", [r for r in RESOURCES if r.startswith(INST)], None),
    ("ec2:StopInstances", [r for r in RESOURCES if r.startswith(INST)], None),
    ("ec2:TerminateInstances", [r for r in RESOURCES if r.startswith(INST)], None),
    ("secretsmanager:GetSecretValue", [r for r in RESOURCES if r.startswith(SECRET)], None),
    ("secretsmanager:DescribeSecret", [SECRET + "app/api-key-123456"], None),
    ("logs:PutLogEvents", [r for r in RESOURCES if r.startswith(LOGGRP)], None),
    ("logs:CreateLogStream", [LOGGRP + "/app/web:log-stream:i-1"], None),
    ("iam:CreateUser", [f"arn:aws:iam::{ACCOUNT}:user/mallory"], None),
    ("iam:ListUsers", ["*"], None),
    ("organizations:ListAccounts", ["*"], None),
    ("sqs:SendMessage", [f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"], None),
    # (no kms: a KMS key policy must also allow, outside this identity-only subset)
]
for _a, rs, _k in TEMPLATES:
    for r in rs:
        RESOURCES.setdefault(r, {})

ON_NET_IPS = ["10.1.2.3", "10.20.30.40", "10.255.0.9", "10.0.0.1"]
OFF_NET_IPS = ["203.0.113.5", "198.51.100.77", "192.0.2.17", "11.0.0.1"]
PREFIXES = ["reports/", "reports/2024/", "public/", "secret/", "tmp/", ""]

# ---------------------------------------------------------- reference eval
VAR_RE = re.compile(r"\$\{([^}]+)\}")


def glob_re(pat, ci):
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pat)
    return re.compile("^" + rx + "$", re.S | (re.I if ci else 0))


def aslist(x):
    return x if isinstance(x, list) else [x]


def ctx_get(ctx, key):
    for k, v in ctx.items():
        if k.lower() == key.lower():
            return v
    return None


def resolve_vars(s, ctx):
    """Substitute policy variables; None if one cannot be resolved."""
    missing = []

    def sub(m):
        v = ctx_get(ctx, m.group(1))
        if v is None or isinstance(v, list):
            missing.append(m.group(1))
            return ""
        return str(v)
    out = VAR_RE.sub(sub, s)
    return None if missing else out


def cond_true(op, key, vals, ctx):
    v = ctx_get(ctx, key)
    negated = op.startswith("Not") or op.startswith("StringNot")
    if v is None:
        return negated
    vals = aslist(vals)
    if op == "StringEquals":
        return any((rv := resolve_vars(x, ctx)) is not None and str(v) == rv for x in vals)
    if op == "StringLike":
        return any((rv := resolve_vars(x, ctx)) is not None and glob_re(rv, False).match(str(v))
                   for x in vals)
    if op in ("IpAddress", "NotIpAddress"):
        inside = any(ipaddress.ip_address(v) in ipaddress.ip_network(c, strict=False) for c in vals)
        return inside if op == "IpAddress" else not inside
    if op == "Bool":
        return any(str(v).lower() == str(x).lower() for x in vals)
    raise ValueError("operator not in the benchmark subset: " + op)


def stmt_targets(st, action, resource):
    """Action and resource match (ignoring conditions)."""
    if "Action" in st:
        am = any(glob_re(a, True).match(action) for a in aslist(st["Action"]))
    else:
        am = not any(glob_re(a, True).match(action) for a in aslist(st["NotAction"]))
    if "Resource" in st:
        rm = any(glob_re(r, False).match(resource) for r in aslist(st["Resource"]))
    else:
        rm = not any(glob_re(r, False).match(resource) for r in aslist(st["NotResource"]))
    return am and rm


def stmt_matches(st, action, resource, ctx):
    if not stmt_targets(st, action, resource):
        return False
    for op, block in st.get("Condition", {}).items():
        for key, vals in block.items():
            if not cond_true(op, key, vals, ctx):
                return False
    return True


def evaluate(pnames, action, resource, ctx):
    allow = False
    for p in pnames:
        for st in POLICIES[p]["Statement"]:
            if stmt_matches(st, action, resource, ctx):
                if st["Effect"] == "Deny":
                    return "ExplicitDeny"
                allow = True
    return "Allow" if allow else "ImplicitDeny"


def pbac_unsupported(pnames, action, resource):
    """Why pbac cannot decide this line, or None if it can.

    pbac decides a line correctly iff no statement that targets the request
    (action and resource match) uses a feature pbac lacks: policy variables
    inside Condition values (it only interpolates Resource), more than one
    key in one operator block (it reads only the first), ...IfExists (a
    missing key reads as the key's own name, never as absent), or a negated
    operator with several values (it ORs the negations: "not in A or not in
    B", where IAM means "in none of A, B")."""
    for p in pnames:
        for st in POLICIES[p]["Statement"]:
            if not stmt_targets(st, action, resource):
                continue
            for op, block in st.get("Condition", {}).items():
                if len(block) > 1:
                    return "several keys in one condition operator"
                if op.endswith("IfExists"):
                    return "...IfExists operator"
                for vals in block.values():
                    if any("${" in str(x) for x in aslist(vals)):
                        return "policy variable in a Condition value"
                    if (op.startswith("Not") or "Not" in op.split(":")[-1]) and len(aslist(vals)) > 1:
                        return "negated operator with several values"
    return None

# ---------------------------------------------------------- cedar output


def cstr(s):
    return json.dumps(s)


def like_pat(s):
    if "?" in s:
        raise ValueError("Cedar `like` has no single-char wildcard: " + s)
    return '"' + json.dumps(s)[1:-1] + '"'  # `*` stays a wildcard


def cedar_key(key):
    """(has-expr, value-expr) for an IAM condition key."""
    low = key.lower()
    if low.startswith("aws:principaltag/"):
        t = key.split("/", 1)[1]
        return f"principal.hasTag({cstr(t)})", f"principal.getTag({cstr(t)})"
    if low.startswith("aws:resourcetag/"):
        t = key.split("/", 1)[1]
        return f"resource.hasTag({cstr(t)})", f"resource.getTag({cstr(t)})"
    return f"context has {cstr(key)}", f"context[{cstr(key)}]"


def cedar_value(v):
    """(guard or None, expr) for a condition value (maybe a policy variable)."""
    m = VAR_RE.fullmatch(v)
    if m:
        return cedar_key(m.group(1))
    if "${" in v:
        raise ValueError("embedded policy variables not translated: " + v)
    return None, cstr(v)


def cedar_cond(op, key, vals):
    has, get = cedar_key(key)
    vals = aslist(vals)
    if op == "StringEquals":
        alts = []
        for v in vals:
            guard, e = cedar_value(v)
            alts.append(f"({guard} && {get} == {e})" if guard else f"{get} == {e}")
        return f"({has} && ({' || '.join(alts)}))"
    if op == "StringLike":
        return f"({has} && ({' || '.join(f'{get} like {like_pat(v)}' for v in vals)}))"
    if op in ("IpAddress", "NotIpAddress"):
        inr = " || ".join(f"{get}.isInRange(ip({cstr(c)}))" for c in vals)
        if op == "IpAddress":
            return f"({has} && ({inr}))"
        return f"(!({has}) || !({inr}))"  # negated: true when the key is absent
    if op == "Bool":
        alts = " || ".join(f"{get} == {'true' if str(v).lower() == 'true' else 'false'}" for v in vals)
        return f"({has} && ({alts}))"
    raise ValueError(op)


def expand_actions(pats, universe):
    out = sorted({a for a in universe for p in aslist(pats) if glob_re(p, True).match(a)})
    return out


def cedar_stmt(st, universe):
    eff = "forbid" if st["Effect"] == "Deny" else "permit"
    scope_action = "action"
    clauses = []
    if "Action" in st:
        if aslist(st["Action"]) == ["*"]:
            pass
        else:
            acts = expand_actions(st["Action"], universe)
            if not acts:
                clauses.append("when { false }")
            else:
                scope_action = "action in [" + ", ".join(f"Action::{cstr(a)}" for a in acts) + "]"
    else:
        acts = expand_actions(st["NotAction"], universe)
        if acts:
            clauses.append("unless { action in [" + ", ".join(f"Action::{cstr(a)}" for a in acts) + "] }")
    if "Resource" in st:
        rs = aslist(st["Resource"])
        if rs != ["*"]:
            clauses.append("when { " + " || ".join(f"resource.arn like {like_pat(r)}" for r in rs) + " }")
    else:
        rs = aslist(st["NotResource"])
        clauses.append("unless { " + " || ".join(f"resource.arn like {like_pat(r)}" for r in rs) + " }")
    for op, block in st.get("Condition", {}).items():
        for key, vals in block.items():
            clauses.append("when { " + cedar_cond(op, key, vals) + " }")
    return f"{eff} (principal, {scope_action}, resource)\n" + "".join("  " + c + "\n" for c in clauses) + ";\n"


def cedar_context(ctx):
    out = {}
    for k, v in ctx.items():
        if k.lower().startswith(("aws:principaltag/", "aws:resourcetag/")):
            continue  # carried as entity tags
        if k == "aws:SourceIp":
            out[k] = {"__extn": {"fn": "ip", "arg": v}}
        else:
            out[k] = v
    return out

# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    universe = sorted({a for a, _r, _k in TEMPLATES} |
                      {a for p in POLICIES.values() for st in p["Statement"]
                       for a in aslist(st.get("Action", st.get("NotAction")))
                       if "*" not in a and "?" not in a})

    # distinct policy sets
    sets = {}
    for u, (_t, pn) in USERS.items():
        sets.setdefault(tuple(pn), "set%d" % len(sets))

    # candidate pool: every user x template x resource x some contexts
    pool = {"Allow": [], "ExplicitDeny": [], "ImplicitDeny": []}
    for u, (team, pnames) in USERS.items():
        for action, rs, kind in TEMPLATES:
            for r in rs:
                for _ in range(3):
                    ctx = {"aws:SourceIp": rng.choice(ON_NET_IPS if rng.random() < 0.85 else OFF_NET_IPS)}
                    mfa = rng.random()
                    if mfa < 0.45:
                        ctx["aws:MultiFactorAuthPresent"] = True
                    elif mfa < 0.8:
                        ctx["aws:MultiFactorAuthPresent"] = False
                    if team:
                        ctx["aws:PrincipalTag/team"] = team
                    for tk, tv in RESOURCES.get(r, {}).items():
                        ctx["aws:ResourceTag/" + tk] = tv
                    if kind == "prefix":
                        ctx["s3:prefix"] = rng.choice(PREFIXES)
                    dec = evaluate(pnames, action, r, ctx)
                    pool[dec].append((u, action, r, ctx))

    want = {"Allow": 0.45, "ImplicitDeny": 0.30, "ExplicitDeny": 0.25}
    picks = []
    for dec, frac in want.items():
        n = round(args.lines * frac)
        picks += [(dec, rng.choice(pool[dec])) for _ in range(n)]
    rng.shuffle(picks)

    os.makedirs(os.path.join(args.out, "cedar", "policies"), exist_ok=True)
    wl = open(os.path.join(args.out, "workload.jsonl"), "w")
    wp = open(os.path.join(args.out, "workload-pbac.jsonl"), "w")
    cr = open(os.path.join(args.out, "cedar", "requests.jsonl"), "w")
    stats = {"lines": 0, "Allow": 0, "ImplicitDeny": 0, "ExplicitDeny": 0,
             "wildcardActionHit": 0, "pbac": 0}
    for i, (dec, (u, action, r, ctx)) in enumerate(picks):
        team, pnames = USERS[u]
        lid = f"L{i:05d}"
        wild = any(stmt_matches(st, action, r, ctx) and any("*" in a for a in aslist(st.get("Action", [])))
                   for p in pnames for st in POLICIES[p]["Statement"])
        peers = ["iampdp", "iam-simulate", "cedar"]
        skip = pbac_unsupported(pnames, action, r)
        if skip is None:
            peers.append("pbac")
            stats["pbac"] += 1
        cat = {"Allow": "allow", "ImplicitDeny": "implicit-deny", "ExplicitDeny": "explicit-deny"}[dec]
        if wild:
            cat += "+wildcard-action"
            stats["wildcardActionHit"] += 1
        line = {
            "id": lid,
            "identityPolicies": [{"name": p, "document": POLICIES[p]} for p in pnames],
            "request": {"principal": user_arn(u), "action": action, "resource": r,
                        "resourceAccount": ACCOUNT, "context": ctx},
            "expect": "Allow" if dec == "Allow" else "Deny",
            "expectDetail": dec,
            "category": cat,
            "set": sets[tuple(pnames)],
            "peers": peers,
        }
        if skip:
            line["pbacSkip"] = skip
        wl.write(json.dumps(line, separators=(",", ":")) + "\n")
        if "pbac" in peers:
            wp.write(json.dumps(line, separators=(",", ":")) + "\n")
        cr.write(json.dumps({
            "id": lid, "policySet": sets[tuple(pnames)],
            "principal": {"type": "User", "id": user_arn(u)},
            "action": {"type": "Action", "id": action},
            "resource": {"type": "Resource", "id": r},
            "context": cedar_context(ctx)}, separators=(",", ":")) + "\n")
        stats["lines"] += 1
        stats[dec] += 1
    wl.close()
    wp.close()
    cr.close()

    for pn, sid in sets.items():
        with open(os.path.join(args.out, "cedar", "policies", sid + ".cedar"), "w") as f:
            f.write(f"// policy set {sid}: IAM identity policies {', '.join(pn)}\n"
                    "// generated by bench/peers/gen-workload.py -- do not edit\n\n")
            for p in pn:
                for j, st in enumerate(POLICIES[p]["Statement"]):
                    f.write(f'@id("{p}/{st.get("Sid", j)}")\n' + cedar_stmt(st, universe) + "\n")

    ents = []
    for u, (team, _p) in USERS.items():
        ents.append({"uid": {"type": "User", "id": user_arn(u)},
                     "attrs": {"name": u}, "parents": [],
                     "tags": {"team": team} if team else {}})
    for r, tags in sorted(RESOURCES.items()):
        ents.append({"uid": {"type": "Resource", "id": r}, "attrs": {"arn": r},
                     "parents": [], "tags": {k: v for k, v in tags.items()}})
    with open(os.path.join(args.out, "cedar", "entities.json"), "w") as f:
        json.dump(ents, f, indent=1)
        f.write("\n")

    print(f"gen-workload: {stats['lines']} lines, {len(sets)} policy sets of "
          f"{len(POLICIES)} policies; Allow {stats['Allow']}, ImplicitDeny "
          f"{stats['ImplicitDeny']}, ExplicitDeny {stats['ExplicitDeny']}, "
          f"wildcard-action hits {stats['wildcardActionHit']}; pbac-capable "
          f"{stats['pbac']}", file=sys.stderr)


if __name__ == "__main__":
    main()
