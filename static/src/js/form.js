// The review form: the document's pages on the left, its fields on the right.
//
// Focusing a field draws the boxes of all its candidates over the page (the chosen one has
// class "selected"); clicking a box sets the field to that candidate; typing sets a manual
// value. Validate sends the values as Odoo's client does — {"content", "box": [text, page,
// x, y, w, h, angle]} for a chosen box, {"content"} for a typed value — and the form turns
// read-only. While the extraction runs, the form polls its result and fills itself.
import { el, request } from "./common.js";

const root = document.getElementById("review");
const form = document.getElementById("fields-form");
const image = document.getElementById("page-image");
const frame = document.getElementById("page-frame");
const layer = document.getElementById("highlights");
const statusBox = document.getElementById("status");
const statusText = document.getElementById("status-text");
const progress = document.getElementById("progress");
const validateButton = form.querySelector('[data-action="validate"]');
const validateStatus = document.getElementById("validate-status");
const linesBody = document.querySelector("#lines tbody");

const FEATURES = ["supplier", "VAT_Number", "invoice_id", "date", "due_date", "currency", "subtotal",
  "total_tax_amount", "total", "iban", "SWIFT_code", "payment_ref"];
const AMOUNTS = new Set(["subtotal", "total_tax_amount", "total"]);
const DATES = new Set(["date", "due_date"]);
const LINE_COLUMNS = ["description", "quantity", "unit_price", "taxes", "subtotal", "total"];
const LINE_NUMBERS = new Set(["quantity", "unit_price", "taxes", "subtotal", "total"]);
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3];
const POLL_MS = 1000;

let data = JSON.parse(root.dataset.initial);
const view = { page: 0, pages: 0, zoom: 1 };
// key ("total", "invoice_lines.0.unit_price") -> {input, candidates, choice}
// choice: {kind: "candidate", index} | {kind: "manual"}
const fields = new Map();
let active = null;
let readOnly = true;
let startedAt = Date.now();

// -- values ---------------------------------------------------------------------------------
function columnOf(key) { return key.startsWith("invoice_lines.") ? key.split(".")[2] : key; }
function isNumeric(key) { const c = columnOf(key); return AMOUNTS.has(c) || (key !== c && LINE_NUMBERS.has(c)); }

function formatNumber(n, key) {
  if (AMOUNTS.has(columnOf(key)) || ["subtotal", "total", "unit_price"].includes(columnOf(key))) {
    return Math.abs(n * 100 - Math.round(n * 100)) < 1e-6 ? n.toFixed(2) : String(n);
  }
  return String(n);
}

/** What a field shows for a candidate's (or a validation's) content. */
function display(key, content) {
  if (content === null || content === undefined || content === false) return "";
  if (columnOf(key) === "SWIFT_code") {
    if (typeof content === "string" && content.trim().startsWith("{")) {
      try { return JSON.parse(content).bic || ""; } catch (_e) { return content; }
    }
    return String(content);
  }
  if (Array.isArray(content)) return content.map((c) => display(key, c)).join(", ");
  if (isNumeric(key) && typeof content === "number") return formatNumber(content, key);
  return String(content);
}

/** "1,234.56", "1.234,56", "1 234,56 €" -> 1234.56; NaN when not a number. */
export function parseAmount(text) {
  let s = String(text).replace(/[^\d,.\-]/g, "");
  if (!s) return NaN;
  const lastComma = s.lastIndexOf(","), lastDot = s.lastIndexOf(".");
  if (lastComma >= 0 && lastDot >= 0) {
    const decimal = lastComma > lastDot ? "," : ".";
    s = s.split(decimal === "," ? "." : ",").join("").replace(",", ".");
  } else if (lastComma >= 0) {
    const decimals = s.length - lastComma - 1;
    s = (s.split(",").length === 2 && decimals !== 3) ? s.replace(",", ".") : s.split(",").join("");
  } else if (s.split(".").length > 2) {
    s = s.split(".").join("");
  }
  return /^-?\d*\.?\d+$/.test(s) ? Number(s) : NaN;
}

/** "2024-03-15", "15.03.2024", "15/03/2024" -> "2024-03-15"; null when not a date. */
export function parseDate(text) {
  const t = String(text).trim();
  let m = t.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  let y, mo, d;
  if (m) [, y, mo, d] = m;
  else if ((m = t.match(/^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/))) [, d, mo, y] = m;
  else return null;
  const date = new Date(Date.UTC(+y, +mo - 1, +d));
  if (date.getUTCFullYear() !== +y || date.getUTCMonth() !== +mo - 1 || date.getUTCDate() !== +d) return null;
  return `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** A typed value as validate sends it: {ok, value} (value null when empty). */
function parseTyped(key, text) {
  const t = String(text).trim();
  if (!t) return { ok: true, value: null };
  const column = columnOf(key);
  if (column === "taxes" && key !== column) {
    const rates = t.split(/[;,]\s*|\s+/).filter(Boolean).map(parseAmount);
    return rates.every((r) => !Number.isNaN(r)) ? { ok: true, value: rates } : { ok: false };
  }
  if (isNumeric(key)) { const n = parseAmount(t); return Number.isNaN(n) ? { ok: false } : { ok: true, value: n }; }
  if (DATES.has(column)) { const d = parseDate(t); return d ? { ok: true, value: d } : { ok: false }; }
  if (column === "SWIFT_code") {
    const bic = t.replace(/\s+/g, "").toUpperCase();
    return /^[A-Z0-9]{8}([A-Z0-9]{3})?$/.test(bic) ? { ok: true, value: bic } : { ok: false };
  }
  if (column === "iban") return { ok: true, value: t.replace(/\s+/g, "").toUpperCase() };
  if (column === "currency") return { ok: true, value: t.toUpperCase() };
  return { ok: true, value: t };
}

/** The content a chosen candidate is validated with (SWIFT_code: the BIC, as Odoo sends it). */
function candidateContent(key, candidate) {
  if (columnOf(key) === "SWIFT_code") return display(key, candidate.content);
  return candidate.content;
}

function sameBox(candidate, box) {
  if (!Array.isArray(box) || box.length < 7 || !Array.isArray(candidate.coords)) return false;
  return candidate.page === box[1] && candidate.coords.every((v, i) => Math.abs(v - box[2 + i]) < 1e-6);
}

// -- fields -----------------------------------------------------------------------------------
function register(key, input, candidates, selected, validated) {
  const f = { input, candidates: candidates || [], choice: { kind: "manual" } };
  if (validated !== undefined) {
    const content = validated && typeof validated === "object" && "content" in validated ? validated.content : validated;
    const index = validated && validated.box ? f.candidates.findIndex((c) => sameBox(c, validated.box)) : -1;
    f.choice = index >= 0 ? { kind: "candidate", index } : { kind: "manual" };
    input.value = display(key, content);
  } else if (f.candidates.length) {
    let index = f.candidates.findIndex((c) => selected && c.content === selected.content &&
      c.page === selected.page && JSON.stringify(c.coords) === JSON.stringify(selected.coords));
    if (index < 0) index = 0;
    f.choice = selected === null ? { kind: "manual" } : { kind: "candidate", index };
    input.value = selected === null ? "" : display(key, f.candidates[index].content);
  } else {
    input.value = "";
  }
  input.dataset.key = key;
  fields.set(key, f);
  hint(key);
  return f;
}

function hint(key) {
  const f = fields.get(key);
  if (!f) return;
  const holder = f.input.closest(".field");
  const hintNode = holder ? holder.querySelector(".hint") : null;
  let text = "";
  if (f.choice.kind === "candidate") {
    text = f.candidates.length > 1 ? `candidate ${f.choice.index + 1} of ${f.candidates.length} · Alt+↓ next` : "from the document";
  } else if (f.input.value.trim()) {
    text = "typed by hand";
  } else {
    text = f.candidates.length ? `${f.candidates.length} candidate${f.candidates.length > 1 ? "s" : ""} · click a box` : "not found";
  }
  if (hintNode) hintNode.textContent = text;
  if (holder) holder.classList.toggle("manual", f.choice.kind === "manual" && !!f.input.value.trim());
  f.input.title = text;
}

function choose(key, index) {
  const f = fields.get(key);
  if (!f || readOnly || !f.candidates[index]) return;
  f.choice = { kind: "candidate", index };
  f.input.value = display(key, f.candidates[index].content);
  f.input.classList.remove("invalid");
  hint(key);
  const candidate = f.candidates[index];
  if (candidate.page !== view.page) showPage(candidate.page);
  drawHighlights();
}

function typed(key) {
  const f = fields.get(key);
  if (!f) return;
  f.choice = { kind: "manual" };
  f.input.classList.toggle("invalid", !parseTyped(key, f.input.value).ok);
  hint(key);
  drawHighlights();
}

function activate(key) {
  active = key;
  document.querySelectorAll(".field.active").forEach((n) => n.classList.remove("active"));
  const f = fields.get(key);
  if (!f) { drawHighlights(); return; }
  f.input.closest(".field")?.classList.add("active");
  const focus = f.choice.kind === "candidate" ? f.candidates[f.choice.index] : f.candidates[0];
  if (focus && focus.page !== view.page && focus.page < view.pages) showPage(focus.page);
  else drawHighlights();
}

// -- the page ---------------------------------------------------------------------------------
function showPage(index) {
  if (!view.pages) {
    image.removeAttribute("src");
    frame.classList.add("empty");
    document.getElementById("page-indicator").textContent = "no page";
    layer.replaceChildren();
    return;
  }
  view.page = Math.max(0, Math.min(view.pages - 1, index));
  frame.classList.remove("empty");
  const src = `${root.dataset.pageUrl}${view.page}.png`;
  if (!image.src.endsWith(src)) image.src = src;
  document.getElementById("page-indicator").textContent = `${view.page + 1} / ${view.pages}`;
  drawHighlights();
}

function setZoom(zoom) {
  view.zoom = zoom;
  frame.style.width = `${Math.round(zoom * 100)}%`;
  document.getElementById("zoom-indicator").textContent = `${Math.round(zoom * 100)}%`;
}

function drawHighlights() {
  layer.replaceChildren();
  const f = active ? fields.get(active) : null;
  if (!f) return;
  f.candidates.forEach((candidate, index) => {
    if (candidate.page !== view.page || !Array.isArray(candidate.coords)) return;
    const [cx, cy, w, h, angle] = candidate.coords;
    const selected = f.choice.kind === "candidate" && f.choice.index === index;
    const box = el("button", {
      type: "button", tabindex: "-1", class: `highlight${selected ? " selected" : ""}`,
      title: `${display(active, candidate.content)}${candidate.score !== undefined ? ` (score ${candidate.score})` : ""}`,
      "aria-label": `Candidate ${index + 1}: ${display(active, candidate.content)}`,
      dataset: { feature: active, page: String(candidate.page), index: String(index) },
    });
    box.style.left = `${(cx - w / 2) * 100}%`;
    box.style.top = `${(cy - h / 2) * 100}%`;
    box.style.width = `${w * 100}%`;
    box.style.height = `${h * 100}%`;
    if (angle) box.style.transform = `rotate(${angle}deg)`;
    // Keep the focus in the field: a click on a box is a choice, not a move.
    box.addEventListener("mousedown", (event) => event.preventDefault());
    box.addEventListener("click", () => {
      choose(active, index);
      fields.get(active)?.input.focus();
    });
    layer.append(box);
  });
}

// -- filling the form -------------------------------------------------------------------------------
function selectedOf(result) {
  if (!result || typeof result !== "object") return undefined;
  if ("selected_value" in result) return result.selected_value;
  if (Array.isArray(result.selected_values)) return result.selected_values[0] || null;
  return undefined;
}

function lineRow(lineIndex, line, validatedLine) {
  const row = el("tr", { dataset: { line: String(lineIndex) } });
  for (const column of LINE_COLUMNS) {
    const key = `invoice_lines.${lineIndex}.${column}`;
    const input = el("input", { name: key, class: LINE_NUMBERS.has(column) ? "num" : "", "aria-label": `Line ${lineIndex + 1} ${column}` });
    const cell = line ? line[column] : undefined;
    let validated;
    if (validatedLine) {
      validated = column === "taxes"
        ? (validatedLine.taxes || []).map((t) => (t && typeof t === "object" ? t.amount : t))
        : validatedLine[column];
      if (validated === undefined) validated = null;
    }
    const candidates = cell && Array.isArray(cell.candidates) ? cell.candidates : [];
    register(key, input, candidates, selectedOf(cell) ?? (candidates[0] || null), validated === undefined ? undefined : { content: validated });
    row.append(el("td", {}, input));
  }
  const remove = el("button", { type: "button", class: "link", title: "Remove this line", "aria-label": "Remove this line" }, "×");
  remove.addEventListener("click", () => {
    if (readOnly) return;
    row.remove();
    for (const key of [...fields.keys()]) if (key.startsWith(`invoice_lines.${lineIndex}.`)) fields.delete(key);
  });
  row.append(el("td", {}, remove));
  linesBody.append(row);
}

let nextLine = 0;
function fill() {
  fields.clear();
  linesBody.replaceChildren();
  const results = data.results || {};
  const validation = data.validation;
  for (const feature of FEATURES) {
    const input = form.elements.namedItem(feature);
    const result = results[feature];
    const candidates = result && Array.isArray(result.candidates) ? result.candidates : [];
    register(feature, input, candidates, result ? selectedOf(result) ?? null : null,
      validation ? (validation[feature] ?? null) : undefined);
  }
  nextLine = 0;
  if (validation) {
    const lines = (validation.invoice_lines && validation.invoice_lines.lines) || [];
    lines.forEach((line) => lineRow(nextLine++, null, line));
  } else {
    (Array.isArray(results.invoice_lines) ? results.invoice_lines : []).forEach((line) => lineRow(nextLine++, line));
  }
}

function setReadOnly(value) {
  readOnly = value;
  form.querySelectorAll("input").forEach((input) => { input.disabled = false; input.readOnly = value; });
  form.querySelectorAll("#lines button, [data-action='add-line']").forEach((b) => { b.disabled = value; });
  validateButton.disabled = value;
  validateButton.hidden = value;
}

function render() {
  const processing = data.state === "processing";
  progress.hidden = !processing;
  statusBox.classList.toggle("error", data.state === "error");
  statusBox.classList.toggle("validated", !!data.validation);
  if (processing) {
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    statusText.textContent = `${data.status_message} — extracting the fields… ${seconds} s`;
  } else if (data.state === "error") {
    statusText.textContent = data.status_message;
  } else if (data.validation) {
    statusText.textContent = "Validated: this document is read-only.";
  } else {
    statusText.textContent = "Check each field: focus it to see its boxes on the page, click a box to take it, or type the value.";
  }
  root.dataset.state = data.validation ? "validated" : data.state;
  if (view.pages !== data.pages) {
    view.pages = data.pages;
    showPage(Math.min(view.page, Math.max(0, data.pages - 1)));
  }
  if (data.state === "done") {
    fill();
    setReadOnly(!!data.read_only);
    if (active) activate(active);
  } else {
    form.querySelectorAll("input, button").forEach((n) => { n.disabled = true; });
  }
}

async function poll() {
  const { ok, data: fresh } = await request(root.dataset.resultUrl);
  if (ok && fresh) {
    const changed = fresh.state !== data.state || fresh.pages !== data.pages;
    data = fresh;
    if (changed || data.state === "processing") render();
  }
  if (data.state === "processing") setTimeout(poll, POLL_MS);
}

// -- validate -----------------------------------------------------------------------------------------
function collect() {
  const values = {};
  const problems = [];
  const valueOf = (key) => {
    const f = fields.get(key);
    if (f.choice.kind === "candidate") return { candidate: f.candidates[f.choice.index] };
    const parsed = parseTyped(key, f.input.value);
    f.input.classList.toggle("invalid", !parsed.ok);
    if (!parsed.ok) problems.push(f.input);
    return { value: parsed.value };
  };
  for (const feature of FEATURES) {
    const got = valueOf(feature);
    if (got.candidate) {
      const c = got.candidate;
      values[feature] = { content: candidateContent(feature, c),
        box: [display(feature, c.content), c.page, ...c.coords.slice(0, 5)] };
    } else {
      values[feature] = { content: got.value };
    }
  }
  const lines = [];
  linesBody.querySelectorAll("tr[data-line]").forEach((row) => {
    const line = {};
    for (const column of LINE_COLUMNS) {
      const key = `invoice_lines.${row.dataset.line}.${column}`;
      const got = valueOf(key);
      const content = got.candidate ? got.candidate.content : got.value;
      line[column] = column === "taxes"
        ? (content === null ? [] : [].concat(content)).map((rate) => ({ amount: rate, type: "percent", price_include: false }))
        : content;
    }
    if (LINE_COLUMNS.some((c) => c !== "taxes" && line[c] !== null && line[c] !== "")) lines.push(line);
  });
  values.invoice_lines = { lines };
  return { values, problems };
}

async function validate() {
  if (readOnly) return;
  const { values, problems } = collect();
  if (problems.length) {
    validateStatus.textContent = "Some values cannot be read: fix the fields in red.";
    validateStatus.className = "validate-status error";
    problems[0].focus();
    return;
  }
  validateButton.disabled = true;
  validateStatus.textContent = "Validating…";
  validateStatus.className = "validate-status";
  const { ok, data: answer, status } = await request(root.dataset.validateUrl, { method: "POST", json: { values } });
  if (ok) {
    validateStatus.textContent = "Validated.";
    validateStatus.className = "validate-status ok";
    const fresh = await request(root.dataset.resultUrl);
    if (fresh.ok) data = fresh.data;
    else data = { ...data, validation: values, read_only: true };
    render();
  } else {
    validateStatus.textContent = (answer && (answer.message || answer.error)) || `Validation failed (HTTP ${status}).`;
    validateStatus.className = "validate-status error";
    validateButton.disabled = false;
  }
}

// -- events -------------------------------------------------------------------------------------------------
form.addEventListener("focusin", (event) => {
  const key = event.target.dataset && event.target.dataset.key;
  if (key) activate(key);
});
form.addEventListener("input", (event) => {
  const key = event.target.dataset && event.target.dataset.key;
  if (key && !readOnly) typed(key);
});
form.addEventListener("keydown", (event) => {
  const key = event.target.dataset && event.target.dataset.key;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    validate();
  } else if (event.key === "Enter" && key) {
    // Enter accepts the value and goes on to the next field (the last one: Validate).
    event.preventDefault();
    const inputs = [...form.querySelectorAll("input")].filter((i) => !i.disabled);
    const next = inputs[inputs.indexOf(event.target) + 1];
    (next || validateButton).focus();
  } else if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp") && key) {
    event.preventDefault();
    const f = fields.get(key);
    if (!f || !f.candidates.length) return;
    const current = f.choice.kind === "candidate" ? f.choice.index : -1;
    const step = event.key === "ArrowDown" ? 1 : -1;
    choose(key, (current + step + f.candidates.length) % f.candidates.length);
  }
});
form.addEventListener("submit", (event) => { event.preventDefault(); validate(); });
form.querySelector('[data-action="add-line"]').addEventListener("click", () => {
  if (readOnly) return;
  lineRow(nextLine++, null);
  setReadOnly(false);
  linesBody.lastElementChild.querySelector("input").focus();
});
document.querySelector('[data-action="prev-page"]').addEventListener("click", () => showPage(view.page - 1));
document.querySelector('[data-action="next-page"]').addEventListener("click", () => showPage(view.page + 1));
document.querySelector('[data-action="zoom-in"]').addEventListener("click", () =>
  setZoom(ZOOMS.find((z) => z > view.zoom + 1e-9) ?? view.zoom));
document.querySelector('[data-action="zoom-out"]').addEventListener("click", () =>
  setZoom([...ZOOMS].reverse().find((z) => z < view.zoom - 1e-9) ?? view.zoom));
document.querySelector('[data-action="zoom-fit"]').addEventListener("click", () => setZoom(1));
document.addEventListener("keydown", (event) => {
  if (event.altKey && event.key === "PageDown") { event.preventDefault(); showPage(view.page + 1); }
  if (event.altKey && event.key === "PageUp") { event.preventDefault(); showPage(view.page - 1); }
});

setZoom(1);
render();
if (data.state === "processing") setTimeout(poll, POLL_MS);
