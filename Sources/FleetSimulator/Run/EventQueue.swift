import Foundation

/// Devices by the simulated time they are next due: a binary heap, ties broken by device
/// index so the order never depends on timing.
struct EventQueue {
    private var heap: [(time: Date, device: Int)] = []

    var isEmpty: Bool { heap.isEmpty }
    var earliest: Date? { heap.first?.time }

    mutating func push(_ time: Date, _ device: Int) {
        heap.append((time, device))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Every device due before `limit`, earliest first.
    mutating func pop(before limit: Date) -> [Int] {
        var due: [Int] = []
        while let first = heap.first, first.time < limit {
            due.append(first.device)
            heap.swapAt(0, heap.count - 1)
            heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, precedes(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, precedes(heap[right], heap[smallest]) { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }

    private func precedes(_ a: (time: Date, device: Int), _ b: (time: Date, device: Int)) -> Bool {
        a.time < b.time || (a.time == b.time && a.device < b.device)
    }
}
