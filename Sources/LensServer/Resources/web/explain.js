// Explain: drop or pick an image; the prediction with every class's probability, every attribution
// map drawn over the image (opacity slider, overlay toggle) on the report's scale per method family
// (one shared colour scale a switch away) with its verdict, and the nearest training images. The
// verdicts' trust checks run once per model in the background: the page shows "checking…" and
// polls /api/trust until they are ready.
"use strict";

// The view's choices are remembered across images and visits: a scale per family, maps over the
// image at 60% unless changed. (The key is new: the old one remembered the former shared default.)
const explainState = {
  trust: null, trustProblem: null,
  scales: localStorage.getItem("lens-explain-scale") || "groups",
  overlay: localStorage.getItem("lens-explain-overlay") !== "off",
  opacity: Number(localStorage.getItem("lens-explain-opacity") || 60),
};

startPage("/explain", async (page, status) => {
  status.textContent = "Drop an image (PNG, JPEG or PGM) on the box, choose a file, or click a test image.";
  const input = el("input", { type: "file", id: "file", accept: "image/*,.pgm" });
  const drop = el("div", { class: "drop", id: "drop" }, el("p", { text: "drop an image here" }), input);
  const samples = el("div", { class: "grid thumbs", id: "samples" });
  const result = el("div", { id: "result" });
  page.append(el("div", { class: "row" }, drop, el("div", { class: "card", style: "flex:1" }, el("h2", { text: "Test images" }), samples)),
              await settingsCard(result), result);
  drop.addEventListener("dragover", event => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", event => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) { explainState.sample = null; explain(event.dataTransfer.files[0], result); }
  });
  input.addEventListener("change", () => { if (input.files.length) { explainState.sample = null; explain(input.files[0], result); } });
  loadSamples(samples, result);
  watchTrust();
});

// The methods' settings the page lets a person turn: inputs, limits and defaults from /api/settings
// (the library's declarations, as `lens explain`'s flags); a change explains the last image again.
const explainSettingKeys = ["integration_steps", "baseline", "smooth_grad_samples", "smooth_grad_noise", "occlusion_window", "occlusion_stride"];

async function settingsCard(result) {
  const known = await settings();
  explainState.fields = explainSettingKeys.map(key => settingInput(known.attribution.find(s => s.key === key), known.data_scale));
  for (const field of explainState.fields) field.showDefault(null);
  const form = el("form", { class: "settings", id: "explain-settings", style: "margin-top:.6rem" }, ...explainState.fields.map(field => field.label));
  form.addEventListener("submit", event => event.preventDefault());
  form.addEventListener("change", () => { if (explainState.file && form.reportValidity()) explain(explainState.file, result); });
  return el("details", { class: "card" }, el("summary", { text: "Method settings (integrated gradients, SmoothGrad, occlusion)" }), form);
}

// The settings that differ from their defaults, as query parameters.
function settingsQuery() {
  return (explainState.fields || []).filter(field => !field.isDefault(null))
    .map(field => "&" + encodeURIComponent(field.key) + "=" + encodeURIComponent(field.value())).join("");
}

async function loadSamples(target, result) {
  const samples = await poll(() => api("/api/samples").then(answer => answer.body, error => { target.textContent = error.message; }));
  target.textContent = "";
  for (const item of samples) {
    const img = el("img", { src: item.image, alt: item.actual, title: `${item.actual} (test image #${item.index})` });
    activatable(img, async () => {
      explainState.sample = item.index;
      await explain(await (await fetch(item.image)).blob(), result);
    }, `explain test image #${item.index} (${item.actual})`);
    target.append(img);
  }
  // A permalink (?image=N&class=C&method=M) reopens that test image, class and map.
  const chosen = samples.find(item => String(item.index) === new URLSearchParams(location.search).get("image"));
  if (chosen) {
    explainState.sample = chosen.index;
    explainState.linkedClass = new URLSearchParams(location.search).get("class");
    await explain(await (await fetch(chosen.image)).blob(), result);
  } else if (new URLSearchParams(location.search).get("image") !== null) {
    // a test image opened from the Embedding page, which holds every test image's picture
    const wanted = Number(new URLSearchParams(location.search).get("image"));
    const { status, body } = await api("/api/embedding").catch(() => ({ status: 0 }));
    const k = status === 200 ? body.dataset_indices.indexOf(wanted) : -1;
    if (k >= 0 && body.thumbnails[k]) {
      explainState.sample = wanted;
      await explain(await (await fetch(body.thumbnails[k])).blob(), result);
    }
  }
}

// Polls the model's trust record until it is ready (202 while the checks run), updating every badge shown.
async function watchTrust() {
  explainState.progress = progressLine("checking the maps");
  explainState.progress.id = "trust-progress";
  try {
    explainState.trust = await whenReady("/api/trust", body => explainState.progress.update(body.progress));
  } catch (error) {
    explainState.trustProblem = error.message;  // a k-NN model has no maps to check
  }
  refreshBadges();
}

async function explain(file, target) {
  explainState.file = file;
  target.replaceChildren(el("p", { class: "muted", text: "computing…" }));
  try {
    const [prediction, explanation] = await Promise.all([
      post("/api/predict", file),
      post("/api/explain?method=all" + settingsQuery(), file).catch(error => ({ error })),
    ]);
    // Classes in natural order (s1, s2 … s10), each with its probability.
    const choice = el("select", { id: "target-class" });
    const probability = new Map(prediction.body.classes.map(entry => [entry.class, entry.probability]));
    for (const name of prediction.body.class_order) {
      choice.append(el("option", { value: name, text: `${name} (${probabilityText(probability.get(name))})` }));
    }
    choice.addEventListener("change", async () => {
      const card = document.getElementById("maps-card");
      try {
        const again = await post("/api/explain?class=" + encodeURIComponent(choice.value) + settingsQuery(), file);
        card.replaceWith(mapsCard(again.body, choice));
      } catch (error) {
        card.replaceChildren(el("p", { class: "error", text: error.message }));
      }
    });
    // The answer and what the input is alike to side by side; the maps below, at the page's full width.
    const nearest = el("div", { class: "card", id: "nearest-card", style: "flex:1" }, el("h2", { text: "Nearest training images" }));
    let maps;
    if (explanation.error) {
      maps = el("p", { class: "error", text: explanation.error.message });
      showNearest(nearest, null, "computing", file);
    } else {
      maps = mapsCard(explanation.body, choice);
      showNearest(nearest, explanation.body.nearest, explanation.body.nearest_status, file);
    }
    target.replaceChildren(el("div", { class: "row" }, predictionCard(prediction.body), nearest), maps);
    const linked = explainState.linkedClass;
    explainState.linkedClass = null;
    if (linked && linked !== choice.value && [...choice.options].some(o => o.value === linked)) {
      choice.value = linked;
      choice.dispatchEvent(new Event("change"));
    }
  } catch (error) {
    target.replaceChildren(el("p", { class: "error", id: "explain-error", text: error.message }));
  }
}

function predictionCard(p) {
  const table = el("table", { class: "probabilities", id: "probabilities" });
  for (const entry of p.classes.slice(0, 10)) {
    const bar = el("div", { class: "bar" });
    bar.style.width = Math.max(1, 200 * entry.probability) + "px";
    table.append(el("tr", {}, el("td", { class: "class-name", text: entry.class }), el("td", {}, bar),
                    el("td", { class: "probability", "data-probability": entry.probability, text: probabilityText(entry.probability) })));
  }
  const sum = p.classes.reduce((total, entry) => total + entry.probability, 0);
  const card = el("div", { class: "card", id: "prediction" },
    el("h2", { id: "predicted", text: `predicted: ${p.predicted}` }),
    el("p", { class: "muted", text: `top ${Math.min(10, p.classes.length)} of ${p.classes.length} classes (probabilities sum to ${sum.toFixed(3)})` }),
    table);
  card.dataset.sum = sum;
  card.dataset.classes = JSON.stringify(p.classes);
  return card;
}

// The maps of one explanation side by side, each over the image (the original first), per family
// or on the shared scale, with their verdicts.
function mapsCard(e, choice) {
  choice.value = e.target;
  const maps = el("div", { class: "grid maps", id: "maps" },
    el("figure", { class: "input" }, el("img", { src: e.input, alt: "input as the model sees it" }), el("figcaption", { text: "input as the model sees it" })));
  for (const map of e.maps) {
    const picture = map.image
      ? overlaid(e.input, map.image, map.title, { title: map.summary, "data-shared": map.image, "data-group": map.group_image })
      : placeholder(map.problem, 192);
    const figure = el("figure", { class: "map", "data-method": map.method, "data-scale-group": map.scale_group }, picture,
      el("figcaption", {}, el("b", { text: map.title }), el("br"),
         el("small", { text: `${map.reduction} · peak ${number(map.max_magnitude)}` }), el("br"),
         badge(map)));
    maps.append(figure);
  }
  const bars = el("div", { class: "colorbars", id: "colorbars" });
  const switcher = el("select", { id: "scale-mode" },
    el("option", { value: "shared", text: "one scale for every map" }),
    el("option", { value: "groups", text: "a scale per method family (as in the report)" }));
  switcher.value = explainState.scales;
  const note = el("p", { class: "muted", id: "scale-note" });
  const show = () => {
    explainState.scales = switcher.value;
    localStorage.setItem("lens-explain-scale", switcher.value);
    const shared = switcher.value === "shared";
    for (const img of maps.querySelectorAll("figure.map img.layer")) img.src = shared ? img.dataset.shared : img.dataset.group;
    const scales = shared ? [e.shared_scale] : e.group_scales;
    bars.replaceChildren(...scales.map(scale => {
      const figure = el("figure", { class: "cbar", "data-group": scale.group }, el("figcaption", { text: scale.label }));
      figure.insertAdjacentHTML("beforeend", scale.color_bar);  // LensRender's ColorBar: SVG the server made, no user text
      return figure;
    }));
    note.textContent = shared
      ? "Every map on one colour scale, so their strengths compare directly. The scale is logarithmic, because the methods' values differ by orders of magnitude (occlusion's score drops dwarf a gradient): equal steps of colour are equal factors of ten, and weak maps fade. Switch back to a scale per family for each family's detail."
      : "Each method family on its own linear scale, as in the report: the gradient maps share one (a map too faint to read on it gets its own, its bar saying how much weaker), every other method has its own, so compare strengths only within a family. The shared scale (a switch away) compares every map's strength at once.";
  };
  switcher.addEventListener("change", show);
  show();
  const overlay = overlayControls(maps);
  const legend = el("p", { class: "note" });
  legend.innerHTML = e.legend;  // LensRender's colour legend (fixed text)
  const trust = el("p", { class: "muted", id: "trust-note" });
  trustNote(trust);
  return withFileTools(e, el("div", { class: "card", id: "maps-card" },
    el("h2", { text: "Why this class?" }),
    el("div", { class: "row controls" }, el("label", { text: "explaining class " }, choice), el("label", { text: "colour scale " }, switcher),
       ...overlay),
    legend, bars, note, maps, trust));
}

// The overlay toggle and the maps' opacity over the image, applied to every map of `maps` at once.
function overlayControls(maps) {
  const toggle = el("input", { type: "checkbox", id: "overlay-toggle" });
  toggle.checked = explainState.overlay;
  const slider = el("input", { type: "range", id: "overlay-opacity", min: "0", max: "100", step: "5", value: String(explainState.opacity),
                               "aria-label": "opacity of the maps over the image" });
  const shown = el("span", { id: "overlay-opacity-value" });
  const apply = () => {
    explainState.overlay = toggle.checked;
    explainState.opacity = Number(slider.value);
    localStorage.setItem("lens-explain-overlay", toggle.checked ? "on" : "off");
    localStorage.setItem("lens-explain-opacity", slider.value);
    maps.classList.toggle("overlaid", toggle.checked);
    maps.style.setProperty("--map-opacity", String(explainState.opacity / 100));
    slider.disabled = !toggle.checked;
    shown.textContent = `${slider.value}%`;
  };
  toggle.addEventListener("change", apply);
  slider.addEventListener("input", apply);
  apply();
  return [el("label", { class: "inline" }, toggle, "maps over the image"),
          el("label", { class: "inline" }, "map opacity ", slider, shown)];
}

// A map's verdict: its method's trust record on this model in plain words (the figures behind it
// one click away), IG's convergence delta, or why the map cannot be drawn.
function badge(map) {
  const span = el("span", { class: "badge", "data-method": map.method, tabindex: "0", role: "button", "aria-expanded": "false" });
  const toggle = () => {
    span.dataset.open = span.dataset.open === "yes" ? "" : "yes";
    span.setAttribute("aria-expanded", String(span.dataset.open === "yes"));
    fillBadge(span);
  };
  span.addEventListener("click", toggle);
  span.addEventListener("keydown", event => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(); } });
  span.dataset.delta = map.convergence_delta ?? "";
  span.dataset.problem = map.problem ?? "";
  fillBadge(span);
  return span;
}

function fillBadge(span) {
  const delta = span.dataset.delta ? ` · δ = ${number(Number(span.dataset.delta))}` : "";
  if (span.dataset.problem) {
    span.dataset.state = "unusable";
    span.textContent = "map unusable" + delta;
    return;
  }
  const trust = explainState.trust;
  if (trust) {
    const record = trust.methods.find(m => m.method === span.dataset.method);
    span.dataset.state = record ? record.standing : "undetermined";
    span.textContent = (record ? record.words : "no record for this method") + delta;
    if (record && span.dataset.open === "yes") span.append(el("span", { class: "figures", text: `${record.line} (measured on ${trust.measured_on})` }));
    span.title = record ? "click for the figures" : "";
  } else if (explainState.trustProblem) {
    span.dataset.state = "undetermined";
    span.textContent = "not checked" + delta;
    span.title = explainState.trustProblem;
  } else {
    span.dataset.state = "checking";
    span.textContent = "checking…" + delta;
  }
}

function refreshBadges() {
  for (const span of document.querySelectorAll(".badge")) fillBadge(span);
  const note = document.getElementById("trust-note");
  if (note) trustNote(note);
}

function trustNote(note) {
  const trust = explainState.trust;
  note.textContent = trust
    ? `Verdicts: each method's record on this model in words, measured once on ${trust.measured_on} (${trust.seconds.toFixed(1)} s); click a verdict for its figures. ${trust.rule ?? ""} δ: integrated gradients' convergence delta for this image (the maps' sum minus the score's change).`
    : explainState.trustProblem
      ? `No badges: ${explainState.trustProblem}`
      : "Badges: the trust checks (model randomisation and insertion curves on a few test images) run once per model in the background; the badges fill in when they are done. ";
  if (!trust && !explainState.trustProblem && explainState.progress) note.append(explainState.progress);
}

// The nearest training images in the model's own space, polling while the model's index is built.
async function showNearest(card, nearest, status, file) {
  const body = el("div", { id: "nearest" });
  card.append(body);
  if (!nearest) {
    if (status !== "computing") {
      body.replaceChildren(el("p", { class: "muted", text: status }));
      return;
    }
    body.replaceChildren(el("p", { class: "muted", text: "indexing the training images…" }));
    try {
      nearest = await whenReady("/api/nearest", () => {}, file, 500);
    } catch (error) {
      body.replaceChildren(el("p", { class: "muted", text: error.message }));
      return;
    }
  }
  const flag = nearest.unusual
    ? el("p", { class: "unusual", id: "unusual", text: `Unusual: flagged when its nearest training image is farther than ${number(nearest.unusual_above)}, ${nearest.unusual_margin}% above the ${nearest.unusual_percentile}th percentile of the ${nearest.calibration} images' nearest distances${nearest.profile_rule} (percentile ${nearest.percentile.toFixed(0)}); whatever the label, nothing in training looks like it.` })
    : el("p", { class: "muted", id: "unusual", text: `Percentile ${nearest.percentile.toFixed(0)} of the ${nearest.calibration} images' nearest distances: not unusual (flagged over ${number(nearest.unusual_above)}, ${nearest.unusual_margin}% above their ${nearest.unusual_percentile}th percentile${nearest.profile_rule}).` });
  const grid = el("div", { class: "grid thumbs-large" });
  for (const n of nearest.neighbours) {
    grid.append(el("figure", { class: "neighbour" }, el("img", { src: n.image, alt: `training image ${n.index}` }),
      el("figcaption", { text: `${n.class} · d = ${number(n.distance)}` })));
  }
  body.replaceChildren(el("p", { class: "muted", text: `The ${nearest.neighbours.length} nearest by ${nearest.metric} distance between ${nearest.space}, the space this model compares images in: what the input is alike to, for this model.` }), flag, grid);
}

// Three significant digits, in exponent form only for very small or large values.
function number(value) {
  const size = Math.abs(value);
  return size === 0 || (size >= 0.01 && size < 10000) ? String(Number(value.toPrecision(3))) : value.toExponential(1);
}

// Downloads and permalinks. Each map gets two buttons: its picture laid over the image (PNG, on
// its family's scale) and its raw signed values (NPY, [C, H, W] float32), both computed again by
// the server from the same image, class and settings. The permalink reopens this model, test
// image, class and map; an image of your own has no permalink (the server keeps no uploads).
function withFileTools(e, card) {
  for (const figure of card.querySelectorAll("figure.map")) {
    const method = figure.dataset.method;
    // A map that cannot be drawn (NaN, constant) has no overlay; its raw values still download.
    const formats = figure.querySelector(".nomap") ? ["npy"] : ["png", "npy"];
    const buttons = formats.map(format => el("button", { type: "button", class: "secondary download", "data-format": format,
      text: format === "png" ? "PNG overlay" : "NPY raw map", title: `download ${method}'s map of this image as ${format.toUpperCase()}` }));
    for (const button of buttons) button.addEventListener("click", () => saveMapFile(method, button.dataset.format, e.target, button));
    figure.append(el("div", { class: "downloads" }, ...buttons));
  }
  contrastPicker(e, card);
  const url = new URL(location.href);
  for (const key of ["image", "class", "method"]) url.searchParams.delete(key);
  if (explainState.sample !== null && explainState.sample !== undefined) {
    url.searchParams.set("image", explainState.sample);
    url.searchParams.set("class", e.target);
    const link = el("a", { class: "permalink", id: "permalink", href: url.toString(), text: "link to this view" });
    card.querySelector("h2").after(el("p", { class: "permalink" }, link, " (this model, test image, class; click a map's title to add it)"));
    for (const figure of card.querySelectorAll("figure.map")) {
      figure.querySelector("figcaption b").addEventListener("click", () => {
        url.searchParams.set("method", figure.dataset.method);
        link.href = url.toString();
        history.replaceState(null, "", url);
      });
    }
    const wanted = new URLSearchParams(location.search).get("method");
    const figure = wanted && card.querySelector(`figure.map[data-method="${CSS.escape(wanted)}"]`);
    if (figure) { figure.classList.add("linked"); url.searchParams.set("method", wanted); link.href = url.toString(); }
  }
  history.replaceState(null, "", url);
  return card;
}

// The file of `method`'s map of the current image, as a Blob (the server answers PNG or NPY bytes).
async function fetchMapFile(method, format, target) {
  const query = `/api/explain/download?method=${encodeURIComponent(method)}&format=${format}&class=${encodeURIComponent(target)}` + settingsQuery();
  const body = explainState.file;
  const response = await fetch(withModel(query), { method: "POST", headers: { "Content-Type": body.type && body.type.startsWith("image/") ? body.type : "application/octet-stream" }, body });
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || `status ${response.status}`);
  const name = (/filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "") || [])[1] || `${method}.${format}`;
  return { blob: await response.blob(), name };
}

async function saveMapFile(method, format, target, button) {
  button.disabled = true;
  try {
    const { blob, name } = await fetchMapFile(method, format, target);
    const link = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (error) {
    button.after(el("span", { class: "error", text: ` ${error.message}` }));
  } finally {
    button.disabled = false;
  }
}

// The class picker's second class: the maps of the explained class and of the second one side by
// side, the map of their difference (logit of one minus the other, one gradient pass) and a
// training photo of each (/api/contrast, the library's MistakeContrast figure).
function contrastPicker(e, card) {
  const against = el("select", { id: "against-class" }, el("option", { value: "", text: "— none —" }),
    ...e.prediction.classes.map(entry => entry.class).filter(name => name !== e.target).map(name => el("option", { value: name, text: name })));
  const methods = e.maps.filter(m => !m.problem).map(m => m.method);
  const method = el("select", { id: "contrast-method" }, ...methods.map(name => el("option", { value: name, text: name })));
  if (methods.includes("integrated-gradients")) method.value = "integrated-gradients";
  const target = el("div", { id: "contrast" });
  const show = async () => {
    if (!against.value) return target.replaceChildren();
    target.replaceChildren(el("p", { class: "muted", text: `explaining ${e.target} rather than ${against.value}…` }));
    try {
      const body = await whenReady(`/api/contrast?class=${encodeURIComponent(e.target)}&against=${encodeURIComponent(against.value)}` +
        `&method=${encodeURIComponent(method.value)}` + settingsQuery(), () => {}, explainState.file);
      target.replaceChildren(contrastCard(body));
    } catch (error) {
      target.replaceChildren(el("p", { class: "error", text: error.message }));
    }
  };
  against.addEventListener("change", show);
  method.addEventListener("change", show);
  const controls = card.querySelector(".controls");
  (controls || card).append(el("label", { text: "rather than " }, against), el("label", { text: "contrast by " }, method));
  card.append(target);
}

function contrastCard(c) {
  const map = (drawn, caption) => pictureCard(drawn, caption, [], { size: 160 });
  return el("div", { class: "card", id: "contrast-card" },
    el("h2", { text: `${c.predicted} rather than ${c.truth}` }),
    el("p", { class: "muted", text: `${c.method_title}: the map for each class and the map of logit(${c.predicted}) − logit(${c.truth}) ` +
      `(margin ${number(c.margin)}), laid over the image; red pushes towards ${c.predicted}, blue towards ${c.truth}. Colours: ${c.scale_rule}.` }),
    colorBar(c.color_bar),
    el("div", { class: "grid maps" }, map(c.predicted_map, `${c.predicted}`), map(c.true_map, `${c.truth}`),
       map(c.difference_map, `${c.predicted} − ${c.truth}`),
       pictureCard(c.predicted_photo, `a training photo of ${c.predicted}`, [], { size: 160 }),
       pictureCard(c.true_photo, `a training photo of ${c.truth}`, [], { size: 160 })));
}
