// Templates: softmax regression's class templates, an MLP's hidden templates and the units voting
// for each class, or a CNN's first-layer filters, all on the model's one red/blue scale, with the
// likeness of the templates to the class means.
"use strict";

const templateKinds = {
  "class-weights": ["Class templates (softmax regression)",
    "Softmax regression scores each class by the dot product of the image with that class's weights; the largest score " +
    "wins. The weights have the shape of an image: one template per class. Red pixels raise the class's score, blue ones " +
    "lower it, white is zero."],
  "hidden-units": ["Hidden-unit templates (MLP)",
    "Each hidden unit matches the image against its own template (a row of W1); the output layer's weights W2[class, unit] " +
    "say how much each unit votes for each class. Red pixels excite the unit, blue ones inhibit it, white is zero."],
  "filters": ["First-layer filters (CNN)",
    "A convolutional network's first layer slides small filters over the image, channels summed here; edge and blob " +
    "detectors show as red/blue stripes and spots."],
};

startPage("/templates", async (page, status) => {
  let body;
  try {
    body = await whenReady("/api/templates", () => { status.textContent = "computing the templates and their likeness to the class means…"; });
  } catch (error) {
    return notApplicable(page, status, error);
  }
  const [title, lecture] = templateKinds[body.kind] || [body.kind, ""];
  const noun = body.kind === "filters" ? "filters" : "templates";
  status.textContent = `${body.layer}: ${body.count} ${noun}` + (body.grid.length < body.count ? `, the first ${body.grid.length} shown` : "") +
    ". Every picture of this model is drawn on one scale.";
  const pictures = new Map(body.pictures.map(p => [p.index, p]));
  const figure = (index, caption, ...details) => {
    const picture = pictures.get(index);
    const image = picture.drawn.image ? el("img", { src: picture.drawn.image, alt: `template ${caption}` })
      : el("div", { class: "nomap", text: picture.drawn.problem });
    return el("figure", {}, image, el("figcaption", {}, el("b", { text: caption }), ...details.map(d => el("div", { text: d }))));
  };
  const scale = el("div", { class: "colorbar" });
  scale.innerHTML = body.color_bar;
  page.append(el("div", { class: "card" }, el("h2", { text: title }), el("p", { class: "muted", text: lecture }), likeness(body), scale));

  const r = body.likeness ? body.likeness.per_class : null;
  if (body.votes.length) {
    const voters = el("div", { id: "voters", class: "voters" }, ...body.votes.map((entry, c) => el("div", { class: "voting-class" },
      el("h3", { text: entry.class + (r ? ` · top voter's r = ${r[c].toFixed(2)}` : "") }),
      el("div", { class: "grid" }, ...entry.votes.map(v => figure(v.unit, `unit ${v.unit}`, `W2 = ${v.weight.toFixed(2)}`))))));
    page.append(el("div", { class: "card" }, el("h2", { text: "The units that vote for each class most, with their weight W2" }), voters));
  }
  const grid = el("div", { class: "grid templates", id: "templates" },
    ...body.grid.map((index, k) => {
      const caption = pictures.get(index).caption;
      return body.kind === "class-weights" && r ? figure(index, caption, `r = ${r[index].toFixed(2)}`) : figure(index, caption);
    }));
  const heading = body.kind === "class-weights" ? "One template per class"
    : body.grid.length < body.count ? `The first ${body.grid.length} of ${body.count} ${noun}` : `All ${body.count} ${noun}`;
  page.append(el("div", { class: "card" }, el("h2", { text: heading }), grid));
});

// The likeness figure: its label, value and meaning, or why there is none.
function likeness(body) {
  if (body.likeness) {
    const l = body.likeness;
    return el("p", { id: "likeness" }, el("span", { class: "big", text: l.mean.toFixed(2) }), " ",
              el("b", { text: l.label }), el("br"),
              el("small", { class: "muted", text: l.meaning.charAt(0).toUpperCase() + l.meaning.slice(1) }));
  }
  return body.likeness_problem ? el("p", { id: "likeness", class: "muted", text: body.likeness_problem }) : el("span");
}
