/* The credential request's body reader and user check: the bodies it reads, and those it
 * refuses. */
#include "http/http_request.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static char user[HTTP_REQUEST_USER_MAX + 1];

/* Reads body into user; returns what http_request_body_user() returns. */
static int body_user(const char *body)
{
    memset(user, 'x', sizeof(user));
    return http_request_body_user(body, strlen(body), user, sizeof(user));
}

static void expect_user(const char *body, const char *want)
{
    int rc = body_user(body);
    TAP_CHECK(rc == 0 && strcmp(user, want) == 0, "%s names user \"%s\" (rc %d, user \"%s\")", body,
              want, rc, user);
}

static void expect_refused(const char *body, const char *why)
{
    int rc = body_user(body);
    TAP_CHECK(rc == -1 && user[0] == '\0', "refuses %s: %s (rc %d)", why, body, rc);
}

static void test_normal(void)
{
    expect_user("{\"user\": \"alice\"}", "alice");
    expect_user("{\"user\":\"bob@example.com\"}", "bob@example.com");
    expect_user("{\"ttl\": 3600, \"user\": \"c.1+x_Y-9\", \"debug\": true, \"n\": null}",
                "c.1+x_Y-9");
    expect_user("{}", "");
    expect_user("{\"ttl\": -1.5E3}", "");
    expect_user("", "");
    TAP_EQ_INT(http_request_body_user("{\"user\": \"al\"}", 8, user, sizeof(user)), -1,
               "the length is the body's, not the string's");
}

static void test_whitespace(void)
{
    expect_user(" \r\n\t", "");
    expect_user("\n  {\n\t\"user\"\t:\r\n \"dave\"\n}\r\n", "dave");
    expect_user("{ \"user\" : \"erin\" , \"x\" : 1 }", "erin");
}

/* A "user" that is not the top-level member naming the user does not count. */
static void test_not_the_member(void)
{
    expect_user("{\"role\": \"user\", \"user\": \"frank\"}", "frank");
    expect_user("{\"note\": \"a \\\"user\\\": \\\"eve\\\"\", \"user\": \"gina\"}", "gina");
    expect_user("{\"meta\": {\"user\": \"eve\"}}", "");
    expect_user("{\"meta\": [{\"user\": \"eve\", \"x\": \"}\"}], \"user\": \"hugo\"}", "hugo");
    expect_refused("{\"us\\u0065r\": \"eve\"}", "an escaped key");
    expect_refused("{\"user\": \"a\", \"user\": \"b\"}", "two users");
}

static void test_malformed(void)
{
    expect_refused("{\"name\": \"x\"", "an object that does not close");
    expect_refused("{\"user\": \"alice", "a string that does not close");
    expect_refused("[\"user\", \"alice\"]", "an array");
    expect_refused("\"alice\"", "a string");
    expect_refused("user=alice", "a form");
    expect_refused("{\"user\": \"alice\"} {}", "bytes after the object");
    expect_refused("{\"user\" \"alice\"}", "a member without a colon");
    expect_refused("{\"user\":: \"alice\"}", "two colons");
    expect_refused("{\"user\": \"alice\",}", "a trailing comma");
    expect_refused("{\"user\": \"alice\" \"x\": 1}", "a missing comma");
    expect_refused("{\"x\": }", "a member without a value");
    expect_refused("{\"x\": [1, 2}", "a nested value that does not close");
    expect_refused("{\"x\": \"a\nb\"}", "a control byte in a string");
    expect_refused("{user: \"alice\"}", "a bare key");
}

static void test_user_value(void)
{
    char body[200];
    char name[HTTP_REQUEST_USER_MAX + 2];

    memset(name, 'u', sizeof(name));
    name[HTTP_REQUEST_USER_MAX] = '\0';
    (void)snprintf(body, sizeof(body), "{\"user\": \"%s\"}", name);
    expect_user(body, name);
    name[HTTP_REQUEST_USER_MAX] = 'u';
    name[HTTP_REQUEST_USER_MAX + 1] = '\0';
    (void)snprintf(body, sizeof(body), "{\"user\": \"%s\"}", name);
    expect_refused(body, "a user of 65 bytes");
    expect_refused("{\"user\": \"\"}", "an empty user");
    expect_refused("{\"user\": \"a b\"}", "a space");
    expect_refused("{\"user\": \"a:b\"}", "a colon");
    expect_refused("{\"user\": \"a\\\"b\"}", "an escaped quote");
    expect_refused("{\"user\": \"\xc3\xa9\"}", "a byte above 0x7e");
    expect_refused("{\"user\": 42}", "a number");
    expect_refused("{\"user\": null}", "null");
    expect_refused("{\"user\": [\"alice\"]}", "an array");
    TAP_EQ_INT(http_request_body_user("{\"user\": \"abcd\"}", 16, user, 4), -1,
               "a user longer than the buffer is refused");
    TAP_CHECK(user[0] == '\0', "and the buffer left empty");
    TAP_EQ_INT(http_request_body_user("{\"user\": \"abc\"}", 15, user, 4), 0,
               "a user that just fits the buffer");
}

static void test_user_ok(void)
{
    TAP_CHECK(http_request_user_ok("Az09._@+-", 9), "every allowed kind of byte");
    TAP_CHECK(!http_request_user_ok("", 0), "not empty");
    TAP_CHECK(!http_request_user_ok("a/b", 3), "no slash");
    TAP_CHECK(!http_request_user_ok("a\0b", 3), "no NUL");
    TAP_CHECK(http_request_user_ok("a b", 1), "only len bytes are looked at");
}

int main(void)
{
    test_normal();
    test_whitespace();
    test_not_the_member();
    test_malformed();
    test_user_value();
    test_user_ok();
    return tap_done();
}
