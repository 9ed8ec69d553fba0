// The import review: decide message by message from the keyboard (no inline scripts: strict
// CSP). j or ArrowDown / k or ArrowUp move between messages, b keeps, n leaves out. A key
// typed into a text field is left alone.
const rows = [...document.querySelectorAll("tr[data-row]")];
let current = -1;

function focusRow(index) {
  if (!rows.length) return;
  current = Math.max(0, Math.min(rows.length - 1, index));
  const row = rows[current];
  for (const other of rows) other.classList.remove("focused");
  row.classList.add("focused");
  const radio = row.querySelector("input[type=radio]:checked") || row.querySelector("input[type=radio]");
  radio.focus();
  row.scrollIntoView({ block: "nearest" });
}

function decide(value) {
  if (current < 0) return;
  const row = rows[current];
  const radio = row.querySelector(`input[type=radio][value=${value}]`);
  radio.checked = true;
  row.classList.remove("undecided");
  row.classList.toggle("kept", value === "keep");
  focusRow(current + 1);
}

for (const [index, row] of rows.entries()) {
  row.addEventListener("focusin", () => { current = index; });
  for (const radio of row.querySelectorAll("input[type=radio]")) {
    radio.addEventListener("change", () => {
      row.classList.remove("undecided");
      row.classList.toggle("kept", radio.value === "keep" && radio.checked);
    });
  }
}

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.matches("input[type=text], input[type=date], input[type=search], textarea, select")) return;
  const moves = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
  if (event.key in moves) {
    event.preventDefault();
    focusRow(current < 0 ? 0 : current + moves[event.key]);
  } else if (event.key === "b" || event.key === "n") {
    event.preventDefault();
    if (current < 0) focusRow(0);
    decide(event.key === "b" ? "keep" : "drop");
  }
});
