// Balie resident chat: one ES module, no dependencies, no build step.
// Speaks the resident WebSocket protocol of docs/realtime.md. What it promises the resident:
// a message typed offline or before a crash is kept in an outbox (localStorage) and resent
// with the same client_id until the server acknowledges it: never lost, never doubled.

const config = JSON.parse(document.getElementById("balie-config").textContent);
// Both languages' texts by key ({nl: {...}, en: {...}}), from the gettext catalogues.
const TEXTS = JSON.parse(document.getElementById("balie-strings").textContent);
const $ = (id) => document.getElementById(id);

const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 5000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30000;
const RATE_LIMIT_RETRY_MS = 4000;
// Send errors that a resend cannot fix: the message is shown as "not sent".
const PERMANENT_SEND_ERRORS = new Set([
  "invalid_client_id", "invalid_body", "body_too_long", "empty_message", "invalid_attachments",
  "too_many_attachments", "unknown_attachment", "conversation_closed",
]);

// --- storage: per organisation; falls back to memory when localStorage is blocked -----------
const store = {
  key: (name) => `balie:${config.slug}:${name}`,
  get(name, fallback) {
    try {
      const value = localStorage.getItem(this.key(name));
      return value === null ? fallback : JSON.parse(value);
    } catch { return fallback; }
  },
  set(name, value) {
    try { localStorage.setItem(this.key(name), JSON.stringify(value)); } catch { /* memory only */ }
  },
  remove(name) {
    try { localStorage.removeItem(this.key(name)); } catch { /* memory only */ }
  },
};

const urlLanguage = new URLSearchParams(location.search).get("lang");
const state = {
  lang: ["nl", "en"].includes(urlLanguage) ? urlLanguage : store.get("lang", "nl"),
  token: store.get("token", null),
  outbox: store.get("outbox", []), // [{client_id, body, attachments: [id], files: [payload]}]
  failed: new Map(), // client_id -> {item, code}
  messages: new Map(), // seq -> message object
  syncSeq: 0, // highest seq received from replays and live events (acks may jump ahead)
  lastOutboundSeq: 0,
  readSent: 0,
  agentReadSeq: 0,
  conversation: null,
  status: null,
  socket: null,
  ready: false,
  starting: false,
  inflight: new Set(),
  attempt: 0,
  reconnectTimer: null,
  startWaiters: [],
  unread: 0,
  lastTypingSent: 0,
  typingTimer: null,
};

// --- words ------------------------------------------------------------------------------------
const PARAMS = { organisation: config.organisation, mb: config.maxUploadMb, max: config.maxMessageChars };

function t(key, params = {}) {
  const text = (TEXTS[state.lang] ?? TEXTS.nl)[key] ?? key;
  const values = { ...PARAMS, ...params };
  return text.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-placeholder]")) el.placeholder = t(el.dataset.tPlaceholder);
  for (const el of document.querySelectorAll("[data-t-aria-label]")) el.setAttribute("aria-label", t(el.dataset.tAriaLabel));
  const button = $("language");
  button.textContent = t("switch_language");
  button.lang = t("switch_language_lang");
  button.setAttribute("aria-label", t("switch_language_label"));
  updateTitle();
  renderAll();
}

function errorText(code, detail) {
  if (code && `err_${code}` in TEXTS.nl) return t(`err_${code}`);
  return state.lang === "nl" && detail ? detail : t("error_generic");
}

// --- small UI helpers -------------------------------------------------------------------------
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value != null) node.setAttribute(name, value);
  if (text != null) node.textContent = text;
  return node;
}

function announce(text) {
  const region = $("announcer");
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert-close").hidden = !text;
}

function setConnection(name) {
  $("connection").dataset.state = name;
  const label = $("connection-text");
  label.dataset.t = { online: "connected", offline: "offline" }[name] || "connecting";
  label.textContent = t(label.dataset.t);
}

function updateTitle() {
  const title = t("page_title");
  document.title = state.unread ? `(${state.unread}) ${title}` : title;
}

function nearBottom() {
  const log = $("log");
  return log.scrollHeight - log.scrollTop - log.clientHeight < 120;
}

function scrollToBottom() {
  const log = $("log");
  log.scrollTop = log.scrollHeight;
}

// While the reader is at the newest message, keep it in view when sizes change without a
// scroll: a photo that loads, a composer that grows, a notice that appears or goes.
function keepNewestInView() {
  const log = $("log");
  let atBottom = true;
  log.addEventListener("scroll", () => { atBottom = nearBottom(); }, { passive: true });
  const observer = new ResizeObserver(() => { if (atBottom) scrollToBottom(); });
  observer.observe(log);
  observer.observe($("messages"));
}

function formatSize(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- rendering messages -------------------------------------------------------------------------
// A photo's box is known before it loads (its size scaled into the bubble), so a photo that
// arrives later does not push the newest message under the composer.
const PHOTO_MAX_PX = 220;

function photoSize(file) {
  if (!file.width || !file.height) return {};
  const scale = Math.min(1, PHOTO_MAX_PX / file.width, PHOTO_MAX_PX / file.height);
  return { width: Math.max(1, Math.round(file.width * scale)), height: Math.max(1, Math.round(file.height * scale)) };
}

function renderAttachment(file) {
  if (file.content_type.startsWith("image/")) {
    const link = el("a", { class: "attachment-image", href: file.url, target: "_blank", rel: "noopener" });
    link.append(el("img", {
      src: file.url, alt: t("photo_alt", { name: file.filename }), loading: "lazy", ...photoSize(file),
    }));
    return link;
  }
  return el("a", { class: "attachment-file", href: file.url, download: file.filename },
    t("pdf_link", { name: file.filename, size: formatSize(file.size) }));
}

function ownStatus(message, pending, failed) {
  if (failed) return t("status_failed");
  if (pending) return t("status_pending");
  return message.seq <= state.agentReadSeq ? t("status_read") : t("status_sent");
}

function renderMessage(message, { pending = false, failed = false } = {}) {
  const own = message.direction === "inbound";
  const li = el("li", { class: `message ${own ? "own" : "theirs"}${pending ? " pending" : ""}${failed ? " failed" : ""}` });
  li.dataset.clientId = message.client_id;
  if (message.seq) li.dataset.seq = message.seq;
  const name = message.author || t("municipality");
  const author = el("p", { class: own ? "visually-hidden" : "author" });
  if (own) author.textContent = t("you_wrote");
  else {
    author.append(el("span", { class: "visually-hidden" }, t("agent_wrote", { name })));
    author.append(el("span", { "aria-hidden": "true" }, name));
  }
  const bubble = el("div", { class: "bubble" });
  if (message.deleted) bubble.append(el("p", { class: "deleted" }, t("message_deleted")));
  else if (message.body) bubble.append(el("p", {}, message.body));
  for (const file of message.attachments || []) bubble.append(renderAttachment(file));
  if (message.edited && !message.deleted) bubble.append(el("p", { class: "edited" }, t("message_edited")));
  const meta = el("p", { class: "meta" });
  if (message.created_at) {
    const when = new Date(message.created_at);
    meta.append(el("time", { datetime: message.created_at },
      when.toLocaleTimeString(state.lang === "en" ? "en-GB" : "nl-NL", { hour: "2-digit", minute: "2-digit" })));
  }
  if (own) meta.append(el("span", { class: "status" }, `${message.created_at ? " · " : ""}${ownStatus(message, pending, failed)}`));
  li.append(author, bubble, meta);
  if (own && message.id && !message.deleted && stillEditable(message)) li.append(ownControls(message));
  return li;
}

function stillEditable(message) {
  return Date.now() - new Date(message.created_at).getTime() < config.editWindowMinutes * 60000;
}

// Change or withdraw one's own message; everyone then sees "bewerkt" / "verwijderd".
function ownControls(message) {
  const button = (key) => el("button", { type: "button", class: "link" }, t(key));
  const edit = button("edit");
  edit.addEventListener("click", () => {
    const body = prompt(t("edit_prompt"), message.body);
    if (body !== null && body.trim() && body.trim() !== message.body) {
      sendFrame({ type: "edit", message: message.id, body });
    }
  });
  const remove = button("delete");
  remove.addEventListener("click", () => {
    if (confirm(t("delete_confirm"))) sendFrame({ type: "delete", message: message.id });
  });
  const controls = el("p", { class: "own-controls" });
  controls.append(edit, " · ", remove);
  return controls;
}

function outboxAsMessage(item) {
  return { direction: "inbound", client_id: item.client_id, body: item.body, attachments: item.files || [] };
}

function insertMessage(li, seq) {
  const list = $("messages");
  const later = [...list.children].find((node) => !node.dataset.seq || Number(node.dataset.seq) > seq);
  list.insertBefore(li, later || null);
}

function renderAll() {
  const list = $("messages");
  list.replaceChildren();
  for (const seq of [...state.messages.keys()].sort((a, b) => a - b)) list.append(renderMessage(state.messages.get(seq)));
  for (const item of state.outbox) list.append(renderMessage(outboxAsMessage(item), { pending: true }));
  for (const { item } of state.failed.values()) list.append(renderMessage(outboxAsMessage(item), { failed: true }));
  $("empty").hidden = list.children.length > 0;
}

function pendingNode(clientId) {
  return [...$("messages").children].find((node) => !node.dataset.seq && node.dataset.clientId === clientId);
}

function updateReadMarks() {
  for (const li of $("messages").querySelectorAll(".own[data-seq]")) {
    const message = state.messages.get(Number(li.dataset.seq));
    const status = li.querySelector(".status");
    if (message && status) status.textContent = `${message.created_at ? " · " : ""}${ownStatus(message)}`;
  }
}

// Returns true when the message was new to this page.
function addServerMessage(message) {
  if (state.messages.has(message.seq)) return false;
  const stick = nearBottom() || message.direction === "inbound";
  state.messages.set(message.seq, message);
  if (message.direction === "outbound") {
    state.lastOutboundSeq = Math.max(state.lastOutboundSeq, message.seq);
    window.dispatchEvent(new CustomEvent("balie:answer")); // pwa.js: offer the app now
  }
  if (message.direction === "inbound") dropFromOutbox(message.client_id);
  pendingNode(message.client_id)?.remove();
  insertMessage(renderMessage(message), message.seq);
  $("empty").hidden = true;
  if (stick) scrollToBottom();
  return true;
}

// --- the outbox -----------------------------------------------------------------------------------
function saveOutbox() { store.set("outbox", state.outbox); }

function dropFromOutbox(clientId) {
  const before = state.outbox.length;
  state.outbox = state.outbox.filter((item) => item.client_id !== clientId);
  state.inflight.delete(clientId);
  if (state.outbox.length !== before) saveOutbox();
}

function queueMessage(body, files = []) {
  const item = { client_id: newClientId(), body, attachments: files.map((f) => f.id), files };
  state.outbox.push(item);
  saveOutbox();
  $("messages").append(renderMessage(outboxAsMessage(item), { pending: true }));
  $("empty").hidden = true;
  scrollToBottom();
  if (state.conversation) flushOutbox();
  else startConversation();
}

function flushOutbox() {
  if (!state.ready || !state.conversation || state.status === "closed") return;
  for (const item of state.outbox) {
    if (state.inflight.has(item.client_id)) continue;
    if (sendFrame({ type: "send", client_id: item.client_id, body: item.body, attachments: item.attachments, ref: item.client_id })) {
      state.inflight.add(item.client_id);
    }
  }
}

function failMessage(clientId, code) {
  const item = state.outbox.find((entry) => entry.client_id === clientId);
  if (!item) return;
  dropFromOutbox(clientId);
  state.failed.set(clientId, { item, code });
  const node = pendingNode(clientId);
  node?.replaceWith(renderMessage(outboxAsMessage(item), { failed: true }));
}

// --- the socket -------------------------------------------------------------------------------------
function sendFrame(frame) {
  const socket = state.socket;
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

function connect() {
  clearTimeout(state.reconnectTimer);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}${config.socketPath}`);
  Object.assign(state, { socket, ready: false, starting: false });
  state.inflight.clear();
  socket.onopen = () => sendFrame({ type: "hello", token: state.token, last_seq: state.syncSeq, language: state.lang, ref: "hello" });
  socket.onmessage = (event) => {
    if (socket !== state.socket) return;
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    handlers[frame.type]?.(frame);
  };
  socket.onclose = () => {
    if (socket !== state.socket) return;
    Object.assign(state, { socket: null, ready: false, starting: false });
    setConnection("offline");
    scheduleReconnect();
  };
}

function scheduleReconnect() {
  // Exponential backoff with full jitter, so a server restart is not met by every client at once.
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** state.attempt);
  state.attempt = Math.min(state.attempt + 1, 16);
  state.reconnectTimer = setTimeout(connect, 200 + Math.random() * ceiling);
}

function reconnectNow() {
  if (state.socket) return;
  state.attempt = 0;
  connect();
}

function joined(conversation) {
  state.conversation = conversation;
  if (!conversation) return;
  state.agentReadSeq = Math.max(state.agentReadSeq, conversation.agent_read_seq || 0);
  setStatus(conversation.status);
  updateReadMarks();
}

function receivePage(frame) {
  joined(frame.conversation);
  for (const message of frame.messages || []) {
    addServerMessage(message);
    state.syncSeq = Math.max(state.syncSeq, message.seq);
  }
  if (frame.has_more) {
    sendFrame({ type: "resume", last_seq: state.syncSeq });
    return;
  }
  state.ready = true;
  state.attempt = 0;
  setConnection("online");
  if (state.conversation) {
    resolveStartWaiters();
    flushOutbox();
  } else if (state.outbox.length || state.startWaiters.length) startConversation();
  maybeSendRead();
}

function resolveStartWaiters() {
  for (const waiter of state.startWaiters.splice(0)) waiter.resolve(state.token);
}

const handlers = {
  ready: receivePage,
  replay: receivePage,
  started(frame) {
    state.token = frame.token;
    store.set("token", frame.token);
    // identity.js links a new web chat to a resident who logged in with DigiD
    window.dispatchEvent(new CustomEvent("balie:conversation", { detail: { token: frame.token } }));
    state.starting = false;
    joined(frame.conversation);
    resolveStartWaiters();
    flushOutbox();
  },
  ack(frame) {
    dropFromOutbox(frame.client_id);
    addServerMessage(frame.message);
  },
  message(frame) {
    const message = frame.message;
    if (!addServerMessage(message)) return;
    state.syncSeq = Math.max(state.syncSeq, message.seq);
    if (message.direction !== "outbound") return;
    hideTyping();
    const body = message.body || t("announce_file");
    announce(t("announce_message", { name: message.author || t("municipality"), body }));
    if (document.visibilityState === "hidden") {
      state.unread += 1;
      updateTitle();
    }
    maybeSendRead();
  },
  message_updated(frame) { // edited or deleted: show the current state in place
    const message = frame.message;
    if (!state.messages.has(message.seq)) return;
    state.messages.set(message.seq, message);
    $("messages").querySelector(`li[data-seq="${message.seq}"]`)?.replaceWith(renderMessage(message));
  },
  typing(frame) {
    if (frame.side === "agent") showTyping();
  },
  read(frame) {
    if (frame.side !== "agent") return;
    state.agentReadSeq = Math.max(state.agentReadSeq, frame.seq);
    updateReadMarks();
  },
  status(frame) {
    setStatus(frame.status, { live: true });
  },
  error: handleError,
};

function handleError(frame) {
  const { code, ref } = frame;
  if (code === "unknown_token") {
    // The stored conversation is gone (e.g. after destruction): carry on as a new resident.
    forgetConversation();
    showAlert(t("err_unknown_token"));
    receivePage({ conversation: null, messages: [], has_more: false });
    return;
  }
  if (ref === "start" || code === "too_many_chats") {
    state.starting = false;
    for (const waiter of state.startWaiters.splice(0)) waiter.reject(new Error(code));
  }
  if (ref && state.outbox.some((item) => item.client_id === ref)) {
    state.inflight.delete(ref);
    if (code === "rate_limited") {
      showAlert(t("err_rate_limited"));
      setTimeout(flushOutbox, Math.max(RATE_LIMIT_RETRY_MS, (frame.retry_after || 0) * 1000));
      return;
    }
    if (PERMANENT_SEND_ERRORS.has(code)) failMessage(ref, code);
    if (code === "conversation_closed") setStatus("closed", { live: true });
  }
  if ((ref === "typing" || ref === "read") && code === "rate_limited") return;
  showAlert(errorText(code, frame.detail));
}

function startConversation() {
  if (state.starting || state.conversation || !state.ready) return;
  // The token of this device's earlier chat (if any): the organisation sees them together.
  const previous = store.get("previous", null);
  state.starting = sendFrame({ type: "start", language: state.lang, ref: "start", ...(previous ? { previous } : {}) });
}

// Resolves with the device token once there is a conversation (uploads need it).
function ensureConversation() {
  if (state.token && state.conversation) return Promise.resolve(state.token);
  return new Promise((resolve, reject) => {
    state.startWaiters.push({ resolve, reject });
    startConversation();
  });
}

function forgetConversation() {
  if (state.token) store.set("previous", state.token);
  store.remove("token");
  Object.assign(state, {
    token: null, conversation: null, status: null, syncSeq: 0, lastOutboundSeq: 0,
    readSent: 0, agentReadSeq: 0,
  });
  state.messages.clear();
  state.failed.clear();
  renderAll();
}

// --- status, read receipts, typing --------------------------------------------------------------------
function setStatus(status, { live = false } = {}) {
  state.status = status;
  const closed = status === "closed";
  const composer = $("composer");
  const hadFocus = composer.contains(document.activeElement);
  $("closed").hidden = !closed;
  composer.setAttribute("aria-disabled", String(closed));
  for (const control of composer.querySelectorAll("textarea, button")) control.disabled = closed;
  if (closed && live) {
    hideTyping();
    announce(`${t("closed_title")} ${t("closed_text")}`);
    if (hadFocus) $("closed").focus();
  }
}

function maybeSendRead() {
  if (document.visibilityState !== "visible" || !state.ready || !state.conversation) return;
  if (state.lastOutboundSeq <= state.readSent) return;
  const seq = Math.max(...state.messages.keys());
  if (sendFrame({ type: "read", seq, ref: "read" })) state.readSent = seq;
}

function showTyping() {
  const log = $("log");
  const stick = nearBottom();
  $("typing").hidden = false;
  if (stick) log.scrollTop = log.scrollHeight;
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(hideTyping, TYPING_SHOWN_MS);
}

function hideTyping() {
  clearTimeout(state.typingTimer);
  $("typing").hidden = true;
}

// --- uploads ------------------------------------------------------------------------------------------
async function uploadFile(file) {
  if (file.size > config.maxUploadBytes) {
    showAlert(t("file_too_large"));
    return;
  }
  let token;
  try { token = await ensureConversation(); } catch { return; } // the error is already shown
  const label = t("uploading", { name: file.name });
  const row = el("li");
  const progress = el("progress", { max: "1", value: "0", "aria-label": label });
  row.append(el("span", {}, label), progress);
  $("uploads").append(row);
  announce(label);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", config.uploadUrl);
  xhr.setRequestHeader("X-Balie-Token", token);
  xhr.upload.onprogress = (event) => {
    if (event.lengthComputable) progress.value = event.loaded / event.total;
  };
  xhr.onload = () => {
    row.remove();
    let answer = {};
    try { answer = JSON.parse(xhr.responseText); } catch { /* not JSON: generic error below */ }
    if (xhr.status === 201 && answer.attachment) {
      queueMessage("", [answer.attachment]);
      announce(t("upload_done", { name: answer.attachment.filename }));
    } else if (xhr.status === 429 && answer.code === "rate_limited") {
      const seconds = Number(xhr.getResponseHeader("Retry-After")) || 60;
      showAlert(t("upload_rate_limited", { seconds }));
    } else {
      showAlert(errorText(answer.code, answer.detail));
    }
  };
  xhr.onerror = () => {
    row.remove();
    showAlert(t("upload_failed"));
  };
  const form = new FormData();
  form.append("file", file);
  xhr.send(form);
}

// --- wiring ---------------------------------------------------------------------------------------------
function autosize() {
  const body = $("body");
  body.style.height = "auto";
  body.style.height = `${Math.min(body.scrollHeight + 4, 128)}px`;
}

function restart() {
  state.outbox = [];
  saveOutbox();
  forgetConversation();
  setStatus(null);
  showAlert("");
  const socket = state.socket;
  state.socket = null;
  socket?.close();
  reconnectNow();
  $("body").focus();
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const textarea = $("body");
  const body = textarea.value.trim();
  if (!body) return;
  if (body.length > config.maxMessageChars) {
    showAlert(t("char_limit"));
    return;
  }
  showAlert("");
  queueMessage(body);
  textarea.value = "";
  autosize();
  textarea.focus();
});

$("body").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("body").addEventListener("input", () => {
  autosize();
  const now = Date.now();
  if (!state.conversation || !state.ready || now - state.lastTypingSent < TYPING_EVERY_MS) return;
  if (sendFrame({ type: "typing", ref: "typing" })) state.lastTypingSent = now;
});

$("attach").addEventListener("click", () => $("file").click());
$("file").addEventListener("change", () => {
  const input = $("file");
  const [file] = input.files;
  input.value = "";
  if (file) uploadFile(file);
});

$("alert-close").addEventListener("click", () => {
  showAlert("");
  $("body").focus();
});
$("restart").addEventListener("click", restart);
$("language").addEventListener("click", () => {
  state.lang = state.lang === "nl" ? "en" : "nl";
  store.set("lang", state.lang);
  applyLanguage();
  sendFrame({ type: "language", language: state.lang }); // error frames follow the page
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "visible") return;
  state.unread = 0;
  updateTitle();
  maybeSendRead();
});
window.addEventListener("focus", maybeSendRead);
window.addEventListener("online", reconnectNow);
window.addEventListener("message", (event) => {
  // The widget moves focus into the chat when it opens the frame.
  if (event.source === window.parent && event.data?.type === "balie:focus") $("body").focus();
});
document.addEventListener("keydown", (event) => {
  // In the widget's frame, Escape asks the host page to close the chat.
  if (event.key === "Escape" && config.embed && window.parent !== window) {
    window.parent.postMessage({ type: "balie:close" }, "*");
  }
});

applyLanguage();
keepNewestInView();
setConnection("connecting");
connect();
