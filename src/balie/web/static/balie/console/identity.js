// A resident who logged in with DigiD, in the conversation pane (web/console/identity.py):
// "Identified with DigiD" for everyone who sees the conversation; where the organisation
// allows it, a button that shows the BSN as "BSN (DigiD)" — each showing is written to the
// audit log, so it is fetched on request and never kept in the page after the pane closes.
const { gettext } = globalThis;

export class ContactIdentity {
  constructor(ctx, pane) {
    this.ctx = ctx;
    this.pane = pane;
    this.el = ctx.h("p", { class: "pane-identity", hidden: true });
  }

  fill(c) {
    if (!("contact_identity" in c)) return; // inbox updates leave it out
    const identity = c.contact_identity;
    this.el.hidden = !identity;
    if (!identity) return this.el.replaceChildren();
    const { h } = this.ctx;
    const parts = [h("strong", {}, identity.label)];
    if (identity.bsn_shown_on_request) {
      this.button = h("button", { type: "button", class: "link", onclick: () => this.showBsn() }, gettext("Show BSN"));
      parts.push(" ", this.button);
    }
    this.el.replaceChildren(...parts);
  }

  async showBsn() {
    const { h } = this.ctx;
    try {
      const data = await this.ctx.postJson(this.ctx.urlFor("contactBsn", this.pane.id), {});
      this.button.replaceWith(h("span", { class: "bsn" }, `${data.label}: `, h("span", { class: "bsn-number" }, data.bsn)));
    } catch (error) {
      this.button.replaceWith(h("span", { class: "muted", role: "status" }, error.message));
    }
  }
}
