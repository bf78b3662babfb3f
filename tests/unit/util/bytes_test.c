#include "tap.h"
#include "util/bytes.h"

#include <string.h>

static void bytes_test_reads(void)
{
    static const uint8_t buf[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
    struct bytes_reader r;

    bytes_reader_init(&r, buf, sizeof(buf));
    TAP_EQ_INT(bytes_reader_left(&r), 9, "a new reader has everything left");
    TAP_EQ_INT(bytes_read_u8(&r), 0x01, "read_u8");
    TAP_EQ_INT(bytes_read_u16(&r), 0x0203, "read_u16 is big-endian");
    TAP_EQ_INT(bytes_read_u32(&r), 0x04050607, "read_u32 is big-endian");
    TAP_EQ_INT(bytes_reader_left(&r), 2, "7 bytes read, 2 left");
    const uint8_t *span = bytes_read_span(&r, 2);
    TAP_CHECK(span == buf + 7, "read_span points into the buffer");
    TAP_EQ_INT(bytes_reader_left(&r), 0, "nothing left");
    TAP_CHECK(bytes_read_span(&r, 0) != NULL, "an empty span at the end is fine");
    TAP_CHECK(!r.failed, "exact reads do not fail");
}

static void bytes_test_read_past_end(void)
{
    static const uint8_t buf[] = {0xff, 0xfe, 0xfd};
    struct bytes_reader r;

    bytes_reader_init(&r, buf, sizeof(buf));
    TAP_EQ_INT(bytes_read_u32(&r), 0, "read_u32 past the end yields 0");
    TAP_CHECK(r.failed, "read_u32 past the end fails");
    TAP_EQ_INT(r.pos, 0, "a failed read does not advance");
    TAP_EQ_INT(bytes_read_u8(&r), 0, "reads after a failure yield 0 (sticky)");
    TAP_CHECK(r.failed, "the failure stays");
    TAP_EQ_INT(bytes_reader_left(&r), 0, "a failed reader has nothing left");

    bytes_reader_init(&r, buf, sizeof(buf));
    TAP_EQ_INT(bytes_read_u16(&r), 0xfffe, "read_u16 within bounds");
    TAP_EQ_INT(bytes_read_u16(&r), 0, "read_u16 across the end yields 0");
    TAP_CHECK(r.failed, "read_u16 across the end fails");

    bytes_reader_init(&r, buf, sizeof(buf));
    TAP_CHECK(bytes_read_span(&r, 4) == NULL, "read_span past the end is NULL");
    TAP_CHECK(r.failed, "read_span past the end fails");

    bytes_reader_init(&r, buf, sizeof(buf));
    TAP_CHECK(bytes_read_span(&r, SIZE_MAX) == NULL, "a huge span does not wrap around");
    TAP_CHECK(r.failed, "a huge span fails");

    bytes_reader_init(&r, NULL, 0);
    TAP_EQ_INT(bytes_read_u8(&r), 0, "reading an empty buffer yields 0");
    TAP_CHECK(r.failed, "reading an empty buffer fails");
}

static void bytes_test_writes(void)
{
    static const uint8_t want[] = {0xab, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 'h', 'i'};
    uint8_t buf[9];
    struct bytes_writer w;

    memset(buf, 0, sizeof(buf));
    bytes_writer_init(&w, buf, sizeof(buf));
    bytes_write_u8(&w, 0xab);
    bytes_write_u16(&w, 0x1234);
    bytes_write_u32(&w, 0xdeadbeef);
    bytes_write_mem(&w, "hi", 2);
    bytes_write_mem(&w, NULL, 0);
    TAP_CHECK(!w.failed, "writes that fit do not fail");
    TAP_EQ_INT(w.pos, 9, "the writer advanced 9 bytes");
    TAP_EQ_MEM(buf, want, sizeof(want), "writes are big-endian and in order");
}

static void bytes_test_write_past_cap(void)
{
    uint8_t buf[8];
    uint8_t untouched[8];
    struct bytes_writer w;

    memset(buf, 0x5a, sizeof(buf));
    memset(untouched, 0x5a, sizeof(untouched));
    bytes_writer_init(&w, buf, 3);
    bytes_write_u32(&w, 0x01020304);
    TAP_CHECK(w.failed, "write_u32 past the capacity fails");
    TAP_EQ_INT(w.pos, 0, "a failed write does not advance");
    TAP_EQ_MEM(buf, untouched, sizeof(buf), "a failed write writes nothing");
    bytes_write_u8(&w, 0x01);
    TAP_EQ_MEM(buf, untouched, sizeof(buf), "writes after a failure write nothing (sticky)");
    TAP_CHECK(w.failed, "the failure stays");

    bytes_writer_init(&w, buf, 3);
    bytes_write_u16(&w, 0x0102);
    bytes_write_u16(&w, 0x0304);
    TAP_CHECK(w.failed, "write_u16 across the capacity fails");
    TAP_EQ_INT(buf[2], 0x5a, "the byte under the capacity is not written");
    TAP_EQ_INT(buf[3], 0x5a, "the byte past the capacity is not written");

    bytes_writer_init(&w, buf, 3);
    bytes_write_mem(&w, "abcd", 4);
    TAP_CHECK(w.failed, "write_mem past the capacity fails");
    TAP_EQ_INT(buf[0], 0x01, "write_mem past the capacity writes nothing");
    bytes_writer_init(&w, buf, 3);
    TAP_CHECK(bytes_write_span(&w, SIZE_MAX) == NULL, "a huge write span does not wrap");
    TAP_CHECK(w.failed, "a huge write span fails");
}

static void bytes_test_raw(void)
{
    uint8_t buf[4];

    bytes_put_u16(buf, 0xbeef);
    TAP_EQ_INT(buf[0], 0xbe, "put_u16 high byte first");
    TAP_EQ_INT(bytes_get_u16(buf), 0xbeef, "get_u16 reads put_u16");
    bytes_put_u32(buf, 0x8badf00du);
    TAP_EQ_INT(buf[0], 0x8b, "put_u32 high byte first");
    TAP_EQ_INT(buf[3], 0x0d, "put_u32 low byte last");
    TAP_EQ_INT(bytes_get_u32(buf), 0x8badf00du, "get_u32 reads put_u32");
}

int main(void)
{
    bytes_test_reads();
    bytes_test_read_past_end();
    bytes_test_writes();
    bytes_test_write_past_cap();
    bytes_test_raw();
    return tap_done();
}
