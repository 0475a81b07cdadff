// Train: start a job, watch its curves and templates live, cancel it, scrub through its epochs.
"use strict";

startPage("/train", async (page, status) => {
  status.textContent = "Train a new model on the current data; it joins the model list when it finishes.";
  // The inputs, their limits and their defaults (per kind, for the server's data) are the library's declarations.
  const known = await settings();
  const kind = selectOf("kind", ["softmax", "mlp", "cnn"], "mlp");
  const fields = ["hidden_units", "epochs", "learning_rate"]
    .map(key => settingInput(known.training.find(s => s.key === key), known.data_scale));
  const form = el("form", { class: "train card", id: "train-form" },
    el("label", { text: "kind" }, kind), ...fields.map(field => field.label),
    el("button", { id: "start", type: "submit", text: "Start" }),
    el("button", { id: "cancel", type: "button", class: "secondary", text: "Cancel" }));
  const showDefaults = () => fields.forEach(field => field.showDefault(kind.value));
  kind.addEventListener("change", showDefaults);
  showDefaults();
  const jobStatus = el("p", { id: "job-status", class: "muted" });
  const curves = el("div", { id: "curves" });
  const slider = el("input", { id: "epoch-slider", type: "range", min: 1, max: 1, value: 1, disabled: "" });
  const sliderLabel = el("span", { id: "epoch-label", class: "muted" });
  const templates = el("div", { class: "grid templates", id: "live-templates" });
  page.append(form, jobStatus, curves, el("h2", { text: "First-layer templates" }),
              el("p", { class: "muted", id: "templates-note", text: "Each picture is one unit's weights (at most the first 40 units): red pixels raise the unit's score, blue ones lower it, white is zero; every epoch is drawn on its own symmetric scale. Drag the slider to go back through the epochs." }),
              el("div", { class: "inline" }, slider, sliderLabel), el("div", { class: "card" }, templates));
  const state = { records: [], templates: [], follow: true };
  slider.addEventListener("input", () => { state.follow = Number(slider.value) === state.templates.length; show(state, Number(slider.value)); });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const request = { kind: kind.value };
    for (const field of fields) if (field.applies(kind.value)) request[field.key] = field.value();
    try {
      const { body } = await post("/api/train", request);
      jobStatus.textContent = `training ${body.model}…`;
      listen(state, jobStatus);
    } catch (error) {
      jobStatus.textContent = error.message;
      jobStatus.className = "error";
    }
  });
  form.querySelector("#cancel").addEventListener("click", () => post("/api/train/cancel"));
  const { body } = await api("/api/train");
  if (body.events.length) listen(state, jobStatus);
});

function selectOf(id, values, chosen) {
  const select = el("select", { id });
  for (const value of values) select.append(el("option", { value, text: value }));
  select.value = chosen;
  return select;
}

function listen(state, jobStatus) {
  if (state.source) state.source.close();
  state.records = [];
  state.templates = [];
  state.follow = true;
  jobStatus.className = "muted";
  const source = new EventSource("/api/train/events");
  state.source = source;
  const handle = message => {
    const event = JSON.parse(message.data);
    if (event.kind === "started") {
      state.records = [];
      state.templates = [];
      state.epochs = event.epochs;
      document.getElementById("start").disabled = true;
    } else if (event.kind === "epoch") {
      state.records.push(event.record);
      state.templates.push(event.templates || []);
      const r = event.record;
      jobStatus.textContent = `epoch ${r.epoch} of ${state.epochs}: train loss ${r.train_loss.toFixed(3)}, accuracy ${percent(r.train_accuracy)}` +
        (r.validation_accuracy != null ? `, validation ${percent(r.validation_accuracy)}` : "");
      document.getElementById("curves").replaceChildren(learningCurves(state.records));
      const slider = document.getElementById("epoch-slider");
      slider.max = state.templates.length;
      slider.disabled = false;
      if (state.follow) { slider.value = state.templates.length; show(state, state.templates.length); }
    } else {
      source.close();
      document.getElementById("start").disabled = false;
      if (event.kind === "finished") {
        jobStatus.replaceChildren(`finished: ${event.model} is now in the model list — `,
          el("a", { href: "/?model=" + encodeURIComponent(event.model), text: "open its overview" }));
        refreshModels(document.getElementById("model"), document.getElementById("library-status"));
      } else {
        jobStatus.textContent = event.kind + ": " + (event.message || "");
        jobStatus.className = event.kind === "failed" ? "error" : "muted";
      }
      jobStatus.dataset.final = event.kind;
    }
  };
  for (const kind of ["started", "epoch", "finished", "cancelled", "failed"]) source.addEventListener(kind, handle);
}

function show(state, epoch) {
  const images = state.templates[epoch - 1] || [];
  document.getElementById("epoch-label").textContent = `epoch ${epoch} of ${state.templates.length}`;
  document.getElementById("live-templates").replaceChildren(...images.map((src, k) => el("figure", {}, el("img", { src, alt: `unit ${k}` }))));
}
