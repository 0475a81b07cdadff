/// The order people read class names in: runs of digits compare by their value (s2 before s10),
/// everything else by its bytes, so the order is the same on every machine.
///
/// Only what is shown follows it. A dataset's labels stay in the byte order its folders are
/// listed in (`ClassFolders`): a model file records its classes in that order, its logits and
/// its split follow it, and an old model file must keep meaning the same classes.
public enum NaturalOrder {
    /// True when `a` comes before `b`; ties in value ("s01", "s1") fall back to the bytes.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        var i = a.utf8.makeIterator(), j = b.utf8.makeIterator()
        var x = i.next(), y = j.next()
        while let p = x, let q = y {
            if isDigit(p), isDigit(q) {
                let (left, nextLeft) = number(first: p, &i), (right, nextRight) = number(first: q, &j)
                if left != right { return compare(left, right) }
                (x, y) = (nextLeft, nextRight)
                continue
            }
            if p != q { return p < q }
            (x, y) = (i.next(), j.next())
        }
        if x == nil, y != nil { return true }
        if x != nil || y != nil { return false }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The indices of `names` in natural order: the order to show classes in.
    public static func displayOrder(_ names: [String]) -> [Int] {
        names.indices.sorted { precedes(names[$0], names[$1]) || (!precedes(names[$1], names[$0]) && $0 < $1) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }

    /// A run of digits without its leading zeros (compared by length, then by digits: any length
    /// fits), and the byte after it.
    private static func number(first: UInt8, _ bytes: inout String.UTF8View.Iterator) -> ([UInt8], UInt8?) {
        var digits = first == 48 ? [] : [first]
        var next = bytes.next()
        while let byte = next, isDigit(byte) {
            if !(digits.isEmpty && byte == 48) { digits.append(byte) }
            next = bytes.next()
        }
        return (digits, next)
    }

    private static func compare(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
    }
}
