import Testing

@testable import SluiceUpstream

/// Delivers `offset` and says whether the cursor moved (a function: `#expect` cannot mutate).
private func deliver(_ window: inout ForwardWindow, _ offset: Int64) -> Bool { window.delivered(offset: offset) }

@Suite("Forward window: the cursor moves only over delivered records")
struct ForwardWindowTests {
    @Test("out-of-order deliveries move the cursor only over a contiguous prefix")
    func outOfOrder() {
        var window = ForwardWindow(cursor: 10)
        for offset in Int64(10)..<15 { window.produced(offset: offset, bytes: 100) }
        #expect(window.cursor == 10 && window.readPosition == 15 && window.inFlightBytes == 500)
        #expect(!deliver(&window, 12))
        #expect(window.cursor == 10)
        #expect(deliver(&window, 10))
        #expect(window.cursor == 11)
        #expect(deliver(&window, 11))
        #expect(window.cursor == 13)  // 12 was already delivered
        #expect(!deliver(&window, 14))
        #expect(deliver(&window, 13))
        #expect(window.cursor == 15 && window.inFlightBytes == 0 && window.inFlightCount == 0)
        #expect(!deliver(&window, 13))  // a second report changes nothing
    }

    @Test("gaps (retention, sparse batches) are skipped when nothing is in flight")
    func gaps() {
        var window = ForwardWindow(cursor: 0)
        window.skip(to: 100)
        #expect(window.cursor == 100 && window.readPosition == 100)
        window.produced(offset: 100, bytes: 1)
        window.produced(offset: 105, bytes: 1)
        window.delivered(offset: 100)
        #expect(window.cursor == 105)
        window.delivered(offset: 105)
        #expect(window.cursor == 106)
    }

    @Test("a long stream stays small and correct")
    func compaction() {
        var window = ForwardWindow(cursor: 0)
        for offset in Int64(0)..<100_000 {
            window.produced(offset: offset, bytes: 10)
            if offset >= 3 { window.delivered(offset: offset - 3) }
        }
        #expect(window.cursor == 99_997)
        #expect(window.inFlightCount == 3)
    }
}
