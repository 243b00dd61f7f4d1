"""The FICTIONAL demo desk for `make demo` (`python -m npdesk.demo`).

The demo's data lives in `data/*.yaml` beside these loaders, never in Python literals:
`cases.yaml` (cases, handover lists, reviews; loaded by `program`), `firms.yaml` (firms,
dialogues, ICP scores, events, commitments; loaded by `firms`) and `accounts.yaml` (the demo
accounts and the shared restricted-party lists; used by `build`). Every record is invented and
flagged `fictional`, and its text says so.
"""
