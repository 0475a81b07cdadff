// Explain: drop or pick an image; the prediction with every class's probability and every
// attribution map side by side on one shared scale.
"use strict";

startPage("/explain", async (page, status) => {
  status.textContent = "Drop an image (PNG, JPEG or PGM) on the box, choose a file, or click a test image.";
  const input = el("input", { type: "file", id: "file", accept: "image/*,.pgm" });
  const drop = el("div", { class: "drop", id: "drop" }, el("p", { text: "drop an image here" }), input);
  const samples = el("div", { class: "grid thumbs", id: "samples" });
  const result = el("div", { id: "result" });
  page.append(el("div", { class: "row" }, drop, el("div", { class: "card", style: "flex:1" }, el("h2", { text: "Test images" }), samples)), result);
  drop.addEventListener("dragover", event => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", event => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) explain(event.dataTransfer.files[0], result);
  });
  input.addEventListener("change", () => { if (input.files.length) explain(input.files[0], result); });
  loadSamples(samples, result);
});

async function loadSamples(target, result) {
  for (;;) {
    try {
      const { body } = await api("/api/samples");
      for (const item of body) {
        const img = el("img", { src: item.image, alt: item.actual, title: `${item.actual} (test image #${item.index})` });
        img.addEventListener("click", async () => explain(await (await fetch(item.image)).blob(), result));
        target.append(img);
      }
      return;
    } catch (error) {
      target.textContent = error.message;
      await new Promise(resolve => setTimeout(resolve, 1000));
    }
  }
}

async function explain(file, target) {
  target.replaceChildren(el("p", { class: "muted", text: "computing…" }));
  try {
    const [prediction, explanation] = await Promise.all([
      api("/api/predict", { method: "POST", body: file }),
      api("/api/explain", { method: "POST", body: file }).catch(error => ({ error })),
    ]);
    const choice = el("select", { id: "target-class" });
    for (const entry of prediction.body.classes) choice.append(el("option", { value: entry.class, text: entry.class }));
    choice.addEventListener("change", async () => {
      const card = document.getElementById("maps-card");
      try {
        const again = await api("/api/explain?class=" + encodeURIComponent(choice.value), { method: "POST", body: file });
        card.replaceWith(mapsCard(again.body, choice));
      } catch (error) {
        card.replaceChildren(el("p", { class: "error", text: error.message }));
      }
    });
    const p = prediction.body;
    const table = el("table", { class: "probabilities", id: "probabilities" });
    for (const entry of p.classes.slice(0, 10)) {
      const bar = el("div", { class: "bar" });
      bar.style.width = Math.max(1, 200 * entry.probability) + "px";
      table.append(el("tr", {}, el("td", { class: "class-name", text: entry.class }), el("td", {}, bar),
                      el("td", { class: "probability", "data-probability": entry.probability, text: probabilityText(entry.probability) })));
    }
    const sum = p.classes.reduce((total, entry) => total + entry.probability, 0);
    const predictionCard = el("div", { class: "card" },
      el("h2", { id: "predicted", text: `predicted: ${p.predicted}` }),
      el("p", { class: "muted", text: `top ${Math.min(10, p.classes.length)} of ${p.classes.length} classes (probabilities sum to ${sum.toFixed(3)})` }),
      table);
    predictionCard.dataset.sum = sum;
    predictionCard.dataset.classes = JSON.stringify(p.classes);
    predictionCard.id = "prediction";
    const parts = [predictionCard];
    if (explanation.error) {
      parts.push(el("p", { class: "error", text: explanation.error.message }));
    } else {
      parts.push(mapsCard(explanation.body, choice));
    }
    target.replaceChildren(el("div", { class: "row" }, ...parts));
  } catch (error) {
    target.replaceChildren(el("p", { class: "error", id: "explain-error", text: error.message }));
  }
}

// The maps of one explanation side by side on its shared scale, with the class they explain.
function mapsCard(e, choice) {
  choice.value = e.target;
  const maps = el("div", { class: "grid maps", id: "maps" },
    el("figure", { class: "input" }, el("img", { src: e.input, alt: "input as the model sees it" }), el("figcaption", { text: "input as the model sees it" })));
  for (const map of e.maps) {
    maps.append(el("figure", { class: "map", "data-method": map.method },
      el("img", { src: map.image, alt: map.title, title: map.summary }),
      el("figcaption", { text: `${map.title} — max ${map.maxMagnitude.toExponential(2)}` })));
  }
  return el("div", { class: "card", id: "maps-card", style: "flex:1" },
    el("h2", { text: "Why this class? Every map on one scale" }),
    el("p", {}, el("label", { text: "explaining class " }, choice)),
    el("div", { class: "legend" }, el("span", { text: "0" }), el("span", { class: "ramp" }), el("span", { text: `≥ ${e.scale.toExponential(2)} (|gradient|, max over channels)` })),
    maps);
}
