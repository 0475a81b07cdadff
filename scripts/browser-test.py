#!/usr/bin/env python3
"""Drives `lens serve` in a real browser: Debian's chromium and chromedriver through Selenium.

Starts the server on a free loopback port with a fresh models folder (so the demo's models are
trained as on a first start), opens every page, checks the templates (softmax classes, the MLP's
voters), drops an ORL face on the Explain page, checks what the pages show, runs a short training
job and watches its curve grow, picks a layer and a unit of the CNN on the Units page (its dead
units counted apart), reaches a unit tile with Tab and opens it with Enter, shows a test image
through the layers and opens a unit from its feature map, sees a unit's feature visualisation beside its patches, the
test faces at every layer (curve, maps, hover, zoom, a click to Explain), downloads a map as PNG and NPY, follows
a permalink and contrasts two classes on the Explain page, opens a hostile
page served from a second loopback port that tries to start and cancel training jobs (no-cors fetch
with text/plain, form POSTs, a beacon, a CORS fetch) and checks that nothing changed, then stops the
server with SIGTERM (exit 143). Screenshots go to browser-screenshots/ (or --screenshots). Exit status 0 only if every
check passed.

    python3 scripts/browser-test.py [--lens .build/release/lens] [--screenshots DIR]
"""
import argparse
import base64
import http.server
import threading
import json
import os
import re
import shutil
import signal
import socket
import tarfile
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
# The ORL faces as the repository keeps them (the archive compiled into lens), unpacked once.
FACES = Path(tempfile.mkdtemp(prefix="lens-browser-faces-"))
with tarfile.open(ROOT / "Sources/CORLFaces/orl-faces.tar.gz") as archive:
    for name in ("s7/3.pgm", "s12/5.pgm"):
        (FACES / name).parent.mkdir(parents=True, exist_ok=True)
        (FACES / name).write_bytes(archive.extractfile(name).read())
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


# What another site's page can make the user's browser send to the app, without the app's help.
HOSTILE_PAGE = """<!doctype html><html><body><h1>a page on another site</h1>
<iframe name="sink-a"></iframe><iframe name="sink-b"></iframe><iframe name="sink-c"></iframe>
<script>
const target = TARGET, job = JSON.stringify({ kind: "mlp", hiddenUnits: 300, epochs: 500 });
window.results = {};
async function attempt(name, send) {
  try { const r = await send(); results[name] = "sent (" + r.type + " " + r.status + ")"; }
  catch (error) { results[name] = "failed: " + error; }
}
function formPost(path, enctype, sink) {
  return new Promise(resolve => {
    const form = Object.assign(document.createElement("form"), { method: "POST", action: target + path, enctype, target: sink });
    form.append(Object.assign(document.createElement("input"), { type: "hidden", name: job.slice(0, -1) + ',"x":"', value: '"}' }));
    document.body.append(form);
    document.querySelector(`iframe[name=${sink}]`).addEventListener("load", () => resolve("loaded"), { once: true });
    form.submit();
    setTimeout(() => resolve("no answer"), 5000);
  });
}
(async () => {
  for (const path of ["/api/train", "/api/train/cancel"]) {
    await attempt(`${path} no-cors text/plain`, () => fetch(target + path, { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: job }));
    await attempt(`${path} no-cors json (type dropped)`, () => fetch(target + path, { method: "POST", mode: "no-cors", headers: { "Content-Type": "application/json" }, body: job }));
    await attempt(`${path} no-cors blob`, () => fetch(target + path, { method: "POST", mode: "no-cors", body: new Blob([job]) }));
    await attempt(`${path} cors json`, () => fetch(target + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: job }));
    results[`${path} beacon`] = navigator.sendBeacon(target + path, job) ? "queued" : "refused";
    results[`${path} form text/plain`] = await formPost(path, "text/plain", "sink-a");
    results[`${path} form urlencoded`] = await formPost(path, "application/x-www-form-urlencoded", "sink-b");
    results[`${path} form multipart`] = await formPost(path, "multipart/form-data", "sink-c");
  }
  await attempt("/api/predict no-cors image", () => fetch(target + "/api/predict", { method: "POST", mode: "no-cors", body: new Blob([new Uint8Array(64)], { type: "image/png" }) }));
  window.done = true;
})();
</script></body></html>"""


class HostileSite:
    """The hostile page on a second loopback port: another origin to the browser, as another site is."""
    def __init__(self, target):
        page = HOSTILE_PAGE.replace("TARGET", json.dumps(target)).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def post_json(base, path, value):
    """A POST as curl or a script sends it: no Origin, a JSON body."""
    request = urllib.request.Request(base + path, data=json.dumps(value).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.load(response)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.load(response)


def model_ready(base, model):
    return any(m["id"] == model and m["evaluation"] == "ready" for m in get_json(base, "/api/models")["models"])


def wait_for(description, condition, timeout=120, interval=0.25):
    deadline = time.time() + timeout
    last_error = None
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # the page may still be building the element
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {description}" + (f" ({last_error})" if last_error else ""))


def images_loaded(driver, selector):
    """Number of images under `selector`, and how many have finished loading with a non-zero size."""
    return driver.execute_script(
        "const images = [...document.querySelectorAll(arguments[0])];"
        "return [images.length, images.filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0"
        " && i.getBoundingClientRect().width > 0).length];", selector)


def all_loaded(driver, selector, expected=None):
    """(count, loaded) once every image under `selector` has loaded (and there are `expected` of them); else None."""
    count, loaded = images_loaded(driver, selector)
    return (count, loaded) if count > 0 and count == loaded and expected in (None, count) else None


class BrowserTest:
    def __init__(self, lens, screenshots):
        self.lens = lens
        self.screenshots = Path(screenshots)
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.models = tempfile.mkdtemp(prefix="lens-browser-models-")
        self.server = None
        self.driver = None

    def start_server(self):
        started = time.time()
        self.server = subprocess.Popen([self.lens, "serve", "--port", str(self.port), "--models-dir", self.models],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for("the server to answer", lambda: get_json(self.base, "/api/models") is not None, timeout=10)
        print(f"server answered after {time.time() - started:.1f} s on port {self.port}")

    def start_browser(self):
        options = Options()
        options.binary_location = CHROMIUM
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1500",
                         "--disable-gpu", "--no-first-run"]:
            options.add_argument(argument)
        # Both paths given: Selenium Manager never runs (it would try to download a browser).
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)

    def shot(self, name):
        path = self.screenshots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        print(f"screenshot {path}")

    def errors_on_page(self):
        return [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".error") if e.text]

    def overview(self):
        d = self.driver
        d.get(self.base + "/")
        accuracy = wait_for("the overview's accuracy", lambda: d.find_element(By.ID, "accuracy").text, timeout=300)
        assert accuracy.endswith("%"), accuracy
        assert d.find_elements(By.CSS_SELECTOR, "svg.chart path"), "no learning curves drawn"
        cells = d.find_elements(By.CSS_SELECTOR, "#confusion td.hit")
        assert cells, "the confusion matrix has no clickable cell"
        overview = get_json(self.base, "/api/overview")
        columns = [th.get_attribute("data-class") for th in d.find_elements(By.CSS_SELECTOR, "#confusion tr:first-child th[data-class]")]
        rows = [th.text for th in d.find_elements(By.CSS_SELECTOR, "#confusion tr th[scope=row]")]
        natural = [overview["classes"][i] for i in overview["test"]["class_order"]]
        assert columns == natural and rows == natural, f"the confusion matrix's classes {rows[:12]}… are not named in natural order {natural[:12]}…"
        off_diagonal = [c for c in cells if c.get_attribute("data-actual") != c.get_attribute("data-predicted")]
        cell = (off_diagonal or cells)[0]
        expected = int(cell.text)
        cell.click()
        wait_for("the cell's test images", lambda: images_loaded(d, "#cell-images img") == [expected, expected])
        assert not self.errors_on_page(), self.errors_on_page()
        self.shot("1-overview")

    def templates(self):
        """Templates: the softmax's class templates with their likeness figure, then the MLP's voters."""
        d = self.driver
        d.get(self.base + "/templates")
        classes = get_json(self.base, "/api/overview")["classes"]
        count, _ = wait_for("the class templates", lambda: all_loaded(d, "#templates figure:not(.photo) img"), timeout=60)
        assert count == len(classes), f"{count} class templates for {len(classes)} classes"
        likeness = d.find_element(By.ID, "likeness").text
        assert "class means" in likeness and re.search(r"-?\d\.\d\d", likeness), likeness
        smoothness = d.find_element(By.ID, "smoothness").text
        assert "smoothness" in smoothness and re.search(r"-?\d\.\d\d", smoothness), smoothness
        photos, _ = wait_for("a training photo beside each class template", lambda: all_loaded(d, "#templates figure.photo img"))
        assert photos == len(classes), f"{photos} training photos for {len(classes)} class templates"
        print(f"templates: {count} class templates with {photos} photos, {likeness.splitlines()[0]}, {smoothness.splitlines()[0]}")
        self.shot("2-templates")
        wait_for("the demo's MLP", lambda: model_ready(self.base, "orl-mlp"), timeout=600, interval=1)
        d.get(self.base + "/templates?model=orl-mlp")
        voters, _ = wait_for("the units voting for each class", lambda: all_loaded(d, "#voters figure:not(.photo) img"), timeout=60)
        assert len(d.find_elements(By.CSS_SELECTOR, "#voters figure.photo img")) == len(classes), "a training photo beside each class's voters"
        votes = sum(len(entry["votes"]) for entry in get_json(self.base, "/api/templates?model=orl-mlp")["votes"])
        assert voters == votes and len(d.find_elements(By.CSS_SELECTOR, "#voters h3")) == len(classes), f"{voters} voters shown, {votes} voting"
        wait_for("the MLP's templates", lambda: all_loaded(d, "#templates img"))
        print(f"MLP templates: {voters} voters for {len(classes)} classes")
        self.shot("2b-templates-mlp")

    def units(self):
        """Units of the demo's CNN: pick a layer, see every unit, pick a unit and see its patches and projections."""
        d = self.driver
        wait_for("the demo's CNN", lambda: model_ready(self.base, "orl-cnn"), timeout=600, interval=1)
        d.get(self.base + "/units?model=orl-cnn")
        layers = get_json(self.base, "/api/units?model=orl-cnn")["layers"]
        picker = wait_for("the layer picker", lambda: d.find_element(By.ID, "layer"))
        options = [o.get_attribute("value") for o in picker.find_elements(By.TAG_NAME, "option")]
        assert options == [layer["name"] for layer in layers], f"layers offered {options}, API {layers}"
        layer = layers[1]
        d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'));", picker, layer["name"])
        gallery = wait_for("the layer's units", lambda: (lambda g: g if "units" in g else None)(
            get_json(self.base, f"/api/units/{layer['name']}?model=orl-cnn")), timeout=120)
        live = [u for u in gallery["units"] if u["activity"] != "dead"]
        count, _ = wait_for(f"every unit of {layer['name']} that fires", lambda: all_loaded(d, "#unit-gallery img", len(live)), timeout=120)
        # Dead units: counted, listed as chips, never drawn as galleries of arbitrary images.
        summary = d.find_element(By.ID, "unit-activity").text
        assert summary.startswith(f"{gallery['dead_units']} of {layer['units']} units never fire"), summary
        chips = d.find_elements(By.CSS_SELECTOR, "#dead-units .unit-chip")
        assert len(chips) == gallery["dead_units"], f"{len(chips)} chips for {gallery['dead_units']} dead units"
        said = d.find_element(By.ID, "gallery-status").text
        assert "training images" in said, said
        unit = live[3]["unit"]
        d.find_element(By.CSS_SELECTOR, f"#unit-gallery figure[data-unit='{unit}']").click()
        rows = wait_for("the unit's top activations", lambda: d.find_elements(By.CSS_SELECTOR, "#unit-activations .unit-row"), timeout=60)
        shown, _ = wait_for("the unit's pictures", lambda: all_loaded(d, "#unit-activations img"), timeout=60)
        top = len(get_json(self.base, f"/api/units/{layer['name']}/{unit}?model=orl-cnn")["activations"])
        placeholders = len(d.find_elements(By.CSS_SELECTOR, "#unit-activations .nomap"))
        assert len(rows) == top and shown + placeholders == 4 * top, f"{len(rows)} rows, {shown} pictures, {placeholders} placeholders"
        heading = d.find_element(By.CSS_SELECTOR, "#unit-detail h2").text
        assert heading == f"{layer['name']} unit {unit}", heading
        assert f"layer={layer['name']}" in d.current_url and f"unit={unit}" in d.current_url, d.current_url
        # What the unit wants to see: its synthetic image beside its natural patches, the ratio and the path check.
        vis = wait_for("the unit's feature visualisation", lambda: (lambda f: f if "images" in f else None)(
            get_json(self.base, f"/api/units/{layer['name']}/{unit}/feature-vis?model=orl-cnn")), timeout=300)
        synthetic, _ = wait_for("the synthetic image", lambda: all_loaded(d, "#feature-vis figure[data-kind='synthetic'] img", len(vis["images"])), timeout=120)
        natural = len(d.find_elements(By.CSS_SELECTOR, "#feature-vis figure[data-kind='natural'] img"))
        assert natural == len(vis["natural"]) and natural > 0, f"{natural} natural patches shown, {len(vis['natural'])} in the figure"
        sizes = {tuple(e.size.values()) for e in d.find_elements(By.CSS_SELECTOR, "#feature-vis figure img")}
        assert len(sizes) == 1, f"synthetic and natural pictures drawn at one size: {sizes}"
        said = d.find_element(By.ID, "feature-vis").text
        assert f"{vis['images'][0]['activation_ratio']:.2f}× the top natural" in said and vis["images"][0]["badge"] in said, said
        rows = d.find_elements(By.CSS_SELECTOR, "#path-check tr")
        assert len(rows) == len(vis["images"][0]["path_similarity"]) + 1, f"{len(rows)} rows of the path check"
        d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "feature-vis"))
        self.shot("8-units-feature-vis")
        print(f"units: unit {unit} reaches {vis['images'][0]['activation_ratio']:.2f}x its top natural activation, path: {vis['images'][0]['badge']}")
        if chips:
            chips[0].click()
            said = wait_for("a dead unit's page", lambda: d.find_element(By.ID, "dead-unit").text, timeout=60)
            assert "never fires" in said and not d.find_elements(By.CSS_SELECTOR, "#unit-detail img"), said
        assert not self.errors_on_page(), self.errors_on_page()
        print(f"units: {count} units of {layer['name']} that fire, {len(chips)} dead, unit {unit} with {len(rows)} activations")
        self.shot("8-units")

    def embedding(self):
        """The test faces at every layer of the CNN: the separability curve, one map per layer (PCA or t-SNE), a point's
        picture on hover, zoom, and a click that opens the image on the Explain page."""
        d = self.driver
        figure = wait_for("the embedding figure", lambda: (lambda f: f if "layers" in f else None)(
            get_json(self.base, "/api/embedding?model=orl-cnn")), timeout=900, interval=2)
        d.get(self.base + "/embedding?model=orl-cnn")
        maps = wait_for("every layer's map", lambda: (lambda m: m if len(m) == len(figure["layers"]) else None)(
            d.find_elements(By.CSS_SELECTOR, "#embedding-maps svg")), timeout=120)
        assert [m.get_attribute("data-layer") for m in maps] == [l["layer"] for l in figure["layers"]], "the layers in order, pixels first"
        assert all(len(m.find_elements(By.TAG_NAME, "circle")) == len(figure["labels"]) for m in maps), "one point per test image"
        wrong = sum(1 for a, b in zip(figure["labels"], figure["predictions"]) if a != b)
        assert len(maps[-1].find_elements(By.CSS_SELECTOR, "circle[stroke]")) == wrong, "every misclassified image ringed"
        series = d.find_elements(By.CSS_SELECTOR, "#separability-curve path[data-series]")
        assert [p.get_attribute("data-points") for p in series] == [str(len(figure["layers"]))] * 2, "two curves over every layer"
        self.shot("10-embedding")
        point = maps[-1].find_elements(By.TAG_NAME, "circle")[0]
        ActionChains(d).move_to_element(point).perform()
        tip = wait_for("the point's picture", lambda: (lambda t: t if t.is_displayed() else None)(d.find_element(By.ID, "embedding-tip")))
        assert tip.find_elements(By.TAG_NAME, "img") and "image" in tip.text, tip.text
        before = maps[-1].get_dom_attribute("viewBox")
        d.execute_script("arguments[0].dispatchEvent(new WheelEvent('wheel', {deltaY: -200, clientX: 100, clientY: 100, bubbles: true, cancelable: true}))", maps[-1])
        assert maps[-1].get_dom_attribute("viewBox") != before, "scrolling zooms the map"
        d.execute_script("arguments[0].value = 'pca'; arguments[0].dispatchEvent(new Event('change'));", d.find_element(By.ID, "projection"))
        pca = wait_for("the PCA maps", lambda: d.find_elements(By.CSS_SELECTOR, "#embedding-maps svg"))
        index = pca[-1].find_elements(By.TAG_NAME, "circle")[0].get_attribute("data-index")
        d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", pca[-1].find_elements(By.TAG_NAME, "circle")[0])
        wait_for("the Explain page", lambda: "/explain" in d.current_url and f"image={index}" in d.current_url, timeout=30)
        assert not self.errors_on_page(), self.errors_on_page()
        print(f"embedding: {len(figure['labels'])} test images at {len(figure['layers'])} layers, k-NN accuracy "
              + " → ".join(f"{l['knn_accuracy']:.2f}" for l in figure["layers"]))

    def keyboard(self):
        """Tab reaches a unit tile (with a visible focus ring) and Enter opens it; Tab reaches a confusion cell too."""
        d = self.driver
        d.get(self.base + "/units?model=orl-cnn")
        wait_for("the gallery", lambda: images_loaded(d, "#unit-gallery img")[1] > 0, timeout=120)
        d.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
        body = d.find_element(By.TAG_NAME, "body")
        focused = None
        for presses in range(1, 80):
            ActionChains(d).send_keys(Keys.TAB).perform()
            focused = d.execute_script("const a = document.activeElement; return a && a.matches('#unit-gallery figure') ? a.dataset.unit : null;")
            if focused is not None:
                break
        assert focused is not None, "Tab never reached a unit tile"
        ring = d.execute_script("const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];")
        assert ring[0] != "none" and ring[1] != "0px", f"no visible focus ring: {ring}"
        ActionChains(d).send_keys(Keys.ENTER).perform()
        heading = wait_for("the unit opened by Enter", lambda: d.find_element(By.CSS_SELECTOR, "#unit-detail h2").text, timeout=60)
        assert heading.endswith(f"unit {focused}"), heading
        print(f"keyboard: {presses} Tab presses to unit {focused}, Enter opened it, focus ring {ring}")
        self.shot("8b-units-keyboard")
        d.get(self.base + "/?model=orl-cnn")
        wait_for("the confusion matrix", lambda: d.find_elements(By.CSS_SELECTOR, "#confusion td.hit"), timeout=120)
        cell = d.find_elements(By.CSS_SELECTOR, "#confusion td.hit")[0]
        assert cell.get_attribute("tabindex") == "0", "a confusion cell cannot be reached with Tab"
        d.execute_script("arguments[0].focus();", cell)
        ActionChains(d).send_keys(Keys.SPACE).perform()
        wait_for("the cell's test images after Space", lambda: images_loaded(d, "#cell-images img")[1] > 0, timeout=60)

    def layers(self):
        """This image through the layers: a test image's feature maps, one tile per channel; a tile opens its unit."""
        d = self.driver
        d.get(self.base + "/layers?model=orl-cnn")
        wait_for("the test images", lambda: images_loaded(d, "#layers-samples img")[1] > 0, timeout=120)
        d.find_elements(By.CSS_SELECTOR, "#layers-samples img")[1].click()
        layers = [l for l in get_json(self.base, "/api/units?model=orl-cnn")["layers"] if l["kind"] == "convolutional"]
        channels = sum(l["units"] for l in layers)
        count, _ = wait_for("every feature map", lambda: all_loaded(d, ".layer-maps img", channels + 0), timeout=60)
        names = [e.get_attribute("data-layer") for e in d.find_elements(By.CSS_SELECTOR, ".layer-maps")]
        assert names == [l["name"] for l in layers], names
        assert "image=" in d.current_url, d.current_url
        self.shot("9-layers")
        tile = d.find_elements(By.CSS_SELECTOR, f".layer-maps[data-layer='{layers[-1]['name']}'] figure")[2]
        tile.click()
        heading = wait_for("the unit opened from its feature map", lambda: d.find_element(By.CSS_SELECTOR, "#unit-detail h2").text, timeout=120)
        assert heading.startswith(f"{layers[-1]['name']} unit 2"), heading
        print(f"layers: {count} feature maps in {len(layers)} layers; a tile opened {heading}")

    def downloads_and_links(self):
        """The Explain page's download buttons (a PNG, an NPY), its permalink, and the two-class picker."""
        d = self.driver
        d.get(self.base + "/explain?model=orl-cnn")
        wait_for("the test images", lambda: images_loaded(d, "#samples img")[1] > 0, timeout=120)
        d.find_elements(By.CSS_SELECTOR, "#samples img")[0].click()
        wait_for("the download buttons", lambda: d.find_elements(By.CSS_SELECTOR, "#maps figure.map button.download"), timeout=120)
        target = d.find_element(By.ID, "target-class").get_attribute("value")
        magic = {}
        for fmt in ["png", "npy"]:
            magic[fmt] = d.execute_async_script("""
                const done = arguments[arguments.length - 1];
                fetchMapFile("saliency", arguments[0], arguments[1])
                  .then(async ({ blob, name }) => done([blob.type, name, Array.from(new Uint8Array(await blob.slice(0, 8).arrayBuffer()))]))
                  .catch(error => done(["error", String(error), []]));
            """, fmt, target)
        assert magic["png"][2][:4] == [0x89, 0x50, 0x4E, 0x47] and magic["png"][0] == "image/png", magic["png"]
        assert magic["npy"][2][:6] == [0x93, ord("N"), ord("U"), ord("M"), ord("P"), ord("Y")], magic["npy"]
        d.find_element(By.CSS_SELECTOR, "#maps figure.map[data-method=saliency] button.download[data-format=png]").click()
        time.sleep(1)
        assert not self.errors_on_page(), self.errors_on_page()
        # The permalink reopens the same test image and class, with the method outlined.
        d.find_element(By.CSS_SELECTOR, "#maps figure.map[data-method=gradcam] figcaption b").click()
        link = d.find_element(By.ID, "permalink").get_attribute("href")
        assert "image=" in link and "method=gradcam" in link and "model=orl-cnn" in link, link
        # Two classes: the contrast of the explained class against another.
        against = d.find_element(By.ID, "against-class")
        other = against.find_elements(By.TAG_NAME, "option")[1].get_attribute("value")
        d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'));", against, other)
        shown, _ = wait_for("the contrast of two classes", lambda: all_loaded(d, "#contrast-card img", 5), timeout=120)
        self.shot("4b-explain-contrast")
        d.get(link)
        wait_for("the linked map", lambda: d.find_elements(By.CSS_SELECTOR, "#maps figure.map.linked[data-method=gradcam]"), timeout=120)
        assert d.find_element(By.ID, "target-class").get_attribute("value") == target
        print(f"downloads: {magic['png'][1]} ({magic['png'][0]}), {magic['npy'][1]}; permalink {link.split('?')[1]}; contrast against {other}")

    def explain(self):
        d = self.driver
        d.get(self.base + "/explain")
        wait_for("the drop zone", lambda: d.find_element(By.ID, "drop"))
        model = wait_for("the model selector", lambda: d.find_element(By.ID, "model").get_attribute("value"))
        methods = [m["name"] for m in get_json(self.base, f"/api/methods?model={model}")]
        classes = set(get_json(self.base, "/api/overview")["classes"])
        face = (FACES / "s7" / "3.pgm").read_bytes()
        # A real drop event carrying the file, as a person dragging it from their files makes.
        d.execute_script("""
            const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "face.pgm", { type: "image/x-portable-graymap" }));
            const zone = document.getElementById("drop");
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        """, base64.b64encode(face).decode())
        self.check_explanation(methods, classes, "dropped face")
        self.shot("3-explain-drop")
        # Explain another class: the maps are drawn again for it.
        before = d.find_element(By.CSS_SELECTOR, "#maps figure.map img.layer").get_attribute("src")
        choice = d.find_element(By.ID, "target-class")
        listed = [o.get_attribute("value") for o in choice.find_elements(By.TAG_NAME, "option")]
        order = get_json(self.base, "/api/overview")["test"]["class_order"]
        natural = [get_json(self.base, "/api/overview")["classes"][i] for i in order]
        assert listed == natural, f"the class picker lists {listed[:12]}…, not the natural order {natural[:12]}…"
        other = next(name for name in listed if name != choice.get_attribute("value"))
        d.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'));", choice, other)
        wait_for(f"the maps for class {other}", lambda: d.find_element(By.CSS_SELECTOR, "#maps figure.map img.layer").get_attribute("src") != before
                 and images_loaded(d, "#maps figure.input img, #maps img.layer")[1] == len(methods) + 1, timeout=60)
        assert d.find_element(By.ID, "target-class").get_attribute("value") == other
        print(f"maps redrawn for class {other}")
        # The file picker, with another face (the last result cleared, so that only a new one counts).
        clear = "document.getElementById('result').replaceChildren();"
        d.execute_script(clear)
        d.find_element(By.ID, "file").send_keys(str(FACES / "s12" / "5.pgm"))
        self.check_explanation(methods, classes, "picked face")
        # A test image from the picker.
        wait_for("the test image picker", lambda: images_loaded(d, "#samples img")[1] > 0)
        d.execute_script(clear)
        d.find_elements(By.CSS_SELECTOR, "#samples img")[2].click()
        self.check_explanation(methods, classes, "test image")
        self.shot("4-explain-sample")

    def explain_cnn(self):
        """The Explain page of the demo's CNN (trained last, in the background), from a test image."""
        d = self.driver
        ready = lambda: any(m["id"] == "orl-cnn" and m["evaluation"] == "ready" for m in get_json(self.base, "/api/models")["models"])
        wait_for("the demo's CNN", ready, timeout=600, interval=1)
        d.get(self.base + "/explain?model=orl-cnn")
        assert d.find_element(By.ID, "model").get_attribute("value") == "orl-cnn" or wait_for(
            "the model selector", lambda: d.find_element(By.ID, "model").get_attribute("value") == "orl-cnn")
        wait_for("the test image picker", lambda: images_loaded(d, "#samples img")[1] > 5)
        d.find_elements(By.CSS_SELECTOR, "#samples img")[5].click()
        methods = [m["name"] for m in get_json(self.base, "/api/methods?model=orl-cnn")]
        self.check_explanation(methods, set(get_json(self.base, "/api/overview?model=orl-cnn")["classes"]), "CNN test image")
        self.shot("7-explain-cnn")
        self.check_badges_scales_and_neighbours("CNN test image", "8-explain-cnn-badges", timeout=300)
        self.time_drop_to_maps("CNN")

    def time_drop_to_maps(self, what, drops=5):
        """Milliseconds from a face's drop event to every map drawn (or marked), measured in the page."""
        d = self.driver
        d.set_script_timeout(30)
        face = base64.b64encode((FACES / "s7" / "3.pgm").read_bytes()).decode()
        times = []
        for _ in range(drops):
            times.append(d.execute_async_script("""
                const done = arguments[arguments.length - 1];
                document.getElementById("result").replaceChildren();
                const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], "face.pgm", { type: "image/x-portable-graymap" }));
                const start = performance.now();
                document.getElementById("drop").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
                const drawn = () => {
                  const figures = [...document.querySelectorAll("#maps figure.map")];
                  return figures.length > 0 && figures.every(f => f.querySelector(".nomap")
                    || [...f.querySelectorAll("img")].every(i => i.complete && i.naturalWidth > 0));
                };
                const poll = () => drawn() ? done(performance.now() - start) : setTimeout(poll, 5);
                poll();
            """, face))
        times.sort()
        print(f"{what}: drop to every map drawn {', '.join(f'{t:.0f}' for t in times)} ms (median {times[len(times) // 2]:.0f} ms)")

    def explain_trust_and_neighbours(self):
        """The first model's Explain page: badges after polling, the scale switch, the nearest images."""
        d = self.driver
        d.get(self.base + "/explain")
        wait_for("the test image picker", lambda: images_loaded(d, "#samples img")[1] > 3)
        d.find_elements(By.CSS_SELECTOR, "#samples img")[3].click()
        model = d.find_element(By.ID, "model").get_attribute("value")
        methods = [m["name"] for m in get_json(self.base, f"/api/methods?model={model}")]
        self.check_explanation(methods, set(get_json(self.base, f"/api/overview?model={model}")["classes"]), "test image")
        self.check_badges_scales_and_neighbours(f"{model} test image", "3b-explain-badges", timeout=120)

    def check_badges_scales_and_neighbours(self, what, shot_name, timeout):
        """Badges say "checking…" until /api/trust answers 200, then every map's method record; the scale
        switch redraws every map and the colour bars; the nearest training images are loaded."""
        d = self.driver
        k = 5
        wait_for(f"the {k} nearest training images of the {what}",
                 lambda: images_loaded(d, "#nearest img") == [k, k], timeout=60)
        assert d.find_element(By.ID, "unusual").text, "no percentile or unusual flag under the nearest images"
        states = wait_for(f"the badges of the {what} after the trust checks", lambda: (lambda s: s if s and "checking" not in s else None)(
            [b.get_attribute("data-state") for b in d.find_elements(By.CSS_SELECTOR, "#maps .badge")]), timeout=timeout, interval=1)
        assert set(states) <= {"passed", "mixed", "failed", "undetermined", "unusable"}, states
        badges = d.find_elements(By.CSS_SELECTOR, "#maps .badge")
        texts = [b.text for b in badges]
        assert all("depends on the model" in t or "too few" in t or "unusable" in t for t in texts), texts
        # The figures behind a verdict are one click away.
        checked = next(b for b in badges if b.get_attribute("data-state") != "unusable")
        checked.click()
        assert "randomisation" in checked.text and "insertion" in checked.text, f"a clicked verdict shows no figures: {checked.text}"
        checked.click()
        note = d.find_element(By.ID, "trust-note").text
        assert "test images" in note, f"the page does not say what the badges were measured on: {note}"
        # The whole page in the screenshots: the window as tall as the page, then as it was.
        d.set_window_size(1400, d.execute_script("return document.body.scrollHeight") + 120)
        self.shot(shot_name)
        # The page starts on a scale per method family; the shared one is a switch away.
        bars = lambda: len(d.find_elements(By.CSS_SELECTOR, "#colorbars svg.colorbar"))
        layers = lambda: [i.get_attribute("src") for i in d.find_elements(By.CSS_SELECTOR, "#maps figure.map img.layer")]
        switch = d.find_element(By.ID, "scale-mode")
        groups = {f.get_attribute("data-scale-group") for f in d.find_elements(By.CSS_SELECTOR, "#maps figure.map")}
        assert switch.get_attribute("value") == "groups", f"the Explain page starts on the {switch.get_attribute('value')} scale"
        assert bars() == len(groups), f"{bars()} colour bars for {len(groups)} families"
        # Every colour bar's numbers fit inside it.
        for bar in d.find_elements(By.CSS_SELECTOR, "#colorbars svg.colorbar"):
            box = d.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right];", bar)
            for text in bar.find_elements(By.TAG_NAME, "text"):
                edge = d.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right];", text)
                assert edge[0] >= box[0] - 0.5 and edge[1] <= box[1] + 0.5, f"colour bar label {text.text!r} is cut off: {edge} outside {box}"
        self.check_overlay()
        before = layers()
        d.execute_script("arguments[0].value = 'shared'; arguments[0].dispatchEvent(new Event('change'));", switch)
        assert bars() == 1 and layers() != before, f"{bars()} colour bars on the shared scale"
        wait_for("the maps on the shared scale", lambda: images_loaded(d, "#maps img")[0] == images_loaded(d, "#maps img")[1])
        self.shot(shot_name + "-shared")
        d.set_window_size(1400, 1500)
        # Back to a scale per family (the page remembers the choice for the next image and visit).
        d.execute_script("arguments[0].value = 'groups'; arguments[0].dispatchEvent(new Event('change'));", switch)
        assert bars() == len(groups) and layers() == before, "switching back to the families' scales did not restore the maps"
        print(f"{what}: badges {sorted(set(states))}, {k} nearest images, {len(groups)} family scales")

    def check_overlay(self):
        """Every map lies over the image it explains; the slider sets the maps' opacity, the toggle lifts them off."""
        d = self.driver
        source = d.find_element(By.CSS_SELECTOR, "#maps figure.input img").get_attribute("src")
        unders = d.find_elements(By.CSS_SELECTOR, "#maps figure.map .overlay img.under")
        drawn = d.find_elements(By.CSS_SELECTOR, "#maps figure.map img.layer")
        assert drawn and len(unders) == len(drawn), f"{len(unders)} images under {len(drawn)} maps"
        assert all(u.get_attribute("src") == source for u in unders), "a map lies over another image than the one explained"
        opacity = lambda: float(d.execute_script("return getComputedStyle(arguments[0]).opacity;", drawn[0]))
        visible = lambda: d.execute_script("return getComputedStyle(arguments[0]).visibility;", unders[0])
        toggle, slider = d.find_element(By.ID, "overlay-toggle"), d.find_element(By.ID, "overlay-opacity")
        assert toggle.is_selected() and visible() == "visible", "the maps are not drawn over the image by default"
        d.execute_script("arguments[0].value = '30'; arguments[0].dispatchEvent(new Event('input'));", slider)
        assert abs(opacity() - 0.3) < 0.01, f"the slider at 30% leaves the maps at opacity {opacity()}"
        toggle.click()
        assert visible() == "hidden" and opacity() == 1, "the toggle did not lift the maps off the image"
        toggle.click()
        d.execute_script("arguments[0].value = '60'; arguments[0].dispatchEvent(new Event('input'));", slider)
        assert visible() == "visible" and abs(opacity() - 0.6) < 0.01, "the toggle did not lay the maps back over the image"

    def check_explanation(self, methods, classes, what):
        d = self.driver
        # Every map is a loaded picture or, where it cannot be drawn honestly, a marked placeholder.
        def every_map():
            shown = len(d.find_elements(By.CSS_SELECTOR, "#maps figure.map"))
            placeholders = len(d.find_elements(By.CSS_SELECTOR, "#maps figure.map .nomap"))
            count, loaded = images_loaded(d, "#maps figure.input img, #maps img.layer")
            return (count, placeholders) if shown == len(methods) and count == loaded == shown - placeholders + 1 else None
        maps = wait_for(f"every map of the {what}", every_map, timeout=60)
        shown = [f.get_attribute("data-method") for f in d.find_elements(By.CSS_SELECTOR, "#maps figure.map")]
        assert shown == methods, f"{what}: maps {shown}, registry {methods}"
        predicted = d.find_element(By.ID, "predicted").text
        listed = json.loads(d.find_element(By.ID, "prediction").get_attribute("data-classes"))
        names = [entry["class"] for entry in listed]
        assert set(names) == classes, f"{what}: the prediction lists {len(names)} classes, the model has {len(classes)}"
        total = sum(entry["probability"] for entry in listed)
        assert abs(total - 1) < 1e-3, f"{what}: probabilities sum to {total}"
        shown_names = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#probabilities .class-name")]
        assert shown_names and set(shown_names) <= classes, f"{what}: class names shown {shown_names}"
        assert predicted == f"predicted: {names[0]}", predicted
        print(f"{what}: {predicted}, {len(names)} classes summing to {total:.4f}, {maps[0]} images loaded, {maps[1]} placeholders")

    def train(self):
        d = self.driver
        d.get(self.base + "/train")
        wait_for("the training form", lambda: d.find_element(By.ID, "train-form"))
        d.find_element(By.ID, "kind").send_keys("mlp")
        for field, value in [("hidden_units", "64"), ("epochs", "12")]:
            box = d.find_element(By.ID, field)
            box.clear()
            box.send_keys(value)
        # Every point count the loss curve shows, recorded by the page as it redraws, so that a job
        # faster than any polling still proves the curve grew epoch by epoch.
        d.execute_script("""
            window.seenPoints = [];
            new MutationObserver(() => {
              const path = document.querySelector("#curves path[data-series='train loss']");
              if (path) window.seenPoints.push(Number(path.getAttribute("data-points")));
            }).observe(document.getElementById("curves"), { childList: true, subtree: true });
        """)
        d.find_element(By.ID, "start").click()

        def seen():
            return d.execute_script("return window.seenPoints;") or []
        wait_for("the first epoch on the curve", lambda: len(seen()) >= 1, timeout=120)
        wait_for("the curve to grow", lambda: len(set(seen())) >= 2, timeout=120)
        self.shot("5-train-live")
        final = wait_for("the job to finish", lambda: d.find_element(By.ID, "job-status").get_attribute("data-final"), timeout=300)
        assert final == "finished", d.find_element(By.ID, "job-status").text
        slider = d.find_element(By.ID, "epoch-slider")
        counts = seen()
        assert counts == sorted(counts) and counts[-1] == 12, f"the curve did not grow one epoch at a time: {counts}"
        print(f"training curve grew through {len(set(counts))} sizes, up to {counts[-1]} epochs")
        assert int(slider.get_attribute("max")) == counts[-1], "the slider does not cover every epoch"
        d.execute_script("arguments[0].value = 1; arguments[0].dispatchEvent(new Event('input'));", slider)
        assert d.find_element(By.ID, "epoch-label").text.startswith("epoch 1 of"), d.find_element(By.ID, "epoch-label").text
        count, loaded = images_loaded(d, "#live-templates img")
        assert count > 0 and count == loaded, f"epoch 1 templates: {loaded} of {count} loaded"
        options = [o.get_attribute("value") for o in d.find_elements(By.CSS_SELECTOR, "#model option")]
        assert any(o.startswith("trained-mlp-") for o in options), f"the new model is not selectable: {options}"
        self.shot("6-train-scrubbed")

    def hostile_page(self):
        """A page on another loopback port tries every cross-site request a browser allows; none may start,
        cancel or change anything, while the same requests from a script (no Origin) still work."""
        d = self.driver
        site = HostileSite(self.base)
        try:
            def state():
                status = get_json(self.base, "/api/train")
                return (status["running"], len(status["events"]), status["events"][-1]["kind"] if status["events"] else None,
                        sorted(m["id"] for m in get_json(self.base, "/api/models")["models"]), sorted(os.listdir(self.models)))

            def attack(what):
                d.get(site.url)
                results = wait_for(f"the hostile page's attempts ({what})",
                                   lambda: d.execute_script("return window.done && window.results;"), timeout=120)
                time.sleep(2)  # beacons are sent after the page goes on
                # The no-cors requests reach the server (an opaque answer): the page really did send them.
                sent = [name for name, result in results.items() if result.startswith("sent (opaque")]
                assert len(sent) >= 4, f"the hostile page's requests did not reach the server: {results}"
                assert all(not result.startswith("sent (cors") for result in results.values()), results
                return results

            before = state()
            assert not before[0], f"a job is running before the attack: {before}"
            results = attack("no job running")
            after = state()
            assert after == before, f"the hostile page changed something:\nbefore {before}\nafter  {after}\n{results}"
            # A job started by a script; the hostile page's cancels must leave it running.
            code, body = post_json(self.base, "/api/train", {"kind": "mlp", "hiddenUnits": 300, "epochs": 500})
            assert code == 202, body
            attack("a job running")
            status = get_json(self.base, "/api/train")
            assert status["running"], f"the hostile page cancelled the job: {status['events'][-1:]}"
            code, body = post_json(self.base, "/api/train/cancel", {})
            assert code == 200 and body["cancelled"], body
            wait_for("the job to stop", lambda: not get_json(self.base, "/api/train")["running"], timeout=60)
            self.shot("9-hostile-page")
            print(f"hostile page: {len(results)} kinds of cross-site request refused; no job started or cancelled")
        finally:
            site.close()

    def stop_server(self):
        self.server.send_signal(signal.SIGTERM)
        try:
            code = self.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.server.kill()
            raise AssertionError("the server did not stop within 20 s of SIGTERM")
        output = self.server.stdout.read()
        assert code == 143, f"the server exited with {code} after SIGTERM (expected 143):\n{output}"
        assert "terminated (SIGTERM), stopped" in output, f"no line saying why the server stopped:\n{output}"
        leftovers = [f for f in os.listdir(self.models) if f.endswith(".tmp")]
        assert not leftovers, f"temporary files left in the models folder: {leftovers}"
        print("server stopped cleanly on SIGTERM")

    def model_start(self):
        """`lens serve --model M` answers within 10 s (the demo's CNN, written by the first server)."""
        port = free_port()
        started = time.time()
        server = subprocess.Popen([self.lens, "serve", "--model", os.path.join(self.models, "orl-cnn.safetensors"),
                                   "--port", str(port), "--models-dir", self.models],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            models = wait_for("lens serve --model to answer", lambda: get_json(f"http://127.0.0.1:{port}", "/api/models"), timeout=10)
            assert [m["id"] for m in models["models"]] == ["orl-cnn"], models
            print(f"lens serve --model answered after {time.time() - started:.1f} s")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)

    def tour(self):
        """The guided tour: every step of the lecture (the text the demo's report prints), each with its figure."""
        d = self.driver
        d.get(self.base + "/tour")
        steps = get_json(self.base, "/api/lecture")["steps"]
        wait_for("the tour's steps", lambda: len(d.find_elements(By.CSS_SELECTOR, "#steps > li")) == len(steps))
        assert [e.text for e in d.find_elements(By.CSS_SELECTOR, "#steps > li > h2")] == [s["title"] for s in steps]
        assert d.find_element(By.CSS_SELECTOR, "nav a.current").text == "Tour", "the navigation marks the tour"
        for figure in ["templates", "units", "nearest", "maps"]:
            count, _ = wait_for(f"the tour's {figure} figure", lambda: all_loaded(d, f"#figure-{figure} img"), timeout=300)
            assert count > 0, figure
        verdicts = wait_for("the tour's verdicts", lambda: len(d.find_elements(By.CSS_SELECTOR, "#figure-trust .badge")), timeout=300)
        assert not self.errors_on_page(), self.errors_on_page()
        print(f"tour: {len(steps)} steps, {verdicts} verdicts")
        self.shot("8-tour")

    def run(self):
        try:
            self.start_server()
            self.start_browser()
            for step in [self.overview, self.templates, self.explain, self.explain_trust_and_neighbours, self.train,
                         self.explain_cnn, self.units, self.embedding, self.keyboard, self.layers, self.downloads_and_links, self.tour,
                         self.hostile_page]:
                print(f"-- {step.__name__}")
                step()
            self.driver.quit()
            self.driver = None
            self.stop_server()
            self.model_start()
            print("browser test passed")
            return 0
        except Exception as error:
            print(f"browser test FAILED: {error}", file=sys.stderr)
            if self.driver:
                try:
                    self.shot("failure")
                except Exception:
                    pass
            return 1
        finally:
            if self.driver:
                self.driver.quit()
            if self.server and self.server.poll() is None:
                self.server.kill()
            shutil.rmtree(self.models, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lens", default=str(ROOT / ".build/release/lens"))
    parser.add_argument("--screenshots", default=str(ROOT / "browser-screenshots"))
    arguments = parser.parse_args()
    sys.exit(BrowserTest(arguments.lens, arguments.screenshots).run())


if __name__ == "__main__":
    main()
