extension Substring {
    /// The text without the characters `unwanted` picks at either end. Foundation's
    /// `trimmingCharacters(in:)` goes through NSString; this runs on every device request.
    func trimming(_ unwanted: (Character) -> Bool) -> Substring {
        guard let first = firstIndex(where: { !unwanted($0) }), let last = lastIndex(where: { !unwanted($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
