// Inbox: upload by drag and drop or file picker; the list refreshes while documents process.
import { request } from "./common.js";

const root = document.getElementById("inbox");
const zone = document.getElementById("dropzone");
const input = document.getElementById("file-input");
const statusLine = document.getElementById("upload-status");
const ACCEPTED = /^(application\/pdf|image\/(png|jpeg|tiff|bmp|gif|webp))$/;

function say(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

async function upload(fileList) {
  const files = Array.from(fileList || []);
  if (!files.length) return;
  const refused = files.filter((f) => f.type && !ACCEPTED.test(f.type));
  const sent = files.filter((f) => !refused.includes(f));
  if (!sent.length) {
    say(`Not a PDF or an image: ${refused.map((f) => f.name).join(", ")}`, true);
    return;
  }
  const body = new FormData();
  for (const file of sent) body.append("files", file, file.name);
  say(`Uploading ${sent.length} document${sent.length > 1 ? "s" : ""}…`);
  const { data, status } = await request(root.dataset.uploadUrl, { method: "POST", body });
  const documents = (data && data.documents) || [];
  const failed = documents.filter((d) => d.status !== "success");
  if (!documents.length) {
    say((data && data.error) || `Upload failed (HTTP ${status}).`, true);
    return;
  }
  if (failed.length) {
    say(failed.map((d) => `${d.file_name}: ${d.message}`).join(" · "), true);
  }
  const good = documents.filter((d) => d.status === "success");
  if (good.length === 1 && !failed.length && sent.length === 1) {
    window.location.assign(good[0].url);
  } else if (good.length) {
    if (!failed.length) say(`${good.length} documents sent for extraction.`);
    await refresh();
  }
}

zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("dragging"); });
zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("dragging");
  upload(event.dataTransfer.files);
});
zone.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
});
input.addEventListener("change", () => { upload(input.files); input.value = ""; });

// Rows are links: a click anywhere on a row opens its form (delegated: the body is swapped).
document.getElementById("documents").addEventListener("click", (event) => {
  const row = event.target.closest("tr[data-document]");
  if (!row || event.target.closest("a")) return;
  row.querySelector("a").click();
});

// While documents are processing, swap in a fresh table body every few seconds.
async function refresh() {
  const response = await fetch(window.location.href, { credentials: "same-origin" });
  if (!response.ok) return;
  const html = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = html.querySelector("#documents tbody");
  if (fresh) document.querySelector("#documents tbody").replaceWith(fresh);
  const stillProcessing = html.querySelector("#inbox")?.dataset.processing === "true";
  if (stillProcessing) setTimeout(refresh, 3000);
}
if (root.dataset.processing === "true") setTimeout(refresh, 3000);
