extension String {
    /// The edit distance to `other` (optimal string alignment): how many single-character
    /// insertions, deletions, substitutions or swaps of neighbours turn one into the other,
    /// so that the typo `cleint_id` is one edit from `client_id`.
    func editDistance(to other: String) -> Int {
        let source = Array(self)
        let target = Array(other)
        guard !source.isEmpty else { return target.count }
        guard !target.isEmpty else { return source.count }
        // distances[i][j]: the distance between the first i characters of source and the first j of target.
        var distances = [[Int]](repeating: [Int](repeating: 0, count: target.count + 1), count: source.count + 1)
        for i in 0...source.count { distances[i][0] = i }
        for j in 0...target.count { distances[0][j] = j }
        for i in 1...source.count {
            for j in 1...target.count {
                let cost = source[i - 1] == target[j - 1] ? 0 : 1
                var distance = Swift.min(
                    distances[i - 1][j] + 1, distances[i][j - 1] + 1, distances[i - 1][j - 1] + cost)
                if i > 1, j > 1, source[i - 1] == target[j - 2], source[i - 2] == target[j - 1] {
                    distance = Swift.min(distance, distances[i - 2][j - 2] + 1)
                }
                distances[i][j] = distance
            }
        }
        return distances[source.count][target.count]
    }
}

extension Sequence<String> {
    /// The element closest to `text`, if it is close enough to be what was meant: `text` with `_`/`-`
    /// dropped or case changed, or, for three characters or more, at most a third of its length
    /// away (at least 1, at most 3 edits).
    func closest(to text: String) -> String? {
        func normalized(_ string: String) -> String { string.lowercased().filter { $0 != "_" && $0 != "-" } }
        if let match = first(where: { normalized($0) == normalized(text) }) { return match }
        // One or two characters are too few to guess from: "4" is as near "5" as any digit.
        guard text.count >= 3 else { return nil }
        let limit = Swift.min(3, Swift.max(1, text.count / 3))
        return map { (candidate: $0, distance: $0.editDistance(to: text)) }
            .filter { $0.distance <= limit }
            .min { $0.distance < $1.distance }?
            .candidate
    }
}
