// The dashboard's live queue: asks the server for the queue again as soon as the staff socket
// reports a conversation changing (at most once a second), and every so many seconds besides
// (the longest wait grows without any event); only while the page is visible. The figures are
// written in with textContent.
import { follow, soon } from "./live.js";

const table = document.getElementById("queue");
const status = document.getElementById("queue-status");

function cell(row, text, header) {
  const element = document.createElement(header ? "th" : "td");
  if (header) element.scope = "row";
  element.textContent = String(text);
  row.appendChild(element);
}

async function refresh() {
  if (document.visibilityState !== "visible") return;
  try {
    const response = await fetch(table.dataset.url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    const { rows } = await response.json();
    const body = table.tBodies[0];
    const fresh = document.createElement("tbody");
    for (const item of rows) {
      const row = document.createElement("tr");
      row.dataset.team = String(item.team_id);
      cell(row, item.team, true);
      cell(row, item.open_unassigned);
      cell(row, item.waiting);
      cell(row, item.longest_wait);
      fresh.appendChild(row);
    }
    if (!rows.length) {
      const row = document.createElement("tr");
      const empty = document.createElement("td");
      empty.colSpan = 4;
      empty.textContent = body.dataset.empty || "";
      row.appendChild(empty);
      fresh.appendChild(row);
    }
    fresh.dataset.empty = body.dataset.empty || "";
    body.replaceWith(fresh);
    table.dataset.refreshed = new Date().toISOString();
    status.textContent = "";
  } catch {
    status.textContent = table.dataset.offline || "";
  }
}

if (table) {
  const seconds = Number(table.dataset.refresh) || 30;
  setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);
  if (table.dataset.socket) {
    const refreshSoon = soon(refresh);
    follow(table.dataset.socket, ["conversation", "conversations"], refreshSoon, (up) => {
      table.dataset.live = String(up);
      if (up) refreshSoon(); // whatever changed while it was down
    });
  }
}
