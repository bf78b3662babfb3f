#!/bin/sh
# Holds the source tree to DESIGN.md and STYLE.md, in TAP:
#  - every #include stays inside the layer table of DESIGN.md;
#  - no banned function (STYLE.md, Ownership) appears in src/ or tools/;
#  - no source file reaches 1,500 lines.
# Run by `make check`; TERN_TOP_SRCDIR names the tree (default: this script's parent).
top=${TERN_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
n=0
failed=0

tap() {
    n=$((n + 1))
    if [ "$1" = ok ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=1
    fi
}

# Our modules each module may include, and the third-party headers it may use.
allowed_ours() {
    case "$1" in
    util) echo "util" ;;
    stun) echo "stun util" ;;
    auth) echo "auth stun util" ;;
    turn) echo "turn auth stun util" ;;
    net) echo "net turn stun util" ;;
    store) echo "store auth util" ;;
    http) echo "http auth util" ;;
    conf) echo "conf util options" ;;
    main) echo "server conf util" ;;
    server) echo "*" ;;
    pure) echo "util" ;; # a pure file of the server layer, fuzzed alone
    esac
}

allowed_third_party() {
    case "$1" in
    net) echo "event2 openssl" ;;
    store) echo "hiredis event2" ;;
    http) echo "microhttpd" ;;
    conf) echo "libconfig" ;;
    server) echo "event2 openssl hiredis microhttpd libconfig systemd" ;;
    esac
}

# Prints a violation line for each include of file that its module may not make.
check_file() {
    file=$1
    module=$2
    ours=$(allowed_ours "$module")
    third=$(allowed_third_party "$module")
    [ "$file" = src/util/crypto.c ] && third="openssl"
    grep -n '^[[:space:]]*#[[:space:]]*include' "$file" | while IFS= read -r line; do
        inc=$(echo "$line" | sed -n 's/.*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p')
        case "$inc" in
        config.h) continue ;;
        esac
        case "$line" in
        *'"'*)
            dir=${inc%%/*}
            [ "$dir" = "$inc" ] && dir=${inc%.h}
            [ "$ours" = "*" ] && continue
            own=${file#src/}
            [ "$inc" = "${own%.c}.h" ] && continue # a file's own header
            case "$inc" in
            */*_options.h | server_options.h)
                case " $ours " in *" options "*) continue ;; esac ;;
            esac
            case " $ours " in *" $dir "*) continue ;; esac
            echo "$file:${line%%:*}: $module/ may not include \"$inc\""
            ;;
        *)
            for lib in event2 event.h openssl hiredis libconfig.h microhttpd.h systemd; do
                case "$inc" in
                "$lib"* | "${lib%.h}"/*)
                    name=${lib%.h}
                    case " $third " in *" $name "*) ;; *)
                        echo "$file:${line%%:*}: $module/ may not include <$inc>" ;;
                    esac
                    ;;
                esac
            done
            case "$module" in
            stun | auth | turn | pure)
                case "$inc" in
                sys/socket.h | netinet/* | arpa/* | pthread.h | time.h | sys/time.h | unistd.h)
                    echo "$file:${line%%:*}: the pure core ($module/) may not include <$inc>" ;;
                esac
                ;;
            esac
            ;;
        esac
    done
}

for module in util stun auth turn net store http conf; do
    bad=""
    for f in src/$module/*.c src/$module/*.h; do
        [ -f "$f" ] || continue
        bad="$bad$(check_file "$f" "$module")"
    done
    if [ -z "$bad" ]; then
        tap ok "src/$module/ includes stay inside the layer table"
    else
        echo "$bad" | sed 's/^/# /'
        tap fail "src/$module/ includes stay inside the layer table"
    fi
done
for pair in main:src/main.c server:src/server.c server:src/server_stats.c \
    server:src/server_admin.c server:src/server_privs.c \
    server:src/server_usage.c pure:src/server_admin_line.c pure:src/server_admin_line.h; do
    bad=$(check_file "${pair#*:}" "${pair%%:*}")
    if [ -z "$bad" ]; then tap ok "${pair#*:} includes stay inside the layer table"; else
        echo "$bad" | sed 's/^/# /'
        tap fail "${pair#*:} includes stay inside the layer table"
    fi
done

banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|alloca)[[:space:]]*\('
hits=$(grep -rnE "$banned" src tools --include='*.c' --include='*.h' 2>/dev/null)
raw=$(grep -rnE '(^|[^a-z_])(malloc|calloc|realloc|free)[[:space:]]*\(' src tools --include='*.c' \
    --include='*.h' 2>/dev/null | grep -v '^src/util/xalloc\.c:' | grep -vE ':[[:space:]]*(/\*|\*)')
if [ -z "$hits$raw" ]; then
    tap ok "no banned function in src/ and tools/"
else
    printf '%s\n%s\n' "$hits" "$raw" | sed '/^$/d; s/^/# /'
    tap fail "no banned function in src/ and tools/"
fi

big=$(find src tools -name '*.[ch]' -exec wc -l {} + 2>/dev/null | awk '$2 != "total" && $1 >= 1500')
if [ -z "$big" ]; then
    tap ok "no source file reaches 1500 lines"
else
    echo "$big" | sed 's/^/# /'
    tap fail "no source file reaches 1500 lines"
fi

echo "1..$n"
exit $failed
