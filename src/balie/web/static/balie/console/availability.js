// The agent's availability in the console header (routing: online, away, offline).
// Without this script the form posts and the page comes back; with it the choice is sent
// with fetch() as soon as it changes. console.js passes on the socket's agent_status events
// ("balie:agent-status"), so a change made elsewhere (a team lead, or going offline
// automatically after a silent while) shows here too.

const form = document.querySelector("form[data-availability]");
if (form) {
  const select = form.querySelector("select");
  const state = form.querySelector(".availability-state");
  const button = form.querySelector("button[type=submit]");
  button.hidden = true; // the choice itself sends
  const show = (value) => {
    select.value = value;
    select.className = `availability-${value}`;
  };
  const send = async () => {
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    state.textContent = "";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ availability: select.value }),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.detail || String(response.status));
      show(data.availability);
      state.textContent = data.label;
    } catch (problem) {
      state.textContent = problem.message;
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  select.addEventListener("change", send);
  // A page without the console's socket (whose heartbeat does this) says it is open itself.
  if (!document.getElementById("console-config")) {
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    setInterval(() => fetch(form.dataset.seen, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token },
    }).catch(() => {}), 30000);
  }
  document.addEventListener("balie:agent-status", (event) => {
    const { user, organisation, availability } = event.detail;
    if (String(user) === form.dataset.user && String(organisation) === form.dataset.organisation) {
      show(availability);
    }
  });
}
