import LensExplain

extension ChannelReduction {
    /// How each method's map becomes one plane: `AttributionMethod.pictureReduction`, the one owner
    /// that the report's pages, the web app and `lens explain` all draw with.
    public static func standard(for method: AttributionMethod) -> ChannelReduction {
        method.pictureReduction
    }
}
