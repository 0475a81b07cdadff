// Units: pick a layer and see every unit (its strongest patches in one thumbnail); pick a unit and
// see its top patches, the images they came from and their deconvnet and guided projections.
"use strict";

startPage("/units", async (page, status) => {
  let body;
  try {
    ({ body } = await api("/api/units"));
  } catch (error) {
    notApplicable(page, status, error);
    return offerOtherModels(page);
  }
  status.textContent = "What each unit responds to (Zeiler & Fergus 2014): the training images, or for a convolutional " +
    "layer the image patches its receptive field sees, that excite it most. Pick a layer, then a unit.";
  const layers = body.layers;
  const select = el("select", { id: "layer" }, ...layers.map(l => el("option", {
    value: l.name,
    text: `${l.name}: ${l.units} ${l.kind} units` + (l.receptive_field ? `, ${l.receptive_field}×${l.receptive_field} px patches` : ", whole images"),
  })));
  const params = new URLSearchParams(location.search);
  if (layers.some(l => l.name === params.get("layer"))) select.value = params.get("layer");
  const info = el("p", { id: "gallery-status", class: "muted" });
  const gallery = el("div", { class: "grid unit-gallery", id: "unit-gallery" });
  const activity = el("div", { id: "unit-activity" });
  const detail = el("div", { id: "unit-detail" });
  page.append(el("div", { class: "card" }, el("label", { text: "layer " }, select), info, activity, gallery), detail);
  const state = { request: 0 };
  select.addEventListener("change", () => showLayer(select.value, null, state));
  await showLayer(select.value, params.get("unit"), state);
});

// The gallery of one layer; then unit `unit` up close, if given.
async function showLayer(layer, unit, state) {
  const request = ++state.request;
  const info = document.getElementById("gallery-status"), gallery = document.getElementById("unit-gallery");
  gallery.replaceChildren();
  document.getElementById("unit-activity").replaceChildren();
  document.getElementById("unit-detail").replaceChildren();
  remember(layer, unit);
  const body = await whenReady(`/api/units/${encodeURIComponent(layer)}`, () => {
    info.textContent = `computing the units of ${layer} in the training images…`;
  });
  if (request !== state.request) return;
  const things = body.layer.kind === "dense" ? "images" : "patches";
  info.textContent = `Every unit of ${layer}, found in ${body.images} (${body.seconds.toFixed(1)} s). Each tile: the unit's ` +
    `strongest ${things}, strongest first, and its largest activation a with that image's class. Click a unit (or Tab to ` +
    `it and press Enter) for its top ${body.top_images} and their projections.`;
  const open = u => async () => {
    await showUnit(layer, u.unit, state);
    document.getElementById("unit-detail").scrollIntoView({ behavior: "smooth" });
  };
  const tile = u => activatable(el("figure", { "data-unit": u.unit, class: u.activity, title: `unit ${u.unit}` },
    el("img", { src: u.thumbnail, alt: `top patches of unit ${u.unit}` }),
    el("figcaption", {}, el("b", { text: `unit ${u.unit}` }),
       el("div", { text: `a = ${u.top.toPrecision(3)} · ${u.class}` }),
       ...(u.activity === "rare" ? [el("div", { class: "muted", text: `rare: fires on ${u.firing_images} of ${body.image_count}` })] : []))),
    open(u), `unit ${u.unit}`);
  // Dead units are named, never drawn: their "top" patches would be arbitrary ones at activation 0.
  const chip = u => activatable(el("span", { class: "unit-chip dead", "data-unit": u.unit, text: String(u.unit) }), open(u), `dead unit ${u.unit}`);
  const live = body.units.filter(u => u.activity !== "dead"), dead = body.units.filter(u => u.activity === "dead");
  gallery.append(...live.map(tile));
  const summary = document.getElementById("unit-activity");
  summary.replaceChildren(el("p", {}, el("b", { text: body.activity_summary }),
    " A unit fires on an image when its strongest activation there is above zero; rare: on fewer than 1% of the images."),
    ...(dead.length ? [el("div", { class: "unit-chips", id: "dead-units" }, el("span", { class: "muted", text: "dead units: " }), ...dead.map(chip))] : []));
  if (unit !== null && body.units.some(u => String(u.unit) === String(unit))) await showUnit(layer, Number(unit), state);
}

// One unit: for each top activation, the image with the receptive field outlined, the patch, and
// its deconvnet and guided backprop projections (one scale per rule for the unit).
async function showUnit(layer, unit, state) {
  const request = ++state.request;
  const detail = document.getElementById("unit-detail");
  for (const tile of document.querySelectorAll("#unit-gallery figure, #dead-units .unit-chip")) tile.classList.toggle("selected", tile.dataset.unit === String(unit));
  remember(layer, unit);
  const waiting = el("p", { class: "muted", text: `projecting unit ${unit}…` });
  detail.replaceChildren(el("div", { class: "card" }, waiting));
  let body;
  try {
    body = await whenReady(`/api/units/${encodeURIComponent(layer)}/${unit}`, () => { waiting.textContent = `computing the units of ${layer}…`; });
  } catch (error) {
    waiting.textContent = error.message;
    waiting.className = "error";
    return;
  }
  if (request !== state.request) return;
  if (body.activity === "dead") {
    detail.replaceChildren(el("div", { class: "card", id: "dead-unit" }, el("h2", { text: `${layer} unit ${unit}: dead` }),
      el("p", { text: `This unit ${body.activity_words}: its strongest activation is 0 on every one, so it passes nothing to ` +
        "the next layer and has no top images and nothing to project. (ReLU units can die in training: their input stays " +
        "below zero for every image.)" })));
    return;
  }
  const side = body.layer.receptive_field;
  const bars = el("div", { class: "row" }, colorBar(body.deconvnet_color_bar), colorBar(body.guided_color_bar));
  const rows = el("div", { class: "unit-rows", id: "unit-activations" }, ...body.activations.map((a, rank) => el("div", { class: "unit-row" },
    el("div", { class: "rank" }, el("b", { text: `#${rank + 1}` }), el("div", { text: `a = ${a.value.toPrecision(3)}` }),
       el("div", { text: a.class }), el("div", { class: "muted", text: `image ${a.dataset_index}` })),
    picture(boxed(a), "image"), picture(enlarged(el("img", { src: a.patch, alt: "patch" }), side), "patch"),
    picture(drawn(a.deconvnet, "deconvnet projection", side), "deconvnet"),
    picture(drawn(a.guided, "guided backprop projection", side), "guided backprop"))));
  const note = body.layer.kind === "dense"
    ? "A dense unit sees the whole image; its projection is drawn over the whole image."
    : `The outlined square is the ${body.layer.receptive_field}×${body.layer.receptive_field} px receptive field of the strongest position; ` +
      "patches cut by the image border are smaller.";
  detail.replaceChildren(el("div", { class: "card" },
    el("h2", { text: `${layer} unit ${unit}` }),
    el("p", { class: "muted", text: `Its top ${body.activations.length} activations in ${body.images}; it ${body.activity_words}` +
      (body.activity === "rare" ? " (rare: only those images are shown). " : ". ") + `${note} ` +
      "Projections take the activation back to pixels: the deconvnet passes max(R, 0) through every ReLU, guided backprop " +
      `also keeps only where the forward ReLU was on; red raises the unit, blue lowers it. Colours: ${body.scale_rule}.` }),
    bars, rows), featureVis(layer, unit, state, request));
}

// What the unit wants to see: the images gradient ascent makes for it (FeatureVisFigure, made in the
// background), beside its top natural patches at the same size, with how far each gets and the path check.
function featureVis(layer, unit, state, request) {
  const card = el("div", { class: "card feature-vis", id: "feature-vis" });
  const waiting = el("p", { class: "muted", text: `making the image unit ${unit} wants to see (gradient ascent)…` });
  card.append(el("h2", { text: `What ${layer} unit ${unit} wants to see` }), waiting);
  whenReady(`/api/units/${encodeURIComponent(layer)}/${unit}/feature-vis`, () => {}).then(figure => {
    if (request !== state.request) return;
    const side = 112;
    const synthetic = figure.images.map((image, k) => el("figure", { class: "fig" + (image.badge === "natural path" ? "" : " flagged"), "data-kind": "synthetic" },
      el("img", { class: "px", src: image.image, alt: `synthetic image ${k + 1} of unit ${unit}`, width: side, height: side }),
      el("figcaption", {}, el("b", { text: `synthetic ${k + 1}` }),
         el("div", { text: Number.isFinite(image.activation_ratio) ? `${image.activation_ratio.toFixed(2)}× the top natural` : "no natural image excites this unit" }),
         el("div", { text: `path check: ${image.badge}` }))));
    const natural = figure.natural.map(n => el("figure", { class: "fig", "data-kind": "natural" },
      el("img", { class: "px", src: n.patch, alt: `natural patch from image ${n.dataset_index}`, width: side, height: side }),
      el("figcaption", { text: `${n.class} · image ${n.dataset_index}` })));
    const first = figure.images[0];
    const table = el("table", { id: "path-check" }, el("tr", {}, el("th", { text: "layer" }),
      ...figure.images.map((_, k) => el("th", { text: `synthetic ${k + 1}: vs top natural / vs random` }))),
      ...first.path_similarity.map((row, r) => el("tr", {}, el("td", { text: row.layer }),
        ...figure.images.map(image => el("td", { text: `${image.path_similarity[r].value.toFixed(3)} / ${image.path_baseline[r].value.toFixed(3)}` })))));
    waiting.replaceWith(
      el("p", { class: "muted", text: `Made by ${figure.settings.steps} Adam steps on a Fourier-parametrised image under random jitter, ` +
        `scale and rotation (seed ${figure.settings.seed}; Olah et al. 2017), beside the natural patches that excite the unit most in ` +
        `${figure.searched}: people learn about as much from either (Zimmermann et al. 2021). Path check (Geirhos et al. 2023): ` +
        `per earlier layer, the synthetic image's activations rank-correlated with those of the top natural images and of random ones.` +
        (figure.field ? ` The objective is the channel at the centre position; each picture is the ${figure.field.full_size}×${figure.field.full_size}-pixel ` +
          `patch that position sees (its receptive field).` : "") }),
      el("div", { class: "figs" }, ...synthetic, ...natural), table);
  }).catch(error => {
    waiting.textContent = error.message;
    waiting.className = "error";
  });
  return card;
}

// Links to the models that have units, for a model that has none (the demo's first model is softmax regression).
async function offerOtherModels(page) {
  const { body } = await api("/api/models");
  const answers = await Promise.all(body.models.map(m => fetch("/api/units?model=" + encodeURIComponent(m.id)).then(r => r.ok ? m.id : null)));
  const others = answers.filter(id => id);
  if (!others.length) return;
  const links = others.flatMap((id, k) => [k ? ", " : "", el("a", { href: "/units?model=" + encodeURIComponent(id), text: id })]);
  page.append(el("p", { id: "models-with-units" }, "Models with units to show: ", ...links));
}

function remember(layer, unit) {
  const url = new URL(location.href);
  url.searchParams.set("layer", layer);
  if (unit === null || unit === undefined) url.searchParams.delete("unit"); else url.searchParams.set("unit", unit);
  history.replaceState(null, "", url);
}

function picture(content, caption) { return el("figure", {}, content, el("figcaption", { text: caption })); }

// Enlarges a picture by a whole factor: by `side` (a layer's receptive field, so that every patch of
// the layer is drawn at one scale and border-cut ones look smaller), else by its own larger side.
function enlarged(image, side) {
  image.addEventListener("load", () => {
    const factor = Math.max(1, Math.round(112 / (side || Math.max(image.naturalWidth, image.naturalHeight))));
    image.width = image.naturalWidth * factor;
    image.height = image.naturalHeight * factor;
  });
  return image;
}

function drawn(map, alt, side) {
  return map.image ? enlarged(el("img", { src: map.image, alt }), side) : placeholder(map.problem, 112);
}

// The whole image with the activation's receptive field outlined.
function boxed(activation) {
  const image = enlarged(el("img", { src: activation.image, alt: `image ${activation.dataset_index}` }));
  const wrapper = el("div", { class: "boxed" }, image);
  const box = activation.box;
  if (box) {
    image.addEventListener("load", () => {
      const [w, h] = [image.naturalWidth, image.naturalHeight];
      const outline = el("div", { class: "box" });
      Object.assign(outline.style, { left: `${100 * box.left / w}%`, top: `${100 * box.top / h}%`,
                                     width: `${100 * box.width / w}%`, height: `${100 * box.height / h}%` });
      wrapper.append(outline);
    });
  }
  return wrapper;
}
