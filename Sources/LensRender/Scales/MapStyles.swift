/// The stylesheet of picture grids, attribution rows, colour bars and placeholders; `ReportPage`
/// appends it to every page.
enum MapStyles {
    static let stylesheet = """
    img.px{image-rendering:pixelated;image-rendering:crisp-edges;display:block}
    .pgrid h3{margin:1em 0 .3em}.note{color:#555;font-size:13px;margin:.3em 0}
    .figs,.attrrow{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
    .fig{margin:0;width:min-content;background:#fff;border:1px solid #ddd;border-radius:6px;padding:5px}
    .fig figcaption{font-size:12px;line-height:1.35;margin-top:4px;min-width:96px;overflow-wrap:anywhere}
    .fig figcaption small{color:#555;font-size:11px}
    .fig.wrong{border:2px solid #d33;background:#fff4f4}.fig.flagged{border:2px solid #e8a400;background:#fffaeb}
    .attrrow{padding:10px 0;border-bottom:1px solid #ddd}.attrrow.wrong>.fig:first-child{border:2px solid #d33}
    .legend{display:flex;flex-direction:column;gap:8px;align-self:center}
    .nomap{display:flex;align-items:center;justify-content:center;text-align:center;box-sizing:border-box;padding:6px;
    border:2px dashed #c33;color:#a11;font-size:12px;font-weight:600;
    background:repeating-linear-gradient(45deg,#fbeaea 0 6px,#fff 6px 12px)}
    svg.colorbar text{font:11px system-ui,sans-serif;fill:#333}
    .pair-row{display:flex;gap:3px;align-items:flex-start}
    .cbar{margin:0;width:240px}.cbar figcaption{font-size:12px;color:#333;padding-left:28px}
    """
}
