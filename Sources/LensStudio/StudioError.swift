/// Why a studio service cannot do what was asked, in the words of someone using a page or the
/// API (never a CLI flag). `kind` lets an adapter pick its status code without parsing text.
public struct StudioError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The input cannot be used (an undecodable image, a setting out of range).
        case invalidInput
        /// Something named does not exist (a model, a class).
        case notFound
        /// Another piece of work holds what is needed (a training job already running).
        case busy
        /// The model cannot do this (templates of a k-NN model, maps without gradients).
        case notApplicable
        /// Reading or writing files, or data the model needs, failed.
        case failed
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
