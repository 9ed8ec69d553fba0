// The resident's optional DigiD login on the chat page (web/resident/login.py): once logged
// in, the web chat this device holds is linked to the resident, so that it shows up in their
// history on any device. The device token goes in a header, never in an address; the link is a
// POST with the CSRF token of the logout form (the resident's session is a cookie).
const box = document.getElementById("identity");
const config = JSON.parse(document.getElementById("balie-config").textContent);
const tokenKey = `balie:${config.slug}:token`;

function storedToken() {
  try {
    return JSON.parse(localStorage.getItem(tokenKey));
  } catch {
    return null;
  }
}

let linked = null;

async function link(token) {
  if (!box || box.dataset.loggedIn !== "1" || typeof token !== "string" || token === linked) return;
  const csrf = box.querySelector("input[name=csrfmiddlewaretoken]");
  linked = token;
  try {
    const answer = await fetch(box.dataset.linkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Balie-Token": token, "X-CSRFToken": csrf ? csrf.value : "" },
    });
    box.dataset.linked = answer.ok ? "1" : "0";
  } catch {
    linked = null; // offline: try again with the next conversation event
  }
}

window.addEventListener("balie:conversation", (event) => link(event.detail?.token));
link(storedToken());

// Logging out: this device forgets its conversation too, so the next person on it starts anew.
box?.querySelector("form.identity-logout")?.addEventListener("submit", () => {
  try {
    localStorage.removeItem(tokenKey);
  } catch {
    /* nothing stored */
  }
});
