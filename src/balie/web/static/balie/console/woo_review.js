// Reviewing one document of a Woo request (no inline scripts: strict CSP). The messages are
// drawn from the page's JSON with every redaction marked; each change posts to a small JSON
// endpoint and reaches other reviewers through the review socket, where the last change to a
// redaction wins and is shown to everyone. Positions are code points, as the server counts.
// Keys: j/k move between redactions, a accepts, r rejects, g changes the ground, x blacks out
// the selection, e blacks it out everywhere in the request, d goes to the decision, n/p to the
// next/previous document. A key typed into a field is left alone.
// Texts come from Django's JavaScript catalogue (console:jsi18n, loaded before this module).
const { gettext, gettext_noop, interpolate } = window;
const t = (text) => gettext(text);
const fmt = (text, values) => interpolate(text, values, true);

let config = JSON.parse(document.getElementById("woo-config").textContent);
const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
const base = location.pathname.replace(/documents\/[^/]+\/$/, "");
const dataUrl = `${location.pathname}data/`;
const redactions = new Map();
let current = -1; // index into the ordered list of redactions
let order = [];

const CATEGORY = {
  name: gettext_noop("Name"), bsn: gettext_noop("BSN"), phone: gettext_noop("Phone number"), email: gettext_noop("E-mail address"), iban: gettext_noop("Bank account"),
  postcode: gettext_noop("Postcode"), address: gettext_noop("Address"), licence_plate: gettext_noop("Licence plate"),
  date_of_birth: gettext_noop("Date of birth"), id_number: gettext_noop("ID number"), ip_address: gettext_noop("IP address"),
  special: gettext_noop("Special personal data"), other: gettext_noop("Selected by a reviewer"),
};
const STATE = { proposed: gettext_noop("proposed"), accepted: gettext_noop("blacked out"), rejected: gettext_noop("kept readable") };
const RANK = { accepted: 3, proposed: 2, rejected: 1 };

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, children = []) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
};
const points = (text) => Array.from(text); // code points, as Python counts them

function say(text) {
  $("woo-live").textContent = text;
}

function showError(text) {
  const box = $("woo-error");
  box.textContent = text;
  box.hidden = !text;
}

async function post(url, body) {
  showError("");
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    showError(data.detail || gettext("Something went wrong. Please try again."));
    return null;
  }
  return data;
}

function groundOptions(select, chosen) {
  select.replaceChildren(
    ...config.grounds.map((g) => el("option", { value: g.code, textContent: `${g.code} – ${g.text}`, selected: g.code === chosen })),
  );
}

function progress(p) {
  if (!p) return;
  $("woo-progress").textContent = fmt(gettext("%(decided)s of %(documents)s documents decided · %(proposed)s proposals still to review"),
    p,
  );
}

// --- drawing ---------------------------------------------------------------------------
function drawMessage(message) {
  const text = points(message.body);
  const mine = [...redactions.values()].filter((r) => r.message === message.id);
  const cuts = new Set([0, text.length]);
  for (const r of mine) { cuts.add(Math.min(r.start, text.length)); cuts.add(Math.min(r.end, text.length)); }
  const edges = [...cuts].sort((a, b) => a - b);
  const body = el("p", { className: "woo-body" });
  body.dataset.message = message.id;
  for (let i = 0; i + 1 < edges.length; i++) {
    const [from, to] = [edges[i], edges[i + 1]];
    const piece = text.slice(from, to).join("");
    const over = mine.filter((r) => r.start <= from && r.end >= to);
    if (!over.length) { body.append(piece); continue; }
    over.sort((a, b) => RANK[b.state] - RANK[a.state]);
    const top = over[0];
    const mark = el("mark", {
      className: `woo-mark cat-${top.category} state-${top.state}`,
      title: `${t(CATEGORY[top.category] || top.category)} · ${top.ground} · ${t(STATE[top.state])} · ${top.source}`,
    }, [piece]);
    mark.dataset.ids = over.map((r) => r.id).join(" ");
    mark.addEventListener("click", () => focusRedaction(order.indexOf(top.id)));
    body.append(mark);
  }
  const when = new Date(message.created_at).toLocaleString(document.documentElement.lang || "nl");
  const author = message.author || (message.direction === "inbound" ? gettext("Resident") : gettext("Municipality"));
  return el("li", { className: `woo-message dir-${message.direction}` }, [
    el("p", { className: "woo-meta", textContent: `${author} · ${when}` }),
    body,
  ]);
}

function quote(r) {
  const message = config.messages.find((m) => m.id === r.message);
  return message ? points(message.body).slice(r.start, r.end).join("") : "";
}

function drawRedaction(r) {
  const item = el("li", { className: `woo-redaction state-${r.state}`, tabIndex: -1 });
  item.dataset.id = r.id;
  const ground = el("select", { className: "woo-ground", title: gettext("Ground") });
  ground.setAttribute("aria-label", gettext("Ground"));
  groundOptions(ground, r.ground);
  ground.disabled = !config.can_write;
  ground.addEventListener("change", () => review(r.id, r.state === "rejected" ? "accepted" : r.state, ground.value));
  const accept = el("button", { type: "button", textContent: gettext("Black out"), disabled: !config.can_write });
  accept.addEventListener("click", () => review(r.id, "accepted"));
  const reject = el("button", { type: "button", textContent: gettext("Keep readable"), disabled: !config.can_write });
  reject.addEventListener("click", () => review(r.id, "rejected"));
  const who = r.updated_by ? fmt(gettext("changed by %(name)s"), { name: r.updated_by }) : gettext("proposed by the detector");
  item.append(
    el("p", {}, [el("strong", { className: `cat-label cat-${r.category}`, textContent: t(CATEGORY[r.category] || r.category) }), " ",
      el("q", { textContent: quote(r) })]),
    el("p", { className: "woo-reason", textContent: `${t(STATE[r.state])} · ${r.source} · ${who}` }),
    el("p", { className: "woo-actions" }, [ground, accept, reject]),
  );
  item.addEventListener("focusin", () => { current = order.indexOf(r.id); markFocused(); });
  return item;
}

function draw() {
  const sorted = [...redactions.values()].sort((a, b) =>
    config.messages.findIndex((m) => m.id === a.message) - config.messages.findIndex((m) => m.id === b.message)
    || a.start - b.start || a.end - b.end || a.id - b.id);
  order = sorted.map((r) => r.id);
  $("woo-messages").replaceChildren(...config.messages.map(drawMessage));
  $("woo-redactions").replaceChildren(...sorted.map(drawRedaction));
  $("woo-no-redactions").hidden = sorted.length > 0;
  markFocused();
}

function markFocused() {
  for (const node of document.querySelectorAll(".focused")) node.classList.remove("focused");
  const id = order[current];
  if (id === undefined) return;
  document.querySelector(`.woo-redaction[data-id="${id}"]`)?.classList.add("focused");
  for (const mark of document.querySelectorAll(".woo-mark")) {
    if (mark.dataset.ids.split(" ").includes(String(id))) mark.classList.add("focused");
  }
}

function focusRedaction(index, { focus = true } = {}) {
  if (!order.length) return;
  current = Math.max(0, Math.min(order.length - 1, index));
  const item = document.querySelector(`.woo-redaction[data-id="${order[current]}"]`);
  markFocused();
  if (focus && item) { item.focus(); item.scrollIntoView({ block: "nearest" }); }
}

function redraw() {
  const focusedId = order[current];
  const hadFocus = document.activeElement?.closest?.(".woo-redaction");
  draw();
  if (focusedId !== undefined) {
    current = order.indexOf(focusedId);
    if (hadFocus) focusRedaction(current);
  }
}

// --- changes -----------------------------------------------------------------------------
function apply(list, { fromOthers }) {
  for (const r of list) {
    if (r.document !== config.document.number) continue;
    const before = redactions.get(r.id);
    redactions.set(r.id, r);
    if (fromOthers && before && before.state !== r.state && r.updated_by) {
      say(fmt(gettext("%(name)s: %(quote)s is now %(state)s"), { name: r.updated_by, quote: quote(r), state: t(STATE[r.state]) }));
    }
  }
  redraw();
}

async function review(id, state, ground) {
  const body = { state };
  if (ground) body.ground = ground;
  const data = await post(`${base}redactions/${id}/`, body);
  if (data) apply([data.redaction], { fromOthers: false });
}

function selection() {
  const chosen = window.getSelection();
  if (!chosen || chosen.isCollapsed || !chosen.rangeCount) return null;
  const range = chosen.getRangeAt(0);
  const within = (node) => (node.nodeType === 1 ? node : node.parentElement)?.closest(".woo-body");
  const body = within(range.startContainer);
  if (!body || body !== within(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(body);
  before.setEnd(range.startContainer, range.startOffset);
  const raw = range.toString();
  const lead = raw.length - raw.trimStart().length;
  const text = raw.trim();
  if (!text) return null;
  const start = points(before.toString()).length + points(raw.slice(0, lead)).length;
  return { message: Number(body.dataset.message), start, end: start + points(text).length, text };
}

async function redactSelection() {
  const chosen = selection();
  if (!chosen) { showError(gettext("Select text in one message first.")); return; }
  const ground = $("woo-selection-ground").value;
  const data = await post(`${location.pathname}redactions/`, { message: chosen.message, start: chosen.start, end: chosen.end, ground });
  if (data) { window.getSelection().removeAllRanges(); apply([data.redaction], { fromOthers: false }); say(gettext("Blacked out.")); }
}

async function redactEverywhere() {
  const chosen = selection();
  if (!chosen) { showError(gettext("Select text in one message first.")); return; }
  const data = await post(`${base}everywhere/`, { text: chosen.text, ground: $("woo-selection-ground").value });
  if (data) say(fmt(gettext("Blacked out %(count)s times in this request."), data));
}

async function decide(event) {
  event.preventDefault();
  const grounds = $("woo-decision-grounds").value.split(/[\s,;]+/).filter(Boolean);
  const data = await post(`${location.pathname}decision/`, {
    decision: $("woo-decision-value").value, grounds, explanation: $("woo-decision-explanation").value,
  });
  if (data) { showDecision(data.document); say(gettext("Decision saved.")); }
}

function showDecision(d) {
  config.document = { ...config.document, ...d };
  $("woo-decision-value").value = d.decision || config.decisions[0].value;
  $("woo-decision-grounds").value = d.grounds.join(" ");
  $("woo-decision-explanation").value = d.explanation;
}

// --- live ----------------------------------------------------------------------------------
let retry = 1000;
async function reload() {
  const response = await fetch(dataUrl, { credentials: "same-origin" });
  if (!response.ok) return;
  config = await response.json();
  redactions.clear();
  for (const r of config.redactions) redactions.set(r.id, r);
  showDecision(config.document);
  progress(config.progress);
  redraw();
}

function connect(first) {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${config.socket}`);
  socket.addEventListener("open", () => { retry = 1000; if (!first) reload(); });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.progress) progress(frame.progress);
    if (frame.type === "woo.redactions") apply(frame.redactions, { fromOthers: true });
    else if (frame.type === "woo.changed" && frame.documents.includes(config.document.number)) reload();
    else if (frame.type === "woo.document" && frame.document.number === config.document.number) showDecision(frame.document);
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4401) { showError(gettext("Your session has ended. Log in again.")); return; }
    if (event.code === 4403) return;
    setTimeout(() => connect(false), event.code === 4409 ? 0 : retry);
    retry = Math.min(retry * 2, 30000);
  });
}

// --- start -----------------------------------------------------------------------------
for (const r of config.redactions) redactions.set(r.id, r);
groundOptions($("woo-selection-ground"), "5.1.2e");
$("woo-decision-value").replaceChildren(...config.decisions.map((d) => el("option", { value: d.value, textContent: d.label })));
showDecision(config.document);
progress(config.progress);
for (const node of document.querySelectorAll("#woo-selection button, #woo-selection select, #woo-decision button, #woo-decision select, #woo-decision input, #woo-decision textarea")) {
  node.disabled = !config.can_write;
}
$("woo-legend").replaceChildren(
  ...Object.keys(CATEGORY).filter((c) => config.redactions.some((r) => r.category === c))
    .map((c) => el("span", { className: `cat-label cat-${c}`, textContent: t(CATEGORY[c]) })),
);
$("woo-selection").addEventListener("submit", (event) => { event.preventDefault(); redactSelection(); });
$("woo-redact-everywhere").addEventListener("click", redactEverywhere);
$("woo-decision").addEventListener("submit", decide);
draw();
connect(true);

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.matches("input, textarea, select")) return;
  const id = order[current];
  const moves = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
  if (event.key in moves && (event.key.length === 1 || event.target.closest(".woo-redactions"))) {
    event.preventDefault();
    focusRedaction(current < 0 ? 0 : current + moves[event.key]);
  } else if ((event.key === "a" || event.key === "r") && id !== undefined && config.can_write) {
    event.preventDefault();
    review(id, event.key === "a" ? "accepted" : "rejected").then(() => focusRedaction(current + 1));
  } else if (event.key === "g" && id !== undefined) {
    event.preventDefault();
    document.querySelector(`.woo-redaction[data-id="${id}"] select`)?.focus();
  } else if (event.key === "x" && config.can_write) {
    event.preventDefault();
    redactSelection();
  } else if (event.key === "e" && config.can_write) {
    event.preventDefault();
    redactEverywhere();
  } else if (event.key === "d") {
    event.preventDefault();
    $("woo-decision-value").focus();
  } else if (event.key === "n" || event.key === "p") {
    const link = document.querySelector(`a[data-key="${event.key}"]`);
    if (link) { event.preventDefault(); location.href = link.href; }
  }
});
