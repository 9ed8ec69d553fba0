// Balie agent console: live inbox and conversation panes over the staff socket.
// Protocol: docs/realtime.md. All user text goes into the page with textContent only.

import { CannedPicker, History, Presence } from "./kcc.js";
import { ContactIdentity } from "./identity.js";

const config = JSON.parse(document.getElementById("console-config").textContent);
// Texts come from Django's JavaScript catalogue (console:jsi18n, loaded before this module).
const { gettext, gettext_noop, interpolate } = globalThis;
const STATUS_LABELS = {
  open: gettext("Open"),
  pending: gettext("Waiting for resident"),
  resolved: gettext("Resolved"),
  closed: gettext("Closed"),
};
const MAX_PANES = 20;
// What only opening a conversation (and the console's answers) carries, not inbox updates.
const OPENING_ONLY = ["labels", "record_class", "destroyed_at", "destruction_list", "klantinteracties", "contact_identity"];
const TYPING_EVERY_MS = 3000;

// --- small helpers ------------------------------------------------------------------------
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

const csrfToken = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
// The id takes the place of the last "/0/" (an organisation's slug may come before it).
const urlFor = (name, id) => {
  const url = config.urls[name];
  const at = url.lastIndexOf("/0/");
  return `${url.slice(0, at)}/${id}/${url.slice(at + 3)}`;
};
const clientId = () =>
  crypto.randomUUID?.() ??
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang, {
  day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit",
  timeZone: document.documentElement.dataset.timeZone || undefined,
});
const formatTime = (iso) => (iso ? timeFormat.format(new Date(iso)) : "");
const teamName = (id) => (id ? config.teams[String(id)] ?? "" : gettext("No team"));
const staffName = (c) => c.assignee_name || gettext("Nobody");

// The console's JSON endpoints answer an error as {"code", "detail"}: thrown as an Error
// with the detail as its message and the code beside it.
async function fetchJson(url, options = {}) {
  const response = await fetch(url, { credentials: "same-origin", ...options });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw Object.assign(new Error(data.detail || `${response.status}`), { code: data.code ?? "", status: response.status });
  }
  return data;
}

const getJson = (url) => fetchJson(url);
const postJson = (url, body) => fetchJson(url, {
  method: "POST",
  headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
  body: JSON.stringify(body),
});

// --- the socket: one per page, reconnects with backoff ------------------------------------
const socket = {
  ws: null,
  attempt: 0,
  connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + config.urls.socket);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      showConnection(true);
      for (const pane of panes.values()) pane.resume();
    });
    ws.addEventListener("message", (event) => onFrame(JSON.parse(event.data)));
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      showConnection(false);
      if (event.code === 4401) return location.reload(); // session ended: to the login page
      if (event.code === 4409) this.attempt = 0; // access changed: reconnect at once
      const delay = Math.min(10000, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    });
  },
  send(frame) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  },
};

function showConnection(up) {
  const el = document.getElementById("connection");
  el.textContent = up ? gettext("Connected") : gettext("Connection lost. Trying again…");
  el.classList.toggle("down", !up);
}

function onFrame(frame) {
  const pane = panes.get(frame.conversation?.id ?? frame.conversation ?? frame.message?.conversation);
  switch (frame.type) {
    case "conversation":
      inbox.update(frame.conversation);
      pane?.setConversation(frame.conversation);
      break;
    case "conversations": // coalesced inbox updates: the latest state of each
      for (const conversation of frame.conversations) {
        inbox.update(conversation);
        panes.get(conversation.id)?.setConversation(conversation);
      }
      break;
    case "subscribed":
      pane?.onSubscribed(frame);
      break;
    case "message":
      pane?.addMessage(frame.message);
      pane?.markRead();
      if (frame.message.direction === "inbound") pane?.whatsapp?.refresh(); // the window opens again
      break;
    case "ack":
      panes.get(frame.message.conversation)?.onAck(frame);
      break;
    case "typing":
      if (frame.side === "resident") pane?.showTyping();
      else pane?.presence.onTyping(frame); // another agent types in this conversation
      break;
    case "presence":
      pane?.presence.onPresence(frame);
      break;
    case "read":
      pane?.onRead(frame);
      break;
    case "message_updated": // edited or deleted: show the current state in place
      pane?.list.querySelector(`li[data-seq="${frame.message.seq}"]`)?.replaceWith(renderMessage(frame.message));
      break;
    case "delivery": // an external channel took the message, delivered it, or refused it
      pane?.list.querySelector(`li[data-seq="${frame.seq}"] .delivery`)?.replaceWith(
        renderDelivery({ id: frame.message, conversation: frame.conversation, delivery_status: frame.delivery_status, delivery_error: frame.error }));
      if (frame.delivery_status === "failed" && frame.error?.startsWith(OUTSIDE_WINDOW)) pane?.whatsapp?.onOutsideWindow();
      break;
    case "agent_status": // routing: an agent's availability or capacity (availability.js)
      document.dispatchEvent(new CustomEvent("balie:agent-status", { detail: frame }));
      break;
    case "error":
      onError(frame);
      break;
  }
}

function onError(frame) {
  const [kind, id] = (frame.ref ?? "").split(":");
  if (kind === "sub") {
    const pane = panes.get(Number(id));
    if (frame.code === "too_many_open") alert(gettext("You can open at most 20 conversations at once."));
    pane?.close();
    return;
  }
  for (const pane of panes.values()) if (pane.onSendError(frame)) return;
}

// --- the inbox list ------------------------------------------------------------------------
const inbox = {
  list: document.getElementById("inbox-list"),
  rows: new Map(),
  stale: new Set(),
  timer: null,
  init() {
    for (const el of this.list.querySelectorAll("li.row")) this.rows.set(Number(el.dataset.id), el);
    this.list.addEventListener("click", (event) => {
      const link = event.target.closest("a.row-open");
      if (!link || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      openPane(Number(link.closest("li").dataset.id));
    });
    this.list.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const row = event.target.closest("li.row");
      const next = event.key === "ArrowDown" ? row?.nextElementSibling : row?.previousElementSibling;
      if (next) {
        event.preventDefault();
        next.querySelector("a").focus();
      }
    });
  },
  matches(c) {
    const { status, team, scope } = config.filters;
    if (status === "active" && !["open", "pending"].includes(c.status)) return false;
    if (!["active", "all"].includes(status) && c.status !== status) return false;
    if (team === "none" && c.team !== null) return false;
    if (team && team !== "none" && String(c.team) !== team) return false;
    if (scope === "mine" && c.assignee !== config.user) return false;
    return !(scope === "unassigned" && c.assignee !== null);
  },
  update(c) {
    let row = this.rows.get(c.id);
    if (!this.matches(c)) {
      row?.remove();
      this.rows.delete(c.id);
    } else {
      row ??= this.createRow(c.id);
      this.fill(row, c);
    }
    this.stale.add(c.id);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refreshCounts(), 250);
    this.sort();
  },
  createRow(id) {
    const row = h("li", { class: "row", "data-id": id },
      h("a", { class: "row-open", href: `?open=${id}` },
        h("span", { class: "row-top" }, h("span", { class: "contact" }), h("time", { class: "when" })),
        h("span", { class: "subject" }),
        h("span", { class: "row-meta" },
          h("span", { class: "status" }), h("span", { class: "team" }), h("span", { class: "assignee" }),
          h("span", { class: "badge unread zero" }, "0"))));
    this.rows.set(id, row);
    this.list.append(row);
    return row;
  },
  fill(row, c) {
    Object.assign(row.dataset, {
      team: c.team ?? "", assignee: c.assignee ?? "", status: c.status, last: c.last_message_at ?? "",
    });
    row.querySelector(".contact").textContent = c.contact;
    row.querySelector(".subject").textContent = c.subject;
    const when = row.querySelector(".when");
    when.dateTime = c.last_message_at ?? "";
    when.textContent = formatTime(c.last_message_at);
    const status = row.querySelector(".status");
    status.className = `status status-${c.status}`;
    status.textContent = STATUS_LABELS[c.status];
    row.querySelector(".team").textContent = teamName(c.team);
    row.querySelector(".assignee").textContent = staffName(c);
    if (c.agent_read_seq >= c.last_seq) this.setUnread(row, 0);
  },
  setUnread(row, count) {
    row.dataset.unread = count;
    row.classList.toggle("has-unread", count > 0);
    const badge = row.querySelector(".badge.unread");
    badge.textContent = count;
    badge.classList.toggle("zero", count === 0);
    badge.setAttribute("aria-label", `${count} ${gettext("unread")}`);
  },
  sort() {
    const focused = document.activeElement;
    // Newest first, by time: the page writes local offsets, live updates UTC (strings differ).
    const time = (row) => Date.parse(row.dataset.last || "") || 0;
    const sorted = [...this.rows.values()].sort(
      (a, b) => time(b) - time(a) || Number(b.dataset.id) - Number(a.dataset.id));
    sorted.forEach((row, index) => {
      if (this.list.children[index] !== row) this.list.insertBefore(row, this.list.children[index]);
    });
    if (focused && this.list.contains(focused) && document.activeElement !== focused) focused.focus();
    document.getElementById("inbox-empty").hidden = this.rows.size > 0;
  },
  async refreshCounts() {
    const ids = [...this.stale].filter((id) => this.rows.has(id));
    this.stale.clear();
    const response = await fetch(`${config.urls.unread}?ids=${ids.join(",")}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    for (const [id, count] of Object.entries(data.unread)) {
      const row = this.rows.get(Number(id));
      if (row) this.setUnread(row, count);
    }
    for (const [team, count] of Object.entries(data.teams)) {
      const badge = document.querySelector(`[data-team-unread="${CSS.escape(team)}"]`);
      if (!badge) continue;
      badge.textContent = count;
      badge.classList.toggle("zero", count === 0);
    }
  },
};

// --- conversation panes --------------------------------------------------------------------
const panes = new Map();
const paneArea = document.getElementById("panes");

function openPane(id) {
  if (panes.has(id)) return panes.get(id).focus();
  if (panes.size >= MAX_PANES) return alert(gettext("You can open at most 20 conversations at once."));
  const pane = new Pane(id);
  panes.set(id, pane);
  paneArea.append(pane.el);
  document.getElementById("panes-hint").hidden = true;
  pane.resume();
  pane.focus();
  rememberOpen();
}

function rememberOpen() {
  const url = new URL(location.href);
  if (panes.size) url.searchParams.set("open", [...panes.keys()].join(","));
  else url.searchParams.delete("open");
  history.replaceState(null, "", url);
  document.getElementById("panes-hint").hidden = panes.size > 0;
  for (const row of inbox.rows.values()) row.classList.toggle("is-open", panes.has(Number(row.dataset.id)));
}

class Pane {
  constructor(id) {
    this.id = id;
    this.lastSeq = 0;
    this.readSent = 0;
    this.conversation = null;
    this.pending = new Map(); // client_id → {frame, el}
    this.uploads = [];
    this.lastTyping = 0;
    this.build();
  }

  build() {
    const titleId = `pane-title-${this.id}`;
    this.title = h("h2", { id: titleId, tabindex: "-1" }, `${gettext("Conversation")} #${this.id}`);
    this.subtitle = h("p", { class: "pane-sub" });
    // The list of messages inside a scrolling live region: an <ol> may not take role="log",
    // and its <li> children must stay in a list (axe: aria-allowed-role, listitem).
    this.list = h("ol", { class: "messages" });
    // Focusable, so that the keyboard scrolls it too when the pane is short (axe:
    // scrollable-region-focusable).
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-labelledby": titleId, tabindex: 0 }, this.list);
    this.typing = h("p", { class: "typing", "aria-live": "polite" });
    this.notice = h("p", { class: "notice", role: "alert", hidden: true });
    const kcc = { h, getJson, urlFor, socket, openPane, formatTime };
    this.presence = new Presence(kcc, this);
    this.history = new History(kcc, this);
    this.identity = new ContactIdentity({ h, postJson, urlFor }, this);
    this.kcc = kcc;
    this.closeButton = h("button", { type: "button", class: "close", "aria-label": gettext("Close"), title: gettext("Close"),
      onclick: () => this.close() }, "×");
    this.el = h("section", { class: "pane", "data-conversation": this.id, "aria-labelledby": titleId },
      h("header", { class: "pane-head" },
        h("div", {}, this.title, this.subtitle, this.identity.el),
        this.closeButton),
      config.canWrite ? this.buildControls() : null,
      this.buildRetention(),
      this.history.el,
      this.notice, this.presence.el, this.log, this.typing,
      config.canWrite ? this.buildComposer() : null);
  }

  buildControls() {
    const select = (label, options, onchange) =>
      h("label", {}, h("span", { class: "sr-only" }, label),
        h("select", { onchange, title: label }, options.map(([value, text]) => h("option", { value }, text))));
    this.assigneeSelect = select(gettext("Assign to"), [["", gettext("Nobody")], ...config.staff.map((s) => [s.id, s.name])],
      (e) => this.act("assign", { assignee: e.target.value ? Number(e.target.value) : null }));
    this.teamSelect = select(gettext("Move to team"), [["", gettext("No team")], ...Object.entries(config.teams)],
      (e) => this.act("assign", { team: e.target.value ? Number(e.target.value) : null }));
    this.statusSelect = select(gettext("Change status"), config.statuses.map((s) => [s, STATUS_LABELS[s]]),
      (e) => this.act("status", { status: e.target.value }));
    return h("div", { class: "pane-controls" },
      h("button", { type: "button", onclick: () => this.act("assign", { assignee: "me" }) }, gettext("Assign to me")),
      this.assigneeSelect, this.teamSelect, this.statusSelect, this.buildDetails());
  }

  // The record class (how long the conversation is kept) and, once destroyed, when and how.
  buildRetention() {
    this.destroyedNotice = h("p", { class: "pane-destroyed", role: "status", hidden: true });
    this.recordClassText = h("span");
    let chooser = null;
    if (config.canChooseRecordClass) {
      this.recordClassSelect = h("select", { "aria-label": gettext("Record class (retention)"), title: gettext("Record class (retention)"),
        onchange: (e) => this.act("recordClass", { record_class: Number(e.target.value) }) },
        config.recordClasses.map((rc) => h("option", { value: rc.id }, `${rc.code} ${rc.name}`)));
      chooser = h("label", {}, h("span", { class: "sr-only" }, gettext("Record class (retention)")), this.recordClassSelect);
    }
    this.registration = h("p", { class: "pane-registration", hidden: true });
    return h("div", {}, this.destroyedNotice,
      h("p", { class: "pane-retention" }, h("span", {}, `${gettext("Record class (retention)")}:`), chooser ?? this.recordClassText),
      this.registration);
  }

  fillRetention(c) {
    if (!("record_class" in c)) return; // inbox updates leave it out
    const rc = c.record_class;
    this.recordClassText.textContent = rc ? `${rc.code} ${rc.name}` : "—";
    if (this.recordClassSelect) {
      this.recordClassSelect.value = rc ? String(rc.id) : "";
      this.recordClassSelect.disabled = Boolean(c.destroyed_at);
    }
    this.destroyedNotice.hidden = !c.destroyed_at;
    if (c.destroyed_at) {
      const date = new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "long",
        timeZone: document.documentElement.dataset.timeZone || undefined }).format(new Date(c.destroyed_at));
      this.destroyedNotice.textContent = interpolate(gettext("Destroyed on %(date)s (destruction list %(list)s)"),
        { date, list: c.destruction_list ?? "?" }, true);
    }
  }

  // The conversation's registration in the organisation's Klantinteracties API (Open Klant):
  // its state, the reason of a failure, and once registered a link to the klantcontact.
  fillRegistration(c) {
    if (!("klantinteracties" in c)) return; // inbox updates leave it out
    const r = c.klantinteracties;
    this.registration.hidden = !r;
    if (!r) return this.registration.replaceChildren();
    const state = {
      queued: gettext("waiting to be registered"),
      sending: gettext("waiting to be registered"),
      registered: gettext("registered"),
      failed: gettext("registration failed"),
    }[r.state] ?? r.state;
    const parts = [h("span", {}, gettext("Klantinteracties:")), h("span", { class: `registration-${r.state}` }, state)];
    if (r.state === "queued" && r.next_attempt_at) {
      parts.push(h("span", {}, `(${interpolate(gettext("next attempt %(time)s"), { time: formatTime(r.next_attempt_at) }, true)})`));
    }
    if (r.state === "failed" && r.error) parts.push(h("span", { class: "registration-failed" }, r.error));
    if (r.state === "registered" && /^https?:\/\//.test(r.klantcontact_url)) {
      parts.push(h("a", { href: r.klantcontact_url, target: "_blank", rel: "noopener" }, gettext("Open the klantcontact"),
        h("span", { class: "sr-only" }, ` ${gettext("(opens in a new tab)")}`)));
    }
    if (c.organisation === config.organisation.id) {
      parts.push(h("a", { href: urlFor("klantinteracties", c.id) }, gettext("Registration details")));
    }
    this.registration.replaceChildren(...parts.flatMap((part, index) => (index ? [" ", part] : [part])));
  }

  buildDetails() {
    const field = (label, attrs = {}) => h("input", { type: "text", "aria-label": label, ...attrs });
    const labelled = (text, input) => h("label", {}, h("span", { "aria-hidden": "true" }, text), input);
    this.subjectInput = field(gettext("Subject"), { maxlength: 200 });
    this.caseInput = field(gettext("Case number"), { maxlength: 100 });
    this.labelsInput = field(gettext("Labels (comma-separated)"));
    const form = h("form", { class: "details-form", onsubmit: (event) => {
      event.preventDefault();
      this.act("details", {
        subject: this.subjectInput.value,
        case_reference: this.caseInput.value,
        labels: this.labelsInput.value.split(",").map((x) => x.trim()).filter(Boolean),
      });
    } },
      labelled(gettext("Subject"), this.subjectInput),
      labelled(gettext("Case number"), this.caseInput),
      labelled(gettext("Labels (comma-separated)"), this.labelsInput),
      h("button", { type: "submit" }, gettext("Save")));
    this.details = h("details", { class: "pane-details" }, h("summary", {}, gettext("Subject, case number, labels")), form);
    return this.details;
  }

  fillDetails(c) {
    if (!this.details || this.details.contains(document.activeElement)) return; // not while typing
    this.subjectInput.value = c.subject ?? "";
    this.caseInput.value = c.case_reference ?? "";
    this.labelsInput.value = (c.labels ?? []).join(", ");
  }

  buildComposer() {
    const inputId = `composer-${this.id}`;
    this.input = h("textarea", { id: inputId, rows: 2, "aria-describedby": `${inputId}-hint` });
    this.internal = h("input", { type: "checkbox", class: "internal-toggle" });
    this.file = h("input", { type: "file", class: "sr-only", accept: "image/*,application/pdf",
      onchange: () => this.upload() });
    this.chips = h("ul", { class: "chips" });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener("input", () => this.sendTyping());
    this.canned = new CannedPicker(this.kcc, this, this.input);
    this.internal.addEventListener("change", () => {
      this.composer.classList.toggle("is-internal", this.internal.checked);
      this.updateComposer();
    });
    this.composer = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.send(); } },
      h("label", { for: inputId, class: "sr-only" }, gettext("Your message")),
      this.canned.el, this.input, this.chips,
      this.assignedHint = h("p", { class: "assigned-hint", id: `${inputId}-assigned`, hidden: true }),
      h("div", { class: "composer-bar" },
        h("label", { class: "toggle" }, this.internal, " ", gettext("Internal note (resident does not see this)")),
        h("label", { class: "attach button" }, this.file, gettext("Attach a file")),
        h("button", { type: "submit", class: "primary" }, gettext("Send"))),
      h("p", { id: `${inputId}-hint`, class: "hint" }, gettext("Enter sends, Shift+Enter adds a new line. Type / for a canned answer.")));
    return this.composer;
  }

  focus() {
    this.el.scrollIntoView({ block: "nearest", inline: "nearest" });
    const usable = (el) => el && !el.disabled && el.closest("[hidden]") === null;
    ([this.input, this.whatsapp?.select].find(usable) ?? this.title).focus();
  }

  // What the composer allows: nothing in a closed conversation; outside WhatsApp's 24-hour
  // window only an internal note (a template is sent from the window's own form).
  updateComposer() {
    if (!this.composer) return;
    const closed = this.conversation?.status === "closed";
    const shut = this.whatsapp?.shut === true;
    for (const control of this.composer.elements) {
      control.disabled = closed || (shut && control !== this.internal && !this.internal.checked);
    }
    // Assigned to someone else: the team's rule says whether a reply asks first or is refused.
    const other = this.conversation?.assignee && this.conversation.assignee !== config.user;
    this.assignedHint.hidden = !other;
    if (other) {
      const blocked = config.collision?.[String(this.conversation.team)] === "block";
      this.assignedHint.textContent = interpolate(blocked
        ? gettext("Assigned to %(name)s: in this team only they reply. Assign it to yourself to reply.")
        : gettext("Assigned to %(name)s: a reply asks you to confirm first."), { name: staffName(this.conversation) }, true);
    }
    const hint = [`${this.input.id}-hint`, ...(other ? [this.assignedHint.id] : [])].join(" ");
    this.input.setAttribute("aria-describedby", shut ? `${hint} ${this.whatsapp.explanationId}` : hint);
    this.whatsapp?.setUsable(!closed);
  }

  close() {
    this.whatsapp?.stop();
    this.presence.stop();
    socket.send({ type: "unsubscribe", conversation: this.id });
    this.el.remove();
    panes.delete(this.id);
    rememberOpen();
  }

  // After (re)connecting: replay from the last sequence, then resend what was not acknowledged.
  resume() {
    this.subscribe();
    for (const { frame } of this.pending.values()) socket.send(frame);
  }

  subscribe() {
    socket.send({ type: "subscribe", conversation: this.id, last_seq: this.lastSeq, ref: `sub:${this.id}` });
  }

  onSubscribed(frame) {
    this.setConversation(frame.conversation);
    for (const message of frame.messages) this.addMessage(message);
    if (frame.has_more) return this.subscribe(); // the next page of the history
    this.log.scrollTop = this.log.scrollHeight;
    this.markRead();
    this.history.load();
    this.whatsapp?.refresh(); // opened, or back after a lost connection: ask again
  }

  setConversation(c) {
    // Inbox updates leave out what costs queries (labels, retention, the registration in
    // Klantinteracties); keep the ones we know.
    for (const key of OPENING_ONLY) {
      if (!(key in c) && this.conversation && key in this.conversation) c = { ...c, [key]: this.conversation[key] };
    }
    this.conversation = c;
    this.title.textContent = c.contact;
    this.closeButton.setAttribute("aria-label", `${gettext("Close")}: ${c.contact}`);
    if (this.composer && c.channel === "whatsapp" && !this.whatsapp) {
      this.whatsapp = new WhatsAppWindow(this);
      this.composer.before(this.whatsapp.el);
    }
    this.updateComposer();
    this.subtitle.textContent = [c.subject, c.case_reference, STATUS_LABELS[c.status], teamName(c.team),
      config.routing?.[String(c.team)], // the team's routing rule ("Assignment: round-robin")
      staffName(c), ...(c.labels ?? []).map((name) => `#${name}`)].filter(Boolean).join(" · ");
    this.fillDetails(c);
    this.fillRetention(c);
    this.fillRegistration(c);
    this.identity.fill(c);
    if (this.statusSelect) {
      this.statusSelect.querySelector("select").value = c.status;
      this.assigneeSelect.querySelector("select").value = c.assignee ?? "";
      this.teamSelect.querySelector("select").value = c.team ?? "";
    }
    this.updateReadMarks();
  }

  addMessage(m) {
    const pending = this.pending.get(m.client_id);
    if (pending) {
      pending.el.remove();
      this.pending.delete(m.client_id);
    }
    if (this.list.querySelector(`li[data-seq="${m.seq}"]`)) return;
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    const el = renderMessage(m);
    const after = [...this.list.querySelectorAll("li[data-seq]")].find((li) => Number(li.dataset.seq) > m.seq);
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.list.insertBefore(el, after ?? this.list.querySelector("li.pending"));
    this.updateReadMarks();
    if (atBottom || m.direction !== "inbound") this.log.scrollTop = this.log.scrollHeight;
    if (m.direction === "inbound") this.typing.textContent = "";
  }

  onAck(frame) {
    this.addMessage(frame.message);
  }

  onSendError(frame) {
    const pending = this.pending.get(frame.ref);
    if (!pending) return false;
    pending.el.classList.add("failed");
    if (frame.code === "assigned_to_other") { // the team warns: send only when the agent confirms
      pending.el.querySelector(".state").replaceChildren(
        `${gettext("Not sent")}: ${frame.detail} `,
        h("button", { type: "button", class: "link", onclick: () => {
          pending.el.classList.remove("failed");
          pending.el.querySelector(".state").textContent = gettext("Sending…");
          pending.frame = { ...pending.frame, confirm: true };
          socket.send(pending.frame);
        } }, gettext("Send anyway")), " ",
        h("button", { type: "button", class: "link", onclick: () => this.discard(frame.ref) }, gettext("Do not send")));
      return true;
    }
    if (frame.code === "assigned_to_other_blocked") { // only the assignee replies in this team
      pending.el.querySelector(".state").replaceChildren(`${gettext("Not sent")}: ${frame.detail} `,
        h("button", { type: "button", class: "link", onclick: () => this.discard(frame.ref) }, gettext("Remove")));
      return true;
    }
    pending.el.querySelector(".state").replaceChildren(
      `${gettext("Not sent")}: ${frame.detail} `,
      h("button", { type: "button", class: "link", onclick: () => {
        pending.el.classList.remove("failed");
        pending.el.querySelector(".state").textContent = gettext("Sending…");
        socket.send(pending.frame);
      } }, gettext("Try again")));
    return true;
  }

  // A reply the agent decided not to send: gone from the list, its text back in the composer.
  discard(ref) {
    const pending = this.pending.get(ref);
    if (!pending) return;
    pending.el.remove();
    this.pending.delete(ref);
    if (!this.input.value) this.input.value = pending.frame.body;
  }

  send() {
    if (this.uploads.some((u) => !u.id)) return;
    if (this.whatsapp?.shut && !this.internal.checked) return; // only a template reaches the resident now
    const body = this.input.value.trim();
    const attachments = this.uploads.map((u) => u.id);
    if (!body && !attachments.length) return;
    const id = clientId();
    const frame = { type: "send", conversation: this.id, client_id: id, body, attachments,
      internal: this.internal.checked, ref: id };
    const el = renderMessage({ direction: frame.internal ? "note" : "outbound", body, attachments: [],
      author: null, created_at: null }, true);
    this.list.append(el);
    this.log.scrollTop = this.log.scrollHeight;
    this.pending.set(id, { frame, el });
    socket.send(frame);
    this.input.value = "";
    this.uploads = [];
    this.chips.replaceChildren();
  }

  sendTyping() {
    const now = Date.now();
    if (this.internal.checked || now - this.lastTyping < TYPING_EVERY_MS) return;
    this.lastTyping = now;
    socket.send({ type: "typing", conversation: this.id });
  }

  showTyping() {
    this.typing.textContent = gettext("Resident is typing…");
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => { this.typing.textContent = ""; }, 5000);
  }

  markRead() {
    if (document.visibilityState !== "visible" || this.lastSeq <= this.readSent) return;
    if (this.conversation && this.lastSeq <= this.conversation.agent_read_seq) return;
    this.readSent = this.lastSeq;
    socket.send({ type: "read", conversation: this.id, seq: this.lastSeq });
  }

  onRead(frame) {
    if (!this.conversation) return;
    const field = frame.side === "resident" ? "resident_read_seq" : "agent_read_seq";
    this.conversation[field] = Math.max(this.conversation[field], frame.seq);
    this.updateReadMarks();
  }

  updateReadMarks() {
    const seen = this.conversation?.resident_read_seq ?? 0;
    for (const li of this.list.querySelectorAll("li.msg-outbound[data-seq]")) {
      li.classList.toggle("is-read", Number(li.dataset.seq) <= seen);
    }
  }

  async act(kind, body) {
    this.notice.hidden = true;
    try {
      const data = await postJson(urlFor(kind, this.id), body);
      this.setConversation(data.conversation);
    } catch (error) {
      this.notice.textContent = `${gettext("That did not work")}: ${error.message}`;
      this.notice.hidden = false;
      if (this.conversation) this.setConversation(this.conversation);
    }
  }

  upload() {
    const file = this.file.files[0];
    this.file.value = "";
    if (!file) return;
    const entry = { id: null };
    const progress = h("progress", { max: 100, value: 0, "aria-label": `${gettext("Uploading")} ${file.name}` });
    const chip = h("li", {}, file.name, " ", progress,
      h("button", { type: "button", class: "link", "aria-label": `${gettext("Remove")} ${file.name}`, onclick: () => {
        request.abort();
        this.uploads = this.uploads.filter((u) => u !== entry);
        chip.remove();
      } }, "×"));
    this.chips.append(chip);
    this.uploads.push(entry);
    const form = new FormData();
    form.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", urlFor("upload", this.id));
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.upload.addEventListener("progress", (e) => { if (e.lengthComputable) progress.value = (100 * e.loaded) / e.total; });
    request.addEventListener("load", () => {
      const data = JSON.parse(request.responseText || "{}");
      if (request.status === 201) {
        entry.id = data.attachment.id;
        progress.replaceWith(h("span", { class: "done" }, "✓"));
      } else {
        this.uploads = this.uploads.filter((u) => u !== entry);
        chip.classList.add("failed");
        progress.replaceWith(h("span", { role: "alert" }, data.detail || gettext("That did not work")));
      }
    });
    request.send(form);
  }
}

// --- WhatsApp's 24-hour window ------------------------------------------------------------
// WhatsApp lets staff answer freely for 24 hours after the resident's last message; after
// that only a template Meta approved reaches them (docs/channels.md). A WhatsApp pane asks
// the server for the window and the approved templates when it opens, when the resident
// writes and after a lost connection, and closes the free composer itself when the time in
// the answer has passed. Outside the window it offers the templates instead.
const OUTSIDE_WINDOW = "outside_window"; // the delivery error of a free text sent too late
const LONGEST_TIMER_MS = 2 ** 31 - 1;

class WhatsAppWindow {
  constructor(pane) {
    this.pane = pane;
    this.shut = false; // until the server says so, the composer works as for any channel
    this.closesAt = null;
    this.templates = [];
    this.asked = 0;
    this.sentAs = null; // the client_id of a template send, kept until the form changes
    const id = `wa-${pane.id}`;
    this.explanationId = `${id}-explanation`;
    this.openLine = h("p", { class: "wa-open", hidden: true });
    this.problem = h("p", { class: "wa-problem", role: "alert", hidden: true });
    this.explanation = h("div", { id: this.explanationId, class: "wa-closed" });
    this.select = h("select", { id: `${id}-template`, onchange: () => this.chooseTemplate() });
    this.values = h("div", { class: "wa-values" });
    this.preview = h("p", { class: "wa-preview-text" });
    this.previewBox = h("div", { class: "wa-preview", hidden: true },
      h("p", { class: "wa-preview-label" }, gettext("The resident reads:")), this.preview);
    this.sendButton = h("button", { type: "submit", class: "primary" }, gettext("Send template"));
    this.formError = h("p", { class: "wa-problem", role: "alert", hidden: true });
    this.noTemplates = h("p", { hidden: true },
      gettext("There are no approved templates for this WhatsApp number yet. An application administrator adds them."));
    const legendId = `${id}-legend`;
    this.form = h("form", { class: "wa-template", "aria-labelledby": legendId, "aria-describedby": this.explanationId,
      onsubmit: (event) => { event.preventDefault(); this.sendTemplate(); },
      oninput: () => { this.sentAs = null; this.showPreview(); } },
      h("fieldset", {},
        h("legend", { id: legendId }, gettext("Send an approved template")),
        this.noTemplates,
        h("label", { for: this.select.id }, gettext("Template")), this.select,
        this.values, this.previewBox, this.formError,
        h("div", { class: "wa-actions" }, this.sendButton)));
    this.closedArea = h("div", { class: "wa-closed-area", hidden: true }, this.explanation, this.form);
    // Said once when the state changes (a live region around the form would read every key).
    this.announcement = h("p", { class: "sr-only", role: "status" });
    this.el = h("div", { class: "wa-window" }, this.announcement, this.openLine, this.problem, this.closedArea);
  }

  // Ask the server; an answer to an earlier question that comes later is dropped.
  async refresh() {
    const asked = ++this.asked;
    try {
      const data = await getJson(urlFor("whatsappWindow", this.pane.id));
      if (asked !== this.asked) return;
      this.problem.hidden = true;
      this.apply(data);
    } catch (error) {
      if (asked !== this.asked) return;
      this.problem.replaceChildren(
        `${interpolate(gettext("Could not check whether you can answer freely on WhatsApp: %(detail)s"), { detail: error.message }, true)} `,
        h("button", { type: "button", class: "link", onclick: () => this.refresh() }, gettext("Check again")));
      this.problem.hidden = false;
    }
  }

  apply(data) {
    this.closesAt = data.closes_at ? new Date(data.closes_at) : null;
    this.setTemplates(data.templates ?? []);
    this.show(Boolean(data.open) && !this.expired());
  }

  expired() {
    return this.closesAt !== null && this.closesAt.getTime() <= Date.now();
  }

  // The page may stay open for hours: close the composer when the time has come.
  check() {
    if (!this.shut && this.expired()) this.show(false);
  }

  arm() {
    clearTimeout(this.timer);
    if (this.shut || this.closesAt === null) return;
    const wait = Math.min(this.closesAt.getTime() - Date.now() + 500, LONGEST_TIMER_MS);
    this.timer = setTimeout(() => (this.expired() ? this.show(false) : this.arm()), wait);
  }

  show(open) {
    const changed = this.shut !== !open || this.announcement.textContent === "";
    this.shut = !open;
    this.arm();
    const until = this.closesAt ? formatTime(this.closesAt.toISOString()) : "";
    this.openLine.hidden = !open || !until;
    this.openLine.textContent = until ? interpolate(gettext("WhatsApp: you can answer freely until %(time)s."), { time: until }, true) : "";
    if (changed) {
      this.announcement.textContent = open ? this.openLine.textContent : gettext("You cannot answer freely on WhatsApp now.");
    }
    this.explanation.replaceChildren(
      h("p", {}, h("strong", {}, gettext("You cannot answer freely on WhatsApp now."))),
      h("p", {}, gettext("WhatsApp only lets you answer freely within 24 hours of the resident's last message."),
        until ? ` ${interpolate(gettext("Those 24 hours ended at %(time)s."), { time: until }, true)}` : ""),
      h("p", {}, gettext("Now you can only send a template that WhatsApp approved. When the resident answers, you can write freely again. You can still write an internal note.")));
    const typing = document.activeElement === this.pane.input;
    this.closedArea.hidden = open;
    this.pane.el.classList.toggle("is-window-shut", !open);
    this.pane.updateComposer();
    if (typing && this.pane.input.disabled) this.select.focus(); // not lost on a disabled field
  }

  setTemplates(templates) {
    const chosen = this.select.value;
    this.templates = templates;
    this.select.replaceChildren(h("option", { value: "" }, gettext("Choose a template")),
      ...templates.map((t) => h("option", { value: t.id }, `${t.name} (${t.language})`)));
    if (templates.length === 1) this.select.value = String(templates[0].id);
    else if (templates.some((t) => String(t.id) === chosen)) this.select.value = chosen;
    this.noTemplates.hidden = templates.length > 0;
    this.chooseTemplate(chosen);
  }

  chosen() {
    return this.templates.find((t) => String(t.id) === this.select.value) ?? null;
  }

  // One labelled field per {{n}} of the chosen template; values typed before stay.
  chooseTemplate(before = null) {
    const template = this.chosen();
    if (before !== null && String(template?.id ?? "") === before) return this.showPreview();
    this.values.replaceChildren(...Array.from({ length: template?.parameters ?? 0 }, (_, index) => {
      const inputId = `wa-${this.pane.id}-value-${index + 1}`;
      return h("p", { class: "wa-value" },
        h("label", { for: inputId }, interpolate(gettext("Value %(number)s"), { number: index + 1 }, true)),
        h("input", { id: inputId, type: "text", maxlength: 1024, autocomplete: "off" }));
    }));
    this.sentAs = null;
    this.showPreview();
  }

  parameters() {
    return [...this.values.querySelectorAll("input")].map((input) => input.value.trim());
  }

  showPreview() {
    const template = this.chosen();
    this.previewBox.hidden = !template;
    if (!template) return;
    const values = this.parameters();
    this.preview.textContent = template.body.replace(/\{\{\s*(\d+)\s*\}\}/g,
      (match, n) => values[Number(n) - 1] || `[${interpolate(gettext("Value %(number)s"), { number: n }, true)}]`);
  }

  async sendTemplate(confirm = false) {
    const template = this.chosen();
    const parameters = this.parameters();
    const refuse = (text) => {
      this.formError.textContent = text;
      this.formError.hidden = false;
    };
    if (!template) return refuse(gettext("Choose a template first."));
    if (parameters.some((value) => !value)) return refuse(gettext("Fill in every value."));
    this.formError.hidden = true;
    this.sendButton.disabled = true;
    this.sentAs ??= clientId(); // the same send again (after a lost answer) is one message
    try {
      const data = await postJson(urlFor("whatsappTemplate", this.pane.id),
        { template: template.id, parameters, client_id: this.sentAs, confirm });
      this.sentAs = null;
      this.pane.addMessage(data.message);
      for (const input of this.values.querySelectorAll("input")) input.value = "";
      this.showPreview();
    } catch (error) {
      refuse(interpolate(gettext("The template was not sent: %(detail)s"), { detail: error.message }, true));
      if (error.code === "unknown_template") this.refresh(); // no longer approved: the list changed
      // Assigned to a colleague and the team warns: the agent decides, as for a free reply.
      if (error.code === "assigned_to_other" && window.confirm(error.message)) {
        this.formError.hidden = true;
        return await this.sendTemplate(true);
      }
    } finally {
      this.sendButton.disabled = this.pane.conversation?.status === "closed";
    }
  }

  // A free text reached the channel after the window had closed: say so, and ask again.
  onOutsideWindow() {
    this.pane.notice.textContent = gettext("WhatsApp did not deliver a message because the 24 hours had passed. Send an approved template instead.");
    this.pane.notice.hidden = false;
    this.refresh();
  }

  setUsable(usable) {
    for (const control of this.form.elements) control.disabled = !usable;
  }

  stop() {
    clearTimeout(this.timer);
    this.asked++;
  }
}

function renderMessage(m, pending = false) {
  const label = { inbound: gettext("Resident"), note: gettext("Internal note"), system: gettext("System") }[m.direction];
  const who = m.direction === "inbound" ? gettext("Resident") : m.author;
  const meta = h("p", { class: "meta" },
    m.direction === "note" ? h("strong", { class: "tag" }, gettext("Internal note")) : null,
    who && m.direction !== "system" ? h("span", { class: "author" }, who) : null,
    m.created_at ? h("time", { datetime: m.created_at }, formatTime(m.created_at)) : null);
  const files = (m.attachments ?? []).map((a) =>
    a.content_type.startsWith("image/")
      ? h("a", { href: a.url, target: "_blank", rel: "noopener", class: "image" },
          h("img", { src: a.url, alt: a.filename, loading: "lazy", width: a.width, height: a.height }))
      : h("a", { href: a.url, class: "file", download: a.filename }, `${gettext("Download")}: ${a.filename}`));
  return h("li", {
    class: `msg msg-${m.direction}${pending ? " pending" : ""}`,
    "data-seq": pending ? null : m.seq,
    "aria-label": label ?? null,
  }, meta,
  m.deleted ? h("p", { class: "body deleted" }, gettext("This message was deleted."))
    : m.body ? h("p", { class: "body" }, m.body) : null,
  m.deleted ? null : files,
  m.edited && !m.deleted ? h("p", { class: "edited" }, gettext("edited")) : null,
  !pending && !m.deleted && m.author_id === config.user && ["outbound", "note"].includes(m.direction)
    ? ownMessageControls(m) : null,
  m.direction === "outbound" || pending
    ? h("p", { class: "state" }, pending ? gettext("Sending…") : h("span", { class: "read-mark" }, gettext("Read by resident")))
    : null,
  m.direction === "outbound" && !pending && m.delivery_status && m.delivery_status !== "sent" || m.delivery_error
    ? renderDelivery(m) : h("span", { class: "delivery" }));
}

// What an external channel (WhatsApp, SMS, e-mail) did with an outbound message; a failed
// one can be sent again once the channel's problem is fixed.
const DELIVERY = {
  pending: gettext_noop("Sending to the channel…"),
  sent: gettext_noop("Sent"),
  delivered: gettext_noop("Delivered"),
  read: gettext_noop("Read"),
  failed: gettext_noop("Not delivered"),
};
function renderDelivery(m) {
  const failed = m.delivery_status === "failed";
  const line = h("p", { class: `delivery delivery-${m.delivery_status}`, role: failed ? "alert" : null },
    gettext(DELIVERY[m.delivery_status] ?? m.delivery_status),
    m.delivery_error ? `: ${m.delivery_error}` : "");
  if (failed) {
    line.append(" ", h("button", { type: "button", class: "link", onclick: async (event) => {
      event.target.disabled = true;
      try {
        await postJson(`/console/conversations/${m.conversation}/messages/${m.id}/retry/`, {});
      } catch (error) {
        event.target.disabled = false;
        line.append(" ", error.message);
      }
    } }, gettext("Send again")));
  }
  return line;
}

// Edit or delete one's own message (the server allows it for a while after sending).
function ownMessageControls(m) {
  const change = (frame) => socket.send({ ...frame, conversation: m.conversation, message: m.id });
  return h("p", { class: "own-controls" },
    h("button", { type: "button", class: "link", onclick: () => {
      const body = prompt(gettext("New text of your message:"), m.body);
      if (body !== null && body.trim() && body.trim() !== m.body) change({ type: "edit", body });
    } }, gettext("Edit")),
    " · ",
    h("button", { type: "button", class: "link", onclick: () => {
      if (confirm(gettext("Delete this message? It stays in the archive."))) change({ type: "delete" });
    } }, gettext("Delete")));
}

// --- start ---------------------------------------------------------------------------------
inbox.init();
document.addEventListener("visibilitychange", () => {
  for (const pane of panes.values()) {
    pane.markRead();
    pane.whatsapp?.check(); // timers may have slept with the computer
  }
});
document.addEventListener("keydown", (event) => {
  if (!event.altKey || !["ArrowLeft", "ArrowRight"].includes(event.key)) return;
  const list = [...panes.values()];
  const current = list.findIndex((p) => p.el.contains(document.activeElement));
  const next = list[current + (event.key === "ArrowRight" ? 1 : -1)];
  if (next) {
    event.preventDefault();
    next.focus();
  }
});
socket.connect();
// Routing's sign of life: an agent whose console stays silent goes offline (docs/realtime.md).
setInterval(() => socket.send({ type: "heartbeat" }), 30000);
for (const id of (new URL(location.href).searchParams.get("open") ?? "").split(",")) {
  if (/^\d+$/.test(id)) openPane(Number(id));
}
