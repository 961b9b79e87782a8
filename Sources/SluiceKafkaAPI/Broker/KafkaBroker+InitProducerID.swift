extension KafkaBroker {
    /// InitProducerId: a producer id for an idempotent producer (the default of kafka-python 3
    /// and Java clients 3+). Transactional producers are refused.
    func initProducerID(_ request: inout KafkaProtocolReader, version: Int16, into response: inout KafkaProtocolWriter) throws(KafkaProtocolError) {
        let transactionalID = try request.nullableString()
        _ = try request.int32()  // transaction timeout
        if version >= 3 {
            _ = try request.int64()  // producer id (to bump an epoch)
            _ = try request.int16()  // producer epoch
        }
        try request.skipTaggedFields()
        response.int32(0)  // throttle time
        if transactionalID != nil {
            response.int16(KafkaErrorCode.transactionalIDAuthorizationFailed.rawValue)
            response.int64(-1)
            response.int16(-1)
        } else {
            response.int16(KafkaErrorCode.none.rawValue)
            response.int64(producers.newProducerID())
            response.int16(0)
        }
        response.taggedFields()
    }
}
