/// Kafka's default partitioner for keyed records, byte for byte: murmur2 (seed 0x9747b28c) of the
/// key, made positive by masking the sign bit, modulo the partition count. The same key lands in
/// the same partition here and in a Kafka cluster with as many partitions.
public enum KeyPartitioner {
    /// Kafka's `Utils.murmur2`.
    public static func murmur2(_ key: some Collection<UInt8>) -> Int32 {
        let length = key.count
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var bytes = key.makeIterator()
        var remaining = length
        while remaining >= 4 {
            let b0 = UInt32(bytes.next()!), b1 = UInt32(bytes.next()!), b2 = UInt32(bytes.next()!), b3 = UInt32(bytes.next()!)
            var k = b0 | b1 << 8 | b2 << 16 | b3 << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
            remaining -= 4
        }
        var tail: [UInt32] = []
        while let byte = bytes.next() { tail.append(UInt32(byte)) }
        if tail.count == 3 { h ^= tail[2] << 16 }
        if tail.count >= 2 { h ^= tail[1] << 8 }
        if tail.count >= 1 {
            h ^= tail[0]
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// The partition for `key` among `partitionCount` partitions (Kafka's `toPositive(murmur2) % n`).
    public static func partition(forKey key: some Collection<UInt8>, partitionCount: Int) -> Int {
        precondition(partitionCount > 0, "a topic has at least one partition")
        return Int(UInt32(bitPattern: murmur2(key)) & 0x7fff_ffff) % partitionCount
    }
}
