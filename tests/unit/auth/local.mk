# Unit tests of src/auth/, one program per source file (TAP).
check_PROGRAMS += tests/unit/auth/auth_key_test
TESTS += tests/unit/auth/auth_key_test

check_PROGRAMS += tests/unit/auth/auth_rest_test
TESTS += tests/unit/auth/auth_rest_test

check_PROGRAMS += tests/unit/auth/auth_nonce_test
TESTS += tests/unit/auth/auth_nonce_test

check_PROGRAMS += tests/unit/auth/auth_store_test
TESTS += tests/unit/auth/auth_store_test

check_PROGRAMS += tests/unit/auth/auth_revoked_test
TESTS += tests/unit/auth/auth_revoked_test
