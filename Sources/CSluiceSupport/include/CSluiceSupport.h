#ifndef C_SLUICE_SUPPORT_H
#define C_SLUICE_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/// CRC-32C (Castagnoli), as Kafka's RecordBatch v2 uses it: `crc` is the running value
/// (0 to start), the result is final (already inverted). Uses SSE4.2 or ARMv8 CRC instructions
/// when the CPU has them, else a slicing-by-8 table.
/// Why C: Swift has no access to the CRC instructions, and this runs over every byte we store.
uint32_t sluice_crc32c(uint32_t crc, const void *data, size_t length);

/// The portable table implementation alone, so tests can check it against the hardware one.
uint32_t sluice_crc32c_portable(uint32_t crc, const void *data, size_t length);

/// Whether `sluice_crc32c` uses a CRC instruction on this CPU.
bool sluice_crc32c_has_hardware(void);

#endif
