"""Fuzzes one surface of a running idaas with schemathesis, from the surface's own OpenAPI
description, and prints a JSON summary on one line:
{"surface", "operations", "failures": [{"operation", "message"}], "exit"}.

Only server errors fail a case (`not_a_server_error`): any 5xx, any dropped connection. The run is
bounded (MAX_EXAMPLES cases per operation, a fixed seed) so that CI repeats it.

usage: fuzz_openapi.py BASE SURFACE MAX_EXAMPLES CONFIG_TOML [HEADER ...]
  BASE           the server, e.g. http://127.0.0.1:8080
  SURFACE        the name in /openapi/{SURFACE}.json
  MAX_EXAMPLES   cases per operation
  CONFIG_TOML    a schemathesis.toml (known identifiers for path parameters), or "-"
  HEADER         "Name: value", sent with every request (credentials)
"""

import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree


def main() -> None:
    base, surface, max_examples, config = sys.argv[1:5]
    headers = sys.argv[5:]
    with tempfile.TemporaryDirectory() as work:
        junit = os.path.join(work, "junit.xml")
        command = [sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()"]
        if config != "-":
            command += ["--config-file", config]
        command += [
            "run",
            f"{base}/openapi/{surface}.json",
            "--checks", "not_a_server_error",
            "--max-examples", max_examples,
            "--seed", "1",
            "--workers", "1",
            "--request-timeout", "20",
            "--no-shrink",
            "--no-color",
            "--report", "junit",
            "--report-junit-path", junit,
        ]
        for header in headers:
            command += ["-H", header]
        run = subprocess.run(command, capture_output=True, text=True, timeout=1500, cwd=work)
        if not os.path.exists(junit):
            print(json.dumps({"surface": surface, "exit": run.returncode, "operations": 0,
                              "failures": [{"operation": "(run)", "message": run.stdout[-4000:] + run.stderr[-4000:]}]}))
            return
        cases = ElementTree.parse(junit).getroot().iter("testcase")
        operations, failures = 0, []
        for case in cases:
            operations += 1
            for problem in list(case.iter("failure")) + list(case.iter("error")):
                text = (problem.get("message") or "") + "\n" + (problem.text or "")
                failures.append({"operation": case.get("name"), "message": text.strip()[:3000]})
        print(json.dumps({"surface": surface, "exit": run.returncode, "operations": operations,
                          "failures": failures}))


if __name__ == "__main__":
    main()
