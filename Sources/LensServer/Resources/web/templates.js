// Templates: the first layer's weights drawn as images.
"use strict";

startPage("/templates", async (page, status) => {
  const { body } = await api("/api/templates");
  status.textContent = `${body.parameter}: ${body.units} units, the first ${body.images.length} shown. ` +
    "Each is drawn on its own symmetric scale: gray is 0, bright pushes the unit's score up, dark pushes it down.";
  const grid = el("div", { class: "grid templates", id: "templates" });
  body.images.forEach((src, k) => grid.append(el("figure", {}, el("img", { src, alt: body.labels[k] }), el("figcaption", { text: body.labels[k] }))));
  page.append(el("div", { class: "card" }, grid));
});
