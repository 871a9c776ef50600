#!/usr/bin/env bash
# Re-draws the pictures in docs/pictures from live runs, and renders each SVG to PNG with
# headless Chromium (the README and the lessons show the PNGs). Run from the repository root:
#   bash docs/pictures/render.sh
set -euo pipefail
cargo build --release -q
bin=target/release/toolkit
out=docs/pictures
export NO_COLOR=1
"$bin" --lang zh fork-demo --tree 3 --svg "$out/fork-tree.svg" >/dev/null
"$bin" --lang zh states --svg "$out/states.svg" >/dev/null
"$bin" --lang zh quiz fork --seed 42 --level 3 --answer processes=1 --svg "$out/quiz-fork.svg" >/dev/null
# A small tree that holds still while it is drawn: a shell, a subshell, three sleeps.
sh -c 'sleep 5 & (sleep 5 & sleep 5 & wait) & wait' &
shell=$!
sleep 0.3
"$bin" --lang zh ps-tree --svg "$out/ps-tree.svg" "$shell" >/dev/null
kill "$shell" 2>/dev/null || true
wait || true

# Chinese labels need a CJK font (Debian: fonts-wqy-microhei or fonts-noto-cjk).
fc-list :lang=zh | grep -q . || echo "warning: no CJK font installed: the Chinese labels will render as boxes" >&2
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for svg in "$out"/*.svg; do
    # The picture's own size, from the <svg> element's width and height.
    size=$(head -c 400 "$svg" | grep -o 'width="[0-9.]*" height="[0-9.]*"' | head -1 |
        sed -E 's/width="([0-9.]+)" height="([0-9.]+)"/\1 \2/')
    read -r w h <<<"$size"
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
        --user-data-dir="$profile" --window-size="${w%.*},${h%.*}" \
        --screenshot="${svg%.svg}.png" "file://$PWD/$svg" >/dev/null 2>&1
    echo "${svg%.svg}.png ${w%.*}x${h%.*}"
done
