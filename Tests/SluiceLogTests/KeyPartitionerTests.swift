import Testing

@testable import SluiceLog

@Suite("Kafka's murmur2 key partitioner")
struct KeyPartitionerTests {
    /// The vectors of Kafka's `UtilsTest.testMurmur2`.
    static let vectors: [(String, Int32)] = [
        ("21", -973_932_308),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ]

    @Test("murmur2 matches Kafka's test vectors")
    func vectors() {
        for (key, expected) in Self.vectors {
            #expect(KeyPartitioner.murmur2(Array(key.utf8)) == expected, "key \(key)")
        }
    }

    @Test("partitions are the positive hash modulo the count, stable per key")
    func partitions() {
        // toPositive(-973932308) = -973932308 & 0x7fffffff = 1173551340; 1173551340 % 6 = 0.
        #expect(KeyPartitioner.partition(forKey: Array("21".utf8), partitionCount: 6) == 1_173_551_340 % 6)
        #expect(KeyPartitioner.partition(forKey: Array("abc".utf8), partitionCount: 10) == 479_470_107 % 10)
        for device in 0..<100 {
            let key = Array("dev-\(device)".utf8)
            let first = KeyPartitioner.partition(forKey: key, partitionCount: 3)
            #expect((0..<3).contains(first))
            #expect(KeyPartitioner.partition(forKey: key, partitionCount: 3) == first)
        }
    }
}
