// Shared by every page: the header (navigation and model choice), API calls and line charts.
"use strict";

const pages = [["/", "Overview"], ["/tour", "Tour"], ["/templates", "Templates"], ["/units", "Units"], ["/layers", "Layers"], ["/embedding", "Embedding"], ["/explain", "Explain"], ["/train", "Train"]];

function modelParam() { return new URLSearchParams(location.search).get("model") || ""; }

function withModel(path) {
  const model = modelParam();
  if (!model || /[?&]model=/.test(path)) return path;
  return path + (path.includes("?") ? "&" : "?") + "model=" + encodeURIComponent(model);
}

async function api(path, options) {
  const response = await fetch(withModel(path), options);
  const body = await response.json().catch(() => ({ error: "the server sent no JSON (status " + response.status + ")" }));
  if (!response.ok && response.status !== 202) throw Object.assign(new Error(body.error || ("status " + response.status)), { status: response.status });
  return { status: response.status, body };
}

// A call that changes something (or uploads): the server takes a POST only with a JSON or image
// body type, which a page on another site cannot send without asking the server first.
function post(path, body) {
  if (body instanceof Blob) {
    const type = body.type.startsWith("image/") ? body.type : "application/octet-stream";
    return api(path, { method: "POST", headers: { "Content-Type": type }, body });
  }
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) });
}

// The one polling loop of every page: calls `ask()` until it gives something other than
// undefined, waiting `every` milliseconds between calls, and returns that.
async function poll(ask, every = 1000) {
  for (;;) {
    const value = await ask();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, every));
  }
}

// A figure computed in the background: asks again while the answer is 202, calling `waiting()`
// each time, and returns the body once it is ready; with `upload`, each ask posts it (an image).
function whenReady(path, waiting = () => {}, upload = undefined, every = 1000) {
  return poll(async () => {
    const answer = upload === undefined ? await api(path) : await post(path, upload);
    if (answer.status !== 202) return answer.body;
    waiting(answer.body);
  }, every);
}

// What a page shows where a picture cannot be drawn honestly (NaN, infinite or flat values): the
// report's hatched placeholder, sized like the picture it stands for.
function placeholder(problem, size) {
  const box = el("div", { class: "nomap", role: "img", "aria-label": problem }, el("span", { text: problem }));
  if (size) { box.style.width = size + "px"; box.style.height = size + "px"; }
  return box;
}

// A colour bar the server drew (LensRender's ColorBar: SVG with fixed text, no user input).
function colorBar(html, attributes = {}) {
  const bar = el("div", Object.assign({ class: "colorbar" }, attributes));
  bar.innerHTML = html;
  return bar;
}

// A picture card: a drawn picture (a DrawnMap or a data URI) with its caption and detail lines.
function pictureCard(picture, caption, details = [], { size = null, alt = caption, attributes = {} } = {}) {
  const drawn = typeof picture === "string" ? { image: picture } : picture;
  const image = drawn.image ? el("img", { src: drawn.image, alt }) : placeholder(drawn.problem || "not drawn", size);
  if (drawn.image && size) { image.style.width = size + "px"; image.style.height = size + "px"; }
  return el("figure", attributes, image, el("figcaption", {}, el("b", { text: caption }), ...details.map(d => el("div", { text: d }))));
}

// A map drawn over the image it explains: the image in grey under it (the Stylesheet's .overlay;
// a container with the class "overlaid" shows the image and sets --map-opacity).
function overlaid(image, map, alt, attributes = {}) {
  return el("div", { class: "overlay" }, el("img", { class: "under", src: image, alt: "" }),
            el("img", Object.assign({ class: "layer", src: map, alt }, attributes)));
}

// One method's verdict on a model (LensStudio's TrustVerdict) as the report's trust page shows it:
// its colour and words, its figures a click away.
function verdictItem(m) {
  return el("li", {}, el("details", {},
    el("summary", {}, el("span", { class: "badge", "data-state": m.standing, text: m.standing }), " ", el("b", { text: m.title }), " ", m.words),
    el("p", { class: "note", text: m.line })));
}

// A model that cannot show this page (k-NN templates, units of softmax regression): the server's
// reason as a notice instead of an error.
function notApplicable(page, status, error) {
  if (error.status !== 422) throw error;
  status.textContent = "";
  page.append(el("div", { class: "card notice", id: "not-applicable" }, el("b", { text: "Not applicable to this model. " }),
                     error.message.charAt(0).toUpperCase() + error.message.slice(1) + "."));
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value; else if (key === "text") node.textContent = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// A tile that opens something when clicked (a unit, a test image, a confusion cell): reachable
// with Tab, opened with Enter or Space as with a click; the stylesheet draws its focus ring.
function activatable(node, open, label) {
  node.tabIndex = 0;
  node.setAttribute("role", "button");
  node.classList.add("activatable");
  if (label) node.setAttribute("aria-label", label);
  node.addEventListener("click", open);
  node.addEventListener("keydown", event => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    open(event);
  });
  return node;
}

// A background computation's progress (the server's 202 answer carries it): a bar, the percent done
// and the time still to wait at the pace so far. `update(progress)` takes each answer's `progress`.
function progressLine(label) {
  const bar = el("progress", { max: 1, value: 0 });
  const text = el("span", { text: `${label}…` });
  const line = el("span", { class: "progress", role: "status" }, bar, text);
  line.update = progress => {
    if (!progress) return;
    bar.value = progress.fraction;
    const left = progress.remaining_seconds == null ? "estimating the time left"
      : progress.remaining_seconds < 1 ? "almost done" : `about ${Math.ceil(progress.remaining_seconds)} s left`;
    text.textContent = `${label}: ${Math.round(100 * progress.fraction)}%, ${left}`;
  };
  return line;
}

// Header: navigation keeps the chosen model; the selector lists the library's models.
async function header(current) {
  const nav = el("nav");
  for (const [path, title] of pages) {
    const link = el("a", { href: withModel(path), text: title });
    if (path === current) link.classList.add("current");
    nav.append(link);
  }
  const select = el("select", { id: "model" });
  const status = el("span", { class: "muted", id: "library-status" });
  const top = el("header", {}, el("span", { class: "brand", text: "NeuralLens" }), nav, el("label", { text: "model " }, select), status);
  document.body.prepend(top);
  select.addEventListener("change", () => {
    const url = new URL(location.href);
    url.searchParams.set("model", select.value);
    location.href = url.toString();
  });
  await refreshModels(select, status);
}

async function refreshModels(select, status) {
  const { body } = await api("/api/models");
  const chosen = modelParam() || (body.models[0] && body.models[0].id) || "";
  select.replaceChildren(...body.models.map(m => el("option", { value: m.id, text: `${m.id} (${m.kind})` })));
  select.value = chosen;
  status.textContent = body.preparing ? body.preparing + "…" : (body.problem || "");
  // While the demo's models train, keep the list and the status line current.
  if (body.preparing) setTimeout(() => refreshModels(select, status), 2000);
  return body;
}

// Waits until the library lists at least one model (the demo's models train on first start).
function waitForModels(target) {
  return poll(async () => {
    const { body } = await api("/api/models");
    if (body.models.length > 0) return body;
    target.textContent = (body.problem || body.preparing || "waiting for a model") + "…";
  });
}

// A line chart as SVG: series = [{name, color, points: [[x, y], ...]}]; the legend sits above
// the plot, so that no line runs through it.
function lineChart(series, { width = 460, height = 270, title = "", yMin = null, yMax = null, xLabel = "epoch" } = {}) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);  // so that a narrow screen scales it down
  const pad = { left: 48, right: 16, top: 44, bottom: 36 };
  const all = series.flatMap(s => s.points);
  const xs = all.map(p => p[0]), ys = all.map(p => p[1]);
  const x0 = Math.min(1, ...xs), x1 = Math.max(2, ...xs);
  let y0 = yMin ?? Math.min(...ys, 0), y1 = yMax ?? Math.max(...ys, 1e-9);
  if (y1 <= y0) y1 = y0 + 1;
  const sx = x => pad.left + (x - x0) / (x1 - x0) * (width - pad.left - pad.right);
  const sy = y => height - pad.bottom - (y - y0) / (y1 - y0) * (height - pad.top - pad.bottom);
  const add = (tag, attributes, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  add("text", { x: 8, y: 16, style: "font-weight:600;fill:#1d2330;font-size:13px" }, title);
  let legendX = 8;
  for (const s of series) {
    add("rect", { x: legendX, y: 24, width: 14, height: 3, fill: s.color });
    add("text", { x: legendX + 18, y: 29 }, s.name);
    legendX += 28 + 6.5 * s.name.length;
  }
  for (let i = 0; i <= 4; i++) {
    const y = y0 + (y1 - y0) * i / 4;
    add("line", { x1: pad.left, y1: sy(y), x2: width - pad.right, y2: sy(y), stroke: "#eef0f3" });
    add("text", { x: pad.left - 6, y: sy(y) + 4, "text-anchor": "end" }, y.toFixed(y1 - y0 < 2 ? 2 : 1));
  }
  const step = Math.max(1, Math.ceil((x1 - x0) / 8));
  for (let x = Math.ceil(x0); x <= x1; x += step) {
    add("line", { x1: sx(x), y1: sy(y0), x2: sx(x), y2: sy(y0) + 4, stroke: "#999" });
    add("text", { x: sx(x), y: sy(y0) + 16, "text-anchor": "middle" }, String(x));
  }
  add("line", { x1: pad.left, y1: sy(y0), x2: width - pad.right, y2: sy(y0), stroke: "#999" });
  add("line", { x1: pad.left, y1: sy(y0), x2: pad.left, y2: sy(y1), stroke: "#999" });
  add("text", { x: (pad.left + width - pad.right) / 2, y: height - 4, "text-anchor": "middle" }, xLabel);
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => (i ? "L" : "M") + sx(p[0]).toFixed(1) + "," + sy(p[1]).toFixed(1)).join("");
    add("path", { d, fill: "none", stroke: s.color, "stroke-width": 2, "data-series": s.name, "data-points": s.points.length });
  }
  return svg;
}

// An EmbeddingFigure's curve over the layers (0 = pixels): k-NN accuracy and trustworthiness.
function separabilityCurve(figure) {
  const curve = lineChart([
    { name: "k-NN accuracy", color: "#2563eb", points: figure.layers.map((l, k) => [k, l.knn_accuracy]) },
    { name: "trustworthiness", color: "#ea580c", points: figure.layers.map((l, k) => [k, l.trustworthiness]) },
  ], { title: "How well each layer separates the classes", yMin: 0, yMax: 1, xLabel: "layer (0 = pixels)" });
  curve.id = "separability-curve";
  return el("div", {}, curve, el("p", { class: "muted", text: figure.layers.map((l, k) => `${k} = ${l.layer}`).join(", ") }));
}

// Learning curves from epoch records: loss and accuracy charts side by side.
function learningCurves(records) {
  const line = (key) => records.filter(r => r[key] !== undefined && r[key] !== null && isFinite(r[key])).map(r => [r.epoch, r[key]]);
  return el("div", { class: "row" },
    lineChart([{ name: "train loss", color: "#2563eb", points: line("train_loss") },
               { name: "validation loss", color: "#dc2626", points: line("validation_loss") }], { title: "loss (cross-entropy)" }),
    lineChart([{ name: "train accuracy", color: "#2563eb", points: line("train_accuracy") },
               { name: "validation accuracy", color: "#dc2626", points: line("validation_accuracy") }], { title: "accuracy", yMin: 0, yMax: 1 }));
}

// The knobs of /api/settings (each declared once in the library), fetched once per page.
let settingsAnswer = null;
async function settings() {
  if (!settingsAnswer) settingsAnswer = (await api("/api/settings")).body;
  return settingsAnswer;
}

// A form input for one knob of /api/settings: its type, limits and help from the declaration, its
// value the default for `model` on the server's data (the recipe's own where it differs) until
// the person edits it; hidden for models it does not apply to.
function settingInput(setting, dataScale) {
  const attributes = { id: setting.key, name: setting.key };
  let input;
  if (setting.type === "choice") {
    input = el("select", attributes, ...setting.choices.map(value => el("option", { value, text: value })));
  } else if (setting.type === "switch") {
    input = el("input", { ...attributes, type: "checkbox" });
  } else {
    input = el("input", { ...attributes, type: "number", min: setting.min, max: setting.max, step: setting.type === "integer" ? 1 : "any", required: "" });
  }
  const range = setting.min !== undefined ? ` Allowed: ${setting.min} to ${setting.max}${setting.unit ? " " + setting.unit : ""}.` : "";
  const label = el("label", { title: setting.help + range }, setting.name, input);
  input.addEventListener("input", () => { input.dataset.edited = "1"; });
  const defaultFor = model => {
    const entry = (setting.per_model || []).find(e => e.model === model && e.data === dataScale);
    return entry ? entry.value : setting.default;
  };
  return {
    key: setting.key, input, label,
    applies: model => !setting.models || !model || setting.models.includes(model),
    showDefault(model) {
      label.hidden = !this.applies(model);
      if (input.dataset.edited) return;
      if (setting.type === "switch") input.checked = defaultFor(model); else input.value = defaultFor(model);
    },
    isDefault: model => String(setting.type === "switch" ? input.checked : input.value) === String(defaultFor(model)),
    value: () => setting.type === "switch" ? input.checked : setting.type === "choice" ? input.value : Number(input.value),
  };
}

function percent(value) { return (100 * value).toFixed(1) + "%"; }

// A probability for reading: percent with one decimal, "<0.1%" for the tiny ones.
function probabilityText(value) { return value >= 0.001 ? percent(value) : "<0.1%"; }

// Runs a page: waits for a model, draws the header, then `body(page, status)`; any failure is
// shown in the page's status line.
function startPage(current, body) {
  document.addEventListener("DOMContentLoaded", async () => {
    const page = document.getElementById("page"), status = document.getElementById("status");
    try {
      await waitForModels(status);
      await header(current);
      await body(page, status);
    } catch (error) {
      status.textContent = error.message;
      status.className = "error";
    }
  });
}
