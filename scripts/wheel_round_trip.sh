#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtual environment outside the checkout, and run
# `awardbooks frameworks` and a generate -> analyse round trip from there: the installed package
# must carry the built-in specs and the email template, and work without the repository.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/awardbooks-wheel.XXXXXX)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" wheel --quiet --no-deps --wheel-dir "$work/dist" "$repo"
"$work/venv/bin/pip" install --quiet "$work"/dist/awardbooks-*.whl
cd "$work"   # nowhere near the checkout
ab="$work/venv/bin/awardbooks"
"$ab" frameworks | tee frameworks.txt
for id in family-partnership multi-agency lppa behaviour-attendance achievement-action-plan; do
  grep -q "^$id " frameworks.txt || { echo "wheel: built-in framework $id is missing"; exit 1; }
done
printf 'setting,urn,contact_email\nOak Primary,100200,head@oak.example\n' > roster.csv
"$ab" generate lppa --roster roster.csv --year 2026-27 --term autumn --out workbooks
# the workbooks as issued have nothing rated: analyse writes its outputs and exits 1, saying why
if "$ab" analyse workbooks --manifest workbooks/manifest.csv --out empty.xlsx > empty.txt 2>&1; then
  echo "wheel: analyse of unrated workbooks should exit 1"; exit 1
fi
grep -q "^Error: the return could not be used (1 with nothing rated)" empty.txt
# the repository's sample returns, filled in LibreOffice, read by the installed package
"$ab" analyse "$repo/samples/returns/autumn" --manifest "$repo/samples/workbooks/autumn" \
  --out consolidated.xlsx --data data
test -s consolidated.xlsx && test -s data/ratings.csv && test -s data/inputs.csv
"$ab" mail drafts workbooks --return-by 2026-12-11 --out drafts   # the packaged email template
test -s drafts/Oak-Primary_lppa_2026-27_autumn.eml
echo "wheel round trip: OK (installed at $work/venv, outside $repo)"
