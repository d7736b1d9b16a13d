"""The worker side, in layers (docs/development.md): the job runtime on top (a module per Celery task, named
after it, over `finish`, `reporting`, `watchdog` and `job`), the engines in the middle (`split`, `render`,
`prepare`, `fonts`, `nesting`), and `document`, what they all share, at the bottom."""
