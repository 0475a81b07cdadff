// Overview: the model, its data, test accuracy, learning curves and the confusion matrix.
"use strict";

startPage("/", async (page, status) => {
  const overview = await whenReady("/api/overview", () => { status.textContent = "evaluating the model on its test split…"; }, undefined, 700);
  status.remove();
  render(page, overview);
});

function render(page, o) {
  const facts = el("dl", { class: "facts" });
  const fact = (name, value) => facts.append(el("dt", { text: name }), el("dd", { text: value }));
  fact("kind", o.kind);
  if (o.architecture.length) fact("layers", o.architecture.join(" → "));
  if (o.parameter_count) fact("parameters", o.parameter_count.toLocaleString());
  fact("data", `${o.dataset}, ${o.input}, ${o.classes.length} classes`);
  fact("split", `${o.split.train} train / ${o.split.validation} validation / ${o.split.test} test`);
  if (o.validation_accuracy != null) fact("validation accuracy", percent(o.validation_accuracy));
  if (o.training_seconds != null) fact("training time", o.training_seconds.toFixed(1) + " s");
  page.append(el("div", { class: "row" },
    el("div", { class: "card" }, el("div", { class: "muted", text: "test accuracy" }), el("div", { class: "big", id: "accuracy", text: percent(o.test_accuracy) })),
    el("div", { class: "card" }, facts)));
  if (o.history.length) {
    page.append(el("h2", { text: "Learning curves" }),
      el("p", { class: "muted", text: `best epoch ${o.best_epoch} of ${o.history.length}` }), learningCurves(o.history));
  }
  page.append(el("h2", { text: "Confusion matrix (test split)" }),
    el("p", { class: "muted", text: "Rows: true class, columns: predicted" +
      (o.classes.length > 12 ? " (class indices; hover a cell for the names)" : "") + ". Click a cell to see its test images." }));
  const max = Math.max(1, ...o.confusion.flat());
  const table = el("table", { class: "confusion", id: "confusion" });
  const head = el("tr", {}, el("th"));
  o.classes.forEach((name, j) => head.append(el("th", { title: name, text: o.classes.length > 12 ? String(j) : name })));
  table.append(head);
  const images = el("div", { id: "cell-images" });
  o.confusion.forEach((row, i) => {
    const tr = el("tr", {}, el("th", { title: o.classes[i], text: o.classes.length > 12 ? String(i) : o.classes[i] }));
    row.forEach((count, j) => {
      const shade = count / max;
      const color = i === j ? `rgba(37,99,235,${0.12 + 0.88 * shade})` : (count ? `rgba(220,38,38,${0.25 + 0.75 * shade})` : "#fff");
      const td = el("td", { title: `true ${o.classes[i]}, predicted ${o.classes[j]}: ${count}`, text: count ? String(count) : "" });
      td.style.background = color;
      if (shade > 0.6) td.style.color = "#fff";
      if (count) {
        td.classList.add("hit");
        td.dataset.actual = i;
        td.dataset.predicted = j;
        activatable(td, () => showCell(td, i, j, o.classes, images), `true ${o.classes[i]}, predicted ${o.classes[j]}: ${count}`);
      }
      tr.append(td);
    });
    table.append(tr);
  });
  page.append(el("div", { class: "row" }, el("div", { class: "card" }, table), el("div", { class: "card", style: "flex:1;min-width:260px" }, images)));
  images.append(el("p", { class: "muted", text: "Click a cell of the matrix." }));
}

async function showCell(td, i, j, classes, target) {
  document.querySelectorAll("td.selected").forEach(cell => cell.classList.remove("selected"));
  td.classList.add("selected");
  target.replaceChildren(el("p", { class: "muted", text: "loading…" }));
  try {
    const { body } = await api(`/api/confusion-images?actual=${i}&predicted=${j}`);
    const grid = el("div", { class: "grid thumbs" });
    for (const item of body) {
      grid.append(el("figure", {}, el("img", { src: item.image, alt: `test image ${item.index}`, title: `#${item.index}` }),
                     el("figcaption", { text: `#${item.index}` })));
    }
    target.replaceChildren(el("h2", { text: `true ${classes[i]}, predicted ${classes[j]}: ${body.length}` }), grid);
  } catch (error) {
    target.replaceChildren(el("p", { class: "error", text: error.message }));
  }
}
