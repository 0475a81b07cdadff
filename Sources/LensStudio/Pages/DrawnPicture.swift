import LensRender

extension DrawnMap {
    /// This picture in a report page, enlarged to `width` x `height` CSS pixels; its placeholder
    /// (the same one the web app draws) where it could not be drawn.
    func picture(width: Int, height: Int, alt: String) -> Picture {
        guard let image else { return .placeholder(problem ?? "not drawn", width: width, height: height) }
        return .dataURI(image, width: width, height: height, alt: alt)
    }
}

extension Picture {
    /// A PNG data URI drawn one pixel per value, enlarged without smoothing.
    static func dataURI(_ image: String, width: Int, height: Int, alt: String) -> Picture {
        Picture(html: "<img class=px src=\"\(image)\" width=\(width) height=\(height) alt=\"\(HTML.escape(alt))\">")
    }
}
