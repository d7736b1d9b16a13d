"""What the tests and the benchmarks both drive the service with, owned by neither.

A top-level package beside the product's fixed layout (webapp/, tasks/, tests/, ...) because
`bench/` must not import from `tests/` (a benchmark is not a test, and a test module imported
for its helpers drags in its fixtures and its edits), nor the other way round. Kept small:
only what both sides use — real processes with bounded waits (`processes`), an SSE reader
(`sse`), reading PDFs back (`pdf`) and sample documents (`documents`). Helpers only the tests
need stay in `tests/support.py`.
"""
