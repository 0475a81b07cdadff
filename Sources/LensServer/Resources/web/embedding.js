// Embedding: the model's test images at every layer, from the pixels up, mapped to 2-D (PCA or
// t-SNE), with the curve of k-NN accuracy and trustworthiness over the layers. The server builds
// the figure (EmbeddingFigure, the report's embedding page); this page only draws it.
"use strict";

startPage("/embedding", async (page, status) => {
  status.textContent = "placing the test images at every layer (PCA, t-SNE, k-NN accuracy, trustworthiness)…";
  let figure;
  try {
    figure = await whenReady("/api/embedding", () => {
      status.textContent = "placing the test images at every layer (PCA, t-SNE, k-NN accuracy, trustworthiness); this takes a while…";
    });
  } catch (error) {
    return notApplicable(page, status, error);
  }
  status.textContent = `The ${figure.labels.length} ${figure.split} images at every layer of ${figure.model}, from the pixels up: ` +
    "each point an image, coloured by its class, misclassified ones larger and ringed. Hover a point for its image, click it " +
    "to explain it. Scroll over a map to zoom, drag to pan, double-click to reset.";
  const kind = el("select", { id: "projection" }, el("option", { value: "tsne", text: "t-SNE" }), el("option", { value: "pca", text: "PCA" }));
  const maps = el("div", { class: "grid embedding-maps", id: "embedding-maps" });
  const tip = el("div", { class: "embedding-tip", id: "embedding-tip", hidden: "" });
  page.append(el("div", { class: "card" }, separabilityCurve(figure)), el("div", { class: "card" }, el("label", { text: "projection " }, kind), maps), tip);
  const draw = () => maps.replaceChildren(...figure.layers.map(l => layerMap(figure, l, kind.value, tip)));
  kind.addEventListener("change", draw);
  draw();
});

// One layer's map: an SVG scatter with pan and zoom, a point's image on hover, its explanation on click.
function layerMap(figure, layer, kind, tip) {
  const ns = "http://www.w3.org/2000/svg", size = 340, margin = 8;
  const points = layer[kind];
  const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
  const minX = Math.min(...xs), minY = Math.min(...ys);
  const span = Math.max(Math.max(...xs) - minX, Math.max(...ys) - minY, 1e-9);
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart embedding-map");
  svg.setAttribute("width", size);
  svg.setAttribute("height", size);
  svg.setAttribute("data-layer", layer.layer);
  const view = { x: 0, y: 0, w: size };
  const setView = () => svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.w}`);
  setView();
  points.forEach((p, i) => {
    const label = figure.labels[i], predicted = figure.predictions[i], wrong = label !== predicted;
    const dot = document.createElementNS(ns, "circle");
    dot.setAttribute("cx", (margin + (p[0] - minX) / span * (size - 2 * margin)).toFixed(1));
    dot.setAttribute("cy", (margin + (p[1] - minY) / span * (size - 2 * margin)).toFixed(1));
    dot.setAttribute("r", wrong ? 4 : 3);
    dot.setAttribute("fill", figure.class_colors[label] || "#777");
    if (wrong) { dot.setAttribute("stroke", "#000"); dot.setAttribute("stroke-width", 1.2); }
    const words = `image ${figure.dataset_indices[i]}: ${figure.class_names[label]}` + (wrong ? ` (predicted ${figure.class_names[predicted]})` : "");
    dot.setAttribute("data-index", figure.dataset_indices[i]);
    dot.setAttribute("aria-label", words);
    dot.addEventListener("mouseenter", event => {
      tip.replaceChildren(...(figure.thumbnails[i] ? [el("img", { src: figure.thumbnails[i], alt: words, width: 64, height: 64 })] : []),
                          el("div", { text: words }));
      Object.assign(tip.style, { left: `${event.pageX + 12}px`, top: `${event.pageY + 12}px` });
      tip.hidden = false;
    });
    dot.addEventListener("mouseleave", () => { tip.hidden = true; });
    dot.addEventListener("click", () => {
      location.href = withModel(`/explain?image=${figure.dataset_indices[i]}`) + (modelParam() ? "" : `&model=${encodeURIComponent(figure.model)}`);
    });
    svg.append(dot);
  });
  // zoom about the cursor; drag to pan; double-click back to the whole map
  svg.addEventListener("wheel", event => {
    event.preventDefault();
    const box = svg.getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width, fy = (event.clientY - box.top) / box.height;
    const w = Math.min(size, Math.max(size / 20, view.w * (event.deltaY > 0 ? 1.2 : 1 / 1.2)));
    view.x += (view.w - w) * fx;
    view.y += (view.w - w) * fy;
    view.w = w;
    setView();
  }, { passive: false });
  let drag = null;
  svg.addEventListener("pointerdown", event => { drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y }; });
  svg.addEventListener("pointermove", event => {
    if (!drag) return;
    const scale = view.w / svg.getBoundingClientRect().width;
    view.x = drag.vx - (event.clientX - drag.x) * scale;
    view.y = drag.vy - (event.clientY - drag.y) * scale;
    setView();
  });
  svg.addEventListener("pointerup", () => { drag = null; });
  svg.addEventListener("dblclick", () => { Object.assign(view, { x: 0, y: 0, w: size }); setView(); });
  return el("figure", { class: "fig" }, svg,
    el("figcaption", {}, el("b", { text: layer.layer }),
       el("div", { text: `k-NN accuracy ${layer.knn_accuracy.toFixed(3)} · trustworthiness ${layer.trustworthiness.toFixed(3)}` })));
}
