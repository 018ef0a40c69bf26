"""Parses a Prometheus text exposition (stdin) with prometheus_client's own parser, as a scraper
would, and prints it as JSON: {family: {"type": TYPE, "samples": [[name, labels, value], ...]}}.
Malformed input raises, so the test fails with the parser's reason."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

families = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    families[family.name] = {
        "type": family.type,
        "samples": [[sample.name, sample.labels, sample.value] for sample in family.samples],
    }
json.dump(families, sys.stdout)
