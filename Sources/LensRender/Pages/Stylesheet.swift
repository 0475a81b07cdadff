/// The one stylesheet of NeuralLens: the report embeds it in every page (`ReportPage`, which
/// opens from file:// and loads nothing), the web app's server serves it as /static/style.css.
/// Shared parts first (colours, picture cards, placeholders, colour bars, badges, lecture and
/// note text), then each front end's frame, scoped by the class of its <body>: `report` or `app`,
/// inside `:where()` so that the scope adds no specificity (a shared rule still wins as before).
public enum Stylesheet {
    public static let css = """
    /* Shared: colours, and the pieces both front ends draw. */
    :root{--ink:#1d2330;--muted:#5b6475;--line:#d8dce3;--accent:#2563eb;--bg:#f6f7f9;--wrong:#d33;--flag:#e8a400}
    :where(.app) *,.nomap{box-sizing:border-box}
    body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
    .muted{color:var(--muted)}.error{color:#b91c1c;font-weight:500}
    .note{color:#555;font-size:13px;margin:.3em 0}
    .lecture{border-left:4px solid #9cf;padding:.2em 1em;background:#fff;color:#444}
    .headline{font-size:17px}.warning{color:#a40;background:#fff6e5;padding:.4em .8em;border-radius:4px}
    .notice{border-color:#f59e0b;background:#fffbeb}
    .scroll{overflow-x:auto}
    img.px{image-rendering:pixelated;image-rendering:crisp-edges;display:block}
    /* Picture cards: a picture, its caption and detail lines; red frame for a wrong answer, amber for a flag. */
    .pgrid h3{margin:1em 0 .3em}
    .figs,.attrrow{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
    .fig{margin:0;width:min-content;background:#fff;border:1px solid #ddd;border-radius:6px;padding:5px}
    .fig figcaption{font-size:12px;line-height:1.35;margin-top:4px;min-width:96px;max-width:none;overflow-wrap:anywhere;color:var(--ink)}
    .fig figcaption small{color:#555;font-size:11px}.fig.wide figcaption{min-width:150px}
    .fig.wrong{border:2px solid var(--wrong);background:#fff4f4}.fig.flagged{border:2px solid var(--flag);background:#fffaeb}
    .attrrow{padding:10px 0;border-bottom:1px solid #ddd}.attrrow.wrong>.fig:first-child{border:2px solid var(--wrong)}
    .pair-row{display:flex;gap:3px;align-items:flex-start}
    /* Where a picture cannot be drawn honestly (NaN, infinite or flat values): one hatched box,
       sized like the picture it stands for (inline, or by the grid it sits in). */
    .nomap{display:flex;align-items:center;justify-content:center;text-align:center;padding:6px;overflow:hidden;
    border:2px dashed #c33;color:var(--nomap-ink,#a11);font-size:12px;font-weight:600;
    background:repeating-linear-gradient(45deg,var(--nomap-stripe,#fbeaea) 0 6px,var(--nomap-ground,#fff) 6px 12px)}
    /* Colour bars (LensRender's ColorBar SVG) and the column of them at the end of a row of maps. */
    .legend{display:flex;flex-direction:column;gap:8px;align-self:center}
    .colorbars{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}
    .cbar{margin:0 1.5rem .5rem 0;text-align:left}.legend .cbar{margin:0}
    .cbar figcaption{max-width:none;padding-left:28px;font-size:12px;color:#333}
    svg.colorbar text{font:11px system-ui,sans-serif;fill:#333}
    /* A method's verdict on a model: the web app's badges and the report's verdict list. */
    .badge{display:inline-block;margin-top:3px;padding:1px 6px;border-radius:4px;font-size:.72rem;line-height:1.3;border:1px solid}
    .badge[data-state=passed]{background:#e8f6ec;color:#166534;border-color:#86c79a}
    .badge[data-state=failed],.badge[data-state=unusable]{background:#fdecec;color:#991b1b;border-color:#e5a3a3}
    .badge[data-state=mixed]{background:#fff4e0;color:#8a4b00;border-color:#f0c27a}
    .badge[data-state=undetermined]{background:#f1f2f4;color:var(--muted);border-color:var(--line)}
    .badge[data-state=checking]{background:#fff8e1;color:#8a6100;border-color:#f0d58c}
    ul.verdicts{list-style:none;padding:0}ul.verdicts li{margin:.3em 0}ul.verdicts summary{cursor:pointer}
    .badge[role=button]{cursor:pointer}.badge .figures{display:block;margin-top:2px;opacity:.85}
    /* A map over the image it explains: the image in grey under the map, whose opacity a slider sets. */
    .overlay{position:relative;display:block}
    .overlay>img.under{position:absolute;inset:0;width:100%;height:100%;filter:grayscale(1);visibility:hidden}
    .overlay>img.layer{position:relative}
    .overlaid .overlay>img.under{visibility:visible}.overlaid .overlay>img.layer{opacity:var(--map-opacity,.6)}
    /* A lecture's steps (the report's index and the web app's tour). */
    .steps{counter-reset:step;list-style:none;padding:0}
    .steps>li{counter-increment:step;background:#fff;border:1px solid var(--line);border-radius:10px;padding:.8rem 1.1rem;margin-bottom:.8rem}
    .steps>li>h2::before{content:counter(step) ". ";color:var(--muted)}

    /* The report: a dark bar of links, a centred column, tables of figures. */
    body.report{background:#fafafa;color:#1d1d1f}
    :where(.report) header{background:#1d1d1f;color:#eee;padding:.6em 1.2em;display:flex;flex-wrap:wrap;align-items:baseline;gap:.2em 1em}:where(.report) header a{color:#9cf}:where(.report) .brand{font-weight:700}
    :where(.report) main{max-width:1100px;margin:0 auto;padding:1em 1.2em}:where(.report) footer{color:#888;font-size:12px;padding:2em 1.2em}
    :where(.report) table{border-collapse:collapse;margin:.8em 0}:where(.report) th,:where(.report) td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
    :where(.report) .num{text-align:right;font-variant-numeric:tabular-nums}
    :where(.report) .pairs{display:flex;flex-wrap:wrap;gap:12px}
    :where(.report) .pair{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px;text-align:center;font-size:12px}
    :where(.report) .pair img,:where(.report) .grid img{image-rendering:pixelated;width:96px;height:96px}:where(.report) .wrong{border-color:var(--wrong);background:#fff4f4}
    :where(.report) .grid{display:flex;flex-wrap:wrap;gap:8px}:where(.report) .grid figure{margin:0;text-align:center;font-size:12px}
    :where(.report) svg text{font:11px system-ui,sans-serif}

    /* The web app: a white bar with the navigation and the model choice, cards, forms. */
    :where(.app) header{display:flex;align-items:center;gap:1.5rem;padding:.6rem 1.5rem;background:#fff;border-bottom:1px solid var(--line);flex-wrap:wrap}
    :where(.app) header .brand{font-weight:700;font-size:1.1rem}
    :where(.app) nav a{margin-right:1rem;color:var(--muted);text-decoration:none;font-weight:500}
    :where(.app) nav a.current{color:var(--accent);border-bottom:2px solid var(--accent)}
    :where(.app) header label{margin-left:auto;color:var(--muted)}
    :where(.app) select,:where(.app) input,:where(.app) button{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:6px;background:#fff}
    :where(.app) button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
    :where(.app) button:disabled{opacity:.5;cursor:default}
    :where(.app) button.secondary{background:#fff;color:var(--ink);border-color:var(--line)}
    :where(.app) main{padding:1rem 1.5rem 3rem;max-width:1400px}
    :where(.app) h1{font-size:1.4rem;margin:.5rem 0 1rem}:where(.app) h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
    .card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1rem 1.2rem;margin-bottom:1rem}
    .facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}.facts dt{color:var(--muted)}.facts dd{margin:0}
    .big{font-size:2rem;font-weight:700}
    .row{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start}
    .inline{display:flex;align-items:center;gap:.5rem;font-size:.85rem;color:var(--muted)}
    :where(.app) .grid{display:flex;flex-wrap:wrap;gap:.6rem}
    :where(.app) figure{margin:0;text-align:center}
    :where(.app) figure img{display:block;image-rendering:pixelated;border:1px solid var(--line);background:#fff}
    :where(.app) figcaption{font-size:.8rem;color:var(--muted);max-width:12rem}
    .templates img,.templates .nomap{width:96px;height:96px}
    .maps img,.maps .nomap{width:192px;height:192px}.maps figcaption{max-width:192px}
    .thumbs img{width:64px;height:64px;cursor:pointer}.thumbs img:hover{outline:2px solid var(--accent)}
    .thumbs-large img{width:112px;height:112px}
    table.confusion{border-collapse:collapse;font-size:.7rem}
    table.confusion td,table.confusion th{width:1.3rem;height:1.3rem;text-align:center;padding:0}
    table.confusion th{color:var(--muted);font-weight:500;white-space:nowrap}table.confusion tr>th:first-child{text-align:right;padding-right:.3rem}
    table.confusion.many tr:first-child th{height:auto;vertical-align:bottom}
    table.confusion.many tr:first-child th span{writing-mode:vertical-rl;transform:rotate(180deg);display:inline-block;padding-bottom:.2rem}
    table.confusion td{border:1px solid #eef0f3;cursor:default}
    table.confusion td.hit{cursor:pointer}table.confusion td.hit:hover{outline:2px solid var(--accent)}
    table.confusion td.selected{outline:2px solid #f59e0b}
    .drop{border:2px dashed var(--line);border-radius:10px;padding:2rem;text-align:center;color:var(--muted);background:#fff;min-width:280px}
    .drop.over{border-color:var(--accent);color:var(--accent)}
    table.probabilities{border-collapse:collapse;min-width:320px}table.probabilities td{padding:.15rem .5rem}
    table.probabilities .bar{background:var(--accent);height:.8rem;border-radius:3px}
    .controls{gap:2rem;margin-bottom:.4rem}
    .unusual{color:#8a4b00;background:#fff4e0;border:1px solid #f0c27a;border-radius:6px;padding:.3rem .6rem;font-weight:500}
    svg.chart{background:#fff}svg.chart text{font-size:11px;fill:var(--muted)}
    form.train,form.settings{display:flex;gap:1rem;flex-wrap:wrap;align-items:end}
    form.train label,form.settings label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
    :where(.app) input[type=range]{width:320px}
    .voters{display:flex;flex-wrap:wrap;gap:.4rem 1.6rem}
    .voting-class h3{font-size:.85rem;margin:.6rem 0 .2rem}.voting-class img,.voting-class .nomap{width:64px;height:64px}
    .unit-gallery figure{cursor:pointer;padding:3px;border-radius:6px;width:112px}
    .unit-gallery figcaption{font-size:.72rem}
    .unit-gallery img{margin:0 auto;width:96px;height:96px}
    .unit-gallery figure:hover{background:#eef2ff}.unit-gallery figure.selected{outline:2px solid var(--accent)}
    .unit-gallery figure.dead img{opacity:.45}
    .embedding-map{cursor:grab;touch-action:none;border:1px solid var(--line)}.embedding-map circle{cursor:pointer}
    .embedding-tip{position:absolute;z-index:5;pointer-events:none;background:#fff;border:1px solid var(--line);border-radius:4px;padding:4px;font-size:12px}
    .feature-vis{border:2px solid var(--accent);border-radius:6px;padding:6px;margin:.5em 0}
    .unit-rows{display:flex;flex-wrap:wrap;gap:.8rem}
    .unit-row{display:flex;gap:.6rem;align-items:flex-start;padding:.5rem;border:1px solid #eef0f3;border-radius:8px}
    .unit-row .rank{width:4.5rem;font-size:.8rem}
    .boxed{position:relative;display:inline-block}
    .boxed .box{position:absolute;border:2px solid #f59e0b;box-sizing:border-box;pointer-events:none}
    .tour-figure{margin-top:.6rem}
    /* Dead and rare units: counted apart, dead ones named as chips and never drawn. */
    .unit-activity{margin:.5rem 0}.unit-chips{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center;margin:.3rem 0}
    .unit-chip{display:inline-block;min-width:2rem;padding:.05rem .4rem;border:1px dashed var(--muted);border-radius:4px;
    font-size:.75rem;text-align:center;color:var(--muted);cursor:pointer}.unit-chip.selected{outline:2px solid var(--accent)}
    .unit-gallery figure.rare{background:#fff8e1}
    /* The background checks' progress: a bar and the time still to wait. */
    .progress{display:inline-flex;align-items:center;gap:.4rem;font-size:.75rem;color:var(--muted)}
    .progress progress{width:7rem;height:.6rem;accent-color:var(--accent)}
    /* This image through the layers: per layer, one small tile per channel. */
    .layer-maps{display:flex;flex-wrap:wrap;gap:3px}.layer-maps img{width:48px;height:48px;image-rendering:pixelated;border:1px solid var(--line)}
    .layer-maps figure{margin:0}.layer-maps figcaption{font-size:.65rem;max-width:48px}
    .downloads{display:flex;gap:.5rem;flex-wrap:wrap;margin:.3rem 0}
    :where(.app) .downloads button{font-size:.72rem;padding:.1rem .4rem}
    .permalink{font-size:.8rem}figure.map.linked{outline:3px solid var(--flag);outline-offset:2px}

    /* Access: every clickable tile can be reached with Tab and shows where the focus is. */
    .activatable{cursor:pointer}
    .activatable:focus-visible,a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,
    table.confusion td:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}

    /* Narrow screens (a phone, 400 px): one column, nothing wider than the screen. */
    @media (max-width:600px){
    :where(.app) header{gap:.5rem;padding:.5rem .8rem}:where(.app) header label{margin-left:0}
    :where(.app) nav{display:flex;flex-wrap:wrap;gap:.2rem .6rem}:where(.app) nav a{margin-right:0}
    :where(.app) main,:where(.report) main{padding:.6rem .6rem 2rem}
    .card{padding:.7rem .7rem}
    .maps img,.maps .nomap{width:160px;height:160px}.maps figcaption{max-width:160px}
    :where(.app) input[type=range]{width:100%}:where(.app) select{max-width:100%}
    .row>*,.row label{max-width:100%;min-width:0}.controls{gap:.6rem}
    .drop{min-width:0;padding:1rem}
    table.probabilities{min-width:0;width:100%}
    .facts{grid-template-columns:1fr}
    svg.chart,svg.colorbar,img{max-width:100%;height:auto}
    .scroll,table.confusion{display:block;overflow-x:auto;max-width:100%}
    }

    /* Dark mode, when the system asks for it: the same layout on dark cards; pictures keep their own colours. */
    @media (prefers-color-scheme:dark){
    :root{--ink:#e6e8ee;--muted:#9aa3b5;--line:#3a4150;--accent:#7aa2ff;--bg:#14171d;--wrong:#f87171;--flag:#f5b83d}
    body.report{background:#14171d;color:var(--ink)}
    .card,.fig,.lecture,.drop,.steps>li,:where(.app) header,:where(.report) .pair,svg.chart,.embedding-tip{background:#1d212a;color:var(--ink)}
    :where(.app) select,:where(.app) input,:where(.app) button.secondary{background:#262b36;color:var(--ink)}
    :where(.app) figure img{background:#000}
    .note,.lecture,.cbar figcaption,.fig figcaption small{color:#b8bfcc}
    svg.colorbar text,:where(.report) svg text{fill:#d0d5df}
    .fig.wrong,:where(.report) .wrong{background:#3a1d1f}.fig.flagged,.notice{background:#3a2f14}
    .warning,.unusual{background:#3a2a10;color:#f5c77a}
    .unit-gallery figure:hover{background:#263048}.unit-gallery figure.rare{background:#33290f}
    table.confusion td{border-color:#2a2f3a}
    :where(.report) th,:where(.report) td{border-color:#333a47}
    .badge[data-state=passed]{background:#12301d;color:#86efac}.badge[data-state=failed],.badge[data-state=unusable]{background:#3a1717;color:#fca5a5}
    .badge[data-state=mixed]{background:#3a2a10;color:#fcd34d}.badge[data-state=undetermined]{background:#262b36}
    .badge[data-state=checking]{background:#33290f;color:#fde68a}
    :root{--nomap-stripe:#3a1d1f;--nomap-ground:#1d212a;--nomap-ink:#fca5a5}
    }
    """
}
