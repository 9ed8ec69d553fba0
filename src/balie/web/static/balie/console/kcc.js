// Beside a conversation pane: who else has it open and types (presence), the resident's earlier
// conversations (history), and canned answers found with "/" in the composer.
// console.js passes in what these need (ctx: h, getJson, urlFor, socket, openPane); every user
// text goes into the page with textContent only.

const { gettext, interpolate } = globalThis;

const PRESENCE_EVERY_MS = 25000; // the console repeats "I have it open" this often …
const PRESENCE_FORGET_MS = 70000; // … and forgets a viewer it has not heard from in this time
const TYPING_SHOWN_MS = 5000;

// --- presence: other agents with this conversation open, and who of them types ------------------
export class Presence {
  constructor(ctx, pane) {
    this.ctx = ctx;
    this.pane = pane;
    this.viewers = new Map(); // user id → {name, seen, typingUntil}
    this.el = ctx.h("p", { class: "presence", role: "status", "aria-live": "polite", hidden: true });
    this.timer = setInterval(() => this.tick(), PRESENCE_EVERY_MS);
  }

  tick() {
    this.ctx.socket.send({ type: "presence", conversation: this.pane.id });
    this.render();
  }

  onPresence(frame) {
    if (frame.state === "left") this.viewers.delete(frame.user);
    else this.viewers.set(frame.user, { ...(this.viewers.get(frame.user) ?? {}), name: frame.name, seen: Date.now() });
    this.render();
  }

  onTyping(frame) {
    const viewer = this.viewers.get(frame.user) ?? { name: frame.name };
    this.viewers.set(frame.user, { ...viewer, name: frame.name, seen: Date.now(), typingUntil: Date.now() + TYPING_SHOWN_MS });
    this.render();
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.render(), TYPING_SHOWN_MS + 50);
  }

  // The names of the agents who type now (the composer warns before a reply crosses theirs).
  typing() {
    const now = Date.now();
    return [...this.viewers.values()].filter((v) => (v.typingUntil ?? 0) > now).map((v) => v.name);
  }

  render() {
    const now = Date.now();
    for (const [user, viewer] of this.viewers) if (now - viewer.seen > PRESENCE_FORGET_MS) this.viewers.delete(user);
    const names = [...this.viewers.values()].map((v) => v.name);
    const typing = this.typing();
    const parts = [];
    if (names.length) parts.push(interpolate(gettext("Also open for: %(names)s."), { names: names.join(", ") }, true));
    if (typing.length) parts.push(interpolate(gettext("%(names)s is typing a reply."), { names: typing.join(", ") }, true));
    const text = parts.join(" ");
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.hidden = !text;
    this.el.classList.toggle("is-typing", typing.length > 0);
  }

  stop() {
    clearInterval(this.timer);
    clearTimeout(this.typingTimer);
  }
}

// --- the resident's earlier conversations -------------------------------------------------------
export class History {
  constructor(ctx, pane) {
    this.ctx = ctx;
    this.pane = pane;
    this.list = ctx.h("ul", { class: "history-list" });
    this.summary = ctx.h("summary", {}, gettext("Earlier conversations"));
    this.el = ctx.h("details", { class: "pane-history", hidden: true }, this.summary, this.list);
    this.loaded = false;
  }

  async load() {
    if (this.loaded) return;
    this.loaded = true;
    let data;
    try {
      data = await this.ctx.getJson(this.ctx.urlFor("history", this.pane.id));
    } catch {
      this.loaded = false; // try again when the pane is opened again
      return;
    }
    const { h } = this.ctx;
    this.summary.textContent = interpolate(gettext("Earlier conversations of this resident (%(count)s)"), { count: data.total }, true);
    this.list.replaceChildren(...data.conversations.map((c) => h("li", {},
      h("a", { href: `?open=${c.id}`, onclick: (event) => { event.preventDefault(); this.ctx.openPane(c.id); } },
        `#${c.id}`, " ", c.subject || gettext("(no subject)")),
      " ", h("span", { class: "muted" }, [this.ctx.formatTime(c.created_at), c.channel_label, c.status_label, c.team, c.assignee]
        .filter(Boolean).join(" · ")))));
    this.el.hidden = data.total === 0;
  }
}

// --- canned answers: "/" in the composer -------------------------------------------------------
// The textarea keeps its role (a textbox may not become a combobox); it names the list it
// controls and the option that is active, and a status line says how many answers there are.
export class CannedPicker {
  constructor(ctx, pane, input) {
    this.ctx = ctx;
    this.pane = pane;
    this.input = input;
    this.answers = [];
    this.active = -1;
    this.query = null;
    this.request = 0;
    const listId = `canned-${pane.id}`;
    this.list = ctx.h("ul", { id: listId, class: "canned-list", role: "listbox", "aria-label": gettext("Canned answers"), hidden: true });
    this.status = ctx.h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.addEventListener("input", () => this.update());
    input.addEventListener("keydown", (event) => this.onKey(event), true);
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    this.el = ctx.h("div", { class: "canned-picker" }, this.list, this.status);
  }

  // "/word" right before the cursor, at the start or after a space: the query; else null.
  currentQuery() {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const match = /(^|\s)\/([\w-]{0,40})$/.exec(before);
    return match ? match[2] : null;
  }

  async update() {
    const query = this.currentQuery();
    if (query === null) return this.close();
    this.query = query;
    const request = ++this.request;
    let data;
    try {
      data = await this.ctx.getJson(`${this.ctx.urlFor("canned", this.pane.id)}?q=${encodeURIComponent(query)}`);
    } catch {
      return this.close();
    }
    if (request !== this.request || this.currentQuery() === null) return;
    this.answers = data.answers;
    this.active = this.answers.length ? 0 : -1;
    this.render();
  }

  render() {
    const { h } = this.ctx;
    this.list.replaceChildren(...this.answers.map((answer, index) => h("li", {
      id: `canned-${this.pane.id}-${answer.id}`, role: "option", "aria-selected": index === this.active ? "true" : "false",
      class: index === this.active ? "active" : "",
      onmousedown: (event) => { event.preventDefault(); this.choose(index); },
    }, h("strong", {}, `/${answer.shortcut}`), " ", answer.title, h("span", { class: "canned-preview" }, answer.text))));
    this.list.hidden = false;
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `canned-${this.pane.id}-${this.answers[this.active].id}`);
    else this.input.removeAttribute("aria-activedescendant");
    this.status.textContent = this.answers.length
      ? interpolate(gettext("%(count)s canned answers; choose with the arrow keys and Enter."), { count: this.answers.length }, true)
      : gettext("No canned answer matches.");
  }

  onKey(event) {
    if (this.list.hidden) return;
    const count = this.answers.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      event.preventDefault();
      this.active = (this.active + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
      this.render();
    } else if ((event.key === "Enter" || event.key === "Tab") && this.active >= 0 && !event.shiftKey) {
      event.preventDefault();
      event.stopImmediatePropagation(); // not the composer's "Enter sends"
      this.choose(this.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      this.close();
    }
  }

  // Put the filled-in text in place of "/query"; the agent reads and sends it.
  choose(index) {
    const answer = this.answers[index];
    if (!answer) return;
    const end = this.input.selectionStart;
    const start = end - this.query.length - 1;
    this.input.setRangeText(answer.text, start, end, "end");
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
    this.close();
    this.input.focus();
  }

  close() {
    this.request++;
    this.answers = [];
    this.active = -1;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.input.removeAttribute("aria-activedescendant");
  }
}
