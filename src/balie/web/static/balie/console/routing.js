// The routing page, live: when the staff socket reports an agent's availability or a
// conversation changing, the page asks the server for itself again (at most once a second)
// and copies in what the figures say: each team's queue, and each agent's availability, open
// conversations and last sign of life. A form a team lead is filling in is left alone.
import { follow, soon } from "./live.js";

const main = document.querySelector("main.routing[data-socket]");

// A select shows the new value only if nobody touched it: it still has its selected option.
function followSelect(select, value) {
  if (document.activeElement === select) return;
  const untouched = [...select.options].find((option) => option.defaultSelected);
  if (untouched && select.value !== untouched.value) return;
  for (const option of select.options) option.defaultSelected = option.value === value;
  select.value = value;
}

function copyIn(fresh) {
  for (const section of main.querySelectorAll("section[data-team]")) {
    const next = fresh.querySelector(`section[data-team="${section.dataset.team}"]`);
    if (!next) continue;
    const queue = section.querySelector(".routing-queue");
    const nextQueue = next.querySelector(".routing-queue");
    if (queue && nextQueue) queue.textContent = nextQueue.textContent;
    for (const row of section.querySelectorAll("tr[data-user]")) {
      const nextRow = next.querySelector(`tr[data-user="${row.dataset.user}"]`);
      if (!nextRow) continue;
      // the availability, "open / at most" and "last seen" cells
      for (const index of [0, 1, 2]) {
        const cell = row.cells[index + 1];
        const nextCell = nextRow.cells[index + 1];
        cell.className = nextCell.className;
        cell.replaceChildren(...[...nextCell.childNodes].map((node) => node.cloneNode(true)));
      }
      const select = row.querySelector("select[name=availability]");
      const nextSelect = nextRow.querySelector("select[name=availability]");
      if (select && nextSelect) followSelect(select, nextSelect.value);
    }
  }
}

async function refresh() {
  try {
    const response = await fetch(location.href, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    copyIn(new DOMParser().parseFromString(await response.text(), "text/html"));
    main.dataset.refreshed = new Date().toISOString();
  } catch {
    // the next change tries again; what shows stays as it was
  }
}

if (main) {
  const refreshSoon = soon(refresh);
  const types = ["agent_status", "conversation", "conversations"];
  follow(main.dataset.socket, types, (frame) => {
    // the header's own availability control follows too (availability.js)
    if (frame.type === "agent_status") {
      document.dispatchEvent(new CustomEvent("balie:agent-status", { detail: frame }));
    }
    refreshSoon();
  }, (up) => {
    main.dataset.live = String(up);
    if (up) refreshSoon();
  });
}
