#!/usr/bin/env bash
# The project's test command (README): builds and runs every .NET test project,
# then prints one closing line "N passed, N failed, N skipped" from the test results.
set -euo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d)
status=0
dotnet test LspLlama.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?
python3 - "$results" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0))
    # Skipped tests are results with outcome NotExecuted; the counters do not always count them.
    s += sum(1 for r in ET.parse(path).getroot().iter() if r.tag.endswith("UnitTestResult") and r.get("outcome") in ("NotExecuted", "Skipped"))
print(f"{p} passed, {f} failed, {s} skipped")
PY
rm -rf "$results"
exit $status
