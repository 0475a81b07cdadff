/// A quadtree over 2-D points for t-SNE's repulsive forces (van der Maaten 2014): a cell far
/// enough away (its width / distance < θ) acts as one point of its count at its centre of mass.
///
/// Flat: the nodes are parallel arrays, a node's four children are consecutive, and the points
/// are reordered so that each cell's points are one contiguous run of `sortedX`/`sortedY`. The
/// build partitions that order in place (no array per cell) and the traversal walks a fixed
/// stack through unsafe buffers: it runs for every point at every iteration.
struct BarnesHutTree: Sendable {
    /// Per node: centre of mass, point count, width², first of its four children (−1: a leaf)
    /// and its run of points `start..<end` in the sorted order.
    private var centreX: [Float] = [], centreY: [Float] = []
    private var count: [Float] = []
    private var widthSquared: [Float] = []
    private var firstChild: [Int32] = []
    private var start: [Int32] = [], end: [Int32] = []
    /// The points in tree order, and which point sits at each place of it.
    private var sortedX: [Float], sortedY: [Float]
    private var order: [Int32]

    /// Cells stop splitting at this depth (coincident points share a leaf).
    static let maximumDepth = 40
    /// A traversal pushes at most 4 nodes per level, 3 of them waiting.
    private static let stackSize = 4 + 3 * maximumDepth

    init(x: [Float], y: [Float]) {
        let n = x.count
        var order = (0..<n).map(Int32.init)
        self.order = []
        let minX = x.min() ?? 0, maxX = x.max() ?? 0, minY = y.min() ?? 0, maxY = y.max() ?? 0
        let side = max(maxX - minX, maxY - minY) * (1 + 1e-5) + 1e-8
        let capacity = 2 * n + 1
        centreX.reserveCapacity(capacity); centreY.reserveCapacity(capacity); count.reserveCapacity(capacity)
        widthSquared.reserveCapacity(capacity); firstChild.reserveCapacity(capacity)
        start.reserveCapacity(capacity); end.reserveCapacity(capacity)
        sortedX = []; sortedY = []
        addNode(width: side)
        build(0, &order, 0, n, x, y, cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, half: side / 2, depth: 0)
        sortedX = order.map { x[Int($0)] }
        sortedY = order.map { y[Int($0)] }
        self.order = order
    }

    private mutating func addNode(width: Float) {
        centreX.append(0); centreY.append(0); count.append(0)
        widthSquared.append(width * width)
        firstChild.append(-1); start.append(0); end.append(0)
    }

    /// Fills `node` with `order[lower..<upper]`, splitting it into quadrants in place:
    /// 0 (x < cx, y < cy), 1 (x ≥ cx, y < cy), 2 (x < cx, y ≥ cy), 3 (x ≥ cx, y ≥ cy).
    private mutating func build(_ node: Int, _ order: inout [Int32], _ lower: Int, _ upper: Int, _ x: [Float], _ y: [Float],
                                cx: Float, cy: Float, half: Float, depth: Int) {
        var sumX: Float = 0, sumY: Float = 0
        for k in lower..<upper { sumX += x[Int(order[k])]; sumY += y[Int(order[k])] }
        let m = upper - lower
        centreX[node] = sumX / Float(max(m, 1))
        centreY[node] = sumY / Float(max(m, 1))
        count[node] = Float(m)
        start[node] = Int32(lower)
        end[node] = Int32(upper)
        guard m > 1, depth < Self.maximumDepth else { return }
        // two two-way partitions: by y, then each half by x
        func partition(_ from: Int, _ to: Int, _ below: (Int32) -> Bool) -> Int {
            var split = from
            for k in from..<to where below(order[k]) {
                order.swapAt(k, split)
                split += 1
            }
            return split
        }
        let middle = partition(lower, upper) { y[Int($0)] < cy }
        let bounds = [lower, partition(lower, middle) { x[Int($0)] < cx }, middle, partition(middle, upper) { x[Int($0)] < cx }, upper]
        let first = centreX.count, h = half / 2
        for _ in 0..<4 { addNode(width: half) }
        firstChild[node] = Int32(first)
        for q in 0..<4 {
            build(first + q, &order, bounds[q], bounds[q + 1], x, y,
                  cx: cx + (q % 2 == 1 ? h : -h), cy: cy + (q >= 2 ? h : -h), half: h, depth: depth + 1)
        }
    }

    /// `body(i, z, fx, fy)` for the points i at `places` of the tree order (`0..<n` is every point;
    /// neighbours in that order are neighbours in the plane, so consecutive traversals walk the
    /// same cells): Σⱼ q̃ᵢⱼ (its part of Z) and Σⱼ q̃ᵢⱼ² (yᵢ − yⱼ), q̃ = 1/(1 + ‖yᵢ − yⱼ‖²), j ≠ i.
    func repulsions(at places: Range<Int>, theta: Float, _ body: (_ i: Int, _ z: Float, _ fx: Float, _ fy: Float) -> Void) {
        let theta2 = theta * theta
        centreX.withUnsafeBufferPointer { comX in centreY.withUnsafeBufferPointer { comY in
        count.withUnsafeBufferPointer { mass in widthSquared.withUnsafeBufferPointer { width2 in
        firstChild.withUnsafeBufferPointer { child in start.withUnsafeBufferPointer { from in end.withUnsafeBufferPointer { to in
        sortedX.withUnsafeBufferPointer { xs in sortedY.withUnsafeBufferPointer { ys in order.withUnsafeBufferPointer { points in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.stackSize) { stack in
            for own in places {
                let (px, py) = (xs[own], ys[own])
                var z: Float = 0, fx: Float = 0, fy: Float = 0
                stack[0] = 0
                var top = 1
                while top > 0 {
                    top -= 1
                    let node = Int(stack[top])
                    let first = Int(child[node])
                    if first < 0 {
                        // a leaf: its points one by one (one, unless coincident at the maximum depth)
                        for k in Int(from[node])..<Int(to[node]) where k != own {
                            let (dx, dy) = (px - xs[k], py - ys[k])
                            let q = 1 / (1 + dx * dx + dy * dy)
                            z += q
                            fx += q * q * dx
                            fy += q * q * dy
                        }
                        continue
                    }
                    let (dx, dy) = (px - comX[node], py - comY[node])
                    let distance2 = dx * dx + dy * dy
                    if distance2 > 0, width2[node] < theta2 * distance2 {
                        let q = 1 / (1 + distance2), m = mass[node]
                        z += m * q
                        fx += m * q * q * dx
                        fy += m * q * q * dy
                    } else {
                        for c in first..<(first + 4) where mass[c] > 0 {
                            stack[top] = Int32(c)
                            top += 1
                        }
                    }
                }
                body(Int(points[own]), z, fx, fy)
            }
        }
        } } }
        } } }
        } }
        } }
    }
}
