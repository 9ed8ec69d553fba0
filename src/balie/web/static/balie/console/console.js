// Balie agent console: live inbox and conversation panes over the staff socket.
// Protocol: docs/realtime.md. All user text goes into the page with textContent only.

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
const urlFor = (name, id) => config.urls[name].replace("/0/", `/${id}/`);
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

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || `${response.status}`);
  return data;
}

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
      break;
    case "ack":
      panes.get(frame.message.conversation)?.onAck(frame);
      break;
    case "typing":
      if (frame.side === "resident") pane?.showTyping();
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
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-labelledby": titleId }, this.list);
    this.typing = h("p", { class: "typing", "aria-live": "polite" });
    this.notice = h("p", { class: "notice", role: "alert", hidden: true });
    this.closeButton = h("button", { type: "button", class: "close", "aria-label": gettext("Close"), title: gettext("Close"),
      onclick: () => this.close() }, "×");
    this.el = h("section", { class: "pane", "data-conversation": this.id, "aria-labelledby": titleId },
      h("header", { class: "pane-head" },
        h("div", {}, this.title, this.subtitle),
        this.closeButton),
      config.canWrite ? this.buildControls() : null,
      this.buildRetention(),
      this.notice, this.log, this.typing,
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
    return h("div", {}, this.destroyedNotice,
      h("p", { class: "pane-retention" }, h("span", {}, `${gettext("Record class (retention)")}:`), chooser ?? this.recordClassText));
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
    this.internal.addEventListener("change", () =>
      this.composer.classList.toggle("is-internal", this.internal.checked));
    this.composer = h("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.send(); } },
      h("label", { for: inputId, class: "sr-only" }, gettext("Your message")),
      this.input, this.chips,
      h("div", { class: "composer-bar" },
        h("label", { class: "toggle" }, this.internal, " ", gettext("Internal note (resident does not see this)")),
        h("label", { class: "attach button" }, this.file, gettext("Attach a file")),
        h("button", { type: "submit", class: "primary" }, gettext("Send"))),
      h("p", { id: `${inputId}-hint`, class: "hint" }, gettext("Enter sends, Shift+Enter adds a new line.")));
    return this.composer;
  }

  focus() {
    this.el.scrollIntoView({ block: "nearest", inline: "nearest" });
    (this.input ?? this.title).focus();
  }

  close() {
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
  }

  setConversation(c) {
    // Inbox updates leave labels and retention out (they cost queries); keep the ones we know.
    if (!("labels" in c) && this.conversation?.labels) c = { ...c, labels: this.conversation.labels };
    if (!("record_class" in c) && this.conversation && "record_class" in this.conversation) {
      const { record_class, destroyed_at, destruction_list } = this.conversation;
      c = { ...c, record_class, destroyed_at, destruction_list };
    }
    this.conversation = c;
    this.title.textContent = c.contact;
    this.closeButton.setAttribute("aria-label", `${gettext("Close")}: ${c.contact}`);
    if (this.composer) {
      const closed = c.status === "closed";
      for (const control of this.composer.elements) control.disabled = closed;
    }
    this.subtitle.textContent = [c.subject, c.case_reference, STATUS_LABELS[c.status], teamName(c.team),
      staffName(c), ...(c.labels ?? []).map((name) => `#${name}`)].filter(Boolean).join(" · ");
    this.fillDetails(c);
    this.fillRetention(c);
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
    pending.el.querySelector(".state").replaceChildren(
      `${gettext("Not sent")}: ${frame.detail} `,
      h("button", { type: "button", class: "link", onclick: () => {
        pending.el.classList.remove("failed");
        pending.el.querySelector(".state").textContent = gettext("Sending…");
        socket.send(pending.frame);
      } }, gettext("Try again")));
    return true;
  }

  send() {
    if (this.uploads.some((u) => !u.id)) return;
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
document.addEventListener("visibilitychange", () => { for (const pane of panes.values()) pane.markRead(); });
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
for (const id of (new URL(location.href).searchParams.get("open") ?? "").split(",")) {
  if (/^\d+$/.test(id)) openPane(Number(id));
}
