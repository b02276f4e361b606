// cairn web UI: a hash-routed single page over the JSON API under /api/v1.
//
// Rules kept throughout this file:
//  - every string from the server reaches the DOM as a text node or an attribute value set with
//    setAttribute (see h()); nothing is ever assigned to innerHTML;
//  - every request is same-origin with the session cookie, and every POST carries the CSRF token
//    returned by /login or /me;
//  - a view that starts timers or an EventSource registers a cleanup, run before the next view.

const API = "/api/v1";
const FINAL = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);
const FORMATS = [
  ["raw", "Raw image (.img), the disk byte for byte"],
  ["vmdk-flat", "VMDK flat (descriptor + -flat extent), preallocated"],
  ["vmdk-sparse", "VMDK monolithic sparse, only written grains"],
  ["vmdk-stream", "VMDK stream-optimized, compressed (for OVF/OVA import)"],
  ["vmdk-2gbsparse", "VMDK split into 2 GB sparse extents"],
];
const CONFLICTS = [
  ["abort", "Stop if a file already exists (nothing is overwritten)"],
  ["keep", "Keep existing files and skip those disks"],
  ["overwrite", "Replace existing files"],
];

let session = null; // {user, role, csrf}
let cleanups = [];
let renderSeq = 0;

// ---------------------------------------------------------------- DOM helpers

/** Creates an element; attributes are set with setAttribute, children appended as text nodes. */
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, kids);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, kids);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "style") el.style.cssText = String(v); // CSSOM: allowed under a strict CSP
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
}

const enc = encodeURIComponent;

/** A table head; a column named "Size#" is numeric (right-aligned, without the "#"). */
function thead(cols) {
  return h("thead", {}, h("tr", {}, cols.map((c) => c.endsWith("#")
    ? h("th", { scope: "col", class: "num" }, c.slice(0, -1)) : h("th", { scope: "col" }, c))));
}
const $ = (sel, root = document) => root.querySelector(sel);

function toast(text, kind = "info") {
  const t = $("#toast");
  t.replaceChildren(h("div", { class: `toast ${kind}` }, text));
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.replaceChildren(), 6000);
}

// ---------------------------------------------------------------- formatting

function fmtBytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return "–";
  n = Number(n);
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ${units[i]}`;
}

function toDate(t) {
  if (t === null || t === undefined || t === "") return null;
  const d = new Date(typeof t === "number" && t < 1e12 ? t * 1000 : t);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n) => String(n).padStart(2, "0");
function fmtTime(t) {
  const d = toDate(t);
  if (!d) return "–";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A <time> element: local time as text, the ISO instant as datetime and tooltip. */
function timeEl(t) {
  const d = toDate(t);
  if (!d) return h("span", { class: "muted" }, "–");
  return h("time", { datetime: d.toISOString(), title: d.toISOString() }, fmtTime(d));
}

function fmtRatio(r) {
  return r === null || r === undefined || !Number.isFinite(Number(r)) ? "–" : `${Number(r).toFixed(2)}×`;
}

function fmtDuration(sec) {
  if (!Number.isFinite(sec) || sec < 0) return "–";
  sec = Math.round(sec);
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ${sec % 60} s`;
  return `${Math.floor(sec / 3600)} h ${Math.floor((sec % 3600) / 60)} min`;
}

function percent(done, total) {
  if (!total || total <= 0) return null;
  return Math.max(0, Math.min(100, (100 * done) / total));
}

function stateBadge(state) {
  const st = String(state || "UNKNOWN");
  return h("span", { class: `badge state-${st.toLowerCase()}` }, st);
}

/** A backup's VM: the API gives {name, identity, …}; a plain string is accepted too. */
function vmName(vm) {
  return vm && typeof vm === "object" ? vm.name || vm.identity || null : vm || null;
}

function labelChips(labels) {
  if (!labels) return null;
  const entries = Array.isArray(labels) ? labels.map((l) => [l, null]) : Object.entries(labels);
  if (entries.length === 0) return h("span", { class: "muted" }, "none");
  return h("span", { class: "chips" },
    entries.map(([k, v]) => h("span", { class: "chip" }, v === null ? k : `${k}=${v}`)));
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["Content-Type"] = "application/json"; // the server refuses any other POST, PUT, DELETE
  if (method !== "GET" && session && session.csrf) headers["X-CSRF-Token"] = session.csrf;
  let r;
  try {
    r = await fetch(API + path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "The appliance cannot be reached.");
  }
  const text = await r.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
  if (!r.ok) {
    const msg = data && typeof data.error === "string" ? data.error : `${r.status} ${r.statusText}`;
    if (r.status === 401 && path !== "/login" && path !== "/me") {
      session = null;
      showChrome();
      location.hash = "#/login?next=" + enc(location.hash || "#/dashboard");
    }
    throw new ApiError(r.status, msg);
  }
  return data;
}

const downloadUrl = (id, path) => `${API}/backups/${enc(id)}/download?path=${enc(path)}`;
const archiveUrl = (id, path, format) =>
  `${API}/backups/${enc(id)}/archive?path=${enc(path)}&format=${enc(format)}`;
const backupHash = (id, path, q) =>
  `#/backups/${enc(id)}` + (path ? `?path=${enc(path)}` : "") + (q ? `&q=${enc(q)}` : "");

// ---------------------------------------------------------------- chrome and routing

function showChrome() {
  const top = $("#top");
  top.hidden = !session;
  $("#who-name").textContent = session ? session.user : "";
  $("#who-role").textContent = session ? session.role : "";
  const section = (location.hash.match(/^#\/(\w+)/) || [])[1];
  const current = section === "backups" ? "vms" : section;
  for (const a of document.querySelectorAll("[data-admin]")) a.hidden = !session || session.role !== "admin";
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

const routes = [
  [/^\/login$/, viewLogin, "Log in"],
  [/^\/dashboard$/, viewDashboard, "Dashboard"],
  [/^\/vms$/, viewVms, "Virtual machines"],
  [/^\/vms\/([^/]+)$/, viewVm, "Virtual machine"],
  [/^\/backups\/([^/]+)\/restore$/, viewRestore, "Restore"],
  [/^\/backups\/([^/]+)$/, viewBackup, "Backup"],
  [/^\/jobs$/, viewJobs, "Jobs"],
  [/^\/jobs\/([^/]+)$/, viewJob, "Job"],
  [/^\/vcenters$/, viewVcenters, "vCenter connections"],
  [/^\/vcenters\/([^/]+)$/, viewVcenter, "vCenter connection"],
  [/^\/schedules$/, viewSchedules, "Schedules"],
  [/^\/schedules\/([^/]+)$/, viewSchedule, "Schedule"],
  [/^\/maintenance$/, viewMaintenance, "Maintenance"],
  [/^\/password$/, viewPassword, "Change password"],
  [/^\/settings$/, viewSettings, "Settings"],
];

async function route() {
  for (const c of cleanups.splice(0)) { try { c(); } catch (e) { /* ignore */ } }
  const seq = ++renderSeq;
  const raw = location.hash.replace(/^#/, "") || "/dashboard";
  const [path, qs] = raw.split("?", 2);
  const query = new URLSearchParams(qs || "");
  if (!session && path !== "/login") {
    location.replace("#/login?next=" + enc("#" + raw));
    return;
  }
  if (session && path === "/login") { location.replace("#/dashboard"); return; }
  showChrome();
  const main = $("#main");
  const match = routes.map(([re, fn, title]) => [raw && path.match(re), fn, title]).find(([m]) => m);
  if (!match) { main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, "This page does not exist.")); return; }
  const [m, fn, title] = match;
  document.title = `${title} · cairn`;
  main.setAttribute("aria-busy", "true");
  if (!main.firstChild || main.dataset.view !== fn.name) {
    main.replaceChildren(h("p", { class: "loading" }, "Loading…"));
  }
  try {
    const view = await fn(m.slice(1).map(decodeURIComponent), query);
    if (seq !== renderSeq) return; // a newer navigation won
    const sameView = main.dataset.view === fn.name;
    main.replaceChildren(...[view].flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
    main.dataset.view = fn.name;
    if (!sameView) window.scrollTo(0, 0);
  } catch (e) {
    if (seq !== renderSeq) return;
    main.replaceChildren(h("h1", {}, title),
      h("p", { class: "error", role: "alert" }, e instanceof ApiError ? e.message : `Error: ${e.message}`));
    main.dataset.view = "";
  } finally {
    if (seq === renderSeq) main.removeAttribute("aria-busy");
  }
}

function onCleanup(fn) { cleanups.push(fn); }

// ---------------------------------------------------------------- views

async function viewLogin(_params, query) {
  const next = query.get("next") || "#/dashboard";
  const err = h("p", { class: "error", role: "alert", id: "login-error", hidden: true });
  const user = h("input", { id: "login-user", name: "user", autocomplete: "username", required: true, autofocus: true });
  const pw = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "primary" }, "Log in");
  const form = h("form", { id: "login", class: "login", novalidate: false },
    h("h1", {}, "cairn"),
    h("p", { class: "muted" }, "Backup appliance for VMware vSphere"),
    h("label", { for: "login-user" }, "User"), user,
    h("label", { for: "login-password" }, "Password"), pw,
    err, submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    err.hidden = true;
    try {
      session = await api("/login", { method: "POST", body: { user: user.value, password: pw.value } });
      location.hash = next.startsWith("#/") && !next.startsWith("#/login") ? next : "#/dashboard";
    } catch (e) {
      err.textContent = e.status === 401 || e.status === 403 ? "Wrong user name or password." : e.message;
      err.hidden = false;
      pw.value = "";
      pw.focus();
    } finally {
      submit.disabled = false;
    }
  });
  setTimeout(() => user.focus(), 0);
  return h("div", { class: "login-wrap" }, form);
}

async function viewDashboard() {
  const d = await api("/dashboard");
  const r = d.repository || {};
  const saved = r.logicalBytes > 0 ? 1 - r.storedBytes / r.logicalBytes : null;
  const cards = h("div", { class: "cards" },
    card("Stored", fmtBytes(r.storedBytes), "on disk, after dedup and compression"),
    card("Logical", fmtBytes(r.logicalBytes), "sum of all backed-up disks"),
    card("Deduplication", fmtRatio(r.dedupRatio), r.uniqueBytes !== undefined ? `${fmtBytes(r.uniqueBytes)} unique` : ""),
    card("Compression", fmtRatio(r.compressionRatio), r.chunks !== undefined ? `${Number(r.chunks).toLocaleString("en")} chunks` : ""),
    card("Virtual machines", String(d.vms ?? "–"), h("a", { href: "#/vms" }, "View all")),
    card("Backups", String(d.backups ?? "–"), ""));
  const pct = saved === null ? 0 : Math.max(0, Math.min(100, 100 * (1 - saved)));
  const bar = h("div", { class: "versus" },
    h("div", { class: "versus-row" }, h("span", {}, "Logical"),
      h("div", { class: "versus-track" }, h("div", { class: "versus-fill logical", style: "width:100%" })),
      h("span", { class: "num" }, fmtBytes(r.logicalBytes))),
    h("div", { class: "versus-row" }, h("span", {}, "Stored"),
      h("div", { class: "versus-track" }, h("div", { class: "versus-fill stored", style: `width:${pct.toFixed(2)}%` })),
      h("span", { class: "num" }, fmtBytes(r.storedBytes))),
    saved === null ? null : h("p", { class: "muted" }, `The repository stores ${(100 * saved).toFixed(1)} % less than the disks it holds.`));
  return [
    h("div", { class: "page-head" }, h("h1", {}, "Dashboard"),
      h("p", { class: "muted" }, "Repository ", h("code", {}, r.path || r.id || "–"))),
    cards,
    h("div", { class: "grid2" },
      h("section", { class: "panel" }, h("h2", {}, "Logical vs stored"), bar),
      h("section", { class: "panel" }, h("h2", {}, "Stored size over time"), chart(d.history || []))),
    h("section", { class: "panel", id: "dash-schedules" }, h("h2", {}, "Scheduled backups"), schedulesOverview(d.schedules || [])),
    h("section", { class: "panel" }, h("h2", {}, "Last jobs"), jobsTable(d.lastJobs || [], false)),
  ];
}

/** Each schedule's last run and how it ended (kept across restarts), and its next run. */
function schedulesOverview(list) {
  if (!list.length) {
    return h("p", { class: "muted" }, "No schedules yet.", session.role === "admin" ? [" Add one under ", h("a", { href: "#/schedules" }, "Schedules"), "."] : "");
  }
  const rows = list.map((x) => {
    const o = x.lastOutcome;
    const running = x.lastJob && !["SUCCEEDED", "FAILED", "CANCELLED"].includes(x.lastJob.state);
    const result = running
      ? h("a", { href: `#/jobs/${enc(x.lastJob.id)}` }, stateBadge(x.lastJob.state))
      : o ? [x.lastJob ? h("a", { href: `#/jobs/${enc(x.lastJob.id)}` }, stateBadge(o.state)) : stateBadge(o.state),
        h("div", { class: "muted small" }, o.summary)]
        : h("span", { class: "muted" }, "never ran");
    return h("tr", { "data-schedule": x.id },
      h("td", {}, x.name), h("td", {}, x.vm),
      h("td", {}, timeEl(x.lastRun)), h("td", {}, result),
      h("td", {}, x.enabled ? (x.nextRun ? timeEl(x.nextRun) : "–") : h("span", { class: "muted" }, "disabled")));
  });
  return h("table", { class: "table" }, thead(["Schedule", "What", "Last run", "Result", "Next run"]), h("tbody", {}, rows));
}

function card(title, value, note) {
  return h("div", { class: "card" }, h("div", { class: "card-title" }, title),
    h("div", { class: "card-value" }, value), h("div", { class: "card-note" }, note || ""));
}

/** A small line chart of stored (solid) and logical (dashed) bytes over time, as inline SVG. */
function chart(history) {
  const pts = history.map((p) => ({ t: toDate(p.time), s: Number(p.storedBytes) || 0, l: Number(p.logicalBytes) || 0 }))
    .filter((p) => p.t).sort((a, b) => a.t - b.t);
  if (pts.length === 0) return h("p", { class: "muted" }, "No backups yet.");
  const W = 520, H = 180, L = 64, R = 12, T = 10, B = 28;
  const t0 = pts[0].t.getTime(), t1 = pts[pts.length - 1].t.getTime();
  const max = Math.max(1, ...pts.map((p) => p.s)) * 1.1;
  const x = (t) => (t1 === t0 ? L + (W - L - R) / 2 : L + ((t - t0) / (t1 - t0)) * (W - L - R));
  const y = (v) => T + (1 - v / max) * (H - T - B);
  const line = (key) => pts.map((p) => `${x(p.t.getTime()).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
  const last = pts[pts.length - 1];
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img",
    "aria-label": `Stored size over time: ${pts.length} points, latest ${fmtBytes(last.s)} stored of ${fmtBytes(last.l)} logical` },
  s("title", {}, "Stored size over time"),
  [0, 0.5, 1].map((f) => [
    s("line", { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), class: "grid" }),
    s("text", { x: L - 6, y: y(max * f) + 4, class: "axis", "text-anchor": "end" }, fmtBytes(max * f)),
  ]),
  s("text", { x: L, y: H - 8, class: "axis" }, fmtTime(pts[0].t).slice(0, 16)),
  pts.length > 1 ? s("text", { x: W - R, y: H - 8, class: "axis", "text-anchor": "end" }, fmtTime(last.t).slice(0, 16)) : null,
  s("polyline", { points: line("s"), class: "series stored" }),
  pts.map((p) => s("circle", { cx: x(p.t.getTime()), cy: y(p.s), r: 3, class: "dot" },
    s("title", {}, `${fmtTime(p.t)}: ${fmtBytes(p.s)} stored, ${fmtBytes(p.l)} logical`))));
  return h("figure", { class: "chart-wrap" }, svg,
    h("figcaption", { class: "legend" }, h("span", { class: "key stored" }),
      `Stored bytes after each backup; latest ${fmtBytes(last.s)} for ${fmtBytes(last.l)} of disks`));
}

function jobsTable(jobs, withActions) {
  if (jobs.length === 0) return h("p", { class: "muted" }, "No jobs yet.");
  return h("table", { class: "table jobs" },
    h("thead", {}, h("tr", {}, ["Job", "Kind", "Target", "State", "Progress", "Started", "Finished", withActions ? "" : null]
      .filter((c) => c !== null).map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, jobs.map((j) => {
      const p = Number(j.jobTotal) > 0 ? percent(j.jobDone, j.jobTotal) : percent(j.done, j.total);
      const active = !FINAL.has(j.state);
      return h("tr", { "data-job": j.id },
        h("td", {}, h("a", { href: `#/jobs/${enc(j.id)}` }, String(j.id))),
        h("td", {}, j.kind || "–"),
        h("td", { class: "wrap" }, j.target || "–"),
        h("td", {}, stateBadge(j.state)),
        h("td", {}, p === null ? (j.phase || "–") : miniBar(p)),
        h("td", {}, timeEl(j.started || j.created)),
        h("td", {}, timeEl(j.finished)),
        withActions ? h("td", {}, active && j.canCancel ? cancelButton(j.id) : null) : null);
    })));
}

function miniBar(p) {
  return h("span", { class: "mini" }, h("span", { class: "mini-track" }, h("span", { class: "mini-fill", style: `width:${p.toFixed(1)}%` })),
    h("span", { class: "num" }, `${Math.floor(p)} %`));
}

function cancelButton(id, after) {
  const b = h("button", { type: "button", class: "danger small", "data-cancel": id }, "Cancel");
  b.addEventListener("click", async () => {
    if (!confirm(`Cancel job ${id}?`)) return;
    b.disabled = true;
    try {
      await api(`/jobs/${enc(id)}/cancel`, { method: "POST", body: {} });
      toast(`Job ${id} is being cancelled.`);
      if (after) after(); else route();
    } catch (e) {
      toast(e.message, "error");
      b.disabled = false;
    }
  });
  return b;
}

async function viewVms() {
  const vms = await api("/vms");
  const body = vms.length === 0 ? h("p", { class: "muted" }, "No virtual machines have been backed up yet.") :
    h("table", { class: "table vms" },
      thead(["Name", "State", "Identity", "Backups#", "Last backup", "Size#"]),
      h("tbody", {}, vms.map((v) => h("tr", { "data-vm": v.name },
        h("td", {}, h("a", { href: `#/vms/${enc(v.name)}` }, v.name)),
        h("td", { class: "vm-state" }, vmState(v.state)),
        h("td", { class: "mono small wrap" }, v.identity || v.instanceUuid || "–"),
        h("td", { class: "num" }, String(v.backups ?? "–")),
        h("td", {}, v.lastBackup ? h("a", { href: backupHash(v.lastBackup.id) }, timeEl(v.lastBackup.time)) : h("span", { class: "muted" }, "never")),
        h("td", { class: "num" }, v.lastBackup ? fmtBytes(v.lastBackup.logicalBytes) : "–")))));
  return [h("div", { class: "page-head" }, h("h1", {}, "Virtual machines"),
    h("p", { class: "muted" }, `${vms.length} virtual machine${vms.length === 1 ? "" : "s"} in the repository`)),
  h("section", { class: "panel" }, body)];
}

/** OK (and how consistent the last backup is) or FAILED with why: did the last scheduled backup work? */
function vmState(st) {
  if (!st) return "–";
  if (st.kind === "failed") return [stateBadge("FAILED"), h("div", { class: "small error" }, st.message)];
  const how = st.consistency === "quiesced" ? "quiesced" : st.consistency === "crash" ? "crash-consistent" : null;
  return [stateBadge("OK"), how ? h("div", { class: "muted small" }, how) : null];
}

async function viewVm([name]) {
  const backups = await api(`/vms/${enc(name)}/backups`);
  const list = backups.length === 0 ? h("p", { class: "muted" }, "No backups.") :
    h("ol", { class: "timeline" }, backups.map((b) => h("li", { "data-backup": b.id },
      h("div", { class: "tl-when" }, timeEl(b.time)),
      h("div", { class: "tl-body" },
        h("a", { href: backupHash(b.id), class: "tl-id" }, `Backup ${b.id}`),
        h("div", { class: "tl-meta" },
          h("span", {}, fmtBytes(b.logicalBytes)), " · ",
          h("span", {}, `${(b.disks || []).length} disk${(b.disks || []).length === 1 ? "" : "s"}`),
          (b.disks || []).length ? h("span", { class: "muted" }, " (", (b.disks || []).map((d) => `${d.name} ${fmtBytes(d.capacity)}`).join(", "), ")") : null),
        h("div", {}, labelChips(b.labels))),
      h("div", { class: "tl-actions" },
        h("a", { href: backupHash(b.id), class: "button small" }, "Browse"),
        session.role === "viewer" ? null : h("a", { href: `#/backups/${enc(b.id)}/restore`, class: "button small" }, "Restore…")))));
  return [h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/vms" }, "Virtual machines"), h("span", { "aria-hidden": "true" }, " / "), h("span", {}, name)),
    h("div", { class: "page-head" }, h("h1", {}, name),
      h("p", { class: "muted" }, `${backups.length} backup${backups.length === 1 ? "" : "s"}, newest first`)),
    h("section", { class: "panel" }, list)];
}

function dl(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

async function viewBackup([id], query) {
  const b = await api(`/backups/${enc(id)}`);
  const vm = vmName(b.vm);
  const c = b.config || {};
  const vols = b.volumes || [];
  const path = query.get("path") || (vols.length ? "/volumes" : "/");
  const q = query.get("q") || "";
  const cpus = c.numCPU !== undefined ? `${c.numCPU}` + (c.numCoresPerSocket ? ` (${c.numCoresPerSocket} per socket)` : "") : (c.cpus ?? c.numvcpus ?? null);
  const mem = c.memoryMB !== undefined ? fmtBytes(Number(c.memoryMB) * 1024 * 1024) : (c.memsize !== undefined ? fmtBytes(Number(c.memsize) * 1024 * 1024) : null);
  const key = b.keyId ? (typeof b.keyId === "object" ? JSON.stringify(b.keyId) : String(b.keyId)) : null;
  const cfgDisks = Array.isArray(c.disks) ? c.disks : [];
  const nics = Array.isArray(c.nics) ? c.nics : [];
  const summary = dl([
    ["Virtual machine", vm ? h("a", { href: `#/vms/${enc(vm)}` }, vm) : null],
    ["Identity", b.vm && typeof b.vm === "object" ? h("span", { class: "mono small" }, b.vm.identity || "") : null],
    ["Time", timeEl(b.time)],
    ["Guest", c.guestFullName || c.guestId || c.guestOS || null],
    ["CPUs", cpus === null ? null : String(cpus)],
    ["Memory", mem],
    ["Firmware", c.firmware || null],
    ["Hardware version", c.version || null],
    ["Encryption", key ? h("span", {}, "encrypted, key ", h("code", {}, key)) : "not encrypted"],
    ["Labels", labelChips(b.labels)],
  ]);
  const disks = h("table", { class: "table" },
    thead(["Disk", "Capacity#", "Controller", "Source file"]),
    h("tbody", {}, (b.disks || []).map((d, i) => {
      // the configuration lists every disk; those the backup left out are marked "skipped"
      const cd = cfgDisks.filter((x) => !x.skipped)[i] || {};
      return h("tr", {}, h("td", {}, d.name), h("td", { class: "num" }, fmtBytes(d.capacity)),
        h("td", {}, cd.controller ? `${cd.controller.replace(/^Virtual/, "").replace("Controller", "")}:${cd.unitNumber ?? "?"}` : "–"),
        h("td", { class: "mono small wrap" }, cd.fileName || "–"));
    })));
  const nicTable = nics.length === 0 ? h("p", { class: "muted" }, "No network adapters recorded.") :
    h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["Adapter", "Type", "Network", "MAC address"].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, nics.map((n) => h("tr", {}, h("td", {}, n.label || "–"), h("td", {}, n.type || "–"),
        h("td", {}, n.network || "–"), h("td", { class: "mono" }, n.macAddress || "–")))));
  const canRestore = session && session.role !== "viewer";
  return [
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/vms" }, "Virtual machines"), " / ",
      vm ? h("a", { href: `#/vms/${enc(vm)}` }, vm) : "?", " / ", h("span", {}, `Backup ${b.id}`)),
    h("div", { class: "page-head row" },
      h("div", {}, h("h1", {}, `Backup ${b.id}`), h("p", { class: "muted" }, vm || "", " · ", timeEl(b.time))),
      canRestore ? h("a", { href: `#/backups/${enc(b.id)}/restore`, class: "button primary", id: "restore-button" }, "Restore…") : null),
    b.unsupported ? h("p", { class: "note" }, b.unsupported) : null,
    b.warnings && b.warnings.length ? h("section", { class: "panel", id: "backup-warnings" },
      h("h2", {}, "Warnings"),
      h("ul", {}, b.warnings.map((w) => h("li", { class: "note" }, w)))) : null,
    h("div", { class: "grid2" },
      h("section", { class: "panel" }, h("h2", {}, "Summary"), summary),
      h("section", { class: "panel" }, h("h2", {}, "Disks"), disks, h("h2", {}, "Network adapters"), nicTable)),
    await fileBrowser(b, path, q),
  ];
}

function crumbsFor(id, path) {
  const parts = path.split("/").filter(Boolean);
  const out = [h("a", { href: backupHash(id, "/") }, "backup")];
  let acc = "";
  parts.forEach((p, i) => {
    acc += "/" + p;
    out.push(h("span", { class: "sep", "aria-hidden": "true" }, "/"));
    out.push(i === parts.length - 1 ? h("span", { "aria-current": "location" }, p) : h("a", { href: backupHash(id, acc) }, p));
  });
  return h("nav", { class: "crumbs path", "aria-label": "Folder" }, out);
}

async function fileBrowser(b, path, q) {
  const id = b.id;
  // Downloads need the operator role; a viewer browses only.
  const canGet = !session || session.role !== "viewer";
  const join = (name) => (path === "/" ? "" : path) + "/" + name;
  const search = h("input", { type: "search", id: "file-search", name: "q", value: q, placeholder: "Find files by name", "aria-label": "Find files by name in this folder" });
  const form = h("form", { class: "search", role: "search" }, search, h("button", { type: "submit" }, "Search"),
    q ? h("a", { href: backupHash(id, path), class: "button" }, "Clear") : null);
  form.addEventListener("submit", (ev) => { ev.preventDefault(); location.hash = backupHash(id, path, search.value.trim()); });
  const isRoot = path === "/" || !canGet;
  const actions = h("div", { class: "folder-actions" },
    isRoot ? null : h("span", { class: "muted" }, "Download this folder as "),
    isRoot ? null : h("a", { href: archiveUrl(id, path, "zip"), class: "button small", id: "archive-zip", download: "" }, ".zip"),
    isRoot ? null : h("a", { href: archiveUrl(id, path, "tar.gz"), class: "button small", id: "archive-tgz", download: "" }, ".tar.gz"));
  let table;
  if (q) {
    const hits = await api(`/backups/${enc(id)}/search?q=${enc(q)}&path=${enc(path)}`);
    table = hits.length === 0 ? h("p", { class: "muted" }, `Nothing named like “${q}” under ${path}.`) :
      h("table", { class: "table files" },
        h("caption", {}, `${hits.length} match${hits.length === 1 ? "" : "es"} for “${q}”`),
        thead(["Path", "Size#", "Modified", ""]),
        h("tbody", {}, hits.map((f) => {
          const dir = f.path.replace(/\/[^/]*$/, "") || "/";
          return h("tr", { "data-path": f.path },
            h("td", { class: "wrap" }, h("a", { href: backupHash(id, dir) }, dir), "/", h("strong", {}, f.path.slice(dir.length + (dir === "/" ? 0 : 1)))),
            h("td", { class: "num" }, fmtBytes(f.size)), h("td", {}, timeEl(f.modified)),
            h("td", {}, canGet ? h("a", { href: downloadUrl(id, f.path), class: "button small download", download: "" }, "Download") : null));
        })));
  } else {
    const listing = await api(`/backups/${enc(id)}/files?path=${enc(path)}`);
    const entries = (listing.entries || []).slice().sort((a, b2) =>
      (a.type === "dir" ? 0 : 1) - (b2.type === "dir" ? 0 : 1) || a.name.localeCompare(b2.name));
    const up = path === "/" ? null : h("tr", { class: "up" }, h("td", { colspan: 5 },
      h("a", { href: backupHash(id, path.replace(/\/[^/]*$/, "") || "/") }, "↑ Parent folder")));
    table = h("table", { class: "table files" },
      thead(["Name", "Type", "Size#", "Modified", ""]),
      h("tbody", {}, up, entries.length === 0 ? h("tr", {}, h("td", { colspan: 5, class: "muted" }, "This folder is empty.")) : null,
        entries.map((e) => {
          const p = join(e.name);
          // The volumes are links into the mounted guest filesystems: browse them like folders.
          const dir = e.type === "dir" || (e.type === "link" && path === "/volumes");
          const link = e.type === "link" && !dir;
          return h("tr", { "data-name": e.name, "data-type": e.type },
            h("td", { class: "wrap" }, h("span", { class: `icon ${dir ? "dir" : e.type}`, "aria-hidden": "true" }),
              dir ? h("a", { href: backupHash(id, p), class: "dir" }, e.name) : h("span", { class: "fname" }, e.name)),
            h("td", { class: "muted" }, path === "/volumes" ? "volume" : dir ? "folder" : link ? "link" : "file"),
            h("td", { class: "num" }, dir || link ? "" : fmtBytes(e.size)),
            h("td", {}, timeEl(e.modified)),
            h("td", { class: "actions" }, !canGet ? null : dir
              ? (p.split("/").length > 2 ? [h("a", { href: archiveUrl(id, p, "zip"), class: "button small", download: "", title: `Download ${e.name} as .zip` }, ".zip"), " ",
                h("a", { href: archiveUrl(id, p, "tar.gz"), class: "button small", download: "", title: `Download ${e.name} as .tar.gz` }, ".tar.gz")] : null)
              : link ? h("span", { class: "muted small" }, "symbolic link")
                : h("a", { href: downloadUrl(id, p), class: "button small download", download: "", title: `Download ${e.name}` }, "Download")));
        })));
  }
  return h("section", { class: "panel", id: "files" },
    h("div", { class: "row" }, h("h2", {}, "Files"), form),
    h("div", { class: "row" }, crumbsFor(id, path), actions),
    table);
}

async function viewRestore([id]) {
  const b = await api(`/backups/${enc(id)}`);
  const vm = vmName(b.vm);
  const err = h("p", { class: "error", role: "alert", hidden: true, id: "restore-error" });
  const roots = await api("/roots").catch(() => ({ restoreRoots: [] }));
  const first = (roots.restoreRoots || [])[0];
  const to = h("input", { id: "restore-to", name: "to", required: true, class: "wide", placeholder: (first || "/srv/restore") + "/" + (vm || "vm"), "aria-describedby": "restore-to-help" });
  const format = h("select", { id: "restore-format", name: "format" }, FORMATS.map(([v, t]) => h("option", { value: v }, `${v} — ${t}`)));
  const conflict = h("fieldset", { class: "choices" }, h("legend", {}, "If a file already exists"),
    CONFLICTS.map(([v, t], i) => h("label", { class: "choice" },
      h("input", { type: "radio", name: "onConflict", value: v, checked: i === 0 }), h("strong", {}, v), " ", h("span", { class: "muted" }, t))));
  const submit = h("button", { type: "submit", class: "primary", id: "restore-start" }, "Start restore");
  const viewer = session && session.role === "viewer";
  if (viewer) submit.disabled = true;
  const form = h("form", { class: "panel form", id: "restore-form" },
    h("h2", {}, "Disks to a directory on the appliance"),
    h("label", { for: "restore-to" }, "Target directory"), to,
    h("p", { class: "help", id: "restore-to-help" }, "An absolute path on the appliance, in a restore root: ",
      (roots.restoreRoots || []).length
        ? h("span", { id: "restore-roots" }, roots.restoreRoots.join(", "))
        : h("span", { id: "restore-roots" }, "none configured yet (an admin sets them under Settings)"),
      ". Directories below it are made as needed, never through a symbolic link. Each disk is written there as one file in the chosen format."),
    h("label", { for: "restore-format" }, "Disk format"), format,
    conflict,
    viewer ? h("p", { class: "note" }, "Your role (viewer) may not restore; ask an operator.") : null,
    err,
    h("div", { class: "row end" }, h("a", { href: backupHash(id), class: "button" }, "Back"), submit));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const target = to.value.trim();
    if (!target.startsWith("/")) { err.textContent = "The target directory must be an absolute path."; err.hidden = false; to.focus(); return; }
    submit.disabled = true;
    try {
      const onConflict = form.querySelector("input[name=onConflict]:checked").value;
      const r = await api(`/backups/${enc(id)}/restore`, { method: "POST", body: { to: target, format: format.value, onConflict } });
      location.hash = `#/jobs/${enc(r.job)}`;
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      submit.disabled = false;
    }
  });
  return [
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/vms" }, "Virtual machines"), " / ",
      vm ? h("a", { href: `#/vms/${enc(vm)}` }, vm) : "?", " / ", h("a", { href: backupHash(id) }, `Backup ${id}`), " / ", h("span", {}, "Restore")),
    h("div", { class: "page-head" }, h("h1", {}, `Restore backup ${id}`),
      h("p", { class: "muted" }, vm || "", " · ", timeEl(b.time), " · ", `${(b.disks || []).length} disk(s), `,
        fmtBytes((b.disks || []).reduce((a, d) => a + (Number(d.capacity) || 0), 0)))),
    form,
    vsphereRestorePanel(id, b),
  ];
}

async function viewJobs() {
  const jobs = await api("/jobs");
  const wrap = h("section", { class: "panel" }, jobsTable(jobs, true));
  if (jobs.some((j) => !FINAL.has(j.state))) {
    const t = setTimeout(() => route(), 3000);
    onCleanup(() => clearTimeout(t));
  }
  return [h("div", { class: "page-head" }, h("h1", {}, "Jobs"), h("p", { class: "muted" }, "Scheduled backups, restores and maintenance, newest first")), wrap];
}

async function viewJob([id]) {
  let job = await api(`/jobs/${enc(id)}`);
  const fill = h("div", { class: "bar-fill" });
  const bar = h("div", { class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-label": "Progress", id: "job-progress" }, fill);
  const pctEl = h("span", { class: "big num", id: "job-percent" });
  const state = h("span", { id: "job-state" });
  const phase = h("span", { id: "job-phase" });
  const rate = h("span", { id: "job-rate" });
  const eta = h("span", { id: "job-eta" });
  const bytes = h("span", { id: "job-bytes" });
  const log = h("ol", { class: "log", id: "job-log", "aria-live": "polite" });
  const result = h("div", { id: "job-result" });
  const actions = h("div", { class: "row end" });

  function render(ev) {
    // the whole job's bytes when the server knows them (restores), else the current phase's
    const whole = Number(ev.jobTotal) > 0;
    const done = Number(whole ? ev.jobDone : ev.done) || 0, total = Number(whole ? ev.jobTotal : ev.total) || 0;
    const p = ev.state === "SUCCEEDED" ? 100 : ev.state === "QUEUED" ? 0 : percent(done, total);
    fill.style.width = `${p === null ? 0 : p.toFixed(2)}%`;
    fill.className = `bar-fill state-${String(ev.state).toLowerCase()}`;
    if (p === null) { bar.removeAttribute("aria-valuenow"); pctEl.textContent = "–"; } else {
      bar.setAttribute("aria-valuenow", p.toFixed(0)); pctEl.textContent = `${Math.floor(p)} %`;
    }
    state.replaceChildren(stateBadge(ev.state));
    phase.textContent = ev.phase || "–";
    rate.textContent = ev.bytesPerSecond ? `${fmtBytes(ev.bytesPerSecond)}/s` : "–";
    eta.textContent = FINAL.has(ev.state) ? "–" : ev.bytesPerSecond > 0 && total > done ? fmtDuration((total - done) / ev.bytesPerSecond) : "–";
    bytes.textContent = total ? `${fmtBytes(done)} of ${fmtBytes(total)}` : done ? fmtBytes(done) : "–";
    actions.replaceChildren(FINAL.has(ev.state) || !job.canCancel ? h("a", { href: "#/jobs", class: "button" }, "All jobs")
      : cancelButton(id, () => { }));
    if (ev.message) {
      log.append(h("li", {}, h("span", { class: "muted" }, fmtTime(ev.time || Date.now()).slice(11)), " ", ev.message));
      while (log.children.length > 200) log.firstChild.remove();
    }
  }
  const details = h("div", {});
  function renderDetails(j) {
    details.replaceChildren(dl([
      ["Kind", j.kind], ["Target", j.target], ["Created", timeEl(j.created)],
      ["Started", timeEl(j.started)], ["Finished", timeEl(j.finished)]]));
  }
  renderDetails(job);
  function renderResult(j) {
    renderDetails(j);
    if (!FINAL.has(j.state)) return;
    const r = j.result;
    result.replaceChildren(r === null || r === undefined ? "" :
      h("div", { class: j.state === "SUCCEEDED" ? "note ok" : "note bad" },
        h("strong", {}, j.state === "SUCCEEDED" ? "Finished. " : j.state === "CANCELLED" ? "Cancelled. " : "Failed: "),
        typeof r === "string" ? r : h("pre", {}, JSON.stringify(r, null, 2))));
  }
  render({ ...job, message: null });
  renderResult(job);
  if (!job.details) {
    // someone else's job: its summary only (the server sends no details and no events)
    result.replaceChildren(h("p", { class: "muted" }, "Only the user who started this job, or an administrator, sees what it works on and follows its progress."));
    if (!FINAL.has(job.state)) {
      const t = setTimeout(() => route(), 3000);
      onCleanup(() => clearTimeout(t));
    }
  }

  if (!FINAL.has(job.state) && job.details) {
    const es = new EventSource(`${API}/jobs/${enc(id)}/events`);
    let closed = false;
    const close = () => { if (!closed) { closed = true; es.close(); } };
    onCleanup(close);
    es.addEventListener("progress", async (m) => {
      let ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      const was = job.state;
      render(ev);
      if (ev.state !== was && !FINAL.has(ev.state)) {
        job = { ...job, state: ev.state };
        api(`/jobs/${enc(id)}`).then((j) => { job = j; renderDetails(j); }).catch(() => { });
      }
      if (FINAL.has(ev.state)) {
        close();
        try { job = await api(`/jobs/${enc(id)}`); renderResult(job); } catch (e) { /* keep what we have */ }
      }
    });
    es.addEventListener("error", async () => {
      // The browser reconnects by itself; if the job is over, stop and show its end state.
      try {
        job = await api(`/jobs/${enc(id)}`);
        if (FINAL.has(job.state)) { close(); render({ ...job, message: null }); renderResult(job); }
      } catch (e) { /* keep trying */ }
    });
  }
  return [
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/jobs" }, "Jobs"), " / ", h("span", {}, `Job ${id}`)),
    h("div", { class: "page-head" }, h("h1", {}, `Job ${id}`), h("p", { class: "muted" }, `${job.kind || "job"} · ${job.target || ""}`)),
    h("section", { class: "panel" },
      h("div", { class: "progress-head" }, pctEl, state),
      bar,
      h("dl", { class: "facts inline" },
        h("dt", {}, "Phase"), h("dd", {}, phase),
        h("dt", {}, "Transferred"), h("dd", {}, bytes),
        h("dt", {}, "Rate"), h("dd", {}, rate),
        h("dt", {}, "Remaining"), h("dd", {}, eta)),
      result, actions),
    h("section", { class: "panel" }, h("h2", {}, "Details"), details),
    h("section", { class: "panel" }, h("h2", {}, "Events"), log),
  ];
}

// ---------------------------------------------------------------- boot

// ---------------------------------------------------------------- vCenter connections (admin)

async function viewVcenters() {
  if (session.role !== "admin") return adminOnly("vCenter connections");
  const list = await api("/vcenters");
  const tbody = h("tbody", {});
  for (const v of list) {
    const status = h("span", { class: "muted" }, v.lastTest ? `${v.lastTest.ok ? "OK" : "Failed"} · ${fmtTime(v.lastTest.time)}` : "never tested");
    const testBtn = h("button", { type: "button", class: "small" }, "Test");
    testBtn.addEventListener("click", async () => {
      testBtn.disabled = true;
      try {
        const r = await api(`/vcenters/${enc(v.id)}/test`, { method: "POST", body: {} });
        toast(r.message, r.ok ? "info" : "error");
        status.textContent = `${r.ok ? "OK" : "Failed"} · just now`;
      } catch (e) { toast(e.message, "error"); } finally { testBtn.disabled = false; }
    });
    const delBtn = h("button", { type: "button", class: "small danger" }, "Delete");
    delBtn.addEventListener("click", async () => {
      if (!confirm(`Delete the vCenter connection "${v.name}"?`)) return;
      try { await api(`/vcenters/${enc(v.id)}`, { method: "DELETE" }); route(); } catch (e) { toast(e.message, "error"); }
    });
    tbody.append(h("tr", {},
      h("td", {}, v.name), h("td", {}, v.url), h("td", {}, v.user),
      h("td", { class: "mono" }, v.insecure ? "any certificate (insecure)" : v.thumbprint),
      h("td", {}, status),
      h("td", { class: "actions" }, testBtn, " ", h("a", { href: `#/vcenters/${enc(v.id)}`, class: "button small" }, "Edit"), " ", delBtn)));
  }
  const table = list.length
    ? h("table", {}, thead(["Name", "URL", "User", "Certificate", "Last test", ""]), tbody)
    : h("p", { class: "muted" }, "No vCenter connections yet.");
  return [
    h("div", { class: "page-head" }, h("h1", {}, "vCenter connections"),
      h("p", { class: "muted" }, "Servers that backups are restored to. Passwords are stored encrypted and never shown.")),
    h("section", { class: "panel" }, table),
    vcenterForm(null),
  ];
}

async function viewVcenter([id]) {
  if (session.role !== "admin") return adminOnly("vCenter connection");
  const list = await api("/vcenters");
  const v = list.find((x) => x.id === id);
  if (!v) throw new ApiError(404, "No such vCenter connection.");
  return [
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/vcenters" }, "vCenter connections"), " / ", h("span", {}, v.name)),
    h("div", { class: "page-head" }, h("h1", {}, `Edit ${v.name}`)),
    vcenterForm(v),
  ];
}

/** Add (v null) or edit form: probe the certificate, accept its thumbprint, then save (the server logs in once to test). */
function vcenterForm(v) {
  const err = h("p", { class: "error", role: "alert", hidden: true, id: "vc-error" });
  const name = h("input", { id: "vc-name", required: true, value: v ? v.name : "" });
  const url = h("input", { id: "vc-url", required: true, class: "wide", placeholder: "https://vcenter.example.com", value: v ? v.url : "" });
  const user = h("input", { id: "vc-user", required: true, autocomplete: "off", value: v ? v.user : "" });
  const pw = h("input", { id: "vc-password", type: "password", autocomplete: "new-password", required: !v,
    placeholder: v ? "unchanged" : "" });
  const thumb = h("input", { id: "vc-thumbprint", class: "wide mono", readonly: true, value: v && v.thumbprint ? v.thumbprint : "" });
  const insecure = h("input", { id: "vc-insecure", type: "checkbox", checked: !!(v && v.insecure) });
  const cert = h("dl", { class: "cert", id: "vc-cert", hidden: true });
  const probeBtn = h("button", { type: "button", id: "vc-probe" }, "Probe certificate");
  const submit = h("button", { type: "submit", class: "primary", id: "vc-save" }, v ? "Test and save" : "Test and add");
  const fail = (m) => { err.textContent = m; err.hidden = false; };
  probeBtn.addEventListener("click", async () => {
    err.hidden = true;
    probeBtn.disabled = true;
    try {
      const c = await api("/vcenters/probe", { method: "POST", body: { url: url.value.trim() } });
      const sha1 = h("code", {}, c.sha1);
      const acceptBtn = h("button", { type: "button", id: "vc-accept" }, "Accept this certificate");
      acceptBtn.addEventListener("click", () => { thumb.value = c.sha1; insecure.checked = false; toast("Certificate accepted; save to keep it."); });
      cert.replaceChildren(
        h("dt", {}, "SHA-1"), h("dd", {}, sha1),
        h("dt", {}, "SHA-256"), h("dd", {}, h("code", {}, c.sha256)),
        h("dt", {}, "Subject"), h("dd", {}, c.subject),
        h("dt", {}, "Valid until"), h("dd", {}, fmtTime(c.notAfter)),
        h("dd", {}, h("p", { class: "help" }, "Compare with the thumbprint shown by the vCenter (or `govc about.cert -thumbprint`) before accepting."), acceptBtn));
      cert.hidden = false;
    } catch (e) { fail(e.message); } finally { probeBtn.disabled = false; }
  });
  const form = h("form", { class: "panel form", id: "vc-form" },
    h("h2", {}, v ? "Connection" : "Add a vCenter connection"),
    h("label", { for: "vc-name" }, "Name"), name,
    h("label", { for: "vc-url" }, "URL"), url,
    h("div", { class: "row" }, probeBtn),
    cert,
    h("label", { for: "vc-thumbprint" }, "Accepted certificate thumbprint"), thumb,
    h("label", { class: "choice" }, insecure, " Accept any certificate (insecure: only for a lab)"),
    h("label", { for: "vc-user" }, "User"), user,
    h("label", { for: "vc-password" }, "Password"), pw,
    err,
    h("div", { class: "row end" }, v ? h("a", { href: "#/vcenters", class: "button" }, "Back") : null, submit));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    if (!insecure.checked && !thumb.value) { fail("Probe the certificate and accept its thumbprint first (or choose insecure)."); return; }
    const body = { name: name.value.trim(), url: url.value.trim(), user: user.value.trim() };
    if (pw.value) body.password = pw.value;
    if (insecure.checked) body.insecure = true; else body.thumbprint = thumb.value;
    submit.disabled = true;
    try {
      await api(v ? `/vcenters/${enc(v.id)}` : "/vcenters", { method: v ? "PUT" : "POST", body });
      toast(v ? "Saved." : "Added.");
      if (v) location.hash = "#/vcenters"; else route();
    } catch (e) { fail(e.message); submit.disabled = false; }
  });
  return form;
}

/**
 * The restore wizard's second option, as a job: re-create the VM on vSphere, or write the disks back
 * into the VM the backup was taken from (found by its instance UUID).
 */
function vsphereRestorePanel(id, b) {
  const viewer = session && session.role === "viewer";
  const err = h("p", { class: "error", role: "alert", hidden: true, id: "vmr-error" });
  const modeNew = h("input", { type: "radio", name: "vmr-mode", id: "vmr-mode-new", value: "as-new", checked: true });
  const modeOriginal = h("input", { type: "radio", name: "vmr-mode", id: "vmr-mode-original", value: "original" });
  const modeInPlace = h("input", { type: "radio", name: "vmr-mode", id: "vmr-mode-inplace", value: "in-place" });
  const keepIdentity = h("input", { id: "vmr-keep-identity", type: "checkbox" });
  const diskFormat = h("select", { id: "vmr-disk-format" },
    h("option", { value: "" }, "as the source"),
    h("option", { value: "thin" }, "thin"),
    h("option", { value: "thick" }, "thick (lazy zeroed)"),
    h("option", { value: "eagerzeroedthick" }, "thick, eager zeroed"));
  // one datastore choice per disk of the stored configuration, by its label
  const storedDisks = ((b.config && b.config.disks) || []).filter((d) => d.label);
  const diskStores = storedDisks.map((d) => h("select", { "data-disk": d.label, id: `vmr-disk-ds-${d.key}` }, h("option", { value: "" }, "(with the VM)")));
  const force = h("input", { id: "vmr-force", type: "checkbox" });
  const vcSel = h("select", { id: "vmr-vcenter", required: true }, h("option", { value: "" }, "— choose —"));
  const name = h("input", { id: "vmr-name", required: true, value: `${vmName(b.vm) || "vm"}-restored` });
  const mkSel = (idAttr) => h("select", { id: idAttr }, h("option", { value: "" }, "(default)"));
  const datastore = mkSel("vmr-datastore");
  const folder = mkSel("vmr-folder");
  const pool = mkSel("vmr-pool");
  const host = mkSel("vmr-host");
  const nets = h("div", { id: "vmr-networks" });
  const oldNets = [...new Set(((b.config && b.config.nics) || []).map((n) => n.network).filter(Boolean))];
  const netSelects = [];
  const conflict = h("select", { id: "vmr-conflict" },
    h("option", { value: "abort" }, "abort — stop if a VM with this name exists"),
    h("option", { value: "keep" }, "keep — leave the existing VM, restore nothing"),
    h("option", { value: "overwrite" }, "overwrite — destroy the existing VM and re-create it"));
  const powerOn = h("input", { id: "vmr-poweron", type: "checkbox" });
  const transport = h("select", { id: "vmr-transport", name: "transport", "aria-describedby": "vmr-transport-help" },
    ...["https", "nbd", "nbdssl", "hotadd", "san"].map((t) => h("option", { value: t, selected: t === "https" }, t)));
  const submit = h("button", { type: "submit", class: "primary", id: "vmr-start" }, "Re-create on vSphere");
  if (viewer) submit.disabled = true;
  const fill = (sel, values) => {
    sel.replaceChildren(h("option", { value: "" }, "(default)"), ...(values || []).map((x) => h("option", { value: x }, x)));
  };
  const renderNets = (choices) => {
    netSelects.length = 0;
    nets.replaceChildren(...oldNets.map((o) => {
      const sel = h("select", { "data-old": o }, h("option", { value: "" }, "(same name)"), ...(choices || []).map((x) => h("option", { value: x }, x)));
      netSelects.push(sel);
      return h("div", { class: "row" }, h("span", {}, `${o} → `), sel);
    }));
    if (!oldNets.length) nets.replaceChildren(h("p", { class: "muted" }, "NICs stay on networks of the same name."));
  };
  renderNets([]);
  api("/vcenter-choices").then((list) => {
    for (const v of list) vcSel.append(h("option", { value: v.id }, `${v.name} (${v.url})`));
    if (!list.length) {
      err.replaceChildren("No vCenter connection yet: an admin adds one under ", h("a", { href: "#/vcenters" }, "vCenter connections"), ".");
      err.hidden = false;
    }
  }).catch((e) => { err.textContent = e.message; err.hidden = false; });
  vcSel.addEventListener("change", async () => {
    err.hidden = true;
    if (!vcSel.value) return;
    try {
      const inv = await api(`/vcenters/${enc(vcSel.value)}/inventory`);
      fill(datastore, inv.datastores); fill(folder, inv.folders); fill(pool, inv.pools); fill(host, inv.hosts);
      for (const sel of diskStores) sel.replaceChildren(h("option", { value: "" }, "(with the VM)"), ...(inv.datastores || []).map((x) => h("option", { value: x }, x)));
      renderNets(inv.networks);
    } catch (e) { err.textContent = e.message; err.hidden = false; }
  });
  const asNewPart = h("div", { id: "vmr-asnew" },
    h("label", { for: "vmr-name" }, "New VM name"), name,
    h("label", { for: "vmr-datastore" }, "Datastore"), datastore,
    h("label", { for: "vmr-folder" }, "Folder"), folder,
    h("label", { for: "vmr-pool" }, "Resource pool"), pool,
    h("label", { for: "vmr-host" }, "Host"), host,
    h("fieldset", { class: "choices" }, h("legend", {}, "Network mapping"), nets),
    h("label", { for: "vmr-disk-format" }, "Disk provisioning"), diskFormat,
    storedDisks.length ? h("fieldset", { class: "choices" }, h("legend", {}, "Datastore per disk"),
      ...storedDisks.map((d, i) => h("div", { class: "row" }, h("label", { for: diskStores[i].id }, `${d.label} → `), diskStores[i]))) : null,
    h("label", { for: "vmr-conflict" }, "If a VM with this name exists"), conflict,
    h("label", { class: "choice" }, keepIdentity, " Keep its identity (instance UUID, BIOS UUID, MAC addresses): only for a VM that is gone"),
    h("label", { class: "choice" }, powerOn, " Power on after the restore"));
  const inPlacePart = h("div", { id: "vmr-inplace", hidden: true },
    h("p", { class: "note" }, "Every disk of ", h("strong", {}, vmName(b.vm) || "the VM"),
      " (found by its instance UUID, whatever its name now) is overwritten with this backup's contents. ",
      "Refused while the VM has snapshots, and while it runs unless you allow the power-off."),
    h("label", { class: "choice" }, force, " Power the VM off first if it is running"));
  const originalNote = h("p", { class: "note", id: "vmr-original-note", hidden: true },
    "The VM comes back where the backup found it: its name, folder, resource pool, host and datastores, ",
    "each unless you choose otherwise below. Refused while the VM it was still exists, unless you choose overwrite.");
  const showMode = () => {
    asNewPart.hidden = modeInPlace.checked;
    inPlacePart.hidden = !modeInPlace.checked;
    originalNote.hidden = !modeOriginal.checked;
    name.required = modeNew.checked; // a hidden required field would block the form
    if (modeOriginal.checked && name.value === `${vmName(b.vm) || "vm"}-restored`) name.value = vmName(b.vm) || "";
    submit.textContent = modeInPlace.checked ? "Restore into the VM" : "Re-create on vSphere";
  };
  modeNew.addEventListener("change", showMode);
  modeOriginal.addEventListener("change", showMode);
  modeInPlace.addEventListener("change", showMode);
  const form = h("form", { class: "panel form", id: "vmr-form" },
    h("h2", {}, "Restore to vSphere"),
    h("label", { for: "vmr-vcenter" }, "vCenter"), vcSel,
    h("fieldset", { class: "choices" }, h("legend", {}, "How"),
      h("label", { class: "choice" }, modeNew, " Re-create as a new VM"),
      h("label", { class: "choice" }, modeOriginal, " Re-create where it was (original location)"),
      h("label", { class: "choice" }, modeInPlace, " Write back into the original VM (in place)")),
    originalNote, asNewPart, inPlacePart,
    h("label", { for: "vmr-transport" }, "Transport"), transport,
    h("p", { class: "help", id: "vmr-transport-help" },
      "https writes the disks as datastore files and needs nothing more. nbd, nbdssl (NFC, encrypted), hotadd and san write them ",
      "through VMware's VDDK, which the server must have been given (cairn serve --vddk DIR, or VDDK_HOME). ",
      "Over san, thin disks and disks on local or VVol datastores are written with nbdssl, and a restore snapshot is taken."),
    viewer ? h("p", { class: "note" }, "Your role (viewer) may not restore; ask an operator.") : null,
    err,
    h("div", { class: "row end" }, submit));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    if (!vcSel.value) { err.textContent = "Choose a vCenter connection."; err.hidden = false; return; }
    let body;
    if (modeInPlace.checked) {
      if (!confirm(`Overwrite every disk of ${vmName(b.vm) || "the VM"} with this backup?`)) return;
      body = { vcenter: vcSel.value, mode: "in-place", force: force.checked, transport: transport.value };
    } else {
      const networkMap = {};
      for (const sel of netSelects) if (sel.value) networkMap[sel.dataset.old] = sel.value;
      const diskDatastores = {};
      for (const sel of diskStores) if (sel.value) diskDatastores[sel.dataset.disk] = sel.value;
      body = { vcenter: vcSel.value, mode: modeOriginal.checked ? "original" : "as-new", onConflict: conflict.value,
        powerOn: powerOn.checked, keepIdentity: keepIdentity.checked, networkMap, diskDatastores, transport: transport.value };
      if (name.value.trim()) body.name = name.value.trim();
      if (diskFormat.value) body.diskFormat = diskFormat.value;
      for (const [k, sel] of [["datastore", datastore], ["folder", folder], ["pool", pool], ["host", host]]) if (sel.value) body[k] = sel.value;
    }
    submit.disabled = true;
    try {
      const r = await api(`/backups/${enc(id)}/restore-vm`, { method: "POST", body });
      location.hash = `#/jobs/${enc(r.job)}`;
    } catch (e) { err.textContent = e.message; err.hidden = false; submit.disabled = false; }
  });
  return form;
}

async function viewPassword() {
  const err = h("p", { class: "error", role: "alert", id: "password-error", hidden: true });
  const field = (id, label, autocomplete) => {
    const input = h("input", { id, name: id, type: "password", autocomplete, required: true });
    return [input, h("label", { for: id }, label)];
  };
  const [current, currentLabel] = field("password-current", "Current password", "current-password");
  const [next, nextLabel] = field("password-new", "New password (at least 8 characters)", "new-password");
  const [again, againLabel] = field("password-again", "New password again", "new-password");
  const submit = h("button", { type: "submit", class: "primary" }, "Change password");
  const form = h("form", { id: "password", class: "panel form" },
    currentLabel, current, nextLabel, next, againLabel, again, err, h("div", { class: "row end" }, submit));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    if (next.value !== again.value) { err.textContent = "The new passwords do not match."; err.hidden = false; return; }
    submit.disabled = true;
    try {
      session = await api("/me/password", { method: "POST", body: { current: current.value, password: next.value } });
      toast("Password changed. Your other sessions have ended.");
      location.hash = "#/dashboard";
    } catch (e) {
      err.textContent = e.message; err.hidden = false; submit.disabled = false;
    }
  });
  return [h("div", { class: "page-head" }, h("h1", {}, "Change password"),
    h("p", { class: "muted" }, `for ${session.user}; every other session of yours ends`)), form];
}

async function logout() {
  try { await api("/logout", { method: "POST", body: {} }); } catch (e) { /* already gone */ }
  session = null;
  showChrome();
  location.hash = "#/login";
}

async function boot() {
  $("#logout").addEventListener("click", logout);
  try { session = await api("/me"); } catch (e) { session = null; }
  window.addEventListener("hashchange", route);
  route();
}

boot();

// ---------------------------------------------------------------- schedules and maintenance (admin)

const KEEPS = [["keepLast", "Keep last", "the newest N backups"], ["keepDaily", "Daily", "the newest of each of the last N days"],
  ["keepWeekly", "Weekly", "… of each of the last N ISO weeks"], ["keepMonthly", "Monthly", "… of each of the last N months"]];

/** The keep-* number inputs, prefixed for unique ids; values() gives {keepLast: N, …}. */
function keepFields(prefix, r) {
  const inputs = KEEPS.map(([k, label, help]) => [k, h("input", { type: "number", min: 0, max: 100000, step: 1, id: `${prefix}-${k}`,
    name: k, value: r && r[k] ? r[k] : "", placeholder: "0", title: help, style: "width:6em" }), label, help]);
  const el = h("div", { class: "row", style: "justify-content:flex-start" }, inputs.map(([k, input, label, help]) =>
    h("div", {}, h("label", { for: input.id }, label), input, h("p", { class: "help" }, help))));
  const values = () => Object.fromEntries(inputs.map(([k, input]) => [k, input.value.trim() === "" ? 0 : Number(input.value)]));
  return { el, values };
}

const retentionText = (r) => !r ? "keep all" : KEEPS.filter(([k]) => r[k] > 0).map(([k, label]) => `${label.toLowerCase()} ${r[k]}`).join(", ");

function adminOnly(title) {
  return [h("h1", {}, title), h("p", { class: "note" }, "This page is for administrators; your role is ", session.role, ".")];
}

async function viewSchedules() {
  if (session.role !== "admin") return adminOnly("Schedules");
  const list = await api("/schedules");
  const tbody = h("tbody", {});
  for (const s of list) {
    const toggle = h("button", { type: "button", class: "small" }, s.enabled ? "Disable" : "Enable");
    toggle.addEventListener("click", async () => {
      toggle.disabled = true;
      try {
        await api(`/schedules/${enc(s.id)}`, { method: "PUT", body: { name: s.name, cron: s.cron, source: s.source, retention: s.retention, enabled: !s.enabled } });
        route();
      } catch (e) { toast(e.message, "error"); toggle.disabled = false; }
    });
    const run = h("button", { type: "button", class: "small", "data-run": s.id }, "Run now");
    run.addEventListener("click", async () => {
      run.disabled = true;
      try {
        const r = await api(`/schedules/${enc(s.id)}/run`, { method: "POST", body: {} });
        location.hash = `#/jobs/${enc(r.job)}`;
      } catch (e) { toast(e.message, "error"); run.disabled = false; }
    });
    const del = h("button", { type: "button", class: "small danger" }, "Delete");
    del.addEventListener("click", async () => {
      if (!confirm(`Delete the schedule "${s.name}"? Its backups stay.`)) return;
      try { await api(`/schedules/${enc(s.id)}`, { method: "DELETE" }); route(); } catch (e) { toast(e.message, "error"); }
    });
    tbody.append(h("tr", {},
      h("td", {}, s.name, s.problem ? h("p", { class: "error" }, s.problem) : null),
      h("td", { class: "mono" }, s.cron),
      h("td", {}, s.vm, h("div", { class: "muted small" }, typeof s.source === "string" ? s.source
        : (s.source.quiesce ? "quiesced" : "crash-consistent") + (s.source.enableCbt ? ", turns CBT on" : "")
          + ", over " + (s.source.transport || "https"))),
      h("td", {}, retentionText(s.retention)),
      h("td", {}, s.enabled ? (s.nextRuns.length ? timeEl(s.nextRuns[0]) : "–") : h("span", { class: "muted" }, "disabled")),
      h("td", {}, s.lastJob ? h("a", { href: `#/jobs/${enc(s.lastJob.id)}` }, timeEl(s.lastRun), " ", s.lastJob.state.toLowerCase())
        : timeEl(s.lastRun)),
      h("td", { class: "actions" }, run, " ", toggle, " ", h("a", { href: `#/schedules/${enc(s.id)}`, class: "button small" }, "Edit"), " ", del)));
  }
  const table = list.length
    ? h("table", { class: "table" }, thead(["Name", "When", "What", "Retention", "Next run", "Last run", ""]), tbody)
    : h("p", { class: "muted" }, "No schedules yet.");
  return [
    h("div", { class: "page-head" }, h("h1", {}, "Schedules"),
      h("p", { class: "muted" }, "Backups that run by themselves, in the appliance's time zone, then apply their retention to each VM they backed up.")),
    h("section", { class: "panel" }, table),
    scheduleForm(null),
  ];
}

async function viewSchedule([id]) {
  if (session.role !== "admin") return adminOnly("Schedule");
  const s = (await api("/schedules")).find((x) => x.id === id);
  if (!s) throw new ApiError(404, "No such schedule.");
  return [
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/schedules" }, "Schedules"), " / ", h("span", {}, s.name)),
    h("div", { class: "page-head" }, h("h1", {}, `Edit ${s.name}`)),
    scheduleForm(s),
  ];
}

/** Create (s null) or edit form; the next runs of the cron expression are shown as it is typed. */
function scheduleForm(s) {
  const err = h("p", { class: "error", role: "alert", hidden: true, id: "sched-error" });
  const name = h("input", { id: "sched-name", name: "name", required: true, maxlength: 100, value: s ? s.name : "" });
  const cron = h("input", { id: "sched-cron", name: "cron", required: true, class: "mono", value: s ? s.cron : "0 2 * * *", "aria-describedby": "sched-cron-help sched-next" });
  const src = s ? s.source : null;
  const isFile = typeof src === "string";
  const kindVc = h("input", { type: "radio", name: "sched-kind", id: "sched-kind-vc", value: "vcenter", checked: !isFile });
  const kindFile = h("input", { type: "radio", name: "sched-kind", id: "sched-kind-file", value: "file", checked: isFile });
  const vcSel = h("select", { id: "sched-vcenter", name: "vcenter" }, h("option", { value: "" }, "(choose a connection)"));
  const spec = h("input", { id: "sched-spec", name: "spec", class: "mono wide", value: src && !isFile ? src.spec : "", placeholder: "name:web01",
    "aria-describedby": "sched-spec-help" });
  const quiesce = h("input", { type: "checkbox", id: "sched-quiesce", checked: src && !isFile ? src.quiesce : true });
  const cbt = h("input", { type: "checkbox", id: "sched-cbt", checked: src && !isFile ? src.enableCbt : false });
  const chosenTransport = src && !isFile && src.transport ? src.transport : "https";
  const transport = h("select", { id: "sched-transport", name: "transport", "aria-describedby": "sched-transport-help" },
    ...["https", "nbd", "nbdssl", "hotadd", "san"].map((t) => h("option", { value: t, selected: t === chosenTransport }, t)));
  const matchBtn = h("button", { type: "button", id: "sched-match", class: "small" }, "Show matching VMs");
  const matches = h("ul", { id: "sched-matches", class: "muted small", "aria-live": "polite", style: "list-style:none;padding:0" });
  const source = h("input", { id: "sched-source", name: "source", class: "wide", value: isFile ? src : "", placeholder: "file:/images/web01.img", "aria-describedby": "sched-source-help" });
  const vcPart = h("div", { id: "sched-vc-part" },
    h("label", { for: "sched-vcenter" }, "vCenter"), vcSel,
    h("label", { for: "sched-spec" }, "Which VMs"), h("div", { class: "row", style: "justify-content:flex-start" }, spec, matchBtn),
    h("p", { class: "help", id: "sched-spec-help" },
      "As in cairn backup --vm: name:web01 (exact name), uuid:… (BIOS or instance UUID), moref:vm-42, ipaddr:10.0.0.5, ",
      "powerstate:on, any: (every VM). Looked up at each run, so a new VM that matches is backed up too; templates never are."),
    matches,
    h("label", { class: "choice" }, quiesce, " Quiesce the guest (VMware Tools); crash-consistent when it cannot be"),
    h("label", { class: "choice" }, cbt, " Turn on changed block tracking for VMs without it (later runs read only changed blocks)"),
    h("label", { for: "sched-transport" }, "Transport"), transport,
    h("p", { class: "help", id: "sched-transport-help" },
      "https reads the disks as datastore files and needs nothing more. nbd, nbdssl (NFC, encrypted), hotadd and san read them ",
      "through VMware's VDDK, which the server must have been given (cairn serve --vddk DIR, or VDDK_HOME)."));
  const filePart = h("div", { id: "sched-file-part" },
    h("label", { for: "sched-source" }, "File"), source,
    h("p", { class: "help", id: "sched-source-help" },
      "file: and the absolute path on the appliance of a raw disk image, a VMDK (any subformat, snapshot children too) ",
      "or a .vmx (every disk it names, with the .vmx and NVRAM). The VM is named after the file, or a .vmx's displayName."));
  const showKind = () => { vcPart.hidden = !kindVc.checked; filePart.hidden = !kindFile.checked; };
  kindVc.addEventListener("change", showKind);
  kindFile.addEventListener("change", showKind);
  showKind();
  api("/vcenter-choices").then((list) => {
    for (const v of list) vcSel.append(h("option", { value: v.id, selected: src && !isFile && src.vcenter === v.id }, `${v.name} (${v.url})`));
    if (!list.length && !isFile) {
      matches.replaceChildren(h("li", {}, "No vCenter connection yet: add one under ", h("a", { href: "#/vcenters" }, "vCenter connections"), "."));
    }
  }).catch((e) => matches.replaceChildren(h("li", { class: "error" }, e.message)));
  matchBtn.addEventListener("click", async () => {
    if (!vcSel.value) { matches.replaceChildren(h("li", { class: "error" }, "Choose a vCenter connection.")); return; }
    matchBtn.disabled = true;
    matches.replaceChildren(h("li", {}, "Asking vCenter…"));
    try {
      const vms = await api(`/vcenters/${enc(vcSel.value)}/vms?spec=${enc(spec.value.trim())}`);
      matches.replaceChildren(h("li", {}, vms.length === 1 ? "1 VM matches now:" : `${vms.length} VMs match now${vms.length ? ":" : "."}`),
        ...vms.map((v) => h("li", {}, v.name, " ", h("span", { class: "mono" }, v.moRef), " ", v.powerState || "",
          v.template ? " (template: skipped)" : "")));
    } catch (e) {
      matches.replaceChildren(h("li", { class: "error" }, e.message));
    } finally { matchBtn.disabled = false; }
  });
  const enabled = h("input", { type: "checkbox", id: "sched-enabled", name: "enabled", checked: s ? s.enabled : true });
  const keepAll = h("input", { type: "checkbox", id: "sched-keepall", checked: s ? !s.retention : false });
  const keeps = keepFields("sched", s ? s.retention : { keepLast: 7 });
  const next = h("ul", { id: "sched-next", class: "muted small", "aria-live": "polite", style: "list-style:none;padding:0" });
  let timer = null;
  const preview = async () => {
    try {
      const r = await api(`/schedules/preview?cron=${enc(cron.value)}`);
      next.replaceChildren(h("li", {}, `Next runs (${r.timeZone}):`), ...r.nextRuns.map((t) => h("li", {}, timeEl(t))));
    } catch (e) {
      next.replaceChildren(h("li", { class: "error" }, e.message));
    }
  };
  cron.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(preview, 300); });
  onCleanup(() => clearTimeout(timer));
  preview();
  const submit = h("button", { type: "submit", class: "primary", id: "sched-save" }, s ? "Save" : "Add schedule");
  const form = h("form", { class: "panel form", id: "sched-form" },
    h("h2", {}, s ? "Schedule" : "New schedule"),
    h("label", { for: "sched-name" }, "Name"), name,
    h("label", { for: "sched-cron" }, "When (cron)"), cron,
    h("p", { class: "help", id: "sched-cron-help" },
      "Five fields: minute (0–59), hour (0–23), day of month (1–31), month (1–12), day of week (0–7, 0 and 7 are Sunday). ",
      "Each is * (any), a number, a list 1,15, a range 1-5, or a step */15 or 8-18/2. ",
      "Examples: 0 2 * * * (daily at 02:00), 30 1 * * 1-5 (weekdays at 01:30), 0 */6 * * * (every 6 hours). ",
      "A time skipped by daylight saving runs when the clock jumps; a repeated one runs once. Runs missed while the appliance was off are not made up."),
    next,
    h("fieldset", { class: "choices" }, h("legend", {}, "What to back up"),
      h("label", { class: "choice" }, kindVc, " VMs on a vCenter or ESXi host"),
      h("label", { class: "choice" }, kindFile, " A disk image, VMDK or .vmx on the appliance")),
    vcPart, filePart,
    h("fieldset", { class: "choices" }, h("legend", {}, "Retention after each run (for each VM backed up)"),
      h("label", { class: "choice" }, keepAll, " Keep every backup"), keeps.el),
    h("label", { class: "choice" }, enabled, " Enabled"),
    err,
    h("div", { class: "row end" }, s ? h("a", { href: "#/schedules", class: "button" }, "Back") : null, submit));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    submit.disabled = true;
    const chosen = kindVc.checked
      ? { vcenter: vcSel.value, spec: spec.value.trim(), quiesce: quiesce.checked, enableCbt: cbt.checked, transport: transport.value }
      : source.value.trim();
    const body = { name: name.value.trim(), cron: cron.value.trim(), source: chosen,
      retention: keepAll.checked ? null : keeps.values(), enabled: enabled.checked };
    try {
      await api(s ? `/schedules/${enc(s.id)}` : "/schedules", { method: s ? "PUT" : "POST", body });
      toast(s ? "Schedule saved." : "Schedule added.");
      if (s) location.hash = "#/schedules"; else route();
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      submit.disabled = false;
    }
  });
  return form;
}

async function viewMaintenance() {
  if (session.role !== "admin") return adminOnly("Maintenance");
  const err = h("p", { class: "error", role: "alert", hidden: true, id: "maint-error" });
  const start = async (button, what, body) => {
    err.hidden = true;
    button.disabled = true;
    try {
      const r = await api(`/maintenance/${what}`, { method: "POST", body });
      location.hash = `#/jobs/${enc(r.job)}`;
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      button.disabled = false;
    }
  };
  const btn = (id, text, cls, fn) => {
    const b = h("button", { type: "button", id, class: cls }, text);
    b.addEventListener("click", () => fn(b));
    return b;
  };
  const keeps = keepFields("prune", { keepLast: 7, keepDaily: 14, keepWeekly: 8, keepMonthly: 12 });
  const dry = h("input", { type: "checkbox", id: "prune-dry", checked: true });
  return [
    h("div", { class: "page-head" }, h("h1", {}, "Maintenance"),
      h("p", { class: "muted" }, "Each starts a job; you are taken to its live progress and log.")),
    err,
    h("section", { class: "panel form" }, h("h2", {}, "Check"),
      h("p", { class: "help" }, "Verifies that every backup's manifest and index can be read and every chunk they need exists. ",
        "With data, also reads, decrypts and re-hashes every chunk (reads the whole repository)."),
      h("div", { class: "row", style: "justify-content:flex-start" },
        btn("maint-check", "Check", "primary", (b) => start(b, "check", { readData: false })),
        btn("maint-check-data", "Check with data", "", (b) => start(b, "check", { readData: true })))),
    h("section", { class: "panel form" }, h("h2", {}, "Prune"),
      h("p", { class: "help" }, "Removes the backups of each VM that none of these rules keeps. Their space is freed by gc."),
      keeps.el,
      h("label", { class: "choice" }, dry, " Dry run: only list what would be removed (in the job's log)"),
      h("div", { class: "row", style: "justify-content:flex-start" },
        btn("maint-prune", "Prune", "danger", (b) => {
          if (!dry.checked && !confirm("Remove every backup these rules do not keep?")) return;
          start(b, "prune", { ...keeps.values(), dryRun: dry.checked });
        }))),
    h("section", { class: "panel form" }, h("h2", {}, "Garbage collection"),
      h("p", { class: "help" }, "Deletes chunks no backup uses any more (older than one hour). Needs the repository to itself."),
      h("div", { class: "row", style: "justify-content:flex-start" }, btn("maint-gc", "Run gc", "", (b) => start(b, "gc", {})))),
  ];
}

// ---------------------------------------------------------------- settings (admin)

/** One path per line; blank lines dropped. */
function lines(text) {
  return text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
}

async function viewSettings() {
  if (session.role !== "admin") return adminOnly("Settings");
  const r = await api("/roots");
  const err = h("p", { class: "error", role: "alert", hidden: true, id: "roots-error" });
  const restore = h("textarea", { id: "roots-restore", rows: 4, class: "wide", spellcheck: "false", "aria-describedby": "roots-restore-help" });
  restore.value = (r.restoreRoots || []).join("\n");
  const source = h("textarea", { id: "roots-source", rows: 4, class: "wide", spellcheck: "false", "aria-describedby": "roots-source-help" });
  source.value = (r.sourceRoots || []).join("\n");
  const submit = h("button", { type: "submit", class: "primary", id: "roots-save" }, "Save");
  const form = h("form", { class: "panel form", id: "roots-form" },
    h("h2", {}, "Directories on the appliance"),
    h("label", { for: "roots-restore" }, "Restore roots"), restore,
    h("p", { class: "help", id: "roots-restore-help" }, "One directory per line. Operators restore disks only into these directories or below them. ",
      "Each must exist and be named by its real path (no symbolic link in it); / and the system's own directories (/etc, /usr, /proc, …), ",
      "the repository and the server's state directory are refused."),
    h("label", { for: "roots-source" }, "Source roots"), source,
    h("p", { class: "help", id: "roots-source-help" }, "One directory per line. Schedules back up files (raw images, VMDKs, .vmx) only from below these; ",
      "every file such a source leads to (a .vmx's disks and NVRAM, a VMDK's extents) must lie below them too. Devices are never read."),
    r.updated ? h("p", { class: "muted", id: "roots-updated" }, "Last changed ", timeEl(r.updated), r.updatedBy ? ` by ${r.updatedBy}` : "") : null,
    err,
    h("div", { class: "row end" }, submit));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    submit.disabled = true;
    try {
      await api("/roots", { method: "PUT", body: { restoreRoots: lines(restore.value), sourceRoots: lines(source.value) } });
      toast("Saved");
      route();
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      submit.disabled = false;
    }
  });
  return [
    h("div", { class: "page-head" }, h("h1", {}, "Settings"),
      h("p", { class: "muted" }, "Where restores may write and scheduled backups may read on this appliance.")),
    form,
  ];
}
