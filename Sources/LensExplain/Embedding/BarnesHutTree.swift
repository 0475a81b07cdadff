/// A quadtree over 2-D points for t-SNE's repulsive forces (van der Maaten 2014): a cell far
/// enough away (its width / distance < θ) acts as one point of its count at its centre of mass.
struct BarnesHutTree: Sendable {
    private var centreX: [Float] = [], centreY: [Float] = []
    private var count: [Int] = []
    private var width: [Float] = []
    /// First of the node's four children, or −1 for a leaf.
    private var firstChild: [Int] = []
    /// A leaf's points: `leafPoints[leafStart[node]..<leafEnd[node]]`.
    private var leafStart: [Int] = [], leafEnd: [Int] = []
    private var leafPoints: [Int] = []
    private let x: [Float], y: [Float]

    /// Cells stop splitting at this depth (coincident points share a leaf).
    static let maximumDepth = 40

    init(x: [Float], y: [Float]) {
        self.x = x
        self.y = y
        let minX = x.min() ?? 0, maxX = x.max() ?? 0, minY = y.min() ?? 0, maxY = y.max() ?? 0
        let side = max(maxX - minX, maxY - minY) * (1 + 1e-5) + 1e-8
        var indices = Array(x.indices)
        build(&indices[...], cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, half: side / 2, depth: 0)
    }

    @discardableResult
    private mutating func build(_ points: inout ArraySlice<Int>, cx: Float, cy: Float, half: Float, depth: Int) -> Int {
        let node = count.count
        var sumX: Float = 0, sumY: Float = 0
        for p in points { sumX += x[p]; sumY += y[p] }
        centreX.append(sumX / Float(max(points.count, 1)))
        centreY.append(sumY / Float(max(points.count, 1)))
        count.append(points.count)
        width.append(2 * half)
        firstChild.append(-1)
        leafStart.append(leafPoints.count)
        if points.count <= 1 || depth >= Self.maximumDepth {
            leafPoints += points
            leafEnd.append(leafPoints.count)
            return node
        }
        leafEnd.append(leafPoints.count)
        // quadrants: 0 (x < cx, y < cy), 1 (x ≥ cx, y < cy), 2 (x < cx, y ≥ cy), 3 (x ≥ cx, y ≥ cy)
        var quadrants: [[Int]] = [[], [], [], []]
        for p in points { quadrants[(x[p] >= cx ? 1 : 0) + (y[p] >= cy ? 2 : 0)].append(p) }
        let h = half / 2
        // children are appended in order, but each child's subtree follows it: record their indices
        var children = [Int]()
        for q in 0..<4 {
            var slice = quadrants[q][...]
            children.append(build(&slice, cx: cx + (q % 2 == 1 ? h : -h), cy: cy + (q >= 2 ? h : -h), half: h, depth: depth + 1))
        }
        firstChild[node] = childTable.count
        childTable += children
        return node
    }
    private var childTable: [Int] = []

    /// For point i: Σⱼ q̃ᵢⱼ (the contribution to Z) and Σⱼ q̃ᵢⱼ² (yᵢ − yⱼ), q̃ = 1/(1 + ‖yᵢ − yⱼ‖²).
    func repulsion(of i: Int, theta: Float) -> (z: Float, fx: Float, fy: Float) {
        var z: Float = 0, fx: Float = 0, fy: Float = 0
        var stack = [0]
        let (px, py) = (x[i], y[i])
        while let node = stack.popLast() {
            guard count[node] > 0 else { continue }
            if firstChild[node] < 0 {
                for p in leafPoints[leafStart[node]..<leafEnd[node]] where p != i {
                    let (dx, dy) = (px - x[p], py - y[p])
                    let q = 1 / (1 + dx * dx + dy * dy)
                    z += q
                    fx += q * q * dx
                    fy += q * q * dy
                }
                continue
            }
            let (dx, dy) = (px - centreX[node], py - centreY[node])
            let distance2 = dx * dx + dy * dy
            if distance2 > 0, width[node] * width[node] < theta * theta * distance2 {
                let q = 1 / (1 + distance2), m = Float(count[node])
                z += m * q
                fx += m * q * q * dx
                fy += m * q * q * dy
            } else {
                let first = firstChild[node]
                stack += childTable[first..<(first + 4)]
            }
        }
        return (z, fx, fy)
    }
}
