/// Whether a unit responds to the images searched at all. A unit "fires" on an image when its
/// strongest activation there (over positions, for a conv channel) is above zero: after a ReLU,
/// zero everywhere means the image tells the next layer nothing through this unit.
public enum UnitActivity: String, Codable, Sendable, Equatable {
    /// Fires on no image searched: its "top images" would be arbitrary images at activation 0.
    case dead
    /// Fires on fewer than `rareFraction` of the images searched (but on at least one).
    case rare
    case active

    /// A unit is rare below 1% of the images: on ORL's 280 training faces that is one or two faces,
    /// too few to say what the unit responds to, and far fewer than a unit page's top 9.
    public static let rareFraction = 0.01

    public init(firingImages: Int, of imageCount: Int) {
        if firingImages == 0 {
            self = .dead
        } else if Double(firingImages) < Self.rareFraction * Double(imageCount) {
            self = .rare
        } else {
            self = .active
        }
    }

    /// "never fires", "fires on 2 of 280 images", ...: what a unit's page says of it.
    public static func words(firingImages: Int, of imageCount: Int) -> String {
        firingImages == 0 ? "never fires on the \(imageCount) images searched"
            : "fires on \(firingImages) of the \(imageCount) images searched"
    }
}
