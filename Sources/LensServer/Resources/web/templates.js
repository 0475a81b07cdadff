// Templates: softmax regression's class templates, an MLP's hidden templates and the units voting
// for each class, or a CNN's first-layer filters, all on the model's one red/blue scale, with the
// likeness of the templates to the class means. The title and lecture text come with the figure
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
  page.append(el("div", { class: "card" }, el("h2", { text: body.title }), el("p", { class: "muted", text: body.lecture }), likeness(body),
                 colorBar(body.color_bar)));

  const r = body.likeness ? body.likeness.per_class : null;
  if (body.votes.length) {
    const voters = el("div", { id: "voters", class: "voters" }, ...body.votes.map((entry, c) => el("div", { class: "voting-class" },
      el("h3", { text: entry.class + (r ? ` · top voter's r = ${r[c].toFixed(2)}` : "") }),
      el("div", { class: "grid" }, ...entry.votes.map(v => figure(v.unit, `unit ${v.unit}`, `W2 = ${v.weight.toFixed(2)}`))))));
    page.append(el("div", { class: "card" }, el("h2", { text: "The units that vote for each class most, with their weight W2" }), voters));
  }
  const grid = el("div", { class: "grid templates", id: "templates" },
    ...body.grid.map(index => {
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
