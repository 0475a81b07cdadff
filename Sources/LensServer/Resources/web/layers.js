// Layers: one image through the network (as CNN Explainer shows it). Pick a test image or drop
// one; each convolutional block's output appears as one small tile per channel, all tiles of a
// layer on one gray scale. A tile is a unit: clicking it (or Enter on it) opens that unit's page.
"use strict";

startPage("/layers", async (page, status) => {
  try {
    await api("/api/units");  // a model without convolutional layers says so here
  } catch (error) {
    return notApplicable(page, status, error);
  }
  status.textContent = "Pick a test image (or drop your own) to see what every convolutional layer makes of it: one tile per " +
    "channel, white where the channel responds most strongly in its layer. Click a tile to open that unit.";
  const input = el("input", { type: "file", id: "layers-file", accept: "image/*,.pgm" });
  const drop = el("div", { class: "drop", id: "layers-drop" }, el("p", { text: "drop an image here" }), input);
  const samples = el("div", { class: "grid thumbs", id: "layers-samples" });
  const result = el("div", { id: "layers-result" });
  page.append(el("div", { class: "row" }, drop, el("div", { class: "card", style: "flex:1" }, el("h2", { text: "Test images" }), samples)), result);
  drop.addEventListener("dragover", event => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", event => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) showLayers(event.dataTransfer.files[0], result, null);
  });
  input.addEventListener("change", () => { if (input.files.length) showLayers(input.files[0], result, null); });
  const items = await poll(() => api("/api/samples").then(answer => answer.body, error => { samples.textContent = error.message; }));
  const open = async item => showLayers(await (await fetch(item.image)).blob(), result, item.index);
  for (const item of items) {
    samples.append(activatable(el("img", { src: item.image, alt: item.actual, title: `${item.actual} (test image #${item.index})` }),
                               () => open(item), `test image #${item.index} (${item.actual}) through the layers`));
  }
  // A permalink (?image=N) reopens the same test image.
  const chosen = items.find(item => String(item.index) === new URLSearchParams(location.search).get("image"));
  if (chosen) await open(chosen);
});

async function showLayers(file, target, index) {
  const url = new URL(location.href);
  if (index === null) url.searchParams.delete("image"); else url.searchParams.set("image", index);
  history.replaceState(null, "", url);
  target.replaceChildren(el("p", { class: "muted", text: "computing…" }));
  let body;
  try {
    ({ body } = await post("/api/layers", file));
  } catch (error) {
    target.replaceChildren(el("p", { class: "error", id: "layers-error", text: error.message }));
    return;
  }
  const head = el("div", { class: "card row", id: "layers-input" },
    el("figure", {}, el("img", { src: body.input, alt: "input as the model sees it", width: 112, height: 112 }),
       el("figcaption", { text: "input as the model sees it" })),
    el("div", {}, el("h2", { id: "layers-predicted", text: `predicted: ${body.predicted}` }),
       el("p", { class: "muted", text: `Colours: ${body.scale_rule}. A black tile: that unit is silent on this image.` })));
  const cards = body.layers.map(l => {
    const tiles = el("div", { class: "layer-maps", "data-layer": l.layer.name }, ...l.tiles.map(t => activatable(
      el("figure", { "data-unit": t.unit, title: `unit ${t.unit}: peak ${t.peak.toPrecision(3)}` },
         el("img", { src: t.image, alt: `unit ${t.unit} of ${l.layer.name}` }), el("figcaption", { text: String(t.unit) })),
      () => { location.href = withModel(`/units?layer=${encodeURIComponent(l.layer.name)}&unit=${t.unit}`); },
      `open unit ${t.unit} of ${l.layer.name}`)));
    return el("div", { class: "card" },
      el("h2", { text: `${l.layer.name}: ${l.tiles.length} channels of ${l.height}×${l.width}` }),
      el("p", { class: "muted", text: `Receptive field ${l.layer.receptive_field}×${l.layer.receptive_field} px; white = ${l.high.toPrecision(3)}; ` +
        `${l.silent} of ${l.tiles.length} channels silent on this image.` }), tiles);
  });
  target.replaceChildren(head, ...cards);
}
