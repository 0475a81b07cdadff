// Templates: softmax regression's class templates, an MLP's hidden templates and the units voting
// for each class, or a CNN's first-layer filters, all on the model's one red/blue scale, with the
// likeness of the templates to the class means and their smoothness, each class beside a training photo of it. The title and lecture text come with the figure
// (LensStudio's TemplateLecture, which the report prints too).
"use strict";

startPage("/templates", async (page, status) => {
  let body;
  try {
    body = await whenReady("/api/templates", () => { status.textContent = "computing the templates and their likeness to the class means…"; });
  } catch (error) {
    return notApplicable(page, status, error);
  }
  const noun = body.kind === "filters" ? "filters" : "templates";
  status.textContent = `${body.layer}: ${body.count} ${noun}` + (body.grid.length < body.count ? `, the first ${body.grid.length} shown` : "") +
    ". Every picture of this model is drawn on one scale.";
  const pictures = new Map(body.pictures.map(p => [p.index, p]));
  const figure = (index, caption, ...details) => pictureCard(pictures.get(index).drawn, caption, details, { alt: `template ${caption}` });
  page.append(el("div", { class: "card" }, el("h2", { text: body.title }), el("p", { class: "muted", text: body.lecture }),
                 figureLine("likeness", body.likeness, body.likeness_problem), figureLine("smoothness", body.smoothness),
                 colorBar(body.color_bar)));

  // Per-class figures and photos are indexed by the class's label; voters come in natural order.
  const r = body.likeness ? body.likeness.per_class : null;
  const photo = (label, name) => body.class_photos[label]
    ? pictureCard({ image: body.class_photos[label] }, name, ["a training photo"], { alt: `a training photo of ${name}`, attributes: { class: "photo" } })
    : null;
  if (body.votes.length) {
    const voters = el("div", { id: "voters", class: "voters" }, ...body.votes.map(entry => el("div", { class: "voting-class" },
      el("h3", { text: entry.class + (r ? ` · top voter's r = ${r[entry.class_index].toFixed(2)}` : "") }),
      el("div", { class: "grid" }, ...[photo(entry.class_index, entry.class)].filter(Boolean),
         ...entry.votes.map(v => figure(v.unit, `unit ${v.unit}`, `W2 = ${v.weight.toFixed(2)}`))))));
    page.append(el("div", { class: "card" }, el("h2", { text: "The units that vote for each class most, with their weight W2, beside a training photo of the class" }), voters));
  }
  const grid = el("div", { class: "grid templates", id: "templates" },
    ...body.grid.map(index => {
      const caption = pictures.get(index).caption;
      if (body.kind !== "class-weights") return figure(index, caption);
      const card = r ? figure(index, caption, `r = ${r[index].toFixed(2)}`) : figure(index, caption);
      const beside = photo(index, caption);
      return beside ? el("div", { class: "pair-row" }, card, beside) : card;
    }));
  const heading = body.kind === "class-weights" ? "One template per class"
    : body.grid.length < body.count ? `The first ${body.grid.length} of ${body.count} ${noun}` : `All ${body.count} ${noun}`;
  page.append(el("div", { class: "card" }, el("h2", { text: heading }), grid));
});

// A figure of the templates (likeness to the class means, smoothness): its label, value and
// meaning, or why there is none.
function figureLine(id, figure, problem) {
  if (figure) {
    return el("p", { id }, el("span", { class: "big", text: figure.mean.toFixed(2) }), " ",
              el("b", { text: figure.label }), el("br"),
              el("small", { class: "muted", text: figure.meaning.charAt(0).toUpperCase() + figure.meaning.slice(1) }));
  }
  return problem ? el("p", { id, class: "muted", text: problem }) : el("span");
}
