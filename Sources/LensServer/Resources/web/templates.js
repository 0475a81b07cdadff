// Templates: the first layer's weights drawn as images.
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  const page = document.getElementById("page"), status = document.getElementById("status");
  try {
    await waitForModels(status);
    await header("/templates");
    const { body } = await api("/api/templates");
    status.textContent = `${body.parameter}: ${body.units} units, the first ${body.images.length} shown. ` +
      "Each is drawn on its own symmetric scale: gray is 0, bright pushes the unit's score up, dark pushes it down.";
    const grid = el("div", { class: "grid templates", id: "templates" });
    body.images.forEach((src, k) => grid.append(el("figure", {}, el("img", { src, alt: body.labels[k] }), el("figcaption", { text: body.labels[k] }))));
    page.append(el("div", { class: "card" }, grid));
  } catch (error) {
    status.textContent = error.message;
    status.className = "error";
  }
});
