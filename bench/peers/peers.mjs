#!/usr/bin/env node
// Peer comparison: times the same authorization workload through
// @cloud-copilot/iam-simulate, @cedar-policy/cedar-wasm and pbac, after
// checking every peer's decision against the expectation gen-workload.py
// wrote.  Optionally folds in iampdp's numbers (pdpbench micro --json) and
// prints ratios.  See README.md.
//
// usage: node peers.mjs [--workload F] [--cedar DIR] [--seconds S]
//                       [--batch N] [--warmup-seconds S] [--peers a,b,c]
//                       [--iampdp FILE] [--iampdp-pbac FILE]
//                       [--iampdp-eval FILE] [--json FILE]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// ------------------------------------------------------------------ options
const opt = {
  workload: join(HERE, 'workload.jsonl'),
  cedar: join(HERE, 'cedar'),
  seconds: 3,          // timed seconds per peer (at least minPasses passes)
  warmupSeconds: 1,
  minPasses: 3,
  batch: 100,          // decisions per timed batch
  peers: 'iam-simulate,iam-simulate-public,cedar,pbac',
  iampdp: null,        // pdpbench --json output over the full workload
  iampdpPbac: null,    // pdpbench --json output over the pbac subset
  iampdpEval: null,    // `iamc eval` output over the workload: per-line check
  json: null,
};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const v = () => process.argv[++i];
  switch (a) {
    case '--workload': opt.workload = v(); break;
    case '--cedar': opt.cedar = v(); break;
    case '--seconds': opt.seconds = Number(v()); break;
    case '--warmup-seconds': opt.warmupSeconds = Number(v()); break;
    case '--min-passes': opt.minPasses = Number(v()); break;
    case '--batch': opt.batch = Number(v()); break;
    case '--peers': opt.peers = v(); break;
    case '--iampdp': opt.iampdp = v(); break;
    case '--iampdp-pbac': opt.iampdpPbac = v(); break;
    case '--iampdp-eval': opt.iampdpEval = v(); break;
    case '--json': opt.json = v(); break;
    case '-h': case '--help':
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 10).join('\n'));
      process.exit(0);
    default: console.error(`peers.mjs: unknown argument ${a}`); process.exit(2);
  }
}
const wanted = new Set(opt.peers.split(',').map((s) => s.trim()).filter(Boolean));

// ------------------------------------------------------------------ workload
const readJsonl = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const lines = readJsonl(opt.workload);
const cedarReqs = new Map(readJsonl(join(opt.cedar, 'requests.jsonl')).map((r) => [r.id, r]));
const docOf = (p) => (p && p.document ? p.document : p);
const nameOf = (p, i) => (p && p.document && p.name ? p.name : `identity[${i}]`);
const setKey = (line) => JSON.stringify(line.identityPolicies);
const ctxOf = (line) => line.request.context || {};
const resourceAccount = (line) => {
  const r = line.request;
  if (r.resourceAccount) return r.resourceAccount;
  const m = /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(r.resource);
  return m ? m[1] : /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(r.principal)[1];
};

// ------------------------------------------------------------------ peers
// Each peer: { name, version, api, prepare(lines) -> decide(i) -> 'Allow'|'Deny' }
// prepare() does everything that can be done once: parse policies, build
// request objects.  decide(i) is what is timed.
function pkgVersion(name) {
  return JSON.parse(readFileSync(join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
}

async function iamSimulatePeer() {
  const base = join(HERE, 'node_modules/@cloud-copilot/iam-simulate/dist/esm');
  const imp = (p) => import(pathToFileURL(join(base, p)).href);
  // The package exports only runSimulation/runUnsafeSimulation, which
  // re-load (parse + validate) every policy on every call.  To give it a
  // parse-once path we call its core engine directly with policies loaded
  // once; this is exactly what runUnsafeSimulation does after loading.
  const { authorize } = await imp('core_engine/CoreSimulatorEngine.js');
  const { AwsRequestImpl } = await imp('request/request.js');
  const { RequestContextImpl } = await imp('requestContext.js');
  const { DiscoveryContextKeyConstraints } = await imp('context_keys/discoveryContextKeyConstraints.js');
  const { isWildcardOnlyAction } = await imp('util.js');
  const { loadPolicy } = await import('@cloud-copilot/iam-policy');
  const simulationParameters = {
    simulationMode: 'Strict',
    discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]),
  };
  return {
    name: 'iam-simulate',
    version: pkgVersion('@cloud-copilot/iam-simulate'),
    api: 'policies loaded once (iam-policy loadPolicy); core engine authorize() per decision',
    async prepare(sel) {
      const sets = new Map();
      const reqs = [];
      for (const line of sel) {
        const k = setKey(line);
        if (!sets.has(k)) sets.set(k, line.identityPolicies.map((p, i) => loadPolicy(docOf(p), { name: nameOf(p, i) })));
        const r = line.request;
        const ctx = {};
        for (const [key, v] of Object.entries(ctxOf(line))) ctx[key] = Array.isArray(v) ? v.map(String) : String(v);
        const [svc, act] = r.action.split(':');
        const wildcardOnly = await isWildcardOnlyAction(svc, act);
        const request = new AwsRequestImpl(r.principal, { resource: r.resource, accountId: resourceAccount(line) },
          r.action, new RequestContextImpl(ctx), wildcardOnly);
        reqs.push({
          request, sessionPolicy: undefined, identityPolicies: sets.get(k),
          serviceControlPolicies: [], resourceControlPolicies: [], resourcePolicy: undefined,
          permissionBoundaries: undefined, vpcEndpointPolicies: undefined,
          simulationParameters, serviceSettings: { s3: { blockPublicAccess: undefined } },
        });
      }
      return (i) => (authorize(reqs[i]).result === 'Allowed' ? 'Allow' : 'Deny');
    },
  };
}

async function iamSimulatePublicPeer() {
  const { runUnsafeSimulation } = await import('@cloud-copilot/iam-simulate');
  return {
    name: 'iam-simulate (public API)',
    version: pkgVersion('@cloud-copilot/iam-simulate'),
    api: 'runUnsafeSimulation() per decision (re-loads the policies on every call; no validation)',
    secondary: true,
    async prepare(sel) {
      const sims = sel.map((line) => {
        const r = line.request;
        const ctx = {};
        for (const [key, v] of Object.entries(ctxOf(line))) ctx[key] = Array.isArray(v) ? v.map(String) : String(v);
        return {
          identityPolicies: line.identityPolicies.map((p, i) => ({ name: nameOf(p, i), policy: docOf(p) })),
          serviceControlPolicies: [], resourceControlPolicies: [],
          request: { principal: r.principal, action: r.action, contextVariables: ctx,
            resource: { resource: r.resource, accountId: resourceAccount(line) } },
        };
      });
      return (i) => (runUnsafeSimulation(sims[i], {}) === 'Allowed' ? 'Allow' : 'Deny');
    },
  };
}

async function cedarPeer() {
  const cedar = await import('@cedar-policy/cedar-wasm/nodejs');
  const entities = JSON.parse(readFileSync(join(opt.cedar, 'entities.json'), 'utf8'));
  const byUid = new Map(entities.map((e) => [`${e.uid.type}::${e.uid.id}`, e]));
  return {
    name: 'cedar',
    version: `${pkgVersion('@cedar-policy/cedar-wasm')} (Cedar ${cedar.getCedarVersion()})`,
    api: 'preparsePolicySet() once per policy set; statefulIsAuthorized() per decision with the 2 request entities',
    async prepare(sel) {
      const done = new Set();
      const reqs = [];
      for (const line of sel) {
        const c = cedarReqs.get(line.id);
        if (!c) throw new Error(`cedar: no translated request for ${line.id}`);
        if (!done.has(c.policySet)) {
          const text = readFileSync(join(opt.cedar, 'policies', `${c.policySet}.cedar`), 'utf8');
          const ans = cedar.preparsePolicySet(c.policySet, { staticPolicies: text });
          if (ans.type !== 'success') throw new Error(`cedar: ${c.policySet}: ${JSON.stringify(ans.errors)}`);
          done.add(c.policySet);
        }
        const ents = [byUid.get(`User::${c.principal.id}`), byUid.get(`Resource::${c.resource.id}`)].filter(Boolean);
        reqs.push({ principal: c.principal, action: c.action, resource: c.resource, context: c.context,
          preparsedPolicySetId: c.policySet, entities: ents });
      }
      return (i) => {
        const a = cedar.statefulIsAuthorized(reqs[i]);
        if (a.type !== 'success') throw new Error(`cedar: ${JSON.stringify(a.errors)}`);
        if (a.response.diagnostics.errors.length) {
          throw new Error(`cedar: evaluation errors: ${JSON.stringify(a.response.diagnostics.errors)}`);
        }
        return a.response.decision === 'allow' ? 'Allow' : 'Deny';
      };
    },
  };
}

// pbac's schema (and its matcher) want Action/NotAction/Resource/NotResource
// as arrays: a lone string is the same thing in IAM, so wrap it.
function pbacPolicy(doc) {
  const st = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return { ...doc, Statement: st.map((s) => {
    const o = { ...s };
    for (const k of ['Action', 'NotAction', 'Resource', 'NotResource']) if (typeof o[k] === 'string') o[k] = [o[k]];
    return o;
  }) };
}

async function pbacPeer() {
  const PBAC = require('pbac');
  return {
    name: 'pbac',
    version: pkgVersion('pbac'),
    api: 'new PBAC(policies) once per policy set (schema-validated once); evaluate() per decision',
    subset: true,
    async prepare(sel) {
      const sets = new Map();
      const reqs = [];
      for (const line of sel) {
        const k = setKey(line);
        if (!sets.has(k)) sets.set(k, new PBAC(line.identityPolicies.map((p) => pbacPolicy(docOf(p)))));
        // pbac wants the context nested by key prefix: aws:SourceIp -> {aws: {SourceIp}}
        const ctx = {};
        for (const [key, v] of Object.entries(ctxOf(line))) {
          const c = key.indexOf(':');
          (ctx[key.slice(0, c)] ||= {})[key.slice(c + 1)] = v;
        }
        reqs.push([sets.get(k), { action: line.request.action, resource: line.request.resource, context: ctx }]);
      }
      return (i) => (reqs[i][0].evaluate(reqs[i][1]) ? 'Allow' : 'Deny');
    },
  };
}

const factories = {
  'iam-simulate': iamSimulatePeer,
  'iam-simulate-public': iamSimulatePublicPeer,
  cedar: cedarPeer,
  pbac: pbacPeer,
};

// ------------------------------------------------------------------ timing
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

function time(decide, n) {
  let sink = 0;
  const pass = () => { for (let i = 0; i < n; i++) sink += decide(i) === 'Allow' ? 1 : 0; };
  const w0 = process.hrtime.bigint();
  const warmNs = BigInt(Math.round(opt.warmupSeconds * 1e9));
  do pass(); while (process.hrtime.bigint() - w0 < warmNs);

  const perBatch = [];          // ns/decision of each batch
  const budget = BigInt(Math.round(opt.seconds * 1e9));
  const t0 = process.hrtime.bigint();
  let passes = 0;
  let decisions = 0;
  while (passes < opt.minPasses || process.hrtime.bigint() - t0 < budget) {
    for (let s = 0; s < n; s += opt.batch) {
      const e = Math.min(n, s + opt.batch);
      const b0 = process.hrtime.bigint();
      for (let i = s; i < e; i++) sink += decide(i) === 'Allow' ? 1 : 0;
      perBatch.push(Number(process.hrtime.bigint() - b0) / (e - s));
      decisions += e - s;
    }
    passes++;
  }
  const wall = Number(process.hrtime.bigint() - t0);
  perBatch.sort((a, b) => a - b);
  const median = quantile(perBatch, 0.5);
  return {
    decisions_timed: decisions, passes, batches: perBatch.length, batch: opt.batch,
    median_ns: median, p99_ns: quantile(perBatch, 0.99), mean_ns: wall / decisions,
    decisions_per_sec: 1e9 / median, sink,
  };
}

// ------------------------------------------------------------------ main
const results = [];
const expectCount = lines.reduce((a, l) => a + (l.expect === 'Allow' ? 1 : 0), 0);
const load = os.loadavg()[0];
if (load > 0.5) console.error(`peers: WARNING: load average ${load.toFixed(2)} on ${os.cpus().length} cores: other work is running; timings will be noisy`);
console.error(`peers: ${lines.length} workload lines (${expectCount} Allow, ${lines.length - expectCount} Deny); node ${process.version}, ${os.cpus()[0]?.model ?? '?'}`);
for (const [key, make] of Object.entries(factories)) {
  if (!wanted.has(key)) continue;
  const peer = await make();
  const sel = lines.filter((l) => (l.peers || []).includes(key.replace(/-public$/, '')));
  const decide = await peer.prepare(sel);
  // correctness first: every supported line, against the expectation
  const disagree = [];
  const ok = [];
  for (let i = 0; i < sel.length; i++) {
    let got;
    try { got = decide(i); } catch (e) { got = `Error: ${e.message.slice(0, 200)}`; }
    if (got === sel[i].expect) ok.push(i);
    else disagree.push({ id: sel[i].id, action: sel[i].request.action, resource: sel[i].request.resource,
      expect: sel[i].expectDetail || sel[i].expect, got });
  }
  // time only agreeing lines: rebuild decide over exactly those lines
  const timedLines = ok.map((i) => sel[i]);
  const decideTimed = disagree.length ? await peer.prepare(timedLines) : decide;
  const t = timedLines.length ? time(decideTimed, timedLines.length) : null;
  const r = { peer: peer.name, key, version: peer.version, api: peer.api, secondary: !!peer.secondary,
    lines_supported: sel.length, lines_total: lines.length, disagreements: disagree.length,
    disagreement_examples: disagree.slice(0, 10), lines_timed: timedLines.length, ...t };
  results.push(r);
  console.error(`peers: ${peer.name}: ${sel.length}/${lines.length} lines supported, ${disagree.length} disagreements` +
    (t ? `, median ${t.median_ns.toFixed(0)} ns/decision over ${t.batches} batches` : ''));
  for (const d of disagree.slice(0, 10)) console.error(`  disagree ${d.id} ${d.action} ${d.resource}: expected ${d.expect}, got ${d.got}`);
}

// ------------------------------------------------------------------ report
const loadIampdp = (f) => {
  if (!f) return null;
  try { return JSON.parse(readFileSync(f, 'utf8').trim().split('\n').pop()); } catch (e) {
    console.error(`peers: cannot read iampdp result ${f}: ${e.message}`); return null;
  }
};
const iampdp = loadIampdp(opt.iampdp);
const iampdpPbac = loadIampdp(opt.iampdpPbac);
// iampdp's per-line decisions, from `iamc eval` (same engine as pdpbench)
let iampdpDisagree = null;
if (opt.iampdpEval) {
  const got = readJsonl(opt.iampdpEval);
  const byId = new Map(got.map((g) => [g.id, g.decision]));
  const bad = [];
  for (const l of lines) {
    const d = byId.get(l.id);
    const dec = d === 'Allow' ? 'Allow' : d === 'ExplicitDeny' || d === 'ImplicitDeny' ? 'Deny' : `${d}`;
    if (dec !== l.expect || (l.expectDetail && d !== l.expectDetail)) bad.push({ id: l.id, action: l.request.action, resource: l.request.resource, expect: l.expectDetail || l.expect, got: d });
  }
  iampdpDisagree = bad;
  console.error(`peers: iampdp (iamc eval): ${lines.length - bad.length}/${lines.length} lines agree with the expected decision`);
  for (const d of bad.slice(0, 10)) console.error(`  disagree ${d.id} ${d.action} ${d.resource}: expected ${d.expect}, got ${d.got}`);
}
const fmt = (x, d = 0) => (x == null || Number.isNaN(x) ? '-' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const rows = [];
if (iampdp) {
  rows.push(['iampdp (pdpbench micro)', `${iampdp.decisions}/${lines.length}`, iampdpDisagree ? String(iampdpDisagree.length) : '?', fmt(iampdp.median_ns, 1), fmt(iampdp.p99_ns, 1), fmt(iampdp.decisions_per_sec)]);
}
for (const r of results) {
  rows.push([`${r.peer} ${r.version.split(' ')[0]}`, `${r.lines_timed}/${r.lines_total}`, String(r.disagreements),
    fmt(r.median_ns, 1), fmt(r.p99_ns, 1), fmt(r.decisions_per_sec)]);
}
const head = ['engine', 'lines timed', 'disagree', 'median ns/dec', 'p99 ns/dec', 'decisions/s'];
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const pr = (r) => console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
console.log('');
pr(head);
console.log(w.map((n) => '-'.repeat(n)).join('  '));
rows.forEach(pr);
console.log('');
let iampdpCountsBad = false;
if (iampdp) {
  const countsOk = (res, sub, what) => {
    if (res.allow == null) return;
    const a = sub.filter((l) => l.expect === 'Allow').length;
    if (res.allow !== a || res.deny !== sub.length - a) {
      console.log(`WARNING: ${what} iampdp decided ${res.allow} Allow / ${res.deny} Deny; the workload expects ${a} / ${sub.length - a}`);
      iampdpCountsBad = true;
    }
  };
  countsOk(iampdp, lines, 'on the workload');
  if (iampdpPbac) countsOk(iampdpPbac, lines.filter((l) => (l.peers || []).includes('pbac')), "on pbac's subset");
  if (!iampdpCountsBad) {
    console.log(`iampdp's allow/deny totals match the expectations (${iampdp.allow}/${iampdp.deny})` +
      (iampdpDisagree ? '; its per-line decisions were checked with iamc eval (same engine).' : '; per-line decisions not checked (no iamc).'));
  }
  for (const r of results) {
    let base = iampdp;
    let note = 'same workload';
    if (r.key === 'pbac') {
      if (iampdpPbac) { base = iampdpPbac; note = `pbac's ${r.lines_timed}-line subset for both`; }
      else note = `pbac on its ${r.lines_timed}-line subset, iampdp on all ${lines.length} lines`;
    } else if (r.lines_timed !== lines.length) note = `peer timed on ${r.lines_timed} agreeing lines`;
    r.ratio = r.median_ns / base.median_ns;
    r.ratio_basis = note;
    console.log(`iampdp is ${fmt(r.ratio, r.ratio < 10 ? 1 : 0)}x faster than ${r.peer} (median ns/decision; ${note})`);
  }
} else {
  console.log('iampdp: no pdpbench result given, so no ratios (see run.sh).');
}
const pbacR = results.find((r) => r.key === 'pbac');
if (pbacR) {
  const why = {};
  for (const l of lines) if (l.pbacSkip) why[l.pbacSkip] = (why[l.pbacSkip] || 0) + 1;
  pbacR.skipped = why;
  console.log(`note: pbac was given only the ${pbacR.lines_supported} of ${lines.length} lines it can decide; left out, because a ` +
    'statement that targets the request uses what pbac lacks: ' +
    (Object.entries(why).map(([k, n]) => `${k} (${n} lines)`).join(', ') || 'nothing') + '.');
}
if (opt.json) {
  writeFileSync(opt.json, JSON.stringify({ node: process.version, cpu: os.cpus()[0]?.model, batch: opt.batch,
    seconds: opt.seconds, workload_lines: lines.length, iampdp, iampdp_pbac_subset: iampdpPbac,
    iampdp_disagreements: iampdpDisagree, peers: results }, null, 1) + '\n');
}
const bad = results.filter((r) => r.disagreements > 0 && !r.secondary);
process.exitCode = bad.length || iampdpCountsBad || (iampdpDisagree && iampdpDisagree.length) ? 3 : 0;
