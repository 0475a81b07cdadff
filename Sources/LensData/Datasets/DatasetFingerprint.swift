import Foundation

extension LabeledImages {
    /// A short digest of which files, under which class, a dataset holds: class names and each
    /// item's path relative to the dataset's root, in order. Two folders with the same files give
    /// the same fingerprint wherever they are; a renamed, added or removed file changes it.
    public func fingerprint(root: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64 bits: a checksum, not a defence
        func add(_ text: String) {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        classNames.forEach(add)
        let prefix = root.hasSuffix("/") ? root : root + "/"
        for (path, label) in zip(paths, labels) {
            add(path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path)
            add(String(label))
        }
        return String(format: "fnv1a64:%016llx", hash)
    }
}
