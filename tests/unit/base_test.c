/* Tests for src/base: map, heap, buffers, addresses, random ids. */
#include "test.h"

#include "base/addr.h"
#include "base/buf.h"
#include "base/heap.h"
#include "base/map.h"
#include "base/rand.h"

TEST(map_add_find_remove_many)
{
    mj_map m;
    mj_map_init(&m);
    static int vals[5000];
    for (int i = 0; i < 5000; i++)
        REQUIRE(mj_map_add(&m, (uint64_t)(i % 1000) * 0x9e3779b97f4a7c15ull, &vals[i]) == 0);
    CHECK_EQ(m.len, 5000);
    /* Every hash has five values; each is found exactly once. */
    for (int k = 0; k < 1000; k++) {
        size_t it = 0;
        int seen = 0;
        void *v;
        while ((v = mj_map_next(&m, (uint64_t)k * 0x9e3779b97f4a7c15ull, &it)))
            seen += (int *)v >= vals && (int *)v < vals + 5000 && ((int *)v - vals) % 1000 == k;
        CHECK_EQ(seen, 5);
    }
    /* Remove every other one and check the rest are still reachable. */
    for (int i = 0; i < 5000; i += 2)
        CHECK_EQ(mj_map_remove(&m, (uint64_t)(i % 1000) * 0x9e3779b97f4a7c15ull, &vals[i]), 0);
    CHECK_EQ(m.len, 2500);
    for (int i = 1; i < 5000; i += 2) {
        size_t it = 0;
        void *v;
        int found = 0;
        while ((v = mj_map_next(&m, (uint64_t)(i % 1000) * 0x9e3779b97f4a7c15ull, &it)))
            found |= v == &vals[i];
        CHECK(found);
    }
    CHECK_EQ(mj_map_remove(&m, 12345, &vals[0]), MJ_ENOTFOUND);
    mj_map_dispose(&m);
}

TEST(heap_orders_and_updates)
{
    mj_heap h;
    mj_heap_init(&h);
    mj_heap_node nodes[100];
    for (int i = 0; i < 100; i++) {
        mj_heap_node_init(&nodes[i]);
        REQUIRE(mj_heap_set(&h, &nodes[i], (mj_time)((i * 37) % 100)) == 0);
    }
    /* Move one to the front and remove another. */
    REQUIRE(mj_heap_set(&h, &nodes[50], -5) == 0);
    mj_heap_remove(&h, &nodes[3]);
    CHECK(!mj_heap_node_queued(&nodes[3]));
    CHECK(mj_heap_peek(&h) == &nodes[50]);
    mj_time last = -100;
    int count = 0;
    while (mj_heap_peek(&h)) {
        mj_heap_node *n = mj_heap_peek(&h);
        CHECK(n->at >= last);
        last = n->at;
        mj_heap_remove(&h, n);
        count++;
    }
    CHECK_EQ(count, 99);
    mj_heap_dispose(&h);
}

TEST(heap_reserve_makes_room_in_advance)
{
    mj_heap h;
    mj_heap_init(&h);
    REQUIRE(mj_heap_reserve(&h, 100) == 0);
    CHECK(h.cap >= 100);
    mj_heap_node **items = h.items;
    mj_heap_node nodes[100];
    for (int i = 0; i < 100; i++) {
        mj_heap_node_init(&nodes[i]);
        REQUIRE(mj_heap_set(&h, &nodes[i], 100 - i) == 0);
    }
    /* Nothing was allocated while setting: the array did not move. */
    CHECK(h.items == items);
    CHECK(mj_heap_peek(&h) == &nodes[99]);
    REQUIRE(mj_heap_reserve(&h, 10) == 0); /* never shrinks */
    CHECK(h.items == items);
    mj_heap_dispose(&h);
}

TEST(wbuf_fails_once_full)
{
    uint8_t b[5];
    mj_wbuf w;
    mj_wbuf_init(&w, b, sizeof b);
    mj_wbuf_be32(&w, 0x01020304);
    CHECK_EQ(mj_wbuf_result(&w), 4);
    mj_wbuf_be16(&w, 7);
    CHECK(w.failed);
    CHECK_EQ(mj_wbuf_result(&w), MJ_ENOSPC);
    CHECK_EQ(mj_be32(b), 0x01020304);
    char t[8];
    mj_wbuf_init(&w, t, sizeof t);
    mj_wbuf_printf(&w, "%s", "1234567");
    CHECK_EQ(mj_wbuf_result(&w), 7);
    mj_wbuf_printf(&w, "x");
    CHECK(w.failed);
}

TEST(addr_parse_and_format)
{
    mj_addr a, b;
    char s[MJ_ADDR_STRLEN];
    REQUIRE(mj_addr_parse("127.0.0.1:8080", &a) == 0);
    CHECK_EQ(a.family, 4);
    CHECK_EQ(a.port, 8080);
    CHECK_STR(mj_addr_str(&a, s), "127.0.0.1:8080");
    CHECK(mj_addr_is_loopback(&a));
    REQUIRE(mj_addr_parse("[::1]:9", &b) == 0);
    CHECK_STR(mj_addr_str(&b, s), "[::1]:9");
    CHECK(mj_addr_is_loopback(&b));
    CHECK(!mj_addr_eq(&a, &b));
    CHECK_EQ(mj_addr_parse("127.0.0.1", &a), MJ_EINVAL);
    CHECK_EQ(mj_addr_parse("127.0.0.1:70000", &a), MJ_EINVAL);
    CHECK_EQ(mj_addr_parse("nothost:80", &a), MJ_EINVAL);
    CHECK_EQ(mj_addr_parse("[::1:80", &a), MJ_EINVAL);
}

TEST(prefixes_contain_their_addresses)
{
    mj_prefix p;
    mj_addr a;
    REQUIRE(mj_prefix_parse("10.0.0.0/8", &p) == 0);
    CHECK_EQ(p.bits, 8);
    REQUIRE(mj_addr_parse_ip("10.200.3.4", 0, &a) == 0);
    CHECK(mj_prefix_contains(&p, &a));
    REQUIRE(mj_addr_parse_ip("11.0.0.1", 0, &a) == 0);
    CHECK(!mj_prefix_contains(&p, &a));
    /* An IPv4-mapped peer (a dual-stack socket) is its IPv4 address. */
    REQUIRE(mj_addr_parse_ip("::ffff:10.1.2.3", 0, &a) == 0);
    CHECK(mj_prefix_contains(&p, &a));
    REQUIRE(mj_prefix_parse("127.0.0.1", &p) == 0);
    CHECK_EQ(p.bits, 32);
    REQUIRE(mj_addr_parse_ip("127.0.0.2", 0, &a) == 0);
    CHECK(!mj_prefix_contains(&p, &a));
    REQUIRE(mj_prefix_parse("2001:db8:1:100::/56", &p) == 0);
    REQUIRE(mj_addr_parse_ip("2001:db8:1:1ff::9", 0, &a) == 0);
    CHECK(mj_prefix_contains(&p, &a));
    REQUIRE(mj_addr_parse_ip("2001:db8:1:200::9", 0, &a) == 0);
    CHECK(!mj_prefix_contains(&p, &a));
    REQUIRE(mj_addr_parse_ip("10.0.0.1", 0, &a) == 0);
    CHECK(!mj_prefix_contains(&p, &a)); /* another family */
    CHECK_EQ(mj_prefix_parse("10.0.0.1/8", &p), MJ_EINVAL);
    CHECK_EQ(mj_prefix_parse("10.0.0.0/33", &p), MJ_EINVAL);
    CHECK_EQ(mj_prefix_parse("10.0.0.0/", &p), MJ_EINVAL);
    CHECK_EQ(mj_prefix_parse("proxy.example", &p), MJ_EINVAL);
    CHECK_EQ(mj_prefix_parse("", &p), MJ_EINVAL);
    uint8_t key[16];
    REQUIRE(mj_addr_parse_ip("198.51.100.77", 0, &a) == 0);
    CHECK_EQ(mj_addr_prefix_bytes(&a, 24, key), 3);
    CHECK_EQ(key[2], 100);
    REQUIRE(mj_addr_parse_ip("2001:db8::1", 0, &a) == 0);
    CHECK_EQ(mj_addr_prefix_bytes(&a, 60, key), 8);
}

TEST(random_ids_have_the_right_shape)
{
    char a[17], b[17], h[33];
    mj_rand_alnum(a, 16);
    mj_rand_alnum(b, 16);
    CHECK_EQ(strlen(a), 16);
    CHECK(strcmp(a, b) != 0);
    mj_rand_hex(h, 16);
    CHECK_EQ(strlen(h), 32);
    CHECK(strspn(h, "0123456789abcdef") == 32);
}

TEST_MAIN(map_add_find_remove_many, heap_orders_and_updates, heap_reserve_makes_room_in_advance,
          wbuf_fails_once_full, addr_parse_and_format, prefixes_contain_their_addresses,
          random_ids_have_the_right_shape)
