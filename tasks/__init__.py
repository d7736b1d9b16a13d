"""The worker side. The Celery tasks are the modules here (`convert`, `parts`, `split_job`, `part_render`,
`join`, `webhooks`), thin over `finish` (one policy for ending a job) and the packages: `job` (the record and
its store), `render` (HTML to PDF), `prepare` (browser HTML made xhtml2pdf's), `fonts`, `split`, `delivery`."""
