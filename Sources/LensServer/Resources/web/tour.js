// Tour: the lecture's steps in order (GET /api/lecture, the text `lens demo`'s report prints), each
// with the same figure the app's page for it shows, drawn from the demo's served models, and a
// link to that page. A step whose model is not served here says so and links on.
"use strict";

startPage("/tour", async (page, status) => {
  const lecture = await api("/api/lecture").then(answer => answer.body);
  status.textContent = "The lecture step by step, with the figures of the demo's models. Each step links to the page that shows more.";
  const list = el("ol", { class: "steps", id: "steps" });
  page.append(list);
  const samples = api("/api/samples?model=orl-cnn").then(answer => answer.body).catch(() => []);
  for (const step of lecture.steps) {
    const figure = el("div", { class: "tour-figure", id: `figure-${step.id}` });
    const links = el("p", { class: "muted" });
    if (step.app_page) {
      const href = step.app_page + (step.model ? (step.app_page.includes("?") ? "&" : "?") + "model=" + encodeURIComponent(step.model) : "");
      links.append(el("a", { href, text: "open this in the app" }));
    }
    if (step.report_page) links.append(step.app_page ? " · " : "", `in the demo's report: ${step.report_page}`);
    list.append(el("li", { id: `step-${step.id}` }, el("h2", { text: step.title }), el("p", { text: step.text }), figure, links));
    const draw = tourFigures[step.id];
    if (draw) draw(figure, step, samples).catch(error => figure.replaceChildren(el("p", { class: "muted",
      text: `No figure here: ${error.message}.` })));
  }
});

// One function per step that has a figure: each asks the API the app's own page asks.
const tourFigures = {
  async embedding(figure, step) {
    figure.append(el("p", { class: "muted", text: "placing the test faces at every layer…" }));
    const body = await whenReady(`/api/embedding?model=${step.model}`, () => {}, undefined, 2000);
    figure.replaceChildren(separabilityCurve(body));
  },
  async vectors(figure, step, samples) {
    const sample = (await samples)[0];
    if (!sample) return;
    figure.append(el("div", { class: "grid thumbs-large" }, pictureCard(sample.image, sample.actual, ["one test image: a vector of its pixels"])));
  },
  async nearest(figure, step, samples) {
    const sample = (await samples)[0];
    if (!sample) return;
    const file = await (await fetch(sample.image)).blob();
    figure.append(el("p", { class: "muted", text: "indexing the training images…" }));
    const nearest = await whenReady(`/api/nearest?model=${step.model}`, () => {}, file, 700);
    figure.replaceChildren(el("div", { class: "grid thumbs-large" }, pictureCard(sample.image, `input: ${sample.actual}`,
        [nearest.unusual ? "unusual" : `percentile ${nearest.percentile.toFixed(0)}`]),
      ...nearest.neighbours.map(n => pictureCard(n.image, n.class, [`d = ${n.distance.toPrecision(3)}`]))));
  },
  async templates(figure) {
    for (const model of ["orl-softmax", "orl-mlp"]) {
      const body = await whenReady(`/api/templates?model=${model}`, () => {});
      const pictures = new Map(body.pictures.map(p => [p.index, p]));
      const likeness = body.likeness ? ` · ${body.likeness.label} ${body.likeness.mean.toFixed(2)}` : "";
      figure.append(el("h3", { text: body.title + likeness }), el("p", { class: "muted", text: body.lecture }),
        el("div", { class: "grid templates" }, ...body.grid.slice(0, 10).map(index => pictureCard(pictures.get(index).drawn, pictures.get(index).caption))),
        colorBar(body.color_bar));
    }
  },
  async curves(figure) {
    const overview = await whenReady("/api/overview?model=orl-mlp", () => {});
    if (overview.history.length) figure.append(el("h3", { text: "MLP 300" }), learningCurves(overview.history));
  },
  async units(figure, step) {
    const { body } = await api(`/api/units?model=${step.model}`);
    const layer = body.layers[0];
    figure.append(el("p", { class: "muted", text: `finding the units of ${layer.name}…` }));
    const gallery = await whenReady(`/api/units/${encodeURIComponent(layer.name)}?model=${step.model}`, () => {});
    const live = gallery.units.filter(u => u.activity !== "dead");
    figure.replaceChildren(el("h3", { text: `${layer.name}: the first ${Math.min(12, live.length)} of ${gallery.units.length} units that fire, their top patches` }),
      el("p", { class: "note", text: gallery.activity_summary }),
      el("div", { class: "grid unit-gallery" }, ...live.slice(0, 12).map(u => pictureCard(u.thumbnail, `unit ${u.unit}`, [`top ${u.top.toPrecision(3)}`]))));
  },
  async maps(figure, step, samples) {
    const sample = (await samples)[0];
    if (!sample) return;
    const file = await (await fetch(sample.image)).blob();
    const { body } = await post(`/api/explain?model=${step.model}&method=gradcam`, file);
    const map = body.maps[0];
    const scale = body.group_scales.find(s => s.group === map.scale_group);
    const over = map.group_image
      ? el("figure", {}, overlaid(body.input, map.group_image, map.title), el("figcaption", {}, el("b", { text: map.title }), el("div", { text: `${map.reduction}, over the image` })))
      : pictureCard({ problem: map.problem }, map.title, [map.reduction]);
    figure.append(el("div", { class: "grid maps overlaid" }, pictureCard(body.input, `says ${body.prediction.predicted}`), over),
                  scale ? colorBar(scale.color_bar) : "");
  },
  async trust(figure, step) {
    const progress = progressLine("checking the maps (model randomisation and insertion curves, once per model)");
    figure.append(progress);
    const trust = await whenReady(`/api/trust?model=${step.model}`, body => progress.update(body.progress));
    figure.replaceChildren(el("ul", { class: "verdicts" }, ...trust.methods.map(verdictItem)),
      el("p", { class: "note", text: `Measured on ${trust.measured_on}; click a verdict for its figures.` }));
  },
};
